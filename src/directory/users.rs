//! Users of a pool: identity, password hash, status and attributes.

use std::collections::BTreeMap;

use diesel::prelude::*;

use super::passwords::PasswordRecord;
use super::{DirectoryError, PoolId, UserSub};
use crate::db::schema::users;
use crate::db::{write_tx, Conn};

/// Cognito's user statuses that cognate produces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UserStatus {
    Unconfirmed,
    Confirmed,
    ForceChangePassword,
    ResetRequired,
    /// Created by a sign-in through an external identity provider; has no
    /// password.
    ExternalProvider,
}

impl UserStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            UserStatus::Unconfirmed => "UNCONFIRMED",
            UserStatus::Confirmed => "CONFIRMED",
            UserStatus::ForceChangePassword => "FORCE_CHANGE_PASSWORD",
            UserStatus::ResetRequired => "RESET_REQUIRED",
            UserStatus::ExternalProvider => "EXTERNAL_PROVIDER",
        }
    }

    fn parse(s: &str) -> UserStatus {
        match s {
            "CONFIRMED" => UserStatus::Confirmed,
            "FORCE_CHANGE_PASSWORD" => UserStatus::ForceChangePassword,
            "RESET_REQUIRED" => UserStatus::ResetRequired,
            "EXTERNAL_PROVIDER" => UserStatus::ExternalProvider,
            _ => UserStatus::Unconfirmed,
        }
    }
}

