//! Lifecycle workflows (Microsoft Entra ID Governance): the bank's joiner, mover and leaver
//! workflows with their versions, tasks, a week of daily runs and what each run did for each
//! user; the built-in task definitions and workflow templates (Graph's own ids and names); the
//! tenant's settings; and one deleted workflow.
//!
//! The story:
//! - *Onboard new hires* (joiner, two days before `employeeHireDate`) generates a Temporary
//!   Access Pass for the manager, sends the welcome email and adds the starter to *New Hires*.
//!   Yesterday it went through for Owen Price; three days ago it failed for Ravi Kumar and Sara
//!   Lindgren, who had no manager to send the pass to, and the tasks after it were skipped.
//!   Sara has a manager now, and an on-demand run two days ago went through for her.
//! - *Department move notifications* (mover, on a change of `department`) has two versions:
//!   version 2 narrowed the scope to employees, copies HR on the manager's email and removes the
//!   mover from *Finance App Users*. It processed Yuki Tanaka and Arjun Mehta this week.
//! - *Offboard leavers* (leaver, on `employeeLeaveDateTime`) disables the account and removes
//!   groups and licences. It was set up eight days ago — after the leavers of the last months,
//!   whose disabled accounts still hold groups and licences — and reaches Lucas Silva, who
//!   leaves in three days.
//! - *Delete leaver accounts after 30 days* is disabled while Legal settles retention.
//! - *Onboard contractors* was deleted nine days ago and can be restored for 21 more days.
//!
//! Scheduled runs are daily (the settings' interval is 24 hours), including the days nobody
//! was due. A workflow's tasks, versions, runs, per-user results and task reports are kept
//! beside its row ([`WorkflowRecords`]), the way Graph serves them below the workflow.

use std::collections::HashMap;

use chrono::Duration;
use serde_json::{Value, json};

use super::clock::Clock;
use super::groups::{FINANCE_APP_USERS, NEW_HIRES};
use super::people::member_id;
use super::{Generation, ids};

pub const ONBOARD_NEW_HIRES: &str = "Onboard new hires";
pub const MOVE_NOTIFICATIONS: &str = "Department move notifications";
pub const OFFBOARD_LEAVERS: &str = "Offboard leavers";
pub const DELETE_AFTER_30_DAYS: &str = "Delete leaver accounts after 30 days";
pub const DELETED_WORKFLOW: &str = "Onboard contractors";

// The built-in task definitions, by Graph's ids.
pub const SEND_WELCOME_EMAIL: &str = "70b29d51-b59a-4773-9280-8841dfd3f2ea";
pub const SEND_ONBOARDING_REMINDER: &str = "3c860712-2d37-42a4-928f-5c93935d26a1";
pub const GENERATE_TAP: &str = "1b555e50-7f65-41d5-b514-5894a026d10d";
pub const ADD_TO_GROUPS: &str = "22085229-5809-45e8-97fd-270d28d66910";
pub const ADD_TO_TEAMS: &str = "e440ed8d-25a1-4618-84ce-091ed5be5594";
pub const ENABLE_ACCOUNT: &str = "6fc52c9d-398b-4305-9763-15f42c1676fc";
pub const RUN_CUSTOM_EXTENSION: &str = "4262b724-8dba-4fad-afc3-43fcbb497a0e";
pub const DISABLE_ACCOUNT: &str = "1dfdfcc7-52fa-4c2e-bf3a-e3919cc12950";
pub const REMOVE_FROM_SELECTED_GROUPS: &str = "1953a66c-751c-45e5-8bfe-01462c70da3c";
pub const REMOVE_FROM_ALL_GROUPS: &str = "b3a31406-2a15-4c9a-b25b-a658fa5f07fc";
pub const REMOVE_FROM_SELECTED_TEAMS: &str = "06aa7acb-01af-4824-8899-b14e5ed788d6";
pub const REMOVE_FROM_ALL_TEAMS: &str = "81f7b200-2816-4b3b-8c5d-dc556f07b024";
pub const REMOVE_ALL_LICENSES: &str = "8fa97d28-3e52-4985-b3a9-a1126f9b8b4e";
pub const DELETE_USER: &str = "8d18588d-9ad3-4c0f-99d0-ec215f0e3dff";
pub const NOTIFY_MANAGER_OF_MOVE: &str = "aab41899-9972-422a-9d97-f626014578b7";
pub const EMAIL_BEFORE_LAST_DAY: &str = "52853a3e-f4e5-4eb8-bb24-1ac09a1da935";
pub const EMAIL_ON_LAST_DAY: &str = "9c0a1eaf-5bda-4392-9d9e-6e155bb57411";
pub const EMAIL_AFTER_LAST_DAY: &str = "6f22ddd4-b3a5-47a4-a846-0d7c201a49ce";
pub const REQUEST_ACCESS_PACKAGE: &str = "c1ec1e76-f374-4375-aaa6-0bb6bd4c60be";
pub const REMOVE_ACCESS_PACKAGE: &str = "4a0b64f2-c7ec-46ba-b117-18f262946c50";
pub const REMOVE_ALL_ACCESS_PACKAGES: &str = "42ae2956-193d-4f39-be06-691b8ac4fa1d";
pub const CANCEL_ACCESS_PACKAGE_REQUESTS: &str = "498770d9-bab7-4e4c-b73d-5ded82a1d0b3";

