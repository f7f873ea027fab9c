//! `get_connected_organization`: one connected organization of entitlement management: its
//! identity sources (tenant, domain), state, internal and external sponsors, and its users who
//! hold access packages now.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::graph::resources::DirectoryObject;
use crate::graph::{GraphRequest, Query, path};
use crate::odata::Expr;
use crate::render::{fields, short_time, table, trim_opt};
use crate::shared::resolve;
use crate::shared::*;
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset};

use super::entitlement_model::{
    Assignment, CONNECTED_ORGANIZATION, ConnectedOrganization, EM, IdentitySource, NamedRef, Reference, days_until,
    label,
};

const GET_CONNECTED_ORGANIZATION: Declaration = Declaration {
    name: "get_connected_organization",
    title: "Get connected organization",
    description: "One connected organization of entitlement management (a partner's tenant or domain) by name or id: its identity sources (tenant id, domain), whether it is configured or only proposed, its internal and external sponsors, and which of its external users hold access packages now, with when each ends. Needs P2 or ID Governance; Identity Governance Administrator.",
    toolset: Toolset::Governance,
    permissions: &["EntitlementManagement.Read.All", "User.Read.All"],
    least_role: "Identity Governance Administrator",
    access: Access::Read,
    beta: false,
    default: false,
    examples: EXAMPLES,
};

const ORGANIZATION_FIELDS: &[&str] =
    &["id", "displayName", "description", "identitySources", "state", "createdDateTime"];
