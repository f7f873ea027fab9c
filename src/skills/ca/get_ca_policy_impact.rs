//! `get_ca_policy_impact`: what one Conditional Access policy did in the sign-in logs, per day
//! and per result — and for a report-only policy, who it would have blocked or challenged had
//! it been on.

use std::collections::{BTreeMap, HashMap};

use chrono::Duration;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::policies::find_policy;
use crate::graph::resources::{PolicyState, SignIn};
use crate::graph::{GraphRequest, Query};
use crate::odata::Expr;
use crate::render::{fields, table};
use crate::shared::*;
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset};

const GET_CA_POLICY_IMPACT: Declaration = Declaration {
    name: "get_ca_policy_impact",
    title: "Conditional Access policy impact",
    description: "What one Conditional Access policy did in the sign-in logs per day (success, failure, not applied, report-only results), and who a report-only policy would have blocked or challenged if enforced. P1. Security Reader.",
    toolset: Toolset::Ca,
    permissions: &["AuditLog.Read.All", "Policy.Read.All"],
    least_role: "Security Reader",
    access: Access::Read,
    beta: false,
    default: false,
    examples: EXAMPLES,
};

/// Sign-ins read at most: a week of a busy tenant's interactive sign-ins for one policy.
const MAX_SIGN_INS: usize = 5000;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetCaPolicyImpactParams {
    /// Policy id, display name (or part of it) or code such as `CA002`.
    pub policy: String,
    /// Start of the window (default 7d, at most 30d).
    pub since: Option<Since>,
    /// Most users listed as blocked or challenged (default 10).
    #[serde(default = "default_top")]
    pub top: Limit,
}

fn default_top() -> Limit {
    Limit::new(10)
}

