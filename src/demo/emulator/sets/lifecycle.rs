//! Lifecycle workflows (`/identityGovernance/lifecycleWorkflows`): workflows with their tasks,
//! versions, runs, per-user results and task reports; deleted workflows; the built-in task
//! definitions and templates; the settings; the report functions (`runs/summary(…)`,
//! `userProcessingResults/summary(…)`, `taskReports/summary(…)`) and the tenant-wide insights
//! (`insights/workflowsProcessedSummary(…)`, `topWorkflowsProcessedSummary(…)`,
//! `topTasksProcessedSummary(…)`), computed from the recorded runs; and `activate`, which runs a
//! workflow on demand for the users its body names.
//!
//! As in Graph, `mover` is an evolvable member of the category enum: without
//! `Prefer: include-unknown-enum-members` it reads `unknownFutureValue`. A workflow version is
//! addressed by its `versionNumber`, not an id. An on-demand run is recorded as completed at
//! once (Graph queues it and processes it within minutes); its tasks change nothing else in the
//! directory. The pass task fails for a user without a manager, as it does in Graph.

use std::sync::LazyLock;

use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

use crate::demo::tenant::lifecycle::{self, Failure, GENERATE_TAP, NO_MANAGER_FAILURE, Subject, WorkflowRecords};
use crate::demo::tenant::{ObjectKind, Tenant};

use super::super::errors::{GraphError, GraphResult};
use super::super::listing::{Ctx, Row, Shape, shape};
use super::super::query::Expand;
use super::super::routes::Resolved;
use super::super::schema::{self, Spec, Words};
use super::{Action, EntitySet, Navigation, READ_ONLY, Run, Source, Target};

pub const WORKFLOWS: &str = "identityGovernance/lifecycleWorkflows/workflows";
const DELETED_WORKFLOWS: &str = "identityGovernance/lifecycleWorkflows/deletedItems/workflows";
const TEMPLATES: &str = "identityGovernance/lifecycleWorkflows/workflowTemplates";
const TASK_DEFINITIONS: &str = "identityGovernance/lifecycleWorkflows/taskDefinitions";

const WORKFLOW_TYPE: &str = "microsoft.graph.identityGovernance.workflow";
const WORKFLOW_PROPERTIES: Words = Words(
    "id category displayName description isEnabled isSchedulingEnabled createdDateTime lastModifiedDateTime \
     deletedDateTime version nextScheduleRunDateTime executionConditions",
);
const WORKFLOW_FILTERABLE: Words = Words(
    "id category displayName isEnabled isSchedulingEnabled createdDateTime lastModifiedDateTime deletedDateTime \
     version nextScheduleRunDateTime",
);
const WORKFLOW_ORDERABLE: Words = Words(
    "id category displayName isEnabled isSchedulingEnabled createdDateTime lastModifiedDateTime deletedDateTime \
     version nextScheduleRunDateTime",
);

static WORKFLOW_SPEC: Spec = Spec {
    type_name: WORKFLOW_TYPE,
    entity_set: WORKFLOWS,
    directory: false,
    properties: WORKFLOW_PROPERTIES,
    default_properties: None,
    filterable: WORKFLOW_FILTERABLE,
    orderable: WORKFLOW_ORDERABLE,
    searchable: Words(""),
    expandable: Words("tasks createdBy lastModifiedBy"),
    max_top: 100,
};

static DELETED_WORKFLOW_SPEC: Spec =
    Spec { entity_set: DELETED_WORKFLOWS, expandable: Words("tasks"), ..WORKFLOW_SPEC };

static TASKS: Spec = Spec {
    type_name: "microsoft.graph.identityGovernance.task",
    entity_set: "identityGovernance/lifecycleWorkflows/workflows/tasks",
    directory: false,
    properties: Words(
        "id arguments category continueOnError description displayName executionSequence isEnabled taskDefinitionId",
    ),
    default_properties: None,
    filterable: Words("id category displayName isEnabled taskDefinitionId"),
    orderable: Words("displayName executionSequence"),
    searchable: Words(""),
    expandable: Words(""),
    max_top: 100,
};

static VERSIONS: Spec = Spec {
    type_name: "microsoft.graph.identityGovernance.workflowVersion",
    entity_set: "identityGovernance/lifecycleWorkflows/workflows/versions",
    directory: false,
    properties: Words(
        "versionNumber category displayName description isEnabled isSchedulingEnabled createdDateTime \
         lastModifiedDateTime executionConditions tasks",
    ),
    default_properties: None,
    filterable: Words("versionNumber category displayName createdDateTime lastModifiedDateTime"),
    orderable: Words("versionNumber createdDateTime lastModifiedDateTime"),
    searchable: Words(""),
    expandable: Words("tasks createdBy lastModifiedBy"),
    max_top: 100,
};

