//! The user operations of the Cognito API that sit beside the console's
//! (`admin_users`): the access-token check with Cognito's answers, finding a
//! user the way the Admin* operations name one, a user's MFA settings,
//! signing out everywhere, deleting, revoking a refresh token, and the
//! filtered user list.
//!
//! Access tokens: a token-authorized operation accepts a valid, unexpired,
//! unrevoked access token of one of this server's pools with the scope
//! `aws.cognito.signin.user.admin`. Otherwise NotAuthorizedException with
//! Cognito's messages: "Access Token has expired", "Access Token has been
//! revoked" (GlobalSignOut, RevokeToken, AdminDisableUser, …), "Access
//! Token does not have required scopes", "Invalid Access Token"; a token of a
//! user deleted since is UserNotFoundException ("User does not exist.").

use serde_json::Value;

use super::admin_users;
use super::oauth::{self, load_client, OAuthError};
use super::{signin, AuthError, Core};
use crate::directory::clients::Client;
use crate::directory::pools::Pool;
use crate::directory::user_admin::{self, Cursor};
use crate::directory::user_filter::{self, Page, UserFilter};
use crate::directory::users::{self, User};
use crate::mfa::{self, UserMfa};
use crate::tokens::jwt;

/// The scope that opens the user's own operations.
pub const ADMIN_SCOPE: &str = "aws.cognito.signin.user.admin";

pub const TOKEN_EXPIRED: &str = "Access Token has expired";
pub const TOKEN_REVOKED: &str = "Access Token has been revoked";
pub const TOKEN_INVALID: &str = "Invalid Access Token";
pub const TOKEN_SCOPES: &str = "Access Token does not have required scopes";

/// Why `oauth::verify_access_token` refused a token, as Cognito says it.
#[derive(Debug, PartialEq, Eq)]
enum Refusal {
    Expired,
    Revoked,
    Invalid,
}

fn refusal(e: &OAuthError) -> Option<Refusal> {
    match e {
        OAuthError::InvalidToken(m) if m == oauth::TOKEN_EXPIRED => Some(Refusal::Expired),
        OAuthError::InvalidToken(m) if m == oauth::TOKEN_REVOKED => Some(Refusal::Revoked),
        OAuthError::InvalidToken(_) => Some(Refusal::Invalid),
        // The database or the keys failed: not the token's fault.
        _ => None,
    }
}

/// The signed-in user an access token stands for.
pub struct TokenUser {
    pub user: User,
    pub pool: Pool,
    /// The app client the token was issued to.
    pub client: Client,
    /// The user's MFA record, read with the rest.
    pub mfa: UserMfa,
}

async fn user_by_sub(core: &Core, sub: &str) -> Result<Option<User>, AuthError> {
    let sub = sub.to_string();
    Ok(core
        .db
        .run(move |conn| users::find_by_sub(conn, &sub))
        .await?)
}

/// The user an access token stands for, without the pool's settings: what
/// GetUser shows.
pub struct TokenProfile {
    pub user: User,
    /// The app client the token was issued to.
    pub client: Client,
    pub mfa: UserMfa,
}

/// Checks an access token for a token-authorized operation.
pub async fn access_token_user(core: &Core, token: &str, now: i64) -> Result<TokenUser, AuthError> {
    let (pool, t) = checked_token(core, token, now, oauth::WithPool::Yes).await?;
    let pool = pool.ok_or_else(|| AuthError::Internal("the token's pool was not read".into()))?;
    Ok(TokenUser {
        user: t.user,
        pool,
        client: t.client,
        mfa: t.mfa,
    })
}

/// [`access_token_user`] without reading the pool.
pub async fn access_token_profile(
    core: &Core,
    token: &str,
    now: i64,
) -> Result<TokenProfile, AuthError> {
    Ok(checked_token(core, token, now, oauth::WithPool::No)
        .await?
        .1)
}

