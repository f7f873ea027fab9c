//! What the enabled skills need of a tenant: the delegated permissions (as text, and as the
//! `requiredResourceAccess` manifest and admin consent URL an app registration takes), grouped
//! by the API they belong to — Microsoft Graph, and Azure Resource Manager for the one skill
//! that reads it — and the least Entra role of each skill. All read from the declarations.

use serde_json::{Value, json};

use crate::config::TenantSettings;
use crate::graph::permission_ids::{GRAPH, Resource, delegated_id, resource_of};
use crate::skill::Skill;

/// The distinct permissions of these skills, sorted.
pub fn delegated(skills: &[&Skill]) -> Vec<&'static str> {
    let mut permissions: Vec<&'static str> = skills.iter().flat_map(|s| s.decl.permissions.iter().copied()).collect();
    permissions.sort_unstable();
    permissions.dedup();
    permissions
}

/// The distinct permissions by the API they belong to, Microsoft Graph first.
fn by_resource(skills: &[&Skill]) -> Vec<(Resource, Vec<&'static str>)> {
    let mut groups: Vec<(Resource, Vec<&'static str>)> = vec![(GRAPH, Vec::new())];
    for permission in delegated(skills) {
        let (resource, _) = resource_of(permission);
        match groups.iter_mut().find(|(r, _)| *r == resource) {
            Some((_, list)) => list.push(permission),
            None => groups.push((resource, vec![permission])),
        }
    }
    groups.retain(|(r, list)| *r == GRAPH || !list.is_empty());
    groups
}

/// `permissions --json`.
pub fn manifest(skills: &[&Skill], tenant: &TenantSettings) -> Value {
    let permissions = delegated(skills);
    let per_skill: Vec<Value> = skills
        .iter()
        .map(|s| json!({"tool": s.decl.name, "permissions": s.decl.permissions, "least_role": s.decl.least_role}))
        .collect();
    let required: Vec<Value> = by_resource(skills)
        .into_iter()
        .map(|(resource, list)| {
            let access: Vec<Value> =
                list.iter().filter_map(|p| delegated_id(p)).map(|id| json!({"id": id, "type": "Scope"})).collect();
            json!({"resourceAppId": resource.app_id, "resourceAccess": access})
        })
        .collect();
    let unknown: Vec<&str> = permissions.iter().copied().filter(|p| delegated_id(p).is_none()).collect();
    let tenant_id = tenant.tenant_id.clone().unwrap_or_else(|| "{tenant}".into());
    let client = tenant.client_id.clone().unwrap_or_else(|| "{client id}".into());
    json!({
        "delegated_permissions": permissions,
        "requiredResourceAccess": required,
        "admin_consent_url": format!("{}/{tenant_id}/adminconsent?client_id={client}", tenant.authority),
        "permissions_without_known_id": unknown,
        "tools": per_skill,
    })
}

/// `permissions` as text.
pub fn text(skills: &[&Skill]) -> String {
    let mut out = String::new();
    for (resource, permissions) in by_resource(skills) {
        if resource == GRAPH {
            out.push_str(
                "Delegated Microsoft Graph permissions for the enabled toolsets (no application permissions):\n",
            );
        } else {
            out.push_str(&format!("\nDelegated {} permissions (a second token audience):\n", resource.name));
        }
        for p in permissions {
            let users: Vec<&str> =
                skills.iter().filter(|s| s.decl.permissions.contains(&p)).map(|s| s.decl.name).collect();
            out.push_str(&format!("  {:<36} {}\n", resource_of(p).1, users.join(", ")));
        }
    }
    out.push_str("\nLeast Entra roles (the signed-in user's active role decides what Graph returns):\n");
    for s in skills {
        out.push_str(&format!("  {:<26} {}\n", s.decl.name, s.decl.least_role));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::permission_ids::{ARM, ARM_USER_IMPERSONATION, GRAPH_APP_ID};
    use crate::skills::catalog;

    fn named(names: &[&str]) -> Vec<&'static Skill> {
        catalog().iter().filter(|s| names.contains(&s.decl.name)).collect()
    }

    #[test]
    fn resource_manager_is_printed_and_required_under_its_own_resource() {
        let skills = named(&["get_user", "get_entra_diagnostic_settings"]);
        assert_eq!(skills.len(), 2);
        let text = text(&skills);
        let (graph, arm) = text.split_once("Delegated Azure Service Management").expect("an ARM section");
        assert!(graph.contains("User.Read.All") && !graph.contains("user_impersonation"), "{text}");
        assert!(arm.lines().any(|l| l.contains("user_impersonation") && l.contains("get_entra_diagnostic_settings")));
        let manifest = manifest(&skills, &TenantSettings::from_env(crate::config::Cloud::Public, |_| None).expect("t"));
        let required = manifest["requiredResourceAccess"].as_array().cloned().unwrap_or_default();
        assert_eq!(required.len(), 2, "{manifest}");
        assert_eq!(required[0]["resourceAppId"], GRAPH_APP_ID);
        assert_eq!(required[1]["resourceAppId"], ARM.app_id);
        assert_eq!(required[1]["resourceAccess"][0]["id"], "41094075-9dad-400e-a0bd-54e686782033");
        assert!(
            manifest["delegated_permissions"].as_array().is_some_and(|p| p.contains(&ARM_USER_IMPERSONATION.into()))
        );

        // Without the ARM skill, Graph alone.
        let graph_only = named(&["get_user"]);
        assert!(!super::text(&graph_only).contains("Azure Service Management"));
        let manifest =
            super::manifest(&graph_only, &TenantSettings::from_env(crate::config::Cloud::Public, |_| None).expect("t"));
        assert_eq!(manifest["requiredResourceAccess"].as_array().map(Vec::len), Some(1));
    }
}
