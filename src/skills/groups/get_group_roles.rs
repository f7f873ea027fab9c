//! `get_group_roles`: the directory roles a group holds, active and PIM-eligible, which every
//! member of the group inherits. Only a role-assignable group can hold roles; any other gets a
//! note instead of an empty table that would read as "checked, nothing found".

use std::collections::HashMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::graph::Page;
use crate::graph::resources::Group;
use crate::render::{fields, short_time, table, yes_no};
use crate::shared::resolve::{self, GROUP};
use crate::shared::roles::{self, RoleGrant, RoleName};
use crate::shared::*;
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset};

const GET_GROUP_ROLES: Declaration = Declaration {
    name: "get_group_roles",
    title: "Get a group's directory roles",
    description: "The Entra directory roles a role-assignable group holds, active and PIM-eligible, with scope, end date and privileged flag — what every member of the group gets. Says so when the group cannot hold roles. Eligibility needs P2. Directory Readers.",
    toolset: Toolset::Groups,
    permissions: &["RoleManagement.Read.Directory", "RoleEligibilitySchedule.Read.Directory"],
    least_role: "Directory Readers",
    access: Access::Read,
    beta: false,
    default: false,
    examples: EXAMPLES,
};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetGroupRolesParams {
    /// Object id or exact display name.
    pub group: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct GroupRef {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// Only a role-assignable group can hold directory roles.
    pub role_assignable: bool,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct GroupRoleRow {
    pub role: String,
    pub role_id: String,
    /// `active` (members hold it now) or `eligible` (members may activate it through PIM).
    pub state: String,
    /// `tenant`, an administrative unit or one object.
    pub scope: String,
    /// When an eligibility began.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    /// When an eligibility ends; absent when it has no end (and for active assignments, whose
    /// schedule `roleAssignments` does not carry).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end: Option<String>,
    /// Entra marks the role privileged (absent when unknown).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub privileged: Option<bool>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct GroupRoles {
    pub group: GroupRef,
    /// Active roles first, then eligible ones.
    pub roles: Vec<GroupRoleRow>,
}

const FIELDS: &[&str] = &["id", "displayName", "isAssignableToRole", "groupTypes", "securityEnabled", "mailEnabled"];

/// Rows a group is unlikely to exceed; a group holding more is cut with a note.
const CAP: usize = 200;

async fn get_group_roles(ctx: Ctx, p: GetGroupRolesParams) -> Result<GroupRoles, SkillError> {
    // With an id the group and its roles are read at once; with a name, the name first.
    let (group, reads) = match given_id(&p.group) {
        Some(id) => {
            let (group, reads) =
                tokio::join!(resolve::resolve::<Group>(&ctx, &GROUP, &p.group, FIELDS), read_roles(&ctx, &id));
            (group?, Some(reads))
        }
        None => {
            let group = resolve::resolve::<Group>(&ctx, &GROUP, &p.group, FIELDS).await?;
            // A group that is not role-assignable cannot hold a role: nothing to ask.
            let reads =
                if group.is_assignable_to_role == Some(true) { Some(read_roles(&ctx, &group.id).await) } else { None };
            (group, reads)
        }
    };
    let role_assignable = group.is_assignable_to_role == Some(true);
    if !role_assignable {
        ctx.note(format!(
            "{} is not role-assignable, so it cannot hold directory roles; only a group created role-assignable can",
            group.display_name.as_deref().unwrap_or(&group.id)
        ));
    }
    let mut rows = Vec::new();
    if let Some((active, eligible, flags)) = reads {
        let flags = roles::privileged_flags(&ctx, flags);
        let active = active?;
        let eligible = match eligible {
            Ok(page) => page.items,
            Err(e) if e.kind != ErrorKind::Throttled => {
                ctx.note(format!("PIM eligibilities unavailable: {}", e.kind.as_str()));
                Vec::new()
            }
            Err(e) => return Err(e),
        };
        rows.extend(active.items.iter().map(|a| row(a, "active", &flags)));
        rows.extend(eligible.iter().map(|e| row(e, "eligible", &flags)));
        if active.more || rows.len() > CAP {
            rows.truncate(CAP);
            ctx.note(format!("only the first {CAP} roles are shown"));
        }
    }
    Ok(GroupRoles { group: GroupRef { id: group.id, display_name: group.display_name, role_assignable }, roles: rows })
}

type RoleReads =
    (Result<Page<RoleGrant>, SkillError>, Result<Page<RoleGrant>, SkillError>, Result<Page<RoleName>, SkillError>);

/// The group's active assignments, its eligibilities and the privileged flags, concurrently.
async fn read_roles(ctx: &Ctx, group_id: &str) -> RoleReads {
    tokio::join!(
        ctx.graph.list::<RoleGrant>(roles::active_assignments(group_id), CAP + 1),
        ctx.graph.list::<RoleGrant>(roles::eligibility_instances(group_id), CAP + 1),
        ctx.graph.list::<RoleName>(roles::privileged_flags_request(), roles::ROLE_DEFINITIONS_CAP)
    )
}

fn row(grant: &RoleGrant, state: &str, flags: &HashMap<String, bool>) -> GroupRoleRow {
    GroupRoleRow {
        role: grant.role_name(),
        role_id: grant.role_id().to_string(),
        state: state.to_string(),
        scope: grant.scope(),
        start: grant.start_date_time.clone(),
        end: grant.end_date_time.clone(),
        privileged: roles::is_privileged(flags, grant.role_id()),
    }
}

impl Render for GroupRoles {
    fn markdown(&self) -> String {
        let mut text = fields(&[
            ("group", self.group.display_name.clone()),
            ("id", Some(self.group.id.clone())),
            ("role-assignable", yes_no(Some(self.group.role_assignable))),
        ]);
        // The note says why there is no table.
        if !self.group.role_assignable {
            return text;
        }
        let rows: Vec<Vec<String>> = self
            .roles
            .iter()
            .map(|r| {
                let ends = match (r.state.as_str(), &r.end) {
                    (_, Some(end)) => short_time(end),
                    ("eligible", None) => "no end".to_string(),
                    _ => "-".to_string(),
                };
                vec![
                    r.role.clone(),
                    r.state.clone(),
                    r.scope.clone(),
                    yes_no(r.privileged).unwrap_or_else(|| "-".into()),
                    ends,
                    r.role_id.clone(),
                ]
            })
            .collect();
        text.push_str(&format!(
            "\nroles ({}), inherited by every member:\n{}",
            self.roles.len(),
            table(&["role", "state", "scope", "privileged", "ends (UTC)", "role id"], &rows)
        ));
        text
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Which directory roles does the Helpdesk Operators group hold, active or eligible?",
        args: r#"{"group":"Helpdesk Operators"}"#,
        facts: &[
            Fact::Every("group/role_assignable", "true"),
            Fact::Some("roles/*/role", "Helpdesk Administrator"),
            Fact::Some("roles/*/role", "Authentication Administrator"),
            Fact::Some("roles/*/state", "active"),
            Fact::Some("roles/*/state", "eligible"),
            Fact::Every("roles/*/privileged", "true"),
            Fact::Says("inherited by every member"),
        ],
    },
    Example {
        question: "What admin roles come with membership of group 2e08b09b-ffb9-5771-ae87-887a31cc291a?",
        args: r#"{"group":"2e08b09b-ffb9-5771-ae87-887a31cc291a"}"#,
        facts: &[
            Fact::Every("group/display_name", "Helpdesk Operators"),
            Fact::Some("roles/*/role", "Helpdesk Administrator"),
            // Given an id, the group and its roles are read in one round trip.
            Fact::Count("graph_requests/*", 4),
        ],
    },
    Example {
        question: "Can the Finance Department group hold admin roles?",
        args: r#"{"group":"Finance Department"}"#,
        facts: &[
            Fact::Every("group/role_assignable", "false"),
            Fact::Count("roles/*", 0),
            Fact::Says("cannot hold directory roles"),
        ],
    },
    Example {
        question: "Roles of a group that does not exist",
        args: r#"{"group":"No Such Group"}"#,
        facts: &[Fact::Fails(ErrorKind::NotFound)],
    },
];

pub fn skill() -> Skill {
    Skill::new(GET_GROUP_ROLES, get_group_roles)
}