#[derive(Clone, Debug)]
pub struct User {
    pub sub: UserSub,
    pub pool_id: PoolId,
    pub username: String,
    pub password_hash: Option<String>,
    pub status: UserStatus,
    pub enabled: bool,
    /// Attribute name -> value, without `sub` (which is the id).
    pub attributes: BTreeMap<String, String>,
    /// Hosted sessions from before this (unix seconds) are void.
    pub signed_out_at: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

impl User {
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes.get(name).map(String::as_str)
    }
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = users)]
struct UserRow {
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

impl From<UserRow> for User {
    fn from(r: UserRow) -> User {
        User {
            sub: UserSub::from_db(r.id),
            pool_id: PoolId::from_db(r.pool_id),
            username: r.username,
            password_hash: r.password_hash,
            status: UserStatus::parse(&r.status),
            enabled: r.enabled,
            attributes: serde_json::from_str(&r.attributes).unwrap_or_default(),
            signed_out_at: r.signed_out_at,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

#[derive(Insertable)]
#[diesel(table_name = users)]
struct NewUserRow<'a> {
    id: &'a str,
    pool_id: &'a str,
    username: &'a str,
    username_key: &'a str,
    password_hash: Option<&'a str>,
    srp_salt: Option<&'a str>,
    srp_verifier: Option<&'a str>,
    status: &'a str,
    enabled: bool,
    attributes: &'a str,
    created_at: i64,
    updated_at: i64,
}

pub struct NewUser<'a> {
    /// Chosen by the caller: with e-mail or phone as the username, the
    /// stored user name is the sub itself.
    pub sub: &'a UserSub,
    pub pool_id: &'a PoolId,
    pub username: &'a str,
    /// The unique lookup key: the username, lowercased in case-insensitive pools.
    pub username_key: &'a str,
    /// `None` for users without a password (external providers).
    pub password: Option<&'a PasswordRecord>,
    pub status: UserStatus,
    pub attributes: &'a BTreeMap<String, String>,
}

fn attributes_json(a: &BTreeMap<String, String>) -> String {
    // A map of strings always serializes.
    serde_json::to_string(a).unwrap_or_else(|_| "{}".into())
}

pub fn create(conn: &mut Conn, new: NewUser<'_>, now: i64) -> Result<User, DirectoryError> {
    let sub = new.sub.clone();
    let attrs = attributes_json(new.attributes);
    let res = diesel::insert_into(users::table)
        .values(NewUserRow {
            id: sub.as_str(),
            pool_id: new.pool_id.as_str(),
            username: new.username,
            username_key: new.username_key,
            password_hash: new.password.map(|p| p.hash.as_str()),
            srp_salt: new.password.map(|p| p.srp_salt.as_str()),
            srp_verifier: new.password.map(|p| p.srp_verifier.as_str()),
            status: new.status.as_str(),
            enabled: true,
            attributes: &attrs,
            created_at: now,
            updated_at: now,
        })
        .execute(conn);
    match res {
        Ok(_) => {}
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => return Err(DirectoryError::UsernameExists),
        Err(e) => return Err(e.into()),
    }
    Ok(User {
        sub,
        pool_id: new.pool_id.clone(),
        username: new.username.to_string(),
        password_hash: new.password.map(|p| p.hash.clone()),
        status: new.status,
        enabled: true,
        attributes: new.attributes.clone(),
        signed_out_at: 0,
        created_at: now,
        updated_at: now,
    })
}

pub fn find_by_username_key(
    conn: &mut Conn,
    pool_id: &PoolId,
    key: &str,
) -> Result<Option<User>, DirectoryError> {
    Ok(users::table
        .filter(users::pool_id.eq(pool_id.as_str()))
        .filter(users::username_key.eq(key))
        .select(UserRow::as_select())
        .get_result(conn)
        .optional()?
        .map(User::from))
}

pub fn find_by_sub(conn: &mut Conn, sub: &str) -> Result<Option<User>, DirectoryError> {
    Ok(users::table
        .find(sub)
        .select(UserRow::as_select())
        .get_result(conn)
        .optional()?
        .map(User::from))
}

/// Marks a user confirmed and `verified_attribute` (if any) verified.
pub fn confirm(
    conn: &mut Conn,
    sub: &UserSub,
    verified_attribute: Option<&str>,
    now: i64,
) -> Result<User, DirectoryError> {
    write_tx(conn, |conn| {
        let mut user = find_by_sub(conn, sub.as_str())?
            .ok_or_else(|| DirectoryError::NotFound("User does not exist.".into()))?;
        if let Some(attr) = verified_attribute {
            user.attributes
                .insert(format!("{attr}_verified"), "true".into());
        }
        user.status = UserStatus::Confirmed;
        diesel::update(users::table.find(sub.as_str()))
            .set((
                users::status.eq(UserStatus::Confirmed.as_str()),
                users::attributes.eq(attributes_json(&user.attributes)),
                users::updated_at.eq(now),
            ))
            .execute(conn)?;
        Ok(user)
    })
}

/// Replaces a temporary password (status FORCE_CHANGE_PASSWORD or
/// RESET_REQUIRED) and confirms the user: a conditional update that must
/// touch the row, so two parallel answers cannot both succeed.
pub fn replace_temporary_password(
    conn: &mut Conn,
    sub: &UserSub,
    password: &PasswordRecord,
    now: i64,
) -> Result<Option<User>, DirectoryError> {
    let n = diesel::update(
        users::table.find(sub.as_str()).filter(
            users::status
                .eq(UserStatus::ForceChangePassword.as_str())
                .or(users::status.eq(UserStatus::ResetRequired.as_str())),
        ),
    )
    .set((
        password_columns(password),
        users::status.eq(UserStatus::Confirmed.as_str()),
        users::updated_at.eq(now),
    ))
    .execute(conn)?;
    if n != 1 {
        return Ok(None);
    }
    find_by_sub(conn, sub.as_str())
}

/// The columns a password is kept in, set together.
#[allow(clippy::type_complexity)]
pub fn password_columns(
    p: &PasswordRecord,
) -> (
    diesel::dsl::Eq<users::password_hash, &str>,
    diesel::dsl::Eq<users::srp_salt, &str>,
    diesel::dsl::Eq<users::srp_verifier, &str>,
) {
    (
        users::password_hash.eq(p.hash.as_str()),
        users::srp_salt.eq(p.srp_salt.as_str()),
        users::srp_verifier.eq(p.srp_verifier.as_str()),
    )
}

/// A user's SRP salt and verifier (both hex), if their password has them.
pub fn srp_verifier(
    conn: &mut Conn,
    sub: &str,
) -> Result<Option<(String, String)>, DirectoryError> {
    let row: Option<(Option<String>, Option<String>)> = users::table
        .find(sub)
        .select((users::srp_salt, users::srp_verifier))
        .get_result(conn)
        .optional()?;
    Ok(row.and_then(|(salt, v)| Some((salt?, v?))))
}

/// Sets a new password and status (a password change, a reset, a
/// temporary password replaced).
pub fn set_password(
    conn: &mut Conn,
    sub: &UserSub,
    password: &PasswordRecord,
    status: UserStatus,
    now: i64,
) -> Result<User, DirectoryError> {
    let n = diesel::update(users::table.find(sub.as_str()))
        .set((
            password_columns(password),
            users::status.eq(status.as_str()),
            users::updated_at.eq(now),
        ))
        .execute(conn)?;
    if n != 1 {
        return Err(DirectoryError::NotFound("User does not exist.".into()));
    }
    find_by_sub(conn, sub.as_str())?
        .ok_or_else(|| DirectoryError::NotFound("User does not exist.".into()))
}

/// Sets a user's status.
pub fn set_status(
    conn: &mut Conn,
    sub: &UserSub,
    status: UserStatus,
    now: i64,
) -> Result<(), DirectoryError> {
    let n = diesel::update(users::table.find(sub.as_str()))
        .set((users::status.eq(status.as_str()), users::updated_at.eq(now)))
        .execute(conn)?;
    if n != 1 {
        return Err(DirectoryError::NotFound("User does not exist.".into()));
    }
    Ok(())
}

/// Replaces a user's attributes and, when given, the lookup key (where an
/// e-mail or phone number is the username and it changed). `updated_at`
/// stays: it dates the password (a temporary one expires from it).
pub fn set_attributes(
    conn: &mut Conn,
    sub: &UserSub,
    attributes: &BTreeMap<String, String>,
    username_key: Option<&str>,
) -> Result<(), DirectoryError> {
    let json = attributes_json(attributes);
    let res = match username_key {
        Some(key) => diesel::update(users::table.find(sub.as_str()))
            .set((users::attributes.eq(&json), users::username_key.eq(key)))
            .execute(conn),
        None => diesel::update(users::table.find(sub.as_str()))
            .set(users::attributes.eq(&json))
            .execute(conn),
    };
    match res {
        Ok(1) => Ok(()),
        Ok(_) => Err(DirectoryError::NotFound("User does not exist.".into())),
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => Err(DirectoryError::AliasExists("email or phone number".into())),
        Err(e) => Err(e.into()),
    }
}
