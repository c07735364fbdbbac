//! Sign-in through the API: after the password, the same steps as the
//! hosted pages (MFA, enrollment, a new password), as Cognito's challenges
//! with a server-side `Session`.

use diesel::prelude::*;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use super::flow::{MfaMethod, MfaStep};
use super::oauth::{self, TokenResponse};
use super::{mfa, signin, AuthError, Core};
use crate::db::schema::auth_sessions as a;
use crate::db::DbError;
use crate::directory::clients::Client;
use crate::directory::ids::random_token;
use crate::directory::pools::Pool;
use crate::directory::users::{self, User};

pub const SOFTWARE_TOKEN_MFA: &str = "SOFTWARE_TOKEN_MFA";
pub const SMS_MFA: &str = "SMS_MFA";
pub const SELECT_MFA_TYPE: &str = "SELECT_MFA_TYPE";
pub const MFA_SETUP: &str = "MFA_SETUP";
/// MFA_SETUP after VerifySoftwareToken succeeded: the answer may come.
const MFA_SETUP_VERIFIED: &str = "MFA_SETUP_VERIFIED";
pub const NEW_PASSWORD_REQUIRED: &str = "NEW_PASSWORD_REQUIRED";

const EXPIRED: &str = "Invalid session for the user, session is expired.";

/// What InitiateAuth / RespondToAuthChallenge answer.
pub enum ApiSignIn {
    Tokens(TokenResponse),
    Challenge {
        name: &'static str,
        session: String,
        parameters: Map<String, Value>,
    },
}

fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A pending challenge, as stored.
pub struct AuthSession {
    id_hash: String,
    pub user: User,
    pub challenge: String,
    pending_secret: Option<String>,
}

async fn open_session(
    core: &Core,
    client: &Client,
    pool: &Pool,
    challenge: &'static str,
    user: &User,
    now: i64,
) -> Result<String, AuthError> {
    let token = random_token(48);
    let (h, pid, cid, uid) = (
        hash(&token),
        pool.id.to_string(),
        client.id.to_string(),
        user.sub.to_string(),
    );
    let until = now + client.settings.auth_session_ttl_secs();
    core.db
        .run(move |conn| {
            diesel::insert_into(a::table)
                .values((
                    a::id_hash.eq(h),
                    a::pool_id.eq(pid),
                    a::client_id.eq(cid),
                    a::user_id.eq(uid),
                    a::challenge.eq(challenge),
                    a::lock_key.eq(""),
                    a::expires_at.eq(until),
                ))
                .execute(conn)
                .map_err(DbError::from)
        })
        .await?;
    Ok(token)
}

/// The live session `token` of `client`, or NotAuthorized.
pub async fn load_session(
    core: &Core,
    client: &Client,
    token: &str,
    now: i64,
) -> Result<AuthSession, AuthError> {
    let (h, cid) = (hash(token), client.id.to_string());
    let row: Option<(String, String, String, Option<String>)> = core
        .db
        .run(move |conn| {
            a::table
                .find(&h)
                .filter(a::client_id.eq(&cid))
                .filter(a::expires_at.gt(now))
                .select((a::id_hash, a::user_id, a::challenge, a::pending_secret))
                .get_result(conn)
                .optional()
                .map_err(DbError::from)
        })
        .await?;
    let Some((id_hash, user_id, challenge, pending_secret)) = row else {
        return Err(AuthError::NotAuthorized(EXPIRED.into()));
    };
    let user = core
        .db
        .run(move |conn| users::find_by_sub(conn, &user_id))
        .await?
        .filter(|u| u.enabled)
        .ok_or_else(|| AuthError::NotAuthorized(EXPIRED.into()))?;
    Ok(AuthSession {
        id_hash,
        user,
        challenge,
        pending_secret,
    })
}

/// Ends a session; only one answer can consume it.
async fn consume(core: &Core, s: &AuthSession) -> Result<(), AuthError> {
    let h = s.id_hash.clone();
    let n = core
        .db
        .run(move |conn| {
            diesel::delete(a::table.find(&h))
                .execute(conn)
                .map_err(DbError::from)
        })
        .await?;
    if n != 1 {
        return Err(AuthError::NotAuthorized(EXPIRED.into()));
    }
    Ok(())
}

async fn set_session(
    core: &Core,
    s: &AuthSession,
    challenge: &'static str,
    pending_secret: Option<String>,
) -> Result<(), AuthError> {
    let h = s.id_hash.clone();
    core.db
        .run(move |conn| {
            diesel::update(a::table.find(&h))
                .set((
                    a::challenge.eq(challenge),
                    a::pending_secret.eq(pending_secret),
                ))
                .execute(conn)
                .map_err(DbError::from)
        })
        .await?;
    Ok(())
}

