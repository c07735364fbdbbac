//! Fixtures of the directory's unit tests: a fresh database and a user row.

use diesel::prelude::*;

use super::UserSub;
use crate::db::Conn;

pub fn db() -> (tempfile::TempDir, crate::db::Db) {
    let dir = tempfile::tempdir().unwrap();
    let db = crate::db::Db::open(&dir.path().join("t.db").display().to_string()).unwrap();
    (dir, db)
}

/// A user row for the codes to belong to.
pub fn user(conn: &mut Conn) -> UserSub {
    use crate::db::schema::{user_pools, users};
    diesel::insert_into(user_pools::table)
        .values((
            user_pools::id.eq("local_test12345"),
            user_pools::name.eq("p"),
            user_pools::settings.eq("{}"),
            user_pools::created_at.eq(0),
            user_pools::updated_at.eq(0),
        ))
        .execute(conn)
        .unwrap();
    diesel::insert_into(users::table)
        .values((
            users::id.eq("sub-1"),
            users::pool_id.eq("local_test12345"),
            users::username.eq("u"),
            users::username_key.eq("u"),
            users::status.eq("UNCONFIRMED"),
            users::enabled.eq(true),
            users::attributes.eq("{}"),
            users::created_at.eq(0),
            users::updated_at.eq(0),
        ))
        .execute(conn)
        .unwrap();
    UserSub::from_db("sub-1".into())
}