static RUNS: Spec = Spec {
    type_name: "microsoft.graph.identityGovernance.run",
    entity_set: "identityGovernance/lifecycleWorkflows/workflows/runs",
    directory: false,
    properties: Words(
        "id completedDateTime failedTasksCount failedUsersCount lastUpdatedDateTime processingStatus \
         scheduledDateTime startedDateTime successfulUsersCount totalTasksCount totalUnprocessedTasksCount \
         totalUsersCount workflowExecutionType",
    ),
    default_properties: None,
    filterable: Words(
        "id completedDateTime lastUpdatedDateTime processingStatus scheduledDateTime startedDateTime \
         workflowExecutionType",
    ),
    orderable: Words(
        "completedDateTime lastUpdatedDateTime processingStatus scheduledDateTime startedDateTime \
         workflowExecutionType",
    ),
    searchable: Words(""),
    expandable: Words(""),
    max_top: 100,
};

static USER_PROCESSING_RESULTS: Spec = Spec {
    type_name: "microsoft.graph.identityGovernance.userProcessingResult",
    entity_set: "identityGovernance/lifecycleWorkflows/workflows/userProcessingResults",
    directory: false,
    properties: Words(
        "id completedDateTime failedTasksCount processingStatus scheduledDateTime startedDateTime totalTasksCount \
         totalUnprocessedTasksCount workflowExecutionType workflowVersion subject",
    ),
    default_properties: None,
    filterable: Words(
        "id completedDateTime processingStatus scheduledDateTime startedDateTime workflowExecutionType subject/id",
    ),
    orderable: Words("id completedDateTime processingStatus scheduledDateTime startedDateTime workflowExecutionType"),
    searchable: Words(""),
    expandable: Words("subject taskProcessingResults"),
    max_top: 100,
};

static TASK_PROCESSING_RESULTS: Spec = Spec {
    type_name: "microsoft.graph.identityGovernance.taskProcessingResult",
    entity_set: "identityGovernance/lifecycleWorkflows/workflows/userProcessingResults/taskProcessingResults",
    directory: false,
    properties: Words(
        "id completedDateTime createdDateTime failureReason processingStatus startedDateTime subject task",
    ),
    default_properties: None,
    filterable: Words("id completedDateTime createdDateTime processingStatus startedDateTime"),
    orderable: Words("completedDateTime createdDateTime processingStatus startedDateTime"),
    searchable: Words(""),
    expandable: Words("subject task"),
    max_top: 100,
};

static TASK_REPORTS: Spec = Spec {
    type_name: "microsoft.graph.identityGovernance.taskReport",
    entity_set: "identityGovernance/lifecycleWorkflows/workflows/taskReports",
    directory: false,
    properties: Words(
        "id runId processingStatus successfulUsersCount failedUsersCount unprocessedUsersCount totalUsersCount \
         startedDateTime completedDateTime lastUpdatedDateTime",
    ),
    default_properties: None,
    filterable: Words(
        "id processingStatus successfulUsersCount failedUsersCount unprocessedUsersCount totalUsersCount \
         completedDateTime",
    ),
    orderable: Words(
        "id processingStatus successfulUsersCount failedUsersCount unprocessedUsersCount totalUsersCount \
         completedDateTime",
    ),
    searchable: Words(""),
    expandable: Words("task taskDefinition"),
    max_top: 100,
};

static SETTINGS: Spec = Spec {
    type_name: "microsoft.graph.identityGovernance.lifecycleManagementSettings",
    entity_set: "identityGovernance/lifecycleWorkflows/settings",
    directory: false,
    properties: Words("workflowScheduleIntervalInHours emailSettings"),
    default_properties: None,
    filterable: Words(""),
    orderable: Words(""),
    searchable: Words(""),
    expandable: Words(""),
    max_top: 1,
};

static TOP_WORKFLOWS: Spec = Spec {
    type_name: "microsoft.graph.identityGovernance.topWorkflowsInsightsSummary",
    entity_set: "Collection(microsoft.graph.identityGovernance.topWorkflowsInsightsSummary)",
    directory: false,
    properties: Words(
        "workflowId workflowDisplayName workflowCategory workflowVersion totalRuns successfulRuns failedRuns \
         scheduledRuns onDemandRuns totalUsers successfulUsers failedUsers",
    ),
    default_properties: None,
    filterable: Words(""),
    orderable: Words(""),
    searchable: Words(""),
    expandable: Words(""),
    max_top: 100,
};

static TOP_TASKS: Spec = Spec {
    type_name: "microsoft.graph.identityGovernance.topTasksInsightsSummary",
    entity_set: "Collection(microsoft.graph.identityGovernance.topTasksInsightsSummary)",
    directory: false,
    properties: Words(
        "taskDefinitionId taskDefinitionDisplayName totalTasks successfulTasks failedTasks totalUsers \
         successfulUsers failedUsers",
    ),
    default_properties: None,
    filterable: Words(""),
    orderable: Words(""),
    searchable: Words(""),
    expandable: Words(""),
    max_top: 100,
};

/// `activate`, bound to a workflow; Graph also answers it under its qualified name.
const ACTIVATE: Run = Run::WithBody { plan: plan_activate, apply: apply_activate };

