//! Compact RS256 JWTs: signing and verification over aws-lc-rs.

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{
    KeyPair as _, UnparsedPublicKey, RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_SHA256,
};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Map, Value};

use super::keys::PoolKey;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum JwtError {
    #[error("malformed token")]
    Malformed,
    #[error("unknown signing key")]
    UnknownKey,
    #[error("bad signature")]
    BadSignature,
    #[error("token expired")]
    Expired,
    #[error("signing failed")]
    Signing,
}

/// Signs `claims` with `key`. CPU-bound (~1 ms): call it off the async workers.
pub fn sign(key: &PoolKey, claims: &Value) -> Result<String, JwtError> {
    let header = json!({ "kid": key.kid, "alg": "RS256" });
    let mut out = String::with_capacity(1024);
    out.push_str(&URL_SAFE_NO_PAD.encode(header.to_string()));
    out.push('.');
    out.push_str(&URL_SAFE_NO_PAD.encode(claims.to_string()));
    let mut sig = vec![0u8; key.pair.public_modulus_len()];
    key.pair
        .sign(
            &RSA_PKCS1_SHA256,
            &SystemRandom::new(),
            out.as_bytes(),
            &mut sig,
        )
        .map_err(|_| JwtError::Signing)?;
    out.push('.');
    out.push_str(&URL_SAFE_NO_PAD.encode(sig));
    Ok(out)
}

/// The unverified claims of a token, to find which pool issued it.
pub fn peek_claims(token: &str) -> Result<Map<String, Value>, JwtError> {
    let mut parts = token.split('.');
    let (_h, c) = match (parts.next(), parts.next()) {
        (Some(h), Some(c)) => (h, c),
        _ => return Err(JwtError::Malformed),
    };
    decode_json(c)
}

fn decode_json(part: &str) -> Result<Map<String, Value>, JwtError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|_| JwtError::Malformed)?;
    match serde_json::from_slice(&bytes) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(JwtError::Malformed),
    }
}

/// Verifies signature and expiry against `keys`; returns the claims.
pub fn verify(
    keys: &[std::sync::Arc<PoolKey>],
    token: &str,
    now: i64,
) -> Result<Map<String, Value>, JwtError> {
    let parts: Vec<&str> = token.split('.').collect();
    let [h, c, s] = parts.as_slice() else {
        return Err(JwtError::Malformed);
    };
    let header = decode_json(h)?;
    if header.get("alg").and_then(Value::as_str) != Some("RS256") {
        return Err(JwtError::Malformed);
    }
    let kid = header
        .get("kid")
        .and_then(Value::as_str)
        .ok_or(JwtError::Malformed)?;
    let key = keys
        .iter()
        .find(|k| k.kid == kid)
        .ok_or(JwtError::UnknownKey)?;
    let sig = URL_SAFE_NO_PAD.decode(s).map_err(|_| JwtError::Malformed)?;
    let signed_len = h.len() + 1 + c.len();
    let signed = token.get(..signed_len).ok_or(JwtError::Malformed)?;
    UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, key.pair.public_key().as_ref())
        .verify(signed.as_bytes(), &sig)
        .map_err(|_| JwtError::BadSignature)?;
    let claims = decode_json(c)?;
    let exp = claims
        .get("exp")
        .and_then(Value::as_i64)
        .ok_or(JwtError::Malformed)?;
    if exp <= now {
        return Err(JwtError::Expired);
    }
    Ok(claims)
}
