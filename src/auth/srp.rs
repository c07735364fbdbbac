//! Cognito's SRP-6a (`USER_SRP_AUTH`), byte for byte as its clients
//! (amazon-cognito-identity-js's `AuthenticationHelper`, pycognito's
//! `aws_srp`) compute it. Pure functions: no I/O, no clock.
//!
//! - The group: the 3072-bit MODP prime of RFC 3526 / RFC 5054, `g = 2`.
//! - `H` is SHA-256; `PAD(n)` is the clients' `padHex`: the shortest
//!   big-endian bytes of `n`, with a `00` byte in front when the top bit is
//!   set (Java's `BigInteger.toByteArray`). So `k = H(00 | N | 02)`.
//! - `x = H(PAD(salt) | H(poolName | userId | ":" | password))`, where
//!   `poolName` is the pool id after `_` and `userId` is `USER_ID_FOR_SRP`
//!   (the user's stored user name); the verifier is `v = g^x mod N`.
//! - The server's `B = (k·v + g^b) mod N`; `u = H(PAD(A) | PAD(B))`;
//!   `S = (A·v^u)^b mod N`.
//! - The key is HKDF-SHA256 with salt `PAD(u)` over `PAD(S)`, info
//!   `"Caldera Derived Key"`, 16 bytes.
//! - `PASSWORD_CLAIM_SIGNATURE = base64(HMAC-SHA256(key, poolName | userId
//!   | SECRET_BLOCK bytes | TIMESTAMP))`.
//!
//! The arithmetic is crypto-bigint's: fixed-size 3072-bit integers and
//! Montgomery exponentiation that is constant-time in the exponent (`b`, `x`,
//! `u` are secret or password-derived). crypto-bigint is already in the build
//! (through the elliptic-curve crates of openidconnect), so it adds nothing
//! to compile. Every function here is CPU work: callers run it on the
//! blocking pool.

use std::sync::LazyLock;

use crypto_bigint::modular::{FixedMontyForm, FixedMontyParams};
use crypto_bigint::{Odd, U256, U3072};
use hmac::{Hmac, Mac};
use rand::Rng;
use sha2::{Digest, Sha256};

/// The 3072-bit prime, as the clients spell it.
pub const N_HEX: &str = concat!(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD1",
    "29024E088A67CC74020BBEA63B139B22514A08798E3404DD",
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245",
    "E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED",
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3D",
    "C2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F",
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D",
    "670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B",
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9",
    "DE2BCBF6955817183995497CEA956AE515D2261898FA0510",
    "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64",
    "ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7",
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6B",
    "F12FFA06D98A0864D87602733EC86A64521F2B18177B200C",
    "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB31",
    "43DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF",
);

/// Bytes of a number below `N`.
pub const N_BYTES: usize = 384;
/// Bytes of a new salt.
const SALT_BYTES: usize = 16;
const INFO: &[u8] = b"Caldera Derived Key";

const LIMBS: usize = U3072::LIMBS;
type Monty = FixedMontyForm<LIMBS>;

/// The prime as a constant: parsed at compile time, so nothing can fail.
const N: Odd<U3072> = Odd::<U3072>::from_be_hex(N_HEX);

struct Group {
    params: FixedMontyParams<LIMBS>,
    g: Monty,
    k: Monty,
}

static GROUP: LazyLock<Group> = LazyLock::new(|| {
    // N is public: its set-up may take variable time.
    let params = FixedMontyParams::new_vartime(N);
    let n = N.get();
    let mut kh = Sha256::new();
    kh.update(pad(n.to_be_bytes().as_ref()));
    kh.update([2u8]);
    let k = U256::from_be_slice(&kh.finalize()).resize::<LIMBS>();
    Group {
        g: Monty::new(&U3072::from_u8(2), &params),
        k: Monty::new(&k, &params),
        params,
    }
});

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum SrpError {
    /// `SRP_A` is not a hex number below 2^3072.
    #[error("SRP_A is not a valid number")]
    BadA,
    /// `A mod N == 0`: a client that sends it could skip the password.
    #[error("SRP_A mod N is 0")]
    ZeroA,
    /// `u == 0` (a hash that is zero: never in practice).
    #[error("u is 0")]
    ZeroU,
}

