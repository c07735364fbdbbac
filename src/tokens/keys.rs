//! Per-pool RSA signing keys (RS256), kept in the database and cached.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use aws_lc_rs::encoding::{AsDer, Pkcs8V1Der};
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::KeyPair as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use diesel::prelude::*;
use serde_json::{json, Value};

use crate::db::schema::signing_keys;
use crate::db::{Conn, Db, DbError};

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("signing key: {0}")]
    Crypto(String),
}

impl From<diesel::result::Error> for KeyError {
    fn from(e: diesel::result::Error) -> Self {
        KeyError::Db(DbError::Query(e))
    }
}

/// One signing key and its public JWK.
pub struct PoolKey {
    pub kid: String,
    pub pair: KeyPair,
    pub jwk: Value,
}

impl PoolKey {
    fn from_pkcs8(kid: String, b64: &str) -> Result<PoolKey, KeyError> {
        let der = STANDARD
            .decode(b64)
            .map_err(|e| KeyError::Crypto(e.to_string()))?;
        let pair = KeyPair::from_pkcs8(&der).map_err(|e| KeyError::Crypto(e.to_string()))?;
        let public = pair.public_key();
        let n = public.modulus().big_endian_without_leading_zero();
        let e = public.exponent().big_endian_without_leading_zero();
        let jwk = json!({
            "alg": "RS256",
            "e": URL_SAFE_NO_PAD.encode(e),
            "kid": kid,
            "kty": "RSA",
            "n": URL_SAFE_NO_PAD.encode(n),
            "use": "sig",
        });
        Ok(PoolKey { kid, pair, jwk })
    }
}

/// The keys of each pool, oldest first; the oldest signs.
type PoolKeys = Arc<Vec<Arc<PoolKey>>>;

#[derive(Clone)]
pub struct KeyRing {
    db: Db,
    cache: Arc<RwLock<HashMap<String, PoolKeys>>>,
}

fn load(conn: &mut Conn, pool_id: &str) -> Result<Vec<(String, String)>, KeyError> {
    Ok(signing_keys::table
        .filter(signing_keys::pool_id.eq(pool_id))
        .order((signing_keys::created_at.asc(), signing_keys::kid.asc()))
        .select((signing_keys::kid, signing_keys::private_key))
        .load(conn)?)
}

/// A new 2048-bit key: `(kid, base64 PKCS#8)`. Tens of milliseconds of
/// work, so it runs before, never inside, a write transaction (on
/// PostgreSQL that holds the lock every node's writes wait for).
fn generate() -> Result<(String, String), KeyError> {
    let pair = KeyPair::generate(KeySize::Rsa2048).map_err(|e| KeyError::Crypto(e.to_string()))?;
    let der = AsDer::<Pkcs8V1Der>::as_der(&pair).map_err(|e| KeyError::Crypto(e.to_string()))?;
    Ok((
        crate::directory::ids::random_token(24),
        STANDARD.encode(der.as_ref()),
    ))
}

/// Stores `key` as the pool's first key unless the pool has one by now
/// (another node may have got there first: its key is kept, ours dropped).
/// Runs inside a write transaction, so two nodes cannot both add a first key.
fn insert_if_missing(
    conn: &mut Conn,
    pool_id: &str,
    (kid, pkcs8): (String, String),
    now: i64,
) -> Result<(), KeyError> {
    let existing: i64 = signing_keys::table
        .filter(signing_keys::pool_id.eq(pool_id))
        .count()
        .get_result(conn)?;
    if existing > 0 {
        return Ok(());
    }
    diesel::insert_into(signing_keys::table)
        .values((
            signing_keys::kid.eq(kid),
            signing_keys::pool_id.eq(pool_id),
            signing_keys::private_key.eq(pkcs8),
            signing_keys::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

impl KeyRing {
    pub fn new(db: Db) -> KeyRing {
        KeyRing {
            db,
            cache: Arc::default(),
        }
    }

    /// The pool's keys if this node has read them already.
    pub fn cached(&self, pool_id: &str) -> Option<PoolKeys> {
        self.cache.read().ok().and_then(|c| c.get(pool_id).cloned())
    }

    /// The pool's keys, generating the first one on first use.
    pub async fn keys(&self, pool_id: &str, now: i64) -> Result<PoolKeys, KeyError> {
        if let Some(k) = self.cached(pool_id) {
            return Ok(k);
        }
        let pid = pool_id.to_string();
        let keys = self
            .db
            .run(move |conn| {
                let mut rows = load(conn, &pid)?;
                if rows.is_empty() {
                    // Generated on the blocking pool, once per pool.
                    let key = generate()?;
                    crate::db::write_tx(conn, |conn| insert_if_missing(conn, &pid, key, now))?;
                    rows = load(conn, &pid)?;
                }
                rows.into_iter()
                    .map(|(kid, der)| PoolKey::from_pkcs8(kid, &der).map(Arc::new))
                    .collect::<Result<Vec<_>, KeyError>>()
            })
            .await?;
        let keys = Arc::new(keys);
        if let Ok(mut c) = self.cache.write() {
            c.insert(pool_id.to_string(), keys.clone());
        }
        Ok(keys)
    }

    /// Forgets a deleted pool's keys.
    pub fn forget(&self, pool_id: &str) {
        if let Ok(mut c) = self.cache.write() {
            c.remove(pool_id);
        }
    }

    /// The pool's JWKS document.
    pub async fn jwks(&self, pool_id: &str, now: i64) -> Result<Value, KeyError> {
        let keys = self.keys(pool_id, now).await?;
        Ok(json!({ "keys": keys.iter().map(|k| k.jwk.clone()).collect::<Vec<_>>() }))
    }
}
