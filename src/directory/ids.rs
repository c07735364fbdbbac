//! Identifier newtypes, made only through their parsing constructors.

use rand::distr::{Alphanumeric, SampleString};
use rand::Rng;

macro_rules! id_type {
    ($name:ident) => {
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);

        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}

id_type!(PoolId);
id_type!(ClientId);
id_type!(UserSub);

impl PoolId {
    /// A new id: `{region}_{9 alphanumerics}`.
    pub fn generate(region: &str) -> PoolId {
        let suffix = Alphanumeric.sample_string(&mut rand::rng(), 9);
        PoolId(format!("{region}_{suffix}"))
    }

    /// Parses a pool id as Cognito shapes it (`[\w-]+_[0-9a-zA-Z]+`, at most 55).
    pub fn parse(s: &str) -> Option<PoolId> {
        let (region, suffix) = s.rsplit_once('_')?;
        let ok = s.len() <= 55
            && !region.is_empty()
            && region
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            && !suffix.is_empty()
            && suffix.chars().all(|c| c.is_ascii_alphanumeric());
        ok.then(|| PoolId(s.to_string()))
    }
}

impl ClientId {
    /// A new id: 26 lowercase alphanumerics, as Cognito makes them.
    pub fn generate() -> ClientId {
        ClientId(lower_alnum(26))
    }

    /// Parses a client id (`[\w+]+`, at most 128).
    pub fn parse(s: &str) -> Option<ClientId> {
        let ok = !s.is_empty()
            && s.len() <= 128
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '+');
        ok.then(|| ClientId(s.to_string()))
    }
}

impl UserSub {
    pub fn generate() -> UserSub {
        UserSub(uuid::Uuid::new_v4().to_string())
    }

    /// Trusted values read back from the database.
    pub(crate) fn from_db(s: String) -> UserSub {
        UserSub(s)
    }
}

impl PoolId {
    pub(crate) fn from_db(s: String) -> PoolId {
        PoolId(s)
    }
}

impl ClientId {
    pub(crate) fn from_db(s: String) -> ClientId {
        ClientId(s)
    }
}

/// Random lowercase letters and digits, from the thread CSPRNG.
pub fn lower_alnum(n: usize) -> String {
    const CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::rng();
    (0..n)
        .map(|_| CHARS[rng.random_range(0..CHARS.len())] as char)
        .collect()
}

/// A URL-safe random token with `bytes` bytes of entropy.
pub fn random_token(bytes: usize) -> String {
    use base64::Engine;
    let mut buf = vec![0u8; bytes];
    rand::rng().fill(&mut buf[..]);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pool_ids_round_trip() {
        let id = PoolId::generate("us-east-1");
        assert_eq!(id.as_str().len(), "us-east-1_".len() + 9);
        assert_eq!(PoolId::parse(id.as_str()), Some(id));
        assert!(PoolId::parse("nounderscore").is_none());
        assert!(PoolId::parse("local_").is_none());
        assert!(PoolId::parse("local_a b").is_none());
    }

    #[test]
    fn client_ids_round_trip() {
        let id = ClientId::generate();
        assert_eq!(id.as_str().len(), 26);
        assert_eq!(ClientId::parse(id.as_str()), Some(id));
        assert!(ClientId::parse("").is_none());
        assert!(ClientId::parse("x/y").is_none());
    }
}

/// A user name as Cognito accepts it: 1 to 128 characters, no white space
/// or control characters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Username(String);

impl Username {
    pub fn parse(s: &str) -> Result<Username, super::InvalidParameter> {
        let n = s.chars().count();
        if n == 0 || n > 128 {
            return Err(super::InvalidParameter(
                "Username must be between 1 and 128 characters.".into(),
            ));
        }
        if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(super::InvalidParameter(
                "Username cannot contain spaces or control characters.".into(),
            ));
        }
        Ok(Username(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The unique lookup key: lowercased when the pool is case-insensitive.
    pub fn key(&self, case_sensitive: bool) -> String {
        if case_sensitive {
            self.0.clone()
        } else {
            self.0.to_lowercase()
        }
    }
}
