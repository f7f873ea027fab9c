//! `list_role_assignments`: who holds a directory role now (users, groups, service principals),
//! or which roles one principal holds directly — active assignments as `roleAssignments` keeps
//! them (permanent, time-bound and activated alike), each with its holder's kind and scope. A
//! group holder passes the role to every member; a disabled user holding a role stands out.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::render::table;
use crate::shared::roles::{self, RoleGrant};
use crate::shared::*;
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset};

use super::targets::{self, Args, Needs, PrincipalRef, RoleRef};

const LIST_ROLE_ASSIGNMENTS: Declaration = Declaration {
    name: "list_role_assignments",
    title: "List who holds a directory role (role assignments)",
    description: "Who holds an Entra directory role now — users, groups (whose members inherit it) and service principals, with scope and disabled accounts flagged — or the roles one user, group or app holds directly. Roles through groups: list_transitive_role_assignments; PIM eligibility: list_eligible_roles. Directory Readers.",
    toolset: Toolset::Roles,
    permissions: &["RoleManagement.Read.Directory", "Directory.Read.All"],
    least_role: "Directory Readers",
    access: Access::Read,
    beta: false,
    default: true,
    examples: EXAMPLES,
};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListRoleAssignmentsParams {
    /// The role's display name (loosely: "Global Admin") or id: who holds it.
    pub role: Option<String>,
    /// A user: the roles they hold directly.
    pub user: Option<UserRef>,
    /// A group (name or id): the roles it holds.
    pub group: Option<String>,
    /// An app (name, appId or service principal id): the roles its service principal holds.
    pub app: Option<String>,
    #[serde(default)]
    pub limit: Limit,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct AssignmentRow {
    pub role: String,
    pub role_id: String,
    pub principal: String,
    pub principal_id: String,
    /// `user`, `group` or `service_principal`.
    pub principal_kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app_id: Option<String>,
    /// The holder is a group: every member holds the role through it.
    pub is_group: bool,
    /// A user holder's account is enabled (absent for groups and apps).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_enabled: Option<bool>,
    /// `tenant`, an administrative unit or one object.
    pub scope: String,
    pub assignment_id: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct RoleAssignments {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<RoleRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub principal: Option<PrincipalRef>,
    pub assignments: Vec<AssignmentRow>,
    #[serde(flatten)]
    pub list: ListInfo,
}

const SELECT: &[&str] = &["id", "principalId", "roleDefinitionId", "directoryScopeId"];

async fn list_role_assignments(ctx: Ctx, p: ListRoleAssignmentsParams) -> Result<RoleAssignments, SkillError> {
    let limit = p.limit.get()?;
    let args =
        Args { role: p.role.as_deref(), user: p.user.as_ref(), group: p.group.as_deref(), app: p.app.as_deref() };
    let target = targets::resolve_target(&ctx, args, Needs::RoleOrPrincipal).await?;
    let request = roles::list_with_holders("roleAssignments", target.filter(), SELECT);
    let page = ctx.graph.list::<RoleGrant>(request, limit).await?;
    let mut assignments: Vec<AssignmentRow> = page.items.iter().map(row).collect();
    assignments
        .sort_by(|a, b| (&a.role, &a.principal_kind, &a.principal).cmp(&(&b.role, &b.principal_kind, &b.principal)));
    for group in assignments.iter().filter(|a| a.is_group) {
        ctx.note(format!(
            "{} is a group: each of its members holds {} (list_group_members names them)",
            group.principal, group.role
        ));
    }
    if let Some(user) = target.user() {
        ctx.note(format!(
            "direct assignments of {} only; roles through groups: list_transitive_role_assignments, PIM eligibility: list_eligible_roles",
            user.label()
        ));
    }
    let list = ListInfo::new(assignments.len(), page.total, page.more, "`role` together with `user`, `group` or `app`");
    Ok(RoleAssignments { role: target.role, principal: target.principal, assignments, list })
}

fn row(grant: &RoleGrant) -> AssignmentRow {
    let holder = targets::holder(grant);
    let is_user = holder.kind == "user";
    AssignmentRow {
        role: grant.role_name(),
        role_id: grant.role_id().to_string(),
        principal: holder.label(),
        is_group: holder.kind == "group",
        account_enabled: if is_user { grant.principal.as_ref().and_then(|p| p.account_enabled) } else { None },
        principal_id: holder.id,
        principal_kind: holder.kind,
        upn: holder.upn,
        app_id: holder.app_id,
        scope: grant.scope(),
        assignment_id: grant.id.clone(),
    }
}

impl Render for RoleAssignments {
    fn rows(&self) -> Option<usize> {
        Some(self.assignments.len())
    }

    fn cut_to(&mut self, rows: usize) {
        self.assignments.truncate(rows);
        self.list.cut(rows);
    }

    fn markdown(&self) -> String {
        let target = targets::Target { role: self.role.clone(), principal: self.principal.clone() };
        let rows: Vec<Vec<String>> = self
            .assignments
            .iter()
            .map(|a| {
                let state = match (a.is_group, a.account_enabled) {
                    (true, _) => "group: members inherit".to_string(),
                    (_, Some(false)) => "DISABLED account".to_string(),
                    _ => "-".to_string(),
                };
                vec![
                    a.role.clone(),
                    a.principal.clone(),
                    a.principal_kind.replace('_', " "),
                    a.upn.clone().or_else(|| a.app_id.clone()).unwrap_or_else(|| "-".into()),
                    state,
                    a.scope.clone(),
                    a.principal_id.clone(),
                ]
            })
            .collect();
        format!(
            "{} active role assignments of {}\n{}{}",
            self.list.returned,
            targets::about(&target),
            table(&["role", "holder", "kind", "upn / appId", "note", "scope", "holder id"], &rows),
            self.list.footer()
        )
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Who holds the Global Administrator role right now, and should any of them not?",
        args: r#"{"role":"Global Administrator"}"#,
        facts: &[
            Fact::Count("assignments/*", 3),
            Fact::Some("assignments/*/upn", "breakglass01@woodgrovebank.onmicrosoft.com"),
            Fact::Some("assignments/*/principal", "Dmitri Volkov"),
            Fact::Some("assignments/*/account_enabled", "false"),
            Fact::Says("DISABLED account"),
        ],
    },
    Example {
        question: "Who holds the helpdesk admin role — a group whose members inherit it?",
        args: r#"{"role":"helpdesk admin"}"#,
        facts: &[
            Fact::Every("assignments/*/principal", "Helpdesk Operators"),
            Fact::Every("assignments/*/is_group", "true"),
            Fact::Says("members inherit"),
        ],
    },
    Example {
        question: "What directory roles are assigned to the HR Onboarding Automation app?",
        args: r#"{"app":"HR Onboarding Automation"}"#,
        facts: &[
            Fact::Every("assignments/*/role", "User Administrator"),
            Fact::Every("assignments/*/principal_kind", "service_principal"),
        ],
    },
    Example {
        question: "Which admin roles does Elena Petrova hold directly?",
        args: r#"{"user":"elena@woodgrovebank.com"}"#,
        facts: &[Fact::Every("assignments/*/role", "User Administrator"), Fact::Every("principal/kind", "user")],
    },
    Example {
        question: "Role assignments without saying which role or principal",
        args: r#"{}"#,
        facts: &[Fact::Fails(ErrorKind::InvalidInput), Fact::Says("`role`")],
    },
    Example {
        question: "Role assignments of both a user and a group at once",
        args: r#"{"user":"elena@woodgrovebank.com","group":"Helpdesk Operators"}"#,
        facts: &[Fact::Fails(ErrorKind::InvalidInput)],
    },
];

pub fn skill() -> Skill {
    Skill::new(LIST_ROLE_ASSIGNMENTS, list_role_assignments)
}
