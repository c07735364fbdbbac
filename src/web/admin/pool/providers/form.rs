//! The provider form: its values for the page, and what a posted form asks
//! for, as the API's `ProviderInput` / `ProviderChanges`. Only the form's
//! own shape is checked here (mapping rows complete, no attribute twice);
//! every rule of the provider is `identity_providers::rules`'.

use std::collections::BTreeMap;

use super::super::Fields;
use crate::directory::identity_providers::rules::{GOOGLE, GOOGLE_DEFAULT_SCOPES};
use crate::directory::identity_providers::{
    IdentityProvider, ProviderChanges, ProviderInput, ProviderType,
};
use crate::directory::pool_settings::PoolSettings;
use crate::web::admin::shared::Choice;

/// Empty mapping rows offered below the filled ones (no script adds rows).
const BLANK_ROWS: usize = 3;
/// What a new Google provider maps.
const GOOGLE_MAPPING: &[(&str, &str)] = &[
    ("email", "email"),
    ("email_verified", "email_verified"),
    ("name", "name"),
];
const OIDC_DEFAULT_SCOPES: &str = "openid email profile";
/// The OIDC details the form sets besides the client secret.
const OIDC_FIELDS: &[&str] = &[
    "oidc_issuer",
    "authorize_url",
    "token_url",
    "attributes_url",
    "jwks_uri",
];

/// One row of the attribute mapping: a pool attribute and the claim that
/// fills it.
pub struct MappingRow {
    pub claim: String,
    pub options: Vec<Choice>,
}

/// The form's values. No `Debug`: it holds the client secret.
pub struct ProviderForm {
    /// The API's type name, posted back.
    pub kind: &'static str,
    pub kind_label: &'static str,
    pub google: bool,
    pub name: String,
    pub client_id: String,
    pub client_secret: String,
    pub scopes: String,
    pub issuer: String,
    pub method_post: bool,
    pub authorize_url: String,
    pub token_url: String,
    pub attributes_url: String,
    pub jwks_uri: String,
    pub username_claim: String,
    pub mappings: Vec<MappingRow>,
    /// One a line.
    pub identifiers: String,
}

/// The pool attributes a claim may fill.
fn attributes(pool: &PoolSettings) -> Vec<String> {
    pool.schema
        .iter()
        .map(|a| a.name.clone())
        .filter(|n| n != "sub" && n != "identities")
        .collect()
}

/// The filled rows, then blank ones.
fn rows<'a>(
    pool: &PoolSettings,
    pairs: impl Iterator<Item = (&'a str, &'a str)>,
) -> Vec<MappingRow> {
    let names = attributes(pool);
    let row = |attr: &str, claim: &str| MappingRow {
        claim: claim.to_string(),
        options: names.iter().map(|n| Choice::new(n, n, n == attr)).collect(),
    };
    let mut out: Vec<MappingRow> = pairs.map(|(a, c)| row(a, c)).collect();
    out.extend((0..BLANK_ROWS).map(|_| row("", "")));
    out
}

fn posted_pairs(f: &Fields) -> Vec<(String, String)> {
    f.all("map_attr")
        .into_iter()
        .zip(f.all("map_claim"))
        .map(|(a, c)| (a.trim().to_string(), c.trim().to_string()))
        .filter(|(a, c)| !a.is_empty() || !c.is_empty())
        .collect()
}

impl ProviderForm {
    fn empty(kind: ProviderType) -> ProviderForm {
        let google = kind == ProviderType::Google;
        ProviderForm {
            kind: kind.as_str(),
            kind_label: super::type_label(kind),
            google,
            name: if google { GOOGLE.into() } else { String::new() },
            client_id: String::new(),
            client_secret: String::new(),
            scopes: String::new(),
            issuer: String::new(),
            method_post: false,
            authorize_url: String::new(),
            token_url: String::new(),
            attributes_url: String::new(),
            jwks_uri: String::new(),
            username_claim: "sub".into(),
            mappings: Vec::new(),
            identifiers: String::new(),
        }
    }

    /// A new provider of `kind`, with the console's defaults.
    pub fn blank(kind: ProviderType, pool: &PoolSettings) -> ProviderForm {
        let mut form = ProviderForm::empty(kind);
        if form.google {
            form.scopes = GOOGLE_DEFAULT_SCOPES.into();
            form.mappings = rows(pool, GOOGLE_MAPPING.iter().copied());
        } else {
            form.scopes = OIDC_DEFAULT_SCOPES.into();
            form.mappings = rows(pool, std::iter::empty());
        }
        form
    }

