//! Which Graph resource a path names: the directory collections and their relationships
//! (with type casts and `/$count`), the audit logs, Identity Protection, Conditional Access and
//! role management. Resolution only finds the rows; `mod.rs` runs the query pipeline on them.

use serde_json::Value;

use crate::demo::tenant::{Collection, DirectoryRef, Item, ObjectKind, RecordLog, Tenant};

use super::errors::{GraphError, GraphResult};
use super::listing::{Row, Shape};
use super::schema::{self, Spec};

/// What a path resolved to.
pub enum Resolved<'t> {
    List {
        spec: &'static Spec,
        rows: Vec<Row<'t>>,
        mixed: bool,
        shape: Shape,
    },
    Item {
        spec: &'static Spec,
        row: Row<'t>,
    },
    /// `POST /identity/conditionalAccess/evaluate`.
    Evaluate,
    /// `POST /users/{id}/checkMemberGroups` for this user id.
    CheckMemberGroups(String),
}

/// Anything rows can be read from: stored JSON or records rendered on demand.
trait Rows {
    fn all(&self) -> Vec<Row<'_>>;
    fn find(&self, id: &str) -> Option<Row<'_>>;
}

impl Rows for Collection {
    fn all(&self) -> Vec<Row<'_>> {
        self.items().iter().map(Row::plain).collect()
    }
    fn find(&self, id: &str) -> Option<Row<'_>> {
        self.get(id).map(Row::plain)
    }
}

impl Rows for RecordLog {
    fn all(&self) -> Vec<Row<'_>> {
        self.iter().map(|item| Row { item, kind: None }).collect()
    }
    fn find(&self, id: &str) -> Option<Row<'_>> {
        self.get(id).map(|item: Item<'_>| Row { item, kind: None })
    }
}

fn list<'t>(spec: &'static Spec, items: &'t [Value]) -> Resolved<'t> {
    Resolved::List { spec, rows: items.iter().map(Row::plain).collect(), mixed: false, shape: Shape::Page }
}

/// A collection addressed by its segments after the collection name: nothing (a page),
/// `$count`, or an id with whatever follows it.
fn collection<'t>(spec: &'static Spec, items: &'t dyn Rows, rest: &[&str]) -> GraphResult<Resolved<'t>> {
    match rest {
        [] => Ok(Resolved::List { spec, rows: items.all(), mixed: false, shape: Shape::Page }),
        ["$count"] => Ok(Resolved::List { spec, rows: items.all(), mixed: false, shape: Shape::CountSegment }),
        [id] => {
            let row = items.find(id).ok_or_else(|| GraphError::not_found(id))?;
            Ok(Resolved::Item { spec, row })
        }
        [_, next, ..] => Err(GraphError::no_route(next)),
    }
}

