//! ListUsers' `Filter`: Cognito's one-attribute search, `name = "value"`
//! (exact) or `name ^= "value"` (starts with), and the page of users it
//! selects.
//!
//! The syntax: optional white space, the attribute name (bare, or quoted as
//! `"email"`), the operator, and the value in double quotes, where `\"` is a
//! quote and `\\` a backslash (a backslash before any other character
//! stands for that character). An empty filter lists everyone. Anything
//! else is refused as Cognito refuses it ("Error while parsing filter.").
//!
//! The searchable attributes are Cognito's: `username`, `email`,
//! `phone_number`, `name`, `given_name`, `family_name`,
//! `preferred_username`, `cognito:user_status`, `status` and `sub`; custom
//! attributes are not searchable ("Invalid search attribute: …").
//!
//! Case: Cognito's reference marks `username` and `status` case-sensitive
//! and `cognito:user_status` case-insensitive, and its developer guide calls
//! searches case-insensitive. So: `status` (`Enabled` / `Disabled`) is
//! case-sensitive; `username` follows the pool (case-sensitive unless the
//! pool was created case-insensitive); every other attribute, `sub` and
//! `cognito:user_status` compare without regard to ASCII case.
//!
//! Everything is decided in SQL (Diesel's builder, no raw SQL): attributes
//! live as JSON text, and the pattern starts at the member, `"email":"`,
//! which inside the text can only be the member itself, since every quote in
//! a JSON value is escaped (see `user_admin`). An exact match also ends at
//! the closing quote. This is a scan of the pool's rows; see `user_admin`
//! for the index to add if large pools need fast searches.

use diesel::prelude::*;

use super::user_admin::{escape_like, older_than, Cursor, Row};
use super::users::User;
use super::{DirectoryError, PoolId};
use crate::db::schema::users;
use crate::db::Conn;

diesel::define_sql_function! {
    /// SQL `lower()`, which SQLite and PostgreSQL both have; only ever
    /// applied to columns (see [`apply`]).
    fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

diesel::define_sql_function! {
    /// SQL `substr(text, start, count)` (1-based, in characters), which
    /// SQLite and PostgreSQL both have: a case-sensitive prefix test, where
    /// SQLite's LIKE ignores case.
    fn substr(x: diesel::sql_types::Text, start: diesel::sql_types::Integer, count: diesel::sql_types::Integer) -> diesel::sql_types::Text;
}

type Backend = <Conn as diesel::Connection>::Backend;

/// The attributes held in the attributes' JSON that Cognito lets one search.
const SEARCHABLE: [&str; 6] = [
    "email",
    "phone_number",
    "name",
    "given_name",
    "family_name",
    "preferred_username",
];

/// What a filter compares.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Field {
    Username,
    /// One of [`SEARCHABLE`].
    Attribute(&'static str),
    Sub,
    /// `cognito:user_status`.
    UserStatus,
    /// `status`: `Enabled` or `Disabled`.
    Enabled,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Equals,
    StartsWith,
}

/// A parsed filter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserFilter {
    pub field: Field,
    pub op: Op,
    pub value: String,
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum FilterError {
    #[error("Error while parsing filter.")]
    Syntax,
    #[error("Invalid search attribute: {0}")]
    Attribute(String),
}

impl Field {
    fn named(name: &str) -> Option<Field> {
        Some(match name {
            "username" => Field::Username,
            "sub" => Field::Sub,
            "cognito:user_status" => Field::UserStatus,
            "status" => Field::Enabled,
            other => Field::Attribute(SEARCHABLE.into_iter().find(|a| *a == other)?),
        })
    }
}

/// Reads a quoted string starting after its opening quote; returns the
/// text and the rest after the closing quote.
fn quoted(s: &str) -> Result<(String, &str), FilterError> {
    let mut out = String::new();
    let mut chars = s.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Ok((out, &s[i + 1..])),
            '\\' => match chars.next() {
                Some((_, e)) => out.push(e),
                None => return Err(FilterError::Syntax),
            },
            c => out.push(c),
        }
    }
    Err(FilterError::Syntax)
}

