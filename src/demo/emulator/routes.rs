//! Which Graph resource a path names. The registered entity sets (`sets/`) answer `{set}`,
//! `{set}/$count`, `{set}/{id}`, the navigations below an item (with type casts and `/$count`
//! on directory-object relationships, `$ref` where writable), the actions bound to an item and
//! those bound to the set (`riskyUsers/dismiss`).
//! The few paths that are not an entity set are written out here: `/me`, `servicePrincipals`
//! and `applications` by `appId`, the recycle bin, What-If, `directoryObjects/getByIds`, `filterByCurrentUser` (directory
//! roles and PIM for Groups), the authentication methods policy and the registration report's
//! summary functions; below an access review series, its area module
//! (`sets/governance_reviews.rs`) answers. Lifecycle workflows' own paths (versions by number,
//! report and insight functions, what hangs below a run) are answered first by
//! `sets/lifecycle.rs`.
//!
//! Resolution only finds the rows; `mod.rs` runs the query pipeline or the write on them.

use serde_json::Value;

use crate::demo::tenant::{DirectoryRef, ObjectKind, Tenant};

use super::errors::{GraphError, GraphResult};
use super::listing::{Row, Shape};
use super::schema::{self, Spec};
use super::sets::{self, Action, EntitySet, Navigation, Target};
use super::writes::AreaWrite;

/// What a path resolved to.
pub enum Resolved<'t> {
    List {
        spec: &'static Spec,
        rows: Vec<Row<'t>>,
        mixed: bool,
        shape: Shape,
        /// The set itself, when the path is `{set}` (where a POST creates an item).
        set: Option<&'static EntitySet>,
    },
    Item {
        spec: &'static Spec,
        row: Row<'t>,
        /// The set the item belongs to, when the path addresses it there (PATCH, DELETE).
        set: Option<&'static EntitySet>,
    },
    /// `POST {set}/{id}/{action}` for this item id.
    Action { set: &'static EntitySet, id: String, action: &'static Action },
    /// `POST {set}/{action}`, an action bound to the set (`riskyUsers/dismiss`).
    CollectionAction { set: &'static EntitySet, action: &'static Action },
    /// `{set}/{id}/{navigation}/$ref` (`member: None`) or `…/{member}/$ref`.
    Ref { set: &'static EntitySet, id: String, navigation: &'static Navigation, member: Option<String> },
    /// `POST /identity/conditionalAccess/evaluate`.
    Evaluate,
    /// `POST /directoryObjects/getByIds`.
    GetByIds,
    /// A function's answer, computed from the tenant (`usersRegisteredByMethod(…)`).
    Computed(Value),
    /// A function's answer as a collection, computed from the tenant (`versions.rs`).
    /// `filtered`: the rows already answer the `$filter` (checked, but not applied again).
    ComputedRows { spec: &'static Spec, rows: Vec<Value>, filtered: bool },
    /// A path an area serves below an item the registry's navigations do not reach (access
    /// review instances, their decisions, reviewers, stages and actions): what a GET reads, if
    /// anything, and the one write the path takes.
    Area { read: Option<Box<Resolved<'t>>>, write: Option<AreaWrite> },
}

const FILTER_BY_CURRENT_USER: &str = "filterByCurrentUser(on='principal')";

/// Resolves the segments after the version (`users`, `abc`, `memberOf`, …); `version` is
/// `v1.0` or `beta`, for what Graph serves on beta alone.
pub fn resolve<'t>(tenant: &'t Tenant, caller: &str, version: &str, segments: &[&str]) -> GraphResult<Resolved<'t>> {
    let beta = version == "beta";
    if let Some(resolved) = sets::lifecycle::route(tenant, segments) {
        return resolved;
    }
    match segments {
        ["me", rest @ ..] => {
            let users = sets::by_path("users").ok_or_else(|| GraphError::no_route("me"))?;
            let me = users.find(tenant, caller).ok_or_else(|| GraphError::not_found(caller))?;
            below_item(tenant, users, me, rest, beta)
        }
        ["policies", "authenticationMethodsPolicy"] => Ok(Resolved::Item {
            spec: if beta {
                &schema::AUTHENTICATION_METHODS_POLICY_BETA
            } else {
                &schema::AUTHENTICATION_METHODS_POLICY_V1
            },
            row: Row::plain(&tenant.authentication_methods_policy),
            set: None,
        }),
        ["reports", "authenticationMethods", function]
            if function.starts_with("usersRegisteredByMethod") || function.starts_with("usersRegisteredByFeature") =>
        {
            registration_summary(tenant, function)
        }
        [by_app_id, rest @ ..]
            if by_app_id.starts_with("servicePrincipals(") || by_app_id.starts_with("applications(") =>
        {
            alternate_key(tenant, by_app_id, rest)
        }
        ["directory", "deletedItems", rest @ ..] => deleted_items(tenant, rest),
        ["identity", "conditionalAccess", "evaluate"] => Ok(Resolved::Evaluate),
        ["directoryObjects", "getByIds"] => Ok(Resolved::GetByIds),
        ["policies", "authenticationStrengthPolicies", id, "usage"] => sets::ca_catalog::usage(tenant, id),
        ["identityGovernance", "accessReviews", "definitions", rest @ ..] if sets::governance_reviews::serves(rest) => {
            sets::governance_reviews::resolve(tenant, caller, rest)
        }
        [
            "roleManagement",
            "directory",
            set @ ("roleEligibilityScheduleInstances"
            | "roleAssignmentScheduleInstances"
            | "roleAssignmentScheduleRequests"),
            FILTER_BY_CURRENT_USER,
        ] => {
            let set =
                sets::by_path(&format!("roleManagement/directory/{set}")).ok_or_else(|| GraphError::no_route(set))?;
            let rows = set
                .rows(tenant)
                .into_iter()
                .filter(|row| {
                    row.item
                        .json()
                        .get("principalId")
                        .and_then(Value::as_str)
                        .is_some_and(|p| p.eq_ignore_ascii_case(caller))
                })
                .collect();
            Ok(Resolved::List { spec: set.spec, rows, mixed: false, shape: Shape::Page, set: None })
        }
        [
            "identityGovernance",
            "privilegedAccess",
            "group",
            set @ ("eligibilityScheduleInstances" | "assignmentScheduleInstances"),
            FILTER_BY_CURRENT_USER,
        ] => {
            let path = format!("identityGovernance/privilegedAccess/group/{set}");
            let set = sets::by_path(&path).ok_or_else(|| GraphError::no_route(set))?;
            Ok(Resolved::List {
                spec: set.spec,
                rows: of_caller(set, tenant, caller),
                mixed: false,
                shape: Shape::Page,
                set: None,
            })
        }
        _ => entity_set(tenant, segments, beta),
    }
}

