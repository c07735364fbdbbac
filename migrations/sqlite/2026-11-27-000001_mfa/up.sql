-- A user's second factors. The TOTP secrets are sealed (AES-256-GCM with
-- the server's MFA key), so a copy of the database alone does not reveal them.
CREATE TABLE user_mfa (
    user_id TEXT PRIMARY KEY NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    totp_secret TEXT,
    totp_verified BOOLEAN NOT NULL DEFAULT FALSE,
    -- The last TOTP time step accepted: a step is never accepted twice.
    totp_last_step BIGINT NOT NULL DEFAULT 0,
    sms_enabled BOOLEAN NOT NULL DEFAULT FALSE,
    -- SOFTWARE_TOKEN_MFA, SMS_MFA, or NULL.
    preferred TEXT,
    -- An authenticator being associated (AssociateSoftwareToken), until
    -- VerifySoftwareToken proves the app has it.
    pending_totp_secret TEXT
);

-- Sign-ins of the API waiting for a challenge's answer (the `Session` of
-- InitiateAuth / RespondToAuthChallenge), stored as a hash.
CREATE TABLE auth_sessions (
    id_hash TEXT PRIMARY KEY NOT NULL,
    pool_id TEXT NOT NULL REFERENCES user_pools (id) ON DELETE CASCADE,
    client_id TEXT NOT NULL REFERENCES app_clients (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    challenge TEXT NOT NULL,
    lock_key TEXT NOT NULL,
    pending_secret TEXT,
    expires_at BIGINT NOT NULL
);
