//! Federated sign-in: cognate as an OpenID Connect relying party of Google
//! or of any OpenID Connect provider, through the openidconnect crate.
//!
//! [`Federation::start`] builds the authorization request (code flow with
//! PKCE S256, a fresh state and nonce); [`Federation::finish`] exchanges the
//! code, verifies the ID token (signature by the provider's JWKS, `iss`,
//! `aud`, `exp`, `nonce`) and, when the caller needs claims the ID token
//! lacks, reads userinfo (whose `sub` must match). Knows nothing of
//! browsers, sessions or users: it turns a provider and a code into
//! verified claims.
//!
//! Endpoints come from discovery (`{issuer}/.well-known/openid-configuration`,
//! for Google from `COGNATE_GOOGLE_ISSUER_URL`), or for an OIDC provider with
//! explicit `authorize_url`/`token_url`/`attributes_url`/`jwks_uri` from its
//! details. Discovered metadata and keys are reused for five minutes; an ID
//! token signed by a key not yet seen refreshes them once.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use openidconnect::core::{
    CoreAuthDisplay, CoreAuthPrompt, CoreAuthenticationFlow, CoreClientAuthMethod,
    CoreErrorResponseType, CoreGenderClaim, CoreJsonWebKey, CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm, CoreProviderMetadata, CoreResponseType, CoreRevocableToken,
    CoreRevocationErrorResponse, CoreSubjectIdentifierType, CoreTokenIntrospectionResponse,
    CoreTokenType,
};
use openidconnect::{
    AdditionalClaims, AuthType, AuthUrl, AuthorizationCode, ClaimsVerificationError, Client,
    ClientId, ClientSecret, CsrfToken, EmptyAdditionalProviderMetadata, EmptyExtraTokenFields,
    EndpointMaybeSet, EndpointNotSet, EndpointSet, IdTokenFields, IssuerUrl, JsonWebKeySet,
    JsonWebKeySetUrl, Nonce, OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl,
    RequestTokenError, ResponseTypes, Scope, StandardErrorResponse, StandardTokenResponse,
    TokenResponse as _, TokenUrl, UserInfoUrl,
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Google's issuer, the default of `COGNATE_GOOGLE_ISSUER_URL`.
pub const GOOGLE_ISSUER: &str = "https://accounts.google.com";

/// How long discovered metadata and keys are reused.
const METADATA_TTL: Duration = Duration::from_secs(300);
/// The longest cognate waits for a provider.
const HTTP_TIMEOUT: Duration = Duration::from_secs(10);

/// Every claim beyond the standard ones, so that an attribute mapping can
/// name any claim.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct OtherClaims {
    #[serde(flatten)]
    rest: Map<String, Value>,
}

impl AdditionalClaims for OtherClaims {}

type IdFields = IdTokenFields<
    OtherClaims,
    EmptyExtraTokenFields,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;
type ProviderTokens = StandardTokenResponse<IdFields, CoreTokenType>;
type RpClient = Client<
    OtherClaims,
    CoreAuthDisplay,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJsonWebKey,
    CoreAuthPrompt,
    StandardErrorResponse<CoreErrorResponseType>,
    ProviderTokens,
    CoreTokenIntrospectionResponse,
    CoreRevocableToken,
    CoreRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// A provider as the relying party sees it: its kind and its details in
/// Cognito's `ProviderDetails` shape (`client_id`, `client_secret`,
/// `authorize_scopes`, `oidc_issuer`, optional explicit endpoints).
pub struct Provider<'a> {
    pub google: bool,
    pub details: &'a BTreeMap<String, String>,
}

impl Provider<'_> {
    fn detail(&self, key: &str) -> Option<&str> {
        self.details
            .get(key)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum FederationError {
    /// The provider could not be reached, or answered what is not OpenID
    /// Connect.
    #[error("{0}")]
    Unavailable(String),
    /// The provider refused to exchange the code.
    #[error("{0}")]
    Refused(String),
    /// The ID token or userinfo failed validation.
    #[error("{0}")]
    Invalid(String),
    /// The provider's settings cannot be used.
    #[error("{0}")]
    Config(String),
}

/// An authorization request on its way to the provider, and what the
/// browser's session must keep to check the answer.
pub struct Started {
    pub url: String,
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
}

/// What the answer is checked against.
pub struct Expected<'a> {
    pub nonce: &'a str,
    pub pkce_verifier: &'a str,
}

struct Cached {
    fetched: Instant,
    metadata: Arc<CoreProviderMetadata>,
}

pub struct Federation {
    http: reqwest::Client,
    google_issuer: String,
    cache: Mutex<HashMap<String, Cached>>,
}

fn unavailable(what: &str, e: impl std::fmt::Display) -> FederationError {
    FederationError::Unavailable(format!("{what}: {e}"))
}