pub static SETS: &[EntitySet] = &[
    EntitySet {
        path: WORKFLOWS,
        spec: &WORKFLOW_SPEC,
        source: Source::Generated(lifecycle::workflows),
        lookup: None,
        count_segment: false,
        navigations: &[
            Navigation { path: "tasks", target: Target::Contained { spec: &TASKS, rows: tasks } },
            Navigation { path: "versions", target: Target::Contained { spec: &VERSIONS, rows: versions } },
            Navigation { path: "runs", target: Target::Contained { spec: &RUNS, rows: runs } },
            Navigation {
                path: "userProcessingResults",
                target: Target::Contained { spec: &USER_PROCESSING_RESULTS, rows: user_processing_results },
            },
            Navigation { path: "taskReports", target: Target::Contained { spec: &TASK_REPORTS, rows: task_reports } },
        ],
        actions: &[
            Action { name: "activate", run: ACTIVATE },
            Action { name: "microsoft.graph.identityGovernance.activate", run: ACTIVATE },
        ],
        writes: READ_ONLY,
    },
    EntitySet {
        path: DELETED_WORKFLOWS,
        spec: &DELETED_WORKFLOW_SPEC,
        source: Source::Generated(lifecycle::deleted_workflows),
        lookup: None,
        count_segment: false,
        navigations: &[Navigation { path: "tasks", target: Target::Contained { spec: &TASKS, rows: tasks } }],
        actions: &[],
        writes: READ_ONLY,
    },
    EntitySet {
        path: TEMPLATES,
        spec: &Spec {
            type_name: "microsoft.graph.identityGovernance.workflowTemplate",
            entity_set: TEMPLATES,
            directory: false,
            properties: Words("id category description displayName executionConditions tasks"),
            default_properties: None,
            filterable: Words("id category displayName"),
            orderable: Words("id category displayName"),
            searchable: Words(""),
            expandable: Words("tasks"),
            max_top: 100,
        },
        source: Source::Generated(lifecycle::workflow_templates),
        lookup: None,
        count_segment: false,
        navigations: &[],
        actions: &[],
        writes: READ_ONLY,
    },
    EntitySet {
        path: TASK_DEFINITIONS,
        spec: &Spec {
            type_name: "microsoft.graph.identityGovernance.taskDefinition",
            entity_set: TASK_DEFINITIONS,
            directory: false,
            properties: Words("id category continueOnError description displayName parameters version"),
            default_properties: None,
            filterable: Words("id category displayName"),
            orderable: Words("category displayName"),
            searchable: Words(""),
            expandable: Words(""),
            max_top: 100,
        },
        source: Source::Generated(lifecycle::task_definitions),
        lookup: None,
        count_segment: false,
        navigations: &[],
        actions: &[],
        writes: READ_ONLY,
    },
];

fn records<'t>(tenant: &'t Tenant, workflow: &str) -> Option<&'t WorkflowRecords> {
    tenant.workflow_records.get(&workflow.to_ascii_lowercase())
}

fn tasks<'t>(tenant: &'t Tenant, workflow: &str) -> &'t [Value] {
    records(tenant, workflow).map(|r| r.tasks.as_slice()).unwrap_or(&[])
}

fn versions<'t>(tenant: &'t Tenant, workflow: &str) -> &'t [Value] {
    records(tenant, workflow).map(|r| r.versions.as_slice()).unwrap_or(&[])
}

fn runs<'t>(tenant: &'t Tenant, workflow: &str) -> &'t [Value] {
    records(tenant, workflow).map(|r| r.runs.as_slice()).unwrap_or(&[])
}

fn user_processing_results<'t>(tenant: &'t Tenant, workflow: &str) -> &'t [Value] {
    records(tenant, workflow).map(|r| r.user_processing_results.as_slice()).unwrap_or(&[])
}

fn task_reports<'t>(tenant: &'t Tenant, workflow: &str) -> &'t [Value] {
    records(tenant, workflow).map(|r| r.task_reports.as_slice()).unwrap_or(&[])
}

static SETTINGS_VALUE: LazyLock<Value> = LazyLock::new(lifecycle::settings);

