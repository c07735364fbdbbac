-- A new e-mail or phone number waiting for its code while the old one
-- stays in force (UserAttributeUpdateSettings.AttributesRequireVerificationBeforeUpdate).
CREATE TABLE pending_attributes (
    user_id TEXT COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT COLLATE "C" NOT NULL,
    value TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (user_id, name)
);