async fn checked_token(
    core: &Core,
    token: &str,
    now: i64,
    with_pool: oauth::WithPool,
) -> Result<(Option<Pool>, TokenProfile), AuthError> {
    let not_authorized = |m: &str| AuthError::NotAuthorized(m.to_string());
    let checked = match oauth::verify_access_token(core, token, now, with_pool).await {
        Ok(c) => c,
        Err(e) => {
            return Err(match refusal(&e) {
                Some(Refusal::Expired) => not_authorized(TOKEN_EXPIRED),
                Some(Refusal::Revoked) => {
                    // The signature held: a user deleted since is named.
                    let sub = jwt::peek_claims(token)
                        .ok()
                        .and_then(|c| c.get("sub").and_then(Value::as_str).map(str::to_string))
                        .unwrap_or_default();
                    match user_by_sub(core, &sub).await? {
                        None => AuthError::UserNotFound,
                        Some(_) => not_authorized(TOKEN_REVOKED),
                    }
                }
                Some(Refusal::Invalid) => not_authorized(TOKEN_INVALID),
                None => AuthError::Internal(e.to_string()),
            });
        }
    };
    let scope = checked.claims.get("scope").and_then(Value::as_str);
    if !scope
        .unwrap_or_default()
        .split_whitespace()
        .any(|s| s == ADMIN_SCOPE)
    {
        return Err(not_authorized(TOKEN_SCOPES));
    }
    let oauth::CheckedAccessToken {
        pool, client, user, ..
    } = checked;
    let (user, mfa) = user.ok_or(AuthError::UserNotFound)?;
    if user.pool_id != client.pool_id {
        return Err(not_authorized(TOKEN_INVALID));
    }
    if !user.enabled {
        return Err(not_authorized("User is disabled."));
    }
    Ok((pool, TokenProfile { user, client, mfa }))
}

/// A user of `pool` as the Admin* operations name one: by user name, by an
/// alias the pool signs in with, or by `sub`.
pub async fn find_user(core: &Core, pool: &Pool, name: &str) -> Result<User, AuthError> {
    if let Some(u) = signin::find_user(core, pool, name).await? {
        return Ok(u);
    }
    let (pool_id, sub) = (pool.id.clone(), name.to_string());
    core.db
        .run(move |conn| user_admin::find(conn, &pool_id, &sub))
        .await?
        .ok_or(AuthError::UserNotFound)
}

/// A user's MFA, as GetUser and AdminGetUser report it.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct MfaSettings {
    /// `UserMFASettingList`: `SMS_MFA`, `SOFTWARE_TOKEN_MFA`.
    pub enabled: Vec<&'static str>,
    /// `PreferredMfaSetting`.
    pub preferred: Option<String>,
    /// The legacy `MFAOptions`: SMS to the phone number when SMS MFA is on.
    pub sms_option: bool,
}

impl MfaSettings {
    pub fn of(record: &UserMfa) -> MfaSettings {
        let mut enabled = Vec::new();
        if record.sms_enabled {
            enabled.push(mfa::SMS_MFA);
        }
        if record.has_totp() {
            enabled.push(mfa::SOFTWARE_TOKEN_MFA);
        }
        MfaSettings {
            enabled,
            preferred: record.preferred.clone(),
            sms_option: record.sms_enabled,
        }
    }
}

pub async fn mfa_settings(core: &Core, user: &User) -> Result<MfaSettings, AuthError> {
    let sub = user.sub.clone();
    let record = core.db.run(move |conn| mfa::load(conn, &sub)).await?;
    Ok(MfaSettings::of(&record))
}

/// GlobalSignOut / AdminUserGlobalSignOut: refresh tokens (and with them
/// the access tokens of their sign-ins), codes not yet exchanged, API
/// sign-ins waiting for an answer and hosted sessions all end.
pub async fn sign_out_everywhere(
    core: &Core,
    pool: &Pool,
    user: &User,
    now: i64,
) -> Result<(), AuthError> {
    admin_users::sign_out_everywhere(core, pool, user.sub.as_str(), now).await
}