fn params(user: &User, extra: &[(&str, String)]) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("USER_ID_FOR_SRP".into(), json!(user.username));
    for (k, v) in extra {
        m.insert((*k).to_string(), json!(v));
    }
    m
}

async fn tokens(
    core: &Core,
    client: &Client,
    user: &User,
    now: i64,
) -> Result<ApiSignIn, AuthError> {
    if !user.enabled {
        return Err(AuthError::NotAuthorized("User is disabled.".into()));
    }
    oauth::issue_for_sign_in(core, client, user, now)
        .await
        .map(ApiSignIn::Tokens)
        .map_err(|e| AuthError::Internal(e.to_string()))
}

async fn challenge(
    core: &Core,
    client: &Client,
    pool: &Pool,
    user: &User,
    method: MfaMethod,
    now: i64,
) -> Result<ApiSignIn, AuthError> {
    let (name, extra) = match method {
        MfaMethod::Totp => (SOFTWARE_TOKEN_MFA, vec![]),
        MfaMethod::Sms => {
            let d = mfa::send_sms_code(core, pool, user, now).await?;
            (
                SMS_MFA,
                vec![
                    ("CODE_DELIVERY_DELIVERY_MEDIUM", d.medium.to_string()),
                    ("CODE_DELIVERY_DESTINATION", d.destination),
                ],
            )
        }
    };
    let session = open_session(core, client, pool, name, user, now).await?;
    Ok(ApiSignIn::Challenge {
        name,
        session,
        parameters: params(user, &extra),
    })
}

/// After a right password: tokens, or the next challenge.
pub async fn after_password(
    core: &Core,
    client: &Client,
    pool: &Pool,
    step: signin::SignInStep,
    now: i64,
) -> Result<ApiSignIn, AuthError> {
    let user = match step {
        signin::SignInStep::Authenticated(u) => u,
        signin::SignInStep::ConfirmSignUp(_) => return Err(AuthError::UserNotConfirmed),
        signin::SignInStep::PasswordResetRequired(_) => {
            return Err(AuthError::PasswordResetRequired)
        }
        signin::SignInStep::NewPasswordRequired(u) => {
            let session = open_session(core, client, pool, NEW_PASSWORD_REQUIRED, &u, now).await?;
            let attrs: Map<String, Value> = u
                .attributes
                .iter()
                .filter(|(k, _)| !k.ends_with("_verified"))
                .map(|(k, v)| (k.clone(), json!(v)))
                .collect();
            let parameters = params(
                &u,
                &[
                    ("userAttributes", Value::Object(attrs).to_string()),
                    (
                        "requiredAttributes",
                        json!(signin::missing_required(pool, &u)
                            .iter()
                            .map(|a| format!("userAttributes.{a}"))
                            .collect::<Vec<_>>())
                        .to_string(),
                    ),
                ],
            );
            return Ok(ApiSignIn::Challenge {
                name: NEW_PASSWORD_REQUIRED,
                session,
                parameters,
            });
        }
    };
    mfa_or_tokens(core, client, pool, &user, now).await
}

async fn mfa_or_tokens(
    core: &Core,
    client: &Client,
    pool: &Pool,
    user: &User,
    now: i64,
) -> Result<ApiSignIn, AuthError> {
    match mfa::step_after_password(core, pool, user).await? {
        MfaStep::Done => tokens(core, client, user, now).await,
        MfaStep::Challenge(m) => challenge(core, client, pool, user, m, now).await,
        MfaStep::Select => {
            let session = open_session(core, client, pool, SELECT_MFA_TYPE, user, now).await?;
            Ok(ApiSignIn::Challenge {
                name: SELECT_MFA_TYPE,
                session,
                parameters: params(
                    user,
                    &[(
                        "MFAS_CAN_CHOOSE",
                        "[\"SMS_MFA\",\"SOFTWARE_TOKEN_MFA\"]".into(),
                    )],
                ),
            })
        }
        MfaStep::Setup(_) => {
            let session = open_session(core, client, pool, MFA_SETUP, user, now).await?;
            Ok(ApiSignIn::Challenge {
                name: MFA_SETUP,
                session,
                parameters: params(
                    user,
                    &[("MFAS_CAN_SETUP", "[\"SOFTWARE_TOKEN_MFA\"]".into())],
                ),
            })
        }
        MfaStep::Unavailable => Err(AuthError::NotAuthorized(
            "MFA is required, but no method is available for this user.".into(),
        )),
    }
}

