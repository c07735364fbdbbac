DROP TABLE user_identities;
DROP TABLE identity_providers;