/// The pool's name in SRP: the pool id after the `_` (`local_AbC123` ->
/// `AbC123`), as the clients split it.
pub fn pool_name(pool_id: &str) -> &str {
    pool_id.split_once('_').map_or(pool_id, |(_, name)| name)
}

/// The shortest big-endian bytes of a number (`00` for zero), with a `00`
/// in front when the top bit is set: the clients' `padHex`, as bytes.
pub fn pad(be: &[u8]) -> Vec<u8> {
    let start = be.iter().position(|b| *b != 0).unwrap_or(be.len());
    let digits = &be[start..];
    let mut out = Vec::with_capacity(digits.len() + 1);
    if digits.first().is_none_or(|b| b & 0x80 != 0) {
        out.push(0);
    }
    out.extend_from_slice(digits);
    out
}

/// The number as Cognito writes it in `SALT` and `SRP_B`: lowercase hex
/// without leading zeros (the clients parse it as a big integer).
pub fn to_hex(be: &[u8]) -> String {
    let s = hex::encode(be);
    let t = s.trim_start_matches('0');
    if t.is_empty() {
        "0".into()
    } else {
        t.to_string()
    }
}

/// Big-endian bytes of a hex number (any case, odd length allowed), at most
/// `N_BYTES` long after leading zeros; `None` otherwise.
pub fn parse_hex(s: &str) -> Option<Vec<u8>> {
    if s.is_empty() || s.len() > 4 * N_BYTES || !s.bytes().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let even = if s.len() % 2 == 1 {
        format!("0{s}")
    } else {
        s.to_string()
    };
    let bytes = hex::decode(even).ok()?;
    let start = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
    let digits = &bytes[start..];
    (digits.len() <= N_BYTES).then(|| digits.to_vec())
}

fn uint(be: &[u8]) -> Option<U3072> {
    let start = be.iter().position(|b| *b != 0).unwrap_or(be.len());
    let digits = &be[start..];
    if digits.len() > N_BYTES {
        return None;
    }
    let mut buf = [0u8; N_BYTES];
    buf[N_BYTES - digits.len()..].copy_from_slice(digits);
    Some(U3072::from_be_slice(&buf))
}

fn bytes(n: &U3072) -> [u8; N_BYTES] {
    let mut out = [0u8; N_BYTES];
    out.copy_from_slice(n.to_be_bytes().as_ref());
    out
}

fn h256(parts: &[&[u8]]) -> [u8; 32] {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p);
    }
    h.finalize().into()
}

fn hmac(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    // HMAC takes a key of any length.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC accepts every key length"));
    for p in parts {
        mac.update(p);
    }
    mac.finalize().into_bytes().into()
}

/// `x = H(PAD(salt) | H(poolName | userId | ":" | password))`.
fn private_key(pool_name: &str, user_id: &str, password: &str, salt: &[u8]) -> U256 {
    let inner = h256(&[
        pool_name.as_bytes(),
        user_id.as_bytes(),
        b":",
        password.as_bytes(),
    ]);
    U256::from_be_slice(&h256(&[&pad(salt), &inner]))
}

/// The verifier `g^x mod N` for `salt` (big-endian bytes).
pub fn verifier(pool_name: &str, user_id: &str, password: &str, salt: &[u8]) -> [u8; N_BYTES] {
    let x = private_key(pool_name, user_id, password, salt);
    bytes(&GROUP.g.pow(&x).retrieve())
}

/// What is stored with a password for SRP: `SALT` and the verifier, both
/// as [`to_hex`] writes them. No `Debug`: the verifier allows an offline
/// guess at the password, so it is never printed.
#[derive(Clone)]
pub struct StoredVerifier {
    pub salt_hex: String,
    pub verifier_hex: String,
}

/// A fresh salt and the verifier of `password` for `user_id`. The salt's
/// first byte is at least 0x10, so its hex is always 32 digits (stand-in
/// salts of unknown users too: their length tells nothing) and every
/// client reads the same number from it.
pub fn new_verifier(pool_name: &str, user_id: &str, password: &str) -> StoredVerifier {
    let mut salt = [0u8; SALT_BYTES];
    rand::rng().fill(&mut salt);
    salt[0] = salt[0].max(0x10);
    StoredVerifier {
        salt_hex: to_hex(&salt),
        verifier_hex: to_hex(&verifier(pool_name, user_id, password, &salt)),
    }
}

