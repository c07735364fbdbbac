//! The "Create user pool" wizard.

use actix_web::web;

pub fn routes(_cfg: &mut web::ServiceConfig) {}