/// The paths below `identityGovernance/lifecycleWorkflows` that are not a set, a navigation or
/// an item of one: the settings, the insight and summary functions, a version by number, and
/// what hangs below a run or a user's result. `None` for everything else.
pub fn route<'t>(tenant: &'t Tenant, segments: &[&str]) -> Option<GraphResult<Resolved<'t>>> {
    let ["identityGovernance", "lifecycleWorkflows", rest @ ..] = segments else {
        return None;
    };
    let list = |spec: &'static Spec, rows: &'t [Value]| Resolved::List {
        spec,
        rows: rows.iter().map(Row::plain).collect(),
        mixed: false,
        shape: Shape::Page,
        set: None,
    };
    Some(match rest {
        ["settings"] => Ok(Resolved::Item { spec: &SETTINGS, row: Row::plain(&SETTINGS_VALUE), set: None }),
        ["insights", function] => insights(tenant, function),
        ["workflows", id, collection @ ("runs" | "userProcessingResults" | "taskReports"), function]
            if function.starts_with("summary(") || *function == "summary" =>
        {
            summary(tenant, id, collection, function)
        }
        ["workflows", id, "versions", number, rest @ ..] => {
            let records = match records(tenant, id) {
                Some(records) => records,
                None => return Some(Err(GraphError::not_found(id))),
            };
            let version = number.parse::<i64>().ok().and_then(|n| {
                records.versions.iter().find(|v| v.get("versionNumber").and_then(Value::as_i64) == Some(n))
            });
            let Some(version) = version else {
                return Some(Err(GraphError::not_found(number)));
            };
            match rest {
                [] => Ok(Resolved::Item { spec: &VERSIONS, row: Row::plain(version), set: None }),
                ["tasks"] => {
                    let rows = version.get("tasks").and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[]);
                    Ok(list(&TASKS, rows))
                }
                [next, ..] => Err(GraphError::no_route(next)),
            }
        }
        ["workflows", id, "runs", run, "userProcessingResults"] => {
            let Some(records) = records(tenant, id) else {
                return Some(Err(GraphError::not_found(id)));
            };
            if !records.runs.iter().any(|r| id_is(r, run)) {
                return Some(Err(GraphError::not_found(run)));
            }
            let rows = records
                .user_processing_results
                .iter()
                .filter(|r| {
                    let result = r.get("id").and_then(Value::as_str).unwrap_or_default();
                    records.run_of_user_result.get(result).is_some_and(|of| of.eq_ignore_ascii_case(run))
                })
                .map(Row::plain)
                .collect();
            Ok(Resolved::List { spec: &USER_PROCESSING_RESULTS, rows, mixed: false, shape: Shape::Page, set: None })
        }
        ["workflows", id, "userProcessingResults", result, "taskProcessingResults"] => {
            let Some(records) = records(tenant, id) else {
                return Some(Err(GraphError::not_found(id)));
            };
            match records.task_processing_results.get(&result.to_ascii_lowercase()) {
                Some(rows) => Ok(list(&TASK_PROCESSING_RESULTS, rows)),
                None => Err(GraphError::not_found(result)),
            }
        }
        _ => return None,
    })
}

fn id_is(value: &Value, id: &str) -> bool {
    value.get("id").and_then(Value::as_str).is_some_and(|v| v.eq_ignore_ascii_case(id))
}

/// `name(startDateTime=…,endDateTime=…)`: the window a summary function covers. Both
/// parameters are required DateTimeOffset literals.
fn window(function: &str) -> GraphResult<(String, DateTime<Utc>, DateTime<Utc>)> {
    let invalid = |why: &str| GraphError::bad_request(false, format!("Invalid function call '{function}': {why}."));
    let (name, arguments) =
        function.split_once('(').ok_or_else(|| invalid("startDateTime and endDateTime are required"))?;
    let arguments = arguments.strip_suffix(')').ok_or_else(|| invalid("the parameter list is not closed"))?;
    let (mut start, mut end) = (None, None);
    for argument in arguments.split(',').map(str::trim).filter(|a| !a.is_empty()) {
        let (key, value) = argument.split_once('=').ok_or_else(|| invalid("a parameter has no value"))?;
        let value = value.trim().trim_matches('\'');
        let instant = DateTime::parse_from_rfc3339(value)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|_| invalid(&format!("'{value}' is not a DateTimeOffset")))?;
        match key.trim() {
            "startDateTime" => start = Some(instant),
            "endDateTime" => end = Some(instant),
            other => return Err(invalid(&format!("'{other}' is not a parameter of the function"))),
        }
    }
    match (start, end) {
        (Some(start), Some(end)) => Ok((name.to_string(), start, end)),
        _ => Err(invalid("startDateTime and endDateTime are required")),
    }
}

fn started(value: &Value) -> Option<DateTime<Utc>> {
    let text = value.get("startedDateTime").and_then(Value::as_str)?;
    DateTime::parse_from_rfc3339(text).ok().map(|t| t.with_timezone(&Utc))
}

fn within(value: &Value, start: DateTime<Utc>, end: DateTime<Utc>) -> bool {
    started(value).is_some_and(|t| t >= start && t <= end)
}

fn count(value: &Value, field: &str) -> i64 {
    value.get(field).and_then(Value::as_i64).unwrap_or(0)
}

fn is_failed(value: &Value) -> bool {
    matches!(value.get("processingStatus").and_then(Value::as_str), Some("failed" | "completedWithErrors"))
}

