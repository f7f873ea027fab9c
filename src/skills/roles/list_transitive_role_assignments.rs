//! `list_transitive_role_assignments` (beta): every directory role a principal holds, directly
//! or through the groups it is in. Graph answers it on beta only, for one principal, and only
//! as an advanced query (`ConsistencyLevel: eventual` and `$count=true`, 404 without); a role
//! that comes through a group names that group as its holder.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::graph::{GraphRequest, Query};
use crate::render::table;
use crate::shared::roles::RoleGrant;
use crate::shared::*;
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset};

use super::targets::{self, Args, Needs, PrincipalRef, RoleRef};

const LIST_TRANSITIVE_ROLE_ASSIGNMENTS: Declaration = Declaration {
    name: "list_transitive_role_assignments",
    title: "List a principal's roles including those through groups (beta)",
    description: "(beta) Every Entra directory role a user, group or app holds, directly or inherited through group membership, each with the group it comes through. Optionally narrowed to one role. Directory Readers.",
    toolset: Toolset::Roles,
    permissions: &["RoleManagement.Read.Directory", "Directory.Read.All"],
    least_role: "Directory Readers",
    access: Access::Read,
    beta: true,
    default: false,
    examples: EXAMPLES,
};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListTransitiveRoleAssignmentsParams {
    /// A user: their roles, direct and through groups.
    pub user: Option<UserRef>,
    /// A group (name or id).
    pub group: Option<String>,
    /// An app (name, appId or service principal id).
    pub app: Option<String>,
    /// Only this role (name or id).
    pub role: Option<String>,
    #[serde(default)]
    pub limit: Limit,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct TransitiveRow {
    pub role: String,
    pub role_id: String,
    /// `direct`, or `group` (inherited from the group in `via_group`).
    pub source: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via_group: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via_group_id: Option<String>,
    /// `tenant`, an administrative unit or one object.
    pub scope: String,
    pub assignment_id: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct TransitiveRoleAssignments {
    pub principal: PrincipalRef,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<RoleRef>,
    pub assignments: Vec<TransitiveRow>,
    #[serde(flatten)]
    pub list: ListInfo,
}

async fn list_transitive_role_assignments(
    ctx: Ctx,
    p: ListTransitiveRoleAssignmentsParams,
) -> Result<TransitiveRoleAssignments, SkillError> {
    let limit = p.limit.get()?;
    let args =
        Args { role: p.role.as_deref(), user: p.user.as_ref(), group: p.group.as_deref(), app: p.app.as_deref() };
    let target = targets::resolve_target(&ctx, args, Needs::Principal).await?;
    let Some(principal) = target.principal.clone() else {
        return Err(SkillError::invalid_value("user", "no principal given", "a user, group or app"));
    };
    // Graph wants `$count=true` and `ConsistencyLevel: eventual` here; `.count()` marks it.
    let request = GraphRequest::get("/roleManagement/directory/transitiveRoleAssignments")
        .beta()
        .query(
            Query::new()
                .select(&["id", "principalId", "roleDefinitionId", "directoryScopeId"])
                .filter_opt(target.filter())
                .expand("principal($select=id,displayName),roleDefinition($select=id,displayName)")
                .count(),
        )
        .eventual();
    let page = ctx.graph.list::<RoleGrant>(request, limit).await?;
    let mut assignments: Vec<TransitiveRow> = page
        .items
        .iter()
        .map(|grant| {
            let holder = grant.principal_id.as_deref().unwrap_or_default();
            let inherited = !holder.eq_ignore_ascii_case(&principal.id);
            let group = grant.principal.as_ref();
            TransitiveRow {
                role: grant.role_name(),
                role_id: grant.role_id().to_string(),
                source: if inherited { "group" } else { "direct" }.to_string(),
                via_group: inherited
                    .then(|| group.and_then(|g| g.display_name.clone()).unwrap_or_else(|| holder.to_string())),
                via_group_id: inherited.then(|| holder.to_string()),
                scope: grant.scope(),
                assignment_id: grant.id.clone(),
            }
        })
        .collect();
    assignments.sort_by(|a, b| (&a.source, &a.role).cmp(&(&b.source, &b.role)));
    let list = ListInfo::new(assignments.len(), page.total, page.more, "`role`");
    Ok(TransitiveRoleAssignments { principal, role: target.role, assignments, list })
}

impl Render for TransitiveRoleAssignments {
    fn rows(&self) -> Option<usize> {
        Some(self.assignments.len())
    }

    fn cut_to(&mut self, rows: usize) {
        self.assignments.truncate(rows);
        self.list.cut(rows);
    }

    fn markdown(&self) -> String {
        let target = targets::Target { role: self.role.clone(), principal: Some(self.principal.clone()) };
        let rows: Vec<Vec<String>> = self
            .assignments
            .iter()
            .map(|a| {
                let source = match &a.via_group {
                    Some(group) => format!("through group {group}"),
                    None => "direct".to_string(),
                };
                vec![a.role.clone(), source, a.scope.clone(), a.role_id.clone()]
            })
            .collect();
        format!(
            "{} roles of {}, direct and through groups\n{}{}",
            self.list.returned,
            targets::about(&target),
            table(&["role", "source", "scope", "role id"], &rows),
            self.list.footer()
        )
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Does Kevin Obi inherit any admin role through a group membership?",
        args: r#"{"user":"kevin.obi@woodgrovebank.com"}"#,
        facts: &[
            Fact::Some("assignments/*/role", "Helpdesk Administrator"),
            Fact::Every("assignments/*/source", "group"),
            Fact::Some("assignments/*/via_group", "Helpdesk Operators"),
            Fact::Says("through group Helpdesk Operators"),
        ],
    },
    Example {
        question: "Jordan's transitive role assignments, direct and inherited",
        args: r#"{"user":"jordan@woodgrovebank.com"}"#,
        facts: &[
            Fact::Count("assignments/*", 2),
            Fact::Every("assignments/*/source", "direct"),
            Fact::Some("assignments/*/role", "Reports Reader"),
        ],
    },
    Example {
        question: "Transitive role assignments with no principal",
        args: r#"{"role":"Global Administrator"}"#,
        facts: &[Fact::Fails(ErrorKind::InvalidInput), Fact::Says("`user`")],
    },
];

pub fn skill() -> Skill {
    Skill::new(LIST_TRANSITIVE_ROLE_ASSIGNMENTS, list_transitive_role_assignments)
}
