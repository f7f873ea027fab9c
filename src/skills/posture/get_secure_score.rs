//! `get_secure_score`: Microsoft Secure Score now and over a window of up to 90 days (first,
//! last, lowest, highest, compared with similar tenants), and the identity controls behind it:
//! each one's score against its maximum, the state an admin gave it, and what to do.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::graph::{GraphRequest, Query};
use crate::render::{fields, short_time, table};
use crate::shared::ListInfo;
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset};

use super::html_text;

const GET_SECURE_SCORE: Declaration = Declaration {
    name: "get_secure_score",
    title: "Get Secure Score and identity controls",
    description: "Microsoft Secure Score now and its trend over up to 90 days (first, last, lowest, highest, compared with similar tenants), and the identity controls behind it — MFA for admins, blocking legacy authentication, risk policies, self-service password reset … — each with its score, state (done, partial, to do, ignored) and what to do. Security Reader.",
    toolset: Toolset::Posture,
    permissions: &["SecurityEvents.Read.All"],
    least_role: "Security Reader",
    access: Access::Read,
    beta: false,
    default: false,
    examples: EXAMPLES,
};

/// Graph keeps 90 daily scores.
const MAX_DAYS: i64 = 90;
/// Control profiles of a tenant: a few hundred.
const MAX_PROFILES: usize = 1000;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetSecureScoreParams {
    /// Days of history, 1–90 (default 90).
    pub days: Option<i64>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Score {
    created_date_time: Option<String>,
    current_score: Option<f64>,
    max_score: Option<f64>,
    #[serde(default)]
    average_comparative_scores: Option<Vec<AverageScore>>,
    #[serde(default)]
    control_scores: Option<Vec<ControlScore>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct AverageScore {
    basis: Option<String>,
    average_score: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ControlScore {
    control_category: Option<String>,
    control_name: Option<String>,
    description: Option<String>,
    score: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Profile {
    id: String,
    title: Option<String>,
    control_category: Option<String>,
    max_score: Option<f64>,
    rank: Option<i64>,
    remediation: Option<String>,
    user_impact: Option<String>,
    implementation_cost: Option<String>,
    action_url: Option<String>,
    deprecated: Option<bool>,
    #[serde(default)]
    control_state_updates: Option<Vec<StateUpdate>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct StateUpdate {
    state: Option<String>,
    comment: Option<String>,
    updated_by: Option<String>,
    updated_date_time: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Trend {
    /// Daily scores read.
    pub days: usize,
    pub first_on: String,
    pub first_percent: f64,
    pub last_percent: f64,
    /// `last − first`, in percentage points.
    pub change_points: f64,
    pub lowest_percent: f64,
    pub lowest_on: String,
    pub highest_percent: f64,
    pub highest_on: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Comparison {
    /// Who the tenant is compared with, in words.
    pub against: String,
    /// Their average score, in points.
    pub average_score: f64,
    /// That average as a share of this tenant's maximum.
    pub percent: f64,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ControlRow {
    pub id: String,
    pub title: String,
    pub score: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_score: Option<f64>,
    /// `done`, `partial` or `to_do`.
    pub status: String,
    /// The state an admin set, when not the default: `ignored` (risk accepted), `third_party`
    /// (handled by another product), `reviewed`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// The admin's comment on that state, and who set it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state_note: Option<String>,
    /// What to do, as the control profile says it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub what_to_do: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_impact: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct SecureScore {
    pub current_score: f64,
    pub max_score: f64,
    pub percent: f64,
    /// When today's score was computed (UTC).
    pub as_of: String,
    pub trend: Trend,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub comparisons: Vec<Comparison>,
    /// Points of the identity controls against their maximum.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity_score: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity_max: Option<f64>,
    /// The identity controls, the open ones with the most points to win first.
    pub controls: Vec<ControlRow>,
    #[serde(flatten)]
    pub list: ListInfo,
}

fn percent(score: f64, max: f64) -> f64 {
    if max <= 0.0 { 0.0 } else { (score / max * 1000.0).round() / 10.0 }
}

fn round2(n: f64) -> f64 {
    (n * 100.0).round() / 100.0
}

fn against(basis: &str) -> String {
    match basis {
        "AllTenants" => "all tenants".into(),
        "TotalSeats" => "tenants of a similar size".into(),
        "IndustryTypes" => "tenants in the same industry".into(),
        other => other.to_string(),
    }
}

fn days(p: &GetSecureScoreParams) -> Result<i64, SkillError> {
    match p.days {
        None => Ok(MAX_DAYS),
        Some(d) if (1..=MAX_DAYS).contains(&d) => Ok(d),
        Some(d) => Err(SkillError::invalid_value(
            "days",
            format!("{d} is out of range (Graph keeps 90 days of scores)"),
            "a whole number of days from 1 to 90",
        )),
    }
}

fn trend(scores: &[Score]) -> Option<Trend> {
    // Oldest first; a score without a time or maximum cannot be placed.
    let mut points: Vec<(&str, f64)> = scores
        .iter()
        .filter_map(|s| Some((s.created_date_time.as_deref()?, percent(s.current_score?, s.max_score?))))
        .collect();
    points.sort_by(|a, b| a.0.cmp(b.0));
    let first = *points.first()?;
    let last = *points.last()?;
    let lowest = points.iter().copied().fold(first, |low, p| if p.1 < low.1 { p } else { low });
    let highest = points.iter().copied().fold(first, |high, p| if p.1 > high.1 { p } else { high });
    Some(Trend {
        days: points.len(),
        first_on: short_time(first.0),
        first_percent: first.1,
        last_percent: last.1,
        change_points: round2(last.1 - first.1),
        lowest_percent: lowest.1,
        lowest_on: short_time(lowest.0),
        highest_percent: highest.1,
        highest_on: short_time(highest.0),
    })
}

/// The identity controls, scored from the latest snapshot, described by their profiles (or,
/// without profiles, by the snapshot alone).
fn controls(latest: &Score, profiles: Option<Vec<Profile>>) -> Vec<ControlRow> {
    let is_identity = |c: Option<&str>| c.is_some_and(|c| c.eq_ignore_ascii_case("identity"));
    let scored = latest.control_scores.as_deref().unwrap_or_default();
    let score_of = |id: &str| {
        scored
            .iter()
            .find(|c| c.control_name.as_deref().is_some_and(|n| n.eq_ignore_ascii_case(id)))
            .and_then(|c| c.score)
            .unwrap_or(0.0)
    };
    let status = |score: f64, max: Option<f64>| match max {
        Some(max) if score >= max && max > 0.0 => "done",
        _ if score > 0.0 => "partial",
        _ => "to_do",
    };
    let mut rows: Vec<(i64, ControlRow)> = match profiles {
        Some(profiles) => profiles
            .into_iter()
            .filter(|p| is_identity(p.control_category.as_deref()) && p.deprecated != Some(true))
            .map(|p| {
                let score = score_of(&p.id);
                let update = p.control_state_updates.unwrap_or_default().into_iter().max_by(|a, b| {
                    a.updated_date_time
                        .as_deref()
                        .unwrap_or_default()
                        .cmp(b.updated_date_time.as_deref().unwrap_or_default())
                });
                let state = update
                    .as_ref()
                    .and_then(|u| u.state.as_deref())
                    .filter(|s| !s.eq_ignore_ascii_case("default"))
                    .map(|s| match s.to_ascii_lowercase().as_str() {
                        "thirdparty" => "third_party".to_string(),
                        other => other.to_string(),
                    });
                let state_note = update.filter(|_| state.is_some()).and_then(|u| {
                    let comment = u.comment.filter(|c| !c.trim().is_empty());
                    match (comment, u.updated_by) {
                        (Some(c), Some(by)) => Some(format!("{} ({by})", crate::render::trim(&c, 160))),
                        (Some(c), None) => Some(crate::render::trim(&c, 160)),
                        (None, Some(by)) => Some(format!("set by {by}")),
                        (None, None) => None,
                    }
                });
                let row = ControlRow {
                    status: status(score, p.max_score).to_string(),
                    title: p.title.unwrap_or_else(|| p.id.clone()),
                    score,
                    max_score: p.max_score,
                    state,
                    state_note,
                    what_to_do: p.remediation.map(|r| html_text::plain(&r, crate::render::MAX_TEXT)),
                    user_impact: p.user_impact,
                    cost: p.implementation_cost,
                    url: p.action_url,
                    id: p.id,
                };
                (p.rank.unwrap_or(i64::MAX), row)
            })
            .collect(),
        None => scored
            .iter()
            .filter(|c| is_identity(c.control_category.as_deref()))
            .filter_map(|c| {
                let id = c.control_name.clone()?;
                let score = c.score.unwrap_or(0.0);
                let row = ControlRow {
                    status: status(score, None).to_string(),
                    title: c.description.clone().unwrap_or_else(|| id.clone()),
                    score,
                    max_score: None,
                    state: None,
                    state_note: None,
                    what_to_do: None,
                    user_impact: None,
                    cost: None,
                    url: None,
                    id,
                };
                Some((i64::MAX, row))
            })
            .collect(),
    };
    // Open controls first (not done, not set aside), the most points to win first.
    let open =
        |r: &ControlRow| r.status != "done" && !matches!(r.state.as_deref(), Some("ignored") | Some("third_party"));
    rows.sort_by(|(rank_a, a), (rank_b, b)| {
        let gap = |r: &ControlRow| r.max_score.unwrap_or(0.0) - r.score;
        open(b)
            .cmp(&open(a))
            .then(gap(b).partial_cmp(&gap(a)).unwrap_or(std::cmp::Ordering::Equal))
            .then(rank_a.cmp(rank_b))
    });
    rows.into_iter().map(|(_, r)| r).collect()
}

async fn get_secure_score(ctx: Ctx, p: GetSecureScoreParams) -> Result<SecureScore, SkillError> {
    let days = days(&p)?;
    let scores = GraphRequest::get("/security/secureScores").query(
        Query::new()
            .select(&["id", "createdDateTime", "currentScore", "maxScore", "averageComparativeScores", "controlScores"])
            .top(days as usize),
    );
    let profiles = GraphRequest::get("/security/secureScoreControlProfiles").query(Query::new().select(&[
        "id",
        "title",
        "controlCategory",
        "maxScore",
        "rank",
        "remediation",
        "userImpact",
        "implementationCost",
        "actionUrl",
        "deprecated",
        "controlStateUpdates",
    ]));
    let (scores, profiles) =
        tokio::join!(ctx.graph.list::<Score>(scores, days as usize), ctx.graph.list::<Profile>(profiles, MAX_PROFILES));
    let scores = scores?.items;
    let profiles = ctx.optional("control profiles (titles, maxima, states, remediation)", profiles).map(|p| p.items);
    let latest = scores
        .iter()
        .filter(|s| s.created_date_time.is_some())
        .max_by(|a, b| a.created_date_time.cmp(&b.created_date_time))
        .ok_or_else(|| {
            SkillError::new(ErrorKind::NotFound, "Graph has no Secure Score for this tenant yet")
                .with_remedy("Secure Score is computed daily; a new tenant gets its first score within 48 hours")
        })?;
    let (current, max) = (latest.current_score.unwrap_or(0.0), latest.max_score.unwrap_or(0.0));
    let comparisons = latest
        .average_comparative_scores
        .as_deref()
        .unwrap_or_default()
        .iter()
        .filter_map(|a| {
            let average = a.average_score?;
            Some(Comparison {
                against: against(a.basis.as_deref()?),
                average_score: average,
                percent: percent(average, max),
            })
        })
        .collect();
    let trend = trend(&scores).ok_or_else(|| SkillError::new(ErrorKind::Upstream, "Graph's scores carry no dates"))?;
    let controls = controls(latest, profiles);
    let identity_max: Option<f64> =
        controls.iter().map(|c| c.max_score).sum::<Option<f64>>().filter(|_| !controls.is_empty()).map(round2);
    let identity_score = (!controls.is_empty()).then(|| round2(controls.iter().map(|c| c.score).sum()));
    let list = ListInfo::new(controls.len(), None, false, "");
    Ok(SecureScore {
        current_score: round2(current),
        max_score: round2(max),
        percent: percent(current, max),
        as_of: latest.created_date_time.clone().unwrap_or_default(),
        trend,
        comparisons,
        identity_score,
        identity_max,
        controls,
        list,
    })
}

impl Render for SecureScore {
    fn rows(&self) -> Option<usize> {
        Some(self.controls.len())
    }

    fn cut_to(&mut self, rows: usize) {
        self.controls.truncate(rows);
        self.list.cut(rows);
    }

    fn markdown(&self) -> String {
        let t = &self.trend;
        let compared =
            self.comparisons.iter().map(|c| format!("{} {} %", c.against, c.percent)).collect::<Vec<_>>().join("; ");
        let identity = match (self.identity_score, self.identity_max) {
            (Some(score), Some(max)) => Some(format!("{score} of {max} points ({} %)", percent(score, max))),
            (Some(score), None) => Some(format!("{score} points")),
            _ => None,
        };
        let head = fields(&[
            (
                "Secure Score",
                Some(format!(
                    "{} of {} ({} %) as of {} UTC",
                    self.current_score,
                    self.max_score,
                    self.percent,
                    short_time(&self.as_of)
                )),
            ),
            (
                "trend",
                Some(format!(
                    "{} % on {} → {} % now ({:+} points over {} days); lowest {} % on {}, highest {} % on {}",
                    t.first_percent,
                    t.first_on,
                    t.last_percent,
                    t.change_points,
                    t.days,
                    t.lowest_percent,
                    t.lowest_on,
                    t.highest_percent,
                    t.highest_on
                )),
            ),
            ("similar tenants", (!compared.is_empty()).then_some(compared)),
            ("identity controls", identity),
        ]);
        let rows: Vec<Vec<String>> = self
            .controls
            .iter()
            .map(|c| {
                vec![
                    c.title.clone(),
                    match c.max_score {
                        Some(max) => format!("{} / {max}", c.score),
                        None => c.score.to_string(),
                    },
                    c.status.replace('_', " "),
                    c.state.clone().map(|s| s.replace('_', " ")).unwrap_or_else(|| "-".into()),
                    c.what_to_do.clone().unwrap_or_else(|| "-".into()),
                    c.id.clone(),
                ]
            })
            .collect();
        format!(
            "{head}\n\n{}{}",
            table(&["identity control", "score", "status", "state", "what to do", "id"], &rows),
            self.list.footer()
        )
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "What is our Microsoft Secure Score, how has it moved over the last 90 days, and which identity controls are still to do?",
        args: r#"{}"#,
        facts: &[
            Fact::Every("percent", "61.0"),
            Fact::Every("trend/first_percent", "52.0"),
            Fact::Every("trend/lowest_percent", "50.5"),
            Fact::Every("trend/days", "90"),
            Fact::Some("comparisons/*/against", "tenants in the same industry"),
            Fact::Some("controls/*/id", "BlockLegacyAuthentication"),
            Fact::Every("controls/0/status", "to_do"),
            Fact::Some("controls/*/state", "ignored"),
            Fact::Some("controls/*/state", "third_party"),
            Fact::Some("controls/*/status", "partial"),
            Fact::No("controls/*/id", "mdo_safelinksforOfficeApps"),
        ],
    },
    Example {
        question: "Secure Score trend over the last week",
        args: r#"{"days":7}"#,
        facts: &[Fact::Every("trend/days", "7"), Fact::Every("trend/change_points", "0.0")],
    },
    Example {
        question: "Secure Score history for a whole year",
        args: r#"{"days":365}"#,
        facts: &[Fact::Fails(ErrorKind::InvalidInput)],
    },
];

pub fn skill() -> Skill {
    Skill::new(GET_SECURE_SCORE, get_secure_score)
}