/// `runs/summary(…)`, `userProcessingResults/summary(…)` and `taskReports/summary(…)` of one
/// workflow.
fn summary<'t>(tenant: &'t Tenant, id: &str, collection: &str, function: &str) -> GraphResult<Resolved<'t>> {
    let records = records(tenant, id).ok_or_else(|| GraphError::not_found(id))?;
    let (_, start, end) = window(function)?;
    let value = match collection {
        "runs" => {
            let runs: Vec<&Value> = records.runs.iter().filter(|r| within(r, start, end)).collect();
            let failed = runs.iter().filter(|r| is_failed(r)).count();
            json!({
                "@odata.type": "#microsoft.graph.identityGovernance.runSummary",
                "failedRuns": failed,
                "failedTasks": runs.iter().map(|r| count(r, "failedTasksCount")).sum::<i64>(),
                "successfulRuns": runs.len() - failed,
                "totalRuns": runs.len(),
                "totalTasks": runs.iter().map(|r| count(r, "totalTasksCount")).sum::<i64>(),
                "totalUsers": runs.iter().map(|r| count(r, "totalUsersCount")).sum::<i64>(),
            })
        }
        "userProcessingResults" => {
            let users: Vec<&Value> = records.user_processing_results.iter().filter(|r| within(r, start, end)).collect();
            let failed = users.iter().filter(|r| is_failed(r)).count();
            json!({
                "@odata.type": "#microsoft.graph.identityGovernance.userSummary",
                "failedTasks": users.iter().map(|r| count(r, "failedTasksCount")).sum::<i64>(),
                "failedUsers": failed,
                "successfulUsers": users.len() - failed,
                "totalTasks": users.iter().map(|r| count(r, "totalTasksCount")).sum::<i64>(),
                "totalUsers": users.len(),
            })
        }
        _ => {
            let reports: Vec<&Value> = records.task_reports.iter().filter(|r| within(r, start, end)).collect();
            let sum = |field: &str| reports.iter().map(|r| count(r, field)).sum::<i64>();
            json!({
                "@odata.type": "#microsoft.graph.identityGovernance.taskReportSummary",
                "failedTasks": sum("failedUsersCount"),
                "successfulTasks": sum("successfulUsersCount"),
                "totalTasks": sum("totalUsersCount"),
                "unprocessedTasks": sum("unprocessedUsersCount"),
            })
        }
    };
    Ok(Resolved::Computed(value))
}

/// The live workflows (not the deleted ones), with their records.
fn live_workflows(tenant: &Tenant) -> impl Iterator<Item = (&Value, &WorkflowRecords)> {
    tenant
        .generated(WORKFLOWS)
        .map(|c| c.items())
        .unwrap_or(&[])
        .iter()
        .filter_map(|w| Some((w, records(tenant, w.get("id")?.as_str()?)?)))
}

/// How one built-in task fared across the runs of a window.
struct TaskTally {
    id: String,
    name: String,
    total: i64,
    failed: i64,
    users: Vec<String>,
    failed_users: Vec<String>,
}

impl TaskTally {
    fn new(id: &str) -> TaskTally {
        let name = lifecycle::definition(id).map(|d| d.0).unwrap_or_default().to_string();
        TaskTally { id: id.to_string(), name, total: 0, failed: 0, users: Vec::new(), failed_users: Vec::new() }
    }

    fn add(&mut self, user: &str, failed: bool) {
        self.total += 1;
        if !self.users.iter().any(|u| u == user) {
            self.users.push(user.to_string());
        }
        if failed {
            self.failed += 1;
            if !self.failed_users.iter().any(|u| u == user) {
                self.failed_users.push(user.to_string());
            }
        }
    }

    fn json(&self) -> Value {
        json!({
            "taskDefinitionId": self.id,
            "taskDefinitionDisplayName": self.name,
            "totalTasks": self.total,
            "successfulTasks": self.total - self.failed,
            "failedTasks": self.failed,
            "totalUsers": self.users.len(),
            "successfulUsers": self.users.len() - self.failed_users.len(),
            "failedUsers": self.failed_users.len(),
        })
    }
}

