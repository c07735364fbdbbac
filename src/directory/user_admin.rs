//! What an administrator does to a pool's users, as queries and updates on
//! the `users` table: a filtered list in pages, and the single-user changes
//! (enable, disable, confirm, a new temporary password, sign out everywhere,
//! delete). Shared by the console and the Admin* API.
//!
//! Diesel's builder only, so the same code runs on PostgreSQL; sequences
//! that read and then write run in [`write_tx`].
//!
//! `updated_at` is also the clock of a temporary password (sign-in compares
//! it with the pool's validity), so only changes that set a password or a
//! status move it; enabling, disabling and signing out do not.

use std::collections::BTreeMap;

use diesel::prelude::*;

use super::lockout;
use super::passwords::PasswordRecord;
use super::users::{User, UserStatus};
use super::{DirectoryError, PoolId, UserSub};
use crate::db::schema::{auth_codes, refresh_tokens, user_aliases, users};
use crate::db::{write_tx, Conn};

diesel::define_sql_function! {
    /// SQL `lower()`, which SQLite and PostgreSQL both have; ASCII-only on
    /// both for cognate's columns (PostgreSQL's are `COLLATE "C"`). Only
    /// ever applied to columns: patterns are lower-cased in Rust.
    fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

type Backend = <Conn as diesel::Connection>::Backend;

/// Every status a user can have, in the order the console lists them.
pub const STATUSES: [UserStatus; 5] = [
    UserStatus::Unconfirmed,
    UserStatus::Confirmed,
    UserStatus::ForceChangePassword,
    UserStatus::ResetRequired,
    UserStatus::ExternalProvider,
];

/// A status by its Cognito name.
pub fn parse_status(s: &str) -> Option<UserStatus> {
    STATUSES.into_iter().find(|st| st.as_str() == s)
}

/// Which users to list. An empty `search` matches everyone.
#[derive(Clone, Debug, Default)]
pub struct UserQuery {
    /// A prefix of the user name, the e-mail address or the phone number.
    pub search: String,
    pub status: Option<UserStatus>,
    pub enabled: Option<bool>,
}

/// A position in the list: users are ordered newest first, by
/// `(created_at, id)`, which is unique.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cursor {
    pub created_at: i64,
    pub id: String,
}

impl Cursor {
    pub(super) fn of(user: &User) -> Cursor {
        Cursor {
            created_at: user.created_at,
            id: user.sub.to_string(),
        }
    }

    /// `created_at.id`, for a link.
    pub fn encode(&self) -> String {
        format!("{}.{}", self.created_at, self.id)
    }

    /// The inverse of [`Cursor::encode`]; `None` for anything else.
    pub fn parse(s: &str) -> Option<Cursor> {
        let (at, id) = s.split_once('.')?;
        let ok = !id.is_empty()
            && id.len() <= 64
            && id.chars().all(|c| c.is_ascii_hexdigit() || c == '-');
        ok.then_some(())?;
        Some(Cursor {
            created_at: at.parse().ok()?,
            id: id.to_string(),
        })
    }
}

/// Which page of the list.
#[derive(Clone, Debug)]
pub enum PageAt {
    First,
    /// The users listed after (older than) this one.
    After(Cursor),
    /// The users listed before (newer than) this one.
    Before(Cursor),
}

/// One page, and the cursors of the pages around it, if there are any.
#[derive(Debug)]
pub struct UserPage {
    pub users: Vec<User>,
    /// Use with [`PageAt::Before`].
    pub previous: Option<Cursor>,
    /// Use with [`PageAt::After`].
    pub next: Option<Cursor>,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = users)]
pub(super) struct Row {
    id: String,
    pool_id: String,
    username: String,
    password_hash: Option<String>,
    status: String,
    enabled: bool,
    attributes: String,
    signed_out_at: i64,
    created_at: i64,
    updated_at: i64,
}

