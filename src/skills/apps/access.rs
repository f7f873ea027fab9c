//! What one app holds, read the same way by `get_app_permissions` and
//! `analyze_app_permission_risk`: its delegated grants (for all users or per user), its
//! application permissions (app role assignments) and the directory roles it holds, each named
//! and tiered. Three independent reads run at once; the resource apps' permission names are
//! read once per call and shared between apps.

use std::collections::HashMap;

use schemars::JsonSchema;
use serde::Serialize;
use tokio::sync::Mutex;

use super::model::{AppRoleAssignment, PermissionGrant, ResourceNames, RoleAssignment, resource_by_id};
use super::tiers::{Tier, permission_tier, role_tier};
use crate::graph::{GraphRequest, Query, path};
use crate::odata::Expr;
use crate::shared::guid;
use crate::skill::{Ctx, ErrorKind, SkillError};

/// Delegated, application, or a directory role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AccessKind {
    Delegated,
    Application,
    DirectoryRole,
}

/// One permission or role an app holds.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct PermissionRow {
    /// Permission (`Mail.Read`) or role name.
    pub name: String,
    pub kind: AccessKind,
    /// `all_users` (tenant-wide consent), `per_user`, `admin` (application permission), or
    /// for a role its scope (`tenant` or the scope id).
    pub consent: String,
    /// How many users consented, for per-user grants.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub users: Option<usize>,
    /// The API the permission is on (`Microsoft Graph`), or `directory` for a role.
    pub resource: String,
    pub tier: Tier,
    /// When an application permission was granted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub granted: Option<String>,
}

impl PermissionRow {
    /// `delegated, all users`, `delegated, 3 users`, `application`, `directory role (tenant)`.
    pub fn how(&self) -> String {
        match (self.kind, self.users) {
            (AccessKind::Delegated, Some(n)) => format!("delegated, {n} user{}", if n == 1 { "" } else { "s" }),
            (AccessKind::Delegated, None) => "delegated, all users".into(),
            (AccessKind::Application, _) => "application".into(),
            (AccessKind::DirectoryRole, _) => format!("directory role ({})", self.consent),
        }
    }

    /// `Mail.Read (delegated, all users)`.
    pub fn label(&self) -> String {
        format!("{} ({})", self.name, self.how())
    }
}

/// Resource apps' permission names, read at most once per call.
#[derive(Default)]
pub struct Resources {
    known: Mutex<HashMap<String, Option<ResourceNames>>>,
}

impl Resources {
    /// The names of the resource app with this service principal id; `None` when it cannot be
    /// read (the ids are shown instead).
    async fn get(&self, ctx: &Ctx, id: &str) -> Option<ResourceNames> {
        let key = id.to_ascii_lowercase();
        // Held across the read on purpose: two apps of one call never read the same resource twice.
        let mut known = self.known.lock().await;
        if let Some(found) = known.get(&key) {
            return found.clone();
        }
        let read = match guid(id) {
            Some(_) => match resource_by_id(ctx, id).await {
                Ok(names) => Some(names),
                Err(e) => {
                    ctx.note(format!("permission names of resource {id} unavailable ({}); ids shown", e.kind.as_str()));
                    None
                }
            },
            None => None,
        };
        known.insert(key, read.clone());
        read
    }
}

const GRANT_FIELDS: &[&str] = &["id", "clientId", "consentType", "principalId", "resourceId", "scope"];
const ASSIGNMENT_FIELDS: &[&str] = &["id", "appRoleId", "resourceId", "resourceDisplayName", "createdDateTime"];