/// The tenant-wide insight functions.
fn insights<'t>(tenant: &'t Tenant, function: &str) -> GraphResult<Resolved<'t>> {
    let (name, start, end) = window(function)?;
    match name.as_str() {
        "workflowsProcessedSummary" => {
            let (mut runs, mut failed_runs, mut users, mut failed_users, mut tasks, mut failed_tasks) =
                (0, 0, 0, 0, 0, 0);
            for (_, records) in live_workflows(tenant) {
                for run in records.runs.iter().filter(|r| within(r, start, end)) {
                    runs += 1;
                    failed_runs += usize::from(is_failed(run));
                    users += count(run, "totalUsersCount");
                    failed_users += count(run, "failedUsersCount");
                    tasks += count(run, "totalTasksCount") - count(run, "totalUnprocessedTasksCount");
                    failed_tasks += count(run, "failedTasksCount");
                }
            }
            Ok(Resolved::Computed(json!({
                "@odata.type": "#microsoft.graph.identityGovernance.workflowsInsightsSummary",
                "totalRuns": runs,
                "successfulRuns": runs - failed_runs,
                "failedRuns": failed_runs,
                "totalUsers": users,
                "successfulUsers": users - failed_users,
                "failedUsers": failed_users,
                "totalTasks": tasks,
                "successfulTasks": tasks - failed_tasks,
                "failedTasks": failed_tasks,
            })))
        }
        "topWorkflowsProcessedSummary" => {
            let mut rows: Vec<Value> = live_workflows(tenant)
                .filter_map(|(workflow, records)| {
                    let runs: Vec<&Value> = records.runs.iter().filter(|r| within(r, start, end)).collect();
                    if runs.is_empty() {
                        return None;
                    }
                    let failed = runs.iter().filter(|r| is_failed(r)).count();
                    let on_demand = runs.iter().filter(|r| r["workflowExecutionType"] == "onDemand").count();
                    let users = runs.iter().map(|r| count(r, "totalUsersCount")).sum::<i64>();
                    let failed_users = runs.iter().map(|r| count(r, "failedUsersCount")).sum::<i64>();
                    Some(json!({
                        "workflowId": workflow.get("id"),
                        "workflowDisplayName": workflow.get("displayName"),
                        "workflowCategory": workflow.get("category"),
                        "workflowVersion": workflow.get("version"),
                        "totalRuns": runs.len(),
                        "successfulRuns": runs.len() - failed,
                        "failedRuns": failed,
                        "scheduledRuns": runs.len() - on_demand,
                        "onDemandRuns": on_demand,
                        "totalUsers": users,
                        "successfulUsers": users - failed_users,
                        "failedUsers": failed_users,
                    }))
                })
                .collect();
            rows.sort_by_key(|r| std::cmp::Reverse(count(r, "totalUsers")));
            Ok(Resolved::ComputedRows { spec: &TOP_WORKFLOWS, rows, filtered: false })
        }
        "topTasksProcessedSummary" => {
            let mut by_definition: Vec<TaskTally> = Vec::new();
            for (_, records) in live_workflows(tenant) {
                for result in records.user_processing_results.iter().filter(|r| within(r, start, end)) {
                    let id = result.get("id").and_then(Value::as_str).unwrap_or_default();
                    let user = result["subject"]["id"].as_str().unwrap_or_default();
                    for task in records.task_processing_results.get(id).into_iter().flatten() {
                        let status = task.get("processingStatus").and_then(Value::as_str).unwrap_or_default();
                        if status == "canceled" {
                            continue;
                        }
                        let definition = task["task"]["taskDefinitionId"].as_str().unwrap_or_default();
                        let position = match by_definition.iter().position(|t| t.id == definition) {
                            Some(i) => i,
                            None => {
                                by_definition.push(TaskTally::new(definition));
                                by_definition.len() - 1
                            }
                        };
                        by_definition[position].add(user, status == "failed");
                    }
                }
            }
            by_definition.sort_by(|a, b| b.total.cmp(&a.total).then_with(|| a.name.cmp(&b.name)));
            let rows = by_definition.iter().map(TaskTally::json).collect();
            Ok(Resolved::ComputedRows { spec: &TOP_TASKS, rows, filtered: false })
        }
        _ => Err(GraphError::no_route(function)),
    }
}

/// `$expand` of a lifecycle workflow's navigation properties: the tasks of a workflow (a
/// version or template carries its own), who created or last changed it, the user a result is
/// about, the task results of a user's result, and the task (and its definition) a report is
/// about. `None` when the item has nothing of that name.
pub fn expand(ctx: &Ctx<'_>, item: &Value, how: &Expand) -> Option<Value> {
    let tenant = ctx.tenant;
    let id = item.get("id").and_then(Value::as_str).unwrap_or_default();
    let user = |user_id: &str| {
        let value = tenant.user(user_id)?;
        Some(shape(ctx, &schema::USERS, value, Some(ObjectKind::User), how.select.as_deref(), &[], false))
    };
    match how.property.as_str() {
        "tasks" => item.get("tasks").cloned().or_else(|| records(tenant, id).map(|r| Value::from(r.tasks.clone()))),
        "createdBy" => records(tenant, id).and_then(|r| user(&r.created_by)),
        "lastModifiedBy" => records(tenant, id).and_then(|r| user(&r.last_modified_by)),
        "subject" => user(item.get("subject")?.get("id")?.as_str()?),
        "taskProcessingResults" => tenant
            .workflow_records
            .values()
            .find_map(|r| r.task_processing_results.get(&id.to_ascii_lowercase()))
            .map(|rows| Value::from(rows.clone())),
        "task" => item
            .get("task")
            .cloned()
            .or_else(|| tenant.workflow_records.values().find_map(|r| r.task_of_report.get(id)).cloned()),
        "taskDefinition" => {
            let task = tenant.workflow_records.values().find_map(|r| r.task_of_report.get(id))?;
            let definition = task.get("taskDefinitionId")?.as_str()?;
            tenant.generated(TASK_DEFINITIONS)?.get(definition).cloned()
        }
        _ => None,
    }
}

/// The lifecycle types whose category Graph serves as an evolvable enum.
const CATEGORISED: &[&str] = &[
    WORKFLOW_TYPE,
    "microsoft.graph.identityGovernance.workflowVersion",
    "microsoft.graph.identityGovernance.workflowTemplate",
    "microsoft.graph.identityGovernance.taskDefinition",
    "microsoft.graph.identityGovernance.task",
    "microsoft.graph.identityGovernance.topWorkflowsInsightsSummary",
];

