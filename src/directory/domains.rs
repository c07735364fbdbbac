//! User pool domains (CreateUserPoolDomain and its kin): accepted, stored
//! and described in Cognito's shapes.
//!
//! **The hosted UI is served at COGNATE_PUBLIC_URL whatever the domain.**
//! A domain here is a name the API keeps for the tools that expect one
//! (the AWS CLI, CloudFormation-like setups, DescribeUserPool's `Domain`);
//! cognate does not serve `{prefix}.auth.{region}.amazoncognito.com` or a
//! custom host, and issues no certificate. Point a custom domain's DNS at
//! the cognate host if you want it to reach the same pages: that host is
//! what `CloudFrontDomain` / `CloudFrontDistribution` name.
//!
//! Decisions where Cognito's documentation leaves room:
//!
//! - A pool has at most one prefix domain and one custom domain (the
//!   developer guide's two kinds; DescribeUserPool has `Domain` and
//!   `CustomDomain`). A second one of a kind is InvalidParameterException
//!   "User pool already has a domain configured.", as is a domain another
//!   pool holds ("Domain already associated with another user pool.").
//! - A prefix is `[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?` without the reserved
//!   words `aws`, `amazon` and `cognito`; a custom domain (given with
//!   `CustomDomainConfig`) is a host name of at least two such labels, at
//!   most 63 characters in all (the model's `DomainType` bound).
//! - DescribeUserPoolDomain of an unknown domain answers an empty
//!   `DomainDescription`, as Cognito does; Update/Delete of a domain that
//!   is not the pool's is InvalidParameterException.
//! - `ManagedLoginVersion` is 1 (hosted UI, the default) or 2 (managed
//!   login); cognate serves the same pages for both. UpdateUserPoolDomain
//!   changes it and, for a custom domain, the certificate.

use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::pool_settings::{check_length, constraint_error, InvalidParameter};
use super::{arn, pools, DirectoryError, PoolId};
use crate::db::schema::user_pool_domains;
use crate::db::{write_tx, Conn, DbError};

const DOMAIN_PATTERN: &str = "^[a-z0-9](?:[a-z0-9\\-]{0,61}[a-z0-9])?$";
const RESERVED: &[&str] = &["aws", "amazon", "cognito"];
pub const DEFAULT_MANAGED_LOGIN_VERSION: i64 = 1;

/// `CustomDomainConfigType`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomDomainConfig {
    #[serde(rename = "CertificateArn")]
    pub certificate_arn: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Domain {
    pub domain: String,
    pub pool_id: PoolId,
    /// Set for a custom domain, absent for a prefix domain.
    pub custom_domain_config: Option<CustomDomainConfig>,
    pub managed_login_version: i64,
    pub created_at: i64,
}

impl Domain {
    pub fn is_custom(&self) -> bool {
        self.custom_domain_config.is_some()
    }
}

/// What CreateUserPoolDomain and UpdateUserPoolDomain carry.
#[derive(Clone, Debug, Default)]
pub struct DomainInput {
    pub domain: String,
    pub custom_domain_config: Option<CustomDomainConfig>,
    pub managed_login_version: Option<i64>,
}

fn label_ok(label: &str) -> bool {
    let b = label.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        && b[0] != b'-'
        && b[b.len() - 1] != b'-'
}

fn pattern_error(domain: &str) -> InvalidParameter {
    constraint_error(
        domain,
        "domain",
        &format!("Member must satisfy regular expression pattern: {DOMAIN_PATTERN}"),
    )
}

/// Checks the domain string of a request (a prefix, or a host name when
/// `custom`).
pub fn check_domain(domain: &str, custom: bool) -> Result<(), InvalidParameter> {
    check_length(domain, "domain", 1, 63)?;
    if custom {
        let labels: Vec<&str> = domain.split('.').collect();
        if labels.len() < 2 || !labels.iter().all(|l| label_ok(l)) {
            return Err(InvalidParameter(format!(
                "{domain} is not a valid custom domain name."
            )));
        }
        return Ok(());
    }
    if !label_ok(domain) {
        return Err(pattern_error(domain));
    }
    if let Some(word) = RESERVED.iter().find(|w| domain.contains(*w)) {
        return Err(InvalidParameter(format!(
            "Domain cannot contain reserved word: {word}"
        )));
    }
    Ok(())
}

