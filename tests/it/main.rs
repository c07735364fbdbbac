//! The one integration-test binary: every test starts the real server on
//! port 0 with a fresh SQLite file and talks to it over HTTP, SMTP, the AWS
//! SDK, an OpenID Connect relying party, or headless Chromium.
//!
//! Add modules here, not files beside this one: each extra test target is
//! another full link of the whole dependency tree.

mod support {
    pub mod browser;
    pub mod cluster;
    pub mod oidc;
    pub mod smtp;
}

mod helpers;

mod api_auth;
mod api_clients;
mod api_groups;
mod api_identity_providers;
mod api_pools;
mod api_protocol;
mod api_resource_servers;
mod api_srp;
mod api_users;
mod attributes;
mod aws_cli;
mod backends;
mod browser_flow;
mod console;
mod console_pool;
mod console_providers;
mod console_wizard;
mod durability;
mod federation;
mod hardening;
mod hosted_signin;
mod hosted_signup;
mod mfa;
mod mfa_browser;
mod oauth_tokens;
mod oidc_harness;
mod outage;
mod pool_settings;
mod recovery;
mod recovery_browser;
mod security;
mod two_nodes;
