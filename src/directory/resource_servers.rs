//! Resource servers of a pool (CreateResourceServer and its kin) and their
//! custom scopes, `{identifier}/{scope name}`.
//!
//! An app client may list a custom scope in `AllowedOAuthScopes` only while
//! it exists ([`check_client_scopes`], called by Create/UpdateUserPoolClient
//! and the console). Decisions where Cognito's documentation leaves room:
//!
//! - DeleteResourceServer: "after you delete a resource server, users can
//!   no longer generate access tokens with scopes that are associated with
//!   that resource server". cognate takes its scopes out of every app
//!   client's `AllowedOAuthScopes` in the same transaction (so tokens cannot
//!   carry them, and the clients stay valid for a later update), and
//!   UpdateResourceServer does the same with the scopes it drops.
//!   `client_credentials` also grants only scopes that exist.
//! - UpdateResourceServer replaces the name and the scope list; an absent
//!   `Scopes` means none (the API reference warns that an attribute not
//!   given is set to its default).
//! - Limits are Cognito's quotas: 25 resource servers per pool, 100 scopes
//!   per resource server (LimitExceededException / the model's list bound);
//!   a scope name appears once per resource server; a taken identifier is
//!   InvalidParameterException (the model has no "exists" exception here).
//! - Lists are in identifier order; the paging token is the last identifier.

use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::client_settings::ClientSettings;
use super::pool_settings::{check_length, check_list_length, constraint_error, InvalidParameter};
use super::{clients, pools, DirectoryError, PoolId};
use crate::db::schema::resource_servers;
use crate::db::{write_tx, Conn, DbError};

/// Resource servers per pool (Cognito's quota).
pub const MAX_PER_POOL: i64 = 25;
/// Scopes per resource server (the model's bound).
pub const MAX_SCOPES: usize = 100;

/// Failures of the resource-server operations beyond the directory's own.
#[derive(Debug, thiserror::Error)]
pub enum ResourceServerError {
    /// LimitExceededException.
    #[error("{0}")]
    LimitExceeded(String),
    #[error(transparent)]
    Directory(#[from] DirectoryError),
}

impl From<diesel::result::Error> for ResourceServerError {
    fn from(e: diesel::result::Error) -> Self {
        ResourceServerError::Directory(e.into())
    }
}

impl From<DbError> for ResourceServerError {
    fn from(e: DbError) -> Self {
        ResourceServerError::Directory(e.into())
    }
}

impl From<InvalidParameter> for ResourceServerError {
    fn from(e: InvalidParameter) -> Self {
        ResourceServerError::Directory(e.into())
    }
}

/// `ResourceServerScopeType`, stored as Cognito shapes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scope {
    #[serde(rename = "ScopeName")]
    pub name: String,
    #[serde(rename = "ScopeDescription")]
    pub description: String,
}

/// CreateResourceServer's and UpdateResourceServer's members.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResourceServerInput {
    pub identifier: String,
    pub name: String,
    pub scopes: Vec<Scope>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResourceServer {
    pub pool_id: PoolId,
    pub identifier: String,
    pub name: String,
    pub scopes: Vec<Scope>,
}

impl ResourceServer {
    /// The scopes as app clients name them: `identifier/name`.
    pub fn full_scopes(&self) -> impl Iterator<Item = String> + '_ {
        self.scopes
            .iter()
            .map(|s| format!("{}/{}", self.identifier, s.name))
    }
}

fn pattern(
    value: &str,
    member: &str,
    ok: impl Fn(char) -> bool,
    shown: &str,
) -> Result<(), InvalidParameter> {
    if value.chars().all(ok) {
        return Ok(());
    }
    Err(constraint_error(
        value,
        member,
        &format!("Member must satisfy regular expression pattern: {shown}"),
    ))
}

/// `ResourceServerIdentifierType`: 1 to 256 printable ASCII characters
/// but space, `"` and `\`.
pub fn check_identifier(value: &str) -> Result<(), InvalidParameter> {
    check_length(value, "identifier", 1, 256)?;
    let ok = |c: char| c.is_ascii_graphic() && c != '"' && c != '\\';
    pattern(value, "identifier", ok, "[\\x21\\x23-\\x5B\\x5D-\\x7E]+")
}