const SPONSOR_FIELDS: &[&str] = &["id", "displayName", "userPrincipalName", "mail", "userType"];
const SPONSOR_CAP: usize = 50;
/// Delivered assignments read to find the organization's users (Graph filters assignments by
/// package, target and state, not by connected organization).
const ASSIGNMENT_CAP: usize = 1000;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetConnectedOrganizationParams {
    /// Connected organization id or exact display name.
    pub organization: String,
    /// Max external users listed (default 25).
    #[serde(default)]
    pub limit: Limit,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct IdentitySourceRow {
    /// `entra_tenant`, `cross_cloud_entra_tenant`, `domain`, `external_federation`, `social`.
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tenant_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Sponsor {
    pub id: String,
    pub display_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upn: Option<String>,
    /// `user` or `group`.
    pub kind: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ExternalUser {
    /// The user's object id in this tenant.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub display_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    pub access_package: Option<NamedRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ends: Option<String>,
    /// Days until the assignment ends, to the nearest day.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub days_left: Option<i64>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ConnectedOrganizationDetail {
    pub id: String,
    pub display_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `configured` (its users may request packages scoped to all configured organizations) or
    /// `proposed` (created when one of its users asked; not yet confirmed by an admin).
    pub state: Option<String>,
    pub identity_sources: Vec<IdentitySourceRow>,
    pub internal_sponsors: Vec<Sponsor>,
    pub external_sponsors: Vec<Sponsor>,
    /// Its users holding an access package now, one row per assignment.
    pub external_users: Vec<ExternalUser>,
    #[serde(flatten)]
    pub list: ListInfo,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
}

fn source_row(source: IdentitySource) -> IdentitySourceRow {
    let kind = match source.odata_type.as_deref().unwrap_or_default().trim_start_matches('#') {
        "microsoft.graph.azureActiveDirectoryTenant" => "entra_tenant",
        "microsoft.graph.crossCloudAzureActiveDirectoryTenant" => "cross_cloud_entra_tenant",
        "microsoft.graph.domainIdentitySource" => "domain",
        "microsoft.graph.externalDomainFederation" => "external_federation",
        "microsoft.graph.socialIdentitySource" => "social",
        _ => "other",
    };
    IdentitySourceRow {
        kind: kind.to_string(),
        tenant_id: source.tenant_id,
        domain: source.domain_name,
        display_name: source.display_name,
    }
}

/// A name that matched no connected organization: the error lists the ones that exist, since
/// there are few and no other skill lists them.
async fn not_found_with_names(ctx: &Ctx, error: SkillError) -> SkillError {
    if error.kind != ErrorKind::NotFound {
        return error;
    }
    let request = GraphRequest::get(format!("{EM}/connectedOrganizations"))
        .query(Query::new().select(&["id", "displayName"]).top(20));
    match ctx.graph.list::<Reference>(request, 20).await {
        Ok(page) if !page.items.is_empty() => {
            let names: Vec<String> = page.items.into_iter().filter_map(|o| o.display_name).collect();
            error.with_remedy(format!(
                "give the exact name or the id as `organization`; connected organizations: {}",
                names.join(", ")
            ))
        }
        _ => error.with_remedy("give the exact name or the id as `organization`"),
    }
}

async fn sponsors(ctx: &Ctx, id: &str, which: &'static str) -> Result<Vec<Sponsor>, SkillError> {
    let template = match which {
        "internalSponsors" => "/identityGovernance/entitlementManagement/connectedOrganizations/{}/internalSponsors",
        _ => "/identityGovernance/entitlementManagement/connectedOrganizations/{}/externalSponsors",
    };
    let request = GraphRequest::get(path(template, &[id])).query(Query::new().select(SPONSOR_FIELDS));
    let page = ctx.graph.list::<DirectoryObject>(request, SPONSOR_CAP).await?;
    Ok(page
        .items
        .into_iter()
        .map(|o| Sponsor {
            kind: o.kind().to_string(),
            id: o.id,
            display_name: o.display_name,
            upn: o.user_principal_name,
        })
        .collect())
}

async fn holders(ctx: &Ctx, organization: &str) -> Result<(Vec<Assignment>, bool), SkillError> {
    let query = Query::new()
        .select(&["id", "state", "expiredDateTime", "schedule"])
        .filter(Expr::eq("state", "delivered"))
        .expand("target($expand=connectedOrganization($select=id)),accessPackage($select=id,displayName)")
        .top(999);
    let page = ctx
        .graph
        .list::<Assignment>(GraphRequest::get(format!("{EM}/assignments")).query(query), ASSIGNMENT_CAP)
        .await?;
    let theirs = page
        .items
        .into_iter()
        .filter(|a| {
            a.target
                .as_ref()
                .and_then(|t| t.connected_organization.as_ref())
                .is_some_and(|o| o.id.eq_ignore_ascii_case(organization))
        })
        .collect();
    Ok((theirs, page.more))
}

async fn get_connected_organization(
    ctx: Ctx,
    p: GetConnectedOrganizationParams,
) -> Result<ConnectedOrganizationDetail, SkillError> {
    let limit = p.limit.get()?;
    let organization = match resolve::resolve::<ConnectedOrganization>(
        &ctx,
        &CONNECTED_ORGANIZATION,
        &p.organization,
        ORGANIZATION_FIELDS,
    )
    .await
    {
        Ok(found) => found,
        Err(e) => return Err(not_found_with_names(&ctx, e).await),
    };
    let (internal, external, assignments) = tokio::join!(
        sponsors(&ctx, &organization.id, "internalSponsors"),
        sponsors(&ctx, &organization.id, "externalSponsors"),
        holders(&ctx, &organization.id),
    );
    let internal_sponsors = ctx.optional("internal sponsors", internal).unwrap_or_default();
    let external_sponsors = ctx.optional("external sponsors", external).unwrap_or_default();
    let (assignments, searched_all) = match ctx.optional("external users' assignments", assignments) {
        Some((found, more)) => {
            if more {
                ctx.note(format!(
                    "only the first {ASSIGNMENT_CAP} current assignments in the tenant were searched for this organization's users"
                ));
            }
            (found, !more)
        }
        None => (Vec::new(), false),
    };
    let now = ctx.now;
    let mut external_users: Vec<ExternalUser> = assignments
        .into_iter()
        .map(|a| {
            let ends = a.ends();
            let target = a.target.unwrap_or_default();
            ExternalUser {
                id: target.object_id,
                display_name: target.display_name,
                email: target.email.or(target.principal_name),
                access_package: NamedRef::from(&a.access_package),
                days_left: ends.as_deref().and_then(|t| days_until(t, now)),
                ends,
            }
        })
        .collect();
    // Soonest to lose access first.
    external_users.sort_by_key(|u| u.days_left.unwrap_or(i64::MAX));
    let found = external_users.len();
    let more = found > limit;
    external_users.truncate(limit);
    let list = ListInfo::new(external_users.len(), searched_all.then_some(found as u64), more, "`limit`");
    Ok(ConnectedOrganizationDetail {
        id: organization.id,
        display_name: organization.display_name,
        description: trim_opt(organization.description),
        state: organization.state,
        identity_sources: organization.identity_sources.unwrap_or_default().into_iter().map(source_row).collect(),
        internal_sponsors,
        external_sponsors,
        external_users,
        list,
        created: organization.created_date_time,
    })
}

fn sponsor_list(sponsors: &[Sponsor]) -> Option<String> {
    let names: Vec<String> = sponsors
        .iter()
        .map(|s| {
            let name = s.display_name.clone().unwrap_or_else(|| s.id.clone());
            match &s.upn {
                Some(upn) => format!("{name} ({upn})"),
                None => format!("{name} ({} {})", s.kind, s.id),
            }
        })
        .collect();
    Some(if names.is_empty() { "none".into() } else { names.join(", ") })
}

impl Render for ConnectedOrganizationDetail {
    fn rows(&self) -> Option<usize> {
        Some(self.external_users.len())
    }

    fn cut_to(&mut self, rows: usize) {
        self.external_users.truncate(rows);
        self.list.cut(rows);
    }

    fn markdown(&self) -> String {
        let sources: Vec<String> = self
            .identity_sources
            .iter()
            .map(|s| match (&s.tenant_id, &s.domain) {
                (Some(tenant), _) => format!("{} tenant {tenant}", s.kind),
                (None, Some(domain)) => format!("{} {domain}", s.kind),
                _ => s.display_name.clone().map(|n| format!("{} {n}", s.kind)).unwrap_or_else(|| s.kind.clone()),
            })
            .collect();
        let head = fields(&[
            ("connected organization", self.display_name.clone()),
            ("id", Some(self.id.clone())),
            ("state", self.state.clone()),
            ("identity sources", Some(if sources.is_empty() { "none".into() } else { sources.join("; ") })),
            ("internal sponsors", sponsor_list(&self.internal_sponsors)),
            ("external sponsors", sponsor_list(&self.external_sponsors)),
            ("description", self.description.clone()),
            ("created", self.created.as_deref().map(short_time)),
        ]);
        let rows: Vec<Vec<String>> = self
            .external_users
            .iter()
            .map(|u| {
                let left = match u.days_left {
                    Some(d) if d <= 7 => format!("{d} (expiring soon)"),
                    Some(d) => d.to_string(),
                    None => "never expires".into(),
                };
                vec![
                    u.display_name.clone().unwrap_or_else(|| "-".into()),
                    u.email.clone().unwrap_or_else(|| "-".into()),
                    label(&u.access_package),
                    u.ends.as_deref().map(short_time).unwrap_or_else(|| "-".into()),
                    left,
                    u.id.clone().unwrap_or_else(|| "-".into()),
                ]
            })
            .collect();
        format!(
            "{head}\n\nexternal users holding access packages ({})\n{}{}",
            self.list.returned,
            table(&["user", "email", "access package", "ends (UTC)", "days left", "id"], &rows),
            self.list.footer()
        )
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Who sponsors the Fabrikam Partners connected organization, and which of its users hold access packages?",
        args: r#"{"organization":"Fabrikam Partners"}"#,
        facts: &[
            Fact::Every("state", "configured"),
            Fact::Some("identity_sources/*/domain", "fabrikampartners.com"),
            Fact::Some("identity_sources/*/kind", "entra_tenant"),
            Fact::Every("internal_sponsors/*/display_name", "Alex Chen"),
            Fact::Every("external_sponsors/*/display_name", "Mark Taylor"),
            Fact::Count("external_users/*", 4),
            Fact::Every("external_users/*/access_package/display_name", "Sales Partner Access"),
            Fact::Every("external_users/0/display_name", "Tariq Aziz"),
            Fact::Says("expiring soon"),
        ],
    },
    Example {
        question: "Is the Contoso Advisory connected organization only proposed?",
        args: r#"{"organization":"contoso advisory"}"#,
        facts: &[
            Fact::Every("state", "proposed"),
            Fact::Every("identity_sources/*/domain", "contosoadvisory.com"),
            Fact::Count("internal_sponsors/*", 0),
            Fact::Count("external_users/*", 0),
        ],
    },
    Example {
        question: "A connected organization that does not exist",
        args: r#"{"organization":"Northwind Traders"}"#,
        facts: &[Fact::Fails(ErrorKind::NotFound), Fact::Says("Fabrikam Partners")],
    },
];

pub fn skill() -> Skill {
    Skill::new(GET_CONNECTED_ORGANIZATION, get_connected_organization)
}
