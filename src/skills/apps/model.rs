//! What the app skills read of Graph — service principals, application objects, their
//! credentials, permissions and owners — and the lookups they share: an `app` argument to its
//! service principal, the tenant's own id, whose tenant an app comes from, and a resource's
//! permission ids to names.

use std::collections::HashMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::graph::permission_ids::{GRAPH_APP_ID, delegated_name};
use crate::graph::{GraphRequest, Query, path};
use crate::odata::Expr;
use crate::shared::resolve::{self, APP, Named};
use crate::shared::{PersonRef, guid};
use crate::skill::{Ctx, ErrorKind, SkillError};

/// The tenant Microsoft's first-party apps are registered in.
pub const MICROSOFT_SERVICES_TENANT: &str = "f8cdef31-a31e-4b4a-93e4-5f571e91255a";
/// Microsoft's corporate tenant, home of more first-party apps.
pub const MICROSOFT_CORPORATE_TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";

/// Whether an app's home tenant is Microsoft's.
pub fn is_microsoft(owner_tenant: Option<&str>) -> bool {
    owner_tenant.is_some_and(|t| {
        t.eq_ignore_ascii_case(MICROSOFT_SERVICES_TENANT) || t.eq_ignore_ascii_case(MICROSOFT_CORPORATE_TENANT)
    })
}

/// Where an app is registered, in words: `this tenant`, `Microsoft`, or the other tenant's id.
pub fn home_tenant(owner_tenant: Option<&str>, own_tenant: Option<&str>) -> String {
    match owner_tenant {
        None => "unknown".into(),
        Some(t) if is_microsoft(Some(t)) => "Microsoft".into(),
        Some(t) if own_tenant.is_some_and(|own| own.eq_ignore_ascii_case(t)) => "this tenant".into(),
        Some(t) => format!("another tenant ({t})"),
    }
}

/// The service principal fields the app skills read (credentials and permission lists are
/// asked for only where needed).
pub const SP_FIELDS: &[&str] = &[
    "id",
    "appId",
    "displayName",
    "appOwnerOrganizationId",
    "servicePrincipalType",
    "accountEnabled",
    "appRoleAssignmentRequired",
    "publisherName",
    "verifiedPublisher",
    "signInAudience",
    "tags",
    "createdDateTime",
    "passwordCredentials",
    "keyCredentials",
];

/// An app as this tenant sees it: its service principal (enterprise app).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ServicePrincipal {
    pub id: String,
    pub app_id: Option<String>,
    pub display_name: Option<String>,
    pub app_owner_organization_id: Option<String>,
    pub service_principal_type: Option<String>,
    pub account_enabled: Option<bool>,
    pub app_role_assignment_required: Option<bool>,
    pub publisher_name: Option<String>,
    pub verified_publisher: Option<VerifiedPublisher>,
    pub sign_in_audience: Option<String>,
    pub tags: Option<Vec<String>>,
    pub created_date_time: Option<String>,
    pub password_credentials: Option<Vec<PasswordCredential>>,
    pub key_credentials: Option<Vec<KeyCredential>>,
    pub app_roles: Option<Vec<AppRole>>,
    pub oauth2_permission_scopes: Option<Vec<PermissionScope>>,
}

impl ServicePrincipal {
    pub fn name(&self) -> String {
        self.display_name.clone().unwrap_or_else(|| self.id.clone())
    }

    /// The verified publisher's name, when Microsoft verified one.
    pub fn verified(&self) -> Option<String> {
        self.verified_publisher.as_ref().and_then(|v| v.display_name.clone().filter(|n| !n.is_empty()))
    }
}

impl Named for ServicePrincipal {
    fn object_id(&self) -> &str {
        &self.id
    }
    fn name(&self) -> Option<&str> {
        self.display_name.as_deref()
    }
    fn distinguishing(&self) -> String {
        format!("appId {}", self.app_id.as_deref().unwrap_or("unknown"))
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct VerifiedPublisher {
    pub display_name: Option<String>,
    pub verified_publisher_id: Option<String>,
}

/// A client secret.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PasswordCredential {
    pub key_id: Option<String>,
    pub display_name: Option<String>,
    pub start_date_time: Option<String>,
    pub end_date_time: Option<String>,
    pub hint: Option<String>,
}

/// A certificate.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct KeyCredential {
    pub key_id: Option<String>,
    pub display_name: Option<String>,
    pub start_date_time: Option<String>,
    pub end_date_time: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub usage: Option<String>,
}

/// An application permission a resource app offers.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AppRole {
    pub id: String,
    pub value: Option<String>,
    pub display_name: Option<String>,
}

/// A delegated permission a resource app offers.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PermissionScope {
    pub id: String,
    pub value: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
}

