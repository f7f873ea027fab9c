//! `analyze_review_decisions`: how an access review is going, as facts: decisions against
//! recommendations, counts per reviewer, reviewers who have not acted, each decision checked
//! against the reviewed user's account (disabled, past the leave date, last sign-in, guest)
//! and what applying the review would remove.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::graph::resources::User;
use crate::graph::{GraphRequest, Query, path};
use crate::render::{fields, or_dash, short_time, table};
use crate::shared::*;
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset};

use super::reviews_model::*;

const ANALYZE_REVIEW_DECISIONS: Declaration = Declaration {
    name: "analyze_review_decisions",
    title: "Analyze access review decisions",
    description: "Audit an access review's decisions: approve/deny counts per reviewer, decisions that overrode Entra's recommendation with reviewer and justification, each checked against the user's account (disabled, past leave date, inactive, guest, self-review), reviewers who have not acted, and what applying the review would remove. P2 or ID Governance. Security Reader, plus Reports Reader for last sign-in.",
    toolset: Toolset::Governance,
    permissions: &["AccessReview.Read.All", "User.Read.All", "AuditLog.Read.All"],
    least_role: "Security Reader (Reports Reader for last sign-in)",
    access: Access::Read,
    beta: false,
    default: true,
    examples: EXAMPLES,
};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AnalyzeReviewDecisionsParams {
    /// The review (id or name; its start is enough).
    pub review: String,
    /// An instance id; default: the one in progress, else the latest.
    pub instance: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct MatrixRow {
    /// `approve`, `deny`, `dont_know`, `not_reviewed`.
    pub decision: String,
    /// How many of them Entra recommended to approve.
    pub recommended_approve: usize,
    pub recommended_deny: usize,
    pub no_recommendation: usize,
    pub total: usize,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ReviewerTally {
    pub reviewer: String,
    pub id: String,
    pub approved: usize,
    pub denied: usize,
    pub dont_know: usize,
    pub against_recommendation: usize,
}

/// What the reviewed user's account says.
#[derive(Debug, Default, Serialize, JsonSchema)]
pub struct Signals {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub leave_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_sign_in: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub days_since_sign_in: Option<i64>,
}

/// A decision worth an auditor's eye: against the recommendation, or at odds with the account.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Finding {
    pub principal: String,
    pub principal_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub principal_upn: Option<String>,
    pub decision: String,
    pub recommendation: String,
    pub against_recommendation: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reviewer: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub justification: Option<String>,
    pub signals: Signals,
    /// Facts at odds with the decision ("approved though the account is disabled").
    pub flags: Vec<String>,
    pub decision_id: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Removal {
    pub principal: String,
    pub principal_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    /// Why: denied by whom, or the default decision.
    pub reason: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ReviewAnalysis {
    pub review: ReviewRef,
    pub instance: InstanceRef,
    pub items: usize,
    pub reviewed: usize,
    pub not_reviewed: usize,
    /// Decision × recommendation.
    pub matrix: Vec<MatrixRow>,
    pub by_reviewer: Vec<ReviewerTally>,
    /// Contacted reviewers who have recorded no decision (while the instance is in progress).
    pub pending_reviewers: Vec<PersonRef>,
    pub findings: Vec<Finding>,
    /// What applying the decisions would take away; empty once applied.
    pub would_remove: Vec<Removal>,
    pub applied: bool,
}

/// The most principals whose accounts are read (one request each).
const SIGNALS_READ: usize = 200;
/// Days without a sign-in after which an approval is flagged.
const INACTIVE_DAYS: i64 = 90;
/// Days within which a sign-in makes a denial worth a look.
const ACTIVE_DAYS: i64 = 30;

/// The accounts of the reviewed users: enabled, type, leave date and, where the caller may
/// read it, the last sign-in.
async fn accounts(ctx: &Ctx, ids: &[String]) -> HashMap<String, User> {
    async fn read(ctx: &Ctx, ids: &[String], activity: bool) -> Vec<Result<User, SkillError>> {
        let select: &'static [&'static str] = if activity {
            &["id", "accountEnabled", "userType", "employeeLeaveDateTime", "signInActivity"]
        } else {
            &["id", "accountEnabled", "userType", "employeeLeaveDateTime"]
        };
        let reads: Vec<_> = ids
            .iter()
            .map(|id| {
                ctx.graph.get::<User>(GraphRequest::get(path("/users/{}", &[id])).query(Query::new().select(select)))
            })
            .collect();
        at_most_eight(reads).await
    }
    let mut results = read(ctx, ids, true).await;
    if results.iter().any(|r| r.as_ref().is_err_and(|e| e.kind == ErrorKind::Forbidden)) {
        ctx.note("last sign-in hidden: it needs Reports Reader (or Security Reader) and AuditLog.Read.All; accounts read without it");
        results = read(ctx, ids, false).await;
    }
    let failed = results.iter().filter(|r| r.is_err()).count();
    if failed > 0 {
        ctx.note(format!("{failed} reviewed accounts could not be read (deleted, or not users)"));
    }
    results.into_iter().filter_map(Result::ok).map(|u| (u.id.to_ascii_lowercase(), u)).collect()
}

fn parse(time: Option<&str>) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(time?).ok().map(|t| t.with_timezone(&Utc))
}

fn signals(ctx: &Ctx, user: Option<&User>) -> Signals {
    let Some(user) = user else { return Signals::default() };
    let last = user.sign_in_activity.as_ref().and_then(|a| a.last_sign_in_date_time.clone());
    Signals {
        enabled: user.account_enabled,
        user_type: user.user_type.clone(),
        leave_date: user.employee_leave_date_time.clone(),
        days_since_sign_in: parse(last.as_deref()).map(|t| (ctx.now - t).num_days()),
        last_sign_in: last,
    }
}

fn flags(ctx: &Ctx, d: &DecisionItem, s: &Signals, read_activity: bool) -> Vec<String> {
    let mut out = Vec::new();
    match d.decision() {
        "Approve" => {
            if s.enabled == Some(false) {
                out.push("approved though the account is disabled".to_string());
            }
            if let Some(leave) = parse(s.leave_date.as_deref()).filter(|t| *t <= ctx.now) {
                out.push(format!("approved past the leave date ({})", leave.format("%Y-%m-%d")));
            }
            match s.days_since_sign_in {
                Some(days) if days > INACTIVE_DAYS => out.push(format!("approved though inactive for {days} days")),
                None if read_activity && s.enabled.is_some() => out.push("approved though never signed in".to_string()),
                _ => {}
            }
        }
        "Deny" => {
            if s.enabled == Some(true)
                && let Some(days) = s.days_since_sign_in.filter(|d| *d <= ACTIVE_DAYS)
            {
                let when = if days == 0 { "today".to_string() } else { format!("{days} days ago") };
                out.push(format!("denied though active (signed in {when})"));
            }
        }
        _ => {}
    }
    if let Some(reviewer) = d.reviewer()
        && reviewer.id.eq_ignore_ascii_case(&d.principal().id)
    {
        out.push("self-review".to_string());
    }
    out
}

async fn analyze_review_decisions(ctx: Ctx, p: AnalyzeReviewDecisionsParams) -> Result<ReviewAnalysis, SkillError> {
    let review = resolve_review(&ctx, &p.review).await?;
    let instance = pick_instance(&ctx, &review, p.instance.as_deref(), Want::Current).await?;
    let (items, people) =
        tokio::join!(decisions(&ctx, &review.id, &instance.id, None, 500), contacted(&ctx, &review.id, &instance.id));
    let page = items?;
    if page.more {
        ctx.note("the instance has more than 500 decisions; the first 500 were analysed");
    }
    let items = page.items;
    let people = ctx.optional("contacted reviewers", people).unwrap_or_default();

    // The accounts behind the decisions someone made.
    let mut ids: Vec<String> = Vec::new();
    for d in items.iter().filter(|d| d.decision() != "NotReviewed") {
        let id = d.principal().id;
        let is_user =
            d.principal.as_ref().and_then(|p| p.odata_type.as_deref()).is_none_or(|t| t.ends_with("userIdentity"));
        if is_user && guid(&id).is_some() && !ids.contains(&id) {
            ids.push(id);
        }
    }
    if ids.len() > SIGNALS_READ {
        ctx.note(format!("accounts read for the first {SIGNALS_READ} of {} reviewed users", ids.len()));
        ids.truncate(SIGNALS_READ);
    }
    let accounts = accounts(&ctx, &ids).await;
    let read_activity = accounts.values().any(|u| u.sign_in_activity.is_some());

    let words = ["Approve", "Deny", "DontKnow", "NotReviewed"];
    let matrix: Vec<MatrixRow> = words
        .iter()
        .map(|w| {
            let of = |r: &str| items.iter().filter(|d| d.decision() == *w && d.recommendation() == r).count();
            let total = items.iter().filter(|d| d.decision() == *w).count();
            MatrixRow {
                decision: decision_word(w).to_string(),
                recommended_approve: of("Approve"),
                recommended_deny: of("Deny"),
                no_recommendation: total - of("Approve") - of("Deny"),
                total,
            }
        })
        .collect();

    let mut tallies: Vec<ReviewerTally> = Vec::new();
    for d in &items {
        let Some(r) = d.reviewer() else { continue };
        let index = match tallies.iter().position(|t| t.id.eq_ignore_ascii_case(&r.id)) {
            Some(i) => i,
            None => {
                tallies.push(ReviewerTally {
                    reviewer: r.name(),
                    id: r.id.clone(),
                    approved: 0,
                    denied: 0,
                    dont_know: 0,
                    against_recommendation: 0,
                });
                tallies.len() - 1
            }
        };
        let t = &mut tallies[index];
        match d.decision() {
            "Approve" => t.approved += 1,
            "Deny" => t.denied += 1,
            "DontKnow" => t.dont_know += 1,
            _ => {}
        }
        if d.against_recommendation() {
            t.against_recommendation += 1;
        }
    }
    // Who has not acted is known while the instance runs; afterwards (and for a multi-stage
    // review, whose decisions name the last stage's reviewers) it is not.
    let running = instance.status() == "InProgress";
    if running && !review.stage_settings.is_empty() {
        ctx.note("a multi-stage review: decisions name the current stage's reviewers only");
    }
    let pending_reviewers: Vec<PersonRef> = people
        .iter()
        .filter(|_| running)
        .filter(|p| !tallies.iter().any(|t| t.id.eq_ignore_ascii_case(&p.id)))
        .map(|p| PersonRef {
            id: p.id.clone(),
            display_name: p.display_name.clone(),
            upn: p.user_principal_name.clone(),
        })
        .collect();

    let mut findings = Vec::new();
    for d in items.iter().filter(|d| d.decision() != "NotReviewed") {
        let principal = d.principal();
        let s = signals(&ctx, accounts.get(&principal.id.to_ascii_lowercase()));
        let flags = flags(&ctx, d, &s, read_activity);
        if flags.is_empty() && !d.against_recommendation() {
            continue;
        }
        findings.push(Finding {
            principal: principal.name(),
            principal_upn: principal.upn(),
            principal_id: principal.id.clone(),
            decision: decision_word(d.decision()).to_string(),
            recommendation: decision_word(d.recommendation()).to_string(),
            against_recommendation: d.against_recommendation(),
            reviewer: d.reviewer().map(Identity::name),
            justification: d.justification().map(|j| crate::render::trim(&j, 200)),
            signals: s,
            flags,
            decision_id: d.id.clone(),
        });
    }

    let applied = instance.status() == "Applied";
    let settings = review.settings();
    let mut would_remove = Vec::new();
    if applied {
        ctx.note("the decisions of this instance are applied already; nothing is left to remove");
    } else {
        for d in items.iter().filter(|d| d.apply_result.as_deref().is_none_or(|r| r == "New")) {
            let principal = d.principal();
            let reason = match (d.decision(), settings.default_decision()) {
                ("Deny", _) => {
                    format!("denied by {}", d.reviewer().map(Identity::name).unwrap_or_else(|| "the review".into()))
                }
                ("NotReviewed", Some("Deny")) if instance.status() == "InProgress" => {
                    "not reviewed; the default decision (deny) applies when the review ends".to_string()
                }
                ("NotReviewed", Some("Recommendation"))
                    if instance.status() == "InProgress" && d.recommendation() == "Deny" =>
                {
                    "not reviewed; the default decision (the recommendation: deny) applies when the review ends"
                        .to_string()
                }
                _ => continue,
            };
            would_remove.push(Removal {
                principal: principal.name(),
                principal_id: principal.id.clone(),
                resource: d.resource_name(),
                reason,
            });
        }
    }
    let not_reviewed = items.iter().filter(|d| d.decision() == "NotReviewed").count();
    Ok(ReviewAnalysis {
        review: review.reference(),
        instance: instance.reference(),
        items: items.len(),
        reviewed: items.len() - not_reviewed,
        not_reviewed,
        matrix,
        by_reviewer: tallies,
        pending_reviewers,
        findings,
        would_remove,
        applied,
    })
}

impl Render for ReviewAnalysis {
    fn markdown(&self) -> String {
        let mut out = fields(&[
            ("review", Some(format!("{} ({})", self.review.name, self.review.id))),
            ("instance", Some(format!("{} ({})", self.instance.id, self.instance.words()))),
            ("items", Some(format!("{} — {} reviewed, {} not reviewed", self.items, self.reviewed, self.not_reviewed))),
            (
                "reviewers who have not acted",
                Some(if self.instance.status != "InProgress" {
                    "n/a (the instance has ended)".to_string()
                } else if self.pending_reviewers.is_empty() {
                    "none".to_string()
                } else {
                    self.pending_reviewers
                        .iter()
                        .map(|p| p.display_name.clone().unwrap_or_else(|| p.id.clone()))
                        .collect::<Vec<_>>()
                        .join(", ")
                }),
            ),
        ]);
        let matrix: Vec<Vec<String>> = self
            .matrix
            .iter()
            .filter(|m| m.total > 0)
            .map(|m| {
                vec![
                    m.decision.clone(),
                    m.recommended_approve.to_string(),
                    m.recommended_deny.to_string(),
                    m.no_recommendation.to_string(),
                ]
            })
            .collect();
        out.push_str("\ndecision × recommendation:\n");
        out.push_str(&table(&["decision", "recommended approve", "recommended deny", "no recommendation"], &matrix));
        let tallies: Vec<Vec<String>> = self
            .by_reviewer
            .iter()
            .map(|t| {
                vec![
                    t.reviewer.clone(),
                    t.approved.to_string(),
                    t.denied.to_string(),
                    t.dont_know.to_string(),
                    t.against_recommendation.to_string(),
                ]
            })
            .collect();
        out.push_str("\nby reviewer:\n");
        out.push_str(&table(&["reviewer", "approved", "denied", "don't know", "against recommendation"], &tallies));
        out.push_str("\nfindings:");
        if self.findings.is_empty() {
            out.push_str(" none");
        }
        for f in &self.findings {
            let mut facts: Vec<String> = Vec::new();
            if f.against_recommendation {
                facts.push(format!("against the recommendation ({})", f.recommendation));
            }
            facts.extend(f.flags.iter().cloned());
            if f.signals.user_type.as_deref() == Some("Guest") {
                facts.push("guest".into());
            }
            if let Some(last) = &f.signals.last_sign_in {
                facts.push(format!("last sign-in {}", short_time(last)));
            }
            let why = f.justification.as_deref().map(|j| format!(" — \"{j}\"")).unwrap_or_default();
            out.push_str(&format!(
                "\n- {} ({}): {} by {}{why}; {}",
                f.principal,
                f.principal_id,
                f.decision,
                or_dash(&f.reviewer),
                facts.join("; ")
            ));
        }
        out.push_str("\napplying would remove: ");
        if self.would_remove.is_empty() {
            out.push_str(if self.applied { "nothing (already applied)" } else { "nothing" });
        } else {
            let removals: Vec<String> = self
                .would_remove
                .iter()
                .map(|r| match &r.resource {
                    Some(resource) => format!("{} from {resource} ({})", r.principal, r.reason),
                    None => format!("{} ({})", r.principal, r.reason),
                })
                .collect();
            out.push_str(&removals.join("; "));
        }
        out
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Audit the Finance groups access review: who approved a disabled leaver or an inactive guest against the recommendation?",
        args: r#"{"review":"Finance Microsoft 365 Groups"}"#,
        facts: &[
            Fact::Some("findings/*/flags/*", "approved though the account is disabled"),
            Fact::Some("findings/*/flags/*", "~approved past the leave date"),
            Fact::Some("findings/*/flags/*", "~approved though inactive for"),
            Fact::Some("findings/*/flags/*", "~denied though active"),
            Fact::Some("findings/*/flags/*", "self-review"),
            Fact::Some("findings/*/principal", "Brian Walsh"),
            Fact::Some("findings/*/signals/user_type", "Guest"),
            Fact::Every("pending_reviewers/*/display_name", "Grace Whitfield"),
            Fact::Every("would_remove/*/principal", "Wei Zhang"),
            Fact::Every("not_reviewed", "4"),
        ],
    },
    Example {
        question: "Analyze the decisions in the Sales CRM access review against the recommendations, per reviewer",
        args: r#"{"review":"Sales App Access"}"#,
        facts: &[
            Fact::Every("by_reviewer/*/reviewer", "Alex Chen"),
            Fact::Every("by_reviewer/0/against_recommendation", "2"),
            Fact::Every("pending_reviewers/*/display_name", "Jordan Reyes"),
            Fact::Some("would_remove/*/principal", "Yuki Tanaka"),
            Fact::Some("would_remove/*/principal", "Carla Ruiz"),
            Fact::Says("applying would remove"),
        ],
    },
    Example {
        question: "Analyze the completed privileged roles review",
        args: r#"{"review":"Privileged Roles Review"}"#,
        facts: &[
            Fact::Every("applied", "true"),
            Fact::Count("would_remove/*", 0),
            Fact::Some("findings/*/principal", "Dmitri Volkov"),
        ],
    },
    Example {
        question: "Analyze a review given by a malformed instance id",
        args: r#"{"review":"Sales App Access","instance":"not-an-id"}"#,
        facts: &[Fact::Fails(ErrorKind::InvalidInput)],
    },
];

pub fn skill() -> Skill {
    Skill::new(ANALYZE_REVIEW_DECISIONS, analyze_review_decisions)
}
