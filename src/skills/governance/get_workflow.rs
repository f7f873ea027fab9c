//! `get_workflow`: one lifecycle workflow: what sets it off (a date attribute and an offset,
//! or a change of attribute or group membership), who it runs for (the scope rule, in plain
//! words), its tasks in order with the built-in task each runs, version, and who changed it
//! last and when.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::render::{fields, short_time, yes_no};
use crate::shared::given_id;
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset};

use super::workflow_model::*;

const GET_WORKFLOW: Declaration = Declaration {
    name: "get_workflow",
    title: "Get a lifecycle workflow",
    description: "One lifecycle workflow by name or id: what triggers it (hire date or last day plus offset, or an attribute change), who is in its scope (the rule in plain words), its tasks in order with arguments, version, and who last changed it. ID Governance. Global Reader.",
    toolset: Toolset::Governance,
    permissions: &["LifecycleWorkflows-Workflow.Read.All", "User.ReadBasic.All"],
    least_role: "Global Reader",
    access: Access::Read,
    beta: false,
    default: false,
    examples: EXAMPLES,
};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetWorkflowParams {
    /// Workflow id or exact display name.
    pub workflow: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct WorkflowDetail {
    pub id: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `joiner`, `mover` or `leaver`.
    pub category: Option<String>,
    pub enabled: Option<bool>,
    /// Runs on the tenant's schedule (otherwise only on demand).
    pub scheduled: Option<bool>,
    pub version: Option<i64>,
    pub trigger: TriggerInfo,
    pub scope: ScopeInfo,
    /// In the order they run.
    pub tasks: Vec<TaskRow>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_run: Option<String>,
    pub created: Option<String>,
    pub last_modified: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_modified_by: Option<String>,
}

const SELECT: &[&str] = &[
    "id",
    "displayName",
    "description",
    "category",
    "isEnabled",
    "isSchedulingEnabled",
    "version",
    "nextScheduleRunDateTime",
    "executionConditions",
    "createdDateTime",
    "lastModifiedDateTime",
];
const EXPAND: &str = "tasks,lastModifiedBy($select=id,displayName,userPrincipalName)";

async fn get_workflow(ctx: Ctx, p: GetWorkflowParams) -> Result<WorkflowDetail, SkillError> {
    // With an id, the task definitions (for the built-in task names) are read alongside.
    let (workflow, definitions) = if given_id(&p.workflow).is_some() {
        let (workflow, definitions) =
            tokio::join!(find_workflow(&ctx, &p.workflow, SELECT, Some(EXPAND)), task_definitions(&ctx));
        (workflow?, definitions)
    } else {
        let workflow = find_workflow(&ctx, &p.workflow, SELECT, Some(EXPAND)).await?;
        (workflow, task_definitions(&ctx).await)
    };
    let definitions = ctx.optional("task definition names", definitions).unwrap_or_default();
    let conditions = workflow.execution_conditions.as_ref();
    Ok(WorkflowDetail {
        name: workflow.name(),
        trigger: trigger_info(conditions),
        scope: scope_info(conditions),
        tasks: task_rows(workflow.tasks.as_deref().unwrap_or_default(), &definitions),
        description: crate::render::trim_opt(workflow.description),
        category: workflow.category,
        enabled: workflow.is_enabled,
        scheduled: workflow.is_scheduling_enabled,
        version: workflow.version,
        next_run: workflow.next_schedule_run_date_time,
        created: workflow.created_date_time,
        last_modified: workflow.last_modified_date_time,
        last_modified_by: workflow.last_modified_by.map(|u| u.label()),
        id: workflow.id,
    })
}

impl Render for WorkflowDetail {
    fn markdown(&self) -> String {
        let mut out = fields(&[
            ("workflow", Some(self.name.clone())),
            ("id", Some(self.id.clone())),
            ("description", self.description.clone()),
            ("category", self.category.clone()),
            ("enabled", yes_no(self.enabled)),
            ("scheduled", yes_no(self.scheduled)),
            ("version", self.version.map(|v| v.to_string())),
            ("runs", Some(self.trigger.words.clone())),
            ("for", Some(self.scope.words.clone())),
            ("scope rule", self.scope.rule.clone()),
            ("next run", self.next_run.as_deref().map(short_time)),
            ("created", self.created.as_deref().map(short_time)),
            (
                "last modified",
                self.last_modified.as_deref().map(|t| match &self.last_modified_by {
                    Some(by) => format!("{} by {by}", short_time(t)),
                    None => short_time(t),
                }),
            ),
        ]);
        out.push_str("\ntasks:");
        if self.tasks.is_empty() {
            out.push_str(" none");
        }
        for task in &self.tasks {
            out.push_str(&format!("\n{}", task_line(task)));
            if let Some(definition) = task.definition.as_ref().filter(|d| **d != task.name) {
                out.push_str(&format!(" — {definition}"));
            }
        }
        out
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "What does the Onboard new hires workflow do: its trigger, scope and tasks?",
        args: r#"{"workflow":"Onboard new hires"}"#,
        facts: &[
            Fact::Every("trigger/attribute", "employeeHireDate"),
            Fact::Every("trigger/offset_days", "-2"),
            Fact::Every("scope/words", "company is 'Woodgrove Bank' and employee type is 'Employee'"),
            Fact::Count("tasks/*", 3),
            Fact::Some("tasks/*/definition", "Generate Temporary Access Pass and send via email to user's manager"),
            Fact::Every("last_modified_by", "~Priya Natarajan"),
        ],
    },
    Example {
        question: "Which attribute change triggers the department move workflow, and who is in its scope?",
        args: r#"{"workflow":"department move notifications"}"#,
        facts: &[
            Fact::Every("category", "mover"),
            Fact::Every("trigger/kind", "attribute_change"),
            Fact::Every("trigger/changed_attributes/*", "department"),
            Fact::Every("version", "2"),
            Fact::Some("tasks/*/continue_on_error", "true"),
        ],
    },
    Example {
        question: "A lifecycle workflow that does not exist",
        args: r#"{"workflow":"Onboard astronauts"}"#,
        facts: &[Fact::Fails(ErrorKind::NotFound), Fact::Says("list_workflows")],
    },
];

pub fn skill() -> Skill {
    Skill::new(GET_WORKFLOW, get_workflow)
}
