//! CreateGroup, GetGroup, UpdateGroup, DeleteGroup, ListGroups,
//! AdminAddUserToGroup, AdminRemoveUserFromGroup, AdminListGroupsForUser,
//! ListUsersInGroup (SigV4). The rules are the directory's
//! (`directory::groups`); this face reads the members and shapes
//! `GroupType`.

use serde_json::{json, Value};

use super::admin_users::user_type;
use super::pools::pool_id;
use super::{decode_token, encode_token, optional_int, required_str, ApiError};
use crate::auth::{signin, Core};
use crate::directory::groups::{self, Group, GroupError, GroupInput, GroupName};
use crate::directory::{pools, unix_now, users};

impl From<GroupError> for ApiError {
    fn from(e: GroupError) -> Self {
        match e {
            GroupError::Exists(_) => ApiError::new("GroupExistsException", e.to_string()),
            GroupError::UserNotFound => ApiError::new("UserNotFoundException", e.to_string()),
            GroupError::Directory(d) => d.into(),
        }
    }
}

/// `GroupType`; unset members are left out.
fn group_type(g: &Group) -> Value {
    let mut out = json!({
        "GroupName": g.name,
        "UserPoolId": g.pool_id.as_str(),
        "LastModifiedDate": g.updated_at,
        "CreationDate": g.created_at,
    });
    if let Some(d) = &g.description {
        out["Description"] = json!(d);
    }
    if let Some(r) = &g.role_arn {
        out["RoleArn"] = json!(r);
    }
    if let Some(p) = g.precedence {
        out["Precedence"] = json!(p);
    }
    out
}

fn group_name(v: &Value) -> Result<GroupName, ApiError> {
    Ok(GroupName::parse(required_str(v, "GroupName")?)?)
}

fn optional_str(v: &Value, name: &str) -> Result<Option<String>, ApiError> {
    match v.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(ApiError::new(
            "SerializationException",
            format!("{name} must be a string"),
        )),
    }
}

fn group_input(v: &Value) -> Result<GroupInput, ApiError> {
    Ok(GroupInput {
        description: optional_str(v, "Description")?,
        role_arn: optional_str(v, "RoleArn")?,
        precedence: optional_int(v, "Precedence", i64::MIN..=i64::MAX)?,
    })
}

/// `Limit` of the list operations (0..=60; 0 or none: a full page).
fn limit(v: &Value) -> Result<i64, ApiError> {
    Ok(match optional_int(v, "Limit", 0..=60)? {
        None | Some(0) => 60,
        Some(n) => n,
    })
}

/// One page of `items` (fetched one over `max`), its token from `key`.
fn page<T>(
    mut items: Vec<T>,
    max: i64,
    member: &str,
    show: impl Fn(&T) -> Value,
    key: impl Fn(&T) -> &str,
) -> Value {
    let more = items.len() as i64 > max;
    items.truncate(max as usize);
    let mut out = json!({ member: items.iter().map(show).collect::<Vec<_>>() });
    if more {
        if let Some(last) = items.last() {
            out["NextToken"] = Value::String(encode_token(key(last)));
        }
    }
    out
}

pub async fn create(core: &Core, input: Value) -> Result<Value, ApiError> {
    let pool = pool_id(&input)?;
    let name = group_name(&input)?;
    let request = group_input(&input)?;
    let now = unix_now();
    let created = core
        .db
        .run(move |conn| groups::create(conn, &pool, &name, &request, now))
        .await?;
    Ok(json!({ "Group": group_type(&created) }))
}

pub async fn get(core: &Core, input: Value) -> Result<Value, ApiError> {
    let pool = pool_id(&input)?;
    let name = group_name(&input)?;
    let found = core
        .db
        .run(move |conn| {
            pools::get(conn, pool.as_str())?;
            groups::require(conn, &pool, name.as_str())
        })
        .await?;
    Ok(json!({ "Group": group_type(&found) }))
}

