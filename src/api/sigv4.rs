//! AWS Signature Version 4 verification for the Cognito-compatible JSON API.
//!
//! Rebuilds the canonical request from what arrived on the wire, derives the signing key
//! from the configured secret and compares the signatures in constant time.

use std::fmt;

use chrono::{DateTime, NaiveDateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

type HmacSha256 = Hmac<Sha256>;

const ALGORITHM: &str = "AWS4-HMAC-SHA256";
const TERMINATOR: &str = "aws4_request";
const AMZ_DATE_FORMAT: &str = "%Y%m%dT%H%M%SZ";
/// How far the client's clock may be from ours, either way.
const MAX_SKEW_SECONDS: i64 = 15 * 60;

/// An HTTP request as received, with everything SigV4 covers.
pub struct SignedRequest<'a> {
    /// The HTTP method, e.g. `"POST"`.
    pub method: &'a str,
    /// The raw (still percent-encoded) path, e.g. `"/"`.
    pub path: &'a str,
    /// The raw query string without the leading `?`; may be empty.
    pub query: &'a str,
    /// Every header as received, names in any case, a name possibly repeated.
    /// Over HTTP/2 the caller adds `host` from the `:authority` pseudo-header.
    pub headers: &'a [(String, String)],
    /// The request body.
    pub body: &'a [u8],
}

/// Why a request's signature was not accepted.
#[derive(Debug, PartialEq, Eq)]
pub enum SigV4Error {
    /// No `Authorization` header, or one of another scheme than AWS4-HMAC-SHA256.
    Missing,
    /// The `Authorization` header, `X-Amz-Date` or credential scope cannot be understood.
    Malformed(&'static str),
    /// The credential names another access key id than the configured one.
    UnknownAccessKey,
    /// `X-Amz-Date` is more than 15 minutes away from the server's clock.
    RequestExpired,
    /// The recomputed signature (or payload hash) differs from the one sent.
    SignatureMismatch,
}

impl fmt::Display for SigV4Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SigV4Error::Missing => f.write_str("Missing Authentication Token"),
            SigV4Error::Malformed(detail) => f.write_str(detail),
            SigV4Error::UnknownAccessKey => {
                f.write_str("The security token included in the request is invalid.")
            }
            SigV4Error::RequestExpired => f.write_str(
                "Signature expired: the X-Amz-Date of the request is more than 15 minutes \
                 away from the current time.",
            ),
            SigV4Error::SignatureMismatch => f.write_str(
                "The request signature we calculated does not match the signature you \
                 provided. Check your AWS Secret Access Key and signing method. Consult the \
                 service documentation for details.",
            ),
        }
    }
}

impl std::error::Error for SigV4Error {}

/// Checks the SigV4 `Authorization` header of `req` against the one configured key pair.
///
/// Any region and service are accepted in the credential scope, as long as its date is
/// the date of `X-Amz-Date`. The payload is always bound: the canonical request carries
/// the SHA-256 of the body actually received, so `UNSIGNED-PAYLOAD` signatures do not
/// verify.
pub fn verify(
    req: &SignedRequest<'_>,
    access_key_id: &str,
    secret_access_key: &str,
    now: DateTime<Utc>,
) -> Result<(), SigV4Error> {
    let authorization = single_header(req.headers, "authorization")
        .map_err(|_| SigV4Error::Malformed("Only one Authorization header may be sent."))?
        .ok_or(SigV4Error::Missing)?;
    let auth = parse_authorization(authorization)?;

    let key_matches: bool = auth
        .access_key_id
        .as_bytes()
        .ct_eq(access_key_id.as_bytes())
        .into();
    if !key_matches {
        return Err(SigV4Error::UnknownAccessKey);
    }

    let amz_date = single_header(req.headers, "x-amz-date")
        .map_err(|_| SigV4Error::Malformed("Only one X-Amz-Date header may be sent."))?
        .ok_or(SigV4Error::Malformed(
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' \
             header.",
        ))?
        .trim();
    let signed_at = parse_amz_date(amz_date)?;
    if amz_date.get(..8) != Some(auth.date) {
        return Err(SigV4Error::Malformed(
            "Credential should be scoped to a valid date matching the X-Amz-Date header.",
        ));
    }
    if (now - signed_at).num_seconds().abs() > MAX_SKEW_SECONDS {
        return Err(SigV4Error::RequestExpired);
    }

    let signed_headers = parse_signed_headers(auth.signed_headers)?;
    for name in MUST_SIGN_WHEN_PRESENT {
        let present = req
            .headers
            .iter()
            .any(|(h, _)| h.eq_ignore_ascii_case(name));
        if present && !signed_headers.iter().any(|s| s == name) {
            return Err(SigV4Error::Malformed(
                "'Content-Type' and 'X-Amz-Target' must be signed headers when present.",
            ));
        }
    }
    let canonical_headers = canonical_headers(req.headers, &signed_headers)?;

    let payload_hash = hex::encode(Sha256::digest(req.body));
    for (name, value) in req.headers {
        if name.eq_ignore_ascii_case("x-amz-content-sha256") {
            let value = value.trim();
            if value != "UNSIGNED-PAYLOAD" && !value.eq_ignore_ascii_case(&payload_hash) {
                return Err(SigV4Error::SignatureMismatch);
            }
        }
    }

    let canonical_query = canonical_query(req.query);
    let signed_header_list = signed_headers.join(";");
    let scope = format!(
        "{}/{}/{}/{TERMINATOR}",
        auth.date, auth.region, auth.service
    );
    let key = signing_key(secret_access_key, auth.date, auth.region, auth.service);
    let signature_over = |canonical_uri: &str| {
        let canonical_request = [
            req.method,
            canonical_uri,
            &canonical_query,
            &canonical_headers,
            &signed_header_list,
            &payload_hash,
        ]
        .join("\n");
        let string_to_sign = format!(
            "{ALGORITHM}\n{amz_date}\n{scope}\n{}",
            hex::encode(Sha256::digest(canonical_request.as_bytes()))
        );
        hmac(&key, string_to_sign.as_bytes())
    };

    let (canonical_uri, alternative_uri) = canonical_uris(req.path);
    let mut matches = signature_over(&canonical_uri).ct_eq(&auth.signature);
    if let Some(alternative_uri) = alternative_uri {
        matches |= signature_over(&alternative_uri).ct_eq(&auth.signature);
    }
    if bool::from(matches) {
        Ok(())
    } else {
        Err(SigV4Error::SignatureMismatch)
    }
}

