//! `list_catalogs`: the entitlement management catalogs, with their state, kind, external
//! visibility and how many access packages and resources each holds.

use futures::stream::{self, StreamExt};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::graph::{GraphRequest, Query, path};
use crate::odata::Expr;
use crate::render::{short_time, table, trim_opt};
use crate::shared::*;
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset};

use super::entitlement_model::{Catalog, EM, Reference, catalog_kind};

const LIST_CATALOGS: Declaration = Declaration {
    name: "list_catalogs",
    title: "List entitlement catalogs",
    description: "Entitlement management catalogs (the containers of access packages): published or not, user-managed or the built-in General catalog, whether external users can request from them, and how many access packages and resources each holds. For one catalog's resources and Logic App extensions use get_catalog_resources. Needs P2 or ID Governance; Identity Governance Administrator.",
    toolset: Toolset::Governance,
    permissions: &["EntitlementManagement.Read.All"],
    least_role: "Identity Governance Administrator",
    access: Access::Read,
    beta: false,
    default: false,
    examples: EXAMPLES,
};

/// Resource counts are read one catalog at a time; at most this many at once.
const IN_FLIGHT: usize = 8;
/// Resources counted per catalog before the count reads "at least".
const RESOURCE_CAP: usize = 500;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListCatalogsParams {
    /// Only catalogs whose name contains this text.
    pub name_contains: Option<String>,
    #[serde(default)]
    pub limit: Limit,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct CatalogRow {
    pub id: String,
    pub display_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `published` or `unpublished`.
    pub state: Option<String>,
    /// `user_managed`, `service_default` (the built-in General catalog), `service_managed`.
    pub catalog_type: String,
    /// Users outside the tenant may request its access packages.
    pub externally_visible: Option<bool>,
    pub access_package_count: usize,
    /// Absent when the resources could not be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_count: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct CatalogList {
    pub catalogs: Vec<CatalogRow>,
    #[serde(flatten)]
    pub list: ListInfo,
}

/// How many resources a catalog holds (`None` when they could not be read).
async fn resource_count(ctx: &Ctx, id: &str) -> Result<(usize, bool), SkillError> {
    let request = GraphRequest::get(path("/identityGovernance/entitlementManagement/catalogs/{}/resources", &[id]))
        .query(Query::new().select(&["id"]));
    let page = ctx.graph.list::<Reference>(request, RESOURCE_CAP).await?;
    Ok((page.items.len(), page.more))
}

async fn list_catalogs(ctx: Ctx, p: ListCatalogsParams) -> Result<CatalogList, SkillError> {
    let limit = p.limit.get()?;
    let filter = p.name_contains.as_deref().map(|n| text("name_contains", n, 120)).transpose()?;
    let query = Query::new()
        .select(&["id", "displayName", "description", "catalogType", "state", "isExternallyVisible", "createdDateTime"])
        .filter_opt(filter.map(|n| Expr::contains("displayName", n)))
        .expand("accessPackages($select=id)")
        .top(limit.min(999));
    let page = ctx.graph.list::<Catalog>(GraphRequest::get(format!("{EM}/catalogs")).query(query), limit).await?;

    let ids: Vec<String> = page.items.iter().map(|c| c.id.clone()).collect();
    let counts: Vec<Result<(usize, bool), SkillError>> = stream::iter(ids)
        .map(|id| {
            let ctx = ctx.clone();
            async move { resource_count(&ctx, &id).await }
        })
        .buffered(IN_FLIGHT)
        .collect()
        .await;
    let mut failed = false;
    let mut capped = false;
    let catalogs: Vec<CatalogRow> = page
        .items
        .into_iter()
        .zip(counts)
        .map(|(c, count)| {
            let resource_count = match count {
                Ok((n, more)) => {
                    capped |= more;
                    Some(n)
                }
                Err(_) => {
                    failed = true;
                    None
                }
            };
            CatalogRow {
                catalog_type: catalog_kind(c.catalog_type.as_deref()).to_string(),
                access_package_count: c.access_packages.as_ref().map(Vec::len).unwrap_or(0),
                resource_count,
                id: c.id,
                display_name: c.display_name,
                description: trim_opt(c.description),
                state: c.state,
                externally_visible: c.is_externally_visible,
                created: c.created_date_time,
            }
        })
        .collect();
    if failed {
        ctx.note("some catalogs' resources could not be read; their resource count is left out");
    }
    if capped {
        ctx.note(format!("resource counts stop at {RESOURCE_CAP} per catalog"));
    }
    // Graph does not count catalogs; a list read to its end is its own total.
    let total = (!page.more).then_some(catalogs.len() as u64);
    let list = ListInfo::new(catalogs.len(), total, page.more, "`name_contains`");
    Ok(CatalogList { catalogs, list })
}

impl Render for CatalogList {
    fn rows(&self) -> Option<usize> {
        Some(self.catalogs.len())
    }

    fn cut_to(&mut self, rows: usize) {
        self.catalogs.truncate(rows);
        self.list.cut(rows);
    }

    fn markdown(&self) -> String {
        let rows: Vec<Vec<String>> = self
            .catalogs
            .iter()
            .map(|c| {
                vec![
                    c.display_name.clone().unwrap_or_else(|| "-".into()),
                    c.state.clone().unwrap_or_else(|| "-".into()),
                    c.catalog_type.clone(),
                    match c.externally_visible {
                        Some(true) => "yes".into(),
                        Some(false) => "no".into(),
                        None => "-".into(),
                    },
                    c.access_package_count.to_string(),
                    c.resource_count.map(|n| n.to_string()).unwrap_or_else(|| "?".into()),
                    c.created.as_deref().map(short_time).unwrap_or_else(|| "-".into()),
                    c.id.clone(),
                ]
            })
            .collect();
        let total = self.list.total.map(|t| format!(" (total {t})")).unwrap_or_default();
        format!(
            "{} catalogs{total}\n{}{}",
            self.list.returned,
            table(&["catalog", "state", "type", "external", "packages", "resources", "created (UTC)", "id"], &rows),
            self.list.footer()
        )
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Which entitlement management catalogs do we have, and what does each hold?",
        args: r#"{}"#,
        facts: &[
            Fact::Some("catalogs/*/display_name", "Finance Resources"),
            Fact::Some("catalogs/*/display_name", "Sales Resources"),
            Fact::Some("catalogs/*/catalog_type", "service_default"),
            Fact::Count("catalogs/*", 3),
            Fact::Every("total", "3"),
            Fact::Says("| Sales Resources | published | user_managed | yes | 2 | 3 |"),
        ],
    },
    Example {
        question: "Find the Finance catalog in entitlement management",
        args: r#"{"name_contains":"finance"}"#,
        facts: &[
            Fact::Every("catalogs/*/display_name", "Finance Resources"),
            Fact::Every("catalogs/*/externally_visible", "false"),
            Fact::Every("catalogs/*/access_package_count", "2"),
        ],
    },
    Example {
        question: "Catalogs with a name that is only spaces",
        args: r#"{"name_contains":"   "}"#,
        facts: &[Fact::Fails(ErrorKind::InvalidInput)],
    },
];

pub fn skill() -> Skill {
    Skill::new(LIST_CATALOGS, list_catalogs)
}