/// Results per day (UTC).
#[derive(Debug, Default, Serialize, JsonSchema)]
pub struct DayCounts {
    /// `YYYY-MM-DD`.
    pub day: String,
    pub success: u64,
    pub failure: u64,
    pub not_applied: u64,
    pub report_only_success: u64,
    pub report_only_failure: u64,
    pub report_only_interrupted: u64,
    pub report_only_not_applied: u64,
    /// Other results (`notEnabled`, `unknown`, …).
    #[serde(skip_serializing_if = "is_zero")]
    pub other: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct AffectedUser {
    pub user: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// Sign-ins it blocked (`failure`), or would have blocked (`reportOnlyFailure`).
    pub blocked: u64,
    /// Sign-ins it would have interrupted for a control such as MFA (`reportOnlyInterrupted`).
    pub challenged: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct PolicyImpact {
    pub policy: String,
    pub policy_id: String,
    /// `on`, `report-only` or `off` (today).
    pub state: String,
    pub since: String,
    /// Sign-ins in the window where the policy was evaluated.
    pub sign_ins: u64,
    pub days: Vec<DayCounts>,
    /// Totals over the window, by Graph result.
    pub totals: BTreeMap<String, u64>,
    /// Users blocked (enforced) or who would have been blocked or challenged (report-only), most first.
    pub affected_users: Vec<AffectedUser>,
    /// In words: what the policy did or would have done.
    pub verdict: String,
}

async fn get_ca_policy_impact(ctx: Ctx, p: GetCaPolicyImpactParams) -> Result<PolicyImpact, SkillError> {
    let top = p.top.get()?;
    let (start, _) = window(&ctx, p.since.as_ref(), None, Duration::days(7), SIGN_IN_RETENTION_DAYS)?;
    let policy = find_policy(&ctx, "policy", &p.policy).await?;
    let filter = Expr::ge("createdDateTime", start).and(Expr::any(
        "appliedConditionalAccessPolicies",
        "p",
        Expr::eq("p/id", policy.id.clone()),
    ));
    let request = GraphRequest::get("/auditLogs/signIns")
        .query(
            Query::new()
                .select(&[
                    "id",
                    "createdDateTime",
                    "userId",
                    "userPrincipalName",
                    "userDisplayName",
                    "appliedConditionalAccessPolicies",
                ])
                .filter(filter)
                .orderby("createdDateTime desc")
                .top(1000),
        )
        .prefer_unknown_enums();
    let page = ctx.graph.list::<SignIn>(request, MAX_SIGN_INS).await?;
    if page.more {
        ctx.note(format!("only the latest {MAX_SIGN_INS} sign-ins were counted; narrow `since` to count them all"));
    }
    let mut days: BTreeMap<String, DayCounts> = BTreeMap::new();
    let mut totals: BTreeMap<String, u64> = BTreeMap::new();
    let mut users: HashMap<String, AffectedUser> = HashMap::new();
    let mut hidden = false;
    for s in &page.items {
        let Some(applied) = &s.applied_conditional_access_policies else {
            hidden = true;
            continue;
        };
        let Some(result) =
            applied.iter().find(|a| a.id.eq_ignore_ascii_case(&policy.id)).and_then(|a| a.result.clone())
        else {
            continue;
        };
        let time = s.created_date_time.clone().unwrap_or_default();
        let day = time.get(..10).unwrap_or_default().to_string();
        let counts = days.entry(day.clone()).or_insert_with(|| DayCounts { day, ..DayCounts::default() });
        match result.as_str() {
            "success" => counts.success += 1,
            "failure" => counts.failure += 1,
            "notApplied" => counts.not_applied += 1,
            "reportOnlySuccess" => counts.report_only_success += 1,
            "reportOnlyFailure" => counts.report_only_failure += 1,
            "reportOnlyInterrupted" => counts.report_only_interrupted += 1,
            "reportOnlyNotApplied" => counts.report_only_not_applied += 1,
            _ => counts.other += 1,
        }
        *totals.entry(result.clone()).or_default() += 1;
        let (blocked, challenged) = match result.as_str() {
            "failure" | "reportOnlyFailure" => (1, 0),
            "reportOnlyInterrupted" => (0, 1),
            _ => continue,
        };
        let key = s.user_id.clone().or_else(|| s.user_principal_name.clone()).unwrap_or_default();
        let entry = users.entry(key).or_insert_with(|| AffectedUser {
            user: match (&s.user_display_name, &s.user_principal_name) {
                (Some(name), Some(upn)) => format!("{name} ({upn})"),
                (name, upn) => name.clone().or(upn.clone()).unwrap_or_else(|| "unknown user".into()),
            },
            user_id: s.user_id.clone(),
            blocked: 0,
            challenged: 0,
            last: None,
        });
        entry.blocked += blocked;
        entry.challenged += challenged;
        if entry.last.as_deref().is_none_or(|l| l < time.as_str()) {
            entry.last = Some(time);
        }
    }
    if hidden {
        ctx.note(
            "some sign-ins came back without their Conditional Access results: reading them needs a Conditional Access reader role (Security Reader, Global Reader …) and Policy.Read.All",
        );
    }
    let mut affected: Vec<AffectedUser> = users.into_values().collect();
    affected
        .sort_by(|a, b| (b.blocked + b.challenged).cmp(&(a.blocked + a.challenged)).then_with(|| a.user.cmp(&b.user)));
    let affected_total = affected.len();
    affected.truncate(top);
    if affected_total > top {
        ctx.note(format!("{affected_total} users affected; the top {top} are listed (raise `top` for more)"));
    }
    let state = policy.policy_state();
    let sum = |keys: &[&str]| keys.iter().map(|k| totals.get(*k).copied().unwrap_or(0)).sum::<u64>();
    let verdict = match state {
        PolicyState::ReportOnly => {
            let block = sum(&["reportOnlyFailure"]);
            let challenge = sum(&["reportOnlyInterrupted"]);
            if block + challenge == 0 {
                "report-only: would have blocked or challenged no sign-in in the window".to_string()
            } else {
                format!(
                    "report-only: enforced, it would have blocked {block} and challenged {challenge} sign-in(s) of {affected_total} user(s); nothing was blocked"
                )
            }
        }
        _ => {
            let failed = sum(&["failure"]);
            let passed = sum(&["success"]);
            format!("{}: {failed} sign-in(s) of {affected_total} user(s) failed it, {passed} met it", state.words())
        }
    };
    Ok(PolicyImpact {
        policy: policy.name().to_string(),
        policy_id: policy.id.clone(),
        state: state.words().to_string(),
        since: start.to_rfc3339(),
        sign_ins: days
            .values()
            .map(|d| {
                d.success
                    + d.failure
                    + d.not_applied
                    + d.report_only_success
                    + d.report_only_failure
                    + d.report_only_interrupted
                    + d.report_only_not_applied
                    + d.other
            })
            .sum(),
        days: days.into_values().collect(),
        totals,
        affected_users: affected,
        verdict,
    })
}

impl Render for PolicyImpact {
    fn markdown(&self) -> String {
        let mut text = fields(&[
            ("policy", Some(format!("{} ({})", self.policy, self.policy_id))),
            ("state now", Some(self.state.clone())),
            ("since", Some(crate::render::short_time(&self.since))),
            ("sign-ins evaluated", Some(self.sign_ins.to_string())),
            ("verdict", Some(self.verdict.clone())),
        ]);
        let rows: Vec<Vec<String>> = self
            .days
            .iter()
            .map(|d| {
                vec![
                    d.day.clone(),
                    d.success.to_string(),
                    d.failure.to_string(),
                    d.not_applied.to_string(),
                    d.report_only_success.to_string(),
                    d.report_only_failure.to_string(),
                    d.report_only_interrupted.to_string(),
                    d.report_only_not_applied.to_string(),
                ]
            })
            .collect();
        text.push('\n');
        text.push_str(&table(
            &[
                "day",
                "success",
                "failure",
                "not applied",
                "report-only success",
                "report-only failure",
                "report-only interrupted",
                "report-only not applied",
            ],
            &rows,
        ));
        if !self.affected_users.is_empty() {
            let rows: Vec<Vec<String>> = self
                .affected_users
                .iter()
                .map(|u| {
                    vec![
                        u.user.clone(),
                        u.blocked.to_string(),
                        u.challenged.to_string(),
                        u.last.as_deref().map(crate::render::short_time).unwrap_or_default(),
                    ]
                })
                .collect();
            let heading =
                if self.state == "report-only" { "\nwould have blocked or challenged:\n" } else { "\nblocked:\n" };
            text.push_str(heading);
            text.push_str(&table(&["user", "blocked", "challenged", "last (UTC)"], &rows));
        }
        text
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Whom would the report-only legacy authentication block have stopped this week?",
        args: r#"{"policy":"CA002"}"#,
        facts: &[
            Fact::Every("state", "report-only"),
            Fact::AtLeast("totals/reportOnlyFailure", 4),
            Fact::Some("affected_users/*/user", "~karita@woodgrovebank.com"),
            Fact::Every("verdict", "~nothing was blocked"),
        ],
    },
    Example {
        question: "What did the high sign-in risk block policy do in the last 30 days?",
        args: r#"{"policy":"CA004 Block high sign-in risk","since":"30d"}"#,
        facts: &[
            Fact::Every("state", "on"),
            Fact::AtLeast("totals/failure", 1),
            Fact::Some("affected_users/*/user", "~karita@woodgrovebank.com"),
            Fact::AtLeast("days/*", 1),
        ],
    },
    Example {
        question: "How does the one-hour Finance sign-in frequency policy fare in report-only?",
        args: r#"{"policy":"CA009","since":"30d"}"#,
        facts: &[Fact::Every("state", "report-only"), Fact::AtLeast("sign_ins", 1)],
    },
    Example {
        question: "Impact listing no users at all",
        args: r#"{"policy":"CA002","top":0}"#,
        facts: &[Fact::Fails(ErrorKind::InvalidInput)],
    },
];

pub fn skill() -> Skill {
    Skill::new(GET_CA_POLICY_IMPACT, get_ca_policy_impact)
}
