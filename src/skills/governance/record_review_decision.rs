//! `record_review_decision`: the caller, as a reviewer the review contacted, records approve,
//! deny or don't know for 1–20 people of an instance in progress. A decision against Entra's
//! recommendation needs a justification, and so does an approval where the review demands
//! one: both are refused before Graph is called. Tier 2: decisions can be changed again until
//! the review ends, and nothing is removed before it is applied.

use std::sync::Arc;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::graph::GraphRequest;
use crate::render::{or_dash, table};
use crate::shared::*;
use crate::skill::write::WriteTarget;
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset, WritePlan};

use super::reviews_model::*;

const RECORD_REVIEW_DECISION: Declaration = Declaration {
    name: "record_review_decision",
    title: "Record access review decisions",
    description: "As an assigned reviewer, record approve, deny or don't know for 1–20 people in an access review in progress (by name, UPN or decision id). Overriding Entra's recommendation needs a justification. Preview first, then confirm. P2 or ID Governance; no role, you must be a reviewer.",
    toolset: Toolset::Governance,
    permissions: &["AccessReview.ReadWrite.All"],
    least_role: "none (an assigned reviewer)",
    access: Access::Write { tier: 2, idempotent: true },
    beta: false,
    default: false,
    examples: EXAMPLES,
};

#[derive(Debug, Clone, Copy, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ReviewerDecision {
    Approve,
    Deny,
    DontKnow,
}

