//! Sealing small secrets (TOTP seeds) with AES-256-GCM under the server's
//! MFA key: `base64(nonce || ciphertext+tag)`.

use aws_lc_rs::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use rand::Rng;

/// The key that seals the TOTP secrets.
pub struct SealKey(LessSafeKey);

#[derive(Debug, thiserror::Error)]
#[error("sealed secret: {0}")]
pub struct SealError(&'static str);

impl SealKey {
    /// From 32 key bytes.
    pub fn new(bytes: &[u8]) -> Result<SealKey, SealError> {
        let key = UnboundKey::new(&AES_256_GCM, bytes).map_err(|_| SealError("bad key"))?;
        Ok(SealKey(LessSafeKey::new(key)))
    }

    /// Seals `plain`; `aad` binds it to its owner (the user's sub).
    pub fn seal(&self, plain: &[u8], aad: &str) -> Result<String, SealError> {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rng().fill(&mut nonce);
        let mut buf = plain.to_vec();
        self.0
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(aad.as_bytes()),
                &mut buf,
            )
            .map_err(|_| SealError("cannot seal"))?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&buf);
        Ok(STANDARD.encode(out))
    }

    /// Opens what `seal` made for the same `aad`.
    pub fn open(&self, sealed: &str, aad: &str) -> Result<Vec<u8>, SealError> {
        let raw = STANDARD
            .decode(sealed)
            .map_err(|_| SealError("not base64"))?;
        if raw.len() < NONCE_LEN {
            return Err(SealError("too short"));
        }
        let (n, body) = raw.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(n).map_err(|_| SealError("bad nonce"))?;
        let mut buf = body.to_vec();
        let plain = self
            .0
            .open_in_place(nonce, Aad::from(aad.as_bytes()), &mut buf)
            .map_err(|_| SealError("does not open"))?;
        Ok(plain.to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_binding() {
        let key = SealKey::new(&[7u8; 32]).unwrap();
        let sealed = key.seal(b"secret seed", "user-1").unwrap();
        assert!(!sealed.contains("secret"));
        assert_eq!(key.open(&sealed, "user-1").unwrap(), b"secret seed");
        assert!(key.open(&sealed, "user-2").is_err(), "bound to its owner");
        let other = SealKey::new(&[8u8; 32]).unwrap();
        assert!(other.open(&sealed, "user-1").is_err());
        assert!(key.open("%%%", "user-1").is_err());
        assert!(key.open("", "user-1").is_err());
    }
}