/// `mover` was added to the category enum after `unknownFutureValue`: without
/// `Prefer: include-unknown-enum-members` Graph names it `unknownFutureValue`.
pub fn evolvable_category(ctx: &Ctx<'_>, spec: &Spec, out: &mut Map<String, Value>) {
    if ctx.prefer_unknown_enum_members || !CATEGORISED.contains(&spec.type_name) {
        return;
    }
    for field in ["category", "workflowCategory"] {
        if let Some(category) = out.get_mut(field)
            && category.as_str().is_some_and(|c| c.split(',').any(|m| m.trim() == "mover"))
        {
            *category = Value::from("unknownFutureValue");
        }
    }
}

/// Checks an `activate` body as Graph does before anything runs: `subjects`, one to many
/// users of this tenant by id, and an enabled workflow. Returns the subjects' ids.
fn plan_activate(tenant: &Tenant, id: &str, body: &[u8]) -> GraphResult<Value> {
    let workflow = tenant.generated(WORKFLOWS).and_then(|c| c.get(id)).ok_or_else(|| GraphError::not_found(id))?;
    let body: Map<String, Value> = match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => map,
        _ => return Err(GraphError::bad_request(false, "The request body must be a JSON object.")),
    };
    if let Some(other) = body.keys().find(|k| *k != "subjects" && !k.starts_with("@odata.")) {
        return Err(GraphError::bad_request(
            false,
            format!(
                "The parameter '{other}' in the request payload is not a valid parameter for the operation 'activate'."
            ),
        ));
    }
    let Some(Value::Array(subjects)) = body.get("subjects") else {
        return Err(GraphError::bad_request(
            false,
            "The parameter 'subjects' is required and must be a collection of users.",
        ));
    };
    if subjects.is_empty() {
        return Err(GraphError::bad_request(false, "The parameter 'subjects' must name at least one user."));
    }
    let mut ids: Vec<String> = Vec::new();
    for subject in subjects {
        let given = subject.get("id").and_then(Value::as_str).unwrap_or_default();
        let user = tenant.users.get(given).and_then(|u| u.get("id").and_then(Value::as_str)).ok_or_else(|| {
            GraphError::bad_request(false, format!("Invalid subject '{given}': no user has this id."))
        })?;
        if !ids.iter().any(|i| i.eq_ignore_ascii_case(user)) {
            ids.push(user.to_string());
        }
    }
    if workflow.get("isEnabled").and_then(Value::as_bool) != Some(true) {
        return Err(GraphError::bad_request(
            false,
            format!(
                "The workflow '{}' is disabled; enable it before running it on demand.",
                workflow.get("displayName").and_then(Value::as_str).unwrap_or(id)
            ),
        ));
    }
    Ok(json!({ "subjects": ids }))
}

/// Records the on-demand run `activate` started at `at`.
fn apply_activate(tenant: &mut Tenant, id: &str, planned: &Value, at: &str) -> GraphResult<()> {
    let version = tenant
        .generated(WORKFLOWS)
        .and_then(|c| c.get(id))
        .and_then(|w| w.get("version").and_then(Value::as_i64))
        .ok_or_else(|| GraphError::not_found(id))?;
    let users: Vec<String> = planned
        .get("subjects")
        .and_then(Value::as_array)
        .map(|s| s.iter().filter_map(Value::as_str).map(str::to_string).collect())
        .unwrap_or_default();
    // The pass goes to the manager; without one, that task fails as it does in Graph.
    let subjects: Vec<Subject<'_>> = users
        .iter()
        .map(|user| Subject {
            user_id: user.clone(),
            failure: (!tenant.managers.contains_key(user))
                .then_some(Failure { definition: GENERATE_TAP, reason: NO_MANAGER_FAILURE }),
        })
        .collect();
    let run = lifecycle::run_id(id, &format!("on-demand/{at}/{}", users.join(",")));
    let records = std::sync::Arc::make_mut(&mut tenant.workflow_records)
        .get_mut(&id.to_ascii_lowercase())
        .ok_or_else(|| GraphError::not_found(id))?;
    records.record_run(&run, "onDemand", at, version, &subjects);
    Ok(())
}

#[cfg(test)]
mod tests {
    use reqwest::StatusCode;
    use serde_json::{Value, json};

    use super::super::super::tests::{Client, send, start};
    use crate::demo::tenant::lifecycle::{MOVE_NOTIFICATIONS, OFFBOARD_LEAVERS, ONBOARD_NEW_HIRES, workflow_id};
    use crate::demo::tenant::story;

    const LW: &str = "/v1.0/identityGovernance/lifecycleWorkflows";
    /// The week before the emulator tests' pinned anchor (2026-11-20T12:00:00Z).
    const WEEK: &str = "(startDateTime=2026-11-13T12:00:00Z,endDateTime=2026-11-20T12:00:00Z)";

