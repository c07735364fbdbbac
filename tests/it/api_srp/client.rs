//! The client's half of Cognito's SRP, written here from the published
//! description (not cognate's code), as far as the aws-sdk-rust tests need:
//! `A = g^a`, and the PASSWORD_VERIFIER answer for a password.

use std::collections::HashMap;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use crypto_bigint::modular::{FixedMontyForm, FixedMontyParams};
use crypto_bigint::{Odd, U256, U3072};
use hmac::{Hmac, Mac};
use rand::Rng;
use sha2::{Digest, Sha256};

type Monty = FixedMontyForm<{ U3072::LIMBS }>;

fn sha(parts: &[&[u8]]) -> [u8; 32] {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p);
    }
    h.finalize().into()
}

fn mac(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut m = <Hmac<Sha256> as Mac>::new_from_slice(key).unwrap();
    for p in parts {
        m.update(p);
    }
    m.finalize().into_bytes().into()
}

/// Java's `BigInteger.toByteArray` of a positive number.
fn pad(be: &[u8]) -> Vec<u8> {
    let digits: Vec<u8> = be.iter().copied().skip_while(|b| *b == 0).collect();
    if digits.first().is_none_or(|b| b & 0x80 != 0) {
        [vec![0], digits].concat()
    } else {
        digits
    }
}

fn to_u3072(hex_str: &str) -> U3072 {
    let s = format!("{:0>768}", hex_str);
    U3072::from_be_hex(&s)
}

fn be(n: &U3072) -> Vec<u8> {
    n.to_be_bytes().as_ref().to_vec()
}

/// One sign-in's client: the random `a` and `A = g^a`.
pub struct SrpClient {
    params: FixedMontyParams<{ U3072::LIMBS }>,
    a: U256,
    big_a: U3072,
}

impl SrpClient {
    pub fn new() -> SrpClient {
        let n = Odd::<U3072>::from_be_hex(cognate::auth::srp::N_HEX);
        let params = FixedMontyParams::new_vartime(n);
        let mut a = [0u8; 32];
        rand::rng().fill(&mut a);
        let a = U256::from_be_slice(&a);
        let big_a = Monty::new(&U3072::from_u8(2), &params).pow(&a).retrieve();
        SrpClient { params, a, big_a }
    }

    pub fn a_hex(&self) -> String {
        hex::encode(be(&self.big_a))
            .trim_start_matches('0')
            .to_string()
    }

    /// The PASSWORD_VERIFIER answer for `password`, signed at `timestamp`.
    pub fn answer(
        &self,
        pool_id: &str,
        challenge: &HashMap<String, String>,
        password: &str,
        timestamp: &str,
    ) -> HashMap<String, String> {
        let pool_name = pool_id.split_once('_').unwrap().1;
        let user_id = &challenge["USER_ID_FOR_SRP"];
        let salt = hex::decode(format!("{:0>32}", challenge["SALT"])).unwrap();
        let big_b = to_u3072(&challenge["SRP_B"]);
        let g = Monty::new(&U3072::from_u8(2), &self.params);
        let n_bytes = hex::decode(cognate::auth::srp::N_HEX).unwrap();
        let k = U256::from_be_slice(&sha(&[&pad(&n_bytes), &[2]])).resize();
        let u = sha(&[&pad(&be(&self.big_a)), &pad(&be(&big_b))]);
        let inner = sha(&[
            pool_name.as_bytes(),
            user_id.as_bytes(),
            b":",
            password.as_bytes(),
        ]);
        let x = U256::from_be_slice(&sha(&[&pad(&salt), &inner]));
        // S = (B - k·g^x)^(a + u·x) = base^a · (base^u)^x
        let base =
            Monty::new(&big_b, &self.params).sub(&Monty::new(&k, &self.params).mul(&g.pow(&x)));
        let s = base
            .pow(&self.a)
            .mul(&base.pow(&U256::from_be_slice(&u)).pow(&x))
            .retrieve();
        let prk = mac(&pad(&u), &[&pad(&be(&s))]);
        let key = &mac(&prk, &[b"Caldera Derived Key", &[1]])[..16];
        let block = STANDARD.decode(&challenge["SECRET_BLOCK"]).unwrap();
        let sig = mac(
            key,
            &[
                pool_name.as_bytes(),
                user_id.as_bytes(),
                &block,
                timestamp.as_bytes(),
            ],
        );
        HashMap::from([
            ("USERNAME".to_string(), challenge["USERNAME"].clone()),
            (
                "PASSWORD_CLAIM_SECRET_BLOCK".to_string(),
                challenge["SECRET_BLOCK"].clone(),
            ),
            ("TIMESTAMP".to_string(), timestamp.to_string()),
            ("PASSWORD_CLAIM_SIGNATURE".to_string(), STANDARD.encode(sig)),
        ])
    }
}
