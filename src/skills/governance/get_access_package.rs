//! `get_access_package`: one access package in plain words: which resource roles it grants,
//! and for each assignment policy who may request it, who approves, when access expires,
//! whether it is reviewed and which Logic Apps run; plus how many hold it now.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::graph::{GraphRequest, Query, path};
use crate::odata::Expr;
use crate::render::{fields, table, trim_opt, yes_no};
use crate::shared::resolve;
use crate::shared::*;
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset};

use super::entitlement_model::{ACCESS_PACKAGE, AccessPackage, EM, NamedRef, Reference, Resource, resource_kind};
use super::entitlement_policy::{PolicySummary, policy_markdown, summarize};

const GET_ACCESS_PACKAGE: Declaration = Declaration {
    name: "get_access_package",
    title: "Get access package",
    description: "One access package by name or id in plain words: the resource roles it grants (group memberships, app roles, SharePoint site roles); per policy who may request it, approval stages and approvers, expiry, access reviews and Logic Apps run; and how many hold it now. Needs P2 or ID Governance; Identity Governance Administrator.",
    toolset: Toolset::Governance,
    permissions: &["EntitlementManagement.Read.All"],
    least_role: "Identity Governance Administrator",
    access: Access::Read,
    beta: false,
    default: false,
    examples: EXAMPLES,
};

