DROP TABLE auth_sessions;
DROP TABLE user_mfa;
