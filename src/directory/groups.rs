//! Groups of a pool (CreateGroup and its kin) and their members, and what
//! a member's tokens say about them.
//!
//! Decisions where Cognito's documentation leaves room:
//!
//! - UpdateGroup changes only the members it is given (the API reference's
//!   example omits `RoleArn` and gets the stored one back); there is no way
//!   to clear a member once set, as in Cognito.
//! - Adding a user to a group it is already in, or removing one that is not
//!   in it, succeeds and changes nothing.
//! - Lists (ListGroups, AdminListGroupsForUser) are in group-name order,
//!   ListUsersInGroup in user-name order; the paging token is the last name.
//! - Tokens: `cognito:groups` lists the user's groups by precedence, lowest
//!   value first, then the groups without one; ties by name. The ID token's
//!   `cognito:roles` lists every distinct `RoleArn` of those groups in the
//!   same order ("all IAM roles for the user's groups, regardless of
//!   precedence"), and `cognito:preferred_role` is the role of the group of
//!   highest precedence that has one. Groups of equal precedence (two
//!   without a precedence included) take none over the other: if their
//!   roles differ, there is no preferred role, as the `Precedence`
//!   documentation says. A user in no group gets none of these claims.

use diesel::prelude::*;

use super::pool_settings::{check_length, constraint_error, InvalidParameter};
use super::{arn, DirectoryError, PoolId, UserSub};
use crate::db::schema::{group_members, user_pool_groups, users};
use crate::db::{write_tx, Conn, DbError};

/// `PrecedenceType`: 0 to 2^31-1.
pub const MAX_PRECEDENCE: i64 = i32::MAX as i64;

