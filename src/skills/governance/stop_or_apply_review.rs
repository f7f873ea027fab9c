//! `stop_or_apply_review`: ends an access review instance in progress, or applies a completed
//! instance's decisions. Tier 3 — applying takes access away, and stopping ends the review
//! for every reviewer (and applies it too when the review applies itself) — so the preview
//! lists exactly whose access applying would remove, and the human re-types the review's
//! name. Never applied when it would remove a break-glass account.

use std::sync::Arc;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::graph::GraphRequest;
use crate::render::{fields, or_dash, table};
use crate::skill::write::WriteTarget;
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset, WritePlan};

use super::reviews_model::*;

const STOP_OR_APPLY_REVIEW: Declaration = Declaration {
    name: "stop_or_apply_review",
    title: "Stop or apply an access review",
    description: "Stop an access review in progress, or apply a completed review's decisions (denied people lose the group, app or role). The preview lists exactly whose access applying would remove; confirming needs the review's name re-typed. P2 or ID Governance. User Administrator (role reviews: Identity Governance Administrator).",
    toolset: Toolset::Governance,
    permissions: &["AccessReview.ReadWrite.All"],
    least_role: "User Administrator (role reviews: Identity Governance Administrator)",
    access: Access::Write { tier: 3, idempotent: false },
    beta: false,
    default: false,
    examples: EXAMPLES,
};

