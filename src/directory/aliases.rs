//! Sign-in aliases: a verified e-mail address or phone number, or a
//! preferred_username, that a user may sign in with besides the user name
//! (the pool's AliasAttributes). Each is unique within its pool.

use diesel::prelude::*;

use super::{DirectoryError, PoolId, UserSub};
use crate::db::schema::user_aliases as a;
use crate::db::Conn;

/// The lookup key of an alias value in a pool.
pub fn key(value: &str, case_sensitive: bool) -> String {
    if case_sensitive {
        value.to_string()
    } else {
        value.to_lowercase()
    }
}

/// Gives `kind`=`alias_key` to the user. Another user's alias is refused
/// with AliasExists unless `force`, which moves it (Cognito's
/// ForceAliasCreation).
pub fn claim(
    conn: &mut Conn,
    pool_id: &PoolId,
    kind: &str,
    alias_key: &str,
    sub: &UserSub,
    force: bool,
) -> Result<(), DirectoryError> {
    let holder: Option<String> = a::table
        .find((pool_id.as_str(), kind, alias_key))
        .select(a::user_id)
        .get_result(conn)
        .optional()?;
    match holder {
        Some(h) if h == sub.as_str() => return Ok(()),
        Some(_) if !force => return Err(DirectoryError::AliasExists(kind.to_string())),
        Some(_) => {
            diesel::delete(a::table.find((pool_id.as_str(), kind, alias_key))).execute(conn)?;
        }
        None => {}
    }
    // A user has one alias of each kind.
    diesel::delete(
        a::table
            .filter(a::user_id.eq(sub.as_str()))
            .filter(a::kind.eq(kind)),
    )
    .execute(conn)?;
    diesel::insert_into(a::table)
        .values((
            a::pool_id.eq(pool_id.as_str()),
            a::kind.eq(kind),
            a::alias_key.eq(alias_key),
            a::user_id.eq(sub.as_str()),
        ))
        .execute(conn)?;
    Ok(())
}

/// The user holding an alias.
pub fn holder(
    conn: &mut Conn,
    pool_id: &PoolId,
    kind: &str,
    alias_key: &str,
) -> Result<Option<String>, DirectoryError> {
    Ok(a::table
        .find((pool_id.as_str(), kind, alias_key))
        .select(a::user_id)
        .get_result(conn)
        .optional()?)
}
