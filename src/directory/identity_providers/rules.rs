//! The rules of an identity provider's members, in one pure function that
//! the API and the console both call: [`validate`] turns what a caller asked
//! for into what is stored, or says why not (Cognito's
//! InvalidParameterException). Checks that need other rows (a name or an
//! identifier already taken) belong to the store.

use std::collections::BTreeMap;

use url::{Host, Url};

use super::ProviderType;
use crate::directory::pool_settings::{
    check_enum, check_length, check_list_length, constraint_error, missing, PoolSettings,
};
use crate::directory::InvalidParameter;

/// What Cognito shows in a Google provider's details besides the three a
/// caller sets (DescribeIdentityProvider's documented example).
pub const GOOGLE_FIXED_DETAILS: &[(&str, &str)] = &[
    (
        "attributes_url",
        "https://people.googleapis.com/v1/people/me?personFields=",
    ),
    ("attributes_url_add_attributes", "true"),
    (
        "authorize_url",
        "https://accounts.google.com/o/oauth2/v2/auth",
    ),
    ("oidc_issuer", "https://accounts.google.com"),
    ("token_request_method", "POST"),
    ("token_url", "https://www.googleapis.com/oauth2/v4/token"),
];
/// Scopes the console offers for a new Google provider.
pub const GOOGLE_DEFAULT_SCOPES: &str = "profile email openid";
/// The explicit OIDC endpoints: all of them or none (then discovered from
/// `oidc_issuer`).
pub const OIDC_ENDPOINTS: &[&str] = &["authorize_url", "token_url", "attributes_url", "jwks_uri"];
pub const GOOGLE_REQUIRED: &str =
    "client_id, client_secret and authorize_scopes are all required idp details";
pub const OIDC_REQUIRED: &str =
    "client_id, client_secret, authorize_scopes and oidc_issuer are all required idp details";
/// The name a Google provider must have.
pub const GOOGLE: &str = "Google";
/// The pool's own directory in `SupportedIdentityProviders`.
pub const COGNITO: &str = "COGNITO";

const PROVIDER_TYPES: &[&str] = &[
    "SAML",
    "Facebook",
    "Google",
    "LoginWithAmazon",
    "SignInWithApple",
    "OIDC",
];
/// Names Cognito keeps for its social providers.
const SOCIAL_NAMES: &[&str] = &["Google", "Facebook", "LoginWithAmazon", "SignInWithApple"];
const NAME_PATTERN: &str = "[^_\\p{Z}][\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}][^_\\p{Z}]+";
const IDENTIFIER_PATTERN: &str = "[\\w\\s+=.@-]+";
const MAX_DETAIL: usize = 131_072;
const MAX_CLAIM: usize = 131;
const MAX_IDENTIFIERS: usize = 50;

/// A provider as a caller asks for it: CreateIdentityProvider's members, the
/// console's form, or an update laid over the stored provider. No `Debug`:
/// the details hold the client secret.
#[derive(Clone, Default)]
pub struct ProviderInput {
    pub name: String,
    pub provider_type: String,
    pub details: BTreeMap<String, String>,
    /// Pool attribute -> provider claim; `username` defaults to `sub`.
    pub attribute_mapping: BTreeMap<String, String>,
    pub idp_identifiers: Vec<String>,
}

/// A provider that passed [`validate`]: what the store keeps.
#[derive(Clone, PartialEq, Eq)]
pub struct ProviderSpec {
    pub name: String,
    pub provider_type: ProviderType,
    pub details: BTreeMap<String, String>,
    pub attribute_mapping: BTreeMap<String, String>,
    pub idp_identifiers: Vec<String>,
}

/// Unicode separators (`\p{Z}`).
fn is_separator(c: char) -> bool {
    matches!(
        c,
        ' ' | '\u{a0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200a}' | '\u{2028}' | '\u{2029}' | '\u{202f}' | '\u{205f}' | '\u{3000}'
    )
}

/// Letters, marks, symbols, numbers, punctuation: anything visible.
fn is_visible(c: char) -> bool {
    !c.is_control() && !c.is_whitespace()
}

