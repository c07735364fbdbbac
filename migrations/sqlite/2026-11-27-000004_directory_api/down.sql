DROP TABLE user_pool_domains;
DROP TABLE resource_servers;
DROP TABLE group_members;
DROP TABLE user_pool_groups;
ALTER TABLE users DROP COLUMN srp_verifier;
ALTER TABLE users DROP COLUMN srp_salt;