/// The rows of a set whose `principalId` is the caller (`filterByCurrentUser(on='principal')`).
fn of_caller<'t>(set: &EntitySet, tenant: &'t Tenant, caller: &str) -> Vec<Row<'t>> {
    set.rows(tenant)
        .into_iter()
        .filter(|row| {
            row.item.json().get("principalId").and_then(Value::as_str).is_some_and(|p| p.eq_ignore_ascii_case(caller))
        })
        .collect()
}

/// `{set}`, `{set}/$count`, `{set}/{id}` and below.
fn entity_set<'t>(tenant: &'t Tenant, segments: &[&str], beta: bool) -> GraphResult<Resolved<'t>> {
    let (set, rest) = sets::lookup(segments).map_err(GraphError::no_route)?;
    match rest {
        [] => Ok(Resolved::List {
            spec: set.spec,
            rows: set.rows(tenant),
            mixed: false,
            shape: Shape::Page,
            set: Some(set),
        }),
        ["$count"] if set.count_segment => Ok(Resolved::List {
            spec: set.spec,
            rows: set.rows(tenant),
            mixed: false,
            shape: Shape::CountSegment,
            set: None,
        }),
        ["$count"] => Err(GraphError::no_route("$count")),
        [name] if set.collection_action(name).is_some() => {
            let action = set.collection_action(name).ok_or_else(|| GraphError::no_route(name))?;
            Ok(Resolved::CollectionAction { set, action })
        }
        [key, rest @ ..] => {
            // A path Graph does not serve is refused before the item is looked up.
            if let [next, ..] = rest
                && set.navigation(rest).is_none()
                && set.action(next).is_none()
            {
                return Err(GraphError::no_route(next));
            }
            let row = set.find(tenant, key).ok_or_else(|| GraphError::not_found(key))?;
            below_item(tenant, set, row, rest, beta)
        }
    }
}

/// The item itself, one of its navigations, or one of its actions.
fn below_item<'t>(
    tenant: &'t Tenant,
    set: &'static EntitySet,
    row: Row<'t>,
    rest: &[&str],
    beta: bool,
) -> GraphResult<Resolved<'t>> {
    let id = row.item.json().get("id").and_then(Value::as_str).unwrap_or_default().to_string();
    if rest.is_empty() {
        return Ok(Resolved::Item { spec: set.spec, row, set: Some(set) });
    }
    if let [name] = rest
        && let Some(action) = set.action(name)
    {
        return Ok(Resolved::Action { set, id, action });
    }
    let (navigation, rest) = set.navigation(rest).ok_or_else(|| GraphError::no_route(rest[0]))?;
    match &navigation.target {
        Target::Single(related) => {
            if let [next, ..] = rest {
                return Err(GraphError::no_route(next));
            }
            let (kind, value) = related(tenant, &id).ok_or_else(|| GraphError::not_found(navigation.path))?;
            Ok(Resolved::Item { spec: schema::of_kind(kind), row: Row::of_kind(value, kind), set: None })
        }
        Target::Object { spec, value, beta_only } => {
            if *beta_only && !beta {
                return Err(GraphError::no_route(navigation.path.rsplit('/').next().unwrap_or(navigation.path)));
            }
            if let [next, ..] = rest {
                return Err(GraphError::no_route(next));
            }
            let value = value(tenant, &id).ok_or_else(|| GraphError::not_found(navigation.path))?;
            Ok(Resolved::Item { spec, row: Row::plain(value), set: None })
        }
        Target::Contained { spec, rows } => {
            let items = rows(tenant, &id);
            match rest {
                [] => Ok(Resolved::List {
                    spec,
                    rows: items.iter().map(Row::plain).collect(),
                    mixed: false,
                    shape: Shape::Page,
                    set: None,
                }),
                [key] => items
                    .iter()
                    .find(|v| v.get("id").and_then(Value::as_str).is_some_and(|i| i.eq_ignore_ascii_case(key)))
                    .map(|value| Resolved::Item { spec, row: Row::plain(value), set: None })
                    .ok_or_else(|| GraphError::not_found(key)),
                [_, next, ..] => Err(GraphError::no_route(next)),
            }
        }
        Target::References { related, refs } => match rest {
            ["$ref"] if refs.is_some() => Ok(Resolved::Ref { set, id, navigation, member: None }),
            [member, "$ref"] if refs.is_some() => {
                Ok(Resolved::Ref { set, id, navigation, member: Some(member.to_string()) })
            }
            _ => references(tenant, related(tenant, &id), rest),
        },
    }
}

