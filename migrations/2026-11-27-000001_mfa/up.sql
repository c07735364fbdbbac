-- A user's second factors. The TOTP secret is sealed (AES-256-GCM with the
-- server's MFA key), so a copy of the database alone does not reveal it.
CREATE TABLE user_mfa (
    user_id TEXT PRIMARY KEY NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    totp_secret TEXT,
    totp_verified BOOLEAN NOT NULL DEFAULT FALSE,
    -- The last TOTP time step accepted: a step is never accepted twice.
    totp_last_step BIGINT NOT NULL DEFAULT 0,
    sms_enabled BOOLEAN NOT NULL DEFAULT FALSE,
    -- SOFTWARE_TOKEN_MFA, SMS_MFA, or NULL.
    preferred TEXT
);
