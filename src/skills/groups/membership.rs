//! What adding and removing group members share: the `users` argument (1 to 20), the targets
//! resolved to name and id, the rails a group must pass before Graph is asked to change its
//! members, who is a direct member now, and the answer's rows.
//!
//! The rails, in the order they are checked:
//! - a dynamic group's members come from its rule: Graph refuses direct changes;
//! - distribution lists and mail-enabled security groups are managed in Exchange Online:
//!   Graph cannot change their members;
//! - a role-assignable group's members hold its roles: only an active Privileged Role
//!   Administrator or Global Administrator may change them, so the caller's active roles are
//!   read and anything less is refused naming the least role.

use std::collections::HashSet;

use futures::StreamExt;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::graph::resources::{DirectoryObject, Group, User};
use crate::graph::{GraphRequest, Query, path};
use crate::odata::{Expr, Literal};
use crate::render::table;
use crate::shared::*;
use crate::skill::write::WriteTarget;
use crate::skill::{Ctx, ErrorKind, SkillError};

/// The most users one call adds or removes.
pub const MAX_USERS: usize = 20;
/// Users resolved at once.
const IN_FLIGHT: usize = 8;

const GLOBAL_ADMINISTRATOR: &str = "62e90394-69f5-4237-9190-012177145e10";
const PRIVILEGED_ROLE_ADMINISTRATOR: &str = "e8611ab8-c189-46e8-94e1-60213ab1f814";

/// The `users` argument, checked: 1 to 20 references, each a UPN or object id, each once.
pub fn parse_users(users: &[UserRef]) -> Result<Vec<UserKey>, SkillError> {
    const ACCEPTED: &str = "a list of 1 to 20 UPNs or object ids; split larger changes into several calls";
    if users.is_empty() {
        return Err(SkillError::invalid_value("users", "is empty", ACCEPTED));
    }
    if users.len() > MAX_USERS {
        return Err(SkillError::invalid_value(
            "users",
            format!("names {} users; at most {MAX_USERS} per call", users.len()),
            ACCEPTED,
        ));
    }
    let mut keys: Vec<UserKey> = Vec::with_capacity(users.len());
    for user in users {
        let key = user.parse("users")?;
        let seen = keys.iter().any(|k| match (k, &key) {
            (UserKey::Upn(a), UserKey::Upn(b)) => a.eq_ignore_ascii_case(b),
            (a, b) => a == b,
        });
        if !seen {
            keys.push(key);
        }
    }
    Ok(keys)
}

/// Every user resolved to id, name and UPN, at most eight lookups at once; the same user named
/// twice (by UPN and by id) counts once.
pub async fn resolve_users(ctx: &Ctx, keys: &[UserKey]) -> Result<Vec<User>, SkillError> {
    let found: Vec<Result<User, SkillError>> =
        futures::stream::iter(keys.iter().cloned().map(|key| async move { user_target(ctx, &key, &[]).await }))
            .buffered(IN_FLIGHT)
            .collect()
            .await;
    let mut users: Vec<User> = Vec::with_capacity(found.len());
    for user in found {
        let user = user?;
        if !users.iter().any(|u| u.id.eq_ignore_ascii_case(&user.id)) {
            users.push(user);
        }
    }
    Ok(users)
}

/// A role assignment or eligibility of the caller, with its role's name.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct CallerRole {
    role_definition_id: String,
    role_definition: Option<RoleName>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct RoleName {
    display_name: Option<String>,
}

/// The caller's roles from one of PIM's `filterByCurrentUser` lists.
async fn caller_roles(ctx: &Ctx, set: &'static str) -> Result<Vec<CallerRole>, SkillError> {
    let request = GraphRequest::get(format!("/roleManagement/directory/{set}/filterByCurrentUser(on='principal')"))
        .query(Query::new().select(&["roleDefinitionId"]).expand("roleDefinition($select=displayName)"));
    Ok(ctx.graph.list::<CallerRole>(request, 100).await?.items)
}

fn may_manage_role_assignable(role: &CallerRole) -> bool {
    [GLOBAL_ADMINISTRATOR, PRIVILEGED_ROLE_ADMINISTRATOR]
        .iter()
        .any(|r| role.role_definition_id.eq_ignore_ascii_case(r))
}