/// An app registration (application object), held by the tenant it is registered in.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Application {
    pub id: String,
    pub app_id: Option<String>,
    pub display_name: Option<String>,
    pub sign_in_audience: Option<String>,
    pub publisher_domain: Option<String>,
    pub verified_publisher: Option<VerifiedPublisher>,
    pub created_date_time: Option<String>,
    pub password_credentials: Option<Vec<PasswordCredential>>,
    pub key_credentials: Option<Vec<KeyCredential>>,
    pub required_resource_access: Option<Vec<RequiredResourceAccess>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RequiredResourceAccess {
    pub resource_app_id: String,
    pub resource_access: Vec<ResourceAccess>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ResourceAccess {
    pub id: String,
    /// `Scope` (delegated) or `Role` (application).
    #[serde(rename = "type")]
    pub kind: String,
}

/// A delegated permission grant: the scopes a client app may use on a resource, for everyone
/// (`AllPrincipals`) or one user (`Principal`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PermissionGrant {
    pub id: String,
    pub client_id: Option<String>,
    pub consent_type: Option<String>,
    pub principal_id: Option<String>,
    pub resource_id: Option<String>,
    pub scope: Option<String>,
}

/// An application permission held: app role `app_role_id` of resource `resource_id`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AppRoleAssignment {
    pub id: String,
    pub app_role_id: Option<String>,
    pub resource_id: Option<String>,
    pub resource_display_name: Option<String>,
    pub created_date_time: Option<String>,
}

/// A directory role held, with its definition expanded.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RoleAssignment {
    pub id: String,
    pub role_definition_id: Option<String>,
    pub directory_scope_id: Option<String>,
    pub role_definition: Option<RoleDefinitionRef>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RoleDefinitionRef {
    pub id: Option<String>,
    pub display_name: Option<String>,
    pub template_id: Option<String>,
}

/// An owner (a user or a service principal) as Graph lists it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Owner {
    pub id: String,
    #[serde(rename = "@odata.type")]
    pub odata_type: Option<String>,
    pub display_name: Option<String>,
    pub user_principal_name: Option<String>,
}

impl From<Owner> for PersonRef {
    fn from(o: Owner) -> PersonRef {
        PersonRef { id: o.id, display_name: o.display_name, upn: o.user_principal_name }
    }
}

/// One row of the beta service principal sign-in activity report.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SignInActivity {
    pub app_id: Option<String>,
    pub last_sign_in_activity: Option<LastSignIn>,
    pub delegated_client_sign_in_activity: Option<LastSignIn>,
    pub delegated_resource_sign_in_activity: Option<LastSignIn>,
    pub application_authentication_client_sign_in_activity: Option<LastSignIn>,
    pub application_authentication_resource_sign_in_activity: Option<LastSignIn>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct LastSignIn {
    pub last_sign_in_date_time: Option<String>,
}

impl SignInActivity {
    fn at(activity: &Option<LastSignIn>) -> Option<String> {
        activity.as_ref().and_then(|a| a.last_sign_in_date_time.clone())
    }
    pub fn last(&self) -> Option<String> {
        Self::at(&self.last_sign_in_activity)
    }
    pub fn delegated_client(&self) -> Option<String> {
        Self::at(&self.delegated_client_sign_in_activity)
    }
    pub fn app_only_client(&self) -> Option<String> {
        Self::at(&self.application_authentication_client_sign_in_activity)
    }
    /// As a resource (an API other apps call), delegated or app-only, whichever is later.
    pub fn as_resource(&self) -> Option<String> {
        let a = Self::at(&self.delegated_resource_sign_in_activity);
        let b = Self::at(&self.application_authentication_resource_sign_in_activity);
        a.into_iter().chain(b).max()
    }
}

/// The ID Protection record of a risky service principal.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RiskyServicePrincipal {
    pub id: String,
    pub app_id: Option<String>,
    pub risk_level: Option<String>,
    pub risk_state: Option<String>,
    pub risk_last_updated_date_time: Option<String>,
}

