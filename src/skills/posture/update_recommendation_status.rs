//! `update_recommendation_status` (beta): marks an Entra recommendation completed, dismissed
//! (with the reason), postponed (until a date within a year) or active again. A tier-1 write:
//! previewed, then confirmed; it changes how the recommendation is tracked, not the tenant.

use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, SecondsFormat, Timelike, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::recommendation_model::{self, FIND_SELECT, Recommendation, status_words};
use crate::graph::{GraphRequest, Query, segment};
use crate::render::{fields, short_time};
use crate::shared::{shorten, text};
use crate::skill::write::WriteTarget;
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset, WritePlan};

const UPDATE_RECOMMENDATION_STATUS: Declaration = Declaration {
    name: "update_recommendation_status",
    title: "Complete, dismiss, postpone or reactivate an Entra recommendation",
    description: "(beta) Change the status of one Microsoft Entra recommendation: mark it completed, dismiss it with a reason, postpone it until a date within a year, or reactivate it. Changes how the recommendation is tracked, not the tenant. Preview first, then confirm. Security Administrator.",
    toolset: Toolset::Posture,
    permissions: &["DirectoryRecommendations.ReadWrite.All"],
    least_role: "Security Administrator†",
    access: Access::Write { tier: 1, idempotent: true },
    beta: true,
    default: false,
    examples: EXAMPLES,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum StatusAction {
    /// Mark it completed by you.
    Complete,
    /// It does not apply here (needs `reason`).
    Dismiss,
    /// Not now (needs `postpone_until`).
    Postpone,
    /// Make it active again.
    Reactivate,
}

impl StatusAction {
    /// The Graph action.
    fn graph(self) -> &'static str {
        match self {
            StatusAction::Complete => "complete",
            StatusAction::Dismiss => "dismiss",
            StatusAction::Postpone => "postpone",
            StatusAction::Reactivate => "reactivate",
        }
    }

    /// The status it leaves.
    fn leaves(self) -> &'static str {
        match self {
            StatusAction::Complete => "completedByUser",
            StatusAction::Dismiss => "dismissed",
            StatusAction::Postpone => "postponed",
            StatusAction::Reactivate => "active",
        }
    }
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateRecommendationStatusParams {
    /// The recommendation: its id, its short name (`TurnOffPerUserMFA`), its type or its title.
    pub recommendation: String,
    pub action: StatusAction,
    /// With `postpone`: until when — `30d` or `4w` from now, a date (`2026-12-01`) or an RFC 3339
    /// time; at most a year ahead.
    pub postpone_until: Option<String>,
    /// With `dismiss`: why it does not apply to this tenant.
    pub reason: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct RecommendationStatusChanged {
    pub recommendation: String,
    pub id: String,
    pub action: String,
    pub status_before: String,
    /// The status read back after the change.
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub postponed_until: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub changed_at: Option<String>,
    /// Who Graph records as having changed it (an object id).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub changed_by: Option<String>,
}

/// The longest postponement Entra's admin center offers, and the one accepted here.
const MAX_POSTPONE_DAYS: i64 = 365;
const ACCEPTED_UNTIL: &str =
    "`30d` or `4w` from now, a date such as 2026-12-01, or an RFC 3339 time; in the future and at most 365 days ahead";

/// `postpone_until` as an instant: relative forms count from now, rounded down to the hour so a
/// preview and its confirmation send the same time.
fn postpone_until(value: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, SkillError> {
    let value = value.trim();
    let bad = |problem: String| SkillError::invalid_value("postpone_until", problem, ACCEPTED_UNTIL);
    let at = if let Ok(t) = DateTime::parse_from_rfc3339(value) {
        t.with_timezone(&Utc)
    } else if let Ok(date) = NaiveDate::parse_from_str(value, "%Y-%m-%d") {
        date.and_hms_opt(0, 0, 0)
            .map(|t| t.and_utc())
            .ok_or_else(|| bad(format!("`{}` is not a date", shorten(value))))?
    } else {
        let unit = value.chars().last().unwrap_or(' ');
        let number: i64 = value[..value.len() - unit.len_utf8()]
            .parse()
            .map_err(|_| bad(format!("`{}` is not a duration, date or time", shorten(value))))?;
        let ahead = match unit.to_ascii_lowercase() {
            'd' => Duration::try_days(number),
            'w' => Duration::try_weeks(number),
            _ => None,
        }
        .filter(|d| *d > Duration::zero())
        .ok_or_else(|| bad(format!("`{}` is not a duration ahead", shorten(value))))?;
        let hour = now.with_minute(0).and_then(|t| t.with_second(0)).and_then(|t| t.with_nanosecond(0)).unwrap_or(now);
        hour.checked_add_signed(ahead).ok_or_else(|| bad("is too far ahead".into()))?
    };
    if at <= now {
        return Err(bad(format!("{} is not in the future", at.format("%Y-%m-%d %H:%M UTC"))));
    }
    if at > now + Duration::days(MAX_POSTPONE_DAYS) {
        return Err(bad(format!("{} is more than a year ahead", at.format("%Y-%m-%d"))));
    }
    Ok(at)
}

/// The body the action takes, checked against the action.
fn body(p: &UpdateRecommendationStatusParams, now: DateTime<Utc>) -> Result<Value, SkillError> {
    if p.action != StatusAction::Postpone && p.postpone_until.is_some() {
        return Err(SkillError::invalid_value(
            "postpone_until",
            "is only taken with `action` postpone",
            "a time only together with `\"action\": \"postpone\"`",
        ));
    }
    if p.action != StatusAction::Dismiss && p.reason.is_some() {
        return Err(SkillError::invalid_value(
            "reason",
            "is only taken with `action` dismiss",
            "a reason only together with `\"action\": \"dismiss\"`",
        ));
    }
    match p.action {
        StatusAction::Postpone => {
            let until = p.postpone_until.as_deref().ok_or_else(|| {
                SkillError::invalid_value("postpone_until", "is required to postpone", ACCEPTED_UNTIL)
            })?;
            let until = postpone_until(until, now)?;
            Ok(json!({"postponeUntilDateTime": until.to_rfc3339_opts(SecondsFormat::Secs, true)}))
        }
        StatusAction::Dismiss => {
            let reason = p.reason.as_deref().ok_or_else(|| {
                SkillError::invalid_value(
                    "reason",
                    "is required to dismiss",
                    "why the recommendation does not apply to this tenant (1–500 characters)",
                )
            })?;
            Ok(json!({"dismissReason": text("reason", reason, 500)?}))
        }
        StatusAction::Complete | StatusAction::Reactivate => Ok(json!({})),
    }
}

fn request(id: &str, action: StatusAction, body: Value) -> GraphRequest {
    GraphRequest::post(format!("{}/{}/{}", recommendation_model::RECOMMENDATIONS, segment(id), action.graph()), body)
        .beta()
}

async fn prepare(ctx: Ctx, p: Arc<UpdateRecommendationStatusParams>) -> Result<WritePlan, SkillError> {
    let body = body(&p, ctx.now)?;
    let found = recommendation_model::find(&ctx, "recommendation", &p.recommendation, FIND_SELECT).await?;
    let now = found.status.as_deref();
    let already = match p.action {
        StatusAction::Complete => now == Some("completedByUser"),
        StatusAction::Dismiss => now == Some("dismissed"),
        StatusAction::Reactivate => now == Some("active"),
        StatusAction::Postpone => false,
    };
    if already {
        return Err(SkillError::invalid_value(
            "action",
            format!("'{}' is already {}", found.name(), status_words(now)),
            "an action that changes its status: complete, dismiss, postpone or reactivate",
        ));
    }
    let name = found.name();
    let effect = match p.action {
        StatusAction::Complete => format!(
            "marks '{name}' completed by you; Entra keeps checking the tenant and sets it active again if the condition still holds"
        ),
        StatusAction::Dismiss => format!("dismisses '{name}' as not applying to this tenant"),
        StatusAction::Postpone => format!(
            "postpones '{name}' until {}; then it becomes active again",
            body["postponeUntilDateTime"].as_str().map(short_time).unwrap_or_default()
        ),
        StatusAction::Reactivate => format!("makes '{name}' active again"),
    };
    let undo = match p.action {
        StatusAction::Reactivate => format!(
            "call update_recommendation_status again with the action that leaves it {} (complete, dismiss or postpone)",
            status_words(now)
        ),
        _ => "call update_recommendation_status with action `reactivate`".to_string(),
    };
    Ok(WritePlan {
        targets: vec![WriteTarget {
            name: name.clone(),
            id: found.id.clone(),
            state: json!({"status": found.status, "postponed_until": found.postpone_until_date_time}),
        }],
        requests: vec![request(&found.id, p.action, body).describe()],
        effect,
        undo,
        tier: 1,
        confirm_target: None,
    })
}

async fn apply(
    ctx: Ctx,
    p: Arc<UpdateRecommendationStatusParams>,
    plan: WritePlan,
) -> Result<RecommendationStatusChanged, SkillError> {
    let target = plan.targets.first().ok_or_else(|| SkillError::new(ErrorKind::Upstream, "no target to change"))?;
    let before = target.state.get("status").and_then(Value::as_str).map(str::to_string);
    ctx.graph.write(request(&target.id, p.action, body(&p, ctx.now)?)).await?;
    // Read back what changed, so the answer shows the recommendation as Graph now has it.
    let read = GraphRequest::get(format!("{}/{}", recommendation_model::RECOMMENDATIONS, segment(&target.id)))
        .beta()
        .prefer_unknown_enums()
        .query(Query::new().select(&[
            "id",
            "status",
            "postponeUntilDateTime",
            "lastModifiedDateTime",
            "lastModifiedBy",
        ]));
    let after: Option<Recommendation> = ctx.optional("read-back", ctx.graph.get(read).await);
    let status = after.as_ref().and_then(|a| a.status.clone()).unwrap_or_else(|| p.action.leaves().to_string());
    Ok(RecommendationStatusChanged {
        recommendation: target.name.clone(),
        id: target.id.clone(),
        action: p.action.graph().to_string(),
        status_before: status_words(before.as_deref()),
        postponed_until: after
            .as_ref()
            .and_then(|a| a.postpone_until_date_time.clone())
            .filter(|_| status == "postponed"),
        changed_at: after.as_ref().and_then(|a| a.last_modified_date_time.clone()),
        changed_by: after.and_then(|a| a.last_modified_by),
        status: status_words(Some(&status)),
    })
}

impl Render for RecommendationStatusChanged {
    fn markdown(&self) -> String {
        fields(&[
            ("recommendation", Some(self.recommendation.clone())),
            ("id", Some(self.id.clone())),
            ("action", Some(self.action.clone())),
            ("status", Some(format!("{} (was {})", self.status, self.status_before))),
            ("postponed until", self.postponed_until.as_deref().map(short_time)),
            ("changed", self.changed_at.as_deref().map(short_time)),
            ("changed by", self.changed_by.clone()),
        ])
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Postpone the TurnOffPerUserMFA Entra recommendation by another 60 days",
        args: r#"{"recommendation":"TurnOffPerUserMFA","action":"postpone","postpone_until":"60d"}"#,
        facts: &[
            Fact::Every("pending_confirmation", "true"),
            Fact::Every("tier", "C1"),
            Fact::Every("targets/0/name", "Convert from per-user MFA to Conditional Access MFA"),
            Fact::Every("targets/0/state/status", "postponed"),
            Fact::Some("requests/*", "~/postpone"),
            Fact::Says("nothing has changed yet"),
        ],
    },
    Example {
        question: "Dismiss the AD FS migration recommendation, we have no AD FS",
        args: r#"{"recommendation":"AdfsAppsMigration","action":"dismiss","reason":"No AD FS farm"}"#,
        facts: &[Fact::Fails(ErrorKind::InvalidInput), Fact::Says("already dismissed")],
    },
    Example {
        question: "Mark the Entra recommendation to block legacy authentication as done",
        args: r#"{"recommendation":"Block legacy authentication","action":"complete"}"#,
        facts: &[
            Fact::Every("pending_confirmation", "true"),
            Fact::Some("requests/*", "~BlockLegacyAuthentication/complete"),
            Fact::Every("targets/0/state/status", "active"),
        ],
    },
    Example {
        question: "Snooze the stale apps recommendation for two years",
        args: r#"{"recommendation":"StaleApps","action":"postpone","postpone_until":"730d"}"#,
        facts: &[Fact::Fails(ErrorKind::InvalidInput), Fact::Says("more than a year ahead")],
    },
];

pub fn skill() -> Skill {
    Skill::write(UPDATE_RECOMMENDATION_STATUS, prepare, apply)
}
