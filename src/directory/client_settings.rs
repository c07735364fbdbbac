//! An app client's settings in Cognito's `CreateUserPoolClient` shape:
//! parsed and validated from CreateUserPoolClient/UpdateUserPoolClient
//! requests with Cognito's API defaults, stored as JSON, and rendered back as
//! `UserPoolClientType` and `UserPoolClientDescription`.
//!
//! Checks that need the pool (attribute names, resource server scopes, the
//! tier for `ALLOW_USER_AUTH`) belong to the caller.

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::pool_settings::{
    check_enum, check_enum_list, check_length, check_list_length, check_name, constraint_error,
    missing, Fields, InvalidParameter,
};
use super::redirect_url;

/// The flows a client allows when the request names none.
pub const DEFAULT_EXPLICIT_AUTH_FLOWS: &[&str] = &[
    "ALLOW_REFRESH_TOKEN_AUTH",
    "ALLOW_USER_SRP_AUTH",
    "ALLOW_CUSTOM_AUTH",
];
/// Cognito's API default; its console (and cognate's) picks `ENABLED`.
pub const DEFAULT_PREVENT_USER_EXISTENCE_ERRORS: &str = "LEGACY";

pub const OAUTH_MEMBERS_REQUIRED: &str =
    "AllowedOAuthFlows and AllowedOAuthScopes are required if user pool client is allowed to use OAuth flows.";
pub const CALLBACK_REQUIRED: &str =
    "CallbackUrls can not be empty when code flow or implicit flow is selected";
pub const CLIENT_CREDENTIALS_ALONE: &str =
    "client_credentials flow can not be selected along with code flow or implicit flow.";
pub const CLIENT_CREDENTIALS_SECRET: &str =
    "client_credentials flow can not be selected if client does not have a client secret.";
pub const INVALID_TOKEN_VALIDITY: &str = "Invalid range for token validity.";

const EXPLICIT_AUTH_FLOWS: &[&str] = &[
    "ADMIN_NO_SRP_AUTH",
    "CUSTOM_AUTH_FLOW_ONLY",
    "USER_PASSWORD_AUTH",
    "ALLOW_ADMIN_USER_PASSWORD_AUTH",
    "ALLOW_CUSTOM_AUTH",
    "ALLOW_USER_PASSWORD_AUTH",
    "ALLOW_USER_SRP_AUTH",
    "ALLOW_REFRESH_TOKEN_AUTH",
    "ALLOW_USER_AUTH",
];
const LEGACY_FLOWS: &[&str] = &[
    "ADMIN_NO_SRP_AUTH",
    "CUSTOM_AUTH_FLOW_ONLY",
    "USER_PASSWORD_AUTH",
];
const OAUTH_FLOWS: &[&str] = &["code", "implicit", "client_credentials"];
const STANDARD_SCOPES: &[&str] = &[
    "openid",
    "email",
    "phone",
    "profile",
    "aws.cognito.signin.user.admin",
];
const TIME_UNITS: &[&str] = &["seconds", "minutes", "hours", "days"];
/// Seconds bounds of access/ID tokens (5 min..1 day) and refresh tokens
/// (1 h..10 years).
const SHORT_TOKEN_SECS: (i64, i64) = (300, 86_400);
const REFRESH_TOKEN_SECS: (i64, i64) = (3_600, 315_360_000);

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct TokenValidityUnits {
    pub access_token: String,
    pub id_token: String,
    pub refresh_token: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct RefreshTokenRotation {
    pub feature: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_grace_period_seconds: Option<i64>,
}

/// Settings of one app client: the CreateUserPoolClient request less
/// `UserPoolId`, `GenerateSecret` and `ClientSecret` (the secret is kept
/// apart), with Cognito's defaults applied. Member names are the API's.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct ClientSettings {
    pub client_name: String,
    pub refresh_token_validity: i64,
    pub access_token_validity: i64,
    pub id_token_validity: i64,
    pub token_validity_units: TokenValidityUnits,
    /// Empty means Cognito's default set, and is not shown.
    #[serde(default)]
    pub read_attributes: Vec<String>,
    #[serde(default)]
    pub write_attributes: Vec<String>,
    pub explicit_auth_flows: Vec<String>,
    #[serde(default)]
    pub supported_identity_providers: Vec<String>,
    #[serde(rename = "CallbackURLs", default)]
    pub callback_urls: Vec<String>,
    #[serde(rename = "LogoutURLs", default)]
    pub logout_urls: Vec<String>,
    #[serde(
        rename = "DefaultRedirectURI",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub default_redirect_uri: Option<String>,
    #[serde(rename = "AllowedOAuthFlows", default)]
    pub allowed_oauth_flows: Vec<String>,
    #[serde(rename = "AllowedOAuthScopes", default)]
    pub allowed_oauth_scopes: Vec<String>,
    #[serde(rename = "AllowedOAuthFlowsUserPoolClient")]
    pub allowed_oauth_flows_user_pool_client: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub analytics_configuration: Option<Value>,
    pub prevent_user_existence_errors: String,
    pub enable_token_revocation: bool,
    pub enable_propagate_additional_user_context_data: bool,
    /// Minutes.
    pub auth_session_validity: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token_rotation: Option<RefreshTokenRotation>,
}

/// What the database knows of a client besides its settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientMeta {
    pub client_id: String,
    pub user_pool_id: String,
    pub client_secret: Option<String>,
    /// Unix seconds.
    pub creation_date: i64,
    /// Unix seconds.
    pub last_modified_date: i64,
}

/// The exception Cognito names for a settings error: most are
/// `InvalidParameterException`, the OAuth flow conflicts
/// `InvalidOAuthFlowException`.
pub fn exception_name(err: &InvalidParameter) -> &'static str {
    let flow_errors = [
        CALLBACK_REQUIRED,
        CLIENT_CREDENTIALS_ALONE,
        CLIENT_CREDENTIALS_SECRET,
    ];
    if flow_errors.contains(&err.0.as_str()) {
        "InvalidOAuthFlowException"
    } else {
        "InvalidParameterException"
    }
}