/// The recycle bin: listed per type (`microsoft.graph.user`, `microsoft.graph.group`), or one
/// object by id.
fn deleted_items<'t>(tenant: &'t Tenant, rest: &[&str]) -> GraphResult<Resolved<'t>> {
    let (spec, items, rest) = match rest {
        ["microsoft.graph.user", rest @ ..] => (&schema::USERS, &*tenant.deleted_users, rest),
        ["microsoft.graph.group", rest @ ..] => (&schema::GROUPS, &*tenant.deleted_groups, rest),
        [id] => {
            if let Some(user) = tenant.deleted_users.get(id) {
                return Ok(Resolved::Item {
                    spec: &schema::USERS,
                    row: Row::of_kind(user, ObjectKind::User),
                    set: None,
                });
            }
            let group = tenant.deleted_groups.get(id).ok_or_else(|| GraphError::not_found(id))?;
            return Ok(Resolved::Item {
                spec: &schema::GROUPS,
                row: Row::of_kind(group, ObjectKind::Group),
                set: None,
            });
        }
        [] => return Err(GraphError::bad_request(true, "A type cast such as microsoft.graph.user is required.")),
        [first, ..] => return Err(GraphError::no_route(first)),
    };
    let rows = || items.items().iter().map(Row::plain).collect();
    match rest {
        [] => Ok(Resolved::List { spec, rows: rows(), mixed: false, shape: Shape::Page, set: None }),
        ["$count"] => Ok(Resolved::List { spec, rows: rows(), mixed: false, shape: Shape::CountSegment, set: None }),
        [id] => {
            let row = items.get(id).map(Row::plain).ok_or_else(|| GraphError::not_found(id))?;
            Ok(Resolved::Item { spec, row, set: None })
        }
        [_, next, ..] => Err(GraphError::no_route(next)),
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
        set: None,
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
    Ok(Resolved::Item { spec, row: Row::plain(value), set: None })
}

/// `usersRegisteredByMethod(includedUserTypes='…',includedUserRoles='…')` and
/// `usersRegisteredByFeature(…)` over the registration report; a parameter left out means
/// `all`, a value Graph does not know is a 400.
fn registration_summary<'t>(tenant: &Tenant, function: &str) -> GraphResult<Resolved<'t>> {
    use crate::demo::tenant::authentication::summaries;
    let (name, arguments) = function.split_once('(').ok_or_else(|| GraphError::no_route(function))?;
    let arguments = arguments.strip_suffix(')').ok_or_else(|| GraphError::no_route(function))?;
    let (mut user_types, mut user_roles) = ("all".to_string(), "all".to_string());
    for argument in arguments.split(',').map(str::trim).filter(|a| !a.is_empty()) {
        let (key, value) = argument.split_once('=').ok_or_else(|| GraphError::no_route(function))?;
        let value = value.trim().trim_matches('\'').to_string();
        match key.trim() {
            "includedUserTypes" if ["all", "member", "guest"].contains(&value.as_str()) => user_types = value,
            "includedUserRoles" if ["all", "privilegedAdmin", "admin", "user"].contains(&value.as_str()) => {
                user_roles = value
            }
            other => {
                return Err(GraphError::bad_request(
                    false,
                    format!("Invalid value for parameter '{other}' of function '{name}'."),
                ));
            }
        }
    }
    let rows = tenant.user_registration_details.items();
    let value = match name {
        "usersRegisteredByMethod" => summaries::by_method(rows, &user_types, &user_roles),
        "usersRegisteredByFeature" => summaries::by_feature(rows, &user_types, &user_roles),
        _ => return Err(GraphError::no_route(name)),
    };
    Ok(Resolved::Computed(value))
}