/// Why the pass task fails for a starter without a manager (the pass goes to the manager).
pub const NO_MANAGER_FAILURE: &str = "The user has no manager, so the Temporary Access Pass could not be sent. Assign a manager and run the workflow again.";

/// A built-in task definition: id, display name, description, categories, parameters.
type DefinitionRow = (&'static str, &'static str, &'static str, &'static str, &'static [&'static str]);

const EMAIL_PARAMETERS: &[&str] = &["cc", "customSubject", "customBody", "locale", "to"];

const DEFINITIONS: &[DefinitionRow] = &[
    (
        SEND_WELCOME_EMAIL,
        "Send welcome email to new hire",
        "Send welcome email to new hire",
        "joiner",
        EMAIL_PARAMETERS,
    ),
    (
        SEND_ONBOARDING_REMINDER,
        "Send onboarding reminder email",
        "Send onboarding reminder email to user's manager",
        "joiner",
        EMAIL_PARAMETERS,
    ),
    (
        GENERATE_TAP,
        "Generate Temporary Access Pass and send via email to user's manager",
        "Generate Temporary Access Pass and send via email to user's manager",
        "joiner",
        &["tapLifetimeMinutes", "tapIsUsableOnce", "cc", "customSubject", "customBody", "locale"],
    ),
    (ADD_TO_GROUPS, "Add user to groups", "Add user to selected groups", "joiner,leaver,mover", &["groupID"]),
    (ADD_TO_TEAMS, "Add user to teams", "Add user to selected Teams", "joiner,leaver,mover", &["teamID"]),
    (
        ENABLE_ACCOUNT,
        "Enable user account",
        "Enable user account in the directory",
        "joiner,leaver",
        &["enableOnPremisesAccount"],
    ),
    (
        RUN_CUSTOM_EXTENSION,
        "Run a custom task extension",
        "Run a custom task extension to call out to an external system",
        "joiner,leaver,mover",
        &["customTaskExtensionID"],
    ),
    (
        DISABLE_ACCOUNT,
        "Disable user account",
        "Disable user account in the directory",
        "joiner,leaver",
        &["disableOnPremisesAccount"],
    ),
    (
        REMOVE_FROM_SELECTED_GROUPS,
        "Remove user from selected groups",
        "Remove user from membership of selected groups",
        "joiner,leaver,mover",
        &["groupID"],
    ),
    (REMOVE_FROM_ALL_GROUPS, "Remove user from all groups", "Remove user from all group memberships", "leaver", &[]),
    (
        REMOVE_FROM_SELECTED_TEAMS,
        "Remove user from selected Teams",
        "Remove user from membership of selected Teams",
        "joiner,leaver,mover",
        &["teamID"],
    ),
    (REMOVE_FROM_ALL_TEAMS, "Remove user from all Teams", "Remove user from all Teams memberships", "leaver", &[]),
    (REMOVE_ALL_LICENSES, "Remove all licenses for user", "Remove all licenses assigned to the user", "leaver", &[]),
    (DELETE_USER, "Delete user", "Delete user account in the directory", "leaver", &["deleteOnPremisesAccount"]),
    (
        NOTIFY_MANAGER_OF_MOVE,
        "Send email to notify manager of user move",
        "Send email to notify the user's manager of the move",
        "mover",
        EMAIL_PARAMETERS,
    ),
    (
        EMAIL_BEFORE_LAST_DAY,
        "Send email before user's last day",
        "Send offboarding email to the user's manager before the last day of work",
        "leaver",
        EMAIL_PARAMETERS,
    ),
    (
        EMAIL_ON_LAST_DAY,
        "Send email on user's last day",
        "Send offboarding email to the user's manager on the last day of work",
        "leaver",
        EMAIL_PARAMETERS,
    ),
    (
        EMAIL_AFTER_LAST_DAY,
        "Send email to user's manager after their last day",
        "Send offboarding email to the user's manager after the last day of work",
        "leaver",
        EMAIL_PARAMETERS,
    ),
    (
        REQUEST_ACCESS_PACKAGE,
        "Request user access package assignment",
        "Request an access package assignment for the user",
        "joiner,leaver,mover",
        &["assignmentPolicyId", "accessPackageId"],
    ),
    (
        REMOVE_ACCESS_PACKAGE,
        "Remove access package assignment for user",
        "Remove an access package assignment of the user",
        "leaver,mover",
        &["accessPackageId"],
    ),
    (
        REMOVE_ALL_ACCESS_PACKAGES,
        "Remove all access package assignments for user",
        "Remove all access package assignments of the user",
        "leaver",
        &[],
    ),
    (
        CANCEL_ACCESS_PACKAGE_REQUESTS,
        "Cancel all pending access package assignment requests for user",
        "Cancel the user's pending access package assignment requests",
        "leaver",
        &[],
    ),
];