fn unit_secs(unit: &str) -> i64 {
    match unit {
        "seconds" => 1,
        "hours" => 3_600,
        "days" => 86_400,
        _ => 60,
    }
}

/// One token's validity: the value (0 counts as absent) in the unit given
/// for it. Without a unit, a given value is read in `unit_for_value`, and
/// an absent value is `default` in `default_unit`.
fn validity(
    value: Option<i64>,
    unit: Option<&str>,
    default: (i64, &str),
    unit_for_value: &str,
    bounds: (i64, i64),
) -> Result<(i64, String), InvalidParameter> {
    let (value, unit) = match value.filter(|v| *v != 0) {
        Some(v) => (v, unit.unwrap_or(unit_for_value)),
        None => (default.0, unit.unwrap_or(default.1)),
    };
    let secs = value.checked_mul(unit_secs(unit));
    match secs {
        Some(s) if value > 0 && s >= bounds.0 && s <= bounds.1 => Ok((value, unit.to_string())),
        _ => Err(InvalidParameter(INVALID_TOKEN_VALIDITY.into())),
    }
}

/// A callback or logout URL: 1–1024 characters, and what
/// [`redirect_url::check`] allows.
fn check_url(url: &str, member: &str) -> Result<(), InvalidParameter> {
    check_length(url, member, 1, 1024)?;
    redirect_url::check(url).map_err(|problem| match problem {
        redirect_url::UrlProblem::Pattern => constraint_error(url, member, &problem.message(url)),
        _ => InvalidParameter(problem.message(url)),
    })
}

/// A list of strings, each 1..=`max_len` long, at most `max_items` of them.
fn bounded_list(
    f: &Fields,
    key: &str,
    max_items: usize,
    max_len: usize,
) -> Result<Vec<String>, InvalidParameter> {
    let list = f.strings(key)?.unwrap_or_default();
    check_list_length(list.len(), &f.path(key), 0, max_items)?;
    for (i, item) in list.iter().enumerate() {
        check_length(
            item,
            &format!("{}.{}.member", f.path(key), i + 1),
            1,
            max_len,
        )?;
    }
    Ok(list)
}

fn parse_analytics(f: &Fields) -> Result<Option<Value>, InvalidParameter> {
    let Some(a) = f.object("AnalyticsConfiguration")? else {
        return Ok(None);
    };
    let mut map = Map::new();
    for key in ["ApplicationId", "ApplicationArn", "RoleArn", "ExternalId"] {
        if let Some(s) = a.string(key)? {
            map.insert(key.into(), json!(s));
        }
    }
    if let Some(id) = a.string("ApplicationId")? {
        if !id.chars().all(|c| c.is_ascii_hexdigit()) || id.is_empty() {
            let constraint = "Member must satisfy regular expression pattern: ^[0-9a-fA-F]+$";
            return Err(constraint_error(id, &a.path("ApplicationId"), constraint));
        }
    }
    if let Some(b) = a.boolean("UserDataShared")? {
        map.insert("UserDataShared".into(), json!(b));
    }
    Ok(Some(Value::Object(map)))
}

fn parse_rotation(f: &Fields) -> Result<Option<RefreshTokenRotation>, InvalidParameter> {
    let Some(r) = f.object("RefreshTokenRotation")? else {
        return Ok(None);
    };
    let feature = r
        .string("Feature")?
        .ok_or_else(|| missing(&r.path("Feature")))?;
    check_enum(feature, &r.path("Feature"), &["ENABLED", "DISABLED"])?;
    Ok(Some(RefreshTokenRotation {
        feature: feature.to_string(),
        retry_grace_period_seconds: r.ranged("RetryGracePeriodSeconds", 0, 60)?,
    }))
}

/// The explicit auth flows: the model's values, never legacy ones mixed with
/// `ALLOW_*` ones; none given means the default three.
fn parse_auth_flows(f: &Fields) -> Result<Vec<String>, InvalidParameter> {
    let flows = f.strings("ExplicitAuthFlows")?.unwrap_or_default();
    check_enum_list(&flows, &f.path("ExplicitAuthFlows"), EXPLICIT_AUTH_FLOWS)?;
    let legacy = flows.iter().any(|x| LEGACY_FLOWS.contains(&x.as_str()));
    let current = flows.iter().any(|x| x.starts_with("ALLOW_"));
    if legacy && current {
        return Err(InvalidParameter(
            "The legacy ExplicitAuthFlows values ADMIN_NO_SRP_AUTH, CUSTOM_AUTH_FLOW_ONLY and USER_PASSWORD_AUTH \
             can not be combined with values that begin with ALLOW_."
                .into(),
        ));
    }
    if flows.is_empty() {
        return Ok(DEFAULT_EXPLICIT_AUTH_FLOWS
            .iter()
            .map(|s| s.to_string())
            .collect());
    }
    let mut unique: Vec<String> = Vec::with_capacity(flows.len());
    for flow in flows {
        if !unique.contains(&flow) {
            unique.push(flow);
        }
    }
    Ok(unique)
}

fn parse_scopes(f: &Fields) -> Result<Vec<String>, InvalidParameter> {
    let scopes = bounded_list(f, "AllowedOAuthScopes", 50, 256)?;
    for (i, scope) in scopes.iter().enumerate() {
        let printable = |c: char| c.is_ascii_graphic() && c != '"' && c != '\\';
        if !scope.chars().all(printable) {
            let member = format!("{}.{}.member", f.path("AllowedOAuthScopes"), i + 1);
            let constraint =
                "Member must satisfy regular expression pattern: [\\x21\\x23-\\x5B\\x5D-\\x7E]+";
            return Err(constraint_error(scope, &member, constraint));
        }
        if !STANDARD_SCOPES.contains(&scope.as_str()) && !scope.contains('/') {
            return Err(InvalidParameter(format!(
                "Invalid scope requested: {scope}"
            )));
        }
    }
    Ok(scopes)
}

