//! What the enabled skills need of a tenant: the delegated Graph permissions (as text, and as
//! the `requiredResourceAccess` manifest and admin consent URL an app registration takes) and
//! the least Entra role of each skill. All read from the declarations.

use serde_json::{Value, json};

use crate::config::TenantSettings;
use crate::graph::permission_ids::{GRAPH_APP_ID, delegated_id};
use crate::skill::Skill;

/// The distinct permissions of these skills, sorted.
pub fn delegated(skills: &[&Skill]) -> Vec<&'static str> {
    let mut permissions: Vec<&'static str> = skills.iter().flat_map(|s| s.decl.permissions.iter().copied()).collect();
    permissions.sort_unstable();
    permissions.dedup();
    permissions
}

/// `permissions --json`.
pub fn manifest(skills: &[&Skill], tenant: &TenantSettings) -> Value {
    let permissions = delegated(skills);
    let per_skill: Vec<Value> = skills
        .iter()
        .map(|s| json!({"tool": s.decl.name, "permissions": s.decl.permissions, "least_role": s.decl.least_role}))
        .collect();
    let access: Vec<Value> =
        permissions.iter().filter_map(|p| delegated_id(p)).map(|id| json!({"id": id, "type": "Scope"})).collect();
    let unknown: Vec<&str> = permissions.iter().copied().filter(|p| delegated_id(p).is_none()).collect();
    let tenant_id = tenant.tenant_id.clone().unwrap_or_else(|| "{tenant}".into());
    let client = tenant.client_id.clone().unwrap_or_else(|| "{client id}".into());
    json!({
        "delegated_permissions": permissions,
        "requiredResourceAccess": [{"resourceAppId": GRAPH_APP_ID, "resourceAccess": access}],
        "admin_consent_url": format!("{}/{tenant_id}/adminconsent?client_id={client}", tenant.authority),
        "permissions_without_known_id": unknown,
        "tools": per_skill,
    })
}

/// `permissions` as text.
pub fn text(skills: &[&Skill]) -> String {
    let mut out =
        String::from("Delegated Microsoft Graph permissions for the enabled toolsets (no application permissions):\n");
    for p in delegated(skills) {
        let users: Vec<&str> = skills.iter().filter(|s| s.decl.permissions.contains(&p)).map(|s| s.decl.name).collect();
        out.push_str(&format!("  {p:<36} {}\n", users.join(", ")));
    }
    out.push_str("\nLeast Entra roles (the signed-in user's active role decides what Graph returns):\n");
    for s in skills {
        out.push_str(&format!("  {:<26} {}\n", s.decl.name, s.decl.least_role));
    }
    out
}
