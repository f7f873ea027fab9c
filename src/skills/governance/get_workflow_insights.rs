//! `get_workflow_insights`: lifecycle workflows across the tenant over a window: how many
//! runs, users and tasks were processed and what share succeeded, and which workflows and
//! which built-in tasks failed most. Graph's three insight functions are read at once.

use chrono::{DateTime, Duration, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::render::{fields, or_dash, short_time, table};
use crate::shared::*;
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset};

use super::workflow_model::*;

const GET_WORKFLOW_INSIGHTS: Declaration = Declaration {
    name: "get_workflow_insights",
    title: "Lifecycle workflow insights",
    description: "Tenant-wide lifecycle workflow health over a window (default 30 days): runs, users and tasks processed with success rates, and the workflows and built-in tasks that fail most. ID Governance. Global Reader.",
    toolset: Toolset::Governance,
    permissions: &["LifecycleWorkflows-Reports.Read.All"],
    least_role: "Global Reader",
    access: Access::Read,
    beta: false,
    default: false,
    examples: EXAMPLES,
};

/// How far back Graph keeps workflow run history.
const RUN_HISTORY_DAYS: i64 = 30;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetWorkflowInsightsParams {
    /// Start of the window (default 30 days ago, the most Graph keeps).
    pub since: Option<Since>,
    /// End of the window (default now).
    pub until: Option<Since>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Totals {
    pub total: i64,
    pub successful: i64,
    pub failed: i64,
    /// Successful share in percent, one decimal (absent when nothing was processed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub success_rate: Option<f64>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct WorkflowInsight {
    pub workflow: String,
    pub workflow_id: String,
    pub category: Option<String>,
    pub version: Option<i64>,
    pub runs: i64,
    pub failed_runs: i64,
    pub on_demand_runs: i64,
    pub users: i64,
    pub failed_users: i64,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct TaskInsight {
    pub task: String,
    pub definition_id: String,
    pub processed: i64,
    pub failed: i64,
    pub users: i64,
    pub failed_users: i64,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct WorkflowInsights {
    pub since: String,
    pub until: String,
    pub runs: Totals,
    pub users: Totals,
    pub tasks: Totals,
    /// Most failed users first.
    pub workflows: Vec<WorkflowInsight>,
    /// Most failures first.
    pub task_definitions: Vec<TaskInsight>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct Summary {
    total_runs: i64,
    successful_runs: i64,
    failed_runs: i64,
    total_users: i64,
    successful_users: i64,
    failed_users: i64,
    total_tasks: i64,
    successful_tasks: i64,
    failed_tasks: i64,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct TopWorkflow {
    workflow_id: String,
    workflow_display_name: Option<String>,
    workflow_category: Option<String>,
    workflow_version: Option<i64>,
    total_runs: i64,
    failed_runs: i64,
    on_demand_runs: i64,
    total_users: i64,
    failed_users: i64,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct TopTask {
    task_definition_id: String,
    task_definition_display_name: Option<String>,
    total_tasks: i64,
    failed_tasks: i64,
    total_users: i64,
    failed_users: i64,
}

fn totals(total: i64, successful: i64, failed: i64) -> Totals {
    let success_rate = (total > 0).then(|| ((successful as f64 / total as f64) * 1000.0).round() / 10.0);
    Totals { total, successful, failed, success_rate }
}

async fn get_workflow_insights(ctx: Ctx, p: GetWorkflowInsightsParams) -> Result<WorkflowInsights, SkillError> {
    let (start, end) =
        window(&ctx, p.since.as_ref(), p.until.as_ref(), Duration::days(RUN_HISTORY_DAYS), RUN_HISTORY_DAYS)?;
    let end = end.unwrap_or(ctx.now);
    let read = |function: &str| lw_get(format!("/insights/{}", windowed(function, start, end)));
    let (summary, top_workflows, top_tasks) = tokio::join!(
        ctx.graph.get::<Summary>(read("workflowsProcessedSummary")),
        ctx.graph.list::<TopWorkflow>(read("topWorkflowsProcessedSummary"), 100),
        ctx.graph.list::<TopTask>(read("topTasksProcessedSummary"), 100),
    );
    let s = summary?;
    let mut workflows: Vec<WorkflowInsight> = ctx
        .optional("workflows processed", top_workflows)
        .map(|p| p.items)
        .unwrap_or_default()
        .into_iter()
        .map(|w| WorkflowInsight {
            workflow: w.workflow_display_name.unwrap_or_else(|| w.workflow_id.clone()),
            workflow_id: w.workflow_id,
            category: w.workflow_category,
            version: w.workflow_version,
            runs: w.total_runs,
            failed_runs: w.failed_runs,
            on_demand_runs: w.on_demand_runs,
            users: w.total_users,
            failed_users: w.failed_users,
        })
        .collect();
    workflows.sort_by(|a, b| b.failed_users.cmp(&a.failed_users).then(b.users.cmp(&a.users)));
    let mut task_definitions: Vec<TaskInsight> = ctx
        .optional("tasks processed", top_tasks)
        .map(|p| p.items)
        .unwrap_or_default()
        .into_iter()
        .map(|t| TaskInsight {
            task: t.task_definition_display_name.unwrap_or_else(|| t.task_definition_id.clone()),
            definition_id: t.task_definition_id,
            processed: t.total_tasks,
            failed: t.failed_tasks,
            users: t.total_users,
            failed_users: t.failed_users,
        })
        .collect();
    task_definitions.sort_by(|a, b| b.failed.cmp(&a.failed).then(b.processed.cmp(&a.processed)));
    let stamp = |t: DateTime<Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    Ok(WorkflowInsights {
        since: stamp(start),
        until: stamp(end),
        runs: totals(s.total_runs, s.successful_runs, s.failed_runs),
        users: totals(s.total_users, s.successful_users, s.failed_users),
        tasks: totals(s.total_tasks, s.successful_tasks, s.failed_tasks),
        workflows,
        task_definitions,
    })
}

fn totals_line(t: &Totals) -> String {
    let rate = t.success_rate.map(|r| format!(", {r}% successful")).unwrap_or_default();
    format!("{} ({} successful, {} failed{rate})", t.total, t.successful, t.failed)
}

impl Render for WorkflowInsights {
    fn markdown(&self) -> String {
        let mut out = fields(&[
            ("window", Some(format!("{} – {} UTC", short_time(&self.since), short_time(&self.until)))),
            ("runs", Some(totals_line(&self.runs))),
            ("users processed", Some(totals_line(&self.users))),
            ("tasks processed", Some(totals_line(&self.tasks))),
        ]);
        let workflows: Vec<Vec<String>> = self
            .workflows
            .iter()
            .map(|w| {
                vec![
                    w.workflow.clone(),
                    or_dash(&w.category),
                    w.runs.to_string(),
                    w.failed_runs.to_string(),
                    w.on_demand_runs.to_string(),
                    w.users.to_string(),
                    w.failed_users.to_string(),
                    w.workflow_id.clone(),
                ]
            })
            .collect();
        out.push_str(&format!(
            "\n\nworkflows, most failed users first\n{}",
            table(
                &["workflow", "category", "runs", "failed runs", "on demand", "users", "failed users", "id"],
                &workflows
            )
        ));
        let tasks: Vec<Vec<String>> = self
            .task_definitions
            .iter()
            .map(|t| {
                vec![
                    t.task.clone(),
                    t.processed.to_string(),
                    t.failed.to_string(),
                    t.users.to_string(),
                    t.failed_users.to_string(),
                ]
            })
            .collect();
        out.push_str(&format!(
            "\n\nbuilt-in tasks, most failures first\n{}",
            table(&["task", "processed", "failed", "users", "failed users"], &tasks)
        ));
        out
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "How healthy are our lifecycle workflows this month, and which tasks fail most?",
        args: r#"{}"#,
        facts: &[
            Fact::AtLeast("runs/total", 20),
            Fact::Every("users/failed", "2"),
            Fact::Every("workflows/0/workflow", "Onboard new hires"),
            Fact::Every(
                "task_definitions/0/task",
                "Generate Temporary Access Pass and send via email to user's manager",
            ),
            Fact::Every("task_definitions/0/failed", "2"),
        ],
    },
    Example {
        question: "Lifecycle workflow success rate over the last two days",
        args: r#"{"since":"2d"}"#,
        facts: &[Fact::Every("users/failed", "0"), Fact::Every("users/success_rate", "100.0")],
    },
    Example {
        question: "Workflow insights with a start that is not a time",
        args: r#"{"since":"last quarter"}"#,
        facts: &[Fact::Fails(ErrorKind::InvalidInput), Fact::Says("since")],
    },
];

pub fn skill() -> Skill {
    Skill::new(GET_WORKFLOW_INSIGHTS, get_workflow_insights)
}