impl ClientSettings {
    fn parse(req: &Value) -> Result<ClientSettings, InvalidParameter> {
        let root = Fields::root(req)?;
        let name = root
            .string("ClientName")?
            .ok_or_else(|| missing("clientName"))?;
        check_name(name, "clientName")?;

        let units = root.object("TokenValidityUnits")?;
        let unit = |key: &str| -> Result<Option<&str>, InvalidParameter> {
            let Some(u) = &units else { return Ok(None) };
            let value = u.string(key)?;
            if let Some(v) = value {
                check_enum(v, &u.path(key), TIME_UNITS)?;
            }
            Ok(value)
        };
        let given = |key: &str, max: i64| root.ranged(key, 0, max);
        let access_given = given("AccessTokenValidity", 86_400)?;
        let (access, access_unit) = validity(
            access_given,
            unit("AccessToken")?,
            (60, "minutes"),
            "hours",
            SHORT_TOKEN_SECS,
        )?;
        let id_given = given("IdTokenValidity", 86_400)?;
        let (id, id_unit) = validity(
            id_given,
            unit("IdToken")?,
            (60, "minutes"),
            "hours",
            SHORT_TOKEN_SECS,
        )?;
        let mut refresh_unit = unit("RefreshToken")?;
        let refresh_given = given("RefreshTokenValidity", 315_360_000)?;
        if refresh_given == Some(0) {
            // Cognito reads 0 as "the default of 30 days", whatever the unit.
            refresh_unit = Some("days");
        }
        let (refresh, refresh_unit) = validity(
            refresh_given,
            refresh_unit,
            (30, "days"),
            "days",
            REFRESH_TOKEN_SECS,
        )?;
        let refresh_secs = refresh * unit_secs(&refresh_unit);
        if access * unit_secs(&access_unit) > refresh_secs
            || id * unit_secs(&id_unit) > refresh_secs
        {
            return Err(InvalidParameter(INVALID_TOKEN_VALIDITY.into()));
        }

        let callback_urls = bounded_list(&root, "CallbackURLs", 100, 1024)?;
        let logout_urls = bounded_list(&root, "LogoutURLs", 100, 1024)?;
        for (key, urls) in [
            ("CallbackURLs", &callback_urls),
            ("LogoutURLs", &logout_urls),
        ] {
            for (i, url) in urls.iter().enumerate() {
                check_url(url, &format!("{}.{}.member", root.path(key), i + 1))?;
            }
        }
        let default_redirect_uri = root.string("DefaultRedirectURI")?.map(str::to_string);
        if let Some(uri) = &default_redirect_uri {
            check_url(uri, "defaultRedirectURI")?;
            if !callback_urls.contains(uri) {
                return Err(InvalidParameter(
                    "DefaultRedirectURI must be in the CallbackURLs list.".into(),
                ));
            }
        }
        let flows = root.strings("AllowedOAuthFlows")?.unwrap_or_default();
        check_list_length(flows.len(), &root.path("AllowedOAuthFlows"), 0, 3)?;
        check_enum_list(&flows, &root.path("AllowedOAuthFlows"), OAUTH_FLOWS)?;
        let scopes = parse_scopes(&root)?;
        let redirecting = flows.iter().any(|f| f == "code" || f == "implicit");
        let client_credentials = flows.iter().any(|f| f == "client_credentials");
        if client_credentials && redirecting {
            return Err(InvalidParameter(CLIENT_CREDENTIALS_ALONE.into()));
        }
        if let Some(standard) = scopes
            .iter()
            .find(|s| client_credentials && !s.contains('/'))
        {
            return Err(InvalidParameter(format!(
                "{standard} is not supported with client_credentials flow"
            )));
        }
        let oauth = root
            .boolean("AllowedOAuthFlowsUserPoolClient")?
            .unwrap_or(false);
        if oauth && (flows.is_empty() || scopes.is_empty()) {
            return Err(InvalidParameter(OAUTH_MEMBERS_REQUIRED.into()));
        }
        if redirecting && callback_urls.is_empty() {
            return Err(InvalidParameter(CALLBACK_REQUIRED.into()));
        }
        let prevent = match root.string("PreventUserExistenceErrors")? {
            Some(p) => {
                check_enum(p, "preventUserExistenceErrors", &["LEGACY", "ENABLED"])?;
                p.to_string()
            }
            None => DEFAULT_PREVENT_USER_EXISTENCE_ERRORS.to_string(),
        };
        Ok(ClientSettings {
            client_name: name.to_string(),
            refresh_token_validity: refresh,
            access_token_validity: access,
            id_token_validity: id,
            token_validity_units: TokenValidityUnits {
                access_token: access_unit,
                id_token: id_unit,
                refresh_token: refresh_unit,
            },
            read_attributes: bounded_list(&root, "ReadAttributes", usize::MAX, 2048)?,
            write_attributes: bounded_list(&root, "WriteAttributes", usize::MAX, 2048)?,
            explicit_auth_flows: parse_auth_flows(&root)?,
            supported_identity_providers: bounded_list(
                &root,
                "SupportedIdentityProviders",
                usize::MAX,
                32,
            )?,
            callback_urls,
            logout_urls,
            default_redirect_uri,
            allowed_oauth_flows: flows,
            allowed_oauth_scopes: scopes,
            allowed_oauth_flows_user_pool_client: oauth,
            analytics_configuration: parse_analytics(&root)?,
            prevent_user_existence_errors: prevent,
            enable_token_revocation: root.boolean("EnableTokenRevocation")?.unwrap_or(true),
            enable_propagate_additional_user_context_data: root
                .boolean("EnablePropagateAdditionalUserContextData")?
                .unwrap_or(false),
            auth_session_validity: root.ranged("AuthSessionValidity", 3, 15)?.unwrap_or(3),
            refresh_token_rotation: parse_rotation(&root)?,
        })
    }

