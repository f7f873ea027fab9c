//! Directory role management: role definitions, active assignments, and the PIM schedules,
//! schedule instances and requests. Graph serves no `/$count` on them. `filterByCurrentUser`
//! is a route of its own; beta's `transitiveRoleAssignments` is computed (`versions.rs`). What a
//! schedule request does is PIM's business (`pim.rs`).

use crate::demo::tenant::{Collection, Tenant, roles};

use super::super::schema::{self, Spec, Words};
use super::{Action, EntitySet, READ_ONLY, READ_WRITE, Run, Source, Writes, field, pim};

const ELIGIBILITY_SCHEDULES: &str = "roleManagement/directory/roleEligibilitySchedules";
const ASSIGNMENT_SCHEDULES: &str = "roleManagement/directory/roleAssignmentSchedules";

/// What Graph filters PIM schedules on.
const SCHEDULE_FILTERABLE: Words =
    Words("id principalId roleDefinitionId directoryScopeId appScopeId status memberType assignmentType");

pub static SETS: &[EntitySet] = &[
    EntitySet {
        path: "roleManagement/directory/roleDefinitions",
        spec: &schema::ROLE_DEFINITIONS,
        source: field!(role_definitions),
        lookup: None,
        count_segment: false,
        navigations: &[],
        actions: &[],
        writes: READ_ONLY,
    },
    EntitySet {
        path: "roleManagement/directory/roleAssignments",
        spec: &schema::ROLE_ASSIGNMENTS,
        source: field!(role_assignments),
        lookup: None,
        count_segment: false,
        navigations: &[],
        actions: &[],
        // Assignments are created and removed, never changed.
        writes: Writes {
            update: false,
            required: Words("principalId roleDefinitionId directoryScopeId"),
            created_stamps: Words(""),
            ..READ_WRITE
        },
    },
    EntitySet {
        path: "roleManagement/directory/roleEligibilityScheduleInstances",
        spec: &schema::ROLE_ELIGIBILITY_SCHEDULE_INSTANCES,
        source: field!(role_eligibility_schedule_instances),
        lookup: None,
        count_segment: false,
        navigations: &[],
        actions: &[],
        writes: READ_ONLY,
    },
    EntitySet {
        path: "roleManagement/directory/roleAssignmentScheduleInstances",
        spec: &schema::ROLE_ASSIGNMENT_SCHEDULE_INSTANCES,
        source: field!(role_assignment_schedule_instances),
        lookup: None,
        count_segment: false,
        navigations: &[],
        actions: &[],
        writes: READ_ONLY,
    },
    EntitySet {
        path: "roleManagement/directory/roleAssignmentScheduleRequests",
        spec: &schema::ROLE_ASSIGNMENT_SCHEDULE_REQUESTS,
        source: field!(role_assignment_schedule_requests),
        lookup: None,
        count_segment: false,
        navigations: &[],
        // Withdraws a request still waiting for approval; Graph answers 204.
        actions: &[Action { name: "cancel", run: Run::Change { apply: pim::cancel_role_request, returns: "" } }],
        // A POST is a request to activate or deactivate a role, judged by PIM's rules.
        writes: Writes {
            create: true,
            read_only: Words("id status createdDateTime completedDateTime approvalId createdBy"),
            required: Words("action principalId roleDefinitionId directoryScopeId"),
            create_with: Some(pim::role_request),
            ..READ_ONLY
        },
    },
    EntitySet {
        path: ELIGIBILITY_SCHEDULES,
        spec: &Spec {
            type_name: "microsoft.graph.unifiedRoleEligibilitySchedule",
            entity_set: ELIGIBILITY_SCHEDULES,
            directory: false,
            properties: Words(
                "id principalId roleDefinitionId directoryScopeId appScopeId createdUsing createdDateTime \
                 modifiedDateTime status memberType scheduleInfo",
            ),
            default_properties: None,
            filterable: SCHEDULE_FILTERABLE,
            orderable: Words(""),
            searchable: Words(""),
            expandable: Words("principal roleDefinition"),
            max_top: 999,
        },
        source: Source::Generated(roles::role_eligibility_schedules),
        lookup: None,
        count_segment: false,
        navigations: &[],
        actions: &[],
        writes: READ_ONLY,
    },
    EntitySet {
        path: ASSIGNMENT_SCHEDULES,
        spec: &Spec {
            type_name: "microsoft.graph.unifiedRoleAssignmentSchedule",
            entity_set: ASSIGNMENT_SCHEDULES,
            directory: false,
            properties: Words(
                "id principalId roleDefinitionId directoryScopeId appScopeId createdUsing createdDateTime \
                 modifiedDateTime status assignmentType memberType scheduleInfo",
            ),
            default_properties: None,
            filterable: SCHEDULE_FILTERABLE,
            orderable: Words(""),
            searchable: Words(""),
            expandable: Words("principal roleDefinition"),
            max_top: 999,
        },
        source: Source::Generated(roles::role_assignment_schedules),
        lookup: None,
        count_segment: false,
        navigations: &[],
        actions: &[],
        writes: READ_ONLY,
    },
];
