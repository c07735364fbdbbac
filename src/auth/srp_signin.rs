//! USER_SRP_AUTH: `InitiateAuth` with `SRP_A` answers the
//! `PASSWORD_VERIFIER` challenge (`SALT`, `SRP_B`, `SECRET_BLOCK`,
//! `USERNAME`, `USER_ID_FOR_SRP`); the client proves the password with
//! `PASSWORD_CLAIM_SIGNATURE` over `TIMESTAMP`, and from there the sign-in
//! takes exactly the steps of a password sign-in
//! ([`signin::sign_in_with`]: lockout counted first, then the user's state).
//!
//! The server keeps no state for the math: at `InitiateAuth` it computes
//! `B` and the shared key at once ([`srp::server_session`]) and seals the
//! key, the user and an expiry into `SECRET_BLOCK` (AES-256-GCM under the
//! server's SRP key, bound to the pool and the client). The block is single
//! use: a row in `auth_sessions` (its id's hash) is deleted by the first
//! answer, right or wrong, so a replayed answer fails. It expires with the
//! client's `AuthSessionValidity` (3 minutes by default), and the answer's
//! `TIMESTAMP` must be within 5 minutes of the server's clock. A password
//! changed in between voids the challenge (the salt changes with it).
//!
//! An unknown user (where PreventUserExistenceErrors hides them), or one
//! without a verifier (a password set before SRP was stored, an external
//! user), gets a stand-in challenge: a `SALT`, a verifier and (where user
//! names are e-mails or phone numbers) a `USER_ID_FOR_SRP` derived with
//! HMAC under the server key from the typed name, so they are the same at
//! every try; the answer then fails exactly like a wrong password.
//!
//! `InitiateAuth` returns no `Session` with this challenge (as Cognito:
//! pycognito does not send one back); one sent is ignored.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use diesel::prelude::*;
use hmac::{Hmac, Mac};
use rand::Rng;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::signin::{self, SignInStep, BAD_CREDENTIALS};
use super::{srp, AuthError, Core};
use crate::db::schema::auth_sessions as a;
use crate::db::{write_tx, DbError};
use crate::directory::clients::Client;
use crate::directory::ids::Username;
use crate::directory::pools::Pool;
use crate::directory::users::{self, User};
use crate::directory::DirectoryError;
use crate::mfa::seal::{SealError, SealKey};

pub const PASSWORD_VERIFIER: &str = "PASSWORD_VERIFIER";
/// How far the answer's TIMESTAMP may be from the server's clock.
pub const TIMESTAMP_SKEW_SECS: i64 = 5 * 60;
const EXPIRED: &str = "Invalid session for the user, session is expired.";

/// The server's SRP keys, derived from one stored secret: one seals
/// `SECRET_BLOCK`, one derives the stand-in challenges of unknown users.
/// No `Debug`: never printed.
pub struct SrpKeys {
    seal: SealKey,
    stand_in: [u8; 32],
}

fn hmac(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC accepts every key length"));
    for p in parts {
        mac.update(p);
        mac.update(&[0]);
    }
    mac.finalize().into_bytes().into()
}

impl SrpKeys {
    /// From the stored secret (32 random bytes).
    pub fn new(secret: &[u8]) -> Result<SrpKeys, SealError> {
        Ok(SrpKeys {
            seal: SealKey::new(&hmac(secret, &[b"cognate srp secret block"]))?,
            stand_in: hmac(secret, &[b"cognate srp stand-in"]),
        })
    }

    fn derive(&self, label: &str, pool: &Pool, name_key: &str) -> [u8; 32] {
        hmac(
            &self.stand_in,
            &[
                label.as_bytes(),
                pool.id.as_str().as_bytes(),
                name_key.as_bytes(),
            ],
        )
    }
}

/// What `SECRET_BLOCK` carries, sealed.
#[derive(Serialize, Deserialize)]
struct Block {
    /// Random; the single-use row is keyed by its hash.
    id: String,
    /// Unix seconds.
    exp: i64,
    /// The key the signature is made with (hex).
    key: String,
    /// The SALT sent: a password changed since then changes it.
    salt: String,
    /// The user's sub; empty for a stand-in.
    sub: String,
    /// USER_ID_FOR_SRP.
    uid: String,
    /// The name typed at InitiateAuth (the lockout counts against it).
    name: String,
}

fn block_aad(pool: &Pool, client: &Client) -> String {
    format!(
        "srp-secret-block|{}|{}",
        pool.id.as_str(),
        client.id.as_str()
    )
}

