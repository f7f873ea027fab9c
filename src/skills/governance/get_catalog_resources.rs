//! `get_catalog_resources`: one entitlement management catalog, the groups, applications and
//! SharePoint sites it holds, and the custom workflow extensions (Logic Apps) it defines with
//! the policies and stages that call them.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::graph::{GraphRequest, Query, path};
use crate::render::{fields, short_time, table, trim_opt, yes_no};
use crate::shared::resolve;
use crate::shared::*;
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset};

use super::entitlement_model::{
    CATALOG, Catalog, CustomExtension, EM, NamedRef, Policy, Resource, catalog_kind, duration_words, endpoint_host,
    resource_kind,
};
use super::entitlement_policy::stage_words;

const GET_CATALOG_RESOURCES: Declaration = Declaration {
    name: "get_catalog_resources",
    title: "Get a catalog's resources and extensions",
    description: "What one entitlement management catalog (by name or id) holds: its groups, applications and SharePoint sites with the roles they offer, and its custom workflow extensions (the Logic Apps called during requests and assignments, with the policy and stage that call each). For the catalog list use list_catalogs. Needs P2 or ID Governance; Identity Governance Administrator.",
    toolset: Toolset::Governance,
    permissions: &["EntitlementManagement.Read.All"],
    least_role: "Identity Governance Administrator",
    access: Access::Read,
    beta: false,
    default: false,
    examples: EXAMPLES,
};