/// Every asymmetric algorithm: what explicitly configured providers may
/// sign with (never `none`; HMAC only where discovery announces it).
fn asymmetric_algs() -> Vec<CoreJwsSigningAlgorithm> {
    use CoreJwsSigningAlgorithm::*;
    vec![
        RsaSsaPkcs1V15Sha256,
        RsaSsaPkcs1V15Sha384,
        RsaSsaPkcs1V15Sha512,
        RsaSsaPssSha256,
        RsaSsaPssSha384,
        RsaSsaPssSha512,
        EcdsaP256Sha256,
        EcdsaP384Sha384,
        EdDsa,
    ]
}

impl Federation {
    pub fn new(google_issuer: &str) -> Result<Federation, FederationError> {
        let http = reqwest::Client::builder()
            // Discovery and token endpoints never redirect; following one
            // would let a provider point cognate anywhere.
            .redirect(reqwest::redirect::Policy::none())
            .timeout(HTTP_TIMEOUT)
            .connect_timeout(HTTP_TIMEOUT)
            .build()
            .map_err(|e| FederationError::Config(format!("HTTP client: {e}")))?;
        Ok(Federation {
            http,
            google_issuer: google_issuer.trim_end_matches('/').to_string(),
            cache: Mutex::new(HashMap::new()),
        })
    }

    fn issuer_of(&self, p: &Provider<'_>) -> Result<String, FederationError> {
        if p.google {
            return Ok(self.google_issuer.clone());
        }
        p.detail("oidc_issuer")
            .map(str::to_string)
            .ok_or_else(|| FederationError::Config("The provider has no oidc_issuer.".into()))
    }

    /// The provider's metadata and keys: cached, discovered, or built from
    /// explicit endpoints.
    async fn metadata(
        &self,
        p: &Provider<'_>,
        fresh: bool,
    ) -> Result<Arc<CoreProviderMetadata>, FederationError> {
        let issuer = self.issuer_of(p)?;
        let explicit = (!p.google)
            .then(|| {
                Some((
                    p.detail("authorize_url")?,
                    p.detail("token_url")?,
                    p.detail("attributes_url"),
                    p.detail("jwks_uri")?,
                ))
            })
            .flatten();
        let key = match explicit {
            Some((a, t, u, j)) => format!("{issuer} {a} {t} {} {j}", u.unwrap_or_default()),
            None => issuer.clone(),
        };
        if !fresh {
            if let Ok(cache) = self.cache.lock() {
                if let Some(c) = cache.get(&key) {
                    if c.fetched.elapsed() < METADATA_TTL {
                        return Ok(c.metadata.clone());
                    }
                }
            }
        }
        let issuer_url = IssuerUrl::new(issuer.clone())
            .map_err(|e| FederationError::Config(format!("oidc_issuer: {e}")))?;
        let metadata = match explicit {
            None => CoreProviderMetadata::discover_async(issuer_url, &self.http)
                .await
                .map_err(|e| unavailable("OpenID Connect discovery failed", error_chain(&e)))?,
            Some((authorize, token, userinfo, jwks)) => {
                let bad = |what: &str, e: url::ParseError| {
                    FederationError::Config(format!("{what}: {e}"))
                };
                let jwks_url =
                    JsonWebKeySetUrl::new(jwks.to_string()).map_err(|e| bad("jwks_uri", e))?;
                let keys = JsonWebKeySet::fetch_async(&jwks_url, &self.http)
                    .await
                    .map_err(|e| {
                        unavailable("The provider's keys could not be read", error_chain(&e))
                    })?;
                let userinfo = userinfo
                    .map(|u| UserInfoUrl::new(u.to_string()).map_err(|e| bad("attributes_url", e)))
                    .transpose()?;
                CoreProviderMetadata::new(
                    issuer_url,
                    AuthUrl::new(authorize.to_string()).map_err(|e| bad("authorize_url", e))?,
                    jwks_url,
                    vec![ResponseTypes::new(vec![CoreResponseType::Code])],
                    vec![CoreSubjectIdentifierType::Public],
                    asymmetric_algs(),
                    EmptyAdditionalProviderMetadata {},
                )
                .set_token_endpoint(Some(
                    TokenUrl::new(token.to_string()).map_err(|e| bad("token_url", e))?,
                ))
                .set_userinfo_endpoint(userinfo)
                .set_jwks(keys)
            }
        };
        let metadata = Arc::new(metadata);
        if let Ok(mut cache) = self.cache.lock() {
            cache.insert(
                key,
                Cached {
                    fetched: Instant::now(),
                    metadata: metadata.clone(),
                },
            );
        }
        Ok(metadata)
    }

