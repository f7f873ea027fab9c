//! `list_workflows`: the tenant's lifecycle workflows by name, category (joiner, mover,
//! leaver), enabled and scheduled, with what sets each off and, from one insights call, how
//! many runs and failed users each had in the last 7 days.

use std::collections::HashMap;

use chrono::Duration;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::graph::Query;
use crate::odata::Expr;
use crate::render::{or_dash, short_time, table, yes_no};
use crate::shared::*;
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset};

use super::workflow_model::*;

const LIST_WORKFLOWS_DECL: Declaration = Declaration {
    name: "list_workflows",
    title: "List lifecycle workflows",
    description: "Joiner, mover and leaver lifecycle workflows: name, category, enabled, scheduled, trigger, version, next run, and runs and failed users of the last 7 days. Filter by name, category, enabled or scheduled. ID Governance. Global Reader.",
    toolset: Toolset::Governance,
    permissions: &["LifecycleWorkflows-Workflow.ReadBasic.All", "LifecycleWorkflows-Reports.Read.All"],
    least_role: "Global Reader",
    access: Access::Read,
    beta: false,
    default: false,
    examples: EXAMPLES,
};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListWorkflowsParams {
    /// Words the workflow's name contains (case-insensitive).
    pub name: Option<String>,
    pub category: Option<Category>,
    /// `false`: only disabled workflows.
    pub enabled: Option<bool>,
    /// `true`: only workflows that run on the tenant's schedule.
    pub scheduled: Option<bool>,
    #[serde(default)]
    pub limit: Limit,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct WorkflowRow {
    pub id: String,
    pub name: String,
    /// `joiner`, `mover` or `leaver`.
    pub category: Option<String>,
    pub enabled: Option<bool>,
    pub scheduled: Option<bool>,
    pub version: Option<i64>,
    /// What sets it off, in words.
    pub trigger: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_run: Option<String>,
    /// Runs in the last 7 days (absent when the insights could not be read).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub runs_7d: Option<i64>,
    /// Users the runs of the last 7 days failed for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failed_users_7d: Option<i64>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct WorkflowList {
    pub workflows: Vec<WorkflowRow>,
    #[serde(flatten)]
    pub list: ListInfo,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct TopWorkflow {
    workflow_id: String,
    total_runs: i64,
    failed_users: i64,
}

/// Runs and failed users per workflow over the last 7 days, in one call.
async fn last_week(ctx: &Ctx) -> Result<HashMap<String, TopWorkflow>, SkillError> {
    let function = windowed("topWorkflowsProcessedSummary", ctx.now - Duration::days(7), ctx.now);
    let request = lw_get(format!("/insights/{function}"));
    let rows = ctx.graph.list::<TopWorkflow>(request, 100).await?.items;
    Ok(rows.into_iter().map(|r| (r.workflow_id.to_ascii_lowercase(), r)).collect())
}

async fn list_workflows(ctx: Ctx, p: ListWorkflowsParams) -> Result<WorkflowList, SkillError> {
    let limit = p.limit.get()?;
    let name = p.name.as_deref().map(|n| text("name", n, 120)).transpose()?.map(|n| n.to_lowercase());
    let mut clauses = Vec::new();
    if let Some(category) = p.category {
        clauses.push(Expr::eq("category", category.graph()));
    }
    if let Some(enabled) = p.enabled {
        clauses.push(Expr::eq("isEnabled", enabled));
    }
    if let Some(scheduled) = p.scheduled {
        clauses.push(Expr::eq("isSchedulingEnabled", scheduled));
    }
    // A tenant holds at most 50 workflows: all are read, and names matched here, since Graph
    // filters names by equality only.
    let request = lw_get("/workflows").query(
        Query::new()
            .select(&[
                "id",
                "displayName",
                "category",
                "isEnabled",
                "isSchedulingEnabled",
                "version",
                "nextScheduleRunDateTime",
                "executionConditions",
            ])
            .filter_opt(Expr::conjunction(clauses))
            .orderby("displayName"),
    );
    let (page, insights) = tokio::join!(ctx.graph.list::<Workflow>(request, 100), last_week(&ctx));
    let page = page?;
    let insights = ctx.optional("runs of the last 7 days", insights);
    let mut workflows: Vec<WorkflowRow> = page
        .items
        .into_iter()
        .filter(|w| name.as_ref().is_none_or(|n| w.name().to_lowercase().contains(n.as_str())))
        .map(|w| {
            let week = insights.as_ref().map(|i| i.get(&w.id.to_ascii_lowercase()));
            WorkflowRow {
                name: w.name(),
                trigger: trigger_info(w.execution_conditions.as_ref()).words,
                category: w.category,
                enabled: w.is_enabled,
                scheduled: w.is_scheduling_enabled,
                version: w.version,
                next_run: w.next_schedule_run_date_time,
                runs_7d: week.map(|r| r.map_or(0, |r| r.total_runs)),
                failed_users_7d: week.map(|r| r.map_or(0, |r| r.failed_users)),
                id: w.id,
            }
        })
        .collect();
    let total = workflows.len();
    workflows.truncate(limit);
    let list = ListInfo::new(workflows.len(), Some(total as u64), page.more, "`name`, `category` or `enabled`");
    Ok(WorkflowList { workflows, list })
}

impl Render for WorkflowList {
    fn rows(&self) -> Option<usize> {
        Some(self.workflows.len())
    }

    fn cut_to(&mut self, rows: usize) {
        self.workflows.truncate(rows);
        self.list.cut(rows);
    }

    fn markdown(&self) -> String {
        let rows: Vec<Vec<String>> = self
            .workflows
            .iter()
            .map(|w| {
                vec![
                    w.name.clone(),
                    or_dash(&w.category),
                    yes_no(w.enabled).unwrap_or_default(),
                    yes_no(w.scheduled).unwrap_or_default(),
                    w.version.map(|v| v.to_string()).unwrap_or_default(),
                    w.trigger.clone(),
                    w.next_run.as_deref().map(short_time).unwrap_or_else(|| "-".into()),
                    w.runs_7d.map(|r| r.to_string()).unwrap_or_else(|| "-".into()),
                    w.failed_users_7d.map(|r| r.to_string()).unwrap_or_else(|| "-".into()),
                    w.id.clone(),
                ]
            })
            .collect();
        format!(
            "{} lifecycle workflows\n{}{}",
            self.list.returned,
            table(
                &[
                    "workflow",
                    "category",
                    "enabled",
                    "scheduled",
                    "version",
                    "trigger",
                    "next run (UTC)",
                    "runs 7d",
                    "failed users 7d",
                    "id"
                ],
                &rows
            ),
            self.list.footer()
        )
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Which joiner, mover and leaver workflows do we have?",
        args: r#"{}"#,
        facts: &[
            Fact::Some("workflows/*/name", "Onboard new hires"),
            Fact::Some("workflows/*/category", "mover"),
            Fact::Some("workflows/*/failed_users_7d", "2"),
            Fact::Every("total", "4"),
            Fact::Says("2 days before the hire date"),
        ],
    },
    Example {
        question: "Which lifecycle workflows are switched off?",
        args: r#"{"enabled":false}"#,
        facts: &[
            Fact::Every("workflows/*/name", "Delete leaver accounts after 30 days"),
            Fact::Every("workflows/*/enabled", "false"),
        ],
    },
    Example {
        question: "Leaver workflows whose name mentions offboard",
        args: r#"{"category":"leaver","name":"offboard"}"#,
        facts: &[Fact::Count("workflows/*", 1), Fact::Every("workflows/*/category", "leaver")],
    },
    Example {
        question: "Workflows of a category that does not exist",
        args: r#"{"category":"retiree"}"#,
        facts: &[Fact::Fails(ErrorKind::InvalidInput)],
    },
];

pub fn skill() -> Skill {
    Skill::new(LIST_WORKFLOWS_DECL, list_workflows)
}