const CATALOG_FIELDS: &[&str] = &["id", "displayName", "description", "catalogType", "state", "isExternallyVisible"];
/// Policies read to find which ones call the catalog's extensions.
const POLICY_CAP: usize = 300;
const EXTENSION_CAP: usize = 50;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetCatalogResourcesParams {
    /// Catalog id or exact display name.
    pub catalog: String,
    /// Max resources listed (default 25).
    #[serde(default)]
    pub limit: Limit,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct CatalogHead {
    pub id: String,
    pub display_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `user_managed`, `service_default`, `service_managed`.
    pub catalog_type: String,
    pub state: Option<String>,
    pub externally_visible: Option<bool>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ResourceRow {
    pub id: String,
    pub display_name: Option<String>,
    /// `group`, `application`, `sharepoint_site`, or Graph's origin system.
    pub kind: String,
    /// The object id of a group or service principal, or the site URL.
    pub origin_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The roles access packages can grant on it.
    pub roles: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub added: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ExtensionRow {
    pub id: String,
    pub display_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `request` (runs during a request, may wait for a callback) or `assignment`.
    pub runs_on: String,
    /// The Logic App workflow it calls.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub logic_app: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_group: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subscription_id: Option<String>,
    /// The trigger's host (its path and query are left out).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endpoint_host: Option<String>,
    /// How long a request waits for the Logic App's callback.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub callback_timeout: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub modified: Option<String>,
    /// The policies that call it, and when; empty when no policy does.
    pub used_by: Vec<ExtensionUse>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ExtensionUse {
    /// When it runs, in words.
    pub stage: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_package: Option<NamedRef>,
    pub policy: NamedRef,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct CatalogResources {
    pub catalog: CatalogHead,
    pub resources: Vec<ResourceRow>,
    #[serde(flatten)]
    pub list: ListInfo,
    pub custom_extensions: Vec<ExtensionRow>,
}

async fn read_resources(ctx: &Ctx, id: &str, limit: usize) -> Result<(Vec<Resource>, bool), SkillError> {
    let query = Query::new()
        .select(&["id", "displayName", "description", "originSystem", "originId", "createdDateTime"])
        .expand("roles($select=id,displayName)")
        .top(limit.min(999));
    let request =
        GraphRequest::get(path("/identityGovernance/entitlementManagement/catalogs/{}/resources", &[id])).query(query);
    let page = ctx.graph.list::<Resource>(request, limit).await?;
    Ok((page.items, page.more))
}

async fn read_extensions(ctx: &Ctx, id: &str) -> Result<Vec<CustomExtension>, SkillError> {
    // No `$select`: each row's `@odata.type` says whether it runs on requests or assignments.
    let request = GraphRequest::get(path(
        "/identityGovernance/entitlementManagement/catalogs/{}/customWorkflowExtensions",
        &[id],
    ));
    Ok(ctx.graph.list::<CustomExtension>(request, EXTENSION_CAP).await?.items)
}

/// The catalog's policies that run a custom extension. Graph filters policies by name and
/// package, not by catalog, so they are read with their catalog and matched here.
async fn policies_with_extensions(ctx: &Ctx, catalog: &str) -> Result<Vec<Policy>, SkillError> {
    let query = Query::new().select(&["id", "displayName"]).expand(
        "catalog($select=id),accessPackage($select=id,displayName),customExtensionStageSettings($expand=customExtension($select=id,displayName))",
    );
    let page = ctx
        .graph
        .list::<Policy>(GraphRequest::get(format!("{EM}/assignmentPolicies")).query(query), POLICY_CAP)
        .await?;
    if page.more {
        ctx.note(format!(
            "only the first {POLICY_CAP} assignment policies were searched for the policies that call an extension"
        ));
    }
    Ok(page
        .items
        .into_iter()
        .filter(|p| p.catalog.as_ref().is_some_and(|c| c.id.eq_ignore_ascii_case(catalog)))
        .filter(|p| p.custom_extension_stage_settings.as_ref().is_some_and(|s| !s.is_empty()))
        .collect())
}

fn extension_row(extension: CustomExtension, policies: &[Policy]) -> ExtensionRow {
    let kind = extension.odata_type.as_deref().unwrap_or_default();
    let runs_on = if kind.ends_with("accessPackageAssignmentRequestWorkflowExtension") {
        "request"
    } else if kind.ends_with("accessPackageAssignmentWorkflowExtension") {
        "assignment"
    } else {
        "unknown"
    };
    let used_by = policies
        .iter()
        .flat_map(|policy| {
            policy
                .custom_extension_stage_settings
                .as_deref()
                .unwrap_or_default()
                .iter()
                .filter(|s| s.custom_extension.as_ref().is_some_and(|e| e.id.eq_ignore_ascii_case(&extension.id)))
                .map(move |s| ExtensionUse {
                    stage: stage_words(s.stage.as_deref().unwrap_or_default()),
                    access_package: NamedRef::from(&policy.access_package),
                    policy: NamedRef { id: policy.id.clone(), display_name: policy.display_name.clone() },
                })
        })
        .collect();
    let endpoint = extension.endpoint_configuration.unwrap_or_default();
    ExtensionRow {
        id: extension.id,
        display_name: extension.display_name,
        description: trim_opt(extension.description),
        runs_on: runs_on.to_string(),
        logic_app: endpoint.logic_app_workflow_name,
        resource_group: endpoint.resource_group_name,
        subscription_id: endpoint.subscription_id,
        endpoint_host: endpoint.url.as_deref().and_then(endpoint_host),
        callback_timeout: extension
            .callback_configuration
            .and_then(|c| c.duration_before_timeout)
            .map(|d| duration_words(&d)),
        modified: extension.last_modified_date_time,
        used_by,
    }
}

async fn get_catalog_resources(ctx: Ctx, p: GetCatalogResourcesParams) -> Result<CatalogResources, SkillError> {
    let limit = p.limit.get()?;
    let catalog = resolve::resolve::<Catalog>(&ctx, &CATALOG, &p.catalog, CATALOG_FIELDS).await?;
    let (resources, extensions) =
        tokio::join!(read_resources(&ctx, &catalog.id, limit), read_extensions(&ctx, &catalog.id));
    let (resources, more) = resources?;
    let extensions = ctx.optional("custom workflow extensions", extensions).unwrap_or_default();
    let policies = if extensions.is_empty() {
        Vec::new()
    } else {
        ctx.optional("the policies calling the extensions", policies_with_extensions(&ctx, &catalog.id).await)
            .unwrap_or_default()
    };
    let resources: Vec<ResourceRow> = resources
        .into_iter()
        .map(|r| ResourceRow {
            kind: resource_kind(r.origin_system.as_deref()),
            roles: r.roles.unwrap_or_default().into_iter().filter_map(|role| role.display_name).collect(),
            id: r.id,
            display_name: r.display_name,
            origin_id: r.origin_id,
            description: trim_opt(r.description),
            added: r.created_date_time,
        })
        .collect();
    let list = ListInfo::new(resources.len(), (!more).then_some(resources.len() as u64), more, "`limit`");
    Ok(CatalogResources {
        catalog: CatalogHead {
            catalog_type: catalog_kind(catalog.catalog_type.as_deref()).to_string(),
            id: catalog.id,
            display_name: catalog.display_name,
            description: trim_opt(catalog.description),
            state: catalog.state,
            externally_visible: catalog.is_externally_visible,
        },
        resources,
        list,
        custom_extensions: extensions.into_iter().map(|e| extension_row(e, &policies)).collect(),
    })
}

impl Render for CatalogResources {
    fn rows(&self) -> Option<usize> {
        Some(self.resources.len())
    }

    fn cut_to(&mut self, rows: usize) {
        self.resources.truncate(rows);
        self.list.cut(rows);
    }

    fn markdown(&self) -> String {
        let c = &self.catalog;
        let head = fields(&[
            ("catalog", c.display_name.clone()),
            ("id", Some(c.id.clone())),
            ("type", Some(c.catalog_type.clone())),
            ("state", c.state.clone()),
            ("external users may request", yes_no(c.externally_visible)),
            ("description", c.description.clone()),
        ]);
        let resources: Vec<Vec<String>> = self
            .resources
            .iter()
            .map(|r| {
                vec![
                    r.display_name.clone().unwrap_or_else(|| "-".into()),
                    r.kind.clone(),
                    if r.roles.is_empty() { "-".into() } else { r.roles.join(", ") },
                    r.origin_id.clone().unwrap_or_else(|| "-".into()),
                    r.added.as_deref().map(short_time).unwrap_or_else(|| "-".into()),
                ]
            })
            .collect();
        let extensions: Vec<Vec<String>> = self
            .custom_extensions
            .iter()
            .map(|e| {
                let used = if e.used_by.is_empty() {
                    "no policy calls it".to_string()
                } else {
                    e.used_by
                        .iter()
                        .map(|u| {
                            let package = u.access_package.as_ref().map(NamedRef::label).unwrap_or_else(|| "-".into());
                            format!("{package} / {}: {}", u.policy.label(), u.stage)
                        })
                        .collect::<Vec<_>>()
                        .join("; ")
                };
                let logic_app = match (&e.logic_app, &e.resource_group) {
                    (Some(app), Some(rg)) => format!("{app} (rg {rg})"),
                    (Some(app), None) => app.clone(),
                    _ => "-".into(),
                };
                vec![
                    e.display_name.clone().unwrap_or_else(|| "-".into()),
                    e.runs_on.clone(),
                    logic_app,
                    used,
                    e.id.clone(),
                ]
            })
            .collect();
        format!(
            "{head}\n\nresources ({})\n{}{}\n\ncustom workflow extensions ({})\n{}",
            self.list.returned,
            table(&["resource", "kind", "roles", "origin id", "added (UTC)"], &resources),
            self.list.footer(),
            self.custom_extensions.len(),
            table(&["extension", "runs on", "Logic App", "called by (package / policy: stage)", "id"], &extensions),
        )
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "What resources and Logic App extensions are in the Finance Resources catalog?",
        args: r#"{"catalog":"Finance Resources"}"#,
        facts: &[
            Fact::Some("resources/*/display_name", "Finance App Users"),
            Fact::Some("resources/*/kind", "sharepoint_site"),
            Fact::Some("resources/*/kind", "application"),
            Fact::Some("custom_extensions/*/logic_app", "la-finance-access-notify"),
            Fact::Some("custom_extensions/*/used_by/*/stage", "when access is granted"),
            Fact::Some("custom_extensions/*/used_by/*/access_package/display_name", "Finance Analyst Toolkit"),
            Fact::Says("no policy calls it"),
        ],
    },
    Example {
        question: "Which SharePoint sites and apps does the sales catalog hold?",
        args: r#"{"catalog":"sales resources"}"#,
        facts: &[
            Fact::Every("catalog/display_name", "Sales Resources"),
            Fact::Some("resources/*/display_name", "Sales CRM"),
            Fact::Some("resources/*/roles/*", "Default Access"),
            Fact::Some("resources/*/origin_id", "https://woodgrovebank.sharepoint.com/sites/FabrikamPartners"),
            Fact::Count("custom_extensions/*", 0),
        ],
    },
    Example {
        question: "A catalog that does not exist",
        args: r#"{"catalog":"Marketing Resources"}"#,
        facts: &[Fact::Fails(ErrorKind::NotFound)],
    },
];

pub fn skill() -> Skill {
    Skill::new(GET_CATALOG_RESOURCES, get_catalog_resources)
}