/// A stand-in verifier below `N` from 32 secret bytes, for users without a
/// verifier (or without an account): cheap, so timing does not tell them
/// apart from a stored one.
pub fn stand_in_verifier(seed: &[u8; 32]) -> [u8; N_BYTES] {
    let mut wide = [0u8; N_BYTES];
    for (i, chunk) in wide.chunks_mut(32).enumerate() {
        let block = hmac(seed, &[b"stand-in verifier", &[i as u8]]);
        chunk.copy_from_slice(&block[..chunk.len()]);
    }
    // Below 2^3071 < N, and not zero.
    wide[0] &= 0x7f;
    wide[N_BYTES - 1] |= 1;
    wide
}

/// The server's side of one sign-in: `B` to send, and the 16-byte key the
/// client's signature must be made with.
pub struct ServerSession {
    pub big_b: [u8; N_BYTES],
    pub key: [u8; 16],
}

/// Answers `A` for a user with verifier `v`: picks `b`, computes `B` and
/// the shared key. `A` is refused when `A mod N == 0`.
pub fn server_session(a_bytes: &[u8], v_bytes: &[u8]) -> Result<ServerSession, SrpError> {
    let mut secret = [0u8; 32];
    rand::rng().fill(&mut secret);
    server_session_with(a_bytes, v_bytes, &secret)
}

/// [`server_session`] with a given `b` (tests use fixed vectors).
pub fn server_session_with(
    a_bytes: &[u8],
    v_bytes: &[u8],
    b_secret: &[u8; 32],
) -> Result<ServerSession, SrpError> {
    let grp = &*GROUP;
    let a_int = uint(a_bytes).ok_or(SrpError::BadA)?;
    let a_red = a_int.rem_vartime(N.as_nz_ref());
    if a_red.is_zero_vartime() {
        return Err(SrpError::ZeroA);
    }
    let v = Monty::new(&uint(v_bytes).unwrap_or(U3072::ONE), &grp.params);
    // b = 0 would make B = k·v, leaking nothing but pointless; 2^-256.
    let mut b = U256::from_be_slice(b_secret);
    if b.is_zero_vartime() {
        b = U256::ONE;
    }
    let big_b = grp.k.mul(&v).add(&grp.g.pow(&b)).retrieve();
    let big_b_bytes = bytes(&big_b);
    // B mod N == 0 would need k·v = -g^b: astronomically rare, but the
    // clients refuse it, so choose again rather than send it.
    if big_b.is_zero_vartime() {
        return server_session(a_bytes, v_bytes);
    }
    let u = h256(&[&pad(a_bytes), &pad(&big_b_bytes)]);
    let u_int = U256::from_be_slice(&u);
    if u_int.is_zero_vartime() {
        return Err(SrpError::ZeroU);
    }
    let a = Monty::new(&a_red, &grp.params);
    let s = a.mul(&v.pow(&u_int)).pow(&b).retrieve();
    let prk = hmac(&pad(&u), &[&pad(&bytes(&s))]);
    let okm = hmac(&prk, &[INFO, &[1u8]]);
    let mut key = [0u8; 16];
    key.copy_from_slice(&okm[..16]);
    Ok(ServerSession {
        big_b: big_b_bytes,
        key,
    })
}

/// The `PASSWORD_CLAIM_SIGNATURE` a client with the right password sends
/// (raw HMAC bytes; the client sends them in base64).
pub fn claim_signature(
    key: &[u8; 16],
    pool_name: &str,
    user_id: &str,
    secret_block: &[u8],
    timestamp: &str,
) -> [u8; 32] {
    hmac(
        key,
        &[
            pool_name.as_bytes(),
            user_id.as_bytes(),
            secret_block,
            timestamp.as_bytes(),
        ],
    )
}