impl ReviewerDecision {
    fn graph(self) -> &'static str {
        match self {
            ReviewerDecision::Approve => "Approve",
            ReviewerDecision::Deny => "Deny",
            ReviewerDecision::DontKnow => "DontKnow",
        }
    }
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionInput {
    /// The reviewed person: display name, UPN or object id (or give `decision_id`).
    pub principal: Option<String>,
    /// The decision item's id, from list_review_decisions.
    pub decision_id: Option<String>,
    pub decision: ReviewerDecision,
    /// Why; required when the decision goes against the recommendation.
    pub justification: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordReviewDecisionParams {
    /// The review (id or name; its start is enough).
    pub review: String,
    /// An instance id; default: the one in progress.
    pub instance: Option<String>,
    /// 1 to 20 decisions.
    pub decisions: Vec<DecisionInput>,
    /// A justification for every decision that gives none of its own.
    pub justification: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct RecordedDecision {
    pub id: String,
    pub principal: String,
    /// `approve`, `deny`, `dont_know`, … as Graph holds it after the change.
    pub decision: String,
    pub recommendation: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reviewed_by: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub justification: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct RecordedDecisions {
    pub review: ReviewRef,
    pub instance_id: String,
    pub decisions: Vec<RecordedDecision>,
}

const MAX_DECISIONS: usize = 20;

/// One decision to record, as `prepare` matched it.
struct Planned {
    item: DecisionItem,
    decision: ReviewerDecision,
    justification: Option<String>,
}

fn request(review: &str, instance: &str, planned: &Planned) -> GraphRequest {
    let mut body = json!({"decision": planned.decision.graph()});
    if let Some(j) = &planned.justification {
        body["justification"] = json!(j);
    }
    GraphRequest::patch(
        instance_path(review, instance, &format!("decisions/{}", crate::graph::segment(&planned.item.id))),
        body,
    )
}

/// The decision item an input names, among the instance's.
fn find<'a>(items: &'a [DecisionItem], input: &DecisionInput, index: usize) -> Result<&'a DecisionItem, SkillError> {
    let field = format!("decisions[{index}]");
    match (&input.decision_id, &input.principal) {
        (Some(id), None) => {
            let id = parse_guid(&format!("{field}.decision_id"), id)?.to_string();
            items.iter().find(|d| d.id.eq_ignore_ascii_case(&id)).ok_or_else(|| {
                SkillError::not_found(format!("decision {id} in this instance"), "list_review_decisions")
            })
        }
        (None, Some(who)) => {
            let given = text(&format!("{field}.principal"), who, 256)?;
            let who = given.to_lowercase();
            let matches: Vec<&DecisionItem> = items
                .iter()
                .filter(|d| {
                    let p = d.principal();
                    p.id.to_lowercase() == who
                        || p.user_principal_name.as_deref().is_some_and(|u| u.to_lowercase() == who)
                        || p.display_name.as_deref().is_some_and(|n| n.to_lowercase() == who)
                })
                .collect();
            match matches.as_slice() {
                [one] => Ok(one),
                [] => Err(SkillError::new(
                    ErrorKind::NotFound,
                    format!("'{}' is not among the people this review covers", shorten(&given)),
                )
                .with_remedy("`list_review_decisions` lists them, with each decision's id")),
                many => Err(SkillError::new(
                    ErrorKind::Ambiguous,
                    format!(
                        "{} decisions match '{}': {}",
                        many.len(),
                        shorten(&given),
                        many.iter()
                            .map(|d| format!("{} ({})", d.principal().name(), d.id))
                            .collect::<Vec<_>>()
                            .join("; ")
                    ),
                )
                .with_remedy(format!("give `{field}.decision_id` instead"))),
            }
        }
        _ => Err(SkillError::invalid_value(
            &field,
            "needs exactly one of `principal` and `decision_id`",
            "`principal` (display name, UPN or object id) or `decision_id`",
        )),
    }
}

/// Everything `prepare` and `apply` share: the review, its instance, the caller and the plan.
async fn plan(ctx: &Ctx, p: &RecordReviewDecisionParams) -> Result<(Definition, Instance, Vec<Planned>), SkillError> {
    if p.decisions.is_empty() || p.decisions.len() > MAX_DECISIONS {
        return Err(SkillError::invalid_value(
            "decisions",
            format!("holds {} decisions", p.decisions.len()),
            "1 to 20 decisions",
        ));
    }
    let shared = p.justification.as_deref().map(|j| text("justification", j, 500)).transpose()?;
    let review = resolve_review(ctx, &p.review).await?;
    let instance = pick_instance(ctx, &review, p.instance.as_deref(), Want::InProgress).await?;
    if instance.status() != "InProgress" {
        return Err(SkillError::invalid_value(
            "instance",
            format!("is {}; decisions can be recorded only while an instance is in progress", instance.status()),
            "the id of an instance in progress, or leave it out",
        ));
    }
    let (caller, people, items) = tokio::join!(
        caller_id(ctx),
        contacted(ctx, &review.id, &instance.id),
        decisions(ctx, &review.id, &instance.id, None, 500)
    );
    let (caller, people, items) = (caller?, people?, items?.items);
    if !people.iter().any(|r| r.id.eq_ignore_ascii_case(&caller)) {
        let names: Vec<String> =
            people.iter().map(|r| r.display_name.clone().unwrap_or_else(|| r.id.clone())).collect();
        return Err(SkillError::new(
            ErrorKind::Forbidden,
            format!(
                "you are not a reviewer of '{}' (its reviewers: {}); only they can record its decisions",
                review.name(),
                if names.is_empty() { "none".into() } else { names.join(", ") }
            ),
        )
        .with_remedy(
            "ask a reviewer to decide; `list_review_reviewers` with `reviewer: me` lists the reviews you must do",
        ));
    }
    let settings = review.settings();
    let mut planned: Vec<Planned> = Vec::new();
    for (index, input) in p.decisions.iter().enumerate() {
        let item = find(&items, input, index)?;
        if planned.iter().any(|x| x.item.id == item.id) {
            return Err(SkillError::invalid_value(
                "decisions",
                format!("names {} twice", item.principal().name()),
                "each person at most once",
            ));
        }
        let own = input
            .justification
            .as_deref()
            .map(|j| text(&format!("decisions[{index}].justification"), j, 500))
            .transpose()?;
        let justification = own.or_else(|| shared.clone());
        let value = input.decision.graph();
        let principal = item.principal().name();
        if against(value, item.recommendation()) && justification.is_none() {
            return Err(SkillError::invalid_value(
                &format!("decisions[{index}].justification"),
                format!(
                    "is missing: {} {principal} goes against the recommendation ({})",
                    if value == "Approve" { "approving" } else { "denying" },
                    decision_word(item.recommendation())
                ),
                "a short reason for overriding the recommendation, in `justification`",
            ));
        }
        if value == "Approve" && justification.is_none() && settings.justification_required_on_approval == Some(true) {
            return Err(SkillError::invalid_value(
                &format!("decisions[{index}].justification"),
                format!("is missing: '{}' requires a justification for every approval ({principal})", review.name()),
                "a short reason for keeping the access, in `justification`",
            ));
        }
        planned.push(Planned { item: item.clone(), decision: input.decision, justification });
    }
    Ok((review, instance, planned))
}

async fn prepare(ctx: Ctx, p: Arc<RecordReviewDecisionParams>) -> Result<WritePlan, SkillError> {
    let (review, instance, planned) = plan(&ctx, &p).await?;
    let targets = planned
        .iter()
        .map(|x| {
            let principal = x.item.principal();
            WriteTarget {
                name: format!("{} → {}", principal.name(), decision_word(x.decision.graph())),
                id: x.item.id.clone(),
                state: json!({
                    "decision": decision_word(x.item.decision()),
                    "reviewed_by": x.item.reviewer().map(Identity::name),
                }),
            }
        })
        .collect();
    let lines: Vec<String> = planned
        .iter()
        .map(|x| {
            let overridden = if against(x.decision.graph(), x.item.recommendation()) { ", overriding it" } else { "" };
            format!(
                "{} {} (recommendation {}{overridden})",
                decision_word(x.decision.graph()),
                x.item.principal().name(),
                decision_word(x.item.recommendation())
            )
        })
        .collect();
    Ok(WritePlan {
        targets,
        requests: planned.iter().map(|x| request(&review.id, &instance.id, x).describe()).collect(),
        effect: format!(
            "records in '{}' as you: {}. Nothing is removed until the review is applied",
            review.name(),
            lines.join("; ")
        ),
        undo: "record another decision for the same people while the review is in progress".into(),
        tier: 2,
        confirm_target: None,
    })
}

async fn apply(
    ctx: Ctx,
    p: Arc<RecordReviewDecisionParams>,
    _plan: WritePlan,
) -> Result<RecordedDecisions, SkillError> {
    let (review, instance, planned) = plan(&ctx, &p).await?;
    for x in &planned {
        ctx.graph.write(request(&review.id, &instance.id, x)).await?;
    }
    // Read back what Graph now holds.
    let after =
        ctx.optional("read-back", decisions(&ctx, &review.id, &instance.id, None, 500).await).map(|page| page.items);
    let decisions = planned
        .iter()
        .map(|x| {
            let now = after.as_ref().and_then(|items| items.iter().find(|d| d.id == x.item.id)).unwrap_or(&x.item);
            RecordedDecision {
                id: now.id.clone(),
                principal: now.principal().name(),
                decision: decision_word(now.decision()).to_string(),
                recommendation: decision_word(now.recommendation()).to_string(),
                reviewed_by: now.reviewer().map(Identity::name),
                justification: now.justification(),
            }
        })
        .collect();
    Ok(RecordedDecisions { review: review.reference(), instance_id: instance.id, decisions })
}

impl Render for RecordedDecisions {
    fn markdown(&self) -> String {
        let rows: Vec<Vec<String>> = self
            .decisions
            .iter()
            .map(|d| {
                vec![
                    d.principal.clone(),
                    d.decision.clone(),
                    d.recommendation.clone(),
                    or_dash(&d.reviewed_by),
                    or_dash(&d.justification),
                    d.id.clone(),
                ]
            })
            .collect();
        format!(
            "decisions recorded in {} (instance {})\n{}",
            self.review.name,
            self.instance_id,
            table(&["principal", "decision now", "recommendation", "reviewed by", "justification", "id"], &rows)
        )
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Record my decisions in the Sales CRM access review: deny Carla Ruiz, approve James Wilson",
        args: r#"{"review":"Sales App Access","decisions":[{"principal":"carla.ruiz@woodgrovebank.com","decision":"deny"},{"principal":"James Wilson","decision":"approve"}]}"#,
        facts: &[
            Fact::Every("pending_confirmation", "true"),
            Fact::Every("tier", "C2"),
            Fact::Count("targets/*", 2),
            Fact::Every("targets/*/state/decision", "not_reviewed"),
            Fact::Some("requests/*", "~PATCH v1.0 /identityGovernance/accessReviews/definitions/"),
            Fact::Says("Nothing is removed until the review is applied"),
        ],
    },
    Example {
        question: "Approve Carla Ruiz in the Sales review without saying why, although Entra recommends deny",
        args: r#"{"review":"Sales App Access","decisions":[{"principal":"Carla Ruiz","decision":"approve"}]}"#,
        facts: &[Fact::Fails(ErrorKind::InvalidInput), Fact::Says("against the recommendation")],
    },
    Example {
        question: "Record a decision in the Finance review, where I am not a reviewer",
        args: r#"{"review":"Finance Microsoft 365 Groups","decisions":[{"principal":"Robert King","decision":"deny"}]}"#,
        facts: &[Fact::Fails(ErrorKind::Forbidden), Fact::Says("not a reviewer")],
    },
    Example {
        question: "Record a decision for someone the review does not cover",
        args: r#"{"review":"Sales App Access","decisions":[{"principal":"Karita Ahlberg","decision":"deny"}]}"#,
        facts: &[Fact::Fails(ErrorKind::NotFound)],
    },
];

pub fn skill() -> Skill {
    Skill::write(RECORD_REVIEW_DECISION, prepare, apply)
}
