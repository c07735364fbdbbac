//! The admin console (`/admin`): its own sign-in, the pool setup wizard,
//! each pool's pages, and the outbox. Server-rendered, no JavaScript.

pub mod auth;
pub mod pool;
pub mod shared;
pub mod wizard;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    auth::routes(cfg);
    wizard::routes(cfg);
    pool::routes(cfg);
}
