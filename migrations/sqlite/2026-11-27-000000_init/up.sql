-- Portable SQL (SQLite and PostgreSQL). Times are unix seconds.

CREATE TABLE server_settings (
    name TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);

CREATE TABLE user_pools (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    settings TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE signing_keys (
    kid TEXT PRIMARY KEY NOT NULL,
    pool_id TEXT NOT NULL REFERENCES user_pools (id) ON DELETE CASCADE,
    private_key TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX signing_keys_pool ON signing_keys (pool_id);

CREATE TABLE app_clients (
    id TEXT PRIMARY KEY NOT NULL,
    pool_id TEXT NOT NULL REFERENCES user_pools (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    secret TEXT,
    settings TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX app_clients_pool ON app_clients (pool_id);

CREATE TABLE users (
    id TEXT PRIMARY KEY NOT NULL,
    pool_id TEXT NOT NULL REFERENCES user_pools (id) ON DELETE CASCADE,
    username TEXT NOT NULL,
    username_key TEXT NOT NULL,
    password_hash TEXT,
    status TEXT NOT NULL,
    enabled BOOLEAN NOT NULL,
    attributes TEXT NOT NULL,
    -- Hosted sessions that signed in before this (unix seconds) are void.
    signed_out_at BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (pool_id, username_key)
);
CREATE INDEX users_pool_created ON users (pool_id, created_at);

-- Sign-in aliases (a verified e-mail or phone number, a preferred_username)
-- that must be unique in a pool; keys are lowercased where the pool is
-- case-insensitive.
CREATE TABLE user_aliases (
    pool_id TEXT NOT NULL REFERENCES user_pools (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    alias_key TEXT NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (pool_id, kind, alias_key)
);
CREATE INDEX user_aliases_user ON user_aliases (user_id);

-- One row per user and purpose: the current code, and the budget of sends
-- and wrong tries of the window that began at window_start.
CREATE TABLE codes (
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose TEXT NOT NULL,
    code_hash TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    sends INTEGER NOT NULL,
    window_start BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, purpose)
);

-- Failed sign-ins per realm (a pool id, or "admin" for the console) and
-- name typed, whether or not such a user exists, so the lockout says
-- nothing about existence. Times in unix milliseconds.
CREATE TABLE sign_in_failures (
    realm TEXT NOT NULL,
    username_key TEXT NOT NULL,
    failed_attempts INTEGER NOT NULL,
    locked_until BIGINT NOT NULL,
    PRIMARY KEY (realm, username_key)
);

CREATE TABLE web_sessions (
    id TEXT PRIMARY KEY NOT NULL,
    state TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX web_sessions_expiry ON web_sessions (expires_at);

CREATE TABLE auth_codes (
    code_hash TEXT PRIMARY KEY NOT NULL,
    client_id TEXT NOT NULL REFERENCES app_clients (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    redirect_uri TEXT NOT NULL,
    scope TEXT NOT NULL,
    nonce TEXT,
    code_challenge TEXT,
    auth_time BIGINT NOT NULL,
    origin_jti TEXT NOT NULL,
    used BOOLEAN NOT NULL,
    expires_at BIGINT NOT NULL
);

CREATE TABLE refresh_tokens (
    token_hash TEXT PRIMARY KEY NOT NULL,
    origin_jti TEXT NOT NULL UNIQUE,
    client_id TEXT NOT NULL REFERENCES app_clients (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    scope TEXT NOT NULL,
    auth_time BIGINT NOT NULL,
    revoked BOOLEAN NOT NULL,
    expires_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE outbox (
    id TEXT PRIMARY KEY NOT NULL,
    channel TEXT NOT NULL,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX outbox_created ON outbox (created_at);