/// Failures of the group operations beyond the directory's own.
#[derive(Debug, thiserror::Error)]
pub enum GroupError {
    /// GroupExistsException.
    #[error("A group with the name {0} already exists.")]
    Exists(String),
    /// UserNotFoundException.
    #[error("User does not exist.")]
    UserNotFound,
    #[error(transparent)]
    Directory(#[from] DirectoryError),
}

impl From<diesel::result::Error> for GroupError {
    fn from(e: diesel::result::Error) -> Self {
        GroupError::Directory(e.into())
    }
}

impl From<DbError> for GroupError {
    fn from(e: DbError) -> Self {
        GroupError::Directory(e.into())
    }
}

impl From<InvalidParameter> for GroupError {
    fn from(e: InvalidParameter) -> Self {
        GroupError::Directory(e.into())
    }
}

/// `GroupNameType`: 1 to 128 letters, marks, symbols, numbers or
/// punctuation (no white space, no control characters).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupName(String);

impl GroupName {
    pub fn parse(s: &str) -> Result<GroupName, InvalidParameter> {
        check_length(s, "groupName", 1, 128)?;
        if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(constraint_error(
                s,
                "groupName",
                "Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+",
            ));
        }
        Ok(GroupName(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The settable members of a group. For CreateGroup an absent member is
/// unset; for UpdateGroup it keeps its value.
#[derive(Clone, Debug, Default)]
pub struct GroupInput {
    pub description: Option<String>,
    pub role_arn: Option<String>,
    pub precedence: Option<i64>,
}

impl GroupInput {
    pub fn validate(&self) -> Result<(), InvalidParameter> {
        if let Some(d) = &self.description {
            check_length(d, "description", 0, 2048)?;
        }
        if let Some(r) = &self.role_arn {
            arn::check(r, "roleArn")?;
        }
        if let Some(p) = self.precedence {
            if !(0..=MAX_PRECEDENCE).contains(&p) {
                return Err(InvalidParameter(format!(
                    "1 validation error detected: Value '{p}' at 'precedence' failed to satisfy constraint: Member must have value between 0 and {MAX_PRECEDENCE}"
                )));
            }
        }
        Ok(())
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = user_pool_groups)]
struct GroupRow {
    pool_id: String,
    name: String,
    description: Option<String>,
    role_arn: Option<String>,
    precedence: Option<i64>,
    created_at: i64,
    updated_at: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Group {
    pub pool_id: PoolId,
    pub name: String,
    pub description: Option<String>,
    pub role_arn: Option<String>,
    pub precedence: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl From<GroupRow> for Group {
    fn from(r: GroupRow) -> Group {
        Group {
            pool_id: PoolId::from_db(r.pool_id),
            name: r.name,
            description: r.description,
            role_arn: r.role_arn,
            precedence: r.precedence,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

fn not_found() -> GroupError {
    GroupError::Directory(DirectoryError::NotFound("Group not found.".into()))
}

pub fn get(conn: &mut Conn, pool_id: &PoolId, name: &str) -> Result<Option<Group>, GroupError> {
    Ok(user_pool_groups::table
        .find((pool_id.as_str(), name))
        .select(GroupRow::as_select())
        .get_result(conn)
        .optional()?
        .map(Group::from))
}

/// Like [`get`], but a missing group is ResourceNotFoundException.
pub fn require(conn: &mut Conn, pool_id: &PoolId, name: &str) -> Result<Group, GroupError> {
    get(conn, pool_id, name)?.ok_or_else(not_found)
}

/// CreateGroup. A taken name is GroupExistsException.
pub fn create(
    conn: &mut Conn,
    pool_id: &PoolId,
    name: &GroupName,
    input: &GroupInput,
    now: i64,
) -> Result<Group, GroupError> {
    input.validate()?;
    write_tx(conn, |conn| {
        super::pools::get(conn, pool_id.as_str())?;
        if get(conn, pool_id, name.as_str())?.is_some() {
            return Err(GroupError::Exists(name.as_str().to_string()));
        }
        let row = GroupRow {
            pool_id: pool_id.to_string(),
            name: name.as_str().to_string(),
            description: input.description.clone(),
            role_arn: input.role_arn.clone(),
            precedence: input.precedence,
            created_at: now,
            updated_at: now,
        };
        diesel::insert_into(user_pool_groups::table)
            .values((
                user_pool_groups::pool_id.eq(&row.pool_id),
                user_pool_groups::name.eq(&row.name),
                user_pool_groups::description.eq(&row.description),
                user_pool_groups::role_arn.eq(&row.role_arn),
                user_pool_groups::precedence.eq(row.precedence),
                user_pool_groups::created_at.eq(now),
                user_pool_groups::updated_at.eq(now),
            ))
            .execute(conn)?;
        Ok(Group::from(row))
    })
}

/// UpdateGroup: the members given replace the stored ones.
pub fn update(
    conn: &mut Conn,
    pool_id: &PoolId,
    name: &GroupName,
    changes: &GroupInput,
    now: i64,
) -> Result<Group, GroupError> {
    changes.validate()?;
    write_tx(conn, |conn| {
        super::pools::get(conn, pool_id.as_str())?;
        let mut group = require(conn, pool_id, name.as_str())?;
        if let Some(d) = &changes.description {
            group.description = Some(d.clone());
        }
        if let Some(r) = &changes.role_arn {
            group.role_arn = Some(r.clone());
        }
        if let Some(p) = changes.precedence {
            group.precedence = Some(p);
        }
        group.updated_at = now;
        diesel::update(user_pool_groups::table.find((pool_id.as_str(), name.as_str())))
            .set((
                user_pool_groups::description.eq(&group.description),
                user_pool_groups::role_arn.eq(&group.role_arn),
                user_pool_groups::precedence.eq(group.precedence),
                user_pool_groups::updated_at.eq(now),
            ))
            .execute(conn)?;
        Ok(group)
    })
}

/// DeleteGroup; its memberships go with it.
pub fn delete(conn: &mut Conn, pool_id: &PoolId, name: &GroupName) -> Result<(), GroupError> {
    write_tx(conn, |conn| {
        super::pools::get(conn, pool_id.as_str())?;
        let n = diesel::delete(user_pool_groups::table.find((pool_id.as_str(), name.as_str())))
            .execute(conn)?;
        if n != 1 {
            return Err(not_found());
        }
        Ok(())
    })
}

/// Up to `limit` groups of the pool in name order, after `after`.
pub fn list_page(
    conn: &mut Conn,
    pool_id: &PoolId,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<Group>, GroupError> {
    let mut q = user_pool_groups::table
        .filter(user_pool_groups::pool_id.eq(pool_id.as_str()))
        .select(GroupRow::as_select())
        .order(user_pool_groups::name.asc())
        .limit(limit)
        .into_boxed();
    if let Some(a) = after {
        q = q.filter(user_pool_groups::name.gt(a));
    }
    Ok(q.load(conn)?.into_iter().map(Group::from).collect())
}

/// AdminAddUserToGroup: the group must exist; a member stays one.
pub fn add_member(
    conn: &mut Conn,
    pool_id: &PoolId,
    name: &GroupName,
    user: &UserSub,
    now: i64,
) -> Result<(), GroupError> {
    write_tx(conn, |conn| {
        require(conn, pool_id, name.as_str())?;
        // Under the write lock, a look first is as good as ON CONFLICT
        // (which not every backend's query builder offers).
        let member: i64 = group_members::table
            .find((pool_id.as_str(), name.as_str(), user.as_str()))
            .count()
            .get_result(conn)?;
        if member == 0 {
            diesel::insert_into(group_members::table)
                .values((
                    group_members::pool_id.eq(pool_id.as_str()),
                    group_members::group_name.eq(name.as_str()),
                    group_members::user_id.eq(user.as_str()),
                    group_members::added_at.eq(now),
                ))
                .execute(conn)?;
        }
        Ok(())
    })
}

/// AdminRemoveUserFromGroup: the group must exist.
pub fn remove_member(
    conn: &mut Conn,
    pool_id: &PoolId,
    name: &GroupName,
    user: &UserSub,
) -> Result<(), GroupError> {
    write_tx(conn, |conn| {
        require(conn, pool_id, name.as_str())?;
        diesel::delete(
            group_members::table
                .filter(group_members::pool_id.eq(pool_id.as_str()))
                .filter(group_members::group_name.eq(name.as_str()))
                .filter(group_members::user_id.eq(user.as_str())),
        )
        .execute(conn)?;
        Ok(())
    })
}

/// The groups `user` belongs to, in name order, after `after`.
pub fn groups_of_user(
    conn: &mut Conn,
    user: &UserSub,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<Group>, GroupError> {
    let mut q = group_members::table
        .inner_join(
            user_pool_groups::table.on(user_pool_groups::pool_id
                .eq(group_members::pool_id)
                .and(user_pool_groups::name.eq(group_members::group_name))),
        )
        .filter(group_members::user_id.eq(user.as_str()))
        .select(GroupRow::as_select())
        .order(user_pool_groups::name.asc())
        .limit(limit)
        .into_boxed();
    if let Some(a) = after {
        q = q.filter(user_pool_groups::name.gt(a));
    }
    Ok(q.load(conn)?.into_iter().map(Group::from).collect())
}

/// Members of a group: `(username key, sub)` in user-name order, after
/// the key `after`.
pub fn members(
    conn: &mut Conn,
    pool_id: &PoolId,
    name: &GroupName,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<(String, UserSub)>, GroupError> {
    let mut q = group_members::table
        .inner_join(users::table.on(users::id.eq(group_members::user_id)))
        .filter(group_members::pool_id.eq(pool_id.as_str()))
        .filter(group_members::group_name.eq(name.as_str()))
        .select((users::username_key, users::id))
        .order(users::username_key.asc())
        .limit(limit)
        .into_boxed();
    if let Some(a) = after {
        q = q.filter(users::username_key.gt(a));
    }
    Ok(q.load::<(String, String)>(conn)?
        .into_iter()
        .map(|(key, id)| (key, UserSub::from_db(id)))
        .collect())
}

/// The user's groups in token order (see the module doc).
pub fn for_token(conn: &mut Conn, user: &UserSub) -> Result<Vec<Group>, GroupError> {
    let mut groups = groups_of_user(conn, user, None, i64::MAX)?;
    sort_for_token(&mut groups);
    Ok(groups)
}

/// Lowest precedence first, groups without one last, ties by name.
pub fn sort_for_token(groups: &mut [Group]) {
    groups.sort_by(|a, b| {
        let key = |g: &Group| (g.precedence.is_none(), g.precedence, g.name.clone());
        key(a).cmp(&key(b))
    });
}

/// The group claims of a user's tokens.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GroupClaims {
    /// `cognito:groups` (ID and access tokens).
    pub groups: Vec<String>,
    /// `cognito:roles` (ID token); empty: no claim.
    pub roles: Vec<String>,
    /// `cognito:preferred_role` (ID token).
    pub preferred_role: Option<String>,
}

/// The claims for groups already in token order; `None` for no group.
pub fn claims(groups: &[Group]) -> Option<GroupClaims> {
    if groups.is_empty() {
        return None;
    }
    let mut roles: Vec<String> = Vec::new();
    for role in groups.iter().filter_map(|g| g.role_arn.as_ref()) {
        if !roles.contains(role) {
            roles.push(role.clone());
        }
    }
    // The best precedence among the groups that have a role, and the
    // distinct roles of the groups that share it.
    let with_role: Vec<&Group> = groups.iter().filter(|g| g.role_arn.is_some()).collect();
    let preferred_role = with_role.first().and_then(|best| {
        let mut top = with_role
            .iter()
            .filter(|g| g.precedence == best.precedence)
            .filter_map(|g| g.role_arn.as_deref());
        let first = top.next()?;
        top.all(|r| r == first).then(|| first.to_string())
    });
    Some(GroupClaims {
        groups: groups.iter().map(|g| g.name.clone()).collect(),
        roles,
        preferred_role,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(name: &str, precedence: Option<i64>, role: Option<&str>) -> Group {
        Group {
            pool_id: PoolId::from_db("local_abc".into()),
            name: name.into(),
            description: None,
            role_arn: role.map(str::to_string),
            precedence,
            created_at: 0,
            updated_at: 0,
        }
    }

    const A: &str = "arn:aws:iam::123456789012:role/A";
    const B: &str = "arn:aws:iam::123456789012:role/B";

    #[test]
    fn groups_sort_by_precedence_then_unset_then_name() {
        let mut gs = vec![
            group("zeta", None, None),
            group("beta", Some(5), None),
            group("alpha", None, None),
            group("gamma", Some(0), None),
            group("delta", Some(5), None),
        ];
        sort_for_token(&mut gs);
        let names: Vec<&str> = gs.iter().map(|g| g.name.as_str()).collect();
        assert_eq!(names, ["gamma", "beta", "delta", "alpha", "zeta"]);
    }

    #[test]
    fn no_group_no_claims() {
        assert_eq!(claims(&[]), None);
    }

    #[test]
    fn preferred_role_is_the_best_precedence_with_a_role() {
        let mut gs = vec![
            group("readers", Some(10), Some(B)),
            group("admins", Some(1), Some(A)),
            group("plain", Some(0), None),
        ];
        sort_for_token(&mut gs);
        let c = claims(&gs).unwrap();
        assert_eq!(c.groups, ["plain", "admins", "readers"]);
        assert_eq!(c.roles, [A, B]);
        assert_eq!(c.preferred_role.as_deref(), Some(A));
    }

    #[test]
    fn a_tie_with_different_roles_has_no_preferred_role() {
        let gs = vec![group("x", Some(1), Some(A)), group("y", Some(1), Some(B))];
        let c = claims(&gs).unwrap();
        assert_eq!(c.roles, [A, B]);
        assert_eq!(c.preferred_role, None);
        let same = vec![group("x", Some(1), Some(A)), group("y", Some(1), Some(A))];
        let c = claims(&same).unwrap();
        assert_eq!(c.roles, [A]);
        assert_eq!(c.preferred_role.as_deref(), Some(A));
        // Groups without precedence tie with each other too.
        let unset = vec![group("x", None, Some(A)), group("y", None, Some(B))];
        assert_eq!(claims(&unset).unwrap().preferred_role, None);
        let one = vec![group("x", None, Some(A)), group("y", None, None)];
        assert_eq!(claims(&one).unwrap().preferred_role.as_deref(), Some(A));
    }

    #[test]
    fn groups_without_roles_give_no_role_claims() {
        let c = claims(&[group("x", None, None)]).unwrap();
        assert_eq!(c.groups, ["x"]);
        assert!(c.roles.is_empty());
        assert_eq!(c.preferred_role, None);
    }

    #[test]
    fn names_and_inputs_are_checked() {
        assert!(GroupName::parse("admins").is_ok());
        assert!(GroupName::parse("Ünïcode-grüppe_1").is_ok());
        assert!(GroupName::parse("").is_err());
        assert!(GroupName::parse("two words").is_err());
        assert!(GroupName::parse(&"x".repeat(129)).is_err());
        let ok = GroupInput {
            description: Some("d".into()),
            role_arn: Some(A.into()),
            precedence: Some(MAX_PRECEDENCE),
        };
        assert!(ok.validate().is_ok());
        let bad = |f: fn(&mut GroupInput)| {
            let mut i = ok.clone();
            f(&mut i);
            i.validate().is_err()
        };
        assert!(bad(|i| i.precedence = Some(-1)));
        assert!(bad(|i| i.precedence = Some(MAX_PRECEDENCE + 1)));
        assert!(bad(|i| i.role_arn = Some("role/admins-not-an-arn".into())));
        assert!(bad(|i| i.description = Some("d".repeat(2049))));
    }
}
