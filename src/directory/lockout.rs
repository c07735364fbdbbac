//! Failed sign-ins per pool and typed name (existing user or not).

use diesel::prelude::*;

use super::{DirectoryError, PoolId};
use crate::db::schema::sign_in_failures as f;
use crate::db::{write_tx, Conn};

/// Reads the name's failures and lock, lets `decide` admit the attempt
/// (returning the new count and lock) or refuse it, and stores the result,
/// all in one write transaction so parallel attempts are serialized.
pub fn admit<T>(
    conn: &mut Conn,
    pool_id: &PoolId,
    key: &str,
    decide: impl FnOnce(i32, i64) -> Result<(i32, i64), T>,
) -> Result<Result<(), T>, DirectoryError> {
    write_tx(conn, |conn| {
        let row: Option<(i32, i64)> = f::table
            .find((pool_id.as_str(), key))
            .select((f::failed_attempts, f::locked_until))
            .first(conn)
            .optional()?;
        let (failures, locked_until) = row.unwrap_or((0, 0));
        let (count, until) = match decide(failures, locked_until) {
            Ok(v) => v,
            Err(refused) => return Ok(Err(refused)),
        };
        if row.is_some() {
            diesel::update(f::table.find((pool_id.as_str(), key)))
                .set((f::failed_attempts.eq(count), f::locked_until.eq(until)))
                .execute(conn)?;
        } else {
            diesel::insert_into(f::table)
                .values((
                    f::pool_id.eq(pool_id.as_str()),
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
pub fn clear(conn: &mut Conn, pool_id: &PoolId, key: &str) -> Result<(), DirectoryError> {
    diesel::delete(f::table.find((pool_id.as_str(), key))).execute(conn)?;
    Ok(())
}