impl ResourceServerInput {
    pub fn validate(&self) -> Result<(), InvalidParameter> {
        check_identifier(&self.identifier)?;
        check_length(&self.name, "name", 1, 256)?;
        let name_ok = |c: char| c.is_alphanumeric() || c.is_whitespace() || "_+=,.@-".contains(c);
        pattern(&self.name, "name", name_ok, "[\\w\\s+=,.@-]+")?;
        check_list_length(self.scopes.len(), "scopes", 0, MAX_SCOPES)?;
        for (i, scope) in self.scopes.iter().enumerate() {
            let at = |m: &str| format!("scopes.{}.member.{m}", i + 1);
            check_length(&scope.name, &at("scopeName"), 1, 256)?;
            let ok = |c: char| c.is_ascii_graphic() && !matches!(c, '"' | '/' | '\\');
            pattern(
                &scope.name,
                &at("scopeName"),
                ok,
                "[\\x21\\x23-\\x2E\\x30-\\x5B\\x5D-\\x7E]+",
            )?;
            check_length(&scope.description, &at("scopeDescription"), 1, 256)?;
            if self.scopes[..i].iter().any(|s| s.name == scope.name) {
                return Err(InvalidParameter(format!(
                    "The scope {} is given more than once.",
                    scope.name
                )));
            }
        }
        Ok(())
    }
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = resource_servers)]
struct ResourceServerRow {
    pool_id: String,
    identifier: String,
    name: String,
    scopes: String,
}

impl TryFrom<ResourceServerRow> for ResourceServer {
    type Error = DirectoryError;
    fn try_from(r: ResourceServerRow) -> Result<ResourceServer, DirectoryError> {
        let scopes = serde_json::from_str(&r.scopes).map_err(|e| {
            DirectoryError::Db(DbError::Migration(format!(
                "stored scopes of resource server {} do not parse: {e}",
                r.identifier
            )))
        })?;
        Ok(ResourceServer {
            pool_id: PoolId::from_db(r.pool_id),
            identifier: r.identifier,
            name: r.name,
            scopes,
        })
    }
}

fn scopes_json(scopes: &[Scope]) -> Result<String, DirectoryError> {
    serde_json::to_string(scopes)
        .map_err(|e| DirectoryError::InvalidParameter(format!("scopes do not serialize: {e}")))
}

fn not_found(identifier: &str) -> DirectoryError {
    DirectoryError::NotFound(format!("Resource server {identifier} does not exist."))
}

pub fn get(
    conn: &mut Conn,
    pool_id: &PoolId,
    identifier: &str,
) -> Result<Option<ResourceServer>, DirectoryError> {
    resource_servers::table
        .find((pool_id.as_str(), identifier))
        .select(ResourceServerRow::as_select())
        .get_result(conn)
        .optional()?
        .map(ResourceServer::try_from)
        .transpose()
}

/// Like [`get`], but a missing one is ResourceNotFoundException.
pub fn require(
    conn: &mut Conn,
    pool_id: &PoolId,
    identifier: &str,
) -> Result<ResourceServer, DirectoryError> {
    get(conn, pool_id, identifier)?.ok_or_else(|| not_found(identifier))
}

