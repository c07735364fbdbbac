//! The test OpenID Connect provider (`support::oidc`, "Google" for the
//! federation tests) is a real one: the openidconnect crate as relying party
//! discovers it, signs in with PKCE, state and nonce, verifies the ID token
//! against its JWKS, reads userinfo, and sees Cancel as access_denied.

use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreProviderMetadata, CoreUserInfoClaims,
};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointMaybeSet, EndpointNotSet,
    EndpointSet, IssuerUrl, Nonce, OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier,
    RedirectUrl, Scope, TokenResponse,
};
use serde_json::json;

use crate::helpers::query_param;
use crate::support::oidc::{OidcProvider, ProviderClient};

const CLIENT_ID: &str = "cognate-rp";
const CLIENT_SECRET: &str = "a-client-secret-for-the-harness";
/// Never opened: the sign-in stops at the redirect to it.
const CALLBACK: &str = "http://127.0.0.1:9/federation/callback";

type Rp = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

async fn start_provider(id_token_claims: bool) -> OidcProvider {
    OidcProvider::start(
        vec![ProviderClient {
            client_id: CLIENT_ID.into(),
            client_secret: CLIENT_SECRET.into(),
            redirect_uris: vec![CALLBACK.into()],
        }],
        json!({
            "ana-1": {
                "email": "ana@example.com",
                "email_verified": true,
                "name": "Ana Lima",
                "given_name": "Ana",
            },
        }),
        id_token_claims,
    )
    .await
}

fn rp_http() -> openidconnect::reqwest::Client {
    openidconnect::reqwest::ClientBuilder::new()
        .redirect(openidconnect::reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("browser")
}

async fn relying_party(provider: &OidcProvider, http: &openidconnect::reqwest::Client) -> Rp {
    let issuer = IssuerUrl::new(provider.issuer().to_string()).unwrap();
    let metadata = CoreProviderMetadata::discover_async(issuer, http)
        .await
        .expect("discovery");
    CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(CLIENT_ID.into()),
        Some(ClientSecret::new(CLIENT_SECRET.into())),
    )
    .set_redirect_uri(RedirectUrl::new(CALLBACK.into()).unwrap())
}

/// A fresh authorization request: (URL, state, nonce, PKCE verifier).
fn authorization(rp: &Rp) -> (String, CsrfToken, Nonce, PkceCodeVerifier) {
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, state, nonce) = rp
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new("email".into()))
        .add_scope(Scope::new("profile".into()))
        .set_pkce_challenge(challenge)
        .url();
    (url.to_string(), state, nonce, verifier)
}

#[tokio::test]
async fn the_test_provider_signs_in_a_relying_party_and_reports_cancel() {
    let provider = start_provider(false).await;
    let http = rp_http();
    let rp = relying_party(&provider, &http).await;
    let browser = browser();

    let (url, state, nonce, verifier) = authorization(&rp);
    let back = provider.sign_in(&browser, &url, "ana-1").await;
    assert!(back.starts_with(CALLBACK), "{back}");
    assert_eq!(query_param(&back, "state").as_ref(), Some(state.secret()));
    assert_eq!(
        query_param(&back, "iss").as_deref(),
        Some(provider.issuer())
    );
    let code = query_param(&back, "code").expect("code");

    let tokens = rp
        .exchange_code(AuthorizationCode::new(code))
        .expect("token endpoint known")
        .set_pkce_verifier(verifier)
        .request_async(&http)
        .await
        .expect("code exchange (client_secret_basic, PKCE S256)");
    let id_token = tokens.id_token().expect("ID token");
    let claims = id_token
        .claims(&rp.id_token_verifier(), &nonce)
        .expect("ID token verifies: RS256 signature by the JWKS, iss, aud, exp, nonce");
    assert_eq!(claims.subject().as_str(), "ana-1");
    assert_eq!(claims.issuer().as_str(), provider.issuer());
    assert!(
        claims.email().is_none(),
        "scope claims come from userinfo unless id_token_claims"
    );

    let info: CoreUserInfoClaims = rp
        .user_info(tokens.access_token().clone(), None)
        .expect("userinfo endpoint known")
        .request_async(&http)
        .await
        .expect("userinfo");
    assert_eq!(info.subject().as_str(), "ana-1");
    assert_eq!(info.email().map(|e| e.as_str()), Some("ana@example.com"));
    assert_eq!(info.email_verified(), Some(true));
    let name = info.name().and_then(|n| n.get(None)).map(|n| n.as_str());
    assert_eq!(name, Some("Ana Lima"));

    // Cancel, in the same browser that now has a session at the provider:
    // the login page comes again, and Cancel goes back with access_denied.
    let (url, state, _, _) = authorization(&rp);
    let back = provider.cancel(&browser, &url).await;
    assert!(back.starts_with(CALLBACK), "{back}");
    assert_eq!(
        query_param(&back, "error").as_deref(),
        Some("access_denied")
    );
    assert_eq!(query_param(&back, "state").as_ref(), Some(state.secret()));
    assert_eq!(query_param(&back, "code"), None);
}

#[tokio::test]
async fn with_id_token_claims_the_id_token_carries_the_email_like_google() {
    let provider = start_provider(true).await;
    let http = rp_http();
    let rp = relying_party(&provider, &http).await;

    let (url, _, nonce, verifier) = authorization(&rp);
    let back = provider.sign_in(&browser(), &url, "ana-1").await;
    let code = query_param(&back, "code").expect("code");
    let tokens = rp
        .exchange_code(AuthorizationCode::new(code))
        .expect("token endpoint known")
        .set_pkce_verifier(verifier)
        .request_async(&http)
        .await
        .expect("code exchange");
    let claims = tokens
        .id_token()
        .expect("ID token")
        .claims(&rp.id_token_verifier(), &nonce)
        .expect("ID token verifies");
    assert_eq!(claims.email().map(|e| e.as_str()), Some("ana@example.com"));
    assert_eq!(claims.email_verified(), Some(true));
    let name = claims.name().and_then(|n| n.get(None)).map(|n| n.as_str());
    assert_eq!(name, Some("Ana Lima"));
}