/// Resolves the segments after the version (`users`, `abc`, `memberOf`, …).
pub fn resolve<'t>(tenant: &'t Tenant, caller: &str, segments: &[&str]) -> GraphResult<Resolved<'t>> {
    match segments {
        ["me", rest @ ..] => {
            let me = tenant.user(caller).ok_or_else(|| GraphError::not_found(caller))?;
            user_path(tenant, me, rest)
        }
        ["users"] => Ok(list(&schema::USERS, tenant.users.items())),
        ["users", "$count"] => collection(&schema::USERS, &tenant.users, &["$count"]),
        ["users", id, rest @ ..] => {
            let user = tenant.user(id).ok_or_else(|| GraphError::not_found(id))?;
            user_path(tenant, user, rest)
        }
        ["groups", id, relationship @ ("members" | "transitiveMembers" | "owners"), rest @ ..] => {
            let group = tenant.groups.get(id).ok_or_else(|| GraphError::not_found(id))?;
            let group_id = id_of(group);
            let refs = match *relationship {
                "members" => tenant.group_members.get(group_id).cloned().unwrap_or_default(),
                "owners" => tenant.group_owners.get(group_id).cloned().unwrap_or_default(),
                _ => tenant.transitive_members(group_id),
            };
            references(tenant, refs, rest)
        }
        ["groups", rest @ ..] => collection(&schema::GROUPS, &tenant.groups, rest),
        ["devices", id, "registeredOwners" | "registeredUsers", rest @ ..] => {
            let device = tenant.devices.get(id).ok_or_else(|| GraphError::not_found(id))?;
            references(tenant, user_refs(tenant.device_owners.get(id_of(device))), rest)
        }
        ["devices", rest @ ..] => collection(&schema::DEVICES, &tenant.devices, rest),
        [by_app_id, rest @ ..]
            if by_app_id.starts_with("servicePrincipals(") || by_app_id.starts_with("applications(") =>
        {
            alternate_key(tenant, by_app_id, rest)
        }
        ["servicePrincipals", rest @ ..] => collection(&schema::SERVICE_PRINCIPALS, &tenant.service_principals, rest),
        ["applications", id, "owners", rest @ ..] => {
            let app = tenant.applications.get(id).ok_or_else(|| GraphError::not_found(id))?;
            references(tenant, user_refs(tenant.application_owners.get(id_of(app))), rest)
        }
        ["applications", rest @ ..] => collection(&schema::APPLICATIONS, &tenant.applications, rest),
        ["directory", "deletedItems", rest @ ..] => deleted_items(tenant, rest),
        ["organization", rest @ ..] => collection(&schema::ORGANIZATION, &tenant.organization, rest),
        ["auditLogs", "signIns", rest @ ..] => no_count(collection(&schema::SIGN_INS, &tenant.sign_ins, rest)),
        ["auditLogs", "directoryAudits", rest @ ..] => {
            no_count(collection(&schema::DIRECTORY_AUDITS, &tenant.directory_audits, rest))
        }
        ["auditLogs", "provisioning", rest @ ..] => {
            no_count(collection(&schema::PROVISIONING, &tenant.provisioning, rest))
        }
        ["identityProtection", "riskyUsers", id, "history", rest @ ..] => {
            let risky = tenant.risky_users.get(id).ok_or_else(|| GraphError::not_found(id))?;
            let history = tenant.risky_user_history.get(id_of(risky)).map(Vec::as_slice).unwrap_or(&[]);
            match rest {
                [] => Ok(list(&schema::RISKY_USER_HISTORY, history)),
                [item] => history
                    .iter()
                    .find(|h| h.get("id").and_then(Value::as_str).is_some_and(|i| i.eq_ignore_ascii_case(item)))
                    .map(|value| Resolved::Item { spec: &schema::RISKY_USER_HISTORY, row: Row::plain(value) })
                    .ok_or_else(|| GraphError::not_found(item)),
                [_, next, ..] => Err(GraphError::no_route(next)),
            }
        }
        ["identityProtection", "riskyUsers", rest @ ..] => {
            no_count(collection(&schema::RISKY_USERS, &tenant.risky_users, rest))
        }
        ["identityProtection", "riskDetections", rest @ ..] => {
            no_count(collection(&schema::RISK_DETECTIONS, &tenant.risk_detections, rest))
        }
        ["identity", "conditionalAccess", "evaluate"] => Ok(Resolved::Evaluate),
        ["identity", "conditionalAccess", "policies", rest @ ..] => {
            no_count(collection(&schema::CA_POLICIES, &tenant.conditional_access_policies, rest))
        }
        ["identity", "conditionalAccess", "namedLocations", rest @ ..] => {
            no_count(collection(&schema::NAMED_LOCATIONS, &tenant.named_locations, rest))
        }
        ["roleManagement", "directory", set, rest @ ..] => role_management(tenant, caller, set, rest),
        [first, ..] => Err(GraphError::no_route(first)),
        [] => Err(GraphError::no_route("")),
    }
}