/// ProviderName of CreateIdentityProvider (`ProviderNameTypeV2`): 1..=32
/// characters, no underscore or space first or after the second, the second
/// visible; control characters are refused everywhere.
pub fn check_new_name(name: &str) -> Result<(), InvalidParameter> {
    check_length(name, "providerName", 1, 32)?;
    let chars: Vec<char> = name.chars().collect();
    let edge = |c: &char| *c != '_' && !is_separator(*c) && !c.is_control();
    let ok =
        chars.len() >= 3 && edge(&chars[0]) && is_visible(chars[1]) && chars[2..].iter().all(edge);
    if !ok {
        return Err(constraint_error(
            name,
            "providerName",
            &format!("Member must satisfy regular expression pattern: {NAME_PATTERN}"),
        ));
    }
    Ok(())
}

/// ProviderName of the other operations (`ProviderNameType`): 1..=32
/// characters, none of them control characters.
pub fn check_name(name: &str) -> Result<(), InvalidParameter> {
    check_length(name, "providerName", 1, 32)?;
    if name.chars().any(char::is_control) {
        return Err(constraint_error(
            name,
            "providerName",
            "Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}\\p{Z}]+",
        ));
    }
    Ok(())
}

/// One IdP identifier (`IdpIdentifierType`): 1..=40 of `[\w\s+=.@-]`.
pub fn check_identifier(id: &str, member: &str) -> Result<(), InvalidParameter> {
    check_length(id, member, 1, 40)?;
    let ok = |c: char| c.is_ascii_alphanumeric() || "_+=.@- \t\n\r\x0b\x0c".contains(c);
    if !id.chars().all(ok) {
        return Err(constraint_error(
            id,
            member,
            &format!("Member must satisfy regular expression pattern: {IDENTIFIER_PATTERN}"),
        ));
    }
    Ok(())
}

/// The provider type: one of the model's, and one cognate implements.
pub fn parse_type(value: &str) -> Result<ProviderType, InvalidParameter> {
    check_enum(value, "providerType", PROVIDER_TYPES)?;
    ProviderType::parse(value).ok_or_else(|| {
        InvalidParameter(format!(
            "ProviderType {value} is not supported by cognate: only Google and OIDC providers are."
        ))
    })
}

fn check_reserved(name: &str, kind: ProviderType) -> Result<(), InvalidParameter> {
    if name.eq_ignore_ascii_case(COGNITO) {
        return Err(InvalidParameter(format!(
            "{name} is a reserved provider name."
        )));
    }
    let misnamed = match kind {
        ProviderType::Google => name != GOOGLE,
        ProviderType::Oidc => SOCIAL_NAMES.contains(&name),
    };
    if misnamed {
        return Err(InvalidParameter(format!(
            "Provider {name} cannot be of type {}.",
            kind.as_str()
        )));
    }
    Ok(())
}

/// A URL the provider serves: absolute, without fragment, https on port 443
/// (or 80, as Cognito allows), except on a loopback host where http and any
/// port are allowed.
pub fn check_provider_url(key: &str, value: &str) -> Result<(), InvalidParameter> {
    let bad = |why: &str| InvalidParameter(format!("{key} {value} {why}"));
    let url = Url::parse(value).map_err(|_| bad("is not a valid absolute URL."))?;
    if url.fragment().is_some() {
        return Err(bad("cannot contain a fragment."));
    }
    let loopback = match url.host() {
        Some(Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        None => return Err(bad("is not a valid absolute URL.")),
    };
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        "http" => return Err(bad("must use https.")),
        _ => return Err(bad("must be an https URL.")),
    }
    if !loopback && !matches!(url.port(), None | Some(80) | Some(443)) {
        return Err(bad("must use port 443 (or 80)."));
    }
    Ok(())
}

/// A space-separated list of OAuth scope tokens (RFC 6749 §3.3).
fn check_scopes(scopes: &str) -> Result<Vec<&str>, InvalidParameter> {
    let token = |c: char| c.is_ascii_graphic() && c != '"' && c != '\\';
    let list: Vec<&str> = scopes.split_ascii_whitespace().collect();
    if list.is_empty() || !list.iter().all(|s| s.chars().all(token)) {
        return Err(InvalidParameter(
            "authorize_scopes must be scope names separated by spaces.".into(),
        ));
    }
    Ok(list)
}