fn row_id(block_id: &str) -> String {
    hex::encode(Sha256::digest(format!("srp:{block_id}").as_bytes()))
}

/// The name's lookup key (its case folded where the pool folds case), or
/// the name itself where it cannot be a user name.
fn name_key(pool: &Pool, username: &str) -> String {
    Username::parse(username)
        .map(|n| n.key(pool.settings.case_sensitive_usernames()))
        .unwrap_or_else(|_| username.to_string())
}

/// USER_ID_FOR_SRP of a stand-in: the typed name where a user could have
/// that as their user name, else a stable UUID-shaped id, as a user whose
/// e-mail or phone number is the username has.
fn stand_in_user_id(core: &Core, pool: &Pool, username: &str, key: &str) -> String {
    let plain = pool.settings.username_attributes().is_empty()
        && Username::parse(username)
            .ok()
            .is_some_and(|n| super::signup::check_not_alias_shaped(pool, &n).is_ok());
    if plain {
        return username.to_string();
    }
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&core.srp_keys.derive("user id", pool, key)[..16]);
    uuid::Builder::from_random_bytes(bytes)
        .into_uuid()
        .to_string()
}

fn internal(e: impl std::fmt::Display) -> AuthError {
    AuthError::Internal(e.to_string())
}

/// InitiateAuth / AdminInitiateAuth with USER_SRP_AUTH: the
/// PASSWORD_VERIFIER challenge's parameters. `reveal_missing` is false
/// where PreventUserExistenceErrors is on.
pub async fn initiate(
    core: &Core,
    client: &Client,
    pool: &Pool,
    username: &str,
    srp_a: &str,
    reveal_missing: bool,
    now: i64,
) -> Result<Map<String, Value>, AuthError> {
    let invalid_a = || AuthError::InvalidParameter("SRP_A is not a valid SRP value.".into());
    let a_bytes = srp::parse_hex(srp_a).ok_or_else(invalid_a)?;
    let (p, name) = (pool.clone(), username.to_string());
    let (user, stored): (Option<User>, Option<(String, String)>) = core
        .db
        .run(move |conn| {
            let user = signin::find_user_in(conn, &p, &name)?;
            let sub = user.as_ref().map(|u| u.sub.to_string()).unwrap_or_default();
            let stored = users::srp_verifier(conn, &sub)?;
            Ok::<_, DirectoryError>((user, stored))
        })
        .await?;
    if user.is_none() && reveal_missing {
        return Err(AuthError::UserNotFound);
    }
    let key = name_key(pool, username);
    let stored = stored.and_then(|(salt, v)| Some((salt, srp::parse_hex(&v)?)));
    let (salt_hex, verifier) = match stored {
        Some(s) => s,
        None => {
            let mut salt = [0u8; 16];
            salt.copy_from_slice(&core.srp_keys.derive("salt", pool, &key)[..16]);
            salt[0] = salt[0].max(0x10);
            let seed = core.srp_keys.derive("verifier", pool, &key);
            (srp::to_hex(&salt), srp::stand_in_verifier(&seed).to_vec())
        }
    };
    let user_id = match &user {
        Some(u) => u.username.clone(),
        None => stand_in_user_id(core, pool, username, &key),
    };
    let session = tokio::task::spawn_blocking(move || srp::server_session(&a_bytes, &verifier))
        .await
        .map_err(internal)?
        .map_err(|_| invalid_a())?;
    let mut id = [0u8; 16];
    rand::rng().fill(&mut id);
    let block = Block {
        id: hex::encode(id),
        exp: now + client.settings.auth_session_ttl_secs(),
        key: hex::encode(session.key),
        salt: salt_hex.clone(),
        sub: user.as_ref().map(|u| u.sub.to_string()).unwrap_or_default(),
        uid: user_id.clone(),
        name: username.to_string(),
    };
    let plain = serde_json::to_vec(&block).map_err(internal)?;
    let sealed = core
        .srp_keys
        .seal
        .seal(&plain, &block_aad(pool, client))
        .map_err(internal)?;
    let (h, pid, cid, exp) = (
        row_id(&block.id),
        pool.id.to_string(),
        client.id.to_string(),
        block.exp,
    );
    let sub = user.as_ref().map(|u| u.sub.to_string());
    core.db
        .run(move |conn| {
            write_tx(conn, |conn| {
                // The pool's expired challenges go: the one write every
                // InitiateAuth makes, for known and unknown users alike.
                diesel::delete(
                    a::table
                        .filter(a::pool_id.eq(&pid))
                        .filter(a::expires_at.le(now)),
                )
                .execute(conn)?;
                if let Some(sub) = sub {
                    diesel::insert_into(a::table)
                        .values((
                            a::id_hash.eq(h),
                            a::pool_id.eq(&pid),
                            a::client_id.eq(cid),
                            a::user_id.eq(sub),
                            a::challenge.eq(PASSWORD_VERIFIER),
                            a::lock_key.eq(""),
                            a::expires_at.eq(exp),
                        ))
                        .execute(conn)?;
                }
                Ok::<_, diesel::result::Error>(())
            })
            .map_err(DbError::from)
        })
        .await?;
    let mut m = Map::new();
    m.insert("SALT".into(), json!(salt_hex));
    m.insert("SECRET_BLOCK".into(), json!(sealed));
    m.insert("SRP_B".into(), json!(srp::to_hex(&session.big_b)));
    m.insert("USERNAME".into(), json!(user_id));
    m.insert("USER_ID_FOR_SRP".into(), json!(user_id));
    Ok(m)
}

