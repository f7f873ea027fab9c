//! `$expand` of navigation properties: a user's manager (optionally the whole chain with
//! `$levels=max`) and direct reports, a group's members and owners, a device's registered
//! owners and users, an application's owners, the principal and role definition of a role
//! assignment, the group of a PIM for Groups schedule instance, and the navigations the
//! entity-set registry declares (`sets::expand_navigation`: entitlement management's, a role
//! management policy assignment's `policy` and that policy's `rules`), nested ones included.

use serde_json::Value;

use crate::demo::tenant::{DirectoryRef, ObjectKind};

use super::listing::{Ctx, shape};
use super::query::Expand;
use super::schema;

/// The expanded value, or `None` when Graph would leave the property out (no manager).
pub fn expand(ctx: &Ctx<'_>, item: &Value, how: &Expand) -> Option<Value> {
    let tenant = ctx.tenant;
    let id = item.get("id").and_then(Value::as_str).unwrap_or_default();
    match how.property.as_str() {
        "manager" => manager(ctx, id, how, 0),
        "directReports" => Some(list(ctx, users(tenant.direct_reports.get(id)), how)),
        "members" => Some(list(ctx, tenant.group_members.get(id).cloned().unwrap_or_default(), how)),
        "owners" => {
            let owners = match tenant.group_owners.get(id) {
                Some(owners) => owners.clone(),
                None => users(tenant.application_owners.get(id).or_else(|| tenant.service_principal_owners.get(id))),
            };
            Some(list(ctx, owners, how))
        }
        "registeredOwners" | "registeredUsers" => Some(list(ctx, users(tenant.device_owners.get(id)), how)),
        "principal" => {
            let principal = item.get("principalId").and_then(Value::as_str)?;
            let (kind, value) = tenant.directory_object(principal)?;
            Some(shape(ctx, schema::of_kind(kind), value, Some(kind), how.select.as_deref(), &[], true))
        }
        "roleDefinition" => {
            let role = item.get("roleDefinitionId").and_then(Value::as_str)?;
            let value = tenant.role_definitions.get(role)?;
            Some(shape(ctx, &schema::ROLE_DEFINITIONS, value, None, how.select.as_deref(), &[], false))
        }
        // The group a PIM for Groups schedule instance is about.
        "group" => {
            let group = item.get("groupId").and_then(Value::as_str)?;
            let value = tenant.groups.get(group)?;
            Some(shape(ctx, &schema::GROUPS, value, Some(ObjectKind::Group), how.select.as_deref(), &[], false))
        }
        // Navigations the registry declares with their rows (entitlement management), then
        // lifecycle workflows' (tasks, createdBy, subject, task results …).
        _ => super::sets::expand_navigation(ctx, item, how).or_else(|| super::sets::lifecycle::expand(ctx, item, how)),
    }
}

/// The manager, and with `$levels=max` the manager's manager and so on.
fn manager(ctx: &Ctx<'_>, user_id: &str, how: &Expand, depth: usize) -> Option<Value> {
    let manager_id = ctx.tenant.managers.get(user_id)?;
    let value = ctx.tenant.user(manager_id)?;
    let mut shaped = shape(ctx, &schema::USERS, value, Some(ObjectKind::User), how.select.as_deref(), &[], true);
    // Cycles cannot occur in the story, but a bound keeps a bad chain from recursing forever.
    if how.levels_max
        && depth < 32
        && let (Some(next), Value::Object(map)) = (manager(ctx, manager_id, how, depth + 1), &mut shaped)
    {
        map.insert("manager".into(), next);
    }
    Some(shaped)
}

fn users(ids: Option<&Vec<String>>) -> Vec<DirectoryRef> {
    ids.map(|ids| ids.iter().map(|id| DirectoryRef::user(id.clone())).collect()).unwrap_or_default()
}

fn list(ctx: &Ctx<'_>, refs: Vec<DirectoryRef>, how: &Expand) -> Value {
    let items = refs
        .iter()
        .filter_map(|r| {
            let (kind, value) = ctx.tenant.directory_object(&r.id)?;
            Some(shape(ctx, schema::of_kind(kind), value, Some(kind), how.select.as_deref(), &[], true))
        })
        .collect();
    Value::Array(items)
}