/// Delivered assignments counted before the count reads "at least".
const ASSIGNMENT_CAP: usize = 1000;
const RESOURCE_CAP: usize = 500;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetAccessPackageParams {
    /// Access package id or exact display name.
    pub access_package: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Grant {
    /// The resource's display name, from the catalog.
    pub resource: Option<String>,
    /// `group`, `application`, `sharepoint_site`, or Graph's origin system.
    pub resource_kind: String,
    pub role: Option<String>,
    /// The object id of the group or service principal, or the site URL.
    pub origin_id: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct AccessPackageDetail {
    pub id: String,
    pub display_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub catalog: Option<NamedRef>,
    /// Hidden from the My Access portal: only people given a direct link can request it.
    pub hidden: bool,
    /// What holding the package gives.
    pub grants: Vec<Grant>,
    pub policies: Vec<PolicySummary>,
    /// Assignments delivered now (absent when they could not be read).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub active_assignments: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub modified: Option<String>,
}

const DETAIL_SELECT: &[&str] = &["id", "displayName", "description", "isHidden", "modifiedDateTime"];
const DETAIL_EXPAND: &str = "catalog($select=id,displayName),resourceRoleScopes($expand=role,scope),assignmentPolicies($expand=customExtensionStageSettings($expand=customExtension($select=id,displayName)))";

async fn read_package(ctx: &Ctx, given: &str) -> Result<AccessPackage, SkillError> {
    let id = match given_id(given) {
        Some(id) => id,
        None => resolve::resolve::<AccessPackage>(ctx, &ACCESS_PACKAGE, given, &["id", "displayName"]).await?.id,
    };
    let request = GraphRequest::get(path("/identityGovernance/entitlementManagement/accessPackages/{}", &[&id]))
        .query(Query::new().select(DETAIL_SELECT).expand(DETAIL_EXPAND));
    ctx.graph.get::<AccessPackage>(request).await.map_err(|e| {
        if e.kind == ErrorKind::NotFound {
            let mut missing = SkillError::not_found(format!("access package {id}"), "list_access_packages");
            missing.graph = e.graph;
            missing
        } else {
            e
        }
    })
}

/// The catalog's resources, to name what each resource role scope points at.
async fn catalog_resources(ctx: &Ctx, catalog: Option<&str>) -> Result<Vec<Resource>, SkillError> {
    let Some(catalog) = catalog else { return Ok(Vec::new()) };
    let request =
        GraphRequest::get(path("/identityGovernance/entitlementManagement/catalogs/{}/resources", &[catalog]))
            .query(Query::new().select(&["id", "displayName", "originSystem", "originId"]));
    Ok(ctx.graph.list::<Resource>(request, RESOURCE_CAP).await?.items)
}

/// Delivered assignments of the package: how many, and whether there are more than counted.
async fn delivered(ctx: &Ctx, id: &str) -> Result<(usize, bool), SkillError> {
    let query = Query::new()
        .select(&["id"])
        .filter(Expr::eq("accessPackage/id", id).and(Expr::eq("state", "delivered")))
        .top(999);
    let page = ctx
        .graph
        .list::<Reference>(GraphRequest::get(format!("{EM}/assignments")).query(query), ASSIGNMENT_CAP)
        .await?;
    Ok((page.items.len(), page.more))
}

async fn get_access_package(ctx: Ctx, p: GetAccessPackageParams) -> Result<AccessPackageDetail, SkillError> {
    let package = read_package(&ctx, &p.access_package).await?;
    let catalog_id = package.catalog.as_ref().map(|c| c.id.clone());
    let (resources, holders) =
        tokio::join!(catalog_resources(&ctx, catalog_id.as_deref()), delivered(&ctx, &package.id));
    let resources = ctx.optional("resource names", resources).unwrap_or_default();
    let active_assignments = ctx.optional("the count of current assignments", holders).map(|(n, more)| {
        if more {
            ctx.note(format!("at least {n} current assignments; counting stopped at {ASSIGNMENT_CAP}"));
        }
        n
    });
    let grants = package
        .resource_role_scopes
        .unwrap_or_default()
        .into_iter()
        .map(|scope| {
            let role = scope.role.unwrap_or_default();
            let origin = scope.scope.as_ref().and_then(|s| s.origin_id.clone());
            let system = scope.scope.as_ref().and_then(|s| s.origin_system.clone()).or(role.origin_system.clone());
            let resource = origin.as_deref().and_then(|o| {
                resources.iter().find(|r| r.origin_id.as_deref().is_some_and(|ro| ro.eq_ignore_ascii_case(o)))
            });
            Grant {
                resource: resource.and_then(|r| r.display_name.clone()),
                resource_kind: resource_kind(system.as_deref()),
                role: role.display_name,
                origin_id: origin,
            }
        })
        .collect();
    Ok(AccessPackageDetail {
        policies: package.assignment_policies.unwrap_or_default().iter().map(summarize).collect(),
        catalog: NamedRef::from(&package.catalog),
        hidden: package.is_hidden == Some(true),
        grants,
        active_assignments,
        id: package.id,
        display_name: package.display_name,
        description: trim_opt(package.description),
        modified: package.modified_date_time,
    })
}

impl Render for AccessPackageDetail {
    fn markdown(&self) -> String {
        let head = fields(&[
            ("access package", self.display_name.clone()),
            ("id", Some(self.id.clone())),
            ("catalog", self.catalog.as_ref().map(|c| format!("{} ({})", c.label(), c.id))),
            ("hidden from requestors", yes_no(Some(self.hidden))),
            ("description", self.description.clone()),
            ("current assignments", self.active_assignments.map(|n| n.to_string())),
        ]);
        let grants: Vec<Vec<String>> = self
            .grants
            .iter()
            .map(|g| {
                vec![
                    g.resource.clone().unwrap_or_else(|| "-".into()),
                    g.resource_kind.clone(),
                    g.role.clone().unwrap_or_else(|| "-".into()),
                    g.origin_id.clone().unwrap_or_else(|| "-".into()),
                ]
            })
            .collect();
        let policies = if self.policies.is_empty() {
            "no assignment policies: nobody can request or be assigned it".to_string()
        } else {
            self.policies.iter().map(policy_markdown).collect::<Vec<_>>().join("\n\n")
        };
        format!("{head}\n\ngrants\n{}\n\n{policies}", table(&["resource", "kind", "role", "origin id"], &grants))
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Who can request Sales Partner Access, who approves it and when does it expire?",
        args: r#"{"access_package":"Sales Partner Access"}"#,
        facts: &[
            Fact::Every("catalog/display_name", "Sales Resources"),
            Fact::Some("grants/*/resource", "Fabrikam Partner Portal"),
            Fact::Some("grants/*/resource_kind", "sharepoint_site"),
            Fact::Every("policies/*/target_scope", "specific_connected_organization_users"),
            Fact::Every("policies/*/who", "~Fabrikam Partners"),
            Fact::Every("policies/*/approval", "2 stages"),
            Fact::Some("policies/*/approval_stages/*/approvers/*", "the connected organization's external sponsors"),
            Fact::Every("policies/*/expiration", "expires 90 days after it is granted"),
            Fact::Every("policies/*/access_review", "~reviewed quarterly by Alex Chen"),
            Fact::Every("active_assignments", "4"),
        ],
    },
    Example {
        question: "What does the Finance Analyst Toolkit grant, and does a Logic App run when it is granted?",
        args: r#"{"access_package":"Finance Analyst Toolkit"}"#,
        facts: &[
            Fact::Some("grants/*/resource", "Finance App Users"),
            Fact::Some("grants/*/role", "Member"),
            Fact::Some("policies/*/approval_stages/*/approvers/*", "Daniel Moreau"),
            Fact::Some("policies/*/custom_extensions/*/extension/display_name", "Notify Finance Ops"),
            Fact::Says("when access is granted"),
            Fact::Every("policies/*/access_review", "no access reviews"),
        ],
    },
    Example {
        question: "The hidden Treasury pilot package: who can get it?",
        args: r#"{"access_package":"Treasury Forecast Pilot"}"#,
        facts: &[
            Fact::Every("hidden", "true"),
            Fact::Every("policies/*/who", "no one can request it; administrators assign it directly"),
            Fact::Every("policies/*/expiration", "never expires"),
            Fact::Every("active_assignments", "0"),
        ],
    },
    Example {
        question: "An access package that does not exist",
        args: r#"{"access_package":"Marketing Toolkit"}"#,
        facts: &[Fact::Fails(ErrorKind::NotFound)],
    },
];

pub fn skill() -> Skill {
    Skill::new(GET_ACCESS_PACKAGE, get_access_package)
}
