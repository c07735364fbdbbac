//! Server-wide values generated once and kept in the database (the API key
//! pair, the cookie key, the code pepper), so every node and restart agrees.

use diesel::prelude::*;

use super::schema::server_settings::dsl as s;
use super::{Conn, DbError};

/// Returns the stored value of `name`, storing `make()` first if absent.
/// The boolean tells whether the value was created by this call.
pub fn get_or_create(
    conn: &mut Conn,
    name: &str,
    make: impl FnOnce() -> String,
) -> Result<(String, bool), DbError> {
    super::write_tx(conn, |conn| {
        let found: Option<String> = s::server_settings
            .filter(s::name.eq(name))
            .select(s::value)
            .get_result(conn)
            .optional()?;
        if let Some(v) = found {
            return Ok((v, false));
        }
        let value = make();
        diesel::insert_into(s::server_settings)
            .values((s::name.eq(name), s::value.eq(&value)))
            .execute(conn)?;
        Ok((value, true))
    })
}

/// Replaces the stored value of `name`.
pub fn put(conn: &mut Conn, name: &str, value: &str) -> Result<(), DbError> {
    super::write_tx(conn, |conn| {
        diesel::delete(s::server_settings.filter(s::name.eq(name))).execute(conn)?;
        diesel::insert_into(s::server_settings)
            .values((s::name.eq(name), s::value.eq(value)))
            .execute(conn)?;
        Ok(())
    })
}
