//! Directory roles as more than one toolset reads them: a principal's active assignments and
//! PIM schedule instances, each with its role's name (expanded, so no second lookup), which
//! roles Entra marks privileged, and how a scope reads.
//!
//! `isPrivileged` is a beta property of `unifiedRoleDefinition`: v1.0 refuses it in `$select`.
//! It is read once per call from beta, beside the v1.0 reads, and a failure there only loses
//! the flag.

use std::collections::HashMap;

use serde::Deserialize;

use crate::error::SkillError;
use crate::graph::{GraphRequest, Page, Query};
use crate::odata::Expr;
use crate::skill::Ctx;

/// Global Administrator's template id (built-in roles use it as their id).
pub const GLOBAL_ADMINISTRATOR: &str = "62e90394-69f5-4237-9190-012177145e10";

/// The role definition as an expanded assignment carries it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RoleName {
    pub id: String,
    pub display_name: Option<String>,
    /// Beta only.
    pub is_privileged: Option<bool>,
}

/// An active role assignment or a PIM schedule instance (active or eligible): the fields they
/// share, and the two only an assignment schedule instance has.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RoleGrant {
    pub id: String,
    pub principal_id: Option<String>,
    pub role_definition_id: Option<String>,
    pub directory_scope_id: Option<String>,
    pub start_date_time: Option<String>,
    pub end_date_time: Option<String>,
    /// `Assigned` or `Activated` (assignment schedule instances only).
    pub assignment_type: Option<String>,
    /// `Direct`, `Group` or `Inherited` (schedule instances only).
    pub member_type: Option<String>,
    pub role_definition: Option<RoleName>,
}

impl RoleGrant {
    pub fn role_id(&self) -> &str {
        self.role_definition_id.as_deref().unwrap_or_default()
    }

    /// The role's display name, or its id when the definition was not expanded.
    pub fn role_name(&self) -> String {
        self.role_definition.as_ref().and_then(|d| d.display_name.clone()).unwrap_or_else(|| self.role_id().to_string())
    }

    pub fn scope(&self) -> String {
        scope_label(self.directory_scope_id.as_deref())
    }
}

const ROLE_NAME: &str = "roleDefinition($select=id,displayName)";
const BASE: &str = "/roleManagement/directory";

fn of_principal(set: &str, principal: &str, select: &'static [&'static str]) -> GraphRequest {
    // principalId is a string property: Graph wants it quoted, not as a bare GUID.
    GraphRequest::get(format!("{BASE}/{set}"))
        .query(Query::new().select(select).filter(Expr::eq("principalId", principal.to_string())).expand(ROLE_NAME))
}

/// `roleAssignments` of one principal (active now: permanent, time-bound or activated).
pub fn active_assignments(principal: &str) -> GraphRequest {
    of_principal("roleAssignments", principal, &["id", "principalId", "roleDefinitionId", "directoryScopeId"])
}

/// `roleAssignmentScheduleInstances` of one principal: the active ones as PIM sees them, with
/// start, end and whether they were assigned or activated. Needs P2.
pub fn assignment_instances(principal: &str) -> GraphRequest {
    of_principal(
        "roleAssignmentScheduleInstances",
        principal,
        &[
            "id",
            "principalId",
            "roleDefinitionId",
            "directoryScopeId",
            "startDateTime",
            "endDateTime",
            "assignmentType",
            "memberType",
        ],
    )
}

/// `roleEligibilityScheduleInstances` of one principal: what it may activate. Needs P2.
pub fn eligibility_instances(principal: &str) -> GraphRequest {
    of_principal(
        "roleEligibilityScheduleInstances",
        principal,
        &["id", "principalId", "roleDefinitionId", "directoryScopeId", "startDateTime", "endDateTime", "memberType"],
    )
}

/// Every role definition's `isPrivileged` flag (beta), by role id.
pub fn privileged_flags_request() -> GraphRequest {
    GraphRequest::get(format!("{BASE}/roleDefinitions")).beta().query(Query::new().select(&[
        "id",
        "displayName",
        "isPrivileged",
    ]))
}

/// How many role definitions a tenant has at most worth reading (built-in ones are about 130).
pub const ROLE_DEFINITIONS_CAP: usize = 1000;

/// The flags of [`privileged_flags_request`]'s answer; on failure a note says the flag is
/// unknown, and the answer goes on without it.
pub fn privileged_flags(ctx: &Ctx, listed: Result<Page<RoleName>, SkillError>) -> HashMap<String, bool> {
    match listed {
        Ok(page) => {
            page.items.into_iter().filter_map(|d| Some((d.id.to_ascii_lowercase(), d.is_privileged?))).collect()
        }
        Err(e) => {
            ctx.note(format!("privileged flags unavailable (beta roleDefinitions: {})", e.kind.as_str()));
            HashMap::new()
        }
    }
}

/// Whether a role is privileged, when known. Global Administrator always is.
pub fn is_privileged(flags: &HashMap<String, bool>, role_id: &str) -> Option<bool> {
    flags
        .get(&role_id.to_ascii_lowercase())
        .copied()
        .or_else(|| role_id.eq_ignore_ascii_case(GLOBAL_ADMINISTRATOR).then_some(true))
}

/// `/` is the whole tenant; `/administrativeUnits/{id}` an administrative unit; `/{id}` one
/// object (an app registration, a group).
pub fn scope_label(scope: Option<&str>) -> String {
    match scope {
        None | Some("/") | Some("") => "tenant".to_string(),
        Some(scope) => match scope.strip_prefix("/administrativeUnits/") {
            Some(unit) => format!("administrative unit {unit}"),
            None => format!("object {}", scope.trim_start_matches('/')),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_read_as_an_admin_names_them() {
        assert_eq!(scope_label(None), "tenant");
        assert_eq!(scope_label(Some("/")), "tenant");
        assert_eq!(scope_label(Some("/administrativeUnits/42")), "administrative unit 42");
        assert_eq!(scope_label(Some("/5b1a-app")), "object 5b1a-app");
    }

    #[test]
    fn global_administrator_is_privileged_even_without_the_beta_flags() {
        let none = HashMap::new();
        assert_eq!(is_privileged(&none, &GLOBAL_ADMINISTRATOR.to_uppercase()), Some(true));
        assert_eq!(is_privileged(&none, "4a5d8f65-41da-4de4-8968-e035b65339cf"), None);
        let flags = HashMap::from([("4a5d8f65-41da-4de4-8968-e035b65339cf".to_string(), false)]);
        assert_eq!(is_privileged(&flags, "4A5D8F65-41DA-4DE4-8968-E035B65339CF"), Some(false));
    }

    #[test]
    fn principal_filters_quote_the_id_and_expand_the_role_name() {
        let request = active_assignments("c563c437-0241-5d5e-ba18-cb29b082a4b5");
        let described = request.describe();
        assert!(described.contains("principalId eq 'c563c437-0241-5d5e-ba18-cb29b082a4b5'"), "{described}");
        assert!(described.contains("$expand=roleDefinition($select=id,displayName)"), "{described}");
        assert!(privileged_flags_request().describe().starts_with("GET beta "));
    }
}