/// The rails every membership change keeps (see the module comment).
pub async fn check_group(ctx: &Ctx, group: &Group) -> Result<(), SkillError> {
    let name = group.display_name.as_deref().unwrap_or(&group.id);
    if group.is_dynamic() {
        return Err(SkillError::invalid_value(
            "group",
            format!(
                "`{name}` is a dynamic group: its members come from its membership rule, so users cannot be added or \
                 removed by hand"
            ),
            "an assigned (non-dynamic) group; to change who is in a dynamic group, change its rule or the users' \
             attributes",
        ));
    }
    let kind = group.kind();
    if kind == "distribution" || kind == "mail_enabled_security" {
        return Err(SkillError::invalid_value(
            "group",
            format!(
                "`{name}` is a {} managed in Exchange Online; Graph cannot change its members",
                kind.replace('_', "-")
            ),
            "a security or Microsoft 365 group; change this one in the Exchange admin center",
        ));
    }
    if group.is_assignable_to_role != Some(true) {
        return Ok(());
    }
    let (active, eligible) = tokio::join!(
        caller_roles(ctx, "roleAssignmentScheduleInstances"),
        caller_roles(ctx, "roleEligibilityScheduleInstances")
    );
    let active = active.map_err(|e| {
        SkillError::new(
            ErrorKind::Forbidden,
            format!(
                "`{name}` is role-assignable, and your active roles could not be read to check that you may change its \
                 members ({})",
                e.kind.as_str()
            ),
        )
        .with_remedy(
            "consent to RoleAssignmentSchedule.Read.Directory, or have a Privileged Role Administrator make the change",
        )
    })?;
    if active.iter().any(may_manage_role_assignable) {
        return Ok(());
    }
    let held: Vec<String> = active
        .iter()
        .map(|r| {
            r.role_definition.as_ref().and_then(|d| d.display_name.clone()).unwrap_or(r.role_definition_id.clone())
        })
        .collect();
    let held = if held.is_empty() { "none".to_string() } else { held.join(", ") };
    let eligible = eligible.map(|roles| roles.iter().any(may_manage_role_assignable)).unwrap_or(false);
    let remedy = if eligible {
        "you are eligible for Privileged Role Administrator or Global Administrator: activate it in PIM \
         (activate_my_role), then call again"
    } else {
        "ask a Privileged Role Administrator to make the change, or to make you eligible for that role"
    };
    Err(SkillError::new(
        ErrorKind::Forbidden,
        format!(
            "`{name}` is role-assignable: its members hold its Entra roles, so only an active Privileged Role \
             Administrator (or Global Administrator) may change them; your active roles: {held}"
        ),
    )
    .with_remedy(remedy))
}

/// Which of `users` are direct members of the group now (ids, lower case).
pub async fn direct_members(ctx: &Ctx, group_id: &str, users: &[&str]) -> Result<HashSet<String>, SkillError> {
    if users.is_empty() {
        return Ok(HashSet::new());
    }
    let ids = users.iter().map(|id| Literal::String(id.to_string())).collect();
    // A type cast and `$count` on members: an advanced query.
    let request = GraphRequest::get(path("/groups/{}/members/microsoft.graph.user", &[group_id]))
        .query(Query::new().select(&["id"]).filter(Expr::is_in("id", ids)).count().top(MAX_USERS))
        .eventual();
    let page = ctx.graph.list::<DirectoryObject>(request, MAX_USERS).await?;
    Ok(page.items.into_iter().map(|m| m.id.to_ascii_lowercase()).collect())
}

/// The group's direct member count, or `None` (with a note) when Graph would not count.
pub async fn member_count(ctx: &Ctx, group_id: &str) -> Option<u64> {
    let request = GraphRequest::get(path("/groups/{}/members/$count", &[group_id]));
    ctx.optional("member count", ctx.graph.count(request).await)
}

/// `POST /groups/{g}/members/$ref` for one user.
pub fn add_request(group_id: &str, user_id: &str) -> GraphRequest {
    GraphRequest::post(
        path("/groups/{}/members/$ref", &[group_id]),
        json!({"@odata.id": format!("https://graph.microsoft.com/v1.0/directoryObjects/{user_id}")}),
    )
}

/// `DELETE /groups/{g}/members/{u}/$ref` for one user.
pub fn remove_request(group_id: &str, user_id: &str) -> GraphRequest {
    GraphRequest::delete(path("/groups/{}/members/{}/$ref", &[group_id, user_id]))
}

/// The group as the first target of a plan: its kind is what the rails judged.
pub fn group_target(group: &Group) -> WriteTarget {
    WriteTarget {
        name: group.display_name.clone().unwrap_or_else(|| group.id.clone()),
        id: group.id.clone(),
        state: json!({
            "kind": group.kind(),
            "dynamic": group.is_dynamic(),
            "role_assignable": group.is_assignable_to_role == Some(true),
        }),
    }
}

/// A user as a target: whether they are a direct member now.
pub fn user_target_row(user: &User, member: bool) -> WriteTarget {
    WriteTarget { name: user_label(user), id: user.id.clone(), state: json!({"member": member}) }
}

/// A plan's user targets and whether each was a direct member at the preview.
pub fn planned_users(targets: &[WriteTarget]) -> Vec<(&WriteTarget, bool)> {
    targets.iter().map(|t| (t, t.state.get("member").and_then(Value::as_bool).unwrap_or(false))).collect()
}

