//! The data the scenarios run on, made through the Cognito API with
//! aws-sdk-rust (SigV4-signed with the bench's key pair): one pool whose
//! users sign up with an e-mail address that is verified by code, an API
//! client (USER_PASSWORD_AUTH, refresh) and a public web client (code flow
//! with PKCE), and N confirmed users (SignUp + AdminConfirmSignUp).

use aws_sdk_cognitoidentityprovider as cognito;
use cognito::types::{
    AttributeDataType, AttributeType, ExplicitAuthFlowsType, OAuthFlowType, SchemaAttributeType,
    VerifiedAttributeType,
};

use crate::server::{KEY_ID, SECRET};

pub const CALLBACK: &str = "http://localhost:3000/callback";
pub const PASSWORD: &str = "Correct-Horse-9";

/// How many seeding calls run at once (each SignUp hashes a password).
const SEED_CONCURRENCY: usize = 8;

#[derive(Clone, Debug)]
pub struct Fixture {
    pub pool_id: String,
    pub api_client: String,
    pub web_client: String,
    pub users: Vec<String>,
}

pub fn username(i: usize) -> String {
    format!("user-{i:05}")
}

fn sdk(url: &str) -> cognito::Client {
    let conf = cognito::Config::builder()
        .behavior_version(cognito::config::BehaviorVersion::latest())
        .region(cognito::config::Region::new("us-east-1"))
        .credentials_provider(cognito::config::Credentials::new(
            KEY_ID, SECRET, None, None, "bench",
        ))
        .endpoint_url(url)
        .build();
    cognito::Client::from_conf(conf)
}

fn email_attribute(value: &str) -> Result<AttributeType, String> {
    AttributeType::builder()
        .name("email")
        .value(value)
        .build()
        .map_err(|e| e.to_string())
}

pub async fn seed(url: &str, users: usize) -> Result<Fixture, String> {
    let api = sdk(url);
    let pool = api
        .create_user_pool()
        .pool_name("bench")
        .auto_verified_attributes(VerifiedAttributeType::Email)
        .schema(
            SchemaAttributeType::builder()
                .name("email")
                .attribute_data_type(AttributeDataType::String)
                .required(true)
                .mutable(true)
                .build(),
        )
        .send()
        .await
        .map_err(|e| format!("CreateUserPool: {e:?}"))?;
    let pool_id = pool
        .user_pool()
        .and_then(|p| p.id())
        .ok_or("CreateUserPool: no pool id")?
        .to_string();
    let api_client = api
        .create_user_pool_client()
        .user_pool_id(&pool_id)
        .client_name("api")
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
        .send()
        .await
        .map_err(|e| format!("CreateUserPoolClient (api): {e:?}"))?
        .user_pool_client()
        .and_then(|c| c.client_id())
        .ok_or("CreateUserPoolClient: no client id")?
        .to_string();
    let web_client = api
        .create_user_pool_client()
        .user_pool_id(&pool_id)
        .client_name("web")
        .callback_urls(CALLBACK)
        .allowed_o_auth_flows(OAuthFlowType::Code)
        .allowed_o_auth_flows_user_pool_client(true)
        .allowed_o_auth_scopes("openid")
        .allowed_o_auth_scopes("email")
        .allowed_o_auth_scopes("profile")
        .supported_identity_providers("COGNITO")
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
        .send()
        .await
        .map_err(|e| format!("CreateUserPoolClient (web): {e:?}"))?
        .user_pool_client()
        .and_then(|c| c.client_id())
        .ok_or("CreateUserPoolClient: no client id")?
        .to_string();

    let mut tasks = tokio::task::JoinSet::new();
    let mut next = 0;
    let mut made = Vec::with_capacity(users);
    loop {
        while tasks.len() < SEED_CONCURRENCY && next < users {
            let (api, pool_id, client) = (api.clone(), pool_id.clone(), api_client.clone());
            let name = username(next);
            next += 1;
            tasks.spawn(async move {
                api.sign_up()
                    .client_id(&client)
                    .username(&name)
                    .password(PASSWORD)
                    .user_attributes(email_attribute(&format!("{name}@example.com"))?)
                    .send()
                    .await
                    .map_err(|e| format!("SignUp {name}: {e:?}"))?;
                api.admin_confirm_sign_up()
                    .user_pool_id(&pool_id)
                    .username(&name)
                    .send()
                    .await
                    .map_err(|e| format!("AdminConfirmSignUp {name}: {e:?}"))?;
                Ok::<_, String>(name)
            });
        }
        match tasks.join_next().await {
            Some(done) => made.push(done.map_err(|e| e.to_string())??),
            None => break,
        }
    }
    made.sort();
    Ok(Fixture {
        pool_id,
        api_client,
        web_client,
        users: made,
    })
}