impl From<Row> for User {
    fn from(r: Row) -> User {
        User {
            sub: UserSub::from_db(r.id),
            pool_id: PoolId::from_db(r.pool_id),
            username: r.username,
            password_hash: r.password_hash,
            status: parse_status(&r.status).unwrap_or(UserStatus::Unconfirmed),
            enabled: r.enabled,
            attributes: serde_json::from_str::<BTreeMap<String, String>>(&r.attributes)
                .unwrap_or_default(),
            signed_out_at: r.signed_out_at,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// `s` with LIKE's wildcards and the escape character itself escaped (the
/// escape character is `\`).
pub fn escape_like(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '\\' | '%' | '_') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// How `s` appears inside a JSON string as serde_json writes it (without
/// the quotes). JSON escapes character by character, so the encoding of a
/// prefix is a prefix of the encoding.
fn json_inner(s: &str) -> String {
    let quoted = serde_json::to_string(s).unwrap_or_default();
    quoted
        .strip_prefix('"')
        .and_then(|q| q.strip_suffix('"'))
        .unwrap_or_default()
        .to_string()
}

/// The LIKE patterns of a search: a prefix of the user name or of its
/// lookup key, and a prefix of the `email` or `phone_number` value inside
/// the attributes' JSON text. There the pattern starts at the key,
/// `"email":"`: inside a JSON value every quote is escaped as `\"`, so that
/// text only ever matches the member itself.
///
/// Attributes live as JSON text, so this is a scan of the pool's rows (a
/// pattern with a leading `%` uses no index). That is sound and fast enough
/// for a console page of 25; an e-mail column with an index is the step to
/// take if ListUsers filters ever need to be fast on large pools.
fn search_patterns(search: &str) -> (String, [String; 2]) {
    let prefix = format!("{}%", escape_like(search));
    let inner = json_inner(search);
    let member = |name: &str| format!("%{}%", escape_like(&format!("\"{name}\":\"{inner}")));
    (prefix, [member("email"), member("phone_number")])
}

/// The users of `pool_id` that match `q`, as a boxed query to refine.
fn matching<'a>(pool_id: &'a str, q: &UserQuery) -> users::BoxedQuery<'a, Backend> {
    let mut query = users::table.filter(users::pool_id.eq(pool_id)).into_boxed();
    if let Some(status) = q.status {
        query = query.filter(users::status.eq(status.as_str()));
    }
    if let Some(enabled) = q.enabled {
        query = query.filter(users::enabled.eq(enabled));
    }
    let search = q.search.trim();
    if !search.is_empty() {
        // Case-insensitive in ASCII only, the same on both backends: the
        // column through SQL lower() (ASCII-only on SQLite, and on
        // PostgreSQL's `COLLATE "C"` columns), the pattern lower-cased here
        // (PostgreSQL's lower() of a bound value would follow the locale).
        let (prefix, [email, phone]) = search_patterns(&search.to_ascii_lowercase());
        query = query.filter(
            lower(users::username)
                .like(prefix.clone())
                .escape('\\')
                .or(lower(users::username_key).like(prefix).escape('\\'))
                .or(lower(users::attributes).like(email).escape('\\'))
                .or(lower(users::attributes).like(phone).escape('\\')),
        );
    }
    query
}

pub(super) fn older_than<'a>(
    q: users::BoxedQuery<'a, Backend>,
    c: &Cursor,
) -> users::BoxedQuery<'a, Backend> {
    q.filter(
        users::created_at.lt(c.created_at).or(users::created_at
            .eq(c.created_at)
            .and(users::id.lt(c.id.clone()))),
    )
}

fn newer_than<'a>(q: users::BoxedQuery<'a, Backend>, c: &Cursor) -> users::BoxedQuery<'a, Backend> {
    q.filter(
        users::created_at.gt(c.created_at).or(users::created_at
            .eq(c.created_at)
            .and(users::id.gt(c.id.clone()))),
    )
}

/// Whether any user matching `q` lies beyond `c` (older when `older`).
fn any_beyond(
    conn: &mut Conn,
    pool_id: &PoolId,
    q: &UserQuery,
    c: &Cursor,
    older: bool,
) -> Result<bool, DirectoryError> {
    let base = matching(pool_id.as_str(), q);
    let query = if older {
        older_than(base, c)
    } else {
        newer_than(base, c)
    };
    Ok(query
        .select(users::id)
        .limit(1)
        .first::<String>(conn)
        .optional()?
        .is_some())
}