/// Names for an effect line: "A, B and 3 more".
pub fn names(targets: &[&WriteTarget]) -> String {
    let shown: Vec<&str> = targets.iter().take(5).map(|t| t.name.as_str()).collect();
    match targets.len().saturating_sub(shown.len()) {
        0 => shown.join(", "),
        more => format!("{} and {more} more", shown.join(", ")),
    }
}

/// One user whose membership the call changed (or tried to), read back afterwards.
#[derive(Debug, Serialize, JsonSchema)]
pub struct MemberChange {
    /// "Name (UPN)".
    pub user: String,
    pub id: String,
    /// A direct member after the change, as Graph reads it back.
    pub member_now: Option<bool>,
}

/// A user the call left as they were.
#[derive(Debug, Serialize, JsonSchema)]
pub struct MemberUnchanged {
    pub user: String,
    pub id: String,
}

/// A change Graph refused for one user.
#[derive(Debug, Serialize, JsonSchema)]
pub struct MemberFailed {
    pub user: String,
    pub id: String,
    /// The error kind and message.
    pub error: String,
}

/// A change's rows as a markdown table: user, outcome, member now, id.
pub fn rows_table(
    changed: &[MemberChange],
    changed_word: &str,
    unchanged: &[MemberUnchanged],
    unchanged_word: &str,
    failed: &[MemberFailed],
) -> String {
    let yes_no = |m: Option<bool>| m.map(|m| if m { "yes" } else { "no" }.to_string()).unwrap_or_else(|| "-".into());
    let mut rows: Vec<Vec<String>> = changed
        .iter()
        .map(|c| vec![c.user.clone(), changed_word.to_string(), yes_no(c.member_now), c.id.clone()])
        .collect();
    rows.extend(unchanged.iter().map(|u| vec![u.user.clone(), unchanged_word.to_string(), "-".into(), u.id.clone()]));
    rows.extend(failed.iter().map(|f| vec![f.user.clone(), format!("failed: {}", f.error), "-".into(), f.id.clone()]));
    table(&["user", "outcome", "member now", "id"], &rows)
}

/// What a confirmed membership change did, user by user, and the group read back afterwards.
pub struct Applied {
    pub changed: Vec<MemberChange>,
    /// Users already as wanted: skipped, or changed by someone else in the meantime.
    pub unchanged: Vec<MemberUnchanged>,
    pub failed: Vec<MemberFailed>,
    pub member_count: Option<u64>,
}

/// Adds (`adding`) or removes the planned users one at a time, so a failure stops nothing else
/// and each outcome is known; users already as wanted are skipped. Fails as a whole only when
/// the first change fails. Then reads back who is a direct member now, rather than assume it.
pub async fn apply_each(
    ctx: &Ctx,
    group: &WriteTarget,
    users: &[WriteTarget],
    adding: bool,
) -> Result<Applied, SkillError> {
    let unchanged_row = |user: &WriteTarget| MemberUnchanged { user: user.name.clone(), id: user.id.clone() };
    let (mut changed, mut unchanged, mut failed) = (Vec::new(), Vec::new(), Vec::new());
    for (user, member) in planned_users(users) {
        if member == adding {
            unchanged.push(unchanged_row(user));
            continue;
        }
        let request = if adding { add_request(&group.id, &user.id) } else { remove_request(&group.id, &user.id) };
        match ctx.graph.write(request).await {
            Ok(_) => changed.push(user),
            // Added or removed by someone else meanwhile: the outcome the caller wanted.
            Err(e) if (adding && already_there(&e)) || (!adding && e.kind == ErrorKind::NotFound) => {
                unchanged.push(unchanged_row(user));
            }
            Err(e) if changed.is_empty() && failed.is_empty() => return Err(e),
            Err(e) => failed.push(MemberFailed {
                user: user.name.clone(),
                id: user.id.clone(),
                error: format!("{}: {}", e.kind.as_str(), e.message),
            }),
        }
    }
    let ids: Vec<&str> = changed.iter().map(|t| t.id.as_str()).collect();
    let (members, member_count) = tokio::join!(direct_members(ctx, &group.id, &ids), member_count(ctx, &group.id));
    let members = ctx.optional("read-back", members);
    let changed = changed
        .into_iter()
        .map(|t| MemberChange {
            user: t.name.clone(),
            id: t.id.clone(),
            member_now: members.as_ref().map(|m| m.contains(&t.id.to_ascii_lowercase())),
        })
        .collect();
    Ok(Applied { changed, unchanged, failed, member_count })
}

/// Whether Graph refused an addition because the member is there already (a race with
/// someone else's change): the outcome the caller wanted.
pub fn already_there(e: &SkillError) -> bool {
    e.graph.as_ref().is_some_and(|g| g.status == 400) && e.message.contains("already exist")
}
