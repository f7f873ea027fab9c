//! `get_service_principal`: one enterprise app (service principal) by name, object id or
//! appId: type, enabled, home tenant, publisher and verified publisher, credentials, whether
//! users need an assignment, tags.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::credentials::{self, CredentialSummary};
use super::model::{SP_FIELDS, application_of, home_tenant, own_tenant_id, resolve_app};
use crate::render::{fields, short_time, yes_no};
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset};

const GET_SERVICE_PRINCIPAL: Declaration = Declaration {
    name: "get_service_principal",
    title: "Get service principal",
    description: "One enterprise app (service principal) by name, object id or appId: type, enabled, home tenant (this one, Microsoft, or another), publisher and whether it is verified, secrets and certificates with the next expiry, assignment required, tags. For what it may access use get_app_permissions.",
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
pub struct GetServicePrincipalParams {
    /// Exact display name, service principal object id, or appId.
    pub app: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ServicePrincipalDetail {
    pub id: String,
    pub app_id: Option<String>,
    pub display_name: Option<String>,
    /// `Application`, `ManagedIdentity`, `Legacy` or `SocialIdp`.
    pub kind: Option<String>,
    pub enabled: Option<bool>,
    /// `this tenant`, `Microsoft`, or `another tenant (…)`: where the app is registered.
    pub home_tenant: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub home_tenant_id: Option<String>,
    pub publisher: Option<String>,
    /// The publisher Microsoft verified, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verified_publisher: Option<String>,
    pub publisher_verified: bool,
    pub sign_in_audience: Option<String>,
    /// Users need an assignment to sign in.
    pub assignment_required: Option<bool>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    pub created: Option<String>,
    /// Secrets and certificates of the service principal and, for an app registered here, of
    /// its registration (where an app's own credentials live).
    pub credentials: CredentialSummary,
    /// The app registration is in this tenant (see get_application).
    pub registered_here: bool,
}

async fn get_service_principal(ctx: Ctx, p: GetServicePrincipalParams) -> Result<ServicePrincipalDetail, SkillError> {
    let sp = resolve_app(&ctx, &p.app, SP_FIELDS).await?;
    let app_id = sp.app_id.clone().unwrap_or_default();
    let (tenant, application) = tokio::join!(
        own_tenant_id(&ctx),
        application_of(&ctx, &app_id, &["id", "appId", "passwordCredentials", "keyCredentials"])
    );
    let tenant = ctx.optional("this tenant's id", tenant);
    let application = ctx.optional("the app registration", application).flatten();
    let mut rows = credentials::rows(sp.password_credentials.as_deref(), sp.key_credentials.as_deref(), ctx.now);
    if let Some(app) = &application {
        rows.extend(credentials::rows(app.password_credentials.as_deref(), app.key_credentials.as_deref(), ctx.now));
    }
    let verified = sp.verified();
    Ok(ServicePrincipalDetail {
        home_tenant: home_tenant(sp.app_owner_organization_id.as_deref(), tenant.as_deref()),
        home_tenant_id: sp.app_owner_organization_id.clone(),
        publisher_verified: verified.is_some(),
        verified_publisher: verified,
        credentials: CredentialSummary::of(&rows),
        registered_here: application.is_some(),
        id: sp.id,
        app_id: sp.app_id,
        display_name: sp.display_name,
        kind: sp.service_principal_type,
        enabled: sp.account_enabled,
        publisher: sp.publisher_name,
        sign_in_audience: sp.sign_in_audience,
        assignment_required: sp.app_role_assignment_required,
        tags: sp.tags.unwrap_or_default().into_iter().take(10).collect(),
        created: sp.created_date_time,
    })
}

impl Render for ServicePrincipalDetail {
    fn markdown(&self) -> String {
        let verified = match &self.verified_publisher {
            Some(name) => format!("yes ({name})"),
            None => "no".into(),
        };
        fields(&[
            ("service principal", self.display_name.clone()),
            ("id", Some(self.id.clone())),
            ("appId", self.app_id.clone()),
            ("type", self.kind.clone()),
            ("enabled", yes_no(self.enabled)),
            ("home tenant", Some(self.home_tenant.clone())),
            ("publisher", self.publisher.clone()),
            ("verified publisher", Some(verified)),
            ("sign-in audience", self.sign_in_audience.clone()),
            ("assignment required", yes_no(self.assignment_required)),
            ("registered here", yes_no(Some(self.registered_here))),
            ("credentials", Some(self.credentials.describe())),
            ("tags", (!self.tags.is_empty()).then(|| self.tags.join(", "))),
            ("created", self.created.as_deref().map(short_time)),
        ])
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "How many secrets does the Payroll Sync service principal have, and when does the next one expire?",
        args: r#"{"app":"payroll sync"}"#,
        facts: &[
            Fact::Every("credentials/secrets", "2"),
            Fact::Every("registered_here", "true"),
            Fact::Every("home_tenant", "this tenant"),
            Fact::Says("next expiry"),
        ],
    },
    Example {
        question: "Who publishes the Fabrikam Expense Sync service principal, is the publisher verified, and which tenant is it from?",
        args: r#"{"app":"Fabrikam Expense Sync"}"#,
        facts: &[
            Fact::Every("home_tenant", "~another tenant"),
            Fact::Every("publisher_verified", "false"),
            Fact::Every("publisher", "Fabrikam Partners"),
            Fact::Says("verified publisher: no"),
        ],
    },
    Example {
        question: "Service principal details of Microsoft Graph by its appId",
        args: r#"{"app":"00000003-0000-0000-c000-000000000000"}"#,
        facts: &[Fact::Every("home_tenant", "Microsoft"), Fact::Every("display_name", "Microsoft Graph")],
    },
    Example {
        question: "A service principal that does not exist",
        args: r#"{"app":"No Such App"}"#,
        facts: &[Fact::Fails(ErrorKind::NotFound)],
    },
];

pub fn skill() -> Skill {
    Skill::new(GET_SERVICE_PRINCIPAL, get_service_principal)
}
