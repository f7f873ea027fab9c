//! `list_access_reviews`: the tenant's access review series by state or name, each with its
//! instance in progress; the pending ones come first, soonest due.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::graph::{GraphRequest, Query};
use crate::odata::Expr;
use crate::render::{short_time, table};
use crate::shared::*;
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset};

use super::reviews_model::*;

const LIST_ACCESS_REVIEWS: Declaration = Declaration {
    name: "list_access_reviews",
    title: "List access reviews",
    description: "Access reviews (review series) by state or name, each with its instance in progress and when it is due; pending reviews first, soonest due. Use get_access_review for one review's scope, reviewers and settings. P2 or ID Governance. Security Reader.",
    toolset: Toolset::Governance,
    permissions: &["AccessReview.Read.All"],
    least_role: "Security Reader",
    access: Access::Read,
    beta: false,
    default: true,
    examples: EXAMPLES,
};

#[derive(Debug, Clone, Copy, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ReviewStatus {
    InProgress,
    NotStarted,
    Completed,
}

impl ReviewStatus {
    fn graph(self) -> &'static str {
        match self {
            ReviewStatus::InProgress => "InProgress",
            ReviewStatus::NotStarted => "NotStarted",
            ReviewStatus::Completed => "Completed",
        }
    }
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListAccessReviewsParams {
    /// Only review series in this state.
    pub status: Option<ReviewStatus>,
    /// Part of the review's name (case-insensitive).
    pub name: Option<String>,
    /// Only reviews with an instance in progress, soonest due first.
    pub pending: Option<bool>,
    #[serde(default)]
    pub limit: Limit,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ReviewRow {
    pub id: String,
    pub name: String,
    /// The series' state as Graph says (`InProgress`, `NotStarted`, `Completed`, …).
    pub status: String,
    /// What it reviews: `group`, `app`, `role`, `guests` or `other`.
    pub scope: String,
    /// The instance in progress, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_instance: Option<InstanceRef>,
    /// Whole days until the instance in progress ends.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub days_left: Option<i64>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct AccessReviewList {
    pub reviews: Vec<ReviewRow>,
    #[serde(flatten)]
    pub list: ListInfo,
}

/// The most series whose instances are read (one request each).
const INSTANCES_READ: usize = 50;

async fn list_access_reviews(ctx: Ctx, p: ListAccessReviewsParams) -> Result<AccessReviewList, SkillError> {
    let limit = p.limit.get()?;
    let name = p.name.as_deref().map(|n| text("name", n, 120)).transpose()?.map(|n| n.to_lowercase());
    let query = Query::new()
        .select(&["id", "displayName", "status", "scope", "instanceEnumerationScope"])
        .filter_opt(p.status.map(|s| Expr::eq("status", s.graph())))
        .orderby("displayName")
        .top(100);
    let page = ctx.graph.list::<Definition>(GraphRequest::get(DEFINITIONS).query(query), 500).await?;
    let series: Vec<Definition> = page
        .items
        .into_iter()
        .filter(|d| {
            name.as_ref().is_none_or(|n| d.display_name.as_deref().unwrap_or_default().to_lowercase().contains(n))
        })
        .collect();

    // Only a series in progress has an instance in progress.
    let running: Vec<&Definition> = series.iter().filter(|d| d.status.as_deref() == Some("InProgress")).collect();
    if running.len() > INSTANCES_READ {
        ctx.note(format!(
            "instances read for the first {INSTANCES_READ} of {} reviews in progress; narrow with `name`",
            running.len()
        ));
    }
    let ctx_ref = &ctx;
    let reads: Vec<_> = running
        .iter()
        .take(INSTANCES_READ)
        .map(|d| {
            let id = d.id.clone();
            async move { (id.clone(), instances(ctx_ref, &id, Some("InProgress")).await) }
        })
        .collect();
    let mut current: std::collections::HashMap<String, Instance> = std::collections::HashMap::new();
    for (id, result) in at_most_eight(reads).await {
        match result {
            Ok(list) => {
                if let Some(instance) = in_progress(&list) {
                    current.insert(id, instance.clone());
                }
            }
            Err(e) if e.kind == ErrorKind::Throttled => return Err(e),
            Err(e) => ctx.note(format!("instances of review {id} unavailable: {}", e.kind.as_str())),
        }
    }

    let mut rows: Vec<ReviewRow> = series
        .iter()
        .map(|d| {
            let instance = current.get(&d.id);
            ReviewRow {
                id: d.id.clone(),
                name: d.name(),
                status: d.status.clone().unwrap_or_else(|| "unknown".into()),
                scope: scope_kind(d).word().to_string(),
                current_instance: instance.map(Instance::reference),
                days_left: instance.and_then(|i| days_until(&ctx, i.end_date_time.as_deref())),
            }
        })
        .filter(|r| p.pending != Some(true) || r.current_instance.is_some())
        .collect();
    // Pending reviews first, soonest due; then the rest by name (as Graph ordered them).
    rows.sort_by(|a, b| {
        let due = |r: &ReviewRow| r.current_instance.as_ref().and_then(|i| i.due.clone());
        match (due(a), due(b)) {
            (Some(x), Some(y)) => x.cmp(&y),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        }
    });
    let total = rows.len();
    rows.truncate(limit);
    let list = ListInfo::new(rows.len(), Some(total as u64), page.more, "`status`, `name` or `pending`");
    Ok(AccessReviewList { reviews: rows, list })
}

fn days_until(ctx: &Ctx, time: Option<&str>) -> Option<i64> {
    let end = chrono::DateTime::parse_from_rfc3339(time?).ok()?.with_timezone(&chrono::Utc);
    Some((end - ctx.now).num_days())
}

impl Render for AccessReviewList {
    fn rows(&self) -> Option<usize> {
        Some(self.reviews.len())
    }

    fn cut_to(&mut self, rows: usize) {
        self.reviews.truncate(rows);
        self.list.cut(rows);
    }

    fn markdown(&self) -> String {
        let rows: Vec<Vec<String>> = self
            .reviews
            .iter()
            .map(|r| {
                let (instance, due) = match &r.current_instance {
                    Some(i) => (
                        i.id.clone(),
                        i.due.as_deref().map(short_time).map_or_else(String::new, |d| match r.days_left {
                            Some(days) => format!("{d} ({days} d)"),
                            None => d,
                        }),
                    ),
                    None => ("-".into(), "-".into()),
                };
                vec![r.name.clone(), r.status.clone(), r.scope.clone(), due, instance, r.id.clone()]
            })
            .collect();
        let pending = self.reviews.iter().filter(|r| r.current_instance.is_some()).count();
        format!(
            "{} access reviews ({pending} pending)\n{}{}",
            self.list.returned,
            table(&["review", "status", "scope", "due (UTC)", "instance in progress", "id"], &rows),
            self.list.footer()
        )
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Which access reviews are pending, and which is due first?",
        args: r#"{"pending":true}"#,
        facts: &[
            Fact::Count("reviews/*", 2),
            Fact::Every("reviews/0/name", "~Sales App Access Q"),
            Fact::Every("reviews/1/name", "~Finance Microsoft 365 Groups Q"),
            Fact::Every("reviews/*/current_instance/status", "InProgress"),
            Fact::Says("pending"),
        ],
    },
    Example {
        question: "List every access review in the tenant, including completed and not started ones",
        args: r#"{}"#,
        facts: &[
            Fact::Count("reviews/*", 4),
            Fact::Some("reviews/*/status", "Completed"),
            Fact::Some("reviews/*/status", "NotStarted"),
            Fact::Some("reviews/*/scope", "role"),
            Fact::Some("reviews/*/scope", "app"),
        ],
    },
    Example {
        question: "Find the access reviews of the Finance groups",
        args: r#"{"name":"finance"}"#,
        facts: &[Fact::Count("reviews/*", 1), Fact::Every("reviews/*/scope", "group")],
    },
    Example {
        question: "Access reviews in an unknown state",
        args: r#"{"status":"paused"}"#,
        facts: &[Fact::Fails(ErrorKind::InvalidInput)],
    },
];

pub fn skill() -> Skill {
    Skill::new(LIST_ACCESS_REVIEWS, list_access_reviews)
}
