//! `get_workflow_run_report`: how one lifecycle workflow's runs went over a window: each run
//! (scheduled or on demand, status, users processed and failed), the users it failed for with
//! the task that failed and Graph's reason, and the run and task totals. The runs, their
//! summary, the failed users and the task summary are read at once.

use chrono::{DateTime, Duration, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::graph::Query;
use crate::odata::Expr;
use crate::render::{fields, short_time, table};
use crate::shared::*;
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset};

use super::workflow_model::*;

const GET_WORKFLOW_RUN_REPORT: Declaration = Declaration {
    name: "get_workflow_run_report",
    title: "Lifecycle workflow run report",
    description: "How a joiner, mover or leaver workflow's runs went over a window (default 7 days): each run scheduled or on demand with users processed and failed, the users it failed for with the failed task and error, and task totals. ID Governance. Global Reader.",
    toolset: Toolset::Governance,
    permissions: &["LifecycleWorkflows-Reports.Read.All", "LifecycleWorkflows-Workflow.ReadBasic.All"],
    least_role: "Global Reader",
    access: Access::Read,
    beta: false,
    default: true,
    examples: EXAMPLES,
};

/// How far back Graph keeps workflow run history.
const RUN_HISTORY_DAYS: i64 = 30;
/// The most runs and failed users listed.
const MAX_ROWS: usize = 50;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetWorkflowRunReportParams {
    /// Workflow id or exact display name.
    pub workflow: String,
    /// Start of the window (default 7 days ago; at most 30 days).
    pub since: Option<Since>,
    /// End of the window (default now).
    pub until: Option<Since>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct RunSummary {
    pub runs: i64,
    pub successful_runs: i64,
    /// Runs that failed for at least one user.
    pub failed_runs: i64,
    pub users_processed: i64,
    pub tasks: i64,
    pub failed_tasks: i64,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct RunRow {
    pub id: String,
    pub started: Option<String>,
    /// `scheduled` or `on_demand`.
    pub processing_type: String,
    /// `completed`, `completedWithErrors`, `inProgress`, `queued`, `failed`, `canceled`.
    pub status: Option<String>,
    pub users: i64,
    pub failed_users: i64,
    pub failed_tasks: i64,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct FailedUser {
    pub user: String,
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upn: Option<String>,
    pub started: Option<String>,
    /// `scheduled` or `on_demand`.
    pub processing_type: String,
    /// The task that failed.
    pub failed_task: Option<String>,
    /// Graph's reason.
    pub error: Option<String>,
    /// Tasks that did not run because of the failure.
    pub skipped_tasks: i64,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct TaskSummary {
    pub total: i64,
    pub successful: i64,
    pub failed: i64,
    /// Queued, in progress or canceled.
    pub unprocessed: i64,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct WorkflowRunReport {
    pub workflow: String,
    pub workflow_id: String,
    pub category: Option<String>,
    pub since: String,
    pub until: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<RunSummary>,
    /// Newest first.
    pub runs: Vec<RunRow>,
    pub failed_users: Vec<FailedUser>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub task_summary: Option<TaskSummary>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct Run {
    id: String,
    started_date_time: Option<String>,
    processing_status: Option<String>,
    workflow_execution_type: Option<String>,
    total_users_count: i64,
    failed_users_count: i64,
    failed_tasks_count: i64,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct GraphRunSummary {
    failed_runs: i64,
    failed_tasks: i64,
    successful_runs: i64,
    total_runs: i64,
    total_tasks: i64,
    total_users: i64,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct UserResult {
    started_date_time: Option<String>,
    workflow_execution_type: Option<String>,
    total_unprocessed_tasks_count: i64,
    subject: Option<UserStub>,
    task_processing_results: Option<Vec<TaskResult>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct TaskResult {
    processing_status: Option<String>,
    failure_reason: Option<String>,
    task: Option<Task>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct TaskReportSummary {
    failed_tasks: i64,
    successful_tasks: i64,
    total_tasks: i64,
    unprocessed_tasks: i64,
}

fn processing_type(graph: Option<&str>) -> String {
    match graph {
        Some("onDemand") => "on_demand".into(),
        Some("scheduled") => "scheduled".into(),
        Some(other) => other.into(),
        None => "unknown".into(),
    }
}

/// The four reads of a report, once the workflow's id is known.
async fn report(
    ctx: &Ctx,
    path: &str,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> (
    Result<Vec<Run>, SkillError>,
    Result<GraphRunSummary, SkillError>,
    Result<Vec<UserResult>, SkillError>,
    Result<TaskReportSummary, SkillError>,
) {
    let in_window = Expr::ge("startedDateTime", start).and(Expr::le("startedDateTime", end));
    let runs = lw_get(format!("{path}/runs")).query(
        Query::new()
            .select(&[
                "id",
                "startedDateTime",
                "processingStatus",
                "workflowExecutionType",
                "totalUsersCount",
                "failedUsersCount",
                "failedTasksCount",
            ])
            .filter(in_window.clone())
            .orderby("startedDateTime desc")
            .top(MAX_ROWS),
    );
    let failed = Expr::eq("processingStatus", "failed").or(Expr::eq("processingStatus", "completedWithErrors"));
    let users = lw_get(format!("{path}/userProcessingResults")).query(
        Query::new()
            .select(&["id", "startedDateTime", "workflowExecutionType", "totalUnprocessedTasksCount", "subject"])
            .filter(failed.and(in_window))
            .expand("subject($select=id,displayName,userPrincipalName),taskProcessingResults")
            .orderby("startedDateTime desc")
            .top(MAX_ROWS),
    );
    let run_summary = lw_get(format!("{path}/runs/{}", windowed("summary", start, end)));
    let task_summary = lw_get(format!("{path}/taskReports/{}", windowed("summary", start, end)));
    let (runs, run_summary, users, task_summary) = tokio::join!(
        ctx.graph.list::<Run>(runs, MAX_ROWS),
        ctx.graph.get::<GraphRunSummary>(run_summary),
        ctx.graph.list::<UserResult>(users, MAX_ROWS),
        ctx.graph.get::<TaskReportSummary>(task_summary),
    );
    (runs.map(|p| p.items), run_summary, users.map(|p| p.items), task_summary)
}

async fn get_workflow_run_report(ctx: Ctx, p: GetWorkflowRunReportParams) -> Result<WorkflowRunReport, SkillError> {
    let (start, end) = window(&ctx, p.since.as_ref(), p.until.as_ref(), Duration::days(7), RUN_HISTORY_DAYS)?;
    let end = end.unwrap_or(ctx.now);
    const SELECT: &[&str] = &["id", "displayName", "category"];
    // With an id, the report's reads need not wait for the workflow's name.
    let (workflow, (runs, run_summary, users, task_summary)) = match given_id(&p.workflow) {
        Some(id) => {
            let path = workflow_path(&id)?;
            tokio::join!(find_workflow(&ctx, &p.workflow, SELECT, None), report(&ctx, &path, start, end))
        }
        None => {
            let workflow = find_workflow(&ctx, &p.workflow, SELECT, None).await?;
            let path = workflow_path(&workflow.id)?;
            (Ok(workflow), report(&ctx, &path, start, end).await)
        }
    };
    let workflow = workflow?;
    let runs = runs?;
    let summary = ctx.optional("run summary", run_summary).map(|s| RunSummary {
        runs: s.total_runs,
        successful_runs: s.successful_runs,
        failed_runs: s.failed_runs,
        users_processed: s.total_users,
        tasks: s.total_tasks,
        failed_tasks: s.failed_tasks,
    });
    let task_summary = ctx.optional("task summary", task_summary).map(|s| TaskSummary {
        total: s.total_tasks,
        successful: s.successful_tasks,
        failed: s.failed_tasks,
        unprocessed: s.unprocessed_tasks,
    });
    let failed_users = ctx
        .optional("failed users", users)
        .unwrap_or_default()
        .into_iter()
        .map(|u| {
            let failure = u
                .task_processing_results
                .unwrap_or_default()
                .into_iter()
                .find(|t| t.processing_status.as_deref() == Some("failed"));
            let subject = u.subject.unwrap_or_default();
            FailedUser {
                user: subject.display_name.clone().unwrap_or_else(|| subject.id.clone()),
                upn: subject.user_principal_name.clone(),
                id: subject.id,
                started: u.started_date_time,
                processing_type: processing_type(u.workflow_execution_type.as_deref()),
                failed_task: failure.as_ref().and_then(|f| f.task.as_ref()).and_then(|t| t.display_name.clone()),
                error: failure.and_then(|f| f.failure_reason).map(|r| crate::render::trim(&r, 200)),
                skipped_tasks: u.total_unprocessed_tasks_count,
            }
        })
        .collect();
    let runs = runs
        .into_iter()
        .map(|r| RunRow {
            id: r.id,
            started: r.started_date_time,
            processing_type: processing_type(r.workflow_execution_type.as_deref()),
            status: r.processing_status,
            users: r.total_users_count,
            failed_users: r.failed_users_count,
            failed_tasks: r.failed_tasks_count,
        })
        .collect();
    let stamp = |t: DateTime<Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    Ok(WorkflowRunReport {
        workflow: workflow.name(),
        workflow_id: workflow.id,
        category: workflow.category,
        since: stamp(start),
        until: stamp(end),
        summary,
        runs,
        failed_users,
        task_summary,
    })
}

impl Render for WorkflowRunReport {
    fn markdown(&self) -> String {
        let mut out = fields(&[
            ("workflow", Some(format!("{} ({})", self.workflow, self.workflow_id))),
            ("category", self.category.clone()),
            ("window", Some(format!("{} – {} UTC", short_time(&self.since), short_time(&self.until)))),
            (
                "runs",
                self.summary.as_ref().map(|s| {
                    format!(
                        "{} ({} successful, {} with failures); {} users processed; {} of {} tasks failed",
                        s.runs, s.successful_runs, s.failed_runs, s.users_processed, s.failed_tasks, s.tasks
                    )
                }),
            ),
            (
                "tasks",
                self.task_summary.as_ref().map(|t| {
                    format!(
                        "{} run: {} successful, {} failed, {} not processed",
                        t.total, t.successful, t.failed, t.unprocessed
                    )
                }),
            ),
        ]);
        let runs: Vec<Vec<String>> = self
            .runs
            .iter()
            .map(|r| {
                vec![
                    r.started.as_deref().map(short_time).unwrap_or_else(|| "-".into()),
                    r.processing_type.clone(),
                    r.status.clone().unwrap_or_default(),
                    r.users.to_string(),
                    r.failed_users.to_string(),
                    r.failed_tasks.to_string(),
                    r.id.clone(),
                ]
            })
            .collect();
        out.push_str(&format!(
            "\n\n{} runs\n{}",
            self.runs.len(),
            table(&["started (UTC)", "type", "status", "users", "failed users", "failed tasks", "id"], &runs)
        ));
        let failed: Vec<Vec<String>> = self
            .failed_users
            .iter()
            .map(|u| {
                vec![
                    u.user.clone(),
                    u.upn.clone().unwrap_or_else(|| u.id.clone()),
                    u.started.as_deref().map(short_time).unwrap_or_else(|| "-".into()),
                    u.processing_type.clone(),
                    u.failed_task.clone().unwrap_or_else(|| "-".into()),
                    u.error.clone().unwrap_or_else(|| "-".into()),
                    u.skipped_tasks.to_string(),
                ]
            })
            .collect();
        out.push_str(&format!(
            "\n\n{} failed users\n{}",
            self.failed_users.len(),
            table(&["user", "upn", "started (UTC)", "type", "failed task", "error", "skipped tasks"], &failed)
        ));
        out
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Did the onboarding workflow fail for any new starters this week, and why?",
        args: r#"{"workflow":"Onboard new hires"}"#,
        facts: &[
            Fact::Count("failed_users/*", 2),
            Fact::Some("failed_users/*/upn", "ravi.kumar@woodgrovebank.com"),
            Fact::Every("failed_users/*/failed_task", "Generate TAP and send email"),
            Fact::Every("failed_users/*/error", "~no manager"),
            Fact::Some("runs/*/processing_type", "on_demand"),
            Fact::AtLeast("runs/*", 8),
            Fact::Every("summary/failed_runs", "1"),
            Fact::Every("task_summary/failed", "2"),
        ],
    },
    Example {
        question: "Runs of the department move workflow in the last three days",
        args: r#"{"workflow":"Department move notifications","since":"3d"}"#,
        facts: &[
            Fact::Count("failed_users/*", 0),
            Fact::Every("runs/*/processing_type", "scheduled"),
            Fact::Some("runs/*/users", "1"),
            Fact::Every("category", "mover"),
        ],
    },
    Example {
        question: "Workflow run report with a window that ends before it starts",
        args: r#"{"workflow":"Onboard new hires","since":"2d","until":"5d"}"#,
        facts: &[Fact::Fails(ErrorKind::InvalidInput), Fact::Says("until")],
    },
];

pub fn skill() -> Skill {
    Skill::new(GET_WORKFLOW_RUN_REPORT, get_workflow_run_report)
}