/// The recycle bin: listed per type (`microsoft.graph.user`, `microsoft.graph.group`), or one
/// object by id.
fn deleted_items<'t>(tenant: &'t Tenant, rest: &[&str]) -> GraphResult<Resolved<'t>> {
    match rest {
        ["microsoft.graph.user", rest @ ..] => collection(&schema::USERS, &tenant.deleted_users, rest),
        ["microsoft.graph.group", rest @ ..] => collection(&schema::GROUPS, &tenant.deleted_groups, rest),
        [id] => {
            if let Some(user) = tenant.deleted_users.get(id) {
                return Ok(Resolved::Item { spec: &schema::USERS, row: Row::of_kind(user, ObjectKind::User) });
            }
            let group = tenant.deleted_groups.get(id).ok_or_else(|| GraphError::not_found(id))?;
            Ok(Resolved::Item { spec: &schema::GROUPS, row: Row::of_kind(group, ObjectKind::Group) })
        }
        [] => Err(GraphError::bad_request(true, "A type cast such as microsoft.graph.user is required.")),
        [first, ..] => Err(GraphError::no_route(first)),
    }
}

/// Logs, risk and policy collections have no `/$count` segment in Graph.
fn no_count(resolved: GraphResult<Resolved<'_>>) -> GraphResult<Resolved<'_>> {
    match resolved? {
        Resolved::List { shape: Shape::CountSegment, .. } => Err(GraphError::no_route("$count")),
        other => Ok(other),
    }
}

fn id_of(value: &Value) -> &str {
    value.get("id").and_then(Value::as_str).unwrap_or_default()
}

fn user_refs(ids: Option<&Vec<String>>) -> Vec<DirectoryRef> {
    ids.map(|ids| ids.iter().map(|id| DirectoryRef::user(id.clone())).collect()).unwrap_or_default()
}

/// Paths below one user.
fn user_path<'t>(tenant: &'t Tenant, user: &'t Value, rest: &[&str]) -> GraphResult<Resolved<'t>> {
    let id = id_of(user);
    match rest {
        [] => Ok(Resolved::Item { spec: &schema::USERS, row: Row::plain(user) }),
        ["manager"] => {
            let manager =
                tenant.managers.get(id).and_then(|m| tenant.user(m)).ok_or_else(|| GraphError::not_found("manager"))?;
            Ok(Resolved::Item { spec: &schema::USERS, row: Row::of_kind(manager, ObjectKind::User) })
        }
        ["directReports", rest @ ..] => references(tenant, user_refs(tenant.direct_reports.get(id)), rest),
        ["transitiveReports", rest @ ..] => {
            let reports = tenant.transitive_reports(id).into_iter().map(DirectoryRef::user).collect();
            references(tenant, reports, rest)
        }
        ["checkMemberGroups"] => Ok(Resolved::CheckMemberGroups(id.to_string())),
        ["memberOf", rest @ ..] => {
            let groups = tenant.member_of.get(id).map(|g| g.iter().map(|g| DirectoryRef::group(g.clone())).collect());
            references(tenant, groups.unwrap_or_default(), rest)
        }
        ["transitiveMemberOf", rest @ ..] => {
            let groups = tenant.transitive_member_of(id).into_iter().map(DirectoryRef::group).collect();
            references(tenant, groups, rest)
        }
        ["registeredDevices" | "ownedDevices", rest @ ..] => {
            let devices = tenant
                .owned_devices
                .get(id)
                .map(|d| d.iter().map(|d| DirectoryRef::device(d.clone())).collect())
                .unwrap_or_default();
            references(tenant, devices, rest)
        }
        ["authentication", "methods", rest @ ..] => {
            let methods = tenant.authentication_methods.get(id).map(Vec::as_slice).unwrap_or(&[]);
            match rest {
                [] => Ok(list(&schema::AUTHENTICATION_METHODS, methods)),
                [method] => methods
                    .iter()
                    .find(|m| m.get("id").and_then(Value::as_str).is_some_and(|i| i.eq_ignore_ascii_case(method)))
                    .map(|value| Resolved::Item { spec: &schema::AUTHENTICATION_METHODS, row: Row::plain(value) })
                    .ok_or_else(|| GraphError::not_found(method)),
                [_, next, ..] => Err(GraphError::no_route(next)),
            }
        }
        [next, ..] => Err(GraphError::no_route(next)),
    }
}

/// A relationship collection of directory objects, with an optional type cast and `/$count`.
fn references<'t>(tenant: &'t Tenant, refs: Vec<DirectoryRef>, rest: &[&str]) -> GraphResult<Resolved<'t>> {
    let (cast, shape) = match rest {
        [] => (None, Shape::Page),
        ["$count"] => (None, Shape::CountSegment),
        [cast] => (Some(*cast), Shape::Page),
        [cast, "$count"] => (Some(*cast), Shape::CountSegment),
        [_, next, ..] => return Err(GraphError::no_route(next)),
    };
    let kind = match cast {
        Some(segment) => Some(ObjectKind::from_cast(segment).ok_or_else(|| GraphError::no_route(segment))?),
        None => None,
    };
    let rows = refs
        .iter()
        .filter(|r| kind.is_none_or(|k| r.kind == k))
        .filter_map(|r| {
            let (found, value) = tenant.directory_object(&r.id)?;
            Some(Row::of_kind(value, found))
        })
        .collect();
    Ok(Resolved::List {
        spec: kind.map(schema::of_kind).unwrap_or(&schema::DIRECTORY_OBJECTS),
        rows,
        mixed: true,
        shape,
    })
}