    fn client(
        &self,
        p: &Provider<'_>,
        metadata: &CoreProviderMetadata,
        redirect_uri: &str,
    ) -> Result<RpClient, FederationError> {
        let client_id = p
            .detail("client_id")
            .ok_or_else(|| FederationError::Config("The provider has no client_id.".into()))?;
        let secret = p
            .detail("client_secret")
            .map(|s| ClientSecret::new(s.to_string()));
        // client_secret_basic unless the provider only takes the secret in
        // the body.
        let auth_type = match metadata.token_endpoint_auth_methods_supported() {
            Some(m)
                if !m.contains(&CoreClientAuthMethod::ClientSecretBasic)
                    && m.contains(&CoreClientAuthMethod::ClientSecretPost) =>
            {
                AuthType::RequestBody
            }
            _ => AuthType::BasicAuth,
        };
        let redirect = RedirectUrl::new(redirect_uri.to_string())
            .map_err(|e| FederationError::Config(format!("redirect URI: {e}")))?;
        Ok(RpClient::from_provider_metadata(
            metadata.clone(),
            ClientId::new(client_id.to_string()),
            secret,
        )
        .set_auth_type(auth_type)
        .set_redirect_uri(redirect))
    }

    /// The authorization request for `p`, with new state, nonce and PKCE
    /// verifier.
    pub async fn start(
        &self,
        p: &Provider<'_>,
        redirect_uri: &str,
    ) -> Result<Started, FederationError> {
        let metadata = self.metadata(p, false).await?;
        let client = self.client(p, &metadata, redirect_uri)?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .set_pkce_challenge(challenge);
        // `openid` is always sent; the provider's other scopes as given.
        for scope in p
            .detail("authorize_scopes")
            .unwrap_or("openid")
            .split([' ', ','])
            .filter(|s| !s.is_empty() && *s != "openid")
        {
            request = request.add_scope(Scope::new(scope.to_string()));
        }
        let (url, state, nonce) = request.url();
        Ok(Started {
            url: url.to_string(),
            state: state.secret().clone(),
            nonce: nonce.secret().clone(),
            pkce_verifier: verifier.secret().clone(),
        })
    }

    /// Exchanges `code`, verifies the ID token, and returns its claims —
    /// with userinfo's added when the ID token lacks one of `wanted`.
    pub async fn finish(
        &self,
        p: &Provider<'_>,
        redirect_uri: &str,
        code: &str,
        expected: Expected<'_>,
        wanted: &[&str],
    ) -> Result<Map<String, Value>, FederationError> {
        let metadata = self.metadata(p, false).await?;
        let client = self.client(p, &metadata, redirect_uri)?;
        let tokens = client
            .exchange_code(AuthorizationCode::new(code.to_string()))
            .map_err(|e| FederationError::Config(e.to_string()))?
            .set_pkce_verifier(PkceCodeVerifier::new(expected.pkce_verifier.to_string()))
            .request_async(&self.http)
            .await
            .map_err(|e| match e {
                RequestTokenError::ServerResponse(r) => FederationError::Refused(format!(
                    "The provider refused the authorization code: {}",
                    r.error()
                )),
                other => unavailable("The provider's token endpoint failed", error_chain(&other)),
            })?;
        let id_token = tokens
            .id_token()
            .ok_or_else(|| FederationError::Invalid("The provider sent no ID token.".into()))?;
        let nonce = Nonce::new(expected.nonce.to_string());
        let verified = match id_token.claims(&client.id_token_verifier(), &nonce) {
            Ok(c) => c.clone(),
            // A key the cached set does not have yet: read the keys again.
            Err(ClaimsVerificationError::SignatureVerification(_)) => {
                let metadata = self.metadata(p, true).await?;
                let client = self.client(p, &metadata, redirect_uri)?;
                let verifier = client.id_token_verifier();
                let claims = id_token.claims(&verifier, &nonce).map_err(|e| {
                    FederationError::Invalid(format!("The ID token is not valid: {e}"))
                })?;
                claims.clone()
            }
            Err(e) => {
                return Err(FederationError::Invalid(format!(
                    "The ID token is not valid: {e}"
                )))
            }
        };
        let mut claims = match serde_json::to_value(&verified) {
            Ok(Value::Object(m)) => m,
            _ => {
                return Err(FederationError::Invalid(
                    "The ID token's claims are unreadable.".into(),
                ))
            }
        };
        let missing = wanted.iter().any(|c| !claims.contains_key(*c));
        if missing && metadata.userinfo_endpoint().is_some() {
            let info = client
                .user_info(
                    tokens.access_token().clone(),
                    Some(verified.subject().clone()),
                )
                .map_err(|e| FederationError::Config(e.to_string()))?
                .request_async::<OtherClaims, _, CoreGenderClaim>(&self.http)
                .await
                .map_err(|e| match e {
                    openidconnect::UserInfoError::ClaimsVerification(e) => {
                        FederationError::Invalid(format!(
                            "The provider's userinfo is not valid: {e}"
                        ))
                    }
                    other => unavailable("The provider's userinfo failed", error_chain(&other)),
                })?;
            if let Ok(Value::Object(more)) = serde_json::to_value(&info) {
                for (k, v) in more {
                    claims.entry(k).or_insert(v);
                }
            }
        }
        Ok(claims)
    }
}

/// An error and its causes on one line (the provider's answer bodies are
/// not included: they could carry tokens).
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cur = c.source();
    }
    s
}
