//! `list_review_decisions`: the decisions of an access review instance — who was reviewed,
//! what was decided and by whom, whether it went against Entra's recommendation, why, and
//! whether it was applied.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::render::{or_dash, table};
use crate::shared::*;
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset};

use super::reviews_model::*;

const LIST_REVIEW_DECISIONS: Declaration = Declaration {
    name: "list_review_decisions",
    title: "List access review decisions",
    description: "The decisions of an access review: each reviewed person and resource, approve / deny / don't know / not reviewed, the reviewer, the justification, whether it went against the recommendation, and whether it was applied. Filter by decision, reviewer or against-recommendation. P2 or ID Governance. Security Reader.",
    toolset: Toolset::Governance,
    permissions: &["AccessReview.Read.All"],
    least_role: "Security Reader",
    access: Access::Read,
    beta: false,
    default: false,
    examples: EXAMPLES,
};

#[derive(Debug, Clone, Copy, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum DecisionKind {
    Approve,
    Deny,
    NotReviewed,
    DontKnow,
}

impl DecisionKind {
    fn graph(self) -> &'static str {
        match self {
            DecisionKind::Approve => "Approve",
            DecisionKind::Deny => "Deny",
            DecisionKind::NotReviewed => "NotReviewed",
            DecisionKind::DontKnow => "DontKnow",
        }
    }
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListReviewDecisionsParams {
    /// The review (id or name; its start is enough).
    pub review: String,
    /// An instance id; default: the one in progress, else the latest.
    pub instance: Option<String>,
    pub decision: Option<DecisionKind>,
    /// Only decisions made by this reviewer (display name, UPN or object id).
    pub reviewer: Option<String>,
    /// Only decisions that went against the recommendation (`true`) or followed it (`false`).
    pub against_recommendation: Option<bool>,
    #[serde(default)]
    pub limit: Limit,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct DecisionRow {
    pub id: String,
    /// The person (or app) whose access was reviewed.
    pub principal: String,
    pub principal_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub principal_upn: Option<String>,
    /// The group, app or role the access is to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    /// `approve`, `deny`, `dont_know`, `not_reviewed`.
    pub decision: String,
    /// Entra's recommendation: `approve`, `deny`, `no_info`.
    pub recommendation: String,
    pub against_recommendation: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reviewed_by: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reviewed_by_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reviewed: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub justification: Option<String>,
    /// `New` (not applied yet), `AppliedSuccessfully`, … as Graph says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub apply_result: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub applied: Option<String>,
}

impl DecisionRow {
    pub fn from_item(d: &DecisionItem) -> DecisionRow {
        let principal = d.principal();
        let reviewer = d.reviewer();
        DecisionRow {
            id: d.id.clone(),
            principal: principal.name(),
            principal_id: principal.id.clone(),
            principal_upn: principal.upn(),
            resource: d.resource_name(),
            decision: decision_word(d.decision()).to_string(),
            recommendation: decision_word(d.recommendation()).to_string(),
            against_recommendation: d.against_recommendation(),
            reviewed_by: reviewer.map(Identity::name),
            reviewed_by_id: reviewer.map(|r| r.id.clone()),
            reviewed: reviewer.and(d.reviewed_date_time.clone()),
            justification: d.justification().map(|j| crate::render::trim(&j, 200)),
            apply_result: d.apply_result.clone(),
            applied: d.applied_date_time.clone(),
        }
    }
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ReviewDecisions {
    pub review: ReviewRef,
    pub instance: InstanceRef,
    pub decisions: Vec<DecisionRow>,
    #[serde(flatten)]
    pub list: ListInfo,
}

async fn list_review_decisions(ctx: Ctx, p: ListReviewDecisionsParams) -> Result<ReviewDecisions, SkillError> {
    let limit = p.limit.get()?;
    let reviewer = p.reviewer.as_deref().map(|r| text("reviewer", r, 256)).transpose()?.map(|r| r.to_lowercase());
    let review = resolve_review(&ctx, &p.review).await?;
    let instance = pick_instance(&ctx, &review, p.instance.as_deref(), Want::Current).await?;
    let page = decisions(&ctx, &review.id, &instance.id, p.decision.map(DecisionKind::graph), 500).await?;
    let by_reviewer = |d: &DecisionItem| match (&reviewer, d.reviewer()) {
        (None, _) => true,
        (Some(_), None) => false,
        (Some(wanted), Some(r)) => {
            r.id.to_lowercase() == *wanted
                || r.display_name.as_deref().is_some_and(|n| n.to_lowercase() == *wanted)
                || r.user_principal_name.as_deref().is_some_and(|u| u.to_lowercase() == *wanted)
        }
    };
    let matching: Vec<DecisionRow> = page
        .items
        .iter()
        .filter(|d| by_reviewer(d))
        .filter(|d| p.against_recommendation.is_none_or(|a| d.against_recommendation() == a))
        .map(DecisionRow::from_item)
        .collect();
    if matching.is_empty() && reviewer.is_some() && !page.items.iter().any(by_reviewer) {
        ctx.note("no decision of this instance was made by that reviewer; list_review_reviewers shows who was asked");
    }
    let total = matching.len();
    let mut rows = matching;
    rows.truncate(limit);
    Ok(ReviewDecisions {
        review: review.reference(),
        instance: instance.reference(),
        list: ListInfo::new(
            rows.len(),
            Some(total as u64),
            page.more,
            "`decision`, `reviewer` or `against_recommendation`",
        ),
        decisions: rows,
    })
}

impl Render for ReviewDecisions {
    fn rows(&self) -> Option<usize> {
        Some(self.decisions.len())
    }

    fn cut_to(&mut self, rows: usize) {
        self.decisions.truncate(rows);
        self.list.cut(rows);
    }

    fn markdown(&self) -> String {
        let rows: Vec<Vec<String>> = self
            .decisions
            .iter()
            .map(|d| {
                let recommendation = if d.against_recommendation {
                    format!("{} (overridden)", d.recommendation)
                } else {
                    d.recommendation.clone()
                };
                vec![
                    d.principal.clone(),
                    or_dash(&d.resource),
                    d.decision.clone(),
                    recommendation,
                    or_dash(&d.reviewed_by),
                    or_dash(&d.justification),
                    d.apply_result.clone().unwrap_or_default(),
                    d.id.clone(),
                ]
            })
            .collect();
        let against = self.decisions.iter().filter(|d| d.against_recommendation).count();
        format!(
            "{} decisions of {} — instance {} ({}); {against} against the recommendation\n{}{}",
            self.list.returned,
            self.review.name,
            self.instance.id,
            self.instance.words(),
            table(
                &["principal", "resource", "decision", "recommendation", "reviewer", "justification", "applied", "id"],
                &rows
            ),
            self.list.footer()
        )
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Which decisions in the Sales CRM access review went against the recommendation?",
        args: r#"{"review":"Sales App Access","against_recommendation":true}"#,
        facts: &[
            Fact::Count("decisions/*", 2),
            Fact::Every("decisions/*/reviewed_by", "Alex Chen"),
            Fact::Some("decisions/*/principal", "Hugo Lambert"),
            Fact::Some("decisions/*/principal", "Yuki Tanaka"),
            Fact::Every("decisions/*/justification", "~"),
        ],
    },
    Example {
        question: "Who was denied in the Finance groups review, and why?",
        args: r#"{"review":"Finance Microsoft 365 Groups","decision":"deny"}"#,
        facts: &[
            Fact::Count("decisions/*", 1),
            Fact::Every("decisions/0/principal", "Wei Zhang"),
            Fact::Every("decisions/0/recommendation", "approve"),
            Fact::Every("decisions/0/justification", "Moved to the Treasury team"),
            Fact::Every("decisions/0/resource", "Finance Team"),
        ],
    },
    Example {
        question: "What did Daniel Moreau decide in the Finance review?",
        args: r#"{"review":"Finance Microsoft 365 Groups","reviewer":"daniel@woodgrovebank.com"}"#,
        facts: &[Fact::Count("decisions/*", 6), Fact::Every("decisions/*/reviewed_by", "Daniel Moreau")],
    },
    Example {
        question: "Decisions of a review with an unknown decision value",
        args: r#"{"review":"Sales App Access","decision":"maybe"}"#,
        facts: &[Fact::Fails(ErrorKind::InvalidInput)],
    },
];

pub fn skill() -> Skill {
    Skill::new(LIST_REVIEW_DECISIONS, list_review_decisions)
}