/// The parts of an `AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…` header.
struct Authorization<'a> {
    access_key_id: &'a str,
    date: &'a str,
    region: &'a str,
    service: &'a str,
    signed_headers: &'a str,
    signature: [u8; 32],
}

/// The value of the header `name` (lowercase), `Ok(None)` when absent, `Err` when repeated.
fn single_header<'h>(headers: &'h [(String, String)], name: &str) -> Result<Option<&'h str>, ()> {
    let mut found = None;
    for (header, value) in headers {
        if header.eq_ignore_ascii_case(name) {
            if found.is_some() {
                return Err(());
            }
            found = Some(value.as_str());
        }
    }
    Ok(found)
}

fn parse_authorization(value: &str) -> Result<Authorization<'_>, SigV4Error> {
    let value = value.trim();
    let rest = value.strip_prefix(ALGORITHM).ok_or(SigV4Error::Missing)?;
    if rest.is_empty() {
        return Err(SigV4Error::Malformed(
            "Authorization header requires 'Credential' parameter.",
        ));
    }
    if !rest.starts_with([' ', '\t']) {
        // Another scheme whose name merely begins like ours.
        return Err(SigV4Error::Missing);
    }

    let mut credential = None;
    let mut signed_headers = None;
    let mut signature = None;
    for part in rest.split(',') {
        let part = part.trim();
        let (name, field_value) = part.split_once('=').ok_or(SigV4Error::Malformed(
            "Authorization header components must be of the form name=value.",
        ))?;
        let slot = match name.trim() {
            "Credential" => &mut credential,
            "SignedHeaders" => &mut signed_headers,
            "Signature" => &mut signature,
            _ => {
                return Err(SigV4Error::Malformed(
                    "Authorization header has an unknown component.",
                ))
            }
        };
        if slot.replace(field_value.trim()).is_some() {
            return Err(SigV4Error::Malformed(
                "Authorization header has a repeated component.",
            ));
        }
    }

    let credential = credential.ok_or(SigV4Error::Malformed(
        "Authorization header requires 'Credential' parameter.",
    ))?;
    let signed_headers = signed_headers.ok_or(SigV4Error::Malformed(
        "Authorization header requires 'SignedHeaders' parameter.",
    ))?;
    let signature = signature.ok_or(SigV4Error::Malformed(
        "Authorization header requires 'Signature' parameter.",
    ))?;

    let mut scope = credential.split('/');
    let (Some(access_key_id), Some(date), Some(region), Some(service), Some(terminator), None) = (
        scope.next(),
        scope.next(),
        scope.next(),
        scope.next(),
        scope.next(),
        scope.next(),
    ) else {
        return Err(SigV4Error::Malformed(
            "Credential should be of the form <access key>/<date>/<region>/<service>/aws4_request.",
        ));
    };
    if access_key_id.is_empty() || region.is_empty() || service.is_empty() {
        return Err(SigV4Error::Malformed(
            "Credential should be of the form <access key>/<date>/<region>/<service>/aws4_request.",
        ));
    }
    if date.len() != 8 || !date.bytes().all(|b| b.is_ascii_digit()) {
        return Err(SigV4Error::Malformed(
            "Credential should be scoped to a valid date in the form yyyyMMdd.",
        ));
    }
    if terminator != TERMINATOR {
        return Err(SigV4Error::Malformed(
            "Credential should be scoped with a valid terminator: 'aws4_request'.",
        ));
    }

    let mut raw_signature = [0u8; 32];
    hex::decode_to_slice(signature, &mut raw_signature)
        .map_err(|_| SigV4Error::Malformed("Signature should be 64 hexadecimal characters."))?;

    Ok(Authorization {
        access_key_id,
        date,
        region,
        service,
        signed_headers,
        signature: raw_signature,
    })
}

