//! Failed sign-ins per realm (a pool id, or the console's) and typed name,
//! existing user or not.

use diesel::prelude::*;

use super::DirectoryError;
use crate::db::schema::sign_in_failures as f;
use crate::db::{write_tx, Conn};

/// The key of a user's second-factor tries: per user, whatever name was
/// typed, and never cleared by a right password (only by a right code), so
/// signing in again buys no new guesses.
pub fn mfa_key(sub: &str) -> String {
    format!("mfa:{sub}")
}

/// Reads the name's failures and lock, lets `decide` admit the attempt
/// (returning the new count and lock) or refuse it, and stores the result,
/// all in one write transaction so parallel attempts are serialized.
pub fn admit<T>(
    conn: &mut Conn,
    realm: &str,
    key: &str,
    decide: impl FnOnce(i32, i64) -> Result<(i32, i64), T>,
) -> Result<Result<(), T>, DirectoryError> {
    write_tx(conn, |conn| {
        let row: Option<(i32, i64)> = f::table
            .find((realm, key))
            .select((f::failed_attempts, f::locked_until))
            .get_result(conn)
            .optional()?;
        let (failures, locked_until) = row.unwrap_or((0, 0));
        let (count, until) = match decide(failures, locked_until) {
            Ok(v) => v,
            Err(refused) => return Ok(Err(refused)),
        };
        if row.is_some() {
            diesel::update(f::table.find((realm, key)))
                .set((f::failed_attempts.eq(count), f::locked_until.eq(until)))
                .execute(conn)?;
        } else {
            diesel::insert_into(f::table)
                .values((
                    f::realm.eq(realm),
                    f::username_key.eq(key),
                    f::failed_attempts.eq(count),
                    f::locked_until.eq(until),
                ))
                .execute(conn)?;
        }
        Ok(Ok(()))
    })
}

/// Forgets the failures of a name after a successful sign-in.
pub fn clear(conn: &mut Conn, realm: &str, key: &str) -> Result<(), DirectoryError> {
    diesel::delete(f::table.find((realm, key))).execute(conn)?;
    Ok(())
}

/// Forgets every failure of a realm (a deleted pool).
pub fn clear_realm(conn: &mut Conn, realm: &str) -> Result<(), DirectoryError> {
    diesel::delete(f::table.filter(f::realm.eq(realm))).execute(conn)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::directory::test_support::{db, user};
    use crate::directory::{user_admin, PoolId};

    fn keys(conn: &mut Conn) -> Vec<String> {
        f::table
            .select(f::username_key)
            .order(f::username_key)
            .load(conn)
            .unwrap()
    }

    #[test]
    fn deleting_a_user_forgets_its_failures_and_second_factor_tries() {
        let (_d, db) = db();
        db.with_conn(|conn| {
            let sub = user(conn);
            let pool = PoolId::parse("local_test12345").unwrap();
            let fail = |_: i32, _: i64| Ok::<_, ()>((1, 0));
            for key in ["u", &mfa_key(sub.as_str()), "someone-else"] {
                admit(conn, pool.as_str(), key, fail).unwrap().unwrap();
            }
            assert_eq!(keys(conn).len(), 3);
            user_admin::delete(conn, &pool, &sub).unwrap();
            assert_eq!(keys(conn), ["someone-else"]);
            Ok(())
        })
        .unwrap();
    }
}
