//! `list_deleted_workflows`: lifecycle workflows in the recycle bin, when each was deleted and
//! how many days are left to restore it (Graph keeps them 30 days).

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::graph::Query;
use crate::render::{or_dash, short_time, table};
use crate::shared::*;
use crate::skill::{Access, Ctx, Declaration, Example, Fact, Render, Skill, SkillError, Toolset};

use super::workflow_model::*;

const LIST_DELETED_WORKFLOWS: Declaration = Declaration {
    name: "list_deleted_workflows",
    title: "List deleted lifecycle workflows",
    description: "Lifecycle workflows deleted in the last 30 days: name, category, when deleted and days left to restore before they are gone for good. ID Governance. Global Reader.",
    toolset: Toolset::Governance,
    permissions: &["LifecycleWorkflows-Workflow.Read.All"],
    least_role: "Global Reader",
    access: Access::Read,
    beta: false,
    default: false,
    examples: EXAMPLES,
};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListDeletedWorkflowsParams {
    #[serde(default)]
    pub limit: Limit,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct DeletedWorkflowRow {
    pub id: String,
    pub name: String,
    pub category: Option<String>,
    pub version: Option<i64>,
    pub deleted: Option<String>,
    /// Days until Graph removes it for good.
    pub days_left: Option<i64>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct DeletedWorkflows {
    pub workflows: Vec<DeletedWorkflowRow>,
    #[serde(flatten)]
    pub list: ListInfo,
}

fn days_left(deleted: Option<&str>, now: DateTime<Utc>) -> Option<i64> {
    let deleted = DateTime::parse_from_rfc3339(deleted?).ok()?.with_timezone(&Utc);
    Some((DELETED_RETENTION_DAYS - (now - deleted).num_days()).max(0))
}

async fn list_deleted_workflows(ctx: Ctx, p: ListDeletedWorkflowsParams) -> Result<DeletedWorkflows, SkillError> {
    let limit = p.limit.get()?;
    let request = lw_get("/deletedItems/workflows").query(
        Query::new()
            .select(&["id", "displayName", "category", "version", "deletedDateTime"])
            .orderby("deletedDateTime desc")
            .top(limit.min(100)),
    );
    let page = ctx.graph.list::<Workflow>(request, limit).await?;
    let workflows: Vec<DeletedWorkflowRow> = page
        .items
        .into_iter()
        .map(|w| DeletedWorkflowRow {
            name: w.name(),
            days_left: days_left(w.deleted_date_time.as_deref(), ctx.now),
            id: w.id,
            category: w.category,
            version: w.version,
            deleted: w.deleted_date_time,
        })
        .collect();
    let list = ListInfo::new(workflows.len(), None, page.more, "`limit`");
    Ok(DeletedWorkflows { workflows, list })
}

impl Render for DeletedWorkflows {
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
                    w.deleted.as_deref().map(short_time).unwrap_or_else(|| "-".into()),
                    w.days_left.map(|d| d.to_string()).unwrap_or_else(|| "-".into()),
                    w.id.clone(),
                ]
            })
            .collect();
        let restore = if self.workflows.is_empty() {
            ""
        } else {
            "\nrestore one with POST /identityGovernance/lifecycleWorkflows/deletedItems/workflows/{id}/restore"
        };
        format!(
            "{} deleted workflows\n{}{restore}{}",
            self.list.returned,
            table(&["workflow", "category", "deleted (UTC)", "days left", "id"], &rows),
            self.list.footer()
        )
    }
}

const EXAMPLES: &[Example] = &[Example {
    question: "Which lifecycle workflows were deleted, and can we still restore them?",
    args: r#"{}"#,
    facts: &[
        Fact::Every("workflows/*/name", "Onboard contractors"),
        Fact::Every("workflows/*/days_left", "21"),
        Fact::Says("restore"),
    ],
}];

pub fn skill() -> Skill {
    Skill::new(LIST_DELETED_WORKFLOWS, list_deleted_workflows)
}