const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Unix seconds of a `TIMESTAMP` as the clients write it,
/// `"Tue Sep 3 07:01:12 UTC 2024"` (the day of month may also be
/// zero-padded); `None` for anything else.
pub fn parse_timestamp(s: &str) -> Option<i64> {
    let parts: Vec<&str> = s.split_whitespace().collect();
    let [wday, mon, day, time, zone, year] = parts.as_slice() else {
        return None;
    };
    if *zone != "UTC" || !WEEKDAYS.contains(wday) {
        return None;
    }
    let month = MONTHS.iter().position(|m| m == mon)? as u32 + 1;
    let small = |t: &str, max_len: usize| {
        (!t.is_empty() && t.len() <= max_len && t.bytes().all(|c| c.is_ascii_digit()))
            .then(|| t.parse::<u32>().ok())
            .flatten()
    };
    let day = small(day, 2)?;
    let year = small(year, 4)? as i32;
    let hms: Vec<&str> = time.split(':').collect();
    let [h, m, sec] = hms.as_slice() else {
        return None;
    };
    let (h, m, sec) = (small(h, 2)?, small(m, 2)?, small(sec, 2)?);
    let at = chrono::NaiveDate::from_ymd_opt(year, month, day)?.and_hms_opt(h, m, sec)?;
    Some(at.and_utc().timestamp())
}