/// The display name and categories of a built-in task definition.
pub fn definition(id: &str) -> Option<(&'static str, &'static str)> {
    DEFINITIONS.iter().find(|d| d.0.eq_ignore_ascii_case(id)).map(|d| (d.1, d.3))
}

/// `taskDefinition` resources.
pub fn task_definitions(_: &Generation<'_>) -> Vec<Value> {
    DEFINITIONS
        .iter()
        .map(|&(id, name, description, category, parameters)| {
            let parameters: Vec<Value> = parameters
                .iter()
                .map(|p| {
                    let (values, kind) = match *p {
                        "tapIsUsableOnce"
                        | "enableOnPremisesAccount"
                        | "disableOnPremisesAccount"
                        | "deleteOnPremisesAccount" => (json!(["true", "false"]), "bool"),
                        "to" => (json!(["User", "Managers", "Sponsors"]), "enum"),
                        "tapLifetimeMinutes" => (json!([]), "int"),
                        _ => (json!([]), "string"),
                    };
                    json!({"name": p, "values": values, "valueType": kind})
                })
                .collect();
            json!({
                "id": id,
                "category": category,
                "continueOnError": false,
                "description": description,
                "displayName": name,
                "parameters": parameters,
                "version": 1,
            })
        })
        .collect()
}

/// What sets a workflow off.
#[derive(Clone, Copy)]
enum Trigger {
    /// A date attribute of the user plus an offset in days.
    Time(&'static str, i64),
    /// A change of one of these user attributes.
    AttributeChange(&'static [&'static str]),
    /// Runs only when someone runs it on demand.
    OnDemandOnly,
}

