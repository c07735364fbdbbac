//! External identities: which user an identity of an external provider
//! (the provider's name and its subject) signs in as, and the
//! `identities` attribute that lists them on the user.

use diesel::prelude::*;
use serde_json::{json, Value};

use super::{DirectoryError, PoolId, UserSub};
use crate::db::schema::user_identities;
use crate::db::Conn;

/// At most this many external identities per user (Cognito's limit).
pub const MAX_PER_USER: i64 = 5;

/// The user an external identity signs in as.
pub fn find(
    conn: &mut Conn,
    pool_id: &PoolId,
    provider: &str,
    subject: &str,
) -> Result<Option<UserSub>, DirectoryError> {
    let id: Option<String> = user_identities::table
        .find((pool_id.as_str(), provider, subject))
        .select(user_identities::user_id)
        .get_result(conn)
        .optional()?;
    Ok(id.map(UserSub::from_db))
}

/// How many external identities a user has.
pub fn count_for_user(conn: &mut Conn, user: &UserSub) -> Result<i64, DirectoryError> {
    Ok(user_identities::table
        .filter(user_identities::user_id.eq(user.as_str()))
        .count()
        .get_result(conn)?)
}

/// Binds an identity to a user; an identity already bound is refused.
pub fn link(
    conn: &mut Conn,
    pool_id: &PoolId,
    provider: &str,
    subject: &str,
    user: &UserSub,
    now: i64,
) -> Result<(), DirectoryError> {
    let res = diesel::insert_into(user_identities::table)
        .values((
            user_identities::pool_id.eq(pool_id.as_str()),
            user_identities::provider_name.eq(provider),
            user_identities::provider_user_id.eq(subject),
            user_identities::user_id.eq(user.as_str()),
            user_identities::created_at.eq(now),
        ))
        .execute(conn);
    match res {
        Ok(_) => Ok(()),
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => Err(DirectoryError::InvalidParameter(
            "Merging is not currently supported, provide a SourceUser that has not been linked to a user."
                .into(),
        )),
        Err(e) => Err(e.into()),
    }
}

/// Removes an identity's binding; the user it named, if any.
pub fn unlink(
    conn: &mut Conn,
    pool_id: &PoolId,
    provider: &str,
    subject: &str,
) -> Result<Option<UserSub>, DirectoryError> {
    let user = find(conn, pool_id, provider, subject)?;
    diesel::delete(user_identities::table.find((pool_id.as_str(), provider, subject)))
        .execute(conn)?;
    Ok(user)
}

/// The `identities` attribute with one identity added (the first is the
/// primary one), in Cognito's shape: a JSON array in a string.
pub fn with_identity(
    current: Option<&str>,
    provider: &str,
    provider_type: &str,
    subject: &str,
    now_ms: i64,
) -> String {
    let mut list = parse(current);
    list.retain(|e| !same(e, provider, subject));
    let primary = if list.is_empty() { "true" } else { "false" };
    list.push(json!({
        "userId": subject,
        "providerName": provider,
        "providerType": provider_type,
        "issuer": null,
        "primary": primary,
        "dateCreated": now_ms.to_string(),
    }));
    Value::Array(list).to_string()
}

/// The `identities` attribute without one identity; `None` when none is
/// left.
pub fn without_identity(current: Option<&str>, provider: &str, subject: &str) -> Option<String> {
    let mut list = parse(current);
    list.retain(|e| !same(e, provider, subject));
    (!list.is_empty()).then(|| Value::Array(list).to_string())
}

fn parse(current: Option<&str>) -> Vec<Value> {
    current
        .and_then(|s| serde_json::from_str::<Vec<Value>>(s).ok())
        .unwrap_or_default()
}

fn same(e: &Value, provider: &str, subject: &str) -> bool {
    e["providerName"] == provider && e["userId"] == subject
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_identities_attribute_lists_each_identity_once() {
        let one = with_identity(None, "Google", "Google", "111", 5);
        let v: Value = serde_json::from_str(&one).unwrap();
        assert_eq!(v[0]["userId"], "111");
        assert_eq!(v[0]["providerType"], "Google");
        assert_eq!(v[0]["primary"], "true");
        assert_eq!(v[0]["dateCreated"], "5");
        assert!(v[0]["issuer"].is_null());
        let two = with_identity(Some(&one), "Corp", "OIDC", "a@b", 6);
        let again = with_identity(Some(&two), "Corp", "OIDC", "a@b", 7);
        let v: Value = serde_json::from_str(&again).unwrap();
        assert_eq!(v.as_array().unwrap().len(), 2);
        assert_eq!(v[1]["primary"], "false");
        let left = without_identity(Some(&again), "Google", "111").unwrap();
        let v: Value = serde_json::from_str(&left).unwrap();
        assert_eq!(v.as_array().unwrap().len(), 1);
        assert_eq!(v[0]["providerName"], "Corp");
        assert_eq!(without_identity(Some(&left), "Corp", "a@b"), None);
        assert_eq!(without_identity(Some("not json"), "Corp", "a@b"), None);
    }
}
