//! `list_recommendation_resources` (beta): the users, apps and other objects an Entra
//! recommendation is about, with their status and what Entra noted about each.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::recommendation_model::{
    self, ImpactedResource, Status, StatusCount, by_status, short_name, status_rank, status_words,
};
use crate::graph::{GraphRequest, Query, segment};
use crate::render::{or_dash, short_time, table, trim};
use crate::shared::{Limit, ListInfo};
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset};

const LIST_RECOMMENDATION_RESOURCES: Declaration = Declaration {
    name: "list_recommendation_resources",
    title: "List the objects an Entra recommendation impacts",
    description: "(beta) The impacted resources of one Microsoft Entra recommendation: which users, apps or other objects it is about, each with its type, object id, status (active, postponed, dismissed, completed) and the details Entra noted (expiry, role, last sign-in). Reports Reader.",
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
pub struct ListRecommendationResourcesParams {
    /// The recommendation: its id, its short name (`ApplicationCredentialExpiry`), its type or its title.
    pub recommendation: String,
    /// Only the objects in this status.
    pub status: Option<Status>,
    #[serde(default)]
    pub limit: Limit,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ResourceRow {
    pub name: Option<String>,
    /// `user`, `app`, …
    pub resource_type: Option<String>,
    /// The object's id in the directory (an app's application object, a user's id).
    pub id: String,
    /// A related id where it differs, such as an app's appId.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject_id: Option<String>,
    pub status: String,
    /// When Entra added it to the recommendation (UTC).
    pub added: Option<String>,
    /// A postponed object becomes active again then (UTC).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub postponed_until: Option<String>,
    /// What Entra noted about it, as `key: value`.
    pub details: Vec<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct RecommendationResources {
    pub recommendation: String,
    pub recommendation_id: String,
    /// The recommendation's own status.
    pub recommendation_status: String,
    /// Still to address first, then by Entra's rank.
    pub resources: Vec<ResourceRow>,
    /// Every impacted object by status (before the `status` filter).
    pub by_status: Vec<StatusCount>,
    #[serde(flatten)]
    pub list: ListInfo,
}

const SELECT: &[&str] = &[
    "id",
    "subjectId",
    "displayName",
    "resourceType",
    "status",
    "addedDateTime",
    "postponeUntilDateTime",
    "rank",
    "additionalDetails",
];

async fn list_recommendation_resources(
    ctx: Ctx,
    p: ListRecommendationResourcesParams,
) -> Result<RecommendationResources, SkillError> {
    let limit = p.limit.get()?;
    let found =
        recommendation_model::find(&ctx, "recommendation", &p.recommendation, recommendation_model::FIND_SELECT)
            .await?;
    // Graph takes `$select` alone on impacted resources: the status is filtered here.
    let request = GraphRequest::get(format!(
        "{}/{}/impactedResources",
        recommendation_model::RECOMMENDATIONS,
        segment(&found.id)
    ))
    .beta()
    .prefer_unknown_enums()
    .query(Query::new().select(SELECT));
    let page = ctx.graph.list::<ImpactedResource>(request, 5000).await.map_err(|e| {
        if e.kind == ErrorKind::NotFound {
            SkillError::not_found(format!("recommendation {}", found.id), "list_recommendations")
        } else {
            e
        }
    })?;
    let counted = by_status(page.items.iter().map(|r| r.status.as_deref()));
    let mut rows: Vec<ImpactedResource> =
        page.items.into_iter().filter(|r| p.status.is_none_or(|s| r.status.as_deref() == Some(s.graph()))).collect();
    rows.sort_by_key(|r| (status_rank(r.status.as_deref()), r.rank.unwrap_or(i64::MAX), r.display_name.clone()));
    let total = rows.len();
    if total == 0 {
        ctx.note(match p.status {
            Some(status) => format!("no impacted object is {}", status_words(Some(status.graph()))),
            None => "this recommendation lists no impacted object: it applies to the tenant as a whole".to_string(),
        });
    }
    let resources: Vec<ResourceRow> = rows
        .into_iter()
        .take(limit)
        .map(|r| ResourceRow {
            name: r.display_name,
            resource_type: r.resource_type,
            subject_id: r.subject_id.filter(|s| !s.eq_ignore_ascii_case(&r.id) && !s.is_empty()),
            status: status_words(r.status.as_deref()),
            added: r.added_date_time,
            postponed_until: r.postpone_until_date_time.filter(|_| r.status.as_deref() == Some("postponed")),
            details: r
                .additional_details
                .iter()
                .filter_map(|kv| Some(trim(&format!("{}: {}", kv.key.as_deref()?, kv.value.as_deref()?), 120)))
                .take(10)
                .collect(),
            id: r.id,
        })
        .collect();
    Ok(RecommendationResources {
        recommendation: found.name(),
        recommendation_status: status_words(found.status.as_deref()),
        recommendation_id: found.id,
        list: ListInfo::new(resources.len(), Some(total as u64), page.more, "`status` or `limit`"),
        resources,
        by_status: counted,
    })
}

impl Render for RecommendationResources {
    fn rows(&self) -> Option<usize> {
        Some(self.resources.len())
    }

    fn cut_to(&mut self, rows: usize) {
        self.resources.truncate(rows);
        self.list.cut(rows);
    }

    fn markdown(&self) -> String {
        let rows: Vec<Vec<String>> = self
            .resources
            .iter()
            .map(|r| {
                vec![
                    or_dash(&r.name),
                    or_dash(&r.resource_type),
                    r.status.clone(),
                    r.added.as_deref().map(short_time).unwrap_or_else(|| "-".into()),
                    r.details.join("; "),
                    r.id.clone(),
                ]
            })
            .collect();
        let counts: Vec<String> = self.by_status.iter().map(|c| format!("{} {}", c.count, c.status)).collect();
        format!(
            "{} ({}, {}): {} impacted ({})\n{}{}",
            self.recommendation,
            short_name(&self.recommendation_id),
            self.recommendation_status,
            self.list.total.unwrap_or(self.list.returned as u64),
            if counts.is_empty() { "none".to_string() } else { counts.join(", ") },
            table(&["object", "type", "status", "added (UTC)", "details", "id"], &rows),
            self.list.footer()
        )
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Impacted resources of the Entra recommendation to renew expiring application credentials",
        args: r#"{"recommendation":"ApplicationCredentialExpiry"}"#,
        facts: &[
            Fact::Some("resources/*/name", "Payroll Sync"),
            Fact::Some("resources/*/name", "Legacy Reports Portal"),
            Fact::Every("resources/*/resource_type", "app"),
            Fact::Some("resources/*/details/*", "ExpiresInDays: 12"),
            Fact::Count("resources/*", 2),
        ],
    },
    Example {
        question: "Who are the admins without MFA that the Entra recommendation points at?",
        args: r#"{"recommendation":"Require multifactor authentication for administrative roles","status":"active"}"#,
        facts: &[
            Fact::Some("resources/*/name", "Elena Petrova"),
            Fact::Every("resources/*/status", "active"),
            Fact::Some("resources/*/details/*", "Role: User Administrator"),
        ],
    },
    Example {
        question: "Impacted users of the postponed TurnOffPerUserMFA recommendation",
        args: r#"{"recommendation":"turnOffPerUserMFA"}"#,
        facts: &[
            Fact::Some("resources/*/name", "George Adams"),
            Fact::Some("resources/*/name", "Mei Lin"),
            Fact::Every("recommendation_status", "postponed"),
            Fact::Every("resources/*/resource_type", "user"),
        ],
    },
    Example {
        question: "Impacted resources of a recommendation that does not exist",
        args: r#"{"recommendation":"EnableQuantumLogin"}"#,
        facts: &[Fact::Fails(ErrorKind::NotFound)],
    },
];

pub fn skill() -> Skill {
    Skill::new(LIST_RECOMMENDATION_RESOURCES, list_recommendation_resources)
}
