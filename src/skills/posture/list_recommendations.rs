//! `list_recommendations` (beta): Entra's recommendations for the tenant — what to fix, how
//! urgent, how many objects each one is about and the Secure Score points at stake — by
//! status, priority, category, feature area and impact.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::recommendation_model::{
    Category, FeatureArea, ImpactType, Priority, RECOMMENDATIONS, Recommendation, Status, StatusCount, by_status,
    priority_rank, short_name, status_rank, status_words, words,
};
use crate::graph::{GraphRequest, Query};
use crate::odata::Expr;
use crate::render::{or_dash, table};
use crate::shared::{Limit, ListInfo};
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset};

const LIST_RECOMMENDATIONS: Declaration = Declaration {
    name: "list_recommendations",
    title: "List Entra recommendations",
    description: "(beta) Microsoft Entra recommendations for this tenant: best practices and Identity Secure Score improvement actions with their status (active, postponed, dismissed, completed), priority, category, feature area, how many users or apps each is about and the score points at stake. Filter by status, priority, category, feature area or impact type. Reports Reader.",
    toolset: Toolset::Posture,
    permissions: &["DirectoryRecommendations.Read.All"],
    least_role: "Reports Reader",
    access: Access::Read,
    beta: true,
    default: false,
    examples: EXAMPLES,
};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListRecommendationsParams {
    /// Only recommendations in this status (default: every status).
    pub status: Option<Status>,
    pub priority: Option<Priority>,
    /// `identity_best_practice`, `identity_secure_score` or `mdi_secure_score`.
    pub category: Option<Category>,
    /// The directory feature the recommendation is about.
    pub feature_area: Option<FeatureArea>,
    /// Whom it affects: the whole tenant, users or apps.
    pub impact_type: Option<ImpactType>,
    #[serde(default)]
    pub limit: Limit,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct RecommendationRow {
    pub name: String,
    /// `active`, `postponed`, `dismissed`, `completed by user`, `completed by system`.
    pub status: String,
    pub priority: Option<String>,
    pub category: Option<String>,
    /// `tenantLevel`, `users` or `apps`.
    pub impact_type: Option<String>,
    pub feature_areas: Vec<String>,
    /// Users, apps or other objects the recommendation is about.
    pub impacted: usize,
    /// Of them, those still to address.
    pub impacted_active: usize,
    /// Identity Secure Score points: attained / attainable.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<String>,
    /// When a postponed recommendation becomes active again (UTC).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub postponed_until: Option<String>,
    pub id: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Recommendations {
    /// What still needs doing first, then by priority.
    pub recommendations: Vec<RecommendationRow>,
    /// How many of those listed are in each status.
    pub by_status: Vec<StatusCount>,
    #[serde(flatten)]
    pub list: ListInfo,
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
    "postponeUntilDateTime",
];

async fn list_recommendations(ctx: Ctx, p: ListRecommendationsParams) -> Result<Recommendations, SkillError> {
    let limit = p.limit.get()?;
    let filter = Expr::conjunction(
        [
            p.status.map(|s| Expr::eq("status", s.graph())),
            p.priority.map(|s| Expr::eq("priority", s.graph())),
            p.category.map(|s| Expr::eq("category", s.graph())),
            p.feature_area.map(|a| Expr::any("featureAreas", "a", Expr::eq("a", a.graph()))),
        ]
        .into_iter()
        .flatten(),
    );
    // Graph lists the impacted resources with the recommendation when asked, which spares one
    // call per row; their status is all the count needs.
    let request = GraphRequest::get(RECOMMENDATIONS)
        .beta()
        .prefer_unknown_enums()
        .query(Query::new().select(SELECT).filter_opt(filter).expand("impactedResources($select=id,status)"));
    let page = ctx.graph.list::<Recommendation>(request, 1000).await?;
    let mut rows: Vec<(u8, u8, RecommendationRow)> = page
        .items
        .into_iter()
        .filter(|r| p.impact_type.is_none_or(|t| t.matches(r.impact_type.as_deref())))
        .map(|r| {
            let resources = r.impacted_resources.clone().unwrap_or_default();
            let ranks = (status_rank(r.status.as_deref()), priority_rank(r.priority.as_deref()));
            let row = RecommendationRow {
                name: r.name(),
                status: status_words(r.status.as_deref()),
                priority: r.priority.clone(),
                category: r.category.as_deref().map(words),
                impact_type: r.impact_type.clone(),
                feature_areas: r.feature_areas.clone(),
                impacted: resources.len(),
                impacted_active: resources.iter().filter(|x| x.status.as_deref() == Some("active")).count(),
                score: r.score(),
                postponed_until: r
                    .postpone_until_date_time
                    .clone()
                    .filter(|_| r.status.as_deref() == Some("postponed")),
                id: r.id,
            };
            (ranks.0, ranks.1, row)
        })
        .collect();
    rows.sort_by(|a, b| (a.0, a.1, &a.2.name).cmp(&(b.0, b.1, &b.2.name)));
    let total = rows.len();
    let counted = by_status(rows.iter().map(|(rank, ..)| status_graph(*rank)));
    let recommendations: Vec<RecommendationRow> = rows.into_iter().take(limit).map(|(_, _, r)| r).collect();
    if total == 0 {
        ctx.note("no recommendation matches these filters; Entra checks the tenant daily and lists only recommendations that apply to it");
    }
    Ok(Recommendations {
        list: ListInfo::new(recommendations.len(), Some(total as u64), page.more, "`status`, `priority` or `limit`"),
        recommendations,
        by_status: counted,
    })
}

/// The Graph status of a sort rank (for counting after the rows were built).
fn status_graph(rank: u8) -> Option<&'static str> {
    [
        Some("active"),
        Some("needsMoreAction"),
        Some("postponed"),
        Some("dismissed"),
        Some("completedByUser"),
        Some("completedBySystem"),
    ]
    .get(rank as usize)
    .copied()
    .flatten()
}

impl Render for Recommendations {
    fn rows(&self) -> Option<usize> {
        Some(self.recommendations.len())
    }

    fn cut_to(&mut self, rows: usize) {
        self.recommendations.truncate(rows);
        self.list.cut(rows);
    }

    fn markdown(&self) -> String {
        let rows: Vec<Vec<String>> = self
            .recommendations
            .iter()
            .map(|r| {
                let status = match &r.postponed_until {
                    Some(until) => format!("{} until {}", r.status, crate::render::short_time(until)),
                    None => r.status.clone(),
                };
                vec![
                    r.name.clone(),
                    status,
                    or_dash(&r.priority),
                    or_dash(&r.category),
                    format!("{} ({} active)", r.impacted, r.impacted_active),
                    r.score.clone().unwrap_or_else(|| "-".into()),
                    short_name(&r.id).to_string(),
                ]
            })
            .collect();
        let counts: Vec<String> = self.by_status.iter().map(|c| format!("{} {}", c.count, c.status)).collect();
        format!(
            "{} recommendations ({})\n{}{}",
            self.list.returned,
            counts.join(", "),
            table(&["recommendation", "status", "priority", "category", "impacted", "score", "id (short)"], &rows),
            self.list.footer()
        )
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Which Entra recommendations are still active for our tenant?",
        args: r#"{"status":"active"}"#,
        facts: &[
            Fact::Every("recommendations/*/status", "active"),
            Fact::Some("recommendations/*/name", "Renew expiring application credentials"),
            Fact::Some("recommendations/*/name", "Require multifactor authentication for administrative roles"),
            Fact::No("recommendations/*/name", "Convert from per-user MFA to Conditional Access MFA"),
            Fact::AtLeast("recommendations/*", 5),
        ],
    },
    Example {
        question: "Show all Entra recommendations in every status, postponed and dismissed included",
        args: r#"{}"#,
        facts: &[
            Fact::Some("by_status/*/status", "postponed"),
            Fact::Some("by_status/*/status", "dismissed"),
            Fact::Some("by_status/*/status", "completed by system"),
            Fact::Some("by_status/*/status", "completed by user"),
            Fact::AtLeast("recommendations/*", 10),
            Fact::Some("recommendations/*/id", "~_Microsoft.Identity.IAM.Insights.TurnOffPerUserMFA"),
        ],
    },
    Example {
        question: "High-priority Identity Secure Score recommendations and the points they are worth",
        args: r#"{"priority":"high","category":"identity_secure_score"}"#,
        facts: &[
            Fact::Every("recommendations/*/priority", "high"),
            Fact::Every("recommendations/*/category", "identity secure score"),
            Fact::Some("recommendations/*/score", "7.5 / 10"),
            Fact::Says("Block legacy authentication"),
        ],
    },
    Example {
        question: "Recommendations about applications",
        args: r#"{"feature_area":"applications","impact_type":"apps"}"#,
        facts: &[
            Fact::Some("recommendations/*/name", "Remove unused applications"),
            Fact::Every("recommendations/*/impact_type", "apps"),
            Fact::No("recommendations/*/name", "Block legacy authentication"),
        ],
    },
    Example {
        question: "Recommendations that are snoozed",
        args: r#"{"status":"snoozed"}"#,
        facts: &[Fact::Fails(ErrorKind::InvalidInput), Fact::Says("status")],
    },
];

pub fn skill() -> Skill {
    Skill::new(LIST_RECOMMENDATIONS, list_recommendations)
}