#[derive(Debug, Clone, Copy, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ReviewAction {
    /// End the instance in progress now.
    Stop,
    /// Apply the decisions of a completed instance.
    Apply,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StopOrApplyReviewParams {
    /// The review (id or name; its start is enough).
    pub review: String,
    pub action: ReviewAction,
    /// An instance id; default: the one in progress (stop) or the latest completed one (apply).
    pub instance: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct RemovalRow {
    pub principal: String,
    pub principal_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    /// Graph's result of applying the decision, after an apply.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub apply_result: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ReviewActionResult {
    pub review: ReviewRef,
    /// `stop` or `apply`.
    pub action: String,
    /// The instance as Graph reads it after the change.
    pub instance: InstanceRef,
    /// Access removed (or to be removed when the review is applied).
    pub removed: Vec<RemovalRow>,
    /// What happens next, in words.
    pub next: String,
}

/// Whose access a review's decisions take away when applied.
struct Removal {
    principal: Identity,
    resource: Option<String>,
    why: String,
}

fn graph_request(review: &str, instance: &str, action: ReviewAction) -> GraphRequest {
    let below = match action {
        ReviewAction::Stop => "stop",
        ReviewAction::Apply => "applyDecisions",
    };
    GraphRequest::post(instance_path(review, instance, below), json!({}))
}

/// The removals applying would make now (`stop`: once the default decision fills the items
/// nobody reviewed).
fn removals(items: &[DecisionItem], settings: &Settings, action: ReviewAction) -> Vec<Removal> {
    items
        .iter()
        .filter(|d| d.apply_result.as_deref().is_none_or(|r| r == "New"))
        .filter_map(|d| {
            let why = match (d.decision(), action, settings.default_decision()) {
                ("Deny", ..) => {
                    format!("denied by {}", d.reviewer().map(Identity::name).unwrap_or_else(|| "default".into()))
                }
                ("NotReviewed", ReviewAction::Stop, Some("Deny")) => "not reviewed; default decision deny".into(),
                ("NotReviewed", ReviewAction::Stop, Some("Recommendation")) if d.recommendation() == "Deny" => {
                    "not reviewed; default decision is the recommendation (deny)".into()
                }
                _ => return None,
            };
            Some(Removal { principal: d.principal(), resource: d.resource_name(), why })
        })
        .collect()
}

async fn prepare(ctx: Ctx, p: Arc<StopOrApplyReviewParams>) -> Result<WritePlan, SkillError> {
    let review = resolve_review(&ctx, &p.review).await?;
    let want = match p.action {
        ReviewAction::Stop => Want::InProgress,
        ReviewAction::Apply => Want::Completed,
    };
    let instance = pick_instance(&ctx, &review, p.instance.as_deref(), want).await?;
    let (allowed, accepted) = match p.action {
        ReviewAction::Stop => ("InProgress", "an instance in progress"),
        ReviewAction::Apply => ("Completed", "a completed instance whose decisions are not applied yet"),
    };
    if instance.status() != allowed {
        return Err(SkillError::invalid_value(
            "instance",
            format!(
                "is {}; `{}` needs {accepted}",
                instance.status(),
                if p.action == ReviewAction::Stop { "stop" } else { "apply" }
            ),
            "the id of such an instance, or leave it out",
        ));
    }
    let items = decisions(&ctx, &review.id, &instance.id, None, 500).await?;
    if items.more {
        return Err(SkillError::invalid_value(
            "review",
            "has more than 500 decisions, too many to list in a preview",
            "a review with at most 500 decisions; apply larger ones in the Entra admin center",
        ));
    }
    let settings = review.settings();
    let removals = removals(&items.items, &settings, p.action);
    // A review must not lock out the emergency access accounts.
    if let Some(r) = removals.iter().find(|r| ctx.guard.is_break_glass(&r.principal.id, r.principal.upn().as_deref())) {
        return Err(SkillError::invalid_value(
            "review",
            format!(
                "applying it would remove the break-glass account {}, which no change that removes access may target",
                r.principal.upn().unwrap_or_else(|| r.principal.id.clone())
            ),
            "a review whose decisions spare the break-glass accounts: record an approval for them first",
        ));
    }
    let listed: Vec<String> = removals
        .iter()
        .map(|r| match &r.resource {
            Some(resource) => format!("{} from {resource} ({})", r.principal.name(), r.why),
            None => format!("{} ({})", r.principal.name(), r.why),
        })
        .collect();
    let removes = if listed.is_empty() { "nothing".to_string() } else { listed.join("; ") };
    let not_reviewed = items.items.iter().filter(|d| d.decision() == "NotReviewed").count();
    let effect = match p.action {
        ReviewAction::Stop => {
            let then = if settings.auto_apply() {
                format!("the review applies itself at once and removes: {removes}")
            } else {
                format!("nothing is removed until it is applied (`action: apply`), which would remove: {removes}")
            };
            let filled = match settings.default_decision() {
                Some(default) => format!(
                    "the {not_reviewed} items nobody reviewed take the default decision ({})",
                    default.to_lowercase()
                ),
                None => format!("the {not_reviewed} items nobody reviewed stay not reviewed (no change)"),
            };
            format!("ends '{}' now: reviewers can no longer decide; {filled}; {then}", review.name())
        }
        ReviewAction::Apply => {
            format!("applies the decisions of '{}': removes {removes}; approvals keep their access", review.name())
        }
    };
    Ok(WritePlan {
        targets: vec![WriteTarget {
            name: review.name(),
            id: instance.id.clone(),
            state: json!({
                "status": instance.status(),
                "removes": removals.iter().map(|r| r.principal.id.clone()).collect::<Vec<_>>(),
            }),
        }],
        requests: vec![graph_request(&review.id, &instance.id, p.action).describe()],
        effect,
        undo: match p.action {
            ReviewAction::Stop => {
                "none: a stopped instance cannot be restarted; removed access must be granted again by hand".into()
            }
            ReviewAction::Apply => {
                "none in the review: add the removed people back to the group, app or role by hand".into()
            }
        },
        tier: 3,
        confirm_target: Some(review.name()),
    })
}

async fn apply(ctx: Ctx, p: Arc<StopOrApplyReviewParams>, plan: WritePlan) -> Result<ReviewActionResult, SkillError> {
    let target = plan.targets.first().ok_or_else(|| SkillError::new(ErrorKind::Upstream, "no instance to change"))?;
    let review = resolve_review(&ctx, &p.review).await?;
    ctx.graph.write(graph_request(&review.id, &target.id, p.action)).await?;
    // Read back the instance and its decisions as Graph now holds them.
    let (instance, items) = tokio::join!(
        pick_instance(&ctx, &review, Some(&target.id), Want::Current),
        decisions(&ctx, &review.id, &target.id, None, 500)
    );
    let instance = instance?;
    let items = ctx.optional("read-back of the decisions", items).map(|p| p.items).unwrap_or_default();
    let applied = instance.status() == "Applied";
    let removed: Vec<RemovalRow> = items
        .iter()
        .filter(|d| d.decision() == "Deny")
        .filter(|d| !applied || d.applied_date_time.is_some())
        .map(|d| {
            let principal = d.principal();
            RemovalRow {
                principal: principal.name(),
                principal_id: principal.id.clone(),
                resource: d.resource_name(),
                apply_result: d.apply_result.clone().filter(|r| r != "New"),
            }
        })
        .collect();
    let next = if applied {
        "applied: the denied people no longer have the access under review".to_string()
    } else if instance.status() == "Completed" {
        "stopped; apply it (`action: apply`) to remove the denied access".to_string()
    } else {
        format!("the instance is now {}", instance.status())
    };
    Ok(ReviewActionResult {
        review: review.reference(),
        action: if p.action == ReviewAction::Stop { "stop" } else { "apply" }.into(),
        instance: instance.reference(),
        removed,
        next,
    })
}

impl Render for ReviewActionResult {
    fn markdown(&self) -> String {
        let mut out = fields(&[
            ("review", Some(format!("{} ({})", self.review.name, self.review.id))),
            ("action", Some(self.action.clone())),
            ("instance", Some(format!("{} ({})", self.instance.id, self.instance.words()))),
            ("next", Some(self.next.clone())),
        ]);
        let rows: Vec<Vec<String>> = self
            .removed
            .iter()
            .map(|r| {
                vec![
                    r.principal.clone(),
                    or_dash(&r.resource),
                    r.apply_result.clone().unwrap_or_else(|| "not applied yet".into()),
                ]
            })
            .collect();
        out.push_str("\ndenied access:\n");
        out.push_str(&table(&["principal", "resource", "apply result"], &rows));
        out
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Stop the Sales CRM access review now; whose access would it remove?",
        args: r#"{"review":"Sales App Access","action":"stop"}"#,
        facts: &[
            Fact::Every("pending_confirmation", "true"),
            Fact::Every("tier", "C3"),
            Fact::Every("confirm_target_required", "~Sales App Access Q"),
            Fact::Some("requests/*", "~/stop"),
            Fact::Says("Yuki Tanaka from Sales CRM"),
            Fact::Says("Carla Ruiz"),
            Fact::Says("applies itself"),
        ],
    },
    Example {
        question: "Apply the Finance groups review before it has been stopped",
        args: r#"{"review":"Finance Microsoft 365 Groups","action":"apply"}"#,
        facts: &[Fact::Fails(ErrorKind::NotFound), Fact::Says("stop the instance in progress first")],
    },
    Example {
        question: "Stop the privileged roles review that already ended",
        args: r#"{"review":"Privileged Roles Review","action":"stop"}"#,
        facts: &[Fact::Fails(ErrorKind::NotFound)],
    },
    Example {
        question: "Pause the Sales CRM access review instead of stopping or applying it",
        args: r#"{"review":"Sales App Access","action":"pause"}"#,
        facts: &[Fact::Fails(ErrorKind::InvalidInput)],
    },
];

pub fn skill() -> Skill {
    Skill::write(STOP_OR_APPLY_REVIEW, prepare, apply)
}