/// Parses `X-Amz-Date` strictly in the basic ISO 8601 form `yyyyMMddTHHmmssZ`.
fn parse_amz_date(value: &str) -> Result<DateTime<Utc>, SigV4Error> {
    const INVALID: SigV4Error =
        SigV4Error::Malformed("X-Amz-Date must be in the ISO 8601 form yyyyMMdd'T'HHmmss'Z'.");
    let bytes = value.as_bytes();
    let well_formed = bytes.len() == 16
        && bytes.iter().enumerate().all(|(i, b)| match i {
            8 => *b == b'T',
            15 => *b == b'Z',
            _ => b.is_ascii_digit(),
        });
    if !well_formed {
        return Err(INVALID);
    }
    NaiveDateTime::parse_from_str(value, AMZ_DATE_FORMAT)
        .map(|naive| naive.and_utc())
        .map_err(|_| INVALID)
}

/// Headers that must be signed whenever the request carries them: `x-amz-target` names
/// the operation and `content-type` how the body is read, so a captured request must not
/// be replayed with either changed. (`host` is always required.) The SDKs sign them all.
const MUST_SIGN_WHEN_PRESENT: [&str; 2] = ["content-type", "x-amz-target"];

/// The `SignedHeaders` list, lowercased, sorted and without duplicates; it must name `host`.
fn parse_signed_headers(value: &str) -> Result<Vec<String>, SigV4Error> {
    let mut names = Vec::new();
    for name in value.split(';') {
        let name = name.trim();
        if name.is_empty() || !name.bytes().all(is_token_char) {
            return Err(SigV4Error::Malformed(
                "SignedHeaders must be a ';'-separated list of header names.",
            ));
        }
        names.push(name.to_ascii_lowercase());
    }
    names.sort_unstable();
    names.dedup();
    if !names.iter().any(|name| name == "host") {
        return Err(SigV4Error::Malformed(
            "'Host' must be a signed header and present.",
        ));
    }
    Ok(names)
}

/// Whether `b` may appear in an HTTP header name (RFC 9110 `tchar`).
fn is_token_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// One `name:value\n` line per signed header, in order, repeated headers joined with ','.
fn canonical_headers(
    headers: &[(String, String)],
    signed_headers: &[String],
) -> Result<String, SigV4Error> {
    let mut out = String::new();
    for name in signed_headers {
        let mut values = headers
            .iter()
            .filter(|(header, _)| header.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.split_ascii_whitespace().collect::<Vec<_>>().join(" "))
            .peekable();
        if values.peek().is_none() {
            return Err(SigV4Error::Malformed(
                "A header listed in SignedHeaders is missing from the request.",
            ));
        }
        out.push_str(name);
        out.push(':');
        out.push_str(&values.collect::<Vec<_>>().join(","));
        out.push('\n');
    }
    Ok(out)
}

/// The canonical URI of a non-S3 service: the path with empty and dot segments removed,
/// each remaining segment percent-encoded once more.
///
/// A path ending in a "." or ".." segment is where the SDKs part ways: aws-sdk-rust keeps
/// the directory's trailing slash, as RFC 3986 section 5.2.4 does, while botocore drops
/// it. The first form is returned, and the second too when it differs.
fn canonical_uris(path: &str) -> (String, Option<String>) {
    let mut segments: Vec<&str> = Vec::new();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            _ => segments.push(segment),
        }
    }
    let encoded: Vec<String> = segments
        .iter()
        .map(|segment| uri_encode(segment.as_bytes()))
        .collect();
    let bare = format!("/{}", encoded.join("/"));
    if segments.is_empty() {
        return (bare, None);
    }
    if path.ends_with('/') {
        (bare + "/", None)
    } else if path.ends_with("/.") || path.ends_with("/..") {
        (format!("{bare}/"), Some(bare))
    } else {
        (bare, None)
    }
}

/// The canonical query string: each name and value decoded, RFC 3986-encoded again and
/// the pairs sorted by name, then by value.
fn canonical_query(query: &str) -> String {
    let mut pairs: Vec<(String, String)> = query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (
                uri_encode(&percent_decode(name)),
                uri_encode(&percent_decode(value)),
            )
        })
        .collect();
    pairs.sort_unstable();
    pairs
        .iter()
        .map(|(name, value)| format!("{name}={value}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// Decodes `%XX` escapes; a `%` not followed by two hex digits stands for itself.
fn percent_decode(input: &str) -> Vec<u8> {
    let bytes = input.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let high = bytes.get(i + 1).and_then(|h| hex_value(*h));
            let low = bytes.get(i + 2).and_then(|l| hex_value(*l));
            if let (Some(high), Some(low)) = (high, low) {
                out.push(high << 4 | low);
                i += 3;
                continue;
            }
        }
        out.push(b);
        i += 1;
    }
    out
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Percent-encodes every byte except the RFC 3986 unreserved characters, in uppercase hex.
fn uri_encode(input: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(input.len());
    for &b in input {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0x0f)]));
        }
    }
    out
}