/// `servicePrincipals(appId='…')` and `applications(appId='…')`.
fn alternate_key<'t>(tenant: &'t Tenant, segment: &str, rest: &[&str]) -> GraphResult<Resolved<'t>> {
    let (set, key) = segment.split_once('(').ok_or_else(|| GraphError::no_route(segment))?;
    let app_id =
        key.strip_prefix("appId='").and_then(|k| k.strip_suffix("')")).ok_or_else(|| GraphError::no_route(segment))?;
    let (spec, items) = match set {
        "servicePrincipals" => (&schema::SERVICE_PRINCIPALS, &tenant.service_principals),
        "applications" => (&schema::APPLICATIONS, &tenant.applications),
        _ => return Err(GraphError::no_route(segment)),
    };
    if let [next, ..] = rest {
        return Err(GraphError::no_route(next));
    }
    let value = items
        .items()
        .iter()
        .find(|v| v.get("appId").and_then(Value::as_str).is_some_and(|a| a.eq_ignore_ascii_case(app_id)))
        .ok_or_else(|| GraphError::not_found(app_id))?;
    Ok(Resolved::Item { spec, row: Row::plain(value) })
}

const FILTER_BY_CURRENT_USER: &str = "filterByCurrentUser(on='principal')";

fn role_management<'t>(tenant: &'t Tenant, caller: &str, set: &str, rest: &[&str]) -> GraphResult<Resolved<'t>> {
    let (spec, items) = match set {
        "roleDefinitions" => (&schema::ROLE_DEFINITIONS, &tenant.role_definitions),
        "roleAssignments" => (&schema::ROLE_ASSIGNMENTS, &tenant.role_assignments),
        "roleEligibilityScheduleInstances" => {
            (&schema::ROLE_ELIGIBILITY_SCHEDULE_INSTANCES, &tenant.role_eligibility_schedule_instances)
        }
        "roleAssignmentScheduleInstances" => {
            (&schema::ROLE_ASSIGNMENT_SCHEDULE_INSTANCES, &tenant.role_assignment_schedule_instances)
        }
        "roleAssignmentScheduleRequests" => {
            (&schema::ROLE_ASSIGNMENT_SCHEDULE_REQUESTS, &tenant.role_assignment_schedule_requests)
        }
        other => return Err(GraphError::no_route(other)),
    };
    match rest {
        [FILTER_BY_CURRENT_USER] if set != "roleDefinitions" && set != "roleAssignments" => Ok(Resolved::List {
            spec,
            rows: items
                .items()
                .iter()
                .filter(|v| {
                    v.get("principalId").and_then(Value::as_str).is_some_and(|p| p.eq_ignore_ascii_case(caller))
                })
                .map(Row::plain)
                .collect(),
            mixed: false,
            shape: Shape::Page,
        }),
        _ => no_count(collection(spec, items, rest)),
    }
}