/// RespondToAuthChallenge.
pub async fn respond(
    core: &Core,
    client: &Client,
    pool: &Pool,
    name: &str,
    session: &str,
    responses: &Map<String, Value>,
    now_ms: i64,
) -> Result<ApiSignIn, AuthError> {
    let now = now_ms / 1000;
    let s = load_session(core, client, session, now).await?;
    let answer = |key: &str| {
        responses
            .get(key)
            .and_then(Value::as_str)
            .unwrap_or_default()
    };
    let expected = if s.challenge == MFA_SETUP_VERIFIED {
        MFA_SETUP
    } else {
        s.challenge.as_str()
    };
    if name != expected {
        return Err(AuthError::InvalidParameter(format!(
            "The session expects the {expected} challenge."
        )));
    }
    match name {
        SOFTWARE_TOKEN_MFA | SMS_MFA => {
            let (method, key) = if name == SMS_MFA {
                (MfaMethod::Sms, "SMS_MFA_CODE")
            } else {
                (MfaMethod::Totp, "SOFTWARE_TOKEN_MFA_CODE")
            };
            mfa::check_code(core, pool, &s.user, method, answer(key), now_ms).await?;
            consume(core, &s).await?;
            tokens(core, client, &s.user, now).await
        }
        SELECT_MFA_TYPE => {
            let method = match answer("ANSWER") {
                SMS_MFA => MfaMethod::Sms,
                SOFTWARE_TOKEN_MFA => MfaMethod::Totp,
                _ => {
                    return Err(AuthError::InvalidParameter(
                        "ANSWER must be SMS_MFA or SOFTWARE_TOKEN_MFA.".into(),
                    ))
                }
            };
            consume(core, &s).await?;
            challenge(core, client, pool, &s.user, method, now).await
        }
        MFA_SETUP => {
            if s.challenge != MFA_SETUP_VERIFIED {
                return Err(AuthError::InvalidParameter(
                    "Associate and verify a software token first.".into(),
                ));
            }
            consume(core, &s).await?;
            tokens(core, client, &s.user, now).await
        }
        NEW_PASSWORD_REQUIRED => {
            let given: Vec<(String, String)> = responses
                .iter()
                .filter_map(|(k, v)| {
                    let name = k.strip_prefix("userAttributes.")?;
                    Some((name.to_string(), v.as_str()?.to_string()))
                })
                .collect();
            let user = signin::complete_new_password(
                core,
                pool,
                &s.user,
                answer("NEW_PASSWORD"),
                &given,
                now,
            )
            .await?;
            consume(core, &s).await?;
            mfa_or_tokens(core, client, pool, &user, now).await
        }
        _ => Err(AuthError::InvalidParameter(format!(
            "Unknown challenge {name}."
        ))),
    }
}

/// AssociateSoftwareToken with a Session (during MFA_SETUP): a new secret,
/// kept with the session until verified.
pub async fn associate_in_session(
    core: &Core,
    client: &Client,
    session: &str,
    now: i64,
) -> Result<String, AuthError> {
    let s = load_session(core, client, session, now).await?;
    if s.challenge != MFA_SETUP {
        return Err(AuthError::NotAuthorized(EXPIRED.into()));
    }
    let sealed = mfa::new_totp_secret(core, &s.user)?;
    let secret = mfa::open_secret(core, &s.user, &sealed)?;
    set_session(core, &s, MFA_SETUP, Some(sealed)).await?;
    Ok(crate::mfa::secret_text(&secret))
}

/// VerifySoftwareToken with a Session: enrolls the app when the code is right.
pub async fn verify_in_session(
    core: &Core,
    client: &Client,
    pool: &Pool,
    session: &str,
    code: &str,
    now_ms: i64,
) -> Result<(), AuthError> {
    let now = now_ms / 1000;
    let s = load_session(core, client, session, now).await?;
    let Some(sealed) = s
        .pending_secret
        .clone()
        .filter(|_| s.challenge == MFA_SETUP)
    else {
        return Err(AuthError::NotAuthorized(EXPIRED.into()));
    };
    mfa::verify_totp_setup(core, pool, &s.user, &sealed, code, now_ms).await?;
    set_session(core, &s, MFA_SETUP_VERIFIED, None).await
}

/// The client a live session belongs to.
pub async fn session_client_id(core: &Core, token: &str, now: i64) -> Result<String, AuthError> {
    let h = hash(token);
    core.db
        .run(move |conn| {
            a::table
                .find(&h)
                .filter(a::expires_at.gt(now))
                .select(a::client_id)
                .get_result::<String>(conn)
                .optional()
                .map_err(DbError::from)
        })
        .await?
        .ok_or_else(|| AuthError::NotAuthorized(EXPIRED.into()))
}