fn check_version(version: Option<i64>) -> Result<(), InvalidParameter> {
    match version {
        None | Some(1) | Some(2) => Ok(()),
        Some(v) => Err(InvalidParameter(format!(
            "ManagedLoginVersion must be 1 or 2, not {v}."
        ))),
    }
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = user_pool_domains)]
struct DomainRow {
    domain: String,
    pool_id: String,
    custom_domain_config: Option<String>,
    managed_login_version: Option<i64>,
    created_at: i64,
}

impl TryFrom<DomainRow> for Domain {
    type Error = DirectoryError;
    fn try_from(r: DomainRow) -> Result<Domain, DirectoryError> {
        let custom_domain_config = r
            .custom_domain_config
            .as_deref()
            .map(serde_json::from_str)
            .transpose()
            .map_err(|e| {
                DirectoryError::Db(DbError::Migration(format!(
                    "stored configuration of domain {} does not parse: {e}",
                    r.domain
                )))
            })?;
        Ok(Domain {
            domain: r.domain,
            pool_id: PoolId::from_db(r.pool_id),
            custom_domain_config,
            managed_login_version: r
                .managed_login_version
                .unwrap_or(DEFAULT_MANAGED_LOGIN_VERSION),
            created_at: r.created_at,
        })
    }
}

fn config_json(c: &Option<CustomDomainConfig>) -> Result<Option<String>, DirectoryError> {
    c.as_ref()
        .map(serde_json::to_string)
        .transpose()
        .map_err(|e| {
            DirectoryError::InvalidParameter(format!("configuration does not serialize: {e}"))
        })
}

fn check_input(input: &DomainInput) -> Result<(), InvalidParameter> {
    check_domain(&input.domain, input.custom_domain_config.is_some())?;
    if let Some(c) = &input.custom_domain_config {
        arn::check(&c.certificate_arn, "customDomainConfig.certificateArn")?;
    }
    check_version(input.managed_login_version)
}

/// A domain by name, whichever pool holds it.
pub fn find(conn: &mut Conn, domain: &str) -> Result<Option<Domain>, DirectoryError> {
    user_pool_domains::table
        .find(domain)
        .select(DomainRow::as_select())
        .get_result(conn)
        .optional()?
        .map(Domain::try_from)
        .transpose()
}

/// The pool's domains (at most a prefix one and a custom one).
pub fn of_pool(conn: &mut Conn, pool_id: &PoolId) -> Result<Vec<Domain>, DirectoryError> {
    user_pool_domains::table
        .filter(user_pool_domains::pool_id.eq(pool_id.as_str()))
        .select(DomainRow::as_select())
        .order(user_pool_domains::domain.asc())
        .load(conn)?
        .into_iter()
        .map(Domain::try_from)
        .collect()
}

/// CreateUserPoolDomain.
pub fn create(
    conn: &mut Conn,
    pool_id: &PoolId,
    input: &DomainInput,
    now: i64,
) -> Result<Domain, DirectoryError> {
    check_input(input)?;
    let config = config_json(&input.custom_domain_config)?;
    write_tx(conn, |conn| {
        pools::get(conn, pool_id.as_str())?;
        let custom = input.custom_domain_config.is_some();
        if of_pool(conn, pool_id)?
            .iter()
            .any(|d| d.is_custom() == custom)
        {
            return Err(DirectoryError::InvalidParameter(
                "User pool already has a domain configured.".into(),
            ));
        }
        if find(conn, &input.domain)?.is_some() {
            return Err(DirectoryError::InvalidParameter(
                "Domain already associated with another user pool.".into(),
            ));
        }
        let version = input
            .managed_login_version
            .unwrap_or(DEFAULT_MANAGED_LOGIN_VERSION);
        diesel::insert_into(user_pool_domains::table)
            .values((
                user_pool_domains::domain.eq(&input.domain),
                user_pool_domains::pool_id.eq(pool_id.as_str()),
                user_pool_domains::custom_domain_config.eq(&config),
                user_pool_domains::managed_login_version.eq(version),
                user_pool_domains::created_at.eq(now),
            ))
            .execute(conn)?;
        Ok(Domain {
            domain: input.domain.clone(),
            pool_id: pool_id.clone(),
            custom_domain_config: input.custom_domain_config.clone(),
            managed_login_version: version,
            created_at: now,
        })
    })
}

