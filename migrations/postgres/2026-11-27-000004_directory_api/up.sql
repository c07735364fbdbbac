-- SRP (USER_SRP_AUTH): each password also kept as Cognito's SRP verifier,
-- v = g^x mod N with x = H(salt | H(poolName | userId | ":" | password)).
-- NULL for users without a password (external providers) and for
-- passwords set before this migration (SRP then fails for them).
ALTER TABLE users ADD COLUMN srp_salt TEXT COLLATE "C";
ALTER TABLE users ADD COLUMN srp_verifier TEXT COLLATE "C";

-- Groups of a pool (CreateGroup), and their members.
CREATE TABLE user_pool_groups (
    pool_id TEXT COLLATE "C" NOT NULL REFERENCES user_pools (id) ON DELETE CASCADE,
    name TEXT COLLATE "C" NOT NULL,
    description TEXT COLLATE "C",
    role_arn TEXT COLLATE "C",
    precedence BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (pool_id, name)
);

CREATE TABLE group_members (
    pool_id TEXT COLLATE "C" NOT NULL,
    group_name TEXT COLLATE "C" NOT NULL,
    user_id TEXT COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    added_at BIGINT NOT NULL,
    PRIMARY KEY (pool_id, group_name, user_id),
    FOREIGN KEY (pool_id, group_name) REFERENCES user_pool_groups (pool_id, name) ON DELETE CASCADE
);
CREATE INDEX group_members_user ON group_members (user_id);

-- Resource servers (CreateResourceServer) and their custom scopes: a JSON
-- array of {"ScopeName", "ScopeDescription"}.
CREATE TABLE resource_servers (
    pool_id TEXT COLLATE "C" NOT NULL REFERENCES user_pools (id) ON DELETE CASCADE,
    identifier TEXT COLLATE "C" NOT NULL,
    name TEXT COLLATE "C" NOT NULL,
    scopes TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (pool_id, identifier)
);

-- Domains (CreateUserPoolDomain): accepted and described; the hosted UI is
-- served at COGNATE_PUBLIC_URL whatever the domain.
CREATE TABLE user_pool_domains (
    domain TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    pool_id TEXT COLLATE "C" NOT NULL REFERENCES user_pools (id) ON DELETE CASCADE,
    custom_domain_config TEXT COLLATE "C",
    managed_login_version BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX user_pool_domains_pool ON user_pool_domains (pool_id);