/// Resolves an `app` argument (name, service principal id or appId) to its service principal.
pub async fn resolve_app(
    ctx: &Ctx,
    app: &str,
    select: &'static [&'static str],
) -> Result<ServicePrincipal, SkillError> {
    resolve::resolve::<ServicePrincipal>(ctx, &APP, app, select).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Organization {
    id: String,
}

/// The signed-in tenant's id (`GET /organization`), to tell this tenant's apps from others'.
pub async fn own_tenant_id(ctx: &Ctx) -> Result<String, SkillError> {
    let request = GraphRequest::get("/organization").query(Query::new().select(&["id"]));
    let page = ctx.graph.list::<Organization>(request, 1).await?;
    page.items
        .into_iter()
        .next()
        .map(|o| o.id)
        .filter(|id| !id.is_empty())
        .ok_or_else(|| SkillError::new(ErrorKind::Upstream, "Graph returned no organization for the signed-in tenant"))
}

/// An app's registration in this tenant, by appId; `None` when it is registered elsewhere.
pub async fn application_of(
    ctx: &Ctx,
    app_id: &str,
    select: &'static [&'static str],
) -> Result<Option<Application>, SkillError> {
    let Some(app_id) = guid(app_id) else { return Ok(None) };
    let request =
        GraphRequest::get(path("/applications(appId='{}')", &[&app_id.to_string()])).query(Query::new().select(select));
    match ctx.graph.get::<Application>(request).await {
        Ok(app) => Ok(Some(app)),
        Err(e) if e.kind == ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// Permission names of one resource app (Microsoft Graph, Exchange …): app role and scope
/// ids to their values.
#[derive(Debug, Clone, Default)]
pub struct ResourceNames {
    pub display_name: Option<String>,
    pub app_id: Option<String>,
    roles: HashMap<String, String>,
    scopes: HashMap<String, String>,
}

impl ResourceNames {
    fn from_principal(sp: ServicePrincipal) -> ResourceNames {
        let roles = sp
            .app_roles
            .unwrap_or_default()
            .into_iter()
            .filter_map(|r| Some((r.id.to_ascii_lowercase(), r.value.or(r.display_name)?)))
            .collect();
        let scopes = sp
            .oauth2_permission_scopes
            .unwrap_or_default()
            .into_iter()
            .filter_map(|s| Some((s.id.to_ascii_lowercase(), s.value?)))
            .collect();
        ResourceNames { display_name: sp.display_name, app_id: sp.app_id, roles, scopes }
    }

    /// The application permission with this app role id; the id itself when unknown.
    pub fn role(&self, id: &str) -> String {
        self.roles.get(&id.to_ascii_lowercase()).cloned().unwrap_or_else(|| id.to_string())
    }

    /// The delegated permission with this scope id; Graph's scopes are also known offline.
    pub fn scope(&self, id: &str) -> String {
        if let Some(name) = self.scopes.get(&id.to_ascii_lowercase()) {
            return name.clone();
        }
        let graph = self.app_id.as_deref().is_some_and(|a| a.eq_ignore_ascii_case(GRAPH_APP_ID));
        match delegated_name(id) {
            Some(name) if graph || self.app_id.is_none() => name.to_string(),
            _ => id.to_string(),
        }
    }
}

/// The application permissions a resource offers: enough to name app role assignments.
const RESOURCE_ROLES: &[&str] = &["id", "appId", "displayName", "appRoles"];
/// Both kinds, to name what an app registration requests. (Microsoft Graph's lists are long:
/// they are read only when needed, once per call.)
const RESOURCE_ALL: &[&str] = &["id", "appId", "displayName", "appRoles", "oauth2PermissionScopes"];

/// The application permission names of a resource app by its service principal id.
pub async fn resource_by_id(ctx: &Ctx, id: &str) -> Result<ResourceNames, SkillError> {
    let request = GraphRequest::get(path("/servicePrincipals/{}", &[id])).query(Query::new().select(RESOURCE_ROLES));
    ctx.graph.get::<ServicePrincipal>(request).await.map(ResourceNames::from_principal)
}

/// The permission names of a resource app by its appId (`scopes`: delegated ones too).
pub async fn resource_by_app_id(ctx: &Ctx, app_id: &str, scopes: bool) -> Result<ResourceNames, SkillError> {
    let select = if scopes { RESOURCE_ALL } else { RESOURCE_ROLES };
    let request = GraphRequest::get("/servicePrincipals")
        .query(Query::new().select(select).filter(Expr::eq("appId", app_id)).top(1));
    let page = ctx.graph.list::<ServicePrincipal>(request, 1).await?;
    page.items
        .into_iter()
        .next()
        .map(ResourceNames::from_principal)
        .ok_or_else(|| SkillError::not_found(format!("resource app {app_id} in this tenant"), "list_external_apps"))
}

/// How many of an app's owners answer a `/$count`; the object is an application or a service
/// principal path (`/applications/{id}`).
pub async fn owner_count(ctx: &Ctx, object: &str, id: &str) -> Result<u64, SkillError> {
    let request = match object {
        "application" => GraphRequest::get(path("/applications/{}/owners/$count", &[id])),
        _ => GraphRequest::get(path("/servicePrincipals/{}/owners/$count", &[id])),
    };
    ctx.graph.count(request).await
}

/// `secret` or `certificate` with its name, for the answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CredentialKind {
    Secret,
    Certificate,
}