fn hmac(key: &[u8], data: &[u8]) -> [u8; 32] {
    // HMAC takes keys of any length, so this constructor cannot fail.
    let mut mac = match HmacSha256::new_from_slice(key) {
        Ok(mac) => mac,
        Err(_) => unreachable!("HMAC-SHA256 accepts keys of any length"),
    };
    mac.update(data);
    mac.finalize().into_bytes().into()
}

/// `kSigning`, derived from the secret through the date, region and service.
fn signing_key(secret: &str, date: &str, region: &str, service: &str) -> [u8; 32] {
    let k_date = hmac(format!("AWS4{secret}").as_bytes(), date.as_bytes());
    let k_region = hmac(&k_date, region.as_bytes());
    let k_service = hmac(&k_region, service.as_bytes());
    hmac(&k_service, TERMINATOR.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeDelta, TimeZone};

    const AKID: &str = "AKIDEXAMPLE";
    const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    const DATE: &str = "20150830T123600Z";
    const HOST: &str = "example.amazonaws.com";
    const SESSION_TOKEN: &str = "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==";

    fn signing_time() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2015, 8, 30, 12, 36, 0).unwrap()
    }

    fn headers(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(name, value)| (name.to_string(), value.to_string()))
            .collect()
    }

    fn authorization(service: &str, signed_headers: &str, signature: &str) -> String {
        format!(
            "AWS4-HMAC-SHA256 Credential={AKID}/20150830/us-east-1/{service}/aws4_request, \
             SignedHeaders={signed_headers}, Signature={signature}"
        )
    }

    /// A request in the shape of the test suite's: `Host` and `X-Amz-Date` first, then
    /// whatever headers a case adds, its `Authorization` included.
    struct Case {
        method: &'static str,
        path: &'static str,
        query: &'static str,
        headers: Vec<(String, String)>,
        body: &'static [u8],
    }

    impl Case {
        fn new(method: &'static str, path: &'static str, query: &'static str) -> Case {
            Case {
                method,
                path,
                query,
                headers: headers(&[("Host", HOST), ("X-Amz-Date", DATE)]),
                body: b"",
            }
        }

        fn header(mut self, name: &str, value: &str) -> Case {
            self.headers.push((name.to_string(), value.to_string()));
            self
        }

        fn body(mut self, body: &'static [u8]) -> Case {
            self.body = body;
            self
        }

        fn signed(self, service: &str, signed_headers: &str, signature: &str) -> Case {
            self.header(
                "Authorization",
                &authorization(service, signed_headers, signature),
            )
        }

        fn verify_at(&self, now: DateTime<Utc>) -> Result<(), SigV4Error> {
            let request = SignedRequest {
                method: self.method,
                path: self.path,
                query: self.query,
                headers: &self.headers,
                body: self.body,
            };
            verify(&request, AKID, SECRET, now)
        }

        fn verify(&self) -> Result<(), SigV4Error> {
            self.verify_at(signing_time())
        }
    }

    // The example of the AWS General Reference, "Create a signed AWS API request".
    #[test]
    fn documented_iam_list_users_example_verifies() {
        let case = Case {
            method: "GET",
            path: "/",
            query: "Action=ListUsers&Version=2010-05-08",
            headers: headers(&[
                ("Host", "iam.amazonaws.com"),
                (
                    "Content-Type",
                    "application/x-www-form-urlencoded; charset=utf-8",
                ),
                ("X-Amz-Date", DATE),
            ]),
            body: b"",
        }
        .signed(
            "iam",
            "content-type;host;x-amz-date",
            "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7",
        );
        assert_eq!(case.verify(), Ok(()));
    }

    #[test]
    fn documented_intermediate_values_are_reproduced() {
        let canonical_request = [
            "GET",
            &canonical_uris("/").0,
            &canonical_query("Version=2010-05-08&Action=ListUsers"),
            "content-type:application/x-www-form-urlencoded; charset=utf-8\n\
             host:iam.amazonaws.com\nx-amz-date:20150830T123600Z\n",
            "content-type;host;x-amz-date",
            &hex::encode(Sha256::digest(b"")),
        ]
        .join("\n");
        assert_eq!(
            hex::encode(Sha256::digest(canonical_request.as_bytes())),
            "f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59"
        );
        assert_eq!(
            hex::encode(signing_key(SECRET, "20150830", "us-east-1", "iam")),
            "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9"
        );
    }

    // aws-sig-v4-test-suite: region us-east-1, service "service", the same key pair.
    #[test]
    fn suite_get_vanilla() {
        let case = Case::new("GET", "/", "").signed(
            "service",
            "host;x-amz-date",
            "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
        );
        assert_eq!(case.verify(), Ok(()));
    }

    #[test]
    fn suite_post_vanilla() {
        let case = Case::new("POST", "/", "").signed(
            "service",
            "host;x-amz-date",
            "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b",
        );
        assert_eq!(case.verify(), Ok(()));
    }

    #[test]
    fn suite_get_vanilla_query_order_key_case() {
        let case = Case::new("GET", "/", "Param2=value2&Param1=value1").signed(
            "service",
            "host;x-amz-date",
            "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500",
        );
        assert_eq!(case.verify(), Ok(()));
    }

    #[test]
    fn suite_get_vanilla_empty_query_key_and_post_vanilla_query() {
        let get = Case::new("GET", "/", "Param1=value1").signed(
            "service",
            "host;x-amz-date",
            "a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb",
        );
        assert_eq!(get.verify(), Ok(()));
        let post = Case::new("POST", "/", "Param1=value1").signed(
            "service",
            "host;x-amz-date",
            "28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11",
        );
        assert_eq!(post.verify(), Ok(()));
    }

    #[test]
    fn suite_post_x_www_form_urlencoded() {
        let case = Case::new("POST", "/", "")
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(b"Param1=value1")
            .signed(
                "service",
                "content-type;host;x-amz-date",
                "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a",
            );
        assert_eq!(case.verify(), Ok(()));
    }

    #[test]
    fn suite_post_x_www_form_urlencoded_parameters() {
        let case = Case::new("POST", "/", "")
            .header(
                "Content-Type",
                "application/x-www-form-urlencoded; charset=utf8",
            )
            .body(b"Param1=value1")
            .signed(
                "service",
                "content-type;host;x-amz-date",
                "1a72ec8f64bd914b0e42e42607c7fbce7fb2c7465f63e3092b3b0d39fa77a6fe",
            );
        assert_eq!(case.verify(), Ok(()));
    }

    #[test]
    fn suite_get_header_key_duplicate() {
        let case = Case::new("GET", "/", "")
            .header("My-Header1", "value2")
            .header("My-Header1", "value2")
            .header("My-Header1", "value1")
            .signed(
                "service",
                "host;my-header1;x-amz-date",
                "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea",
            );
        assert_eq!(case.verify(), Ok(()));
    }

    #[test]
    fn suite_get_header_value_trim() {
        let case = Case::new("GET", "/", "")
            .header("My-Header1", " value1")
            .header("My-Header2", " \"a   b   c\"")
            .signed(
                "service",
                "host;my-header1;my-header2;x-amz-date",
                "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736",
            );
        assert_eq!(case.verify(), Ok(()));
    }

    #[test]
    fn suite_get_unreserved_and_utf8_paths() {
        let unreserved = Case::new(
            "GET",
            "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
            "",
        )
        .signed(
            "service",
            "host;x-amz-date",
            "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f",
        );
        assert_eq!(unreserved.verify(), Ok(()));
        let utf8 = Case::new("GET", "/\u{1234}", "").signed(
            "service",
            "host;x-amz-date",
            "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85",
        );
        assert_eq!(utf8.verify(), Ok(()));
    }

    #[test]
    fn suite_post_sts_header_after() {
        let case = Case::new("POST", "/", "")
            .header("X-Amz-Security-Token", SESSION_TOKEN)
            .signed(
                "service",
                "host;x-amz-date;x-amz-security-token",
                "85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead",
            );
        assert_eq!(case.verify(), Ok(()));

        let mut forged = Case::new("POST", "/", "")
            .header("X-Amz-Security-Token", "another-token")
            .signed(
                "service",
                "host;x-amz-date;x-amz-security-token",
                "85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead",
            );
        assert_eq!(forged.verify(), Err(SigV4Error::SignatureMismatch));
        forged
            .headers
            .retain(|(name, _)| name != "X-Amz-Security-Token");
        assert!(matches!(forged.verify(), Err(SigV4Error::Malformed(_))));
    }

    fn form_post() -> Case {
        Case::new("POST", "/", "")
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(b"Param1=value1")
    }

    const FORM_SIGNATURE: &str = "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a";

    fn signed_form_post() -> Case {
        form_post().signed("service", "content-type;host;x-amz-date", FORM_SIGNATURE)
    }

    #[test]
    fn tampered_body_headers_or_target_do_not_verify() {
        let body = signed_form_post().body(b"Param1=value2");
        assert_eq!(body.verify(), Err(SigV4Error::SignatureMismatch));

        let mut header = signed_form_post();
        header.headers[0].1 = "evil.example.com".to_string();
        assert_eq!(header.verify(), Err(SigV4Error::SignatureMismatch));

        let mut method = signed_form_post();
        method.method = "PUT";
        assert_eq!(method.verify(), Err(SigV4Error::SignatureMismatch));

        let mut path = signed_form_post();
        path.path = "/other";
        assert_eq!(path.verify(), Err(SigV4Error::SignatureMismatch));

        let mut query = signed_form_post();
        query.query = "a=b";
        assert_eq!(query.verify(), Err(SigV4Error::SignatureMismatch));

        let other_region = form_post().header(
            "Authorization",
            &format!(
                "AWS4-HMAC-SHA256 Credential={AKID}/20150830/eu-west-1/service/aws4_request, \
                 SignedHeaders=content-type;host;x-amz-date, Signature={FORM_SIGNATURE}"
            ),
        );
        assert_eq!(other_region.verify(), Err(SigV4Error::SignatureMismatch));

        let other_secret = signed_form_post();
        let request = SignedRequest {
            method: other_secret.method,
            path: other_secret.path,
            query: other_secret.query,
            headers: &other_secret.headers,
            body: other_secret.body,
        };
        assert_eq!(
            verify(&request, AKID, "another secret", signing_time()),
            Err(SigV4Error::SignatureMismatch)
        );
    }

    #[test]
    fn unsigned_headers_may_change_and_header_names_are_case_insensitive() {
        let case = signed_form_post().header("User-Agent", "anything");
        assert_eq!(case.verify(), Ok(()));

        let mut upper = signed_form_post();
        for (name, _) in &mut upper.headers {
            *name = name.to_ascii_uppercase();
        }
        assert_eq!(upper.verify(), Ok(()));
    }

    #[test]
    fn the_target_and_content_type_must_be_signed_when_present() {
        // A captured signature must not carry another operation.
        let retargeted = signed_form_post().header(
            "X-Amz-Target",
            "AWSCognitoIdentityProviderService.AdminDeleteUser",
        );
        assert!(matches!(
            retargeted.verify(),
            Err(SigV4Error::Malformed(m)) if m.contains("X-Amz-Target")
        ));
        let unsigned_type = Case::new("POST", "/", "")
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(b"Param1=value1")
            .signed("service", "host;x-amz-date", FORM_SIGNATURE);
        assert!(matches!(
            unsigned_type.verify(),
            Err(SigV4Error::Malformed(_))
        ));
    }

    #[test]
    fn signature_hex_case_and_component_spacing_are_tolerated() {
        let upper = form_post().header(
            "Authorization",
            &format!(
                "AWS4-HMAC-SHA256 Credential={AKID}/20150830/us-east-1/service/aws4_request,\
                 SignedHeaders=content-type;host;x-amz-date,Signature={}",
                FORM_SIGNATURE.to_ascii_uppercase()
            ),
        );
        assert_eq!(upper.verify(), Ok(()));
    }

    #[test]
    fn content_sha256_header_must_match_the_body() {
        let empty_hash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        let form_hash = "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e";

        let matching = signed_form_post().header("X-Amz-Content-Sha256", form_hash);
        assert_eq!(matching.verify(), Ok(()));

        let differing = signed_form_post().header("x-amz-content-sha256", empty_hash);
        assert_eq!(differing.verify(), Err(SigV4Error::SignatureMismatch));

        // Still bound to the real body hash, which the test suite signature covers.
        let unsigned = signed_form_post().header("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD");
        assert_eq!(unsigned.verify(), Ok(()));
    }

    #[test]
    fn wrong_access_key_id_is_unknown() {
        let case = signed_form_post();
        let request = SignedRequest {
            method: case.method,
            path: case.path,
            query: case.query,
            headers: &case.headers,
            body: case.body,
        };
        assert_eq!(
            verify(&request, "AKIDOTHER", SECRET, signing_time()),
            Err(SigV4Error::UnknownAccessKey)
        );
        assert_eq!(
            verify(&request, "", SECRET, signing_time()),
            Err(SigV4Error::UnknownAccessKey)
        );
    }

    #[test]
    fn clock_skew_beyond_fifteen_minutes_is_expired() {
        let case = signed_form_post();
        let at = |minutes: i64| case.verify_at(signing_time() + TimeDelta::minutes(minutes));
        assert_eq!(at(15), Ok(()));
        assert_eq!(at(-15), Ok(()));
        assert_eq!(at(16), Err(SigV4Error::RequestExpired));
        assert_eq!(at(-16), Err(SigV4Error::RequestExpired));
        assert_eq!(
            case.verify_at(signing_time() + TimeDelta::seconds(15 * 60 + 1)),
            Err(SigV4Error::RequestExpired)
        );
    }

    #[test]
    fn scope_date_must_be_the_date_of_x_amz_date() {
        let case = form_post().header(
            "Authorization",
            &format!(
                "AWS4-HMAC-SHA256 Credential={AKID}/20150831/us-east-1/service/aws4_request, \
                 SignedHeaders=content-type;host;x-amz-date, Signature={FORM_SIGNATURE}"
            ),
        );
        assert!(matches!(case.verify(), Err(SigV4Error::Malformed(_))));
    }

    #[test]
    fn missing_or_foreign_authorization_is_missing() {
        assert_eq!(form_post().verify(), Err(SigV4Error::Missing));
        for value in [
            "",
            "Bearer abc",
            "Basic QUtJRDpzZWNyZXQ=",
            "AWS AKIDEXAMPLE:abc",
            "AWS4-HMAC-SHA256X Credential=a",
            "AWS4-ECDSA-P256-SHA256 Credential=AKIDEXAMPLE/20150830/service/aws4_request",
        ] {
            let case = form_post().header("Authorization", value);
            assert_eq!(case.verify(), Err(SigV4Error::Missing), "{value:?}");
        }
    }

    #[test]
    fn garbage_authorization_is_malformed() {
        let good_scope = format!("{AKID}/20150830/us-east-1/service/aws4_request");
        let values = [
            "AWS4-HMAC-SHA256".to_string(),
            "AWS4-HMAC-SHA256 ".to_string(),
            "AWS4-HMAC-SHA256 garbage".to_string(),
            "AWS4-HMAC-SHA256 ,,,".to_string(),
            "AWS4-HMAC-SHA256 Credential=, SignedHeaders=, Signature=".to_string(),
            format!("AWS4-HMAC-SHA256 Credential={good_scope}, SignedHeaders=host;x-amz-date"),
            format!("AWS4-HMAC-SHA256 Credential={good_scope}, Signature={FORM_SIGNATURE}"),
            format!("AWS4-HMAC-SHA256 SignedHeaders=host;x-amz-date, Signature={FORM_SIGNATURE}"),
            format!(
                "AWS4-HMAC-SHA256 Credential={good_scope}, SignedHeaders=host, \
                 Signature={FORM_SIGNATURE}, Signature={FORM_SIGNATURE}"
            ),
            format!(
                "AWS4-HMAC-SHA256 Credential={good_scope}, SignedHeaders=host, \
                 Signature={FORM_SIGNATURE}, Extra=1"
            ),
            format!("AWS4-HMAC-SHA256 Credential={good_scope}, SignedHeaders=host, Signature=zz"),
            format!(
                "AWS4-HMAC-SHA256 Credential={good_scope}, SignedHeaders=host, \
                 Signature={FORM_SIGNATURE}00"
            ),
            format!(
                "AWS4-HMAC-SHA256 Credential={AKID}/20150830/us-east-1/service, \
                 SignedHeaders=host, Signature={FORM_SIGNATURE}"
            ),
            format!(
                "AWS4-HMAC-SHA256 Credential={AKID}/20150830/us-east-1/service/aws4_request/x, \
                 SignedHeaders=host, Signature={FORM_SIGNATURE}"
            ),
            format!(
                "AWS4-HMAC-SHA256 Credential={AKID}/2015083/us-east-1/service/aws4_request, \
                 SignedHeaders=host, Signature={FORM_SIGNATURE}"
            ),
            format!(
                "AWS4-HMAC-SHA256 Credential={AKID}/20150830//service/aws4_request, \
                 SignedHeaders=host, Signature={FORM_SIGNATURE}"
            ),
            format!(
                "AWS4-HMAC-SHA256 Credential={AKID}/20150830/us-east-1/service/aws5_request, \
                 SignedHeaders=host, Signature={FORM_SIGNATURE}"
            ),
            format!(
                "AWS4-HMAC-SHA256 Credential={good_scope}, SignedHeaders=content-type;x-amz-date, \
                 Signature={FORM_SIGNATURE}"
            ),
            format!(
                "AWS4-HMAC-SHA256 Credential={good_scope}, SignedHeaders=host;;x-amz-date, \
                 Signature={FORM_SIGNATURE}"
            ),
            format!(
                "AWS4-HMAC-SHA256 Credential={good_scope}, SignedHeaders=host;x-absent, \
                 Signature={FORM_SIGNATURE}"
            ),
        ];
        for value in values {
            let case = form_post().header("Authorization", &value);
            let result = case.verify();
            assert!(
                matches!(result, Err(SigV4Error::Malformed(_))),
                "{value:?} gave {result:?}"
            );
        }
    }

    #[test]
    fn bad_or_absent_x_amz_date_is_malformed() {
        let authorization =
            authorization("service", "content-type;host;x-amz-date", FORM_SIGNATURE);
        for date in [
            None,
            Some(""),
            Some("2015-08-30T12:36:00Z"),
            Some("20150830T123600"),
            Some("20151330T123600Z"),
            Some("20150830T253600Z"),
            Some("+0150830T123600Z"),
            Some("20150830T12360\u{e9}"),
            Some("Sun, 30 Aug 2015 12:36:00 GMT"),
        ] {
            let mut headers = headers(&[
                ("Host", HOST),
                ("Content-Type", "application/x-www-form-urlencoded"),
                ("Authorization", &authorization),
            ]);
            if let Some(date) = date {
                headers.push(("X-Amz-Date".to_string(), date.to_string()));
            }
            let case = Case {
                headers,
                ..form_post()
            };
            let result = case.verify();
            assert!(
                matches!(result, Err(SigV4Error::Malformed(_))),
                "{date:?} gave {result:?}"
            );
        }

        let repeated = signed_form_post().header("x-amz-date", DATE);
        assert!(matches!(repeated.verify(), Err(SigV4Error::Malformed(_))));
    }

    #[test]
    fn repeated_authorization_is_malformed() {
        let value = authorization("service", "content-type;host;x-amz-date", FORM_SIGNATURE);
        let case = signed_form_post().header("Authorization", &value);
        assert!(matches!(case.verify(), Err(SigV4Error::Malformed(_))));
    }

    #[test]
    fn canonical_uri_encodes_each_segment_once_more() {
        let only = |path: &str| {
            let (uri, alternative) = canonical_uris(path);
            assert_eq!(alternative, None, "{path:?}");
            uri
        };
        assert_eq!(only(""), "/");
        assert_eq!(only("/"), "/");
        assert_eq!(only("/example space/"), "/example%20space/");
        assert_eq!(only("/example%20space/"), "/example%2520space/");
        assert_eq!(only("/a b/%C3%BC"), "/a%20b/%25C3%25BC");
        assert_eq!(only("/\u{1234}"), "/%E1%88%B4");
        assert_eq!(only("//example//"), "/example/");
        assert_eq!(only("/example/.."), "/");
        assert_eq!(only("/example1/example2/../.."), "/");
        assert_eq!(only("/./example/./"), "/example/");
        assert_eq!(only("/../../x"), "/x");
        assert_eq!(only("/a/b/c/./../../g"), "/a/g");
        assert_eq!(only("/%zz/%"), "/%25zz/%25");
        assert_eq!(only("."), "/");
        assert_eq!(only("/.."), "/");
    }

    #[test]
    fn a_final_dot_segment_is_canonical_with_and_without_its_slash() {
        assert_eq!(
            canonical_uris("/a/."),
            ("/a/".to_string(), Some("/a".to_string()))
        );
        assert_eq!(
            canonical_uris("/a/b/.."),
            ("/a/".to_string(), Some("/a".to_string()))
        );
    }

    #[test]
    fn canonical_query_decodes_then_encodes_and_sorts() {
        assert_eq!(canonical_query(""), "");
        assert_eq!(canonical_query("&&"), "");
        assert_eq!(
            canonical_query("Param2=value2&Param1=value1"),
            "Param1=value1&Param2=value2"
        );
        assert_eq!(
            canonical_query("Param1=value2&Param1=Value1"),
            "Param1=Value1&Param1=value2"
        );
        assert_eq!(canonical_query("b=1&a"), "a=&b=1");
        assert_eq!(
            canonical_query("-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz=x"),
            "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz=x"
        );
        assert_eq!(canonical_query("k=a b&t=~"), "k=a%20b&t=~");
        assert_eq!(canonical_query("k=a%20b"), "k=a%20b");
        assert_eq!(canonical_query("k=a%2fb%2Fc"), "k=a%2Fb%2Fc");
        assert_eq!(canonical_query("k=a+b"), "k=a%2Bb");
        assert_eq!(canonical_query("k=%7E%41"), "k=~A");
        assert_eq!(canonical_query("\u{1234}=@"), "%E1%88%B4=%40");
        assert_eq!(canonical_query("k=%zz%4"), "k=%25zz%254");
        assert_eq!(canonical_query("k=%ff%00"), "k=%FF%00");
        assert_eq!(canonical_query("a=b=c"), "a=b%3Dc");
    }

    #[test]
    fn weird_input_never_panics() {
        let weird = [
            "",
            "%",
            "%zz",
            "%%%",
            "%f",
            "%\u{e9}",
            "=",
            "&=&",
            "/",
            "..",
            "/../..",
            ";",
            ",",
            "\u{1234}",
            "AWS4-HMAC-SHA256",
            "AWS4-HMAC-SHA256 Credential",
            "AWS4-HMAC-SHA256 Credential=/////, SignedHeaders=;, Signature=",
            "AWS4-HMAC-SHA256 Credential=\u{e9}/\u{e9}/\u{e9}/\u{e9}/\u{e9}, SignedHeaders=\u{e9}",
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/\u{e9}\u{e9}\u{e9}\u{e9}/x/y/aws4_request, \
             SignedHeaders=host, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/x/y/aws4_request, \
             SignedHeaders=host, Signature=\u{e9}\u{e9}\u{e9}",
        ];
        for a in weird {
            for b in weird {
                let headers = headers(&[
                    ("Authorization", a),
                    ("X-Amz-Date", b),
                    ("Host", a),
                    (b, a),
                    ("x-amz-content-sha256", b),
                ]);
                let request = SignedRequest {
                    method: a,
                    path: a,
                    query: b,
                    headers: &headers,
                    body: b.as_bytes(),
                };
                let _ = verify(&request, a, b, signing_time());
                let _ = verify(&request, "AKIDEXAMPLE", b, DateTime::<Utc>::MIN_UTC);
                let _ = verify(&request, "AKIDEXAMPLE", b, DateTime::<Utc>::MAX_UTC);
                let _ = canonical_uris(a);
                let _ = canonical_query(a);
            }
        }
        let empty = SignedRequest {
            method: "",
            path: "",
            query: "",
            headers: &[],
            body: &[],
        };
        assert_eq!(
            verify(&empty, "", "", signing_time()),
            Err(SigV4Error::Missing)
        );
    }

    #[test]
    fn extreme_clocks_do_not_panic() {
        let case = signed_form_post();
        assert_eq!(
            case.verify_at(DateTime::<Utc>::MIN_UTC),
            Err(SigV4Error::RequestExpired)
        );
        assert_eq!(
            case.verify_at(DateTime::<Utc>::MAX_UTC),
            Err(SigV4Error::RequestExpired)
        );
    }

    #[test]
    fn errors_read_like_aws_errors() {
        assert!(SigV4Error::SignatureMismatch
            .to_string()
            .starts_with("The request signature we calculated does not match"));
        assert!(SigV4Error::RequestExpired
            .to_string()
            .starts_with("Signature expired:"));
        assert_eq!(
            SigV4Error::UnknownAccessKey.to_string(),
            "The security token included in the request is invalid."
        );
        assert_eq!(
            SigV4Error::Malformed("Authorization header requires 'Signature' parameter.")
                .to_string(),
            "Authorization header requires 'Signature' parameter."
        );
        let boxed: Box<dyn std::error::Error> = Box::new(SigV4Error::Missing);
        assert!(!boxed.to_string().is_empty());
    }
}
