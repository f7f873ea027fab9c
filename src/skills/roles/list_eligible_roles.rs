//! `list_eligible_roles`: who may activate which directory role through PIM — for one role, one
//! principal, or the whole tenant — with when each eligibility started and ends ("permanent"
//! when it never does). A user's answer adds the eligibilities of the role-assignable groups
//! they are in, each naming its group.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::render::table;
use crate::shared::*;
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset};

use super::targets::{self, Args, Needs, PimRow, PrincipalRef, RoleRef, Set};

const LIST_ELIGIBLE_ROLES: Declaration = Declaration {
    name: "list_eligible_roles",
    title: "List PIM-eligible role assignments (who may activate a role)",
    description: "PIM eligibility: who may activate an Entra directory role just in time, for one role, one user, group or app (a user's answer includes eligibility through role-assignable groups), or the whole tenant — with start, end or permanent, and eligibilities about to expire. Needs P2. Security Reader.",
    toolset: Toolset::Roles,
    permissions: &["RoleEligibilitySchedule.Read.Directory", "Directory.Read.All"],
    least_role: "Security Reader",
    access: Access::Read,
    beta: false,
    default: true,
    examples: EXAMPLES,
};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListEligibleRolesParams {
    /// Only this role (name, loosely, or id): who may activate it.
    pub role: Option<String>,
    /// A user: what they may activate, directly or through groups.
    pub user: Option<UserRef>,
    /// A group (name or id).
    pub group: Option<String>,
    /// An app (name, appId or service principal id).
    pub app: Option<String>,
    #[serde(default)]
    pub limit: Limit,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct EligibleRoles {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<RoleRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub principal: Option<PrincipalRef>,
    /// By role, then holder.
    pub eligibilities: Vec<PimRow>,
    #[serde(flatten)]
    pub list: ListInfo,
}

pub const ELIGIBILITY_INSTANCES: Set = Set {
    path: "roleEligibilityScheduleInstances",
    select: &[
        "id",
        "principalId",
        "roleDefinitionId",
        "directoryScopeId",
        "startDateTime",
        "endDateTime",
        "memberType",
    ],
};

async fn list_eligible_roles(ctx: Ctx, p: ListEligibleRolesParams) -> Result<EligibleRoles, SkillError> {
    let limit = p.limit.get()?;
    let args =
        Args { role: p.role.as_deref(), user: p.user.as_ref(), group: p.group.as_deref(), app: p.app.as_deref() };
    let target = targets::resolve_target(&ctx, args, Needs::Nothing).await?;
    let (eligibilities, more) = targets::pim_rows(&ctx, ELIGIBILITY_INSTANCES, &target, limit).await?;
    if let Some(user) = target.user() {
        ctx.note(format!(
            "group memberships {} may activate through PIM for Groups, and the roles they bring: list_group_pim_eligibilities",
            user.label()
        ));
    }
    let list = ListInfo::new(eligibilities.len(), None, more, "`role`, `user`, `group` or `app`");
    Ok(EligibleRoles { role: target.role, principal: target.principal, eligibilities, list })
}

impl Render for EligibleRoles {
    fn rows(&self) -> Option<usize> {
        Some(self.eligibilities.len())
    }

    fn cut_to(&mut self, rows: usize) {
        self.eligibilities.truncate(rows);
        self.list.cut(rows);
    }

    fn markdown(&self) -> String {
        let target = targets::Target { role: self.role.clone(), principal: self.principal.clone() };
        let rows: Vec<Vec<String>> = self
            .eligibilities
            .iter()
            .map(|e| {
                vec![
                    e.role.clone(),
                    targets::held_by(e),
                    e.member_type.clone(),
                    e.start.as_deref().map(crate::render::short_time).unwrap_or_else(|| "-".into()),
                    targets::ends(e),
                    e.principal_id.clone(),
                ]
            })
            .collect();
        let soon = self.eligibilities.iter().filter(|e| e.expiring_soon).count();
        let soon = if soon > 0 { format!("; {soon} ending within {} days", targets::SOON) } else { String::new() };
        format!(
            "{} PIM eligibilities of {}{soon}\n{}{}",
            self.list.returned,
            targets::about(&target),
            table(&["role", "eligible", "member type", "since (UTC)", "ends", "holder id"], &rows),
            self.list.footer()
        )
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Who is eligible to activate Global Administrator in PIM?",
        args: r#"{"role":"Global Admin"}"#,
        facts: &[
            Fact::Every("eligibilities/*/principal", "Priya Natarajan"),
            Fact::Every("eligibilities/*/permanent", "true"),
            Fact::Says("permanent"),
        ],
    },
    Example {
        question: "Which eligible roles in PIM expire soon across the tenant?",
        args: r#"{"limit":100}"#,
        facts: &[
            Fact::Some("eligibilities/*/principal", "Arjun Mehta"),
            Fact::Some("eligibilities/*/expiring_soon", "true"),
            Fact::Some("eligibilities/*/principal", "Tom Okafor"),
            Fact::Some("eligibilities/*/principal_kind", "group"),
            Fact::AtLeast("eligibilities/*", 8),
        ],
    },
    Example {
        question: "What roles can Lena Fischer activate, including through her groups?",
        args: r#"{"user":"lena.fischer@woodgrovebank.com"}"#,
        facts: &[
            Fact::Every("eligibilities/*/role", "Authentication Administrator"),
            Fact::Every("eligibilities/*/member_type", "group"),
            Fact::Every("eligibilities/*/via_group", "Helpdesk Operators"),
            Fact::Says("via group Helpdesk Operators"),
        ],
    },
    Example {
        question: "Who is eligible for a role name that does not exist?",
        args: r#"{"role":"Chief Coffee Administrator"}"#,
        facts: &[Fact::Fails(ErrorKind::NotFound)],
    },
];

pub fn skill() -> Skill {
    Skill::new(LIST_ELIGIBLE_ROLES, list_eligible_roles)
}