pub async fn update(core: &Core, input: Value) -> Result<Value, ApiError> {
    let pool = pool_id(&input)?;
    let name = group_name(&input)?;
    let changes = group_input(&input)?;
    let now = unix_now();
    let updated = core
        .db
        .run(move |conn| groups::update(conn, &pool, &name, &changes, now))
        .await?;
    Ok(json!({ "Group": group_type(&updated) }))
}

pub async fn delete(core: &Core, input: Value) -> Result<Value, ApiError> {
    let pool = pool_id(&input)?;
    let name = group_name(&input)?;
    core.db
        .run(move |conn| groups::delete(conn, &pool, &name))
        .await?;
    Ok(json!({}))
}

pub async fn list(core: &Core, input: Value) -> Result<Value, ApiError> {
    let pool = pool_id(&input)?;
    let max = limit(&input)?;
    let after = decode_token(&input)?;
    let found = core
        .db
        .run(move |conn| {
            pools::get(conn, pool.as_str())?;
            groups::list_page(conn, &pool, after.as_deref(), max + 1)
        })
        .await?;
    Ok(page(found, max, "Groups", group_type, |g| &g.name))
}

/// The pool, the group name and the user a membership call names; the
/// user is looked up by user name or alias, as the Admin* operations do.
fn membership(input: &Value) -> Result<(crate::directory::PoolId, GroupName, String), ApiError> {
    let pool = pool_id(input)?;
    let username = required_str(input, "Username")?.to_string();
    let name = group_name(input)?;
    Ok((pool, name, username))
}

fn find_user(
    conn: &mut crate::db::Conn,
    pool: &crate::directory::PoolId,
    username: &str,
) -> Result<users::User, GroupError> {
    let pool = pools::get(conn, pool.as_str())?;
    signin::find_user_in(conn, &pool, username)?.ok_or(GroupError::UserNotFound)
}

pub async fn admin_add_user_to_group(core: &Core, input: Value) -> Result<Value, ApiError> {
    let (pool, name, username) = membership(&input)?;
    let now = unix_now();
    core.db
        .run(move |conn| {
            let user = find_user(conn, &pool, &username)?;
            groups::add_member(conn, &pool, &name, &user.sub, now)
        })
        .await?;
    Ok(json!({}))
}

pub async fn admin_remove_user_from_group(core: &Core, input: Value) -> Result<Value, ApiError> {
    let (pool, name, username) = membership(&input)?;
    core.db
        .run(move |conn| {
            let user = find_user(conn, &pool, &username)?;
            groups::remove_member(conn, &pool, &name, &user.sub)
        })
        .await?;
    Ok(json!({}))
}

pub async fn admin_list_groups_for_user(core: &Core, input: Value) -> Result<Value, ApiError> {
    let pool = pool_id(&input)?;
    let username = required_str(&input, "Username")?.to_string();
    let max = limit(&input)?;
    let after = decode_token(&input)?;
    let found = core
        .db
        .run(move |conn| {
            let user = find_user(conn, &pool, &username)?;
            groups::groups_of_user(conn, &user.sub, after.as_deref(), max + 1)
        })
        .await?;
    Ok(page(found, max, "Groups", group_type, |g| &g.name))
}

pub async fn list_users_in_group(core: &Core, input: Value) -> Result<Value, ApiError> {
    let pool = pool_id(&input)?;
    let name = group_name(&input)?;
    let max = limit(&input)?;
    let after = decode_token(&input)?;
    let found = core
        .db
        .run(move |conn| {
            pools::get(conn, pool.as_str())?;
            groups::require(conn, &pool, name.as_str())?;
            let members = groups::members(conn, &pool, &name, after.as_deref(), max + 1)?;
            let mut out = Vec::with_capacity(members.len());
            for (key, sub) in members {
                if let Some(user) = users::find_by_sub(conn, sub.as_str())? {
                    out.push((key, user));
                }
            }
            Ok::<_, GroupError>(out)
        })
        .await?;
    Ok(page(found, max, "Users", |(_, u)| user_type(u), |(k, _)| k))
}
