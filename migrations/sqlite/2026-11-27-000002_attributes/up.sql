-- A new e-mail or phone number waiting for its code while the old one
-- stays in force (UserAttributeUpdateSettings.AttributesRequireVerificationBeforeUpdate).
CREATE TABLE pending_attributes (
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (user_id, name)
);