/// Parses a filter; `None` for an empty one (everyone).
pub fn parse(filter: &str) -> Result<Option<UserFilter>, FilterError> {
    let s = filter.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let (name, rest) = match s.strip_prefix('"') {
        Some(after) => quoted(after)?,
        None => {
            let end = s
                .find(|c: char| c.is_whitespace() || c == '=' || c == '^' || c == '"')
                .unwrap_or(s.len());
            (s[..end].to_string(), &s[end..])
        }
    };
    if name.is_empty() {
        return Err(FilterError::Syntax);
    }
    let rest = rest.trim_start();
    let (op, rest) = if let Some(r) = rest.strip_prefix("^=") {
        (Op::StartsWith, r)
    } else if let Some(r) = rest.strip_prefix('=') {
        (Op::Equals, r)
    } else {
        return Err(FilterError::Syntax);
    };
    let rest = rest.trim_start();
    let Some(after) = rest.strip_prefix('"') else {
        return Err(FilterError::Syntax);
    };
    let (value, rest) = quoted(after)?;
    if !rest.trim().is_empty() {
        return Err(FilterError::Syntax);
    }
    let field = Field::named(&name).ok_or(FilterError::Attribute(name))?;
    Ok(Some(UserFilter { field, op, value }))
}

/// How `s` appears inside a JSON string as serde_json writes it.
fn json_inner(s: &str) -> String {
    let quoted = serde_json::to_string(s).unwrap_or_default();
    quoted
        .strip_prefix('"')
        .and_then(|q| q.strip_suffix('"'))
        .unwrap_or_default()
        .to_string()
}

/// The LIKE pattern (escape `\`) of an attribute filter over the JSON text.
fn attribute_pattern(name: &str, op: Op, value: &str) -> String {
    let close = if op == Op::Equals { "\"" } else { "" };
    let member = format!("\"{name}\":\"{}{close}", json_inner(value));
    format!("%{}%", escape_like(&member))
}

/// Narrows `q` to the users `f` selects.
fn apply<'a>(
    q: users::BoxedQuery<'a, Backend>,
    f: &UserFilter,
    case_sensitive_usernames: bool,
) -> users::BoxedQuery<'a, Backend> {
    let v = f.value.clone();
    // Case-insensitive comparisons lower the column in SQL (ASCII-only on
    // both backends: PostgreSQL's columns are `COLLATE "C"`) and the value
    // here, in ASCII too (PostgreSQL's lower() of a bound value would follow
    // the database's locale).
    let folded = v.to_ascii_lowercase();
    let prefix = format!("{}%", escape_like(&folded));
    match (&f.field, f.op) {
        (Field::Username, Op::Equals) if case_sensitive_usernames => {
            q.filter(users::username.eq(v))
        }
        (Field::Username, Op::StartsWith) if case_sensitive_usernames => {
            let n = i32::try_from(v.chars().count()).unwrap_or(i32::MAX);
            q.filter(substr(users::username, 1, n).eq(v))
        }
        (Field::Username, Op::Equals) => q.filter(lower(users::username).eq(folded)),
        (Field::Username, Op::StartsWith) => {
            q.filter(lower(users::username).like(prefix).escape('\\'))
        }
        (Field::Sub, Op::Equals) => q.filter(lower(users::id).eq(folded)),
        (Field::Sub, Op::StartsWith) => q.filter(lower(users::id).like(prefix).escape('\\')),
        (Field::UserStatus, Op::Equals) => q.filter(lower(users::status).eq(folded)),
        (Field::UserStatus, Op::StartsWith) => {
            q.filter(lower(users::status).like(prefix).escape('\\'))
        }
        (Field::Attribute(name), op) => {
            let pattern = attribute_pattern(name, op, &folded);
            q.filter(lower(users::attributes).like(pattern).escape('\\'))
        }
        (Field::Enabled, op) => {
            let matches = |word: &str| match op {
                Op::Equals => word == v,
                Op::StartsWith => word.starts_with(v.as_str()),
            };
            match (matches("Enabled"), matches("Disabled")) {
                (true, true) => q,
                (true, false) => q.filter(users::enabled.eq(true)),
                (false, true) => q.filter(users::enabled.eq(false)),
                // Nothing can match.
                (false, false) => q.filter(users::enabled.eq(true).and(users::enabled.eq(false))),
            }
        }
    }
}

/// One page of ListUsers.
#[derive(Debug)]
pub struct Page {
    pub users: Vec<User>,
    /// Where the next page starts, when there is one.
    pub next: Option<Cursor>,
}

