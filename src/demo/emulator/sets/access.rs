//! PIM for Groups schedule instances, and what hangs off a user beside groups and roles: the
//! app roles assigned to them, the delegated permissions they consented to, and the objects
//! they own (the last three are navigations of `users`, declared in `directory.rs`).
//!
//! Graph lists PIM for Groups instances only for one principal or one group: without a
//! `$filter` on `principalId` or `groupId` (`eq`) it answers 400, and so does the emulator.

use serde_json::Value;

use crate::demo::tenant::{DirectoryRef, ObjectKind, Tenant, pim_groups};
use crate::odata::{CmpOp, Expr};

use super::super::errors::{GraphError, GraphResult};
use super::super::query::QueryOptions;
use super::super::schema::{Spec, Words};
use super::{EntitySet, READ_ONLY, Source};

const ELIGIBILITY_INSTANCES: &str = "identityGovernance/privilegedAccess/group/eligibilityScheduleInstances";
const ASSIGNMENT_INSTANCES: &str = "identityGovernance/privilegedAccess/group/assignmentScheduleInstances";

pub static SETS: &[EntitySet] = &[
    EntitySet {
        path: ELIGIBILITY_INSTANCES,
        spec: &Spec {
            type_name: "microsoft.graph.privilegedAccessGroupEligibilityScheduleInstance",
            entity_set: ELIGIBILITY_INSTANCES,
            directory: false,
            properties: Words(
                "id principalId groupId accessId memberType startDateTime endDateTime eligibilityScheduleId",
            ),
            default_properties: None,
            filterable: Words("id principalId groupId accessId memberType eligibilityScheduleId"),
            orderable: Words(""),
            searchable: Words(""),
            expandable: Words("group principal"),
            max_top: 999,
        },
        source: Source::Generated(pim_groups::eligibility_schedule_instances),
        lookup: None,
        count_segment: false,
        navigations: &[],
        actions: &[],
        writes: READ_ONLY,
    },
    EntitySet {
        path: ASSIGNMENT_INSTANCES,
        spec: &Spec {
            type_name: "microsoft.graph.privilegedAccessGroupAssignmentScheduleInstance",
            entity_set: ASSIGNMENT_INSTANCES,
            directory: false,
            properties: Words(
                "id principalId groupId accessId memberType assignmentType startDateTime endDateTime \
                 assignmentScheduleId",
            ),
            default_properties: None,
            filterable: Words("id principalId groupId accessId memberType assignmentType assignmentScheduleId"),
            orderable: Words(""),
            searchable: Words(""),
            expandable: Words("group principal"),
            max_top: 999,
        },
        source: Source::Generated(pim_groups::assignment_schedule_instances),
        lookup: None,
        count_segment: false,
        navigations: &[],
        actions: &[],
        writes: READ_ONLY,
    },
];

/// `users/{id}/appRoleAssignments`.
pub static APP_ROLE_ASSIGNMENTS: Spec = Spec {
    type_name: "microsoft.graph.appRoleAssignment",
    entity_set: "users/appRoleAssignments",
    directory: false,
    properties: Words(
        "id appRoleId createdDateTime deletedDateTime principalDisplayName principalId principalType \
         resourceDisplayName resourceId",
    ),
    default_properties: None,
    filterable: Words("id appRoleId principalId principalType resourceId"),
    orderable: Words(""),
    searchable: Words(""),
    expandable: Words(""),
    max_top: 999,
};

/// `users/{id}/oauth2PermissionGrants`.
pub static OAUTH2_PERMISSION_GRANTS: Spec = Spec {
    type_name: "microsoft.graph.oAuth2PermissionGrant",
    entity_set: "users/oauth2PermissionGrants",
    directory: false,
    properties: Words("id clientId consentType principalId resourceId scope"),
    default_properties: None,
    filterable: Words("id clientId consentType principalId resourceId"),
    orderable: Words(""),
    searchable: Words(""),
    expandable: Words(""),
    max_top: 999,
};

/// The properties one of which a set's lists must be filtered on (`eq`), if it has any.
pub fn scope_properties(set: &EntitySet) -> Option<&'static [&'static str]> {
    matches!(set.path, ELIGIBILITY_INSTANCES | ASSIGNMENT_INSTANCES).then_some(&["groupId", "principalId"])
}

/// Refuses a list of a set that Graph lists only for one principal or group when the filter
/// does not say which.
pub fn check_scope_filter(set: &EntitySet, q: &QueryOptions) -> GraphResult<()> {
    let Some(properties) = scope_properties(set) else { return Ok(()) };
    if q.filter.as_ref().is_some_and(|f| scoped(f, properties)) {
        return Ok(());
    }
    Err(GraphError::bad_request(false, format!("The request requires a $filter on {} (eq).", properties.join(" or "))))
}

/// Whether the filter pins one of the properties with `eq`, alone or in an `and`.
fn scoped(filter: &Expr, properties: &[&str]) -> bool {
    match filter {
        Expr::Compare { path, op: CmpOp::Eq, .. } => {
            matches!(path.segments(), [single] if properties.contains(&single.as_str()))
        }
        Expr::And(a, b) => scoped(a, properties) || scoped(b, properties),
        _ => false,
    }
}

pub fn user_app_role_assignments<'t>(tenant: &'t Tenant, user_id: &str) -> &'t [Value] {
    tenant.user_app_role_assignments.get(user_id).map(Vec::as_slice).unwrap_or(&[])
}

pub fn user_oauth2_permission_grants<'t>(tenant: &'t Tenant, user_id: &str) -> &'t [Value] {
    tenant.user_oauth2_permission_grants.get(user_id).map(Vec::as_slice).unwrap_or(&[])
}

/// The groups and applications a user owns.
pub fn owned_objects(tenant: &Tenant, user_id: &str) -> Vec<DirectoryRef> {
    let owns = |owners: &[DirectoryRef]| owners.iter().any(|o| o.id.eq_ignore_ascii_case(user_id));
    let mut out: Vec<DirectoryRef> = tenant
        .groups
        .items()
        .iter()
        .filter_map(|g| g.get("id").and_then(Value::as_str))
        .filter(|id| tenant.group_owners.get(*id).is_some_and(|owners| owns(owners)))
        .map(|id| DirectoryRef::group(id.to_string()))
        .collect();
    out.extend(
        tenant
            .applications
            .items()
            .iter()
            .filter_map(|a| a.get("id").and_then(Value::as_str))
            .filter(|id| {
                tenant
                    .application_owners
                    .get(*id)
                    .is_some_and(|owners| owners.iter().any(|o| o.eq_ignore_ascii_case(user_id)))
            })
            .map(|id| DirectoryRef { kind: ObjectKind::Application, id: id.to_string() }),
    );
    out
}
