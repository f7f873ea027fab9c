//! `get_application`: one app registration (application object) of this tenant: sign-in
//! audience, publisher domain and verified publisher, secrets and certificates, and the
//! permissions it requests, by name and tier.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::access::AccessKind;
use super::credentials::{self, CredentialRow, CredentialSummary};
use super::model::{Application, ResourceNames, ServicePrincipal, application_of, resolve_app, resource_by_app_id};
use super::tiers::{Tier, permission_tier};
use crate::graph::{GraphRequest, Query, path};
use crate::render::{fields, short_time, table};
use crate::shared::{given_id, shorten};
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset};

const GET_APPLICATION: Declaration = Declaration {
    name: "get_application",
    title: "Get app registration",
    description: "One app registration of this tenant by name, appId or object id: who can sign in (audience), publisher domain and verified publisher, client secrets versus certificates with their expiry, and the API permissions it requests (requiredResourceAccess) by name, delegated or application, with their risk tier.",
    toolset: Toolset::Apps,
    permissions: &["Application.Read.All"],
    least_role: "none",
    access: Access::Read,
    beta: false,
    default: false,
    examples: EXAMPLES,
};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetApplicationParams {
    /// Exact display name, appId, application object id, or service principal id.
    pub app: String,
}

/// A permission the registration asks for (granted or not).
#[derive(Debug, Serialize, JsonSchema)]
pub struct RequestedPermission {
    pub name: String,
    pub kind: AccessKind,
    /// The API it is on (`Microsoft Graph`).
    pub resource: String,
    pub tier: Tier,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ApplicationDetail {
    /// The application object id (not the service principal's).
    pub id: String,
    pub app_id: Option<String>,
    pub display_name: Option<String>,
    /// `AzureADMyOrg` (this tenant only), `AzureADMultipleOrgs`, `AzureADandPersonalMicrosoftAccount`, `PersonalMicrosoftAccount`.
    pub sign_in_audience: Option<String>,
    pub publisher_domain: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verified_publisher: Option<String>,
    pub created: Option<String>,
    pub credentials: CredentialSummary,
    /// Secrets and certificates, soonest end first (at most 10).
    pub credential_list: Vec<CredentialRow>,
    /// Highest tier first.
    pub requested_permissions: Vec<RequestedPermission>,
}

const APPLICATION_FIELDS: &[&str] = &[
    "id",
    "appId",
    "displayName",
    "signInAudience",
    "publisherDomain",
    "verifiedPublisher",
    "createdDateTime",
    "passwordCredentials",
    "keyCredentials",
    "requiredResourceAccess",
];

/// At most this many resource apps are looked up to name requested permissions.
const MAX_RESOURCES: usize = 8;

/// The registration an `app` argument names: through its service principal (name, its id,
/// appId), or directly by application object id.
async fn find_application(ctx: &Ctx, app: &str) -> Result<Application, SkillError> {
    let sp = match resolve_app(ctx, app, &["id", "appId", "displayName", "appOwnerOrganizationId"]).await {
        Ok(sp) => sp,
        Err(e) if e.kind == ErrorKind::NotFound => {
            // An application object id is neither a service principal id nor an appId.
            let Some(id) = given_id(app) else { return Err(e) };
            let request =
                GraphRequest::get(path("/applications/{}", &[&id])).query(Query::new().select(APPLICATION_FIELDS));
            return match ctx.graph.get::<Application>(request).await {
                Ok(found) => Ok(found),
                Err(inner) if inner.kind == ErrorKind::NotFound => Err(e),
                Err(inner) => Err(inner),
            };
        }
        Err(e) => return Err(e),
    };
    let app_id = sp.app_id.clone().unwrap_or_default();
    application_of(ctx, &app_id, APPLICATION_FIELDS).await?.ok_or_else(|| registered_elsewhere(&sp))
}

fn registered_elsewhere(sp: &ServicePrincipal) -> SkillError {
    SkillError::not_found(format!("app registration of '{}' in this tenant", shorten(&sp.name())), "get_service_principal")
        .with_remedy(
            "the app is registered in another tenant (Microsoft or a third party), so only its service principal is here: use get_service_principal and get_app_permissions",
        )
}

async fn get_application(ctx: Ctx, p: GetApplicationParams) -> Result<ApplicationDetail, SkillError> {
    let app = find_application(&ctx, &p.app).await?;
    let requests = app.required_resource_access.clone().unwrap_or_default();
    if requests.len() > MAX_RESOURCES {
        ctx.note(format!(
            "permissions on {} more APIs not named (at most {MAX_RESOURCES} are looked up)",
            requests.len() - MAX_RESOURCES
        ));
    }
    let lookups = requests.iter().take(MAX_RESOURCES).map(|r| {
        let scopes = r.resource_access.iter().any(|a| !a.kind.eq_ignore_ascii_case("Role"));
        resource_by_app_id(&ctx, &r.resource_app_id, scopes)
    });
    let resources: Vec<Option<ResourceNames>> = futures::future::join_all(lookups)
        .await
        .into_iter()
        .zip(&requests)
        .map(|(found, request)| match found {
            Ok(names) => Some(names),
            Err(e) => {
                ctx.note(format!(
                    "names of API {} unavailable ({}); ids shown",
                    request.resource_app_id,
                    e.kind.as_str()
                ));
                None
            }
        })
        .collect();
    let mut requested: Vec<RequestedPermission> = Vec::new();
    for (i, request) in requests.iter().enumerate() {
        let names = resources.get(i).cloned().flatten().unwrap_or_default();
        let resource = names.display_name.clone().unwrap_or_else(|| request.resource_app_id.clone());
        for access in &request.resource_access {
            let application = access.kind.eq_ignore_ascii_case("Role");
            let name = if application { names.role(&access.id) } else { names.scope(&access.id) };
            requested.push(RequestedPermission {
                tier: permission_tier(&name, application),
                name,
                kind: if application { AccessKind::Application } else { AccessKind::Delegated },
                resource: resource.clone(),
            });
        }
    }
    requested.sort_by(|a, b| b.tier.cmp(&a.tier).then_with(|| a.name.cmp(&b.name)));
    let rows = credentials::rows(app.password_credentials.as_deref(), app.key_credentials.as_deref(), ctx.now);
    Ok(ApplicationDetail {
        credentials: CredentialSummary::of(&rows),
        credential_list: rows.into_iter().take(10).collect(),
        requested_permissions: requested,
        verified_publisher: app.verified_publisher.and_then(|v| v.display_name).filter(|n| !n.is_empty()),
        id: app.id,
        app_id: app.app_id,
        display_name: app.display_name,
        sign_in_audience: app.sign_in_audience,
        publisher_domain: app.publisher_domain,
        created: app.created_date_time,
    })
}

impl Render for ApplicationDetail {
    fn markdown(&self) -> String {
        let head = fields(&[
            ("app registration", self.display_name.clone()),
            ("object id", Some(self.id.clone())),
            ("appId", self.app_id.clone()),
            ("sign-in audience", self.sign_in_audience.clone()),
            ("publisher domain", self.publisher_domain.clone()),
            ("verified publisher", Some(self.verified_publisher.clone().unwrap_or_else(|| "none".into()))),
            ("created", self.created.as_deref().map(short_time)),
            ("credentials", Some(self.credentials.describe())),
        ]);
        let credentials: Vec<Vec<String>> = self
            .credential_list
            .iter()
            .map(|c| {
                vec![
                    c.label(),
                    c.end.as_deref().map(short_time).unwrap_or_default(),
                    c.days_left.map(|d| d.to_string()).unwrap_or_default(),
                ]
            })
            .collect();
        let permissions: Vec<Vec<String>> = self
            .requested_permissions
            .iter()
            .map(|p| {
                let kind = if p.kind == AccessKind::Application { "application" } else { "delegated" };
                vec![p.name.clone(), kind.into(), p.resource.clone(), p.tier.as_str().into()]
            })
            .collect();
        format!(
            "{head}\n\nsecrets and certificates:\n{}\n\nrequested permissions:\n{}",
            table(&["credential", "ends (UTC)", "days left"], &credentials),
            table(&["permission", "kind", "API", "tier"], &permissions)
        )
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Which API permissions does the HR Onboarding Automation app registration request?",
        args: r#"{"app":"HR Onboarding Automation"}"#,
        facts: &[
            Fact::Some("requested_permissions/*/name", "RoleManagement.ReadWrite.Directory"),
            Fact::Some("requested_permissions/*/tier", "critical"),
            Fact::Every("requested_permissions/*/kind", "application"),
        ],
    },
    Example {
        question: "Treasury Forecast Tool registration: audience, secrets or certificates, delegated permissions requested",
        args: r#"{"app":"Treasury Forecast Tool"}"#,
        facts: &[
            Fact::Some("requested_permissions/*/name", "Files.Read.All"),
            Fact::Some("requested_permissions/*/kind", "delegated"),
            Fact::Every("sign_in_audience", "AzureADMyOrg"),
            Fact::Every("credentials/secrets", "1"),
        ],
    },
    Example {
        question: "App registration of an app from another tenant",
        args: r#"{"app":"Fabrikam Expense Sync"}"#,
        facts: &[Fact::Fails(ErrorKind::NotFound)],
    },
];

pub fn skill() -> Skill {
    Skill::new(GET_APPLICATION, get_application)
}
