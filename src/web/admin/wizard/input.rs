//! The raw input of a wizard form, the errors found in it, and the
//! round trip through the settings parsers that validates a piece of it.

use serde_json::{json, Value};

use crate::directory::client_settings::ClientSettings;
use crate::directory::pool_settings::{InvalidParameter, PoolSettings};

/// A posted form: its pairs in order, repeated names kept.
pub struct FormData(Vec<(String, String)>);

impl FormData {
    pub fn new(pairs: Vec<(String, String)>) -> FormData {
        FormData(pairs)
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// A value, trimmed; empty when absent.
    pub fn text(&self, name: &str) -> String {
        self.get(name).unwrap_or("").trim().to_string()
    }

    /// A multi-line value as typed, with browser line ends made `\n`.
    pub fn multiline(&self, name: &str) -> String {
        self.get(name).unwrap_or("").replace("\r\n", "\n")
    }

    /// Whether a checkbox was ticked.
    pub fn checked(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

/// Errors by the id of the field (or fieldset) they belong to, in page
/// order; the first error of a field wins.
#[derive(Clone, Debug, Default)]
pub struct FieldErrors(Vec<(String, String)>);

impl FieldErrors {
    pub fn add(&mut self, id: impl Into<String>, message: impl Into<String>) {
        let id = id.into();
        if !self.has(&id) {
            self.0.push((id, message.into()));
        }
    }

    pub fn get(&self, id: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == id)
            .map(|(_, m)| m.as_str())
    }

    pub fn has(&self, id: &str) -> bool {
        self.get(id).is_some()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn list(&self) -> &[(String, String)] {
        &self.0
    }
}

/// Runs `members` through CreateUserPool's validation.
pub fn pool_check(members: Value) -> Result<PoolSettings, InvalidParameter> {
    let mut req = json!({ "PoolName": "wizard" });
    if let (Value::Object(into), Value::Object(from)) = (&mut req, members) {
        into.extend(from);
    }
    PoolSettings::from_create_request(&req).map(|(_, s)| s)
}

pub fn client_check(members: Value) -> Result<ClientSettings, InvalidParameter> {
    let mut req = json!({ "ClientName": "wizard" });
    if let (Value::Object(into), Value::Object(from)) = (&mut req, members) {
        into.extend(from);
    }
    ClientSettings::from_create_request(&req).map(|(s, _)| s)
}