/// Everything one service principal holds, highest tier first. A section Graph refuses becomes
/// a note; throttling, or every section failing, fails the read.
pub async fn read_access(ctx: &Ctx, sp_id: &str, resources: &Resources) -> Result<Vec<PermissionRow>, SkillError> {
    let grants = GraphRequest::get(path("/servicePrincipals/{}/oauth2PermissionGrants", &[sp_id]))
        .query(Query::new().select(GRANT_FIELDS).top(999));
    let assignments = GraphRequest::get(path("/servicePrincipals/{}/appRoleAssignments", &[sp_id]))
        .query(Query::new().select(ASSIGNMENT_FIELDS).top(999));
    let principal = guid(sp_id).map(|g| g.to_string()).unwrap_or_default();
    let roles = GraphRequest::get("/roleManagement/directory/roleAssignments").query(
        Query::new()
            .select(&["id", "roleDefinitionId", "directoryScopeId"])
            .filter(Expr::eq("principalId", principal.as_str()))
            .expand("roleDefinition($select=id,displayName,templateId)"),
    );
    let (grants, assignments, roles) = tokio::join!(
        ctx.graph.list::<PermissionGrant>(grants, 2000),
        ctx.graph.list::<AppRoleAssignment>(assignments, 2000),
        ctx.graph.list::<RoleAssignment>(roles, 200)
    );
    let failures = [grants.as_ref().err(), assignments.as_ref().err(), roles.as_ref().err()];
    if let Some(e) = failures.iter().flatten().find(|e| e.kind == ErrorKind::Throttled) {
        return Err((*e).clone());
    }
    if let [Some(e), Some(_), Some(_)] = failures {
        return Err(e.clone());
    }
    let mut rows = Vec::new();
    match grants {
        Ok(page) => rows.extend(delegated_rows(ctx, page.items, resources).await),
        Err(e) => ctx.note(format!("delegated grants skipped: {}", e.message)),
    }
    match assignments {
        Ok(page) => rows.extend(application_rows(ctx, page.items, resources).await),
        Err(e) => ctx.note(format!("application permissions skipped: {}", e.message)),
    }
    match roles {
        Ok(page) => rows.extend(page.items.into_iter().map(role_row)),
        Err(e) => ctx.note(format!("directory roles skipped: {}", e.message)),
    }
    rows.sort_by(|a, b| b.tier.cmp(&a.tier).then_with(|| a.name.cmp(&b.name)));
    Ok(rows)
}

async fn resource_name(ctx: &Ctx, resources: &Resources, id: &str) -> String {
    resources.get(ctx, id).await.and_then(|r| r.display_name).unwrap_or_else(|| id.to_string())
}

/// One row per scope for tenant-wide grants; per-user grants of a scope are counted together.
async fn delegated_rows(ctx: &Ctx, grants: Vec<PermissionGrant>, resources: &Resources) -> Vec<PermissionRow> {
    // (resource, scope, tenant-wide) → users
    let mut seen: Vec<(String, String, bool, usize)> = Vec::new();
    for grant in grants {
        let resource = resource_name(ctx, resources, grant.resource_id.as_deref().unwrap_or_default()).await;
        let tenant_wide = grant.consent_type.as_deref() == Some("AllPrincipals");
        for scope in grant.scope.as_deref().unwrap_or_default().split_whitespace() {
            match seen.iter_mut().find(|(r, s, t, _)| *r == resource && s == scope && *t == tenant_wide) {
                Some(entry) => entry.3 += 1,
                None => seen.push((resource.clone(), scope.to_string(), tenant_wide, 1)),
            }
        }
    }
    seen.into_iter()
        .map(|(resource, scope, tenant_wide, users)| PermissionRow {
            tier: permission_tier(&scope, tenant_wide),
            name: scope,
            kind: AccessKind::Delegated,
            consent: if tenant_wide { "all_users" } else { "per_user" }.into(),
            users: (!tenant_wide).then_some(users),
            resource,
            granted: None,
        })
        .collect()
}

async fn application_rows(ctx: &Ctx, assignments: Vec<AppRoleAssignment>, resources: &Resources) -> Vec<PermissionRow> {
    let mut rows = Vec::new();
    for a in assignments {
        let resource_id = a.resource_id.clone().unwrap_or_default();
        let names = resources.get(ctx, &resource_id).await;
        let role = a.app_role_id.clone().unwrap_or_default();
        // The all-zero id is "default access": an assignment without a permission.
        if role.is_empty() || role == "00000000-0000-0000-0000-000000000000" {
            continue;
        }
        let name = names.as_ref().map(|n| n.role(&role)).unwrap_or(role);
        let resource = a
            .resource_display_name
            .clone()
            .or_else(|| names.as_ref().and_then(|n| n.display_name.clone()))
            .unwrap_or(resource_id);
        rows.push(PermissionRow {
            tier: permission_tier(&name, true),
            name,
            kind: AccessKind::Application,
            consent: "admin".into(),
            users: None,
            resource,
            granted: a.created_date_time,
        });
    }
    rows
}

fn role_row(a: RoleAssignment) -> PermissionRow {
    let definition = a.role_definition.unwrap_or_default();
    let template = definition.template_id.or(definition.id).or(a.role_definition_id).unwrap_or_default();
    let scope = match a.directory_scope_id.as_deref() {
        None | Some("/") => "tenant".to_string(),
        Some(scope) => scope.to_string(),
    };
    PermissionRow {
        tier: role_tier(&template),
        name: definition.display_name.unwrap_or(template),
        kind: AccessKind::DirectoryRole,
        consent: scope,
        users: None,
        resource: "directory".into(),
        granted: None,
    }
}