/// DeleteUser / AdminDeleteUser: the user and everything of it.
pub async fn delete_user(core: &Core, pool: &Pool, user: &User) -> Result<(), AuthError> {
    admin_users::delete_user(core, pool, user.sub.as_str()).await
}

/// Why RevokeToken refused, by Cognito's exception.
#[derive(Debug, thiserror::Error)]
pub enum RevokeError {
    /// UnauthorizedException: an unknown client, or a wrong or missing
    /// secret (the endpoint's `invalid_client`).
    #[error("Invalid client credentials.")]
    Unauthorized,
    /// UnsupportedOperationException: the client has token revocation off.
    #[error("Token revocation is not enabled for this app client.")]
    Disabled,
    /// UnsupportedTokenTypeException: an access or ID token was sent.
    #[error("Only refresh tokens can be revoked.")]
    UnsupportedTokenType,
    #[error(transparent)]
    Auth(#[from] AuthError),
}

/// RevokeToken: the refresh token of `client_id` and the access tokens of
/// its sign-in stop working. An unknown refresh token, or one of another
/// client, changes nothing and is not an error (RFC 7009, as the revocation
/// endpoint).
pub async fn revoke_refresh_token(
    core: &Core,
    client_id: &str,
    client_secret: Option<&str>,
    token: &str,
) -> Result<(), RevokeError> {
    let (client, _pool) = load_client(core, client_id)
        .await?
        .ok_or(RevokeError::Unauthorized)?;
    if !client.secret_matches(client_secret) {
        return Err(RevokeError::Unauthorized);
    }
    if !client.settings.token_revocation_enabled() {
        return Err(RevokeError::Disabled);
    }
    // Refresh tokens are opaque; a JWT here is an ID or access token.
    if jwt::peek_claims(token).is_ok_and(|c| c.contains_key("token_use")) {
        return Err(RevokeError::UnsupportedTokenType);
    }
    oauth::revoke(core, &client, token)
        .await
        .map_err(|e| AuthError::Internal(e.to_string()))?;
    Ok(())
}

/// One page of ListUsers: the users `filter` selects, after `after`.
pub async fn list_users(
    core: &Core,
    pool: &Pool,
    filter: Option<UserFilter>,
    after: Option<Cursor>,
    limit: i64,
) -> Result<Page, AuthError> {
    let pool_id = pool.id.clone();
    let case_sensitive = pool.settings.case_sensitive_usernames();
    let page = core
        .db
        .run(move |conn| {
            user_filter::list(
                conn,
                &pool_id,
                filter.as_ref(),
                case_sensitive,
                after.as_ref(),
                limit,
            )
        })
        .await?;
    Ok(page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verification_failures_keep_their_kind() {
        let e = |m: &str| OAuthError::InvalidToken(m.into());
        assert_eq!(refusal(&e(oauth::TOKEN_EXPIRED)), Some(Refusal::Expired));
        assert_eq!(refusal(&e(oauth::TOKEN_REVOKED)), Some(Refusal::Revoked));
        assert_eq!(refusal(&e("Invalid access token")), Some(Refusal::Invalid));
        assert_eq!(refusal(&OAuthError::Server("db".into())), None);
    }

    #[test]
    fn mfa_settings_list_what_is_on() {
        let none = MfaSettings::of(&UserMfa::default());
        assert_eq!(none, MfaSettings::default());
        let both = MfaSettings::of(&UserMfa {
            totp_secret: Some("sealed".into()),
            totp_verified: true,
            sms_enabled: true,
            preferred: Some(mfa::SOFTWARE_TOKEN_MFA.into()),
            ..UserMfa::default()
        });
        assert_eq!(both.enabled, vec![mfa::SMS_MFA, mfa::SOFTWARE_TOKEN_MFA]);
        assert_eq!(both.preferred.as_deref(), Some(mfa::SOFTWARE_TOKEN_MFA));
        assert!(both.sms_option);
        // A secret not yet verified is no method.
        let pending = MfaSettings::of(&UserMfa {
            totp_secret: Some("sealed".into()),
            ..UserMfa::default()
        });
        assert!(pending.enabled.is_empty());
    }
}
