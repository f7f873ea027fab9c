//! `list_active_roles`: which directory roles are in force right now, as PIM sees them — for one
//! role, one principal or the whole tenant — telling an assignment an admin made (permanent or
//! time-bound) from an eligible role someone activated for a few hours, with when each ends. A
//! user's answer adds what the role-assignable groups they are in hold.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::render::table;
use crate::shared::*;
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset};

use super::targets::{self, Args, Needs, PimRow, PrincipalRef, RoleRef, Set};

const LIST_ACTIVE_ROLES: Declaration = Declaration {
    name: "list_active_roles",
    title: "List active PIM role assignments (assigned or activated, until when)",
    description: "Entra directory roles in force now as PIM sees them, for one role, one user, group or app (a user's answer includes roles through role-assignable groups), or the whole tenant: assigned by an admin or activated just in time, and when each ends or whether it is permanent. Needs P2. Security Reader.",
    toolset: Toolset::Roles,
    permissions: &["RoleAssignmentSchedule.Read.Directory", "Directory.Read.All"],
    least_role: "Security Reader",
    access: Access::Read,
    beta: false,
    default: false,
    examples: EXAMPLES,
};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListActiveRolesParams {
    /// Only this role (name, loosely, or id): who has it active.
    pub role: Option<String>,
    /// A user: their active roles, directly or through groups.
    pub user: Option<UserRef>,
    /// A group (name or id).
    pub group: Option<String>,
    /// An app (name, appId or service principal id).
    pub app: Option<String>,
    #[serde(default)]
    pub limit: Limit,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ActiveRoles {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<RoleRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub principal: Option<PrincipalRef>,
    /// By role, then holder.
    pub active: Vec<PimRow>,
    #[serde(flatten)]
    pub list: ListInfo,
}

const ASSIGNMENT_INSTANCES: Set = Set {
    path: "roleAssignmentScheduleInstances",
    select: &[
        "id",
        "principalId",
        "roleDefinitionId",
        "directoryScopeId",
        "startDateTime",
        "endDateTime",
        "assignmentType",
        "memberType",
    ],
};

async fn list_active_roles(ctx: Ctx, p: ListActiveRolesParams) -> Result<ActiveRoles, SkillError> {
    let limit = p.limit.get()?;
    let args =
        Args { role: p.role.as_deref(), user: p.user.as_ref(), group: p.group.as_deref(), app: p.app.as_deref() };
    let target = targets::resolve_target(&ctx, args, Needs::Nothing).await?;
    let (active, more) = targets::pim_rows(&ctx, ASSIGNMENT_INSTANCES, &target, limit).await?;
    let list = ListInfo::new(active.len(), None, more, "`role`, `user`, `group` or `app`");
    Ok(ActiveRoles { role: target.role, principal: target.principal, active, list })
}

impl Render for ActiveRoles {
    fn rows(&self) -> Option<usize> {
        Some(self.active.len())
    }

    fn cut_to(&mut self, rows: usize) {
        self.active.truncate(rows);
        self.list.cut(rows);
    }

    fn markdown(&self) -> String {
        let target = targets::Target { role: self.role.clone(), principal: self.principal.clone() };
        let rows: Vec<Vec<String>> = self
            .active
            .iter()
            .map(|a| {
                vec![
                    a.role.clone(),
                    targets::held_by(a),
                    a.assignment_type.clone().unwrap_or_else(|| "-".into()),
                    a.member_type.clone(),
                    a.start.as_deref().map(crate::render::short_time).unwrap_or_else(|| "-".into()),
                    targets::ends(a),
                    a.principal_id.clone(),
                ]
            })
            .collect();
        let activated = self.active.iter().filter(|a| a.assignment_type.as_deref() == Some("activated")).count();
        format!(
            "{} active role assignments of {} ({activated} activated just in time)\n{}{}",
            self.list.returned,
            targets::about(&target),
            table(&["role", "held by", "type", "member type", "since (UTC)", "ends", "holder id"], &rows),
            self.list.footer()
        )
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Who has Security Administrator active right now, assigned or activated, and until when?",
        args: r#"{"role":"Security Administrator"}"#,
        facts: &[
            Fact::Count("active/*", 2),
            Fact::Some("active/*/assignment_type", "activated"),
            Fact::Some("active/*/assignment_type", "assigned"),
            Fact::Some("active/*/principal", "Marcus Lee"),
            Fact::Some("active/*/principal", "Nadia Rahman"),
            Fact::Every("active/*/permanent", "false"),
            Fact::Says("1 activated just in time"),
        ],
    },
    Example {
        question: "When does Marcus Lee's active admin role end?",
        args: r#"{"user":"marcus@woodgrovebank.com"}"#,
        facts: &[
            Fact::Every("active/*/role", "Security Administrator"),
            Fact::Every("active/*/ends_in", "in 5 d"),
            Fact::Every("active/*/expiring_soon", "true"),
        ],
    },
    Example {
        question: "Which roles are active for Kevin Obi through group membership?",
        args: r#"{"user":"kevin.obi@woodgrovebank.com"}"#,
        facts: &[
            Fact::Every("active/*/role", "Helpdesk Administrator"),
            Fact::Every("active/*/via_group", "Helpdesk Operators"),
            Fact::Every("active/*/permanent", "true"),
        ],
    },
    Example {
        question: "Active roles of a user given as a bad value",
        args: r#"{"user":"not a user"}"#,
        facts: &[Fact::Fails(ErrorKind::InvalidInput), Fact::Says("`user`")],
    },
];

pub fn skill() -> Skill {
    Skill::new(LIST_ACTIVE_ROLES, list_active_roles)
}
