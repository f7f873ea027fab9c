//! `get_access_review`: one access review series in plain words: what it covers, who reviews
//! (and who steps in), how often it recurs, how it ends, its current instance with a count of
//! decisions, and the stages of a multi-stage review.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::graph::{GraphRequest, Query};
use crate::render::{fields, short_time, table, yes_no};
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset};

use super::reviews_model::*;

const GET_ACCESS_REVIEW: Declaration = Declaration {
    name: "get_access_review",
    title: "Get an access review",
    description: "One access review by name or id: what it covers (group, app, role, guests) in plain words, reviewers and fallback reviewers by name, recurrence, settings (auto-apply, default decision, recommendations), its current instance with decision counts, and its stages. P2 or ID Governance. Security Reader.",
    toolset: Toolset::Governance,
    // Beyond the review itself, only names: its reviewers, and the group, app or role it covers.
    permissions: &[
        "AccessReview.Read.All",
        "User.ReadBasic.All",
        "GroupMember.Read.All",
        "Application.Read.All",
        "RoleManagement.Read.Directory",
    ],
    least_role: "Security Reader",
    access: Access::Read,
    beta: false,
    default: false,
    examples: EXAMPLES,
};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetAccessReviewParams {
    /// The review's id or name (its start is enough, e.g. without the quarter).
    pub review: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ReviewSettings {
    /// Decisions take effect by themselves when an instance ends.
    pub auto_apply: bool,
    /// What an item nobody reviewed becomes when the instance ends: `none`, `approve`,
    /// `deny` or `recommendation`.
    pub default_decision: String,
    /// Reviewers see Entra's recommendation for each item.
    pub recommendations: bool,
    /// Inactivity before the review that makes the recommendation "deny" (ISO 8601).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recommendation_look_back: Option<String>,
    /// An approval needs a justification.
    pub justification_required_on_approval: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration_days: Option<i64>,
    pub mail_notifications: bool,
    pub reminders: bool,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct DecisionCounts {
    pub total: usize,
    pub approve: usize,
    pub deny: usize,
    pub dont_know: usize,
    pub not_reviewed: usize,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct StageRow {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end: Option<String>,
    pub reviewers: Vec<ReviewerWords>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct AccessReviewDetail {
    pub id: String,
    pub name: String,
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
    pub scope: ScopeWords,
    pub reviewers: Vec<ReviewerWords>,
    pub fallback_reviewers: Vec<ReviewerWords>,
    /// `every 3 months from 2026-06-01, no end`, `one time, from …`.
    pub recurrence: String,
    pub settings: ReviewSettings,
    /// The instance in progress, else the latest one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_instance: Option<InstanceRef>,
    /// Decisions of the current instance.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decisions: Option<DecisionCounts>,
    pub instance_count: usize,
    /// The current instance's stages, for a multi-stage review.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub stages: Vec<StageRow>,
}

async fn stages(ctx: &Ctx, review: &str, instance: &str) -> Result<Vec<Stage>, SkillError> {
    let request = GraphRequest::get(instance_path(review, instance, "stages"))
        .query(Query::new().select(&["id", "startDateTime", "endDateTime", "status", "reviewers"]).top(100));
    Ok(ctx.graph.list::<Stage>(request, 100).await?.items)
}

async fn get_access_review(ctx: Ctx, p: GetAccessReviewParams) -> Result<AccessReviewDetail, SkillError> {
    let review = resolve_review(&ctx, &p.review).await?;
    let (all, scope, reviewers, fallback) = tokio::join!(
        instances(&ctx, &review.id, None),
        scope_words(&ctx, &review),
        reviewer_words(&ctx, &review.reviewers),
        reviewer_words(&ctx, &review.fallback_reviewers),
    );
    let all = all?;
    let current = current(&all).cloned();
    let multi_stage = !review.stage_settings.is_empty();
    let (decision_page, stage_list) = match &current {
        Some(instance) => {
            let stage_read =
                async { if multi_stage { Some(stages(&ctx, &review.id, &instance.id).await) } else { None } };
            let (d, s) = tokio::join!(decisions(&ctx, &review.id, &instance.id, None, 500), stage_read);
            (Some(d), s)
        }
        None => (None, None),
    };
    let decisions = decision_page.and_then(|d| ctx.optional("decision counts", d)).map(|page| {
        let count = |value: &str| page.items.iter().filter(|d| d.decision() == value).count();
        DecisionCounts {
            total: page.items.len(),
            approve: count("Approve"),
            deny: count("Deny"),
            dont_know: count("DontKnow"),
            not_reviewed: count("NotReviewed"),
        }
    });
    let mut stage_rows = Vec::new();
    if let Some(list) = stage_list.and_then(|s| ctx.optional("stages", s)) {
        for stage in list {
            stage_rows.push(StageRow {
                reviewers: reviewer_words(&ctx, &stage.reviewers).await,
                id: stage.id,
                status: stage.status,
                start: stage.start_date_time,
                end: stage.end_date_time,
            });
        }
    }
    if current.is_none() {
        let starts = review.settings().recurrence.and_then(|r| r.range).and_then(|r| r.start_date);
        ctx.note(match starts {
            Some(date) => format!("no instance yet: the first one starts on {date}"),
            None => "no instance yet".to_string(),
        });
    }
    let settings = review.settings();
    Ok(AccessReviewDetail {
        id: review.id.clone(),
        name: review.name(),
        status: review.status.clone().unwrap_or_else(|| "unknown".into()),
        description: review.description_for_admins.clone().filter(|d| !d.is_empty()),
        created: review.created_date_time.clone(),
        created_by: review.created_by.as_ref().filter(|c| c.is_someone()).map(Identity::name),
        scope,
        reviewers,
        fallback_reviewers: fallback,
        recurrence: recurrence_words(&settings),
        settings: ReviewSettings {
            auto_apply: settings.auto_apply(),
            default_decision: settings.default_decision().map_or("none".to_string(), |d| d.to_lowercase()),
            recommendations: settings.recommendations_enabled == Some(true),
            recommendation_look_back: settings.recommendation_look_back_duration.clone(),
            justification_required_on_approval: settings.justification_required_on_approval == Some(true),
            duration_days: settings.instance_duration_in_days,
            mail_notifications: settings.mail_notifications_enabled == Some(true),
            reminders: settings.reminder_notifications_enabled == Some(true),
        },
        current_instance: current.as_ref().map(Instance::reference),
        decisions,
        instance_count: all.len(),
        stages: stage_rows,
    })
}

fn people(list: &[ReviewerWords]) -> Option<String> {
    (!list.is_empty()).then(|| list.iter().map(|r| r.who.clone()).collect::<Vec<_>>().join(", "))
}

impl Render for AccessReviewDetail {
    fn markdown(&self) -> String {
        let s = &self.settings;
        let mut out = fields(&[
            ("review", Some(self.name.clone())),
            ("id", Some(self.id.clone())),
            ("status", Some(self.status.clone())),
            ("description", self.description.clone()),
            ("covers", Some(self.scope.text.clone())),
            ("reviewers", people(&self.reviewers)),
            ("fallback reviewers", people(&self.fallback_reviewers)),
            ("recurrence", Some(self.recurrence.clone())),
            ("auto-apply", yes_no(Some(s.auto_apply))),
            ("default decision", Some(s.default_decision.clone())),
            ("recommendations", yes_no(Some(s.recommendations))),
            ("justification required on approval", yes_no(Some(s.justification_required_on_approval))),
            ("duration (days)", s.duration_days.map(|d| d.to_string())),
            ("current instance", self.current_instance.as_ref().map(|i| format!("{} ({})", i.id, i.words()))),
            (
                "decisions",
                self.decisions.as_ref().map(|d| {
                    format!(
                        "{} items: {} approve, {} deny, {} don't know, {} not reviewed",
                        d.total, d.approve, d.deny, d.dont_know, d.not_reviewed
                    )
                }),
            ),
            ("instances", Some(self.instance_count.to_string())),
            ("created", self.created.as_deref().map(short_time)),
            ("created by", self.created_by.clone()),
        ]);
        if !self.stages.is_empty() {
            let rows: Vec<Vec<String>> = self
                .stages
                .iter()
                .enumerate()
                .map(|(i, st)| {
                    vec![
                        (i + 1).to_string(),
                        st.status.clone().unwrap_or_default(),
                        st.start.as_deref().map(short_time).unwrap_or_default(),
                        st.end.as_deref().map(short_time).unwrap_or_default(),
                        people(&st.reviewers).unwrap_or_default(),
                    ]
                })
                .collect();
            out.push_str("\nstages:\n");
            out.push_str(&table(&["stage", "status", "start (UTC)", "end (UTC)", "reviewers"], &rows));
        }
        out
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Who reviews the Finance Microsoft 365 groups access review, and what does it cover?",
        args: r#"{"review":"Finance Microsoft 365 Groups"}"#,
        facts: &[
            Fact::Every("scope/kind", "group"),
            Fact::Every("scope/resource", "Finance Team"),
            Fact::Every("reviewers/0/who", "owners of the reviewed group"),
            Fact::Every("fallback_reviewers/0/who", "Alex Chen"),
            Fact::Every("current_instance/status", "InProgress"),
            Fact::Every("decisions/not_reviewed", "4"),
            Fact::Every("settings/auto_apply", "false"),
            Fact::Says("every 3 months"),
        ],
    },
    Example {
        question: "Show the stages of the privileged roles access review",
        args: r#"{"review":"privileged roles review"}"#,
        facts: &[
            Fact::Every("scope/kind", "role"),
            Fact::Every("scope/resource", "Global Administrator"),
            Fact::Count("stages/*", 2),
            Fact::Some("stages/*/reviewers/*/who", "Rachel Cohen"),
            Fact::Every("current_instance/status", "Applied"),
        ],
    },
    Example {
        question: "When does the guest access review of Microsoft 365 groups start?",
        args: r#"{"review":"Guests in Microsoft 365 Groups"}"#,
        facts: &[
            Fact::Every("status", "NotStarted"),
            Fact::Every("scope/kind", "guests"),
            Fact::Every("settings/default_decision", "deny"),
            Fact::Says("no instance yet"),
        ],
    },
    Example {
        question: "An access review that does not exist",
        args: r#"{"review":"Marketing Review"}"#,
        facts: &[Fact::Fails(ErrorKind::NotFound)],
    },
];

pub fn skill() -> Skill {
    Skill::new(GET_ACCESS_REVIEW, get_access_review)
}
