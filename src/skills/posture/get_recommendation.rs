//! `get_recommendation` (beta): one Entra recommendation in full — why it applies to this
//! tenant, what fixing it brings, the steps in order, the Secure Score points, how many
//! objects it is about and in which status, and who last changed its status and when.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::recommendation_model::{
    self, Recommendation, StatusCount, by_status, plain_step, short_name, status_words, words,
};
use crate::graph::{GraphRequest, Query, segment};
use crate::render::{fields, short_time, trim};
use crate::shared::guid;
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset};

const GET_RECOMMENDATION: Declaration = Declaration {
    name: "get_recommendation",
    title: "Get one Entra recommendation",
    description: "(beta) One Microsoft Entra recommendation in full, by id, short name or title: why it applies to this tenant (insights), the benefit, the action steps in order, Identity Secure Score points, how many users or apps it impacts by status, and its status history (postponed until, last changed by whom and when). Reports Reader.",
    toolset: Toolset::Posture,
    permissions: &["DirectoryRecommendations.Read.All", "User.ReadBasic.All"],
    least_role: "Reports Reader",
    access: Access::Read,
    beta: true,
    default: false,
    examples: EXAMPLES,
};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetRecommendationParams {
    /// The recommendation: its id, its short name (`TurnOffPerUserMFA`), its type or its title.
    pub recommendation: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Step {
    pub step: usize,
    pub text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct StatusHistory {
    /// When the status last changed (UTC).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_changed: Option<String>,
    /// Who changed it: a name where the directory knows the id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_changed_by: Option<String>,
    /// The object id Graph gives for who changed it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_changed_by_id: Option<String>,
    /// A postponed recommendation becomes active again then (UTC).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub postponed_until: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct RecommendationDetail {
    pub name: String,
    pub id: String,
    pub recommendation_type: Option<String>,
    pub status: String,
    pub priority: Option<String>,
    pub category: Option<String>,
    /// `tenantLevel`, `users` or `apps`.
    pub impact_type: Option<String>,
    pub feature_areas: Vec<String>,
    /// Identity Secure Score points: attained / attainable.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<String>,
    /// Why it applies to this tenant.
    pub insights: Option<String>,
    /// What completing it brings.
    pub benefits: Option<String>,
    /// What the fix changes for users.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remediation_impact: Option<String>,
    pub steps: Vec<Step>,
    /// Users, apps or other objects it is about.
    pub impacted: usize,
    pub impacted_by_status: Vec<StatusCount>,
    pub status_history: StatusHistory,
    /// When Entra first found it applies (UTC).
    pub detected: Option<String>,
    /// When Entra last found it still applies (UTC).
    pub last_checked: Option<String>,
    /// What to call next.
    pub next: String,
}

const SELECT: &[&str] = &[
    "id",
    "displayName",
    "recommendationType",
    "status",
    "priority",
    "category",
    "impactType",
    "featureAreas",
    "currentScore",
    "maxScore",
    "insights",
    "benefits",
    "remediationImpact",
    "actionSteps",
    "createdDateTime",
    "lastCheckedDateTime",
    "lastModifiedDateTime",
    "lastModifiedBy",
    "postponeUntilDateTime",
];

/// Insights and steps are the substance of a recommendation: kept longer than other text.
const LONG_TEXT: usize = 400;

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct Person {
    display_name: Option<String>,
    user_principal_name: Option<String>,
}

async fn get_recommendation(ctx: Ctx, p: GetRecommendationParams) -> Result<RecommendationDetail, SkillError> {
    let found =
        recommendation_model::find(&ctx, "recommendation", &p.recommendation, recommendation_model::FIND_SELECT)
            .await?;
    let request = GraphRequest::get(format!("{}/{}", recommendation_model::RECOMMENDATIONS, segment(&found.id)))
        .beta()
        .prefer_unknown_enums()
        .query(Query::new().select(SELECT).expand("impactedResources($select=id,status)"));
    let r: Recommendation = ctx.graph.get(request).await.map_err(|e| {
        if e.kind == ErrorKind::NotFound {
            SkillError::not_found(format!("recommendation {}", found.id), "list_recommendations")
        } else {
            e
        }
    })?;
    // Graph names who changed the status by object id: say who that is, where the directory knows.
    let changed_by_id = r.last_modified_by.clone().filter(|by| guid(by).is_some());
    let changed_by = match &changed_by_id {
        Some(id) => {
            let who = GraphRequest::get(format!("/users/{}", segment(id)))
                .query(Query::new().select(&["displayName", "userPrincipalName"]));
            ctx.optional("the name of who changed the status", ctx.graph.get::<Person>(who).await).map(|who| {
                match (who.display_name, who.user_principal_name) {
                    (Some(name), Some(upn)) => format!("{name} ({upn})"),
                    (name, upn) => name.or(upn).unwrap_or_else(|| id.clone()),
                }
            })
        }
        None => r.last_modified_by.clone().filter(|by| !by.trim().is_empty()),
    };
    let mut steps: Vec<(i64, &recommendation_model::ActionStep)> =
        r.action_steps.iter().enumerate().map(|(i, s)| (s.step_number.unwrap_or(i as i64 + 1), s)).collect();
    steps.sort_by_key(|(n, _)| *n);
    let steps = steps
        .into_iter()
        .enumerate()
        .map(|(i, (_, s))| Step {
            step: i + 1,
            text: trim(&plain_step(s.text.as_deref().unwrap_or_default()), LONG_TEXT),
            link_name: s.action_url.as_ref().and_then(|u| u.display_name.clone()),
            link: s.action_url.as_ref().and_then(|u| u.url.clone()),
        })
        .collect();
    let resources = r.impacted_resources.clone().unwrap_or_default();
    let status = r.status.as_deref();
    let next = match status {
        Some("active") if !resources.is_empty() => format!(
            "list_recommendation_resources {{\"recommendation\":\"{}\"}} names the objects to fix; update_recommendation_status completes, dismisses or postpones it",
            short_name(&r.id)
        ),
        Some("active") => "update_recommendation_status completes, dismisses or postpones it once handled".to_string(),
        Some("postponed" | "dismissed" | "completedByUser") => {
            "update_recommendation_status with action `reactivate` makes it active again".to_string()
        }
        _ => format!(
            "list_recommendation_resources {{\"recommendation\":\"{}\"}} lists the objects it covered",
            short_name(&r.id)
        ),
    };
    Ok(RecommendationDetail {
        name: r.name(),
        recommendation_type: r.recommendation_type.clone(),
        status: status_words(status),
        priority: r.priority.clone(),
        category: r.category.as_deref().map(words),
        impact_type: r.impact_type.clone(),
        feature_areas: r.feature_areas.clone(),
        score: r.score(),
        insights: r.insights.as_deref().map(|t| trim(t, LONG_TEXT)),
        benefits: r.benefits.as_deref().map(|t| trim(t, LONG_TEXT)),
        remediation_impact: r
            .remediation_impact
            .as_deref()
            .filter(|t| !t.trim().is_empty())
            .map(|t| trim(t, LONG_TEXT)),
        steps,
        impacted: resources.len(),
        impacted_by_status: by_status(resources.iter().map(|x| x.status.as_deref())),
        status_history: StatusHistory {
            last_changed: r.last_modified_date_time.clone(),
            last_changed_by: changed_by,
            last_changed_by_id: changed_by_id,
            postponed_until: r.postpone_until_date_time.clone().filter(|_| status == Some("postponed")),
        },
        detected: r.created_date_time.clone(),
        last_checked: r.last_checked_date_time.clone(),
        next,
        id: r.id,
    })
}

impl Render for RecommendationDetail {
    fn markdown(&self) -> String {
        let counts: Vec<String> = self.impacted_by_status.iter().map(|c| format!("{} {}", c.count, c.status)).collect();
        let history = &self.status_history;
        let mut out = fields(&[
            ("recommendation", Some(self.name.clone())),
            ("id", Some(self.id.clone())),
            ("status", Some(self.status.clone())),
            ("postponed until", history.postponed_until.as_deref().map(short_time)),
            ("priority", self.priority.clone()),
            ("category", self.category.clone()),
            ("impact", self.impact_type.clone()),
            ("feature areas", Some(self.feature_areas.join(", ")).filter(|a| !a.is_empty())),
            ("secure score", self.score.clone()),
            (
                "impacted",
                Some(if counts.is_empty() {
                    "0".to_string()
                } else {
                    format!("{} ({})", self.impacted, counts.join(", "))
                }),
            ),
            ("status last changed", history.last_changed.as_deref().map(short_time)),
            ("changed by", history.last_changed_by.clone().or_else(|| history.last_changed_by_id.clone())),
            ("detected", self.detected.as_deref().map(short_time)),
            ("last checked", self.last_checked.as_deref().map(short_time)),
        ]);
        for (label, text) in
            [("why", &self.insights), ("benefit", &self.benefits), ("impact of the fix", &self.remediation_impact)]
        {
            if let Some(text) = text {
                out.push_str(&format!("\n{label}: {}", text.replace('\n', " ")));
            }
        }
        if !self.steps.is_empty() {
            out.push_str("\nsteps:");
            for s in &self.steps {
                out.push_str(&format!("\n{}. {}", s.step, s.text));
                if let Some(link) = &s.link {
                    out.push_str(&format!(" ({}: {link})", s.link_name.as_deref().unwrap_or("link")));
                }
            }
        }
        out.push_str(&format!("\nnext: {}", self.next));
        out
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Show the Entra recommendation to convert per-user MFA in full: insights, steps, and who postponed it until when",
        args: r#"{"recommendation":"TurnOffPerUserMFA"}"#,
        facts: &[
            Fact::Every("status", "postponed"),
            Fact::Every("status_history/last_changed_by", "~Marcus Lee"),
            Fact::Says("postponed until"),
            Fact::Every("impacted", "2"),
            Fact::Every("steps/0/step", "1"),
            Fact::Every("steps/1/text", "Turn per-user MFA off for each of them."),
            Fact::Says("per-user multifactor authentication"),
        ],
    },
    Example {
        question: "What are the steps to fix the recommendation to require MFA for admin roles, and how many points it is worth?",
        args: r#"{"recommendation":"Require multifactor authentication for administrative roles"}"#,
        facts: &[
            Fact::Every("score", "7.5 / 10"),
            Fact::Every("category", "identity secure score"),
            Fact::Every("id", "~_Microsoft.Identity.IAM.Insights.AdminMFAV2"),
            Fact::AtLeast("steps/*", 2),
            Fact::Some("impacted_by_status/*/status", "active"),
        ],
    },
    Example {
        question: "Details of the recommendation to reduce our attack surface from unicorn apps",
        args: r#"{"recommendation":"Remove unicorn applications"}"#,
        facts: &[Fact::Fails(ErrorKind::NotFound), Fact::Says("Remove unused applications")],
    },
];

pub fn skill() -> Skill {
    Skill::new(GET_RECOMMENDATION, get_recommendation)
}