/// The details a caller may set per type, and those Cognito fills in
/// itself (accepted so that a Describe can be sent back, then replaced).
fn keys_of(kind: ProviderType) -> (&'static [&'static str], &'static [&'static str]) {
    match kind {
        ProviderType::Google => (
            &["client_id", "client_secret", "authorize_scopes"],
            &[
                "attributes_url",
                "attributes_url_add_attributes",
                "authorize_url",
                "oidc_issuer",
                "token_request_method",
                "token_url",
            ],
        ),
        ProviderType::Oidc => (
            &[
                "client_id",
                "client_secret",
                "authorize_scopes",
                "oidc_issuer",
                "attributes_request_method",
                "authorize_url",
                "token_url",
                "attributes_url",
                "jwks_uri",
            ],
            &["attributes_url_add_attributes"],
        ),
    }
}

fn check_details(
    kind: ProviderType,
    given: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, String>, InvalidParameter> {
    let (settable, fixed) = keys_of(kind);
    let mut out = BTreeMap::new();
    for (key, value) in given {
        if !settable.contains(&key.as_str()) && !fixed.contains(&key.as_str()) {
            return Err(InvalidParameter(format!(
                "ProviderDetails key {key} is not supported for {} providers; they take {}.",
                kind.as_str(),
                settable.join(", ")
            )));
        }
        if value.chars().count() > MAX_DETAIL || value.chars().any(char::is_control) {
            // The value may be the secret: never repeat it.
            return Err(InvalidParameter(format!(
                "ProviderDetails {key} must be at most {MAX_DETAIL} characters, without control characters."
            )));
        }
        if settable.contains(&key.as_str()) && !value.trim().is_empty() {
            out.insert(key.clone(), value.clone());
        }
    }
    match kind {
        ProviderType::Google => {
            let required = ["client_id", "client_secret", "authorize_scopes"];
            if !required.iter().all(|k| out.contains_key(*k)) {
                return Err(InvalidParameter(GOOGLE_REQUIRED.into()));
            }
            for (k, v) in GOOGLE_FIXED_DETAILS {
                out.insert(k.to_string(), v.to_string());
            }
        }
        ProviderType::Oidc => {
            let required = [
                "client_id",
                "client_secret",
                "authorize_scopes",
                "oidc_issuer",
            ];
            if !required.iter().all(|k| out.contains_key(*k)) {
                return Err(InvalidParameter(OIDC_REQUIRED.into()));
            }
            let method = out
                .entry("attributes_request_method".into())
                .or_insert_with(|| "GET".into());
            if method.as_str() != "GET" && method.as_str() != "POST" {
                return Err(InvalidParameter(
                    "attributes_request_method must be GET or POST.".into(),
                ));
            }
            let explicit = OIDC_ENDPOINTS
                .iter()
                .filter(|k| out.contains_key(**k))
                .count();
            if explicit != 0 && explicit != OIDC_ENDPOINTS.len() {
                return Err(InvalidParameter(
                    "authorize_url, token_url, attributes_url and jwks_uri go together: give all of them, or none to discover them from oidc_issuer."
                        .into(),
                ));
            }
            for key in std::iter::once(&"oidc_issuer").chain(OIDC_ENDPOINTS) {
                if let Some(url) = out.get(*key) {
                    check_provider_url(key, url)?;
                }
            }
            out.insert("attributes_url_add_attributes".into(), "false".into());
        }
    }
    let scopes = check_scopes(&out["authorize_scopes"])?;
    if kind == ProviderType::Oidc && !scopes.contains(&"openid") {
        return Err(InvalidParameter(
            "authorize_scopes of an OIDC provider must include openid.".into(),
        ));
    }
    Ok(out)
}

/// Pool attributes a provider may set: the pool's schema less those
/// Cognito maintains itself, and `username`.
fn mappable(pool: &PoolSettings, key: &str) -> bool {
    key == "username"
        || (key != "sub" && key != "identities" && pool.schema_attribute(key).is_some())
}

fn check_mapping(
    kind: ProviderType,
    given: &BTreeMap<String, String>,
    pool: &PoolSettings,
) -> Result<BTreeMap<String, String>, InvalidParameter> {
    let mut out = BTreeMap::new();
    let mut invalid = Vec::new();
    for (key, claim) in given {
        check_length(key, "attributeMapping", 1, 32)?;
        if !mappable(pool, key) {
            invalid.push(key.as_str());
            continue;
        }
        let n = claim.chars().count();
        if n == 0 || n > MAX_CLAIM || claim.chars().any(char::is_control) {
            return Err(InvalidParameter(format!(
                "The provider attribute mapped to {key} must have 1 to {MAX_CLAIM} characters."
            )));
        }
        out.insert(key.clone(), claim.clone());
    }
    if !invalid.is_empty() {
        return Err(InvalidParameter(format!(
            "AttributeMapping contains invalid mapping: [{}]",
            invalid.join(", ")
        )));
    }
    let username = out.entry("username".into()).or_insert_with(|| "sub".into());
    if kind == ProviderType::Google && username != "sub" {
        return Err(InvalidParameter(
            "The username of a Google provider can only be mapped to sub.".into(),
        ));
    }
    Ok(out)
}

fn check_identifiers(ids: &[String]) -> Result<Vec<String>, InvalidParameter> {
    check_list_length(ids.len(), "idpIdentifiers", 0, MAX_IDENTIFIERS)?;
    for (i, id) in ids.iter().enumerate() {
        check_identifier(id, &format!("idpIdentifiers.{}.member", i + 1))?;
        if ids[..i].contains(id) {
            return Err(InvalidParameter(format!(
                "IdpIdentifiers lists {id} more than once."
            )));
        }
    }
    Ok(ids.to_vec())
}

/// Every rule of a provider's members that the request and the pool's
/// schema decide: name, type, details, attribute mapping, identifiers.
/// Google details gain the endpoints Cognito shows; OIDC details default
/// `attributes_request_method` to GET; the mapping defaults `username` to
/// `sub`.
pub fn validate(
    input: &ProviderInput,
    pool: &PoolSettings,
) -> Result<ProviderSpec, InvalidParameter> {
    if input.name.is_empty() {
        return Err(missing("providerName"));
    }
    check_new_name(&input.name)?;
    if input.provider_type.is_empty() {
        return Err(missing("providerType"));
    }
    let kind = parse_type(&input.provider_type)?;
    check_reserved(&input.name, kind)?;
    Ok(ProviderSpec {
        name: input.name.clone(),
        provider_type: kind,
        details: check_details(kind, &input.details)?,
        attribute_mapping: check_mapping(kind, &input.attribute_mapping, pool)?,
        idp_identifiers: check_identifiers(&input.idp_identifiers)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::directory::pool_settings::PoolSettings;
    use serde_json::json;

    fn pool() -> PoolSettings {
        let req = json!({"PoolName": "p", "Schema": [
            {"Name": "team", "AttributeDataType": "String"},
        ]});
        PoolSettings::from_create_request(&req).unwrap().1
    }

    fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn google() -> ProviderInput {
        ProviderInput {
            name: "Google".into(),
            provider_type: "Google".into(),
            details: map(&[
                ("client_id", "id.apps.googleusercontent.com"),
                ("client_secret", "s3cret"),
                ("authorize_scopes", "email profile openid"),
            ]),
            ..ProviderInput::default()
        }
    }

    fn oidc() -> ProviderInput {
        ProviderInput {
            name: "Corp".into(),
            provider_type: "OIDC".into(),
            details: map(&[
                ("client_id", "cognate"),
                ("client_secret", "s3cret"),
                ("authorize_scopes", "openid email"),
                ("oidc_issuer", "https://idp.example.com"),
            ]),
            ..ProviderInput::default()
        }
    }

    fn err(input: &ProviderInput) -> String {
        match validate(input, &pool()) {
            Ok(_) => panic!("accepted"),
            Err(e) => e.0,
        }
    }

    #[test]
    fn google_gets_cognitos_endpoints_and_a_username_mapping() {
        let s = validate(&google(), &pool()).unwrap();
        assert_eq!(s.provider_type, ProviderType::Google);
        assert_eq!(s.details.len(), 9);
        assert_eq!(s.details["oidc_issuer"], "https://accounts.google.com");
        assert_eq!(s.details["token_request_method"], "POST");
        assert_eq!(s.details["client_secret"], "s3cret");
        assert_eq!(s.attribute_mapping, map(&[("username", "sub")]));
        assert!(s.idp_identifiers.is_empty());
        // What Describe shows can be sent back unchanged.
        let again = ProviderInput {
            details: s.details.clone(),
            attribute_mapping: s.attribute_mapping.clone(),
            ..google()
        };
        assert!(validate(&again, &pool()).unwrap() == s);
        // Cognito's own keys cannot be changed.
        let mut moved = google();
        moved
            .details
            .insert("token_url".into(), "https://evil.example/token".into());
        let s = validate(&moved, &pool()).unwrap();
        assert_eq!(
            s.details["token_url"],
            "https://www.googleapis.com/oauth2/v4/token"
        );
    }

    #[test]
    fn google_rules() {
        for key in ["client_id", "client_secret", "authorize_scopes"] {
            let mut g = google();
            g.details.remove(key);
            assert_eq!(err(&g), GOOGLE_REQUIRED);
            g.details.insert(key.into(), "  ".into());
            assert_eq!(err(&g), GOOGLE_REQUIRED);
        }
        let mut named = google();
        named.name = "MyGoogle".into();
        assert_eq!(err(&named), "Provider MyGoogle cannot be of type Google.");
        let mut extra = google();
        extra.details.insert("jwks_uri".into(), "https://x".into());
        assert!(err(&extra).contains("jwks_uri is not supported for Google"));
        let mut mapped = google();
        mapped.attribute_mapping = map(&[("username", "email")]);
        assert!(err(&mapped).contains("only be mapped to sub"));
    }

    #[test]
    fn oidc_defaults_and_endpoints() {
        let s = validate(&oidc(), &pool()).unwrap();
        assert_eq!(s.provider_type, ProviderType::Oidc);
        assert_eq!(s.details["attributes_request_method"], "GET");
        assert_eq!(s.details["attributes_url_add_attributes"], "false");
        assert_eq!(s.details.len(), 6);
        assert!(
            validate(
                &ProviderInput {
                    details: s.details.clone(),
                    ..oidc()
                },
                &pool()
            )
            .unwrap()
                == s
        );

        let mut explicit = oidc();
        for (k, v) in [
            ("authorize_url", "http://127.0.0.1:8080/authorize"),
            ("token_url", "http://localhost:8080/token"),
            ("attributes_url", "http://[::1]:8080/userinfo"),
            ("jwks_uri", "https://idp.example.com/jwks.json"),
        ] {
            explicit.details.insert(k.into(), v.into());
        }
        explicit
            .details
            .insert("attributes_request_method".into(), "POST".into());
        let s = validate(&explicit, &pool()).unwrap();
        assert_eq!(s.details["attributes_request_method"], "POST");
        assert_eq!(s.details["jwks_uri"], "https://idp.example.com/jwks.json");

        explicit.details.remove("jwks_uri");
        assert!(err(&explicit).contains("go together"));
    }

    #[test]
    fn oidc_rules() {
        for key in [
            "client_id",
            "client_secret",
            "authorize_scopes",
            "oidc_issuer",
        ] {
            let mut o = oidc();
            o.details.remove(key);
            assert_eq!(err(&o), OIDC_REQUIRED);
        }
        let with = |k: &str, v: &str| {
            let mut o = oidc();
            o.details.insert(k.into(), v.into());
            err(&o)
        };
        assert!(with("attributes_request_method", "PUT").contains("GET or POST"));
        assert!(with("oidc_issuer", "http://idp.example.com").contains("must use https"));
        assert!(with("oidc_issuer", "ftp://idp.example.com").contains("https URL"));
        assert!(with("oidc_issuer", "https://idp.example.com:8443").contains("port 443"));
        assert!(with("oidc_issuer", "https://idp.example.com/#x").contains("fragment"));
        assert!(with("oidc_issuer", "idp.example.com").contains("absolute"));
        assert!(with("oidc_issuer", "http://localhost.evil.com").contains("https"));
        assert!(with("authorize_scopes", "email profile").contains("openid"));
        assert!(with("authorize_scopes", "openid \"x\"").contains("scope names"));
        assert!(with("unknown", "x").contains("unknown is not supported for OIDC"));
        let secret = with("client_secret", "bad\u{7}secret");
        assert!(!secret.contains("bad"), "{secret}");
        assert!(with("client_id", &"x".repeat(MAX_DETAIL + 1)).contains("at most"));
        for url in [
            "http://localhost:9000",
            "http://127.0.0.1:5556/dex",
            "https://idp.example.com:443/tenant",
            "http://[::1]",
        ] {
            let mut o = oidc();
            o.details.insert("oidc_issuer".into(), url.into());
            assert!(validate(&o, &pool()).is_ok(), "{url}");
        }
    }

    #[test]
    fn names_and_types() {
        let named = |name: &str| {
            let mut o = oidc();
            o.name = name.into();
            validate(&o, &pool()).map(|_| ()).map_err(|e| e.0)
        };
        for good in ["Corp", "My-IdP", "a-b", "Ünï", "x.y@z", "A_b"] {
            assert_eq!(named(good), Ok(()), "{good}");
        }
        for bad in [
            "ab", "_Corp", " Corp", "Co_rp", "C rp", "My IdP", "a\u{1}b", "Corp ",
        ] {
            assert!(named(bad).unwrap_err().contains("pattern"), "{bad}");
        }
        assert!(named(&"x".repeat(33)).unwrap_err().contains("32"));
        assert!(named("").unwrap_err().contains("null"));
        assert_eq!(
            named("COGNITO").unwrap_err(),
            "COGNITO is a reserved provider name."
        );
        assert!(named("Cognito").unwrap_err().contains("reserved"));
        assert_eq!(
            named("Google").unwrap_err(),
            "Provider Google cannot be of type OIDC."
        );
        let typed = |t: &str| {
            let mut o = oidc();
            o.provider_type = t.into();
            err(&o)
        };
        assert!(typed("SAML").contains("not supported by cognate"));
        assert!(typed("Facebook").contains("not supported by cognate"));
        assert!(typed("oidc").contains("enum value set"));
        assert!(typed("").contains("null"));
        assert!(check_name("Corp Idp").is_ok() && check_name("a\nb").is_err());
        assert!(check_name(&"x".repeat(33)).is_err());
    }

    #[test]
    fn attribute_mapping() {
        let mapped = |pairs: &[(&str, &str)]| {
            let mut o = oidc();
            o.attribute_mapping = map(pairs);
            validate(&o, &pool())
                .map(|s| s.attribute_mapping)
                .map_err(|e| e.0)
        };
        assert_eq!(
            mapped(&[("email", "email"), ("custom:team", "groups")]).unwrap(),
            map(&[
                ("custom:team", "groups"),
                ("email", "email"),
                ("username", "sub")
            ])
        );
        assert_eq!(
            mapped(&[("username", "oid")]).unwrap(),
            map(&[("username", "oid")])
        );
        assert_eq!(
            mapped(&[("custom:nope", "x"), ("shoe_size", "y"), ("email", "email")]).unwrap_err(),
            "AttributeMapping contains invalid mapping: [custom:nope, shoe_size]"
        );
        assert!(mapped(&[("sub", "sub")]).unwrap_err().contains("[sub]"));
        assert!(mapped(&[("identities", "x")]).is_err());
        assert!(mapped(&[("email", "")]).unwrap_err().contains("1 to 131"));
        let (long, longest, key) = ("c".repeat(132), "c".repeat(131), "k".repeat(33));
        assert!(mapped(&[("email", long.as_str())]).is_err());
        assert!(mapped(&[("email", longest.as_str())]).is_ok());
        assert!(mapped(&[(key.as_str(), "x")]).unwrap_err().contains("32"));
    }

    #[test]
    fn identifiers() {
        let ids = |list: &[&str]| {
            let mut o = oidc();
            o.idp_identifiers = list.iter().map(|s| s.to_string()).collect();
            validate(&o, &pool())
                .map(|s| s.idp_identifiers)
                .map_err(|e| e.0)
        };
        assert_eq!(
            ids(&["example.com", "corp_idp", "a+b=c@d-e"])
                .unwrap()
                .len(),
            3
        );
        assert!(ids(&["bad/slash"]).unwrap_err().contains("pattern"));
        assert!(ids(&[""]).unwrap_err().contains("idpIdentifiers.1.member"));
        assert!(ids(&[&"x".repeat(41)]).unwrap_err().contains("40"));
        assert!(ids(&["a", "a"]).unwrap_err().contains("more than once"));
        let many: Vec<String> = (0..51).map(|i| format!("id{i}")).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        assert!(ids(&many).unwrap_err().contains("less than or equal to 50"));
    }
}