    #[tokio::test]
    async fn mover_reads_as_unknown_future_value_unless_preferred() {
        let graph = start().await;
        let client = Client::new(&graph);
        let mover = workflow_id(MOVE_NOTIFICATIONS);
        let (status, plain) = client.json(&format!("{LW}/workflows/{mover}?$select=id,category")).await;
        assert_eq!(status, StatusCode::OK, "{plain}");
        assert_eq!(plain["category"], "unknownFutureValue");
        let (_, preferred) =
            send(client.get(&format!("{LW}/workflows/{mover}")).header("Prefer", "include-unknown-enum-members")).await;
        assert_eq!(preferred["category"], "mover");
        assert!(preferred.get("tasks").is_none(), "tasks are a navigation: {preferred}");
        let (_, expanded) =
            client.json(&format!("{LW}/workflows/{mover}?$expand=tasks,lastModifiedBy($select=displayName)")).await;
        assert_eq!(expanded["tasks"].as_array().map(Vec::len), Some(2), "{expanded}");
        assert_eq!(expanded["lastModifiedBy"]["displayName"], "Elena Petrova");
    }

    #[tokio::test]
    async fn versions_are_addressed_by_number_and_summaries_by_window() {
        let graph = start().await;
        let client = Client::new(&graph);
        let mover = workflow_id(MOVE_NOTIFICATIONS);
        let (status, v1) = client.json(&format!("{LW}/workflows/{mover}/versions/1?$expand=tasks")).await;
        assert_eq!(status, StatusCode::OK, "{v1}");
        assert_eq!(v1["tasks"].as_array().map(Vec::len), Some(1));
        let (status, _) = client.json(&format!("{LW}/workflows/{mover}/versions/9")).await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        let onboard = workflow_id(ONBOARD_NEW_HIRES);
        let (status, runs) = client.json(&format!("{LW}/workflows/{onboard}/runs/summary{WEEK}")).await;
        assert_eq!(status, StatusCode::OK, "{runs}");
        assert_eq!(runs["totalRuns"], 8);
        assert_eq!(runs["failedRuns"], 1);
        let (_, tasks) = client.json(&format!("{LW}/workflows/{onboard}/taskReports/summary{WEEK}")).await;
        assert_eq!(tasks["failedTasks"], 2);
        let (_, users) = client.json(&format!("{LW}/workflows/{onboard}/userProcessingResults/summary{WEEK}")).await;
        assert_eq!(users["failedUsers"], 2);
        let (status, error) =
            client.json(&format!("{LW}/workflows/{onboard}/runs/summary(startDateTime=2026-11-13T12:00:00Z)")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "both parameters are required: {error}");

        let (_, top) = client.json(&format!("{LW}/insights/topTasksProcessedSummary{WEEK}")).await;
        assert_eq!(top["value"][0]["failedTasks"], 2, "{top}");
        let (_, all) = client.json(&format!("{LW}/insights/workflowsProcessedSummary{WEEK}")).await;
        assert_eq!(all["failedUsers"], 2, "{all}");
    }

    #[tokio::test]
    async fn activate_records_an_on_demand_run_for_the_subjects() {
        let graph = start().await;
        let client = Client::new(&graph);
        let offboard = workflow_id(OFFBOARD_LEAVERS);
        let activate = format!("{}{LW}/workflows/{offboard}/activate", client.base);
        let post = |body: Value| client.http.post(&activate).bearer_auth("x").json(&body);

        for bad in [json!({}), json!({"subjects": []}), json!({"subjects": [{"id": "nobody"}]}), json!({"users": []})] {
            let (status, body) = send(post(bad.clone())).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
        }
        let disabled = workflow_id(crate::demo::tenant::lifecycle::DELETE_AFTER_30_DAYS);
        let response = client
            .http
            .post(format!("{}{LW}/workflows/{disabled}/activate", client.base))
            .bearer_auth("x")
            .json(&json!({"subjects": [{"id": story::user_id("frank.li")}]}))
            .send()
            .await
            .expect("response");
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "a disabled workflow does not run");
        assert_eq!(graph.writes_applied(), 0);

        let frank = story::user_id("frank.li");
        let response = post(json!({"subjects": [{"id": frank}]})).send().await.expect("response");
        assert_eq!(response.status(), StatusCode::NO_CONTENT);
        assert_eq!(graph.writes_applied(), 1);
        let (_, runs) = client
            .json(&format!("{LW}/workflows/{offboard}/runs?$filter=workflowExecutionType%20eq%20'onDemand'"))
            .await;
        let run = runs["value"][0]["id"].as_str().expect("the on-demand run").to_string();
        assert_eq!(runs["value"][0]["totalUsersCount"], 1);
        let (_, results) = client
            .json(&format!("{LW}/workflows/{offboard}/runs/{run}/userProcessingResults?$expand=subject($select=displayName),taskProcessingResults"))
            .await;
        assert_eq!(results["value"][0]["subject"]["displayName"], "Frank Li", "{results}");
        assert_eq!(results["value"][0]["taskProcessingResults"].as_array().map(Vec::len), Some(3));
    }
}
