//! `list_access_packages`: access packages in a catalog or whose name contains a word, with
//! their catalog, hidden flag, and how many resource roles and policies each has.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::graph::{GraphRequest, Query};
use crate::odata::Expr;
use crate::render::{short_time, table, trim_opt};
use crate::shared::resolve;
use crate::shared::*;
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset};

use super::entitlement_model::{AccessPackage, CATALOG, Catalog, EM, NamedRef, label};

const LIST_ACCESS_PACKAGES: Declaration = Declaration {
    name: "list_access_packages",
    title: "List access packages",
    description: "Access packages in a catalog or whose name contains a word (e.g. every package with \"Sales\" in its name): catalog, hidden from requestors or not, and how many resource roles and assignment policies each has, with the total. For one package's resources, approvers and expiry use get_access_package. Needs P2 or ID Governance; Identity Governance Administrator.",
    toolset: Toolset::Governance,
    permissions: &["EntitlementManagement.Read.All"],
    least_role: "Identity Governance Administrator",
    access: Access::Read,
    beta: false,
    default: true,
    examples: EXAMPLES,
};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListAccessPackagesParams {
    /// Only packages of this catalog (id or exact display name).
    pub catalog: Option<String>,
    /// Only packages whose name contains this word (case-insensitive).
    pub name_contains: Option<String>,
    #[serde(default)]
    pub limit: Limit,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct AccessPackageRow {
    pub id: String,
    pub display_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub catalog: Option<NamedRef>,
    /// Hidden from the My Access portal: only people given a direct link can request it.
    pub hidden: bool,
    /// Resource roles it grants (group memberships, app roles, site roles).
    pub resource_role_count: usize,
    pub policy_count: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub modified: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct AccessPackageList {
    pub access_packages: Vec<AccessPackageRow>,
    #[serde(flatten)]
    pub list: ListInfo,
}

async fn list_access_packages(ctx: Ctx, p: ListAccessPackagesParams) -> Result<AccessPackageList, SkillError> {
    let limit = p.limit.get()?;
    let word = p.name_contains.as_deref().map(|w| text("name_contains", w, 120)).transpose()?;
    let mut clauses = Vec::new();
    if let Some(catalog) = &p.catalog {
        let catalog = resolve::resolve::<Catalog>(&ctx, &CATALOG, catalog, &["id", "displayName"]).await?;
        clauses.push(Expr::eq("catalog/id", catalog.id.as_str()));
    }
    if let Some(word) = word {
        // Documented for access packages: `contains` on displayName.
        clauses.push(Expr::contains("displayName", word));
    }
    let query = Query::new()
        .select(&["id", "displayName", "description", "isHidden", "modifiedDateTime"])
        .filter_opt(Expr::conjunction(clauses))
        .expand("catalog($select=id,displayName),resourceRoleScopes($select=id),assignmentPolicies($select=id)")
        .top(limit.min(999));
    let page =
        ctx.graph.list::<AccessPackage>(GraphRequest::get(format!("{EM}/accessPackages")).query(query), limit).await?;
    let access_packages: Vec<AccessPackageRow> = page
        .items
        .into_iter()
        .map(|a| AccessPackageRow {
            catalog: NamedRef::from(&a.catalog),
            hidden: a.is_hidden == Some(true),
            resource_role_count: a.resource_role_scopes.as_ref().map(Vec::len).unwrap_or(0),
            policy_count: a.assignment_policies.as_ref().map(Vec::len).unwrap_or(0),
            id: a.id,
            display_name: a.display_name,
            description: trim_opt(a.description),
            modified: a.modified_date_time,
        })
        .collect();
    // Graph does not count access packages; a list read to its end is its own total.
    let total = (!page.more).then_some(access_packages.len() as u64);
    let list = ListInfo::new(access_packages.len(), total, page.more, "`catalog` or `name_contains`");
    Ok(AccessPackageList { access_packages, list })
}

impl Render for AccessPackageList {
    fn rows(&self) -> Option<usize> {
        Some(self.access_packages.len())
    }

    fn cut_to(&mut self, rows: usize) {
        self.access_packages.truncate(rows);
        self.list.cut(rows);
    }

    fn markdown(&self) -> String {
        let rows: Vec<Vec<String>> = self
            .access_packages
            .iter()
            .map(|a| {
                vec![
                    a.display_name.clone().unwrap_or_else(|| "-".into()),
                    label(&a.catalog),
                    if a.hidden { "hidden".into() } else { "visible".into() },
                    a.resource_role_count.to_string(),
                    a.policy_count.to_string(),
                    a.modified.as_deref().map(short_time).unwrap_or_else(|| "-".into()),
                    a.id.clone(),
                ]
            })
            .collect();
        let total = self.list.total.map(|t| format!(" (total {t})")).unwrap_or_default();
        format!(
            "{} access packages{total}\n{}{}",
            self.list.returned,
            table(
                &[
                    "access package",
                    "catalog",
                    "requestors see it",
                    "resource roles",
                    "policies",
                    "modified (UTC)",
                    "id"
                ],
                &rows
            ),
            self.list.footer()
        )
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Which access packages have Sales in their name?",
        args: r#"{"name_contains":"Sales"}"#,
        facts: &[
            Fact::Count("access_packages/*", 2),
            Fact::Every("access_packages/*/display_name", "~Sales"),
            Fact::Every("access_packages/*/catalog/display_name", "Sales Resources"),
            Fact::Every("total", "2"),
            Fact::Every("access_packages/*/resource_role_count", "2"),
        ],
    },
    Example {
        question: "List the access packages in the Finance Resources catalog, hidden ones included",
        args: r#"{"catalog":"Finance Resources"}"#,
        facts: &[
            Fact::Some("access_packages/*/display_name", "Finance Analyst Toolkit"),
            Fact::Some("access_packages/*/hidden", "true"),
            Fact::No("access_packages/*/display_name", "Sales Enablement"),
            Fact::Every("access_packages/*/policy_count", "1"),
        ],
    },
    Example {
        question: "List all the access packages we have, with their catalogs",
        args: r#"{}"#,
        facts: &[Fact::Count("access_packages/*", 4), Fact::Says("Treasury Forecast Pilot")],
    },
    Example {
        question: "Access packages of a catalog that does not exist",
        args: r#"{"catalog":"Marketing Resources"}"#,
        facts: &[Fact::Fails(ErrorKind::NotFound)],
    },
];

pub fn skill() -> Skill {
    Skill::new(LIST_ACCESS_PACKAGES, list_access_packages)
}