/// A task argument's value: text, or a group named by display name.
#[derive(Clone, Copy)]
enum Arg {
    Text(&'static str),
    Group(&'static str),
    User(&'static str),
}

#[derive(Clone, Copy)]
struct TaskRow {
    definition: &'static str,
    name: &'static str,
    continue_on_error: bool,
    arguments: &'static [(&'static str, Arg)],
}

const fn task(definition: &'static str, name: &'static str) -> TaskRow {
    TaskRow { definition, name, continue_on_error: false, arguments: &[] }
}

/// One version of a workflow: when and by whom it was saved, its trigger, scope and tasks.
struct VersionRow {
    days_ago: i64,
    by: &'static str,
    trigger: Trigger,
    scope: Option<&'static str>,
    tasks: &'static [TaskRow],
}

struct WorkflowRow {
    name: &'static str,
    description: &'static str,
    category: &'static str,
    enabled: bool,
    scheduled: bool,
    created_days_ago: i64,
    /// Oldest first; the last is the workflow as it is now.
    versions: &'static [VersionRow],
}

const EMPLOYEES: &str = "(companyName eq 'Woodgrove Bank') and (employeeType eq 'Employee')";

const ONBOARD_TASKS: &[TaskRow] = &[
    TaskRow {
        definition: GENERATE_TAP,
        name: "Generate TAP and send email",
        continue_on_error: false,
        arguments: &[("tapLifetimeMinutes", Arg::Text("480")), ("tapIsUsableOnce", Arg::Text("true"))],
    },
    task(SEND_WELCOME_EMAIL, "Send welcome email"),
    TaskRow {
        definition: ADD_TO_GROUPS,
        name: "Add user to groups",
        continue_on_error: false,
        arguments: &[("groupID", Arg::Group(NEW_HIRES))],
    },
];

const MOVE_TASKS_V1: &[TaskRow] = &[task(NOTIFY_MANAGER_OF_MOVE, "Notify manager of move")];

const MOVE_TASKS_V2: &[TaskRow] = &[
    TaskRow {
        definition: NOTIFY_MANAGER_OF_MOVE,
        name: "Notify manager of move",
        continue_on_error: true,
        arguments: &[("cc", Arg::User("claire.dubois"))],
    },
    TaskRow {
        definition: REMOVE_FROM_SELECTED_GROUPS,
        name: "Remove user from selected groups",
        continue_on_error: false,
        arguments: &[("groupID", Arg::Group(FINANCE_APP_USERS))],
    },
];

const OFFBOARD_TASKS: &[TaskRow] = &[
    task(DISABLE_ACCOUNT, "Disable user account"),
    task(REMOVE_FROM_ALL_GROUPS, "Remove user from all groups"),
    task(REMOVE_ALL_LICENSES, "Remove all licenses for user"),
];

const WORKFLOWS: &[WorkflowRow] = &[
    WorkflowRow {
        name: ONBOARD_NEW_HIRES,
        description: "Two days before a new employee's first day: a Temporary Access Pass for the manager, the welcome email and the New Hires group",
        category: "joiner",
        enabled: true,
        scheduled: true,
        created_days_ago: 120,
        versions: &[VersionRow {
            days_ago: 120,
            by: "priya",
            trigger: Trigger::Time("employeeHireDate", -2),
            scope: Some(EMPLOYEES),
            tasks: ONBOARD_TASKS,
        }],
    },
    WorkflowRow {
        name: MOVE_NOTIFICATIONS,
        description: "When an employee changes department: tell the manager, and drop access tied to the old department",
        category: "mover",
        enabled: true,
        scheduled: true,
        created_days_ago: 60,
        versions: &[
            VersionRow {
                days_ago: 60,
                by: "priya",
                trigger: Trigger::AttributeChange(&["department"]),
                scope: Some("(companyName eq 'Woodgrove Bank')"),
                tasks: MOVE_TASKS_V1,
            },
            VersionRow {
                days_ago: 10,
                by: "elena",
                trigger: Trigger::AttributeChange(&["department"]),
                scope: Some(EMPLOYEES),
                tasks: MOVE_TASKS_V2,
            },
        ],
    },
    WorkflowRow {
        name: OFFBOARD_LEAVERS,
        description: "On an employee's last day: disable the account, remove every group membership and licence",
        category: "leaver",
        enabled: true,
        scheduled: true,
        created_days_ago: 8,
        versions: &[VersionRow {
            days_ago: 8,
            by: "priya",
            trigger: Trigger::Time("employeeLeaveDateTime", 0),
            scope: Some(EMPLOYEES),
            tasks: OFFBOARD_TASKS,
        }],
    },
    WorkflowRow {
        name: DELETE_AFTER_30_DAYS,
        description: "Thirty days after the last day: delete the account. Disabled until Legal confirms how long leavers' data must be kept",
        category: "leaver",
        enabled: false,
        scheduled: false,
        created_days_ago: 8,
        versions: &[VersionRow {
            days_ago: 8,
            by: "priya",
            trigger: Trigger::Time("employeeLeaveDateTime", 30),
            scope: Some(EMPLOYEES),
            tasks: &[task(DELETE_USER, "Delete user")],
        }],
    },
];

const DELETED: WorkflowRow = WorkflowRow {
    name: DELETED_WORKFLOW,
    description: "Onboarding for agency contractors, replaced by access packages",
    category: "joiner",
    enabled: false,
    scheduled: false,
    created_days_ago: 200,
    versions: &[VersionRow {
        days_ago: 150,
        by: "priya",
        trigger: Trigger::Time("employeeHireDate", 0),
        scope: Some("(employeeType eq 'Contractor')"),
        tasks: &[task(ENABLE_ACCOUNT, "Enable user account"), task(SEND_WELCOME_EMAIL, "Send welcome email")],
    }],
};

/// Days since the deleted workflow was deleted.
const DELETED_DAYS_AGO: i64 = 9;

/// A workflow's object id, from its display name.
pub fn workflow_id(name: &str) -> String {
    ids::object_id("lifecycleWorkflow", name)
}

fn execution_conditions(trigger: Trigger, scope: Option<&str>) -> Value {
    let scope = scope
        .map(|rule| json!({"@odata.type": "#microsoft.graph.identityGovernance.ruleBasedSubjectSet", "rule": rule}));
    match trigger {
        Trigger::OnDemandOnly => json!({"@odata.type": "#microsoft.graph.identityGovernance.onDemandExecutionOnly"}),
        Trigger::Time(attribute, offset) => json!({
            "@odata.type": "#microsoft.graph.identityGovernance.triggerAndScopeBasedConditions",
            "scope": scope,
            "trigger": {
                "@odata.type": "#microsoft.graph.identityGovernance.timeBasedAttributeTrigger",
                "timeBasedAttribute": attribute,
                "offsetInDays": offset,
            },
        }),
        Trigger::AttributeChange(attributes) => json!({
            "@odata.type": "#microsoft.graph.identityGovernance.triggerAndScopeBasedConditions",
            "scope": scope,
            "trigger": {
                "@odata.type": "#microsoft.graph.identityGovernance.attributeChangeTrigger",
                "triggerAttributes": attributes.iter().map(|a| json!({"name": a})).collect::<Vec<_>>(),
            },
        }),
    }
}

fn task_json(id: String, row: &TaskRow, sequence: usize) -> Value {
    let (_, category) = definition(row.definition).unwrap_or(("", "joiner,leaver"));
    let description = DEFINITIONS.iter().find(|d| d.0 == row.definition).map(|d| d.2).unwrap_or_default();
    let arguments: Vec<Value> = row
        .arguments
        .iter()
        .map(|(name, value)| {
            let value = match value {
                Arg::Text(text) => text.to_string(),
                Arg::Group(group) => ids::group_id(group),
                Arg::User(handle) => member_id(handle),
            };
            json!({"name": name, "value": value})
        })
        .collect();
    json!({
        "id": id,
        "arguments": arguments,
        "category": category,
        "continueOnError": row.continue_on_error,
        "description": description,
        "displayName": row.name,
        "executionSequence": sequence,
        "isEnabled": true,
        "taskDefinitionId": row.definition,
    })
}

fn version_tasks(workflow: &str, number: usize, rows: &[TaskRow]) -> Vec<Value> {
    rows.iter()
        .enumerate()
        .map(|(i, row)| task_json(ids::object_id("lifecycleTask", &format!("{workflow}/v{number}/{i}")), row, i + 1))
        .collect()
}

/// The workflow resource as Graph lists it (its tasks are a navigation, not inline).
fn workflow_json(row: &WorkflowRow, clock: &Clock) -> Value {
    let current = row.versions.last();
    let modified = current.map(|v| v.days_ago).unwrap_or(row.created_days_ago);
    // The next daily run, for a scheduled workflow.
    let next = if row.enabled && row.scheduled { Value::from(clock.at(Duration::hours(6))) } else { Value::Null };
    json!({
        "id": workflow_id(row.name),
        "category": row.category,
        "displayName": row.name,
        "description": row.description,
        "isEnabled": row.enabled,
        "isSchedulingEnabled": row.scheduled,
        "createdDateTime": clock.days_ago(row.created_days_ago),
        "lastModifiedDateTime": clock.days_ago(modified),
        "deletedDateTime": null,
        "version": row.versions.len(),
        "nextScheduleRunDateTime": next,
        "executionConditions": current.map(|v| execution_conditions(v.trigger, v.scope)),
    })
}

/// `workflow` resources.
pub fn workflows(g: &Generation<'_>) -> Vec<Value> {
    WORKFLOWS.iter().map(|row| workflow_json(row, g.clock)).collect()
}

/// Deleted `workflow` resources (`deletedItems/workflows`).
pub fn deleted_workflows(g: &Generation<'_>) -> Vec<Value> {
    let mut value = workflow_json(&DELETED, g.clock);
    if let Value::Object(map) = &mut value {
        map.insert("deletedDateTime".into(), g.clock.days_ago(DELETED_DAYS_AGO).into());
    }
    vec![value]
}

/// `lifecycleManagementSettings`: daily runs, and email from the bank's own domain.
pub fn settings() -> Value {
    json!({
        "workflowScheduleIntervalInHours": 24,
        "emailSettings": {"senderDomain": super::DOMAIN, "useCompanyBranding": true},
    })
}

/// A template: its id (Graph's, where Graph publishes one), name, description, category,
/// trigger, and tasks.
struct TemplateRow {
    id: &'static str,
    name: &'static str,
    description: &'static str,
    category: &'static str,
    trigger: Trigger,
    tasks: &'static [TaskRow],
}

const TEMPLATES: &[TemplateRow] = &[
    TemplateRow {
        id: "77179007-8114-41b5-922e-2e22109df41f",
        name: "Onboard pre-hire employee",
        description: "Configure pre-hire tasks for onboarding employees before their first day",
        category: "joiner",
        trigger: Trigger::Time("employeeHireDate", -7),
        tasks: &[TaskRow {
            definition: GENERATE_TAP,
            name: "Generate TAP And Send Email",
            continue_on_error: false,
            arguments: &[("tapLifetimeMinutes", Arg::Text("480")), ("tapIsUsableOnce", Arg::Text("true"))],
        }],
    },
    TemplateRow {
        id: "4e06785d-7c1d-4b24-b9e1-bba2b890c58b",
        name: "Onboard new hire employee",
        description: "Configure new hire tasks for onboarding employees on their first day",
        category: "joiner",
        trigger: Trigger::Time("employeeHireDate", 0),
        tasks: &[
            task(ENABLE_ACCOUNT, "Enable User Account"),
            task(SEND_WELCOME_EMAIL, "Send Welcome Email"),
            TaskRow {
                definition: ADD_TO_GROUPS,
                name: "Add User To Groups",
                continue_on_error: false,
                arguments: &[("groupID", Arg::Text(""))],
            },
        ],
    },
    TemplateRow {
        id: "",
        name: "Employee job profile change",
        description: "Configure mover tasks for employees whose department or job title changes",
        category: "mover",
        trigger: Trigger::AttributeChange(&["department", "jobTitle"]),
        tasks: &[task(NOTIFY_MANAGER_OF_MOVE, "Send email to notify manager of user move")],
    },
    TemplateRow {
        id: "145735f1-57cc-48c2-81ec-727f07a10096",
        name: "Real-time employee termination",
        description: "Execute real-time termination tasks for employees on their last day of work",
        category: "leaver",
        trigger: Trigger::OnDemandOnly,
        tasks: &[
            task(REMOVE_FROM_ALL_GROUPS, "Remove user from all groups"),
            task(REMOVE_FROM_ALL_TEAMS, "Remove user from all Teams"),
            task(DELETE_USER, "Delete User Account"),
        ],
    },
    TemplateRow {
        id: "25abd83d-3b5d-4d6f-bb9a-4ed366fd96b1",
        name: "Pre-Offboarding of an employee",
        description: "Configure pre-offboarding tasks for employees before their last day of work",
        category: "leaver",
        trigger: Trigger::Time("employeeLeaveDateTime", -7),
        tasks: &[
            TaskRow {
                definition: REMOVE_FROM_SELECTED_GROUPS,
                name: "Remove user from selected groups",
                continue_on_error: false,
                arguments: &[("groupID", Arg::Text(""))],
            },
            TaskRow {
                definition: REMOVE_FROM_SELECTED_TEAMS,
                name: "Remove user from selected Teams",
                continue_on_error: false,
                arguments: &[("teamID", Arg::Text(""))],
            },
        ],
    },
    TemplateRow {
        id: "e821c59e-d28c-44d7-902f-5fed05e926f1",
        name: "Offboard an employee",
        description: "Configure offboarding tasks for employees on their last day of work",
        category: "leaver",
        trigger: Trigger::Time("employeeLeaveDateTime", 0),
        tasks: &[
            task(DISABLE_ACCOUNT, "Disable User Account"),
            task(REMOVE_FROM_ALL_GROUPS, "Remove user from all groups"),
            task(REMOVE_FROM_ALL_TEAMS, "Remove user from all Teams"),
        ],
    },
    TemplateRow {
        id: "50149a4a-7c2d-4fd8-8018-761f4eb915cb",
        name: "Post-Offboarding of an employee",
        description: "Configure offboarding tasks for employees after their last day of work",
        category: "leaver",
        trigger: Trigger::Time("employeeLeaveDateTime", 7),
        tasks: &[
            task(REMOVE_ALL_LICENSES, "Remove all licenses for user"),
            task(REMOVE_FROM_ALL_TEAMS, "Remove user from all Teams"),
            task(DELETE_USER, "Delete User Account"),
        ],
    },
];

/// `workflowTemplate` resources, tasks inline as Graph lists them.
pub fn workflow_templates(_: &Generation<'_>) -> Vec<Value> {
    TEMPLATES
        .iter()
        .map(|t| {
            // Graph publishes no id for the newer mover template; the demo makes one.
            let id = if t.id.is_empty() { ids::object_id("lifecycleTemplate", t.name) } else { t.id.to_string() };
            let tasks: Vec<Value> = t
                .tasks
                .iter()
                .enumerate()
                .map(|(i, row)| task_json(ids::object_id("lifecycleTemplateTask", &format!("{id}/{i}")), row, i + 1))
                .collect();
            // Templates carry a placeholder scope for the admin to replace.
            let scope = (!matches!(t.trigger, Trigger::OnDemandOnly)).then_some("(department eq 'Marketing')");
            json!({
                "id": id,
                "category": t.category,
                "description": t.description,
                "displayName": t.name,
                "executionConditions": execution_conditions(t.trigger, scope),
                "tasks": tasks,
            })
        })
        .collect()
}

/// What Graph keeps below one workflow: its tasks and versions, its runs, the result of each
/// run for each user (with the result of each task) and a report per task and run.
#[derive(Debug, Clone, Default)]
pub struct WorkflowRecords {
    /// Who created the workflow and who saved its current version (user ids).
    pub created_by: String,
    pub last_modified_by: String,
    /// The current version's tasks.
    pub tasks: Vec<Value>,
    /// Every version, oldest first, each with its tasks inline.
    pub versions: Vec<Value>,
    pub runs: Vec<Value>,
    pub user_processing_results: Vec<Value>,
    /// `taskProcessingResult`s by the id of the user processing result they belong to.
    pub task_processing_results: HashMap<String, Vec<Value>>,
    /// The run a user processing result belongs to, by its id.
    pub run_of_user_result: HashMap<String, String>,
    pub task_reports: Vec<Value>,
    /// The task each report is about, by report id.
    pub task_of_report: HashMap<String, Value>,
}

/// Who a run processed, and which task failed for them and why (`None`: every task
/// completed).
pub struct Subject<'a> {
    pub user_id: String,
    pub failure: Option<Failure<'a>>,
}