/// Up to `limit` resource servers of the pool in identifier order, after `after`.
pub fn list_page(
    conn: &mut Conn,
    pool_id: &PoolId,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<ResourceServer>, DirectoryError> {
    let mut q = resource_servers::table
        .filter(resource_servers::pool_id.eq(pool_id.as_str()))
        .select(ResourceServerRow::as_select())
        .order(resource_servers::identifier.asc())
        .limit(limit)
        .into_boxed();
    if let Some(a) = after {
        q = q.filter(resource_servers::identifier.gt(a));
    }
    q.load(conn)?
        .into_iter()
        .map(ResourceServer::try_from)
        .collect()
}

/// Every custom scope of the pool, as `identifier/name`.
pub fn pool_scopes(conn: &mut Conn, pool_id: &PoolId) -> Result<Vec<String>, DirectoryError> {
    Ok(list_page(conn, pool_id, None, i64::MAX)?
        .iter()
        .flat_map(|rs| rs.full_scopes().collect::<Vec<_>>())
        .collect())
}

/// CreateResourceServer.
pub fn create(
    conn: &mut Conn,
    pool_id: &PoolId,
    input: &ResourceServerInput,
) -> Result<ResourceServer, ResourceServerError> {
    input.validate()?;
    let json = scopes_json(&input.scopes)?;
    write_tx(conn, |conn| {
        pools::get(conn, pool_id.as_str())?;
        if get(conn, pool_id, &input.identifier)?.is_some() {
            return Err(DirectoryError::InvalidParameter(format!(
                "A resource server with identifier {} already exists in user pool {pool_id}.",
                input.identifier
            ))
            .into());
        }
        let count: i64 = resource_servers::table
            .filter(resource_servers::pool_id.eq(pool_id.as_str()))
            .count()
            .get_result(conn)?;
        if count >= MAX_PER_POOL {
            return Err(ResourceServerError::LimitExceeded(format!(
                "A user pool can have at most {MAX_PER_POOL} resource servers."
            )));
        }
        diesel::insert_into(resource_servers::table)
            .values((
                resource_servers::pool_id.eq(pool_id.as_str()),
                resource_servers::identifier.eq(&input.identifier),
                resource_servers::name.eq(&input.name),
                resource_servers::scopes.eq(&json),
            ))
            .execute(conn)?;
        Ok(ResourceServer {
            pool_id: pool_id.clone(),
            identifier: input.identifier.clone(),
            name: input.name.clone(),
            scopes: input.scopes.clone(),
        })
    })
}

/// UpdateResourceServer: the name and scopes are replaced; app clients lose
/// the scopes that are gone.
pub fn update(
    conn: &mut Conn,
    pool_id: &PoolId,
    input: &ResourceServerInput,
    now: i64,
) -> Result<ResourceServer, ResourceServerError> {
    input.validate()?;
    let json = scopes_json(&input.scopes)?;
    write_tx(conn, |conn| {
        pools::get(conn, pool_id.as_str())?;
        require(conn, pool_id, &input.identifier)?;
        diesel::update(resource_servers::table.find((pool_id.as_str(), input.identifier.as_str())))
            .set((
                resource_servers::name.eq(&input.name),
                resource_servers::scopes.eq(&json),
            ))
            .execute(conn)?;
        drop_missing_scopes_from_clients(conn, pool_id, now)?;
        Ok(ResourceServer {
            pool_id: pool_id.clone(),
            identifier: input.identifier.clone(),
            name: input.name.clone(),
            scopes: input.scopes.clone(),
        })
    })
}

/// DeleteResourceServer: the server, and its scopes in the app clients.
pub fn delete(
    conn: &mut Conn,
    pool_id: &PoolId,
    identifier: &str,
    now: i64,
) -> Result<(), DirectoryError> {
    write_tx(conn, |conn| {
        pools::get(conn, pool_id.as_str())?;
        let n = diesel::delete(resource_servers::table.find((pool_id.as_str(), identifier)))
            .execute(conn)?;
        if n != 1 {
            return Err(not_found(identifier));
        }
        drop_missing_scopes_from_clients(conn, pool_id, now)
    })
}

/// Takes the custom scopes that no longer exist out of the pool's clients.
fn drop_missing_scopes_from_clients(
    conn: &mut Conn,
    pool_id: &PoolId,
    now: i64,
) -> Result<(), DirectoryError> {
    let existing = pool_scopes(conn, pool_id)?;
    for client in clients::list(conn, pool_id, None, i64::MAX)? {
        let gone: Vec<String> = client
            .settings
            .custom_scopes()
            .into_iter()
            .filter(|s| !existing.iter().any(|e| e == s))
            .map(str::to_string)
            .collect();
        if gone.is_empty() {
            continue;
        }
        let mut settings = client.settings.clone();
        settings.allowed_oauth_scopes.retain(|s| !gone.contains(s));
        clients::update(conn, &client, &settings, now)?;
    }
    Ok(())
}

/// The check CreateUserPoolClient and UpdateUserPoolClient make (and the
/// console's client form): every custom scope of `AllowedOAuthScopes`
/// names a scope of one of the pool's resource servers.
pub fn check_client_scopes(
    conn: &mut Conn,
    pool_id: &PoolId,
    settings: &ClientSettings,
) -> Result<(), DirectoryError> {
    let wanted = settings.custom_scopes();
    if wanted.is_empty() {
        return Ok(());
    }
    let existing = pool_scopes(conn, pool_id)?;
    match wanted.iter().find(|w| !existing.iter().any(|e| e == *w)) {
        Some(missing) => Err(DirectoryError::InvalidParameter(format!(
            "Invalid scope requested: {missing}"
        ))),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(scopes: &[&str]) -> ResourceServerInput {
        ResourceServerInput {
            identifier: "https://api.example.com".into(),
            name: "My API".into(),
            scopes: scopes
                .iter()
                .map(|s| Scope {
                    name: s.to_string(),
                    description: "d".into(),
                })
                .collect(),
        }
    }

    #[test]
    fn valid_inputs_pass_and_render_full_scopes() {
        assert!(input(&["read", "write", "*"]).validate().is_ok());
        let rs = ResourceServer {
            pool_id: PoolId::from_db("local_x".into()),
            identifier: "api".into(),
            name: "n".into(),
            scopes: input(&["read"]).scopes,
        };
        assert_eq!(rs.full_scopes().collect::<Vec<_>>(), ["api/read"]);
    }

    #[test]
    fn bad_inputs_are_refused() {
        assert!(
            input(&["a/b"]).validate().is_err(),
            "no slash in a scope name"
        );
        assert!(input(&["a b"]).validate().is_err());
        assert!(input(&[""]).validate().is_err());
        assert!(input(&["x", "x"]).validate().is_err(), "duplicates");
        let many: Vec<String> = (0..=MAX_SCOPES).map(|i| format!("s{i}")).collect();
        let refs: Vec<&str> = many.iter().map(String::as_str).collect();
        assert!(input(&refs).validate().is_err());
        let mut i = input(&[]);
        i.identifier = "has space".into();
        assert!(i.validate().is_err());
        i.identifier = String::new();
        assert!(i.validate().is_err());
        let mut i = input(&[]);
        i.name = "bad/name".into();
        assert!(i.validate().is_err());
        let mut i = input(&["x"]);
        i.scopes[0].description = String::new();
        assert!(i.validate().is_err());
    }
}
