//! User pools: stored with their settings in Cognito's CreateUserPool shape.

use diesel::prelude::*;

use super::pool_settings::{PoolMeta, PoolSettings};
use super::{DirectoryError, PoolId};
use crate::db::schema::{user_pools, users};
use crate::db::{write_tx, Conn, DbError};

#[derive(Clone, Debug)]
pub struct Pool {
    pub id: PoolId,
    pub name: String,
    pub settings: PoolSettings,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = user_pools)]
struct PoolRow {
    id: String,
    name: String,
    settings: String,
    created_at: i64,
    updated_at: i64,
}

#[derive(Insertable)]
#[diesel(table_name = user_pools)]
struct NewPool<'a> {
    id: &'a str,
    name: &'a str,
    settings: &'a str,
    created_at: i64,
    updated_at: i64,
}

impl TryFrom<PoolRow> for Pool {
    type Error = DirectoryError;
    fn try_from(r: PoolRow) -> Result<Pool, DirectoryError> {
        let settings = serde_json::from_str(&r.settings).map_err(|e| {
            DirectoryError::Db(DbError::Migration(format!(
                "stored settings of pool {} do not parse: {e}",
                r.id
            )))
        })?;
        Ok(Pool {
            id: PoolId::from_db(r.id),
            name: r.name,
            settings,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

impl Pool {
    pub fn arn(&self, region: &str) -> String {
        format!(
            "arn:aws:cognito-idp:{region}:000000000000:userpool/{}",
            self.id
        )
    }

    pub fn meta(&self, region: &str, estimated_users: i64) -> PoolMeta {
        PoolMeta {
            id: self.id.to_string(),
            name: self.name.clone(),
            arn: self.arn(region),
            creation_date: self.created_at,
            last_modified_date: self.updated_at,
            estimated_number_of_users: estimated_users,
        }
    }
}

fn to_json(settings: &PoolSettings) -> Result<String, DirectoryError> {
    serde_json::to_string(settings)
        .map_err(|e| DirectoryError::InvalidParameter(format!("settings do not serialize: {e}")))
}

pub fn create(
    conn: &mut Conn,
    region: &str,
    name: &str,
    settings: &PoolSettings,
    now: i64,
) -> Result<Pool, DirectoryError> {
    let id = PoolId::generate(region);
    let json = to_json(settings)?;
    diesel::insert_into(user_pools::table)
        .values(NewPool {
            id: id.as_str(),
            name,
            settings: &json,
            created_at: now,
            updated_at: now,
        })
        .execute(conn)?;
    Ok(Pool {
        id,
        name: name.to_string(),
        settings: settings.clone(),
        created_at: now,
        updated_at: now,
    })
}

pub fn find(conn: &mut Conn, id: &str) -> Result<Option<Pool>, DirectoryError> {
    user_pools::table
        .find(id)
        .select(PoolRow::as_select())
        .get_result(conn)
        .optional()?
        .map(Pool::try_from)
        .transpose()
}

/// Like [`find`], but a missing pool is Cognito's ResourceNotFoundException.
pub fn get(conn: &mut Conn, id: &str) -> Result<Pool, DirectoryError> {
    find(conn, id)?
        .ok_or_else(|| DirectoryError::NotFound(format!("User pool {id} does not exist.")))
}

/// Pools in id order, starting after `after`.
pub fn list(conn: &mut Conn, after: Option<&str>, limit: i64) -> Result<Vec<Pool>, DirectoryError> {
    let mut q = user_pools::table
        .select(PoolRow::as_select())
        .order(user_pools::id.asc())
        .limit(limit)
        .into_boxed();
    if let Some(a) = after {
        q = q.filter(user_pools::id.gt(a));
    }
    q.load(conn)?.into_iter().map(Pool::try_from).collect()
}

/// Replaces the settings and, when given, the name.
pub fn update(
    conn: &mut Conn,
    id: &PoolId,
    name: Option<&str>,
    settings: &PoolSettings,
    now: i64,
) -> Result<(), DirectoryError> {
    let json = to_json(settings)?;
    let n = match name {
        Some(name) => diesel::update(user_pools::table.find(id.as_str()))
            .set((
                user_pools::name.eq(name),
                user_pools::settings.eq(&json),
                user_pools::updated_at.eq(now),
            ))
            .execute(conn)?,
        None => diesel::update(user_pools::table.find(id.as_str()))
            .set((
                user_pools::settings.eq(&json),
                user_pools::updated_at.eq(now),
            ))
            .execute(conn)?,
    };
    if n != 1 {
        return Err(DirectoryError::NotFound(format!(
            "User pool {id} does not exist."
        )));
    }
    Ok(())
}

/// Deletes a pool and, through the foreign keys, all it holds.
pub fn delete(conn: &mut Conn, id: &str) -> Result<(), DirectoryError> {
    write_tx(conn, |conn| {
        let n = diesel::delete(user_pools::table.find(id)).execute(conn)?;
        if n != 1 {
            return Err(DirectoryError::NotFound(format!(
                "User pool {id} does not exist."
            )));
        }
        super::lockout::clear_realm(conn, id)
    })
}

pub fn count_users(conn: &mut Conn, id: &PoolId) -> Result<i64, DirectoryError> {
    Ok(users::table
        .filter(users::pool_id.eq(id.as_str()))
        .count()
        .get_result(conn)?)
}