/// A `TIMESTAMP` in the clients' format for unix seconds `t`.
pub fn format_timestamp(t: i64) -> String {
    chrono::DateTime::from_timestamp(t, 0)
        .map(|d| d.format("%a %b %-d %H:%M:%S UTC %Y").to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    //! Fixed vectors computed independently with pycognito 2024.5.1 (a
    //! one-off Python script, not kept): `pycognito.aws_srp`'s own
    //! `hex_hash`/`pad_hex`/`hash_sha256` for `k` and `v = pow(2, x, N)`;
    //! `B = (k·v + pow(2, b, N)) % N` for the `b` below; an `AWSSRP` whose
    //! `small_a_value` was set to `0xa1a1…a1` (128 bytes) for `A`, its
    //! `get_password_authentication_key(...)` for the key, and
    //! `hmac.new(key, poolName + userId + block + timestamp, sha256)` for
    //! the signature.

    use super::*;
    use base64::engine::general_purpose::STANDARD;
    use base64::Engine;

    const POOL_NAME: &str = "AbCdEf123";
    const USER: &str = "alice";
    const PASSWORD: &str = "Correct-Horse-9";
    const SALT: &str = "9f1b2c3d4e5f60718293a4b5c6d7e8f9";
    const B_SECRET: &str = "7c1f2e3d4c5b6a798897a6b5c4d3e2f10f1e2d3c4b5a69788796a5b4c3d2e1f0";
    const K: &str = "538282c4354742d7cbbde2359fcf67f9f5b3a6b08791e5011b43b8a5b66d9ee6";
    const KEY: &str = "10111f262cce42925e819a0dae86faa3";
    const BLOCK: &str = "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyAhIiMkJSYnKA==";
    const SIG: &str = "fsO3p2TNXPaiWqD3/E6ddl7nF4VZfOT5vYnvwwWyVBA=";
    const TIMESTAMP: &str = "Tue Sep 3 07:01:12 UTC 2024";

    const V_FULL: &str = concat!(
        "dddd3b264a8fca1a9150cc6bb091a3caa1f5f6d7d5234510abad0d8abd45df25",
        "bfca1db94cdbb39e194af2228093e551b90b3734d4f4e062bc8fac80c677c348",
        "448df5adfe1aed0acc702510b557024a116e14f4ca4ef69c3da3ef1b879d8997",
        "0d4851b6a2c2574ed6ec408a2fc9d6722054afbc15a0f5a78751250c1988c4e3",
        "e2aeec0642e4c18217138607fb0e304b22511dbdd1d20a5d99daded7fcb7f91f",
        "57f0df881fdae74ba10553647a427afa4d0722fca1ba1dcf922726566e7a7ef8",
        "043176f32f1514ec4bb920ebc27b40ce0a6bd086e59f98397b015a9b65bf12b3",
        "408d134b4e1614310959a8202789844bfaa993ce1f463fbfeb3e2aa58457c13e",
        "429ae604dfeefddf4636e950c215a7b1a8d9c0978bd297a8833750f510feefbd",
        "5296033f352a099104c97731782e5fc3cd7f62cbea08c1a8f2e7536a13f9afa1",
        "93c4cf9bca4e1e6f39bbd82effbb73adab427382426686785181805f65b214ec",
        "12e591a6315feefb7d4743a433b0b3f937a89d61c33421a7a7456fc693d15244",
    );
    const A_FULL: &str = concat!(
        "c02a160ecd7f774f857baa05bd1b2ad7aebfaa860706eab803d36b0a02519016",
        "df15f42bf0bba4ebb0cf36bb07f07777120e6cbb168a37bb685b5cb5bf13ed99",
        "bed6b6c2fdacd62a1fb99ba64da85256970fbbc9f12c68081ca066770fe7d2a6",
        "475855dbb19243d35fa6e63616e8f32c21d5d830c3acb99ef28b416f20e1acdf",
        "8e40d4242b7cfeb5864a5123e5fbacb2ce223f08e586910a9e81de64100acf75",
        "1f366b14d5ce00bc22ca5c79db8dd8d2e0d9f68f19304f1f748cec8cbeb51865",
        "96ed35f2088b33152191016395308af48c9fb016e0edf8526989a3a50e9b1c95",
        "830ee17bae1ff9834c3915b87ba4cd8500635528440ae81099dd2ee4141751d0",
        "dba5e7cf0163a68241312fb1a239b8553404781a623208993b7b803bce0f7fa0",
        "2f2fe992ed654c3efbea01ed7db620ba4b505bd072ab387d0a0f08ed9e5d7fec",
        "9bfbc22d7a5129580eca4c2a933f6f7aaa18a1e4f3f48c27973296b5bef6af7a",
        "4b8291daf65a98ca40ad75b6c52c6a0030d423a19a1870467123d843146b2d63",
    );
    const B_FULL: &str = concat!(
        "532eda549336013f07df3af72b76bacf6fbb29caa80089ea69690c2f30ca089f",
        "3ed9d6434e21c2aa12c766d3066a66f134ddf702698f8047b7378fe5fceb20e1",
        "17d1a8fe5a360639eedd2f591c053ac1555a3142a23ead07d2c2b5fca50535f4",
        "357cca1ef4d81b730691bb4a31b6f459869ea40321c19df1dff4857a825428df",
        "1b8d8e376113788a6943987b40cd7334ed95eebf3305a7840904144bef892917",
        "3ce4759b31c2a4ff397bfda9ddde54f85e88e8b4c4d5552090726156b82ddf66",
        "1291ce7e5afbb8740da2b67cd005aacfa77bd1d400717b409b48bfffa64123f5",
        "798804bd3cc9ea619ba5fa17b0e9808796a4b0d6fdf16ef49944f57d8d3121eb",
        "b877b640db6fbc5b01e890f1c80dd99101fce9e94f910b633764f0dc3f535688",
        "36bc74e5657b4ed7df7a9367a42fe2a147f92fb5b036793b0dafadeabd6bff21",
        "ee4b23b3b45f4193851ddafa3373111816b17a6b6a4a4eb9414e0f495755cf81",
        "365a20b6f4968bd18349f48d8ad6a4d83358ccbf684f955b71597eccd9902493",
    );

    fn b_secret() -> [u8; 32] {
        hex::decode(B_SECRET).unwrap().try_into().unwrap()
    }

    #[test]
    fn k_is_the_clients() {
        let k = h256(&[&pad(N.get().to_be_bytes().as_ref()), &[2]]);
        assert_eq!(hex::encode(k), K);
    }

    #[test]
    fn verifier_matches_pycognito() {
        let salt = parse_hex(SALT).unwrap();
        let v = verifier(POOL_NAME, USER, PASSWORD, &salt);
        assert_eq!(to_hex(&v), V_FULL);
    }

    #[test]
    fn key_and_signature_match_pycognito() {
        let salt = parse_hex(SALT).unwrap();
        let v = verifier(POOL_NAME, USER, PASSWORD, &salt);
        let a = parse_hex(A_FULL).unwrap();
        let s = server_session_with(&a, &v, &b_secret()).unwrap();
        assert_eq!(to_hex(&s.big_b), B_FULL);
        assert_eq!(hex::encode(s.key), KEY);
        let block = STANDARD.decode(BLOCK).unwrap();
        let sig = claim_signature(&s.key, POOL_NAME, USER, &block, TIMESTAMP);
        assert_eq!(STANDARD.encode(sig), SIG);
    }

    #[test]
    fn a_wrong_password_gives_another_key() {
        let salt = parse_hex(SALT).unwrap();
        let v = verifier(POOL_NAME, USER, "Wrong-Horse-9", &salt);
        let a = parse_hex(A_FULL).unwrap();
        let s = server_session_with(&a, &v, &b_secret()).unwrap();
        assert_ne!(hex::encode(s.key), KEY);
    }

    #[test]
    fn a_multiple_of_n_is_refused() {
        let v = stand_in_verifier(&[3; 32]);
        let n = N.get().to_be_bytes();
        assert_eq!(server_session(n.as_ref(), &v).err(), Some(SrpError::ZeroA));
        assert_eq!(server_session(&[0], &v).err(), Some(SrpError::ZeroA));
        assert_eq!(server_session(&[], &v).err(), Some(SrpError::ZeroA));
        assert_eq!(
            server_session(&[1u8; N_BYTES + 1], &v).err(),
            Some(SrpError::BadA)
        );
        // A above N (but below 2^3072) is reduced, not refused.
        let mut above = [0xffu8; N_BYTES];
        above[N_BYTES - 1] = 0xfe;
        assert!(server_session(&above, &v).is_ok());
    }

    #[test]
    fn padding_and_hex() {
        assert_eq!(pad(&[0, 0, 0x12]), vec![0x12]);
        assert_eq!(pad(&[0x80]), vec![0, 0x80]);
        assert_eq!(pad(&[]), vec![0]);
        assert_eq!(pad(&[0, 0]), vec![0]);
        assert_eq!(to_hex(&[0, 0x0a, 0xbc]), "abc");
        assert_eq!(to_hex(&[0]), "0");
        assert_eq!(parse_hex("abc"), Some(vec![0x0a, 0xbc]));
        assert_eq!(parse_hex("00FF"), Some(vec![0xff]));
        for bad in ["", "xyz", "-1", "0x12", " 12"] {
            assert_eq!(parse_hex(bad), None, "{bad}");
        }
        assert_eq!(parse_hex(&"f".repeat(4 * N_BYTES + 1)), None);
    }

    #[test]
    fn new_salts_are_32_digits_and_verify() {
        let stored = new_verifier(POOL_NAME, USER, PASSWORD);
        assert_eq!(stored.salt_hex.len(), 32);
        let salt = parse_hex(&stored.salt_hex).unwrap();
        assert_eq!(
            to_hex(&verifier(POOL_NAME, USER, PASSWORD, &salt)),
            stored.verifier_hex
        );
    }

    #[test]
    fn stand_in_verifiers_are_stable_and_below_n() {
        let a = stand_in_verifier(&[9; 32]);
        assert_eq!(a, stand_in_verifier(&[9; 32]));
        assert_ne!(a, stand_in_verifier(&[8; 32]));
        assert!(a[0] < 0x80);
    }

    #[test]
    fn timestamps() {
        let t = parse_timestamp(TIMESTAMP).unwrap();
        assert_eq!(t, 1_725_346_872);
        assert_eq!(format_timestamp(t), TIMESTAMP);
        assert_eq!(parse_timestamp("Tue Sep 03 07:01:12 UTC 2024"), Some(t));
        assert_eq!(
            format_timestamp(1_700_000_000),
            "Tue Nov 14 22:13:20 UTC 2023"
        );
        for bad in [
            "",
            "Tue Sep 3 07:01:12 GMT 2024",
            "Tue Sep 31 07:01:12 UTC 2024",
            "Xyz Sep 3 07:01:12 UTC 2024",
            "Tue Sep 3 7:1 UTC 2024",
            "Tue Sep 3 25:01:12 UTC 2024",
            "Tue Sep +3 07:01:12 UTC 2024",
        ] {
            assert_eq!(parse_timestamp(bad), None, "{bad}");
        }
    }
}
