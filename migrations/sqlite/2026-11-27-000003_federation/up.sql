-- External identity providers of a pool (CreateIdentityProvider): Google
-- and generic OpenID Connect. details, attribute_mapping: JSON objects of
-- strings, as Cognito's ProviderDetails and AttributeMapping;
-- idp_identifiers: a JSON array of strings.
CREATE TABLE identity_providers (
    pool_id TEXT NOT NULL REFERENCES user_pools (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    provider_type TEXT NOT NULL,
    details TEXT NOT NULL,
    attribute_mapping TEXT NOT NULL,
    idp_identifiers TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (pool_id, name)
);

-- An external identity (provider + the provider's subject) and the user it
-- signs in as: the user it created, or a local user it was linked to by
-- AdminLinkProviderForUser.
CREATE TABLE user_identities (
    pool_id TEXT NOT NULL REFERENCES user_pools (id) ON DELETE CASCADE,
    provider_name TEXT NOT NULL,
    provider_user_id TEXT NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (pool_id, provider_name, provider_user_id)
);
CREATE INDEX user_identities_user ON user_identities (user_id);