/// A page of at most `limit` users of `pool_id` matching `q`, newest first.
pub fn list(
    conn: &mut Conn,
    pool_id: &PoolId,
    q: &UserQuery,
    at: &PageAt,
    limit: i64,
) -> Result<UserPage, DirectoryError> {
    let limit = limit.clamp(1, 1000);
    let page = limit as usize;
    let base = matching(pool_id.as_str(), q);
    if let PageAt::Before(c) = at {
        let mut rows: Vec<Row> = newer_than(base, c)
            .order((users::created_at.asc(), users::id.asc()))
            .limit(limit + 1)
            .select(Row::as_select())
            .load(conn)?;
        let more = rows.len() > page;
        rows.truncate(page);
        rows.reverse();
        let users: Vec<User> = rows.into_iter().map(User::from).collect();
        let previous = if more {
            users.first().map(Cursor::of)
        } else {
            None
        };
        let anchor = users.last().map(Cursor::of).unwrap_or_else(|| c.clone());
        let next = any_beyond(conn, pool_id, q, &anchor, true)?.then_some(anchor);
        return Ok(UserPage {
            users,
            previous,
            next,
        });
    }
    let query = match at {
        PageAt::After(c) => older_than(base, c),
        _ => base,
    };
    let mut rows: Vec<Row> = query
        .order((users::created_at.desc(), users::id.desc()))
        .limit(limit + 1)
        .select(Row::as_select())
        .load(conn)?;
    let more = rows.len() > page;
    rows.truncate(page);
    let users: Vec<User> = rows.into_iter().map(User::from).collect();
    let next = if more {
        users.last().map(Cursor::of)
    } else {
        None
    };
    let previous = match at {
        PageAt::After(c) => {
            let anchor = users.first().map(Cursor::of).unwrap_or_else(|| c.clone());
            any_beyond(conn, pool_id, q, &anchor, false)?.then_some(anchor)
        }
        _ => None,
    };
    Ok(UserPage {
        users,
        previous,
        next,
    })
}

fn not_found() -> DirectoryError {
    DirectoryError::NotFound("User does not exist.".into())
}

/// A user of `pool_id` by sub.
pub fn find(conn: &mut Conn, pool_id: &PoolId, sub: &str) -> Result<Option<User>, DirectoryError> {
    Ok(users::table
        .find(sub)
        .filter(users::pool_id.eq(pool_id.as_str()))
        .select(Row::as_select())
        .get_result(conn)
        .optional()?
        .map(User::from))
}

/// Ends every sign-in of the user: refresh tokens (and with them their
/// access tokens) are revoked, codes not yet exchanged are dropped, and
/// hosted sessions from before the next second are void.
fn end_sign_ins(conn: &mut Conn, sub: &str, now: i64) -> Result<(), DirectoryError> {
    diesel::update(refresh_tokens::table.filter(refresh_tokens::user_id.eq(sub)))
        .set(refresh_tokens::revoked.eq(true))
        .execute(conn)?;
    diesel::delete(
        auth_codes::table
            .filter(auth_codes::user_id.eq(sub))
            .filter(auth_codes::used.eq(false)),
    )
    .execute(conn)?;
    // Sign-ins of the API waiting for a challenge's answer end too.
    diesel::delete(
        crate::db::schema::auth_sessions::table
            .filter(crate::db::schema::auth_sessions::user_id.eq(sub)),
    )
    .execute(conn)?;
    // Sessions record their sign-in time in whole seconds and survive when
    // `signed_out_at <= auth_time`: a sign-in earlier in this same second
    // must end too, so the mark is the next second.
    diesel::update(users::table.find(sub))
        .set(users::signed_out_at.eq(now.saturating_add(1)))
        .execute(conn)?;
    Ok(())
}

/// Enables or disables a user. Disabling also ends every sign-in, as
/// Cognito's AdminDisableUser revokes the user's tokens.
pub fn set_enabled(
    conn: &mut Conn,
    pool_id: &PoolId,
    sub: &UserSub,
    enabled: bool,
    now: i64,
) -> Result<(), DirectoryError> {
    write_tx(conn, |conn| {
        let n = diesel::update(
            users::table
                .find(sub.as_str())
                .filter(users::pool_id.eq(pool_id.as_str())),
        )
        .set(users::enabled.eq(enabled))
        .execute(conn)?;
        if n != 1 {
            return Err(not_found());
        }
        if !enabled {
            end_sign_ins(conn, sub.as_str(), now)?;
        }
        Ok(())
    })
}