    /// CreateUserPoolClient: the settings and `GenerateSecret`. A custom
    /// `ClientSecret` is read with [`Self::requested_client_secret`].
    pub fn from_create_request(req: &Value) -> Result<(ClientSettings, bool), InvalidParameter> {
        let settings = ClientSettings::parse(req)?;
        let generate = Fields::root(req)?
            .boolean("GenerateSecret")?
            .unwrap_or(false);
        let custom = ClientSettings::requested_client_secret(req)?;
        if generate && custom.is_some() {
            return Err(InvalidParameter(
                "You cannot specify both GenerateSecret as true and provide a ClientSecret value."
                    .into(),
            ));
        }
        settings.check_secret_requirement(generate || custom.is_some())?;
        Ok((settings, generate))
    }

    /// UpdateUserPoolClient: every member the request leaves out returns to
    /// its default, as Cognito documents. The caller then runs
    /// [`Self::check_secret_requirement`] with what it knows of the secret;
    /// a missing `ClientName` keeps the current name.
    pub fn apply_update(&self, req: &Value) -> Result<ClientSettings, InvalidParameter> {
        let root = Fields::root(req)?;
        if root.get("ClientName").is_some() {
            return ClientSettings::parse(req);
        }
        let mut with_name = req.clone();
        if let Value::Object(map) = &mut with_name {
            map.insert("ClientName".into(), json!(self.client_name));
        }
        ClientSettings::parse(&with_name)
    }