/// At most `limit` users of `pool_id` that `filter` selects, after `after`
/// in the order newest first (the console's order, so one cursor type
/// serves both).
pub fn list(
    conn: &mut Conn,
    pool_id: &PoolId,
    filter: Option<&UserFilter>,
    case_sensitive_usernames: bool,
    after: Option<&Cursor>,
    limit: i64,
) -> Result<Page, DirectoryError> {
    let limit = limit.clamp(1, 1000);
    let mut q = users::table
        .filter(users::pool_id.eq(pool_id.as_str()))
        .into_boxed();
    if let Some(f) = filter {
        q = apply(q, f, case_sensitive_usernames);
    }
    if let Some(c) = after {
        q = older_than(q, c);
    }
    let mut rows: Vec<Row> = q
        .order((users::created_at.desc(), users::id.desc()))
        .limit(limit + 1)
        .select(Row::as_select())
        .load(conn)?;
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let users: Vec<User> = rows.into_iter().map(User::from).collect();
    let next = if more {
        users.last().map(Cursor::of)
    } else {
        None
    };
    Ok(Page { users, next })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> UserFilter {
        parse(s).unwrap().unwrap()
    }

    #[test]
    fn exact_and_prefix() {
        assert_eq!(
            ok(r#"email = "jane@example.com""#),
            UserFilter {
                field: Field::Attribute("email"),
                op: Op::Equals,
                value: "jane@example.com".into()
            }
        );
        assert_eq!(
            ok(r#"phone_number^="+44""#),
            UserFilter {
                field: Field::Attribute("phone_number"),
                op: Op::StartsWith,
                value: "+44".into()
            }
        );
        assert_eq!(ok(r#"  given_name   ^=   "Jo"  "#).op, Op::StartsWith);
        assert_eq!(ok(r#"family_name = """#).value, "");
    }

    #[test]
    fn every_searchable_attribute() {
        for (name, field) in [
            ("username", Field::Username),
            ("sub", Field::Sub),
            ("cognito:user_status", Field::UserStatus),
            ("status", Field::Enabled),
            ("name", Field::Attribute("name")),
            ("preferred_username", Field::Attribute("preferred_username")),
        ] {
            assert_eq!(ok(&format!("{name} = \"x\"")).field, field, "{name}");
        }
    }

    #[test]
    fn quoted_names_and_escapes() {
        assert_eq!(ok(r#""email"^="ann""#).field, Field::Attribute("email"));
        assert_eq!(ok(r#"name = "say \"hi\"""#).value, r#"say "hi""#);
        assert_eq!(ok(r#"name = "back\\slash""#).value, r"back\slash");
        assert_eq!(ok(r#"name = "\x""#).value, "x");
        assert_eq!(ok(r#"name = "= ^= ""#).value, "= ^= ");
    }

    #[test]
    fn empty_means_everyone() {
        assert_eq!(parse(""), Ok(None));
        assert_eq!(parse("   "), Ok(None));
    }

    #[test]
    fn malformed_filters_are_refused() {
        for bad in [
            "username = foo",
            "username=",
            "username",
            "= \"x\"",
            "email == \"x\"",
            "email != \"x\"",
            "email ~ \"x\"",
            "email = \"unterminated",
            "email = \"x\\",
            "email = \"x\" and name = \"y\"",
            "email = \"x\" trailing",
            "\"email = \"x\"",
            "email ^ = \"x\"",
        ] {
            assert_eq!(parse(bad), Err(FilterError::Syntax), "{bad}");
        }
    }

    #[test]
    fn only_cognitos_attributes_are_searchable() {
        for name in [
            "custom:team",
            "address",
            "email_verified",
            "Email",
            "locale",
        ] {
            assert_eq!(
                parse(&format!("{name} = \"x\"")),
                Err(FilterError::Attribute(name.into())),
                "{name}"
            );
        }
        assert_eq!(
            FilterError::Attribute("custom:team".into()).to_string(),
            "Invalid search attribute: custom:team"
        );
        assert_eq!(
            FilterError::Syntax.to_string(),
            "Error while parsing filter."
        );
    }

    #[test]
    fn attribute_patterns_start_at_the_member_and_end_at_the_quote() {
        assert_eq!(
            attribute_pattern("email", Op::Equals, "a_b"),
            "%\"email\":\"a\\_b\"%"
        );
        assert_eq!(
            attribute_pattern("given_name", Op::StartsWith, "J%"),
            "%\"given\\_name\":\"J\\%%"
        );
        // A quote in the value is escaped for JSON, then its backslash for LIKE.
        assert_eq!(
            attribute_pattern("name", Op::Equals, "a\"b"),
            "%\"name\":\"a\\\\\"b\"%"
        );
    }
}