/// The pool's domain `domain`, or InvalidParameterException.
fn require_of_pool(
    conn: &mut Conn,
    pool_id: &PoolId,
    domain: &str,
) -> Result<Domain, DirectoryError> {
    pools::get(conn, pool_id.as_str())?;
    find(conn, domain)?
        .filter(|d| &d.pool_id == pool_id)
        .ok_or_else(|| {
            DirectoryError::InvalidParameter("No such domain or user pool exists.".into())
        })
}

/// UpdateUserPoolDomain: the managed login version and, for a custom
/// domain, the certificate.
pub fn update(
    conn: &mut Conn,
    pool_id: &PoolId,
    input: &DomainInput,
) -> Result<Domain, DirectoryError> {
    check_version(input.managed_login_version)?;
    if let Some(c) = &input.custom_domain_config {
        arn::check(&c.certificate_arn, "customDomainConfig.certificateArn")?;
    }
    write_tx(conn, |conn| {
        let mut d = require_of_pool(conn, pool_id, &input.domain)?;
        if let Some(c) = &input.custom_domain_config {
            if !d.is_custom() {
                return Err(DirectoryError::InvalidParameter(
                    "CustomDomainConfig applies to custom domains only.".into(),
                ));
            }
            d.custom_domain_config = Some(c.clone());
        }
        if let Some(v) = input.managed_login_version {
            d.managed_login_version = v;
        }
        let config = config_json(&d.custom_domain_config)?;
        diesel::update(user_pool_domains::table.find(&d.domain))
            .set((
                user_pool_domains::custom_domain_config.eq(&config),
                user_pool_domains::managed_login_version.eq(d.managed_login_version),
            ))
            .execute(conn)?;
        Ok(d)
    })
}

/// DeleteUserPoolDomain.
pub fn delete(conn: &mut Conn, pool_id: &PoolId, domain: &str) -> Result<(), DirectoryError> {
    write_tx(conn, |conn| {
        let d = require_of_pool(conn, pool_id, domain)?;
        diesel::delete(user_pool_domains::table.find(&d.domain)).execute(conn)?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_follow_the_pattern_and_avoid_reserved_words() {
        assert!(check_domain("my-app-1", false).is_ok());
        assert!(check_domain("a", false).is_ok());
        for bad in ["", "-a", "a-", "Upper", "a.b", "my_app", &"a".repeat(64)] {
            assert!(check_domain(bad, false).is_err(), "{bad}");
        }
        for reserved in ["myaws", "amazon-login", "cognitoapp"] {
            let e = check_domain(reserved, false).unwrap_err();
            assert!(e.0.contains("reserved word"), "{}", e.0);
        }
    }

    #[test]
    fn custom_domains_are_host_names() {
        assert!(check_domain("auth.example.com", true).is_ok());
        assert!(check_domain("login.aws-fan.example", true).is_ok());
        for bad in ["example", "a..b", "-a.b", "a.b-", "A.b"] {
            assert!(check_domain(bad, true).is_err(), "{bad}");
        }
    }

    #[test]
    fn versions_are_one_or_two() {
        assert!(check_version(None).is_ok());
        assert!(check_version(Some(2)).is_ok());
        assert!(check_version(Some(3)).is_err());
    }
}
