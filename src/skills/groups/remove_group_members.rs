//! `remove_group_members`: removes up to 20 users from a security or Microsoft 365 group. A
//! tier-3 write (it takes away whatever the group grants): previewed, confirmed, and the group's
//! name re-typed by the human. Users who are not direct members are left as they are; the
//! rails of adding hold, and no break-glass account is ever removed.

use std::sync::Arc;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::graph::resources::Group;
use crate::render::fields;
use crate::shared::resolve::{self, GROUP};
use crate::shared::*;
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset, WritePlan};

use super::fields::GROUP_FIELDS;
use super::membership::*;

const REMOVE_GROUP_MEMBERS: Declaration = Declaration {
    name: "remove_group_members",
    title: "Remove users from a group",
    description: "Remove up to 20 users (UPNs or ids) from a security or Microsoft 365 group, taking away what the group grants. Preview first, then confirm with the group name re-typed. Groups Administrator (role-assignable groups: Privileged Role Administrator).",
    toolset: Toolset::Groups,
    permissions: &[
        "GroupMember.ReadWrite.All",
        "RoleAssignmentSchedule.Read.Directory",
        "RoleEligibilitySchedule.Read.Directory",
    ],
    least_role: "Groups Administrator (role-assignable groups: Privileged Role Administrator)",
    access: Access::Write { tier: 3, idempotent: true },
    beta: false,
    default: false,
    examples: EXAMPLES,
};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RemoveGroupMembersParams {
    /// Object id or exact display name.
    pub group: String,
    /// 1 to 20 users: UPNs or object ids.
    pub users: Vec<UserRef>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct MembersRemoved {
    pub group: String,
    pub group_id: String,
    pub removed: Vec<MemberChange>,
    /// Named but not direct members: left as they were.
    pub not_members: Vec<MemberUnchanged>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub failed: Vec<MemberFailed>,
    /// Direct members after the change.
    pub member_count: Option<u64>,
}

async fn prepare(ctx: Ctx, p: Arc<RemoveGroupMembersParams>) -> Result<WritePlan, SkillError> {
    let keys = parse_users(&p.users)?;
    let (group, users) =
        tokio::join!(resolve::resolve::<Group>(&ctx, &GROUP, &p.group, GROUP_FIELDS), resolve_users(&ctx, &keys));
    let (group, users) = (group?, users?);
    // Removing takes access away: never from a break-glass account.
    if let Some(user) = users.iter().find(|u| ctx.guard.is_break_glass(&u.id, u.user_principal_name.as_deref())) {
        return Err(SkillError::invalid_value(
            "users",
            format!(
                "`{}` is a break-glass (emergency access) account, which no change that removes access may target",
                user.user_principal_name.as_deref().unwrap_or(&user.id)
            ),
            "users who are not break-glass accounts (ENTRA_MCP_BREAK_GLASS lists them)",
        ));
    }
    check_group(&ctx, &group).await?;
    let ids: Vec<&str> = users.iter().map(|u| u.id.as_str()).collect();
    let (members, count) = tokio::join!(direct_members(&ctx, &group.id, &ids), member_count(&ctx, &group.id));
    let members = members?;

    let mut targets = vec![group_target(&group)];
    targets.extend(users.iter().map(|u| user_target_row(u, members.contains(&u.id.to_ascii_lowercase()))));
    let planned = planned_users(&targets[1..]);
    let to_remove: Vec<&_> = planned.iter().filter(|(_, member)| *member).map(|(t, _)| *t).collect();
    let not_members: Vec<&_> = planned.iter().filter(|(_, member)| !member).map(|(t, _)| *t).collect();
    let name = group.display_name.clone().unwrap_or_else(|| group.id.clone());
    let mut effect = if to_remove.is_empty() {
        format!("no user named is a direct member of {name}; confirming changes nothing")
    } else {
        let now =
            count.map(|n| format!(" ({n} direct members now, {} after)", n.saturating_sub(to_remove.len() as u64)));
        format!(
            "removes {} from {name}{}: they lose whatever the group grants (app access, licences, roles, policies \
             that target it); membership through a nested group, if any, stays",
            names(&to_remove),
            now.unwrap_or_default()
        )
    };
    if !not_members.is_empty() && !to_remove.is_empty() {
        effect.push_str(&format!("; not direct members, left as they are: {}", names(&not_members)));
    }
    let undo = if to_remove.is_empty() {
        "nothing to undo".to_string()
    } else {
        format!("add_group_members with group `{name}` and the users removed")
    };
    Ok(WritePlan {
        requests: to_remove.iter().map(|t| remove_request(&group.id, &t.id).describe()).collect(),
        targets,
        effect,
        undo,
        tier: 3,
        confirm_target: Some(name),
    })
}

async fn apply(ctx: Ctx, _p: Arc<RemoveGroupMembersParams>, plan: WritePlan) -> Result<MembersRemoved, SkillError> {
    let (group, users) =
        plan.targets.split_first().ok_or_else(|| SkillError::new(ErrorKind::Upstream, "no group to change"))?;
    let applied = apply_each(&ctx, group, users, false).await?;
    Ok(MembersRemoved {
        group: group.name.clone(),
        group_id: group.id.clone(),
        removed: applied.changed,
        not_members: applied.unchanged,
        failed: applied.failed,
        member_count: applied.member_count,
    })
}

impl Render for MembersRemoved {
    fn markdown(&self) -> String {
        format!(
            "{}\n{}",
            fields(&[
                ("group", Some(format!("{} ({})", self.group, self.group_id))),
                ("removed", Some(self.removed.len().to_string())),
                ("direct members now", self.member_count.map(|n| n.to_string())),
            ]),
            rows_table(&self.removed, "removed", &self.not_members, "not a member", &self.failed)
        )
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Remove the inactive users Kofi Mensah and Paula Mendes from Legacy File Share Access",
        args: r#"{"group":"Legacy File Share Access","users":["kofi.mensah@woodgrovebank.com","paula.mendes@woodgrovebank.com"]}"#,
        facts: &[
            Fact::Every("pending_confirmation", "true"),
            Fact::Every("tier", "C3"),
            Fact::Every("confirm_target_required", "Legacy File Share Access"),
            Fact::Count("requests/*", 2),
            Fact::Every("requests/*", "~DELETE v1.0 /groups/"),
            Fact::Says("lose whatever the group grants"),
        ],
    },
    Example {
        question: "Remove a break-glass account from a group",
        args: r#"{"group":"CA Exclusions","users":["breakglass01@woodgrovebank.onmicrosoft.com"]}"#,
        facts: &[Fact::Fails(ErrorKind::InvalidInput), Fact::Says("break-glass")],
    },
    Example {
        question: "Remove someone from the dynamic All Guests group",
        args: r#"{"group":"All Guests","users":["karita@woodgrovebank.com"]}"#,
        facts: &[Fact::Fails(ErrorKind::InvalidInput), Fact::Says("dynamic")],
    },
    Example {
        question: "Remove Kevin Obi from Helpdesk Operators (role-assignable)",
        args: r#"{"group":"Helpdesk Operators","users":["kevin.obi@woodgrovebank.com"]}"#,
        facts: &[Fact::Fails(ErrorKind::Forbidden), Fact::Says("Privileged Role Administrator")],
    },
];

pub fn skill() -> Skill {
    Skill::write(REMOVE_GROUP_MEMBERS, prepare, apply)
}
