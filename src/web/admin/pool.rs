//! A pool's pages: overview, app clients, users, settings, deletion.

use actix_web::web;

pub fn routes(_cfg: &mut web::ServiceConfig) {}
