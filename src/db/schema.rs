//! Diesel table definitions, kept in step with `migrations/` by hand.

diesel::table! {
    server_settings (name) {
        name -> Text,
        value -> Text,
    }
}

diesel::table! {
    user_pools (id) {
        id -> Text,
        name -> Text,
        settings -> Text,
        created_at -> BigInt,
        updated_at -> BigInt,
    }
}

diesel::table! {
    signing_keys (kid) {
        kid -> Text,
        pool_id -> Text,
        private_key -> Text,
        created_at -> BigInt,
    }
}

diesel::table! {
    app_clients (id) {
        id -> Text,
        pool_id -> Text,
        name -> Text,
        secret -> Nullable<Text>,
        settings -> Text,
        created_at -> BigInt,
        updated_at -> BigInt,
    }
}

diesel::table! {
    users (id) {
        id -> Text,
        pool_id -> Text,
        username -> Text,
        username_key -> Text,
        password_hash -> Nullable<Text>,
        status -> Text,
        enabled -> Bool,
        attributes -> Text,
        signed_out_at -> BigInt,
        created_at -> BigInt,
        updated_at -> BigInt,
        srp_salt -> Nullable<Text>,
        srp_verifier -> Nullable<Text>,
    }
}

diesel::table! {
    user_mfa (user_id) {
        user_id -> Text,
        totp_secret -> Nullable<Text>,
        totp_verified -> Bool,
        totp_last_step -> BigInt,
        sms_enabled -> Bool,
        preferred -> Nullable<Text>,
        pending_totp_secret -> Nullable<Text>,
    }
}

diesel::table! {
    pending_attributes (user_id, name) {
        user_id -> Text,
        name -> Text,
        value -> Text,
    }
}

diesel::table! {
    auth_sessions (id_hash) {
        id_hash -> Text,
        pool_id -> Text,
        client_id -> Text,
        user_id -> Text,
        challenge -> Text,
        lock_key -> Text,
        pending_secret -> Nullable<Text>,
        expires_at -> BigInt,
    }
}

diesel::table! {
    user_aliases (pool_id, kind, alias_key) {
        pool_id -> Text,
        kind -> Text,
        alias_key -> Text,
        user_id -> Text,
    }
}

diesel::table! {
    codes (user_id, purpose) {
        user_id -> Text,
        purpose -> Text,
        code_hash -> Text,
        attempts -> Integer,
        sends -> Integer,
        window_start -> BigInt,
        expires_at -> BigInt,
    }
}

diesel::table! {
    sign_in_failures (realm, username_key) {
        realm -> Text,
        username_key -> Text,
        failed_attempts -> Integer,
        locked_until -> BigInt,
    }
}

diesel::table! {
    web_sessions (id) {
        id -> Text,
        state -> Text,
        expires_at -> BigInt,
    }
}

diesel::table! {
    auth_codes (code_hash) {
        code_hash -> Text,
        client_id -> Text,
        user_id -> Text,
        redirect_uri -> Text,
        scope -> Text,
        nonce -> Nullable<Text>,
        code_challenge -> Nullable<Text>,
        auth_time -> BigInt,
        origin_jti -> Text,
        used -> Bool,
        expires_at -> BigInt,
    }
}

diesel::table! {
    refresh_tokens (token_hash) {
        token_hash -> Text,
        origin_jti -> Text,
        client_id -> Text,
        user_id -> Text,
        scope -> Text,
        auth_time -> BigInt,
        revoked -> Bool,
        expires_at -> BigInt,
        created_at -> BigInt,
    }
}

diesel::table! {
    outbox (id) {
        id -> Text,
        channel -> Text,
        recipient -> Text,
        subject -> Text,
        body -> Text,
        created_at -> BigInt,
    }
}

diesel::table! {
    identity_providers (pool_id, name) {
        pool_id -> Text,
        name -> Text,
        provider_type -> Text,
        details -> Text,
        attribute_mapping -> Text,
        idp_identifiers -> Text,
        created_at -> BigInt,
        updated_at -> BigInt,
    }
}

diesel::table! {
    user_identities (pool_id, provider_name, provider_user_id) {
        pool_id -> Text,
        provider_name -> Text,
        provider_user_id -> Text,
        user_id -> Text,
        created_at -> BigInt,
    }
}

diesel::table! {
    user_pool_groups (pool_id, name) {
        pool_id -> Text,
        name -> Text,
        description -> Nullable<Text>,
        role_arn -> Nullable<Text>,
        precedence -> Nullable<BigInt>,
        created_at -> BigInt,
        updated_at -> BigInt,
    }
}

diesel::table! {
    group_members (pool_id, group_name, user_id) {
        pool_id -> Text,
        group_name -> Text,
        user_id -> Text,
        added_at -> BigInt,
    }
}

diesel::table! {
    resource_servers (pool_id, identifier) {
        pool_id -> Text,
        identifier -> Text,
        name -> Text,
        scopes -> Text,
    }
}

diesel::table! {
    user_pool_domains (domain) {
        domain -> Text,
        pool_id -> Text,
        custom_domain_config -> Nullable<Text>,
        managed_login_version -> Nullable<BigInt>,
        created_at -> BigInt,
    }
}

diesel::joinable!(signing_keys -> user_pools (pool_id));
diesel::joinable!(app_clients -> user_pools (pool_id));
diesel::joinable!(users -> user_pools (pool_id));
diesel::joinable!(codes -> users (user_id));
diesel::joinable!(user_aliases -> users (user_id));

diesel::allow_tables_to_appear_in_same_query!(
    server_settings,
    user_pools,
    signing_keys,
    app_clients,
    users,
    user_aliases,
    user_mfa,
    auth_sessions,
    pending_attributes,
    codes,
    sign_in_failures,
    web_sessions,
    auth_codes,
    refresh_tokens,
    outbox,
    identity_providers,
    user_identities,
    user_pool_groups,
    group_members,
    resource_servers,
    user_pool_domains,
);