/// Confirms an unconfirmed user (AdminConfirmSignUp). `Ok(false)` when the
/// user exists but is not UNCONFIRMED: nothing changes then.
pub fn confirm(
    conn: &mut Conn,
    pool_id: &PoolId,
    sub: &UserSub,
    now: i64,
) -> Result<bool, DirectoryError> {
    write_tx(conn, |conn| {
        if find(conn, pool_id, sub.as_str())?.is_none() {
            return Err(not_found());
        }
        let n = diesel::update(
            users::table
                .find(sub.as_str())
                .filter(users::pool_id.eq(pool_id.as_str()))
                .filter(users::status.eq(UserStatus::Unconfirmed.as_str())),
        )
        .set((
            users::status.eq(UserStatus::Confirmed.as_str()),
            users::updated_at.eq(now),
        ))
        .execute(conn)?;
        Ok(n == 1)
    })
}

/// Gives the user a new temporary password (a hash) that must be replaced
/// at the next sign-in. Their current sign-ins end.
pub fn set_temporary_password(
    conn: &mut Conn,
    pool_id: &PoolId,
    sub: &UserSub,
    password: &PasswordRecord,
    now: i64,
) -> Result<(), DirectoryError> {
    write_tx(conn, |conn| {
        let n = diesel::update(
            users::table
                .find(sub.as_str())
                .filter(users::pool_id.eq(pool_id.as_str())),
        )
        .set((
            super::users::password_columns(password),
            users::status.eq(UserStatus::ForceChangePassword.as_str()),
            users::updated_at.eq(now),
        ))
        .execute(conn)?;
        if n != 1 {
            return Err(not_found());
        }
        end_sign_ins(conn, sub.as_str(), now)
    })
}

/// Signs the user out everywhere (AdminUserGlobalSignOut).
pub fn sign_out_everywhere(
    conn: &mut Conn,
    pool_id: &PoolId,
    sub: &UserSub,
    now: i64,
) -> Result<(), DirectoryError> {
    write_tx(conn, |conn| {
        if find(conn, pool_id, sub.as_str())?.is_none() {
            return Err(not_found());
        }
        end_sign_ins(conn, sub.as_str(), now)
    })
}

/// Deletes a user. Everything of it goes with it through the foreign keys'
/// cascades: codes, refresh tokens and authorization codes, API sign-in
/// sessions, MFA, external identities, aliases, pending attribute values
/// and group memberships; hosted sessions die with the user they name. The
/// failed sign-ins counted against its user name and aliases are forgotten
/// too, so a new user of the same name starts clean.
pub fn delete(conn: &mut Conn, pool_id: &PoolId, sub: &UserSub) -> Result<(), DirectoryError> {
    write_tx(conn, |conn| {
        let key: Option<String> = users::table
            .find(sub.as_str())
            .filter(users::pool_id.eq(pool_id.as_str()))
            .select(users::username_key)
            .get_result(conn)
            .optional()?;
        let Some(key) = key else {
            return Err(not_found());
        };
        let mut names: Vec<String> = user_aliases::table
            .filter(user_aliases::user_id.eq(sub.as_str()))
            .select(user_aliases::alias_key)
            .load(conn)?;
        names.push(key);
        names.push(lockout::mfa_key(sub.as_str()));
        diesel::delete(users::table.find(sub.as_str())).execute(conn)?;
        for name in &names {
            lockout::clear(conn, pool_id.as_str(), name)?;
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_wildcards_are_escaped() {
        assert_eq!(escape_like("a_b%c\\d"), "a\\_b\\%c\\\\d");
        assert_eq!(escape_like("plain"), "plain");
    }

    #[test]
    fn search_patterns_start_at_the_member() {
        let (prefix, [email, phone]) = search_patterns("jo_\"x");
        assert_eq!(prefix, "jo\\_\"x%");
        // The quote is escaped for JSON, then the backslash for LIKE.
        assert_eq!(email, "%\"email\":\"jo\\_\\\\\"x%");
        assert_eq!(phone, "%\"phone\\_number\":\"jo\\_\\\\\"x%");
    }

    #[test]
    fn cursors_round_trip_and_refuse_junk() {
        let c = Cursor {
            created_at: 1_700_000_000,
            id: "0b5c2a9e-1f7d-4c1a-9a51-7d2b0e9d1c11".into(),
        };
        assert_eq!(Cursor::parse(&c.encode()), Some(c));
        for junk in ["", "x", "12", "12.", "a.b-c", "1.x'--", "1.%"] {
            assert_eq!(Cursor::parse(junk), None, "{junk}");
        }
    }
}
