//! CreateUserPoolDomain, DescribeUserPoolDomain, UpdateUserPoolDomain,
//! DeleteUserPoolDomain (SigV4), and DescribeUserPool's `Domain` and
//! `CustomDomain`. The hosted UI is served at COGNATE_PUBLIC_URL whatever
//! the domain (see `directory::domains`); `CloudFrontDomain` and
//! `CloudFrontDistribution` name that URL's host, where a custom domain's
//! DNS would point.

use serde_json::{json, Value};

use super::pools::pool_id;
use super::{optional_int, required_str, ApiError};
use crate::auth::Core;
use crate::directory::domains::{self, CustomDomainConfig, Domain, DomainInput};
use crate::directory::{unix_now, PoolId};

/// The account id cognate shows (as in the pools' ARNs).
const ACCOUNT_ID: &str = "000000000000";
/// `S3Bucket` of a description: cognate serves its own assets.
const ASSETS_BUCKET: &str = "cognate-assets";

/// `host[:port]` of COGNATE_PUBLIC_URL.
fn public_host(core: &Core) -> String {
    match url::Url::parse(&core.public_url) {
        Ok(u) => match (u.host_str(), u.port()) {
            (Some(h), Some(p)) => format!("{h}:{p}"),
            (Some(h), None) => h.to_string(),
            _ => core.public_url.clone(),
        },
        Err(_) => core.public_url.clone(),
    }
}

fn domain_member(v: &Value) -> Result<String, ApiError> {
    let d = required_str(v, "Domain")?;
    crate::directory::pool_settings::check_length(d, "domain", 1, 63)?;
    Ok(d.to_string())
}

fn custom_config(v: &Value) -> Result<Option<CustomDomainConfig>, ApiError> {
    match v.get("CustomDomainConfig") {
        None | Some(Value::Null) => Ok(None),
        Some(c @ Value::Object(_)) => Ok(Some(CustomDomainConfig {
            certificate_arn: required_str(c, "CertificateArn")?.to_string(),
        })),
        Some(_) => Err(ApiError::new(
            "SerializationException",
            "CustomDomainConfig must be a structure",
        )),
    }
}

fn domain_input(v: &Value) -> Result<DomainInput, ApiError> {
    Ok(DomainInput {
        domain: domain_member(v)?,
        custom_domain_config: custom_config(v)?,
        managed_login_version: optional_int(v, "ManagedLoginVersion", i64::MIN..=i64::MAX)?,
    })
}

/// Create's and Update's answer.
fn created(core: &Core, d: &Domain) -> Value {
    let mut out = json!({ "ManagedLoginVersion": d.managed_login_version });
    if d.is_custom() {
        out["CloudFrontDomain"] = json!(public_host(core));
    }
    out
}

/// `DomainDescriptionType`.
fn description(core: &Core, d: &Domain) -> Value {
    let version = chrono::DateTime::from_timestamp(d.created_at, 0)
        .map(|t| t.format("%Y%m%d%H%M%S").to_string())
        .unwrap_or_else(|| d.created_at.to_string());
    let mut out = json!({
        "UserPoolId": d.pool_id.as_str(),
        "AWSAccountId": ACCOUNT_ID,
        "Domain": d.domain,
        "S3Bucket": ASSETS_BUCKET,
        "CloudFrontDistribution": public_host(core),
        "Version": version,
        "Status": "ACTIVE",
        "ManagedLoginVersion": d.managed_login_version,
    });
    if let Some(c) = &d.custom_domain_config {
        out["CustomDomainConfig"] = json!(c);
    }
    out
}

pub async fn create(core: &Core, input: Value) -> Result<Value, ApiError> {
    let pool = pool_id(&input)?;
    let request = domain_input(&input)?;
    let now = unix_now();
    let d = core
        .db
        .run(move |conn| domains::create(conn, &pool, &request, now))
        .await?;
    Ok(created(core, &d))
}

/// An unknown domain gets an empty description, as from Cognito.
pub async fn describe(core: &Core, input: Value) -> Result<Value, ApiError> {
    let name = domain_member(&input)?;
    let found = core.db.run(move |conn| domains::find(conn, &name)).await?;
    let body = found
        .map(|d| description(core, &d))
        .unwrap_or_else(|| json!({}));
    Ok(json!({ "DomainDescription": body }))
}

pub async fn update(core: &Core, input: Value) -> Result<Value, ApiError> {
    let pool = pool_id(&input)?;
    let request = domain_input(&input)?;
    let d = core
        .db
        .run(move |conn| domains::update(conn, &pool, &request))
        .await?;
    Ok(created(core, &d))
}

pub async fn delete(core: &Core, input: Value) -> Result<Value, ApiError> {
    let pool = pool_id(&input)?;
    let name = domain_member(&input)?;
    core.db
        .run(move |conn| domains::delete(conn, &pool, &name))
        .await?;
    Ok(json!({}))
}

/// Adds `Domain` (the prefix) and `CustomDomain` to DescribeUserPool's
/// `UserPool`.
pub async fn add_to_user_pool(
    core: &Core,
    id: &PoolId,
    user_pool: &mut Value,
) -> Result<(), ApiError> {
    let id = id.clone();
    let found = core.db.run(move |conn| domains::of_pool(conn, &id)).await?;
    for d in found {
        let key = if d.is_custom() {
            "CustomDomain"
        } else {
            "Domain"
        };
        user_pool[key] = json!(d.domain);
    }
    Ok(())
}