/// RespondToAuthChallenge / AdminRespondToAuthChallenge with
/// PASSWORD_VERIFIER: checks the claim, then the password step's answer.
pub async fn respond(
    core: &Core,
    client: &Client,
    pool: &Pool,
    responses: &Map<String, Value>,
    reveal_missing: bool,
    now_ms: i64,
) -> Result<SignInStep, AuthError> {
    let now = now_ms / 1000;
    let field = |k: &str| {
        responses
            .get(k)
            .and_then(Value::as_str)
            .ok_or_else(|| AuthError::InvalidParameter(format!("Missing required parameter {k}")))
    };
    let username = field("USERNAME")?;
    let sealed = field("PASSWORD_CLAIM_SECRET_BLOCK")?;
    let signature = field("PASSWORD_CLAIM_SIGNATURE")?;
    let timestamp = field("TIMESTAMP")?;
    let bad = || AuthError::NotAuthorized(BAD_CREDENTIALS.into());
    let block: Block = core
        .srp_keys
        .seal
        .open(sealed, &block_aad(pool, client))
        .ok()
        .and_then(|plain| serde_json::from_slice(&plain).ok())
        .ok_or_else(bad)?;
    if block.exp <= now {
        return Err(AuthError::NotAuthorized(EXPIRED.into()));
    }
    if username != block.uid && username != block.name {
        return Err(bad());
    }
    let at = srp::parse_timestamp(timestamp).ok_or_else(|| {
        AuthError::InvalidParameter(
            "TIMESTAMP must look like \"Tue Sep 3 07:01:12 UTC 2024\".".into(),
        )
    })?;
    if (at - now).abs() > TIMESTAMP_SKEW_SECS {
        return Err(AuthError::NotAuthorized(
            "TIMESTAMP is more than 5 minutes away from the server's time.".into(),
        ));
    }
    let key: [u8; 16] = hex::decode(&block.key)
        .ok()
        .and_then(|k| k.try_into().ok())
        .ok_or_else(bad)?;
    // `open` succeeded, so the block is valid base64.
    let block_bytes = STANDARD.decode(sealed).unwrap_or_default();
    let expected = srp::claim_signature(
        &key,
        srp::pool_name(pool.id.as_str()),
        &block.uid,
        &block_bytes,
        timestamp,
    );
    let given = STANDARD.decode(signature).unwrap_or_default();
    let signature_ok = bool::from(expected.as_slice().ct_eq(given.as_slice()));
    let (h, cid) = (row_id(&block.id), client.id.to_string());
    let Block {
        salt: block_salt,
        sub: block_sub,
        name,
        ..
    } = block;
    signin::sign_in_with(
        core,
        pool,
        &name,
        reveal_missing,
        now_ms,
        |user| async move {
            // Single use: the first answer spends the challenge, right or wrong.
            let spent = core
                .db
                .run(move |conn| {
                    diesel::delete(
                        a::table
                            .find(&h)
                            .filter(a::client_id.eq(&cid))
                            .filter(a::challenge.eq(PASSWORD_VERIFIER))
                            .filter(a::expires_at.gt(now)),
                    )
                    .execute(conn)
                    .map_err(DbError::from)
                })
                .await?
                == 1;
            let sub = user
                .filter(|u| !block_sub.is_empty() && u.sub.as_str() == block_sub)
                .map(|u| u.sub.to_string())
                .unwrap_or_default();
            let stored = core
                .db
                .run(move |conn| users::srp_verifier(conn, &sub))
                .await?;
            let same_password = stored.is_some_and(|(salt, _)| salt == block_salt);
            Ok(spent && same_password && signature_ok)
        },
    )
    .await
}