    /// CreateUserPoolClient's optional custom `ClientSecret`, validated.
    pub fn requested_client_secret(req: &Value) -> Result<Option<String>, InvalidParameter> {
        let secret = Fields::root(req)?.string("ClientSecret")?;
        if let Some(s) = secret {
            // The secret is sensitive: Cognito's message leaves the value out.
            check_length(s, "clientSecret", 24, 64).map_err(|_| {
                InvalidParameter(
                    "1 validation error detected: Value at 'clientSecret' failed to satisfy constraint: \
                     Member must have length between 24 and 64"
                        .into(),
                )
            })?;
            if !s
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '+')
            {
                return Err(InvalidParameter(
                    "1 validation error detected: Value at 'clientSecret' failed to satisfy constraint: \
                     Member must satisfy regular expression pattern: [\\w+]+"
                        .into(),
                ));
            }
        }
        Ok(secret.map(str::to_string))
    }

    /// The settings that only a client with a secret may have.
    pub fn check_secret_requirement(&self, has_secret: bool) -> Result<(), InvalidParameter> {
        if has_secret {
            return Ok(());
        }
        if self
            .allowed_oauth_flows
            .iter()
            .any(|f| f == "client_credentials")
        {
            return Err(InvalidParameter(CLIENT_CREDENTIALS_SECRET.into()));
        }
        if self.enable_propagate_additional_user_context_data {
            return Err(InvalidParameter(
                "EnablePropagateAdditionalUserContextData can only be enabled for clients with a client secret."
                    .into(),
            ));
        }
        Ok(())
    }

    /// DescribeUserPoolClient's `UserPoolClient` (`UserPoolClientType`);
    /// empty lists are left out, as Cognito does.
    pub fn user_pool_client_type(&self, meta: &ClientMeta) -> Value {
        let mut out = match serde_json::to_value(self) {
            Ok(Value::Object(map)) => map,
            _ => Map::new(),
        };
        out.retain(|_, v| v.as_array().is_none_or(|a| !a.is_empty()));
        out.insert("UserPoolId".into(), json!(meta.user_pool_id));
        out.insert("ClientId".into(), json!(meta.client_id));
        out.insert("CreationDate".into(), json!(meta.creation_date));
        out.insert("LastModifiedDate".into(), json!(meta.last_modified_date));
        if let Some(secret) = &meta.client_secret {
            out.insert("ClientSecret".into(), json!(secret));
        }
        Value::Object(out)
    }

    /// One ListUserPoolClients item (`UserPoolClientDescription`).
    pub fn description(&self, meta: &ClientMeta) -> Value {
        json!({
            "ClientId": meta.client_id,
            "UserPoolId": meta.user_pool_id,
            "ClientName": self.client_name,
        })
    }

    pub fn access_token_ttl_secs(&self) -> i64 {
        self.access_token_validity * unit_secs(&self.token_validity_units.access_token)
    }

    pub fn id_token_ttl_secs(&self) -> i64 {
        self.id_token_validity * unit_secs(&self.token_validity_units.id_token)
    }

    pub fn refresh_token_ttl_secs(&self) -> i64 {
        self.refresh_token_validity * unit_secs(&self.token_validity_units.refresh_token)
    }

    /// How long an authentication session lasts between challenges.
    pub fn auth_session_ttl_secs(&self) -> i64 {
        self.auth_session_validity * 60
    }

    pub fn callback_urls(&self) -> &[String] {
        &self.callback_urls
    }

    pub fn logout_urls(&self) -> &[String] {
        &self.logout_urls
    }

    pub fn allowed_oauth_flows(&self) -> &[String] {
        &self.allowed_oauth_flows
    }

    /// Redirect URIs match a registered callback URL exactly.
    pub fn is_callback_url(&self, uri: &str) -> bool {
        self.callback_urls.iter().any(|u| u == uri)
    }

    /// Sign-out URIs match a registered logout URL exactly.
    pub fn is_logout_url(&self, uri: &str) -> bool {
        self.logout_urls.iter().any(|u| u == uri)
    }

    /// Whether the client may use the OAuth flow `flow` (`code`,
    /// `implicit`, `client_credentials`).
    pub fn allows_oauth_flow(&self, flow: &str) -> bool {
        self.allowed_oauth_flows_user_pool_client
            && self.allowed_oauth_flows.iter().any(|f| f == flow)
    }

    /// Whether the pool's own sign-in (`COGNITO`) is offered to this client.
    pub fn allows_local_sign_in(&self) -> bool {
        self.supported_identity_providers
            .iter()
            .any(|p| p == "COGNITO")
    }

    /// The attributes this client may read: all when `ReadAttributes` is empty.
    pub fn can_read(&self, attribute: &str) -> bool {
        self.read_attributes.is_empty() || self.read_attributes.iter().any(|a| a == attribute)
    }

    pub fn allowed_oauth_scopes(&self) -> &[String] {
        &self.allowed_oauth_scopes
    }

    /// Resource-server scopes (`identifier/name`), which the caller checks
    /// against the pool's resource servers.
    pub fn custom_scopes(&self) -> Vec<&str> {
        self.allowed_oauth_scopes
            .iter()
            .filter(|s| s.contains('/'))
            .map(String::as_str)
            .collect()
    }

    /// `AllowedOAuthFlowsUserPoolClient`: the OAuth endpoints serve this
    /// client only when true.
    pub fn oauth_enabled(&self) -> bool {
        self.allowed_oauth_flows_user_pool_client
    }

    pub fn prevent_user_existence_errors(&self) -> bool {
        self.prevent_user_existence_errors == "ENABLED"
    }

    pub fn supported_identity_providers(&self) -> &[String] {
        &self.supported_identity_providers
    }

    pub fn explicit_auth_flows(&self) -> &[String] {
        &self.explicit_auth_flows
    }

    /// Whether an `AuthFlow` of InitiateAuth/AdminInitiateAuth is allowed.
    /// Legacy lists keep their old meaning: SRP and refresh always, custom
    /// auth always (and alone with `CUSTOM_AUTH_FLOW_ONLY`), password flows
    /// only when listed.
    pub fn allows_auth_flow(&self, auth_flow: &str) -> bool {
        let has = |f: &str| self.explicit_auth_flows.iter().any(|x| x == f);
        let legacy = self
            .explicit_auth_flows
            .iter()
            .any(|x| LEGACY_FLOWS.contains(&x.as_str()));
        let refresh = matches!(auth_flow, "REFRESH_TOKEN_AUTH" | "REFRESH_TOKEN");
        if legacy {
            if has("CUSTOM_AUTH_FLOW_ONLY") {
                return refresh || auth_flow == "CUSTOM_AUTH";
            }
            return match auth_flow {
                "USER_PASSWORD_AUTH" => has("USER_PASSWORD_AUTH"),
                "ADMIN_USER_PASSWORD_AUTH" | "ADMIN_NO_SRP_AUTH" => has("ADMIN_NO_SRP_AUTH"),
                "USER_SRP_AUTH" | "CUSTOM_AUTH" => true,
                _ => refresh,
            };
        }
        match auth_flow {
            "USER_SRP_AUTH" => has("ALLOW_USER_SRP_AUTH"),
            "USER_PASSWORD_AUTH" => has("ALLOW_USER_PASSWORD_AUTH"),
            "ADMIN_USER_PASSWORD_AUTH" | "ADMIN_NO_SRP_AUTH" => {
                has("ALLOW_ADMIN_USER_PASSWORD_AUTH")
            }
            "CUSTOM_AUTH" => has("ALLOW_CUSTOM_AUTH"),
            "USER_AUTH" => has("ALLOW_USER_AUTH"),
            _ => refresh && has("ALLOW_REFRESH_TOKEN_AUTH"),
        }
    }

    pub fn token_revocation_enabled(&self) -> bool {
        self.enable_token_revocation
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn create(req: Value) -> Result<ClientSettings, InvalidParameter> {
        ClientSettings::from_create_request(&req).map(|(s, _)| s)
    }

    fn err(mut req: Value) -> String {
        if req.get("ClientName").is_none() {
            req["ClientName"] = json!("app");
        }
        create(req).unwrap_err().0
    }

    fn meta(secret: Option<&str>) -> ClientMeta {
        ClientMeta {
            client_id: "abc123".into(),
            user_pool_id: "us-east-1_abc".into(),
            client_secret: secret.map(str::to_string),
            creation_date: 1_700_000_000,
            last_modified_date: 1_700_000_100,
        }
    }

    fn oauth(extra: Value) -> Value {
        let mut req = json!({"ClientName": "web", "AllowedOAuthFlowsUserPoolClient": true, "AllowedOAuthFlows": ["code"],
            "AllowedOAuthScopes": ["openid", "email"], "CallbackURLs": ["https://app.example.com/cb"]});
        if let (Value::Object(base), Value::Object(more)) = (&mut req, extra) {
            base.extend(more);
        }
        req
    }

    #[test]
    fn minimal_client_gets_cognitos_defaults() {
        let (s, generate) =
            ClientSettings::from_create_request(&json!({"UserPoolId": "p_1", "ClientName": "app"}))
                .unwrap();
        assert!(!generate);
        assert_eq!(s.access_token_ttl_secs(), 3_600);
        assert_eq!(s.id_token_ttl_secs(), 3_600);
        assert_eq!(s.refresh_token_ttl_secs(), 30 * 86_400);
        assert_eq!(s.auth_session_ttl_secs(), 180);
        assert_eq!(s.explicit_auth_flows(), DEFAULT_EXPLICIT_AUTH_FLOWS);
        assert!(
            !s.oauth_enabled()
                && !s.prevent_user_existence_errors()
                && s.token_revocation_enabled()
        );
        assert!(s.callback_urls().is_empty() && s.supported_identity_providers().is_empty());
        let v = s.user_pool_client_type(&meta(None));
        assert_eq!(
            v,
            json!({"UserPoolId": "us-east-1_abc", "ClientName": "app", "ClientId": "abc123",
                "CreationDate": 1_700_000_000, "LastModifiedDate": 1_700_000_100,
                "RefreshTokenValidity": 30, "AccessTokenValidity": 60, "IdTokenValidity": 60,
                "TokenValidityUnits": {"AccessToken": "minutes", "IdToken": "minutes", "RefreshToken": "days"},
                "ExplicitAuthFlows": ["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH"],
                "AllowedOAuthFlowsUserPoolClient": false, "PreventUserExistenceErrors": "LEGACY",
                "EnableTokenRevocation": true, "EnablePropagateAdditionalUserContextData": false,
                "AuthSessionValidity": 3})
        );
        assert_eq!(
            s.user_pool_client_type(&meta(Some("s3cret")))["ClientSecret"],
            "s3cret"
        );
        assert_eq!(
            s.description(&meta(None)),
            json!({"ClientId": "abc123", "UserPoolId": "us-east-1_abc", "ClientName": "app"})
        );
    }

    #[test]
    fn round_trips_through_json() {
        let s = create(oauth(json!({"GenerateSecret": true, "ReadAttributes": ["email"], "LogoutURLs": ["http://localhost:3000/"],
            "SupportedIdentityProviders": ["COGNITO", "Google"], "DefaultRedirectURI": "https://app.example.com/cb",
            "AnalyticsConfiguration": {"ApplicationId": "abc123", "UserDataShared": true},
            "RefreshTokenRotation": {"Feature": "ENABLED", "RetryGracePeriodSeconds": 10},
            "PreventUserExistenceErrors": "ENABLED", "EnableTokenRevocation": false})))
        .unwrap();
        let text = serde_json::to_string(&s).unwrap();
        assert!(
            text.contains("\"CallbackURLs\"")
                && text.contains("\"AllowedOAuthFlowsUserPoolClient\"")
        );
        let back: ClientSettings = serde_json::from_str(&text).unwrap();
        assert_eq!(back, s);
        let v = back.user_pool_client_type(&meta(None));
        assert_eq!(v["CallbackURLs"], json!(["https://app.example.com/cb"]));
        assert_eq!(v["DefaultRedirectURI"], "https://app.example.com/cb");
        assert_eq!(
            v["RefreshTokenRotation"],
            json!({"Feature": "ENABLED", "RetryGracePeriodSeconds": 10})
        );
        assert_eq!(
            v["AnalyticsConfiguration"],
            json!({"ApplicationId": "abc123", "UserDataShared": true})
        );
        assert!(
            s.prevent_user_existence_errors() && !s.token_revocation_enabled() && s.oauth_enabled()
        );
    }

    #[test]
    fn token_validity_units() {
        let s = create(json!({"ClientName": "a", "AccessTokenValidity": 2})).unwrap();
        assert_eq!(
            (
                s.access_token_ttl_secs(),
                s.token_validity_units.access_token.as_str()
            ),
            (7_200, "hours")
        );
        let s = create(json!({"ClientName": "a", "AccessTokenValidity": 300, "IdTokenValidity": 10, "RefreshTokenValidity": 120,
            "TokenValidityUnits": {"AccessToken": "seconds", "IdToken": "minutes", "RefreshToken": "minutes"}}))
        .unwrap();
        assert_eq!(
            (
                s.access_token_ttl_secs(),
                s.id_token_ttl_secs(),
                s.refresh_token_ttl_secs()
            ),
            (300, 600, 7_200)
        );
        let s = create(json!({"ClientName": "a", "RefreshTokenValidity": 0, "TokenValidityUnits": {"RefreshToken": "hours"}})).unwrap();
        assert_eq!(s.refresh_token_ttl_secs(), 30 * 86_400);
        let s = create(
            json!({"ClientName": "a", "RefreshTokenValidity": 3650, "IdTokenValidity": 1,
            "TokenValidityUnits": {"IdToken": "days"}}),
        )
        .unwrap();
        assert_eq!(
            (s.refresh_token_ttl_secs(), s.id_token_ttl_secs()),
            (315_360_000, 86_400)
        );
        let bad = |req: Value| assert_eq!(err(req), INVALID_TOKEN_VALIDITY);
        bad(json!({"AccessTokenValidity": 299, "TokenValidityUnits": {"AccessToken": "seconds"}}));
        bad(json!({"AccessTokenValidity": 25}));
        bad(json!({"IdTokenValidity": 2, "TokenValidityUnits": {"IdToken": "days"}}));
        bad(json!({"RefreshTokenValidity": 59, "TokenValidityUnits": {"RefreshToken": "minutes"}}));
        bad(json!({"RefreshTokenValidity": 3651}));
        bad(json!({"TokenValidityUnits": {"AccessToken": "hours"}}));
        bad(
            json!({"RefreshTokenValidity": 2, "AccessTokenValidity": 3, "TokenValidityUnits": {"RefreshToken": "hours"}}),
        );
        assert!(err(json!({"AccessTokenValidity": -5})).contains("greater than or equal to 0"));
        assert!(err(json!({"RefreshTokenValidity": 400_000_000}))
            .contains("less than or equal to 315360000"));
        assert!(err(json!({"TokenValidityUnits": {"AccessToken": "weeks"}}))
            .contains("tokenValidityUnits.accessToken"));
        assert!(err(json!({"AuthSessionValidity": 16})).contains("authSessionValidity"));
        assert!(err(json!({"AuthSessionValidity": 2})).contains("greater than or equal to 3"));
    }

    #[test]
    fn client_name_and_types() {
        assert!(create(json!({}))
            .unwrap_err()
            .0
            .contains("Value null at 'clientName'"));
        assert!(err(json!({"ClientName": ""})).contains("length greater than or equal to 1"));
        assert!(err(json!({"ClientName": "x".repeat(129)})).contains("128"));
        assert!(err(json!({"ClientName": "a<b"})).contains("pattern"));
        assert!(ClientSettings::from_create_request(&json!([1])).is_err());
        let weird = [
            json!(1),
            json!("s"),
            json!(false),
            json!([1, null]),
            json!({"x": {}}),
            json!(-1),
            json!(2.5),
            json!(["code"]),
        ];
        let keys = [
            "ClientName",
            "GenerateSecret",
            "ClientSecret",
            "RefreshTokenValidity",
            "AccessTokenValidity",
            "IdTokenValidity",
            "TokenValidityUnits",
            "ReadAttributes",
            "WriteAttributes",
            "ExplicitAuthFlows",
            "SupportedIdentityProviders",
            "CallbackURLs",
            "LogoutURLs",
            "DefaultRedirectURI",
            "AllowedOAuthFlows",
            "AllowedOAuthScopes",
            "AllowedOAuthFlowsUserPoolClient",
            "AnalyticsConfiguration",
            "PreventUserExistenceErrors",
            "EnableTokenRevocation",
            "EnablePropagateAdditionalUserContextData",
            "AuthSessionValidity",
            "RefreshTokenRotation",
        ];
        let base = create(json!({"ClientName": "a"})).unwrap();
        for key in keys {
            for value in &weird {
                let mut req = json!({"ClientName": "a"});
                req[key] = value.clone();
                let _ = create(req.clone());
                let _ = base.apply_update(&req);
                let _ = create(
                    json!({"ClientName": "a", key: {"AccessToken": value, "Feature": value, "ApplicationId": value}}),
                );
            }
        }
        assert!(err(json!({"EnableTokenRevocation": "yes"})).contains("Member must be a boolean"));
        assert!(err(json!({"CallbackURLs": "https://x"})).contains("Member must be a list"));
        assert!(create(json!({"ClientName": "a", "Unknown": [1, 2]})).is_ok());
    }

    #[test]
    fn explicit_auth_flows() {
        let s = create(json!({"ClientName": "a", "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]})).unwrap();
        assert!(
            s.allows_auth_flow("USER_PASSWORD_AUTH") && s.allows_auth_flow("REFRESH_TOKEN_AUTH")
        );
        assert!(
            !s.allows_auth_flow("USER_SRP_AUTH") && !s.allows_auth_flow("ADMIN_USER_PASSWORD_AUTH")
        );
        let e = err(json!({"ExplicitAuthFlows": ["ADMIN_USER_PASSWORD_AUTH"]}));
        assert!(e.starts_with("1 validation error detected: Value '[ADMIN_USER_PASSWORD_AUTH]' at 'explicitAuthFlows'"), "{e}");
        assert!(
            err(json!({"ExplicitAuthFlows": ["ADMIN_NO_SRP_AUTH", "ALLOW_USER_SRP_AUTH"]}))
                .contains("legacy")
        );
        let legacy = create(json!({"ClientName": "a", "ExplicitAuthFlows": ["ADMIN_NO_SRP_AUTH", "USER_PASSWORD_AUTH"]})).unwrap();
        assert_eq!(
            legacy.explicit_auth_flows(),
            ["ADMIN_NO_SRP_AUTH", "USER_PASSWORD_AUTH"]
        );
        assert!(
            legacy.allows_auth_flow("ADMIN_USER_PASSWORD_AUTH")
                && legacy.allows_auth_flow("USER_SRP_AUTH")
        );
        let custom_only =
            create(json!({"ClientName": "a", "ExplicitAuthFlows": ["CUSTOM_AUTH_FLOW_ONLY"]}))
                .unwrap();
        assert!(
            custom_only.allows_auth_flow("CUSTOM_AUTH")
                && !custom_only.allows_auth_flow("USER_SRP_AUTH")
        );
        let d = create(json!({"ClientName": "a", "ExplicitAuthFlows": []})).unwrap();
        assert!(
            d.allows_auth_flow("USER_SRP_AUTH")
                && d.allows_auth_flow("REFRESH_TOKEN")
                && !d.allows_auth_flow("USER_AUTH")
        );
        let dup = create(
            json!({"ClientName": "a", "ExplicitAuthFlows": ["ALLOW_USER_AUTH", "ALLOW_USER_AUTH"]}),
        )
        .unwrap();
        assert_eq!(dup.explicit_auth_flows(), ["ALLOW_USER_AUTH"]);
    }

    #[test]
    fn urls() {
        let ok = |u: &str| {
            create(json!({"ClientName": "a", "CallbackURLs": [u]}))
                .map(|_| ())
                .map_err(|e| e.0)
        };
        for good in [
            "https://example.com",
            "https://example.com:8443/cb?x=1",
            "http://localhost:3000/cb",
            "http://127.0.0.1",
            "http://[::1]:8080/x",
            "HTTP://LOCALHOST/",
            "myapp://example",
            "com.example.app:/oauth2redirect",
        ] {
            assert_eq!(ok(good), Ok(()), "{good}");
        }
        assert_eq!(
            ok("http://example.com/cb"),
            Err("http://example.com/cb cannot use the HTTP protocol.".into())
        );
        assert!(ok("http://localhost.com/")
            .unwrap_err()
            .contains("HTTP protocol"));
        assert!(ok("http://localhost@evil.com/")
            .unwrap_err()
            .contains("user information"));
        assert!(ok("http://evil.com\\@localhost/cb")
            .unwrap_err()
            .contains("backslash"));
        assert!(ok("javascript:alert(1)")
            .unwrap_err()
            .contains("redirect scheme"));
        assert!(ok("https://example.com/#frag")
            .unwrap_err()
            .contains("fragment"));
        for bad in [
            "/relative",
            "example.com",
            "https:",
            "https:///path",
            "1http://x",
            "https//x",
        ] {
            assert!(ok(bad).unwrap_err().contains("absolute"), "{bad}");
        }
        assert!(ok("https://exa mple.com").unwrap_err().contains("pattern"));
        assert!(ok(&format!("https://e.com/{}", "a".repeat(1020)))
            .unwrap_err()
            .contains("1024"));
        let many: Vec<String> = (0..101).map(|i| format!("https://e.com/{i}")).collect();
        assert!(err(json!({"CallbackURLs": many})).contains("less than or equal to 100"));
        assert!(err(json!({"LogoutURLs": ["http://example.com"]})).contains("HTTP protocol"));
        assert!(err(oauth(
            json!({"DefaultRedirectURI": "https://other.example.com"})
        ))
        .contains("DefaultRedirectURI"));
    }

    #[test]
    fn oauth_rules() {
        let s = create(oauth(json!({}))).unwrap();
        assert!(s.oauth_enabled());
        assert_eq!(s.allowed_oauth_flows(), ["code"]);
        assert_eq!(s.allowed_oauth_scopes(), ["openid", "email"]);
        let e = create(oauth(json!({"AllowedOAuthScopes": []}))).unwrap_err();
        assert_eq!(
            (e.0.as_str(), exception_name(&e)),
            (OAUTH_MEMBERS_REQUIRED, "InvalidParameterException")
        );
        assert_eq!(
            err(oauth(json!({"AllowedOAuthFlows": []}))),
            OAUTH_MEMBERS_REQUIRED
        );
        let e = create(oauth(json!({"CallbackURLs": []}))).unwrap_err();
        assert_eq!(
            (e.0.as_str(), exception_name(&e)),
            (CALLBACK_REQUIRED, "InvalidOAuthFlowException")
        );
        let e = create(oauth(
            json!({"AllowedOAuthFlows": ["code", "client_credentials"], "GenerateSecret": true}),
        ))
        .unwrap_err();
        assert_eq!(
            (e.0.as_str(), exception_name(&e)),
            (CLIENT_CREDENTIALS_ALONE, "InvalidOAuthFlowException")
        );
        let m2m = json!({"AllowedOAuthFlows": ["client_credentials"], "AllowedOAuthScopes": ["api/read"], "CallbackURLs": []});
        assert_eq!(err(oauth(m2m.clone())), CLIENT_CREDENTIALS_SECRET);
        let mut with_secret = oauth(m2m);
        with_secret["GenerateSecret"] = json!(true);
        let s = create(with_secret).unwrap();
        assert_eq!(s.custom_scopes(), ["api/read"]);
        assert!(
            s.check_secret_requirement(false).is_err() && s.check_secret_requirement(true).is_ok()
        );
        assert_eq!(
            err(oauth(
                json!({"AllowedOAuthFlows": ["client_credentials"], "GenerateSecret": true})
            )),
            "openid is not supported with client_credentials flow"
        );
        assert!(err(oauth(json!({"AllowedOAuthFlows": ["password"]})))
            .contains("[code, implicit, client_credentials]"));
        assert_eq!(
            err(oauth(json!({"AllowedOAuthScopes": ["openid", "admin"]}))),
            "Invalid scope requested: admin"
        );
        assert!(err(oauth(json!({"AllowedOAuthScopes": ["a b/c"]}))).contains("pattern"));
        // Without the switch, OAuth members are kept but not required.
        let off = create(json!({"ClientName": "a", "AllowedOAuthFlows": ["implicit"], "AllowedOAuthScopes": ["openid"],
            "CallbackURLs": ["https://x.example"]})).unwrap();
        assert!(!off.oauth_enabled() && off.allowed_oauth_flows() == ["implicit"]);
        assert!(
            create(json!({"ClientName": "a", "AllowedOAuthFlowsUserPoolClient": false})).is_ok()
        );
    }

    #[test]
    fn secrets() {
        let (_, generate) = ClientSettings::from_create_request(
            &json!({"ClientName": "a", "GenerateSecret": true}),
        )
        .unwrap();
        assert!(generate);
        let custom = "abcdefghijklmnopqrstuvwx_+1";
        let req = json!({"ClientName": "a", "ClientSecret": custom});
        assert_eq!(
            ClientSettings::requested_client_secret(&req),
            Ok(Some(custom.into()))
        );
        assert!(ClientSettings::from_create_request(&req).is_ok());
        let both = json!({"ClientName": "a", "ClientSecret": custom, "GenerateSecret": true});
        assert!(ClientSettings::from_create_request(&both)
            .unwrap_err()
            .0
            .contains("GenerateSecret"));
        assert!(
            ClientSettings::requested_client_secret(&json!({"ClientSecret": "short"}))
                .unwrap_err()
                .0
                .contains("24 and 64")
        );
        assert!(ClientSettings::requested_client_secret(
            &json!({"ClientSecret": "x".repeat(23) + "-"})
        )
        .unwrap_err()
        .0
        .contains("pattern"));
        assert!(
            err(json!({"EnablePropagateAdditionalUserContextData": true}))
                .contains("client secret")
        );
        let e = ClientSettings::from_create_request(
            &json!({"ClientName": "a", "EnablePropagateAdditionalUserContextData": true,
            "GenerateSecret": true}),
        );
        assert!(e.is_ok());
    }

    #[test]
    fn update_resets_unspecified_members() {
        let s = create(oauth(json!({"AccessTokenValidity": 5, "TokenValidityUnits": {"AccessToken": "minutes"},
            "PreventUserExistenceErrors": "ENABLED", "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH"],
            "ReadAttributes": ["email"], "AuthSessionValidity": 10})))
        .unwrap();
        let u = s
            .apply_update(&json!({"UserPoolId": "p", "ClientId": "c", "IdTokenValidity": 2}))
            .unwrap();
        assert_eq!(u.client_name, "web");
        assert_eq!(
            (u.access_token_ttl_secs(), u.id_token_ttl_secs()),
            (3_600, 7_200)
        );
        assert!(
            !u.oauth_enabled()
                && u.callback_urls().is_empty()
                && u.allowed_oauth_scopes().is_empty()
        );
        assert!(!u.prevent_user_existence_errors() && u.read_attributes.is_empty());
        assert_eq!(u.explicit_auth_flows(), DEFAULT_EXPLICIT_AUTH_FLOWS);
        assert_eq!(u.auth_session_validity, 3);
        let renamed = s.apply_update(&json!({"ClientName": "renamed"})).unwrap();
        assert_eq!(renamed.client_name, "renamed");
        assert!(s.apply_update(&json!({"ClientName": ""})).is_err());
        assert!(s.apply_update(&json!("not an object")).is_err());
        // Passing back what Describe shows keeps the client as it was.
        let mut described = s.user_pool_client_type(&meta(None));
        described["ClientId"] = json!("abc123");
        assert_eq!(s.apply_update(&described).unwrap(), s);
    }
}