    /// A stored provider, for its edit page.
    pub fn of(p: &IdentityProvider, pool: &PoolSettings) -> ProviderForm {
        let mut form = ProviderForm::empty(p.provider_type);
        let detail = |k: &str| p.detail(k).unwrap_or_default().to_string();
        form.name = p.name.clone();
        form.client_id = detail("client_id");
        form.client_secret = detail("client_secret");
        form.scopes = detail("authorize_scopes");
        if !form.google {
            form.issuer = detail("oidc_issuer");
            form.method_post = p.detail("attributes_request_method") == Some("POST");
            form.authorize_url = detail("authorize_url");
            form.token_url = detail("token_url");
            form.attributes_url = detail("attributes_url");
            form.jwks_uri = detail("jwks_uri");
        }
        form.username_claim = p
            .attribute_mapping
            .get("username")
            .cloned()
            .unwrap_or_else(|| "sub".into());
        let mapped = p
            .attribute_mapping
            .iter()
            .filter(|(k, _)| k.as_str() != "username")
            .map(|(k, v)| (k.as_str(), v.as_str()));
        form.mappings = rows(pool, mapped);
        form.identifiers = p.idp_identifiers.join("\n");
        form
    }

    /// The posted values, to show the form again with a refusal.
    pub fn posted(
        kind: ProviderType,
        f: &Fields,
        pool: &PoolSettings,
        existing: Option<&IdentityProvider>,
    ) -> ProviderForm {
        let mut form = ProviderForm::empty(kind);
        form.name = match existing {
            Some(p) => p.name.clone(),
            None if form.google => GOOGLE.into(),
            None => f.text("name"),
        };
        form.client_id = f.text("client_id");
        form.client_secret = f.raw("client_secret");
        form.scopes = f.text("authorize_scopes");
        form.issuer = f.text("oidc_issuer");
        form.method_post = f.get("attributes_request_method") == Some("POST");
        form.authorize_url = f.text("authorize_url");
        form.token_url = f.text("token_url");
        form.attributes_url = f.text("attributes_url");
        form.jwks_uri = f.text("jwks_uri");
        if !form.google {
            form.username_claim = f.text("username_claim");
        }
        let pairs = posted_pairs(f);
        form.mappings = rows(pool, pairs.iter().map(|(a, c)| (a.as_str(), c.as_str())));
        form.identifiers = f.raw("identifiers");
        form
    }
}

/// The details the form sets. A blank secret is left out: on an update the
/// stored one stays, on a creation the rules ask for one.
fn details(kind: ProviderType, f: &Fields) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut put = |k: &str, v: String| {
        if !v.trim().is_empty() {
            out.insert(k.to_string(), v);
        }
    };
    put("client_id", f.text("client_id"));
    put("client_secret", f.raw("client_secret"));
    put("authorize_scopes", f.text("authorize_scopes"));
    if kind == ProviderType::Oidc {
        put(
            "attributes_request_method",
            f.get("attributes_request_method")
                .unwrap_or("GET")
                .to_string(),
        );
        for key in OIDC_FIELDS {
            put(key, f.text(key));
        }
    }
    out
}

/// The attribute mapping of the posted rows (and, for OIDC, the user name's
/// claim).
fn mapping(kind: ProviderType, f: &Fields) -> Result<BTreeMap<String, String>, String> {
    if f.all("map_attr").len() != f.all("map_claim").len() {
        return Err(
            "The attribute mapping arrived incomplete; reload the page and try again.".into(),
        );
    }
    let mut out = BTreeMap::new();
    let mut add = |attr: String, claim: String| {
        if out.insert(attr.clone(), claim).is_some() {
            return Err(format!("{attr} is mapped more than once."));
        }
        Ok(())
    };
    for (attr, claim) in posted_pairs(f) {
        if attr.is_empty() {
            return Err(format!(
                "Choose the pool attribute that the claim {claim} fills."
            ));
        }
        if claim.is_empty() {
            return Err(format!("Enter the provider claim that fills {attr}."));
        }
        add(attr, claim)?;
    }
    let username = f.text("username_claim");
    if kind == ProviderType::Oidc && !username.is_empty() {
        add("username".into(), username)?;
    }
    Ok(out)
}

/// A new provider from the add form.
pub fn input(kind: ProviderType, f: &Fields) -> Result<ProviderInput, String> {
    Ok(ProviderInput {
        name: match kind {
            ProviderType::Google => GOOGLE.into(),
            ProviderType::Oidc => f.text("name"),
        },
        provider_type: kind.as_str().into(),
        details: details(kind, f),
        attribute_mapping: mapping(kind, f)?,
        idp_identifiers: f.lines("identifiers"),
    })
}

/// The edit form: every member it shows, replaced.
pub fn changes(kind: ProviderType, f: &Fields) -> Result<ProviderChanges, String> {
    Ok(ProviderChanges {
        details: Some(details(kind, f)),
        attribute_mapping: Some(mapping(kind, f)?),
        idp_identifiers: Some(f.lines("identifiers")),
    })
}
