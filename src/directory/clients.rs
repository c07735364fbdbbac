//! App clients of a pool.

use diesel::prelude::*;
use secrecy::{ExposeSecret, SecretString};

use super::client_settings::{ClientMeta, ClientSettings};
use super::{ClientId, DirectoryError, PoolId};
use crate::db::schema::app_clients;
use crate::db::{Conn, DbError};

#[derive(Clone, Debug)]
pub struct Client {
    pub id: ClientId,
    pub pool_id: PoolId,
    pub secret: Option<SecretString>,
    pub settings: ClientSettings,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = app_clients)]
struct ClientRow {
    id: String,
    pool_id: String,
    secret: Option<String>,
    settings: String,
    created_at: i64,
    updated_at: i64,
}

#[derive(Insertable)]
#[diesel(table_name = app_clients)]
struct NewClient<'a> {
    id: &'a str,
    pool_id: &'a str,
    name: &'a str,
    secret: Option<&'a str>,
    settings: &'a str,
    created_at: i64,
    updated_at: i64,
}

impl TryFrom<ClientRow> for Client {
    type Error = DirectoryError;
    fn try_from(r: ClientRow) -> Result<Client, DirectoryError> {
        let settings = serde_json::from_str(&r.settings).map_err(|e| {
            DirectoryError::Db(DbError::Migration(format!(
                "stored settings of client {} do not parse: {e}",
                r.id
            )))
        })?;
        Ok(Client {
            id: ClientId::from_db(r.id),
            pool_id: PoolId::from_db(r.pool_id),
            secret: r.secret.map(SecretString::from),
            settings,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

impl Client {
    pub fn meta(&self) -> ClientMeta {
        ClientMeta {
            client_id: self.id.to_string(),
            user_pool_id: self.pool_id.to_string(),
            client_secret: self.secret.as_ref().map(|s| s.expose_secret().to_string()),
            creation_date: self.created_at,
            last_modified_date: self.updated_at,
        }
    }

    /// Checks a presented secret in constant time. A client without a
    /// secret accepts only the absence of one.
    pub fn secret_matches(&self, presented: Option<&str>) -> bool {
        use subtle::ConstantTimeEq;
        match (&self.secret, presented) {
            (None, None) => true,
            (Some(s), Some(p)) => bool::from(s.expose_secret().as_bytes().ct_eq(p.as_bytes())),
            _ => false,
        }
    }
}

fn to_json(settings: &ClientSettings) -> Result<String, DirectoryError> {
    serde_json::to_string(settings)
        .map_err(|e| DirectoryError::InvalidParameter(format!("settings do not serialize: {e}")))
}

pub fn create(
    conn: &mut Conn,
    pool_id: &PoolId,
    settings: &ClientSettings,
    secret: Option<String>,
    now: i64,
) -> Result<Client, DirectoryError> {
    let id = ClientId::generate();
    let json = to_json(settings)?;
    diesel::insert_into(app_clients::table)
        .values(NewClient {
            id: id.as_str(),
            pool_id: pool_id.as_str(),
            name: &settings.client_name,
            secret: secret.as_deref(),
            settings: &json,
            created_at: now,
            updated_at: now,
        })
        .execute(conn)?;
    Ok(Client {
        id,
        pool_id: pool_id.clone(),
        secret: secret.map(SecretString::from),
        settings: settings.clone(),
        created_at: now,
        updated_at: now,
    })
}

/// A client by id alone (the hosted UI finds the pool from the client).
pub fn find(conn: &mut Conn, id: &str) -> Result<Option<Client>, DirectoryError> {
    app_clients::table
        .find(id)
        .select(ClientRow::as_select())
        .get_result(conn)
        .optional()?
        .map(Client::try_from)
        .transpose()
}

/// A client of `pool_id`; a missing one is ResourceNotFoundException.
pub fn get(conn: &mut Conn, pool_id: &PoolId, id: &str) -> Result<Client, DirectoryError> {
    find(conn, id)?
        .filter(|c| &c.pool_id == pool_id)
        .ok_or_else(|| DirectoryError::NotFound(format!("User pool client {id} does not exist.")))
}

pub fn list(
    conn: &mut Conn,
    pool_id: &PoolId,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<Client>, DirectoryError> {
    let mut q = app_clients::table
        .filter(app_clients::pool_id.eq(pool_id.as_str()))
        .select(ClientRow::as_select())
        .order(app_clients::id.asc())
        .limit(limit)
        .into_boxed();
    if let Some(a) = after {
        q = q.filter(app_clients::id.gt(a));
    }
    q.load(conn)?.into_iter().map(Client::try_from).collect()
}

pub fn update(
    conn: &mut Conn,
    client: &Client,
    settings: &ClientSettings,
    now: i64,
) -> Result<(), DirectoryError> {
    let json = to_json(settings)?;
    let n = diesel::update(
        app_clients::table
            .find(client.id.as_str())
            .filter(app_clients::pool_id.eq(client.pool_id.as_str())),
    )
    .set((
        app_clients::settings.eq(&json),
        app_clients::name.eq(&settings.client_name),
        app_clients::updated_at.eq(now),
    ))
    .execute(conn)?;
    if n != 1 {
        return Err(DirectoryError::NotFound(format!(
            "User pool client {} does not exist.",
            client.id
        )));
    }
    Ok(())
}

pub fn delete(conn: &mut Conn, pool_id: &PoolId, id: &str) -> Result<(), DirectoryError> {
    let n = diesel::delete(
        app_clients::table
            .find(id)
            .filter(app_clients::pool_id.eq(pool_id.as_str())),
    )
    .execute(conn)?;
    if n != 1 {
        return Err(DirectoryError::NotFound(format!(
            "User pool client {id} does not exist."
        )));
    }
    Ok(())
}