/// A task that failed for a user: its task definition, and the reason Graph gives.
#[derive(Debug, Clone, Copy)]
pub struct Failure<'a> {
    pub definition: &'a str,
    pub reason: &'a str,
}

impl WorkflowRecords {
    /// Records a run of the current version over these users, started at `at`: the run, one
    /// result per user with one result per enabled task (a failed task stops the tasks after
    /// it unless it may continue on error; those are canceled), and a report per task.
    pub fn record_run(&mut self, run_id: &str, kind: &str, at: &str, version: i64, subjects: &[Subject<'_>]) {
        let tasks: Vec<Value> =
            self.tasks.iter().filter(|t| t.get("isEnabled").and_then(Value::as_bool) != Some(false)).cloned().collect();
        let mut failed_users = 0;
        let (mut failed_tasks, mut unprocessed_tasks) = (0, 0);
        // Per task: (succeeded, failed, unprocessed) users.
        let mut per_task = vec![(0usize, 0usize, 0usize); tasks.len()];
        for subject in subjects {
            let result_id = ids::object_id("lifecycleUserResult", &format!("{run_id}/{}", subject.user_id));
            let mut results = Vec::with_capacity(tasks.len());
            let mut stopped = false;
            let (mut user_failed, mut user_unprocessed) = (0, 0);
            for (i, task) in tasks.iter().enumerate() {
                let definition = task.get("taskDefinitionId").and_then(Value::as_str).unwrap_or_default();
                let failure = subject.failure.filter(|f| !stopped && f.definition.eq_ignore_ascii_case(definition));
                let fails = failure.is_some();
                let status = if stopped {
                    "canceled"
                } else if fails {
                    "failed"
                } else {
                    "completed"
                };
                match status {
                    "failed" => {
                        user_failed += 1;
                        per_task[i].1 += 1;
                        if task.get("continueOnError").and_then(Value::as_bool) != Some(true) {
                            stopped = true;
                        }
                    }
                    "canceled" => {
                        user_unprocessed += 1;
                        per_task[i].2 += 1;
                    }
                    _ => per_task[i].0 += 1,
                }
                results.push(json!({
                    "id": ids::object_id("lifecycleTaskResult", &format!("{result_id}/{i}")),
                    "createdDateTime": at,
                    "startedDateTime": if status == "canceled" { Value::Null } else { Value::from(at) },
                    "completedDateTime": if status == "canceled" { Value::Null } else { Value::from(at) },
                    "processingStatus": status,
                    "failureReason": failure.map(|f| Value::from(f.reason)).unwrap_or(Value::Null),
                    "subject": {"id": subject.user_id},
                    "task": task,
                }));
            }
            if user_failed > 0 {
                failed_users += 1;
            }
            failed_tasks += user_failed;
            unprocessed_tasks += user_unprocessed;
            self.user_processing_results.push(json!({
                "id": result_id,
                "completedDateTime": at,
                "failedTasksCount": user_failed,
                "processingStatus": if user_failed > 0 { "failed" } else { "completed" },
                "scheduledDateTime": at,
                "startedDateTime": at,
                "totalTasksCount": tasks.len(),
                "totalUnprocessedTasksCount": user_unprocessed,
                "workflowExecutionType": kind,
                "workflowVersion": version,
                "subject": {"id": subject.user_id},
            }));
            self.task_processing_results.insert(result_id.clone(), results);
            self.run_of_user_result.insert(result_id, run_id.to_string());
        }
        let users = subjects.len();
        if users > 0 {
            for (i, task) in tasks.iter().enumerate() {
                let (ok, failed, unprocessed) = per_task[i];
                let report_id = ids::object_id("lifecycleTaskReport", &format!("{run_id}/{i}"));
                let status = match (failed, unprocessed) {
                    (0, 0) => "completed",
                    (f, _) if f == users => "failed",
                    _ => "completedWithErrors",
                };
                self.task_reports.push(json!({
                    "id": report_id,
                    "runId": run_id,
                    "processingStatus": status,
                    "successfulUsersCount": ok,
                    "failedUsersCount": failed,
                    "unprocessedUsersCount": unprocessed,
                    "totalUsersCount": users,
                    "startedDateTime": at,
                    "completedDateTime": at,
                    "lastUpdatedDateTime": at,
                }));
                self.task_of_report.insert(report_id, task.clone());
            }
        }
        self.runs.push(json!({
            "id": run_id,
            "completedDateTime": at,
            "failedTasksCount": failed_tasks,
            "failedUsersCount": failed_users,
            "lastUpdatedDateTime": at,
            "processingStatus": if failed_users > 0 { "completedWithErrors" } else { "completed" },
            "scheduledDateTime": at,
            "startedDateTime": at,
            "successfulUsersCount": users - failed_users,
            "totalTasksCount": users * tasks.len(),
            "totalUnprocessedTasksCount": unprocessed_tasks,
            "totalUsersCount": users,
            "workflowExecutionType": kind,
        }));
    }
}

/// Who each workflow processed on each of the last seven days (days ago, handles, failure),
/// and on-demand runs.
struct RunRow {
    workflow: &'static str,
    days_ago: i64,
    on_demand: bool,
    users: &'static [(&'static str, Option<Failure<'static>>)],
}

/// The pass task failing for a starter without a manager.
const NO_MANAGER: Option<Failure<'static>> = Some(Failure { definition: GENERATE_TAP, reason: NO_MANAGER_FAILURE });

const RUNS: &[RunRow] = &[
    RunRow { workflow: ONBOARD_NEW_HIRES, days_ago: 1, on_demand: false, users: &[("owen.price", None)] },
    RunRow {
        workflow: ONBOARD_NEW_HIRES,
        days_ago: 3,
        on_demand: false,
        users: &[("ravi.kumar", NO_MANAGER), ("sara.lindgren", NO_MANAGER)],
    },
    RunRow { workflow: ONBOARD_NEW_HIRES, days_ago: 2, on_demand: true, users: &[("sara.lindgren", None)] },
    RunRow { workflow: MOVE_NOTIFICATIONS, days_ago: 4, on_demand: false, users: &[("yuki.tanaka", None)] },
    RunRow { workflow: MOVE_NOTIFICATIONS, days_ago: 2, on_demand: false, users: &[("arjun.mehta", None)] },
];

/// Days of daily scheduled runs kept in the story.
const RUN_DAYS: i64 = 7;

/// The id of a run of a workflow: scheduled on a day, or on demand at an instant.
pub fn run_id(workflow_id: &str, key: &str) -> String {
    ids::object_id("lifecycleRun", &format!("{workflow_id}/{key}"))
}

/// Everything below each workflow, by workflow id (the deleted one included).
pub fn records(g: &Generation<'_>) -> HashMap<String, WorkflowRecords> {
    let clock = g.clock;
    let mut out = HashMap::new();
    for row in WORKFLOWS.iter().chain([&DELETED]) {
        let id = workflow_id(row.name);
        let versions: Vec<Value> = row
            .versions
            .iter()
            .enumerate()
            .map(|(i, v)| {
                json!({
                    "versionNumber": i + 1,
                    "category": row.category,
                    "displayName": row.name,
                    "description": row.description,
                    "isEnabled": row.enabled,
                    "isSchedulingEnabled": row.scheduled,
                    "createdDateTime": clock.days_ago(row.created_days_ago),
                    "lastModifiedDateTime": clock.days_ago(v.days_ago),
                    "executionConditions": execution_conditions(v.trigger, v.scope),
                    "tasks": version_tasks(row.name, i + 1, v.tasks),
                })
            })
            .collect();
        let current = row.versions.len();
        let mut records = WorkflowRecords {
            created_by: member_id(row.versions.first().map(|v| v.by).unwrap_or("priya")),
            last_modified_by: member_id(row.versions.last().map(|v| v.by).unwrap_or("priya")),
            tasks: row.versions.last().map(|v| version_tasks(row.name, current, v.tasks)).unwrap_or_default(),
            versions,
            ..WorkflowRecords::default()
        };
        // Oldest first: a scheduled run each day, and an on-demand run later the same day.
        if row.enabled && row.scheduled {
            for days_ago in (1..=RUN_DAYS.min(row.created_days_ago - 1)).rev() {
                let mut kinds = vec![(false, run_id(&id, &format!("day-{days_ago}")))];
                if RUNS.iter().any(|r| r.workflow == row.name && r.days_ago == days_ago && r.on_demand) {
                    kinds.push((true, run_id(&id, &format!("on-demand-{days_ago}"))));
                }
                for (on_demand, run) in kinds {
                    let users = RUNS
                        .iter()
                        .find(|r| r.workflow == row.name && r.days_ago == days_ago && r.on_demand == on_demand)
                        .map(|r| r.users)
                        .unwrap_or(&[]);
                    let subjects: Vec<Subject<'_>> =
                        users.iter().map(|&(h, failure)| Subject { user_id: member_id(h), failure }).collect();
                    // Within the day: a 7-day window still holds the run of 7 days ago.
                    let hours = if on_demand { 5 } else { 1 };
                    let at = clock.at(Duration::days(-days_ago) + Duration::hours(hours));
                    let kind = if on_demand { "onDemand" } else { "scheduled" };
                    records.record_run(&run, kind, &at, current as i64, &subjects);
                }
            }
        }
        out.insert(id, records);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records_now() -> HashMap<String, WorkflowRecords> {
        let tenant = super::super::generate_at(chrono::Utc::now(), 1, 1);
        (*tenant.workflow_records).clone()
    }

    #[test]
    fn a_week_of_daily_runs_with_two_failed_starters_and_one_on_demand_run() {
        let records = records_now();
        let onboard = &records[&workflow_id(ONBOARD_NEW_HIRES)];
        let scheduled = onboard.runs.iter().filter(|r| r["workflowExecutionType"] == "scheduled").count();
        assert_eq!(scheduled, 7);
        assert_eq!(onboard.runs.iter().filter(|r| r["workflowExecutionType"] == "onDemand").count(), 1);
        let failing: Vec<&Value> = onboard.runs.iter().filter(|r| r["failedUsersCount"] == 2).collect();
        assert_eq!(failing.len(), 1);
        assert_eq!(failing[0]["processingStatus"], "completedWithErrors");
        // The pass failed, and the two tasks after it were canceled, for each of the two.
        assert_eq!(failing[0]["failedTasksCount"], 2);
        assert_eq!(failing[0]["totalUnprocessedTasksCount"], 4);
        let ravi = onboard
            .user_processing_results
            .iter()
            .find(|r| r["subject"]["id"] == member_id("ravi.kumar"))
            .expect("Ravi was processed");
        let tasks = &onboard.task_processing_results[ravi["id"].as_str().unwrap_or_default()];
        assert_eq!(tasks[0]["processingStatus"], "failed");
        assert_eq!(tasks[0]["failureReason"], NO_MANAGER_FAILURE);
        assert_eq!(tasks[0]["task"]["taskDefinitionId"], GENERATE_TAP);
        assert_eq!(tasks[1]["processingStatus"], "canceled");
    }

    #[test]
    fn the_mover_has_two_versions_and_the_disabled_workflow_never_ran() {
        let records = records_now();
        let mover = &records[&workflow_id(MOVE_NOTIFICATIONS)];
        assert_eq!(mover.versions.len(), 2);
        assert_eq!(mover.tasks.len(), 2);
        assert_ne!(mover.versions[0]["tasks"], mover.versions[1]["tasks"]);
        assert!(records[&workflow_id(DELETE_AFTER_30_DAYS)].runs.is_empty());
        assert!(records[&workflow_id(DELETED_WORKFLOW)].runs.is_empty());
    }

    #[test]
    fn every_task_of_every_workflow_and_template_has_a_built_in_definition() {
        let all = WORKFLOWS.iter().chain([&DELETED]).flat_map(|w| w.versions.iter().flat_map(|v| v.tasks.iter()));
        for task in all.chain(TEMPLATES.iter().flat_map(|t| t.tasks.iter())) {
            assert!(definition(task.definition).is_some(), "{}", task.name);
        }
        assert!(DEFINITIONS.len() >= 20);
    }
}
