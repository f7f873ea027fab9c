//! `list_app_owners`: who owns an app — the owners of its registration (for an app registered
//! here) and of its service principal (enterprise app), read at once.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::model::{Owner, resolve_app};
use crate::graph::{GraphRequest, Query, path};
use crate::odata::Expr;
use crate::render::{fields, or_dash, table};
use crate::shared::guid;
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset};

const LIST_APP_OWNERS: Declaration = Declaration {
    name: "list_app_owners",
    title: "List app owners",
    description: "Who owns an app: the owners of its app registration (when registered in this tenant) and of its enterprise app (service principal), users or service principals, by app name, object id or appId. Owners can add credentials to the app.",
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
pub struct ListAppOwnersParams {
    /// Exact display name, service principal object id, or appId.
    pub app: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct OwnerRow {
    pub id: String,
    /// `user` or `servicePrincipal`.
    pub kind: String,
    pub display_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upn: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct AppOwners {
    pub app: String,
    /// The service principal's object id.
    pub id: String,
    pub app_id: Option<String>,
    /// The app registration is in this tenant.
    pub registered_here: bool,
    /// Owners of the app registration (empty when it is registered elsewhere).
    pub application_owners: Vec<OwnerRow>,
    /// Owners of the enterprise app (service principal).
    pub service_principal_owners: Vec<OwnerRow>,
}

const OWNER_FIELDS: &str = "owners($select=id,displayName,userPrincipalName)";

#[derive(Debug, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct ApplicationWithOwners {
    owners: Vec<Owner>,
}

fn owner_row(o: Owner) -> OwnerRow {
    let kind = o.odata_type.as_deref().and_then(|t| t.strip_prefix("#microsoft.graph.")).unwrap_or("directoryObject");
    OwnerRow { kind: kind.to_string(), id: o.id, display_name: o.display_name, upn: o.user_principal_name }
}

async fn list_app_owners(ctx: Ctx, p: ListAppOwnersParams) -> Result<AppOwners, SkillError> {
    let sp = resolve_app(&ctx, &p.app, &["id", "appId", "displayName"]).await?;
    let app_id = sp.app_id.as_deref().and_then(guid).map(|g| g.to_string()).unwrap_or_default();
    // The registration and its owners in one request: filtered by appId, owners expanded.
    let application = GraphRequest::get("/applications")
        .query(Query::new().select(&["id", "appId"]).filter(Expr::eq("appId", app_id.as_str())).expand(OWNER_FIELDS));
    let sp_owners = GraphRequest::get(path("/servicePrincipals/{}/owners", &[&sp.id]))
        .query(Query::new().select(&["id", "displayName", "userPrincipalName"]).top(100));
    let (application, sp_owners) =
        tokio::join!(ctx.graph.list::<ApplicationWithOwners>(application, 1), ctx.graph.list::<Owner>(sp_owners, 100));
    let sp_owners = sp_owners?;
    let application = match application {
        Ok(page) => page.items.into_iter().next(),
        Err(e) if e.kind == ErrorKind::Throttled => return Err(e),
        Err(e) => {
            ctx.note(format!("the app registration's owners skipped: {}", e.message));
            None
        }
    };
    Ok(AppOwners {
        app: sp.name(),
        registered_here: application.is_some(),
        application_owners: application.map(|a| a.owners.into_iter().map(owner_row).collect()).unwrap_or_default(),
        service_principal_owners: sp_owners.items.into_iter().map(owner_row).collect(),
        id: sp.id,
        app_id: sp.app_id,
    })
}

fn owner_table(owners: &[OwnerRow], registered_here: Option<bool>) -> String {
    if owners.is_empty() {
        return match registered_here {
            Some(false) => "none (registered in another tenant)".into(),
            _ => "none (no owner)".into(),
        };
    }
    let rows: Vec<Vec<String>> =
        owners.iter().map(|o| vec![or_dash(&o.display_name), or_dash(&o.upn), o.kind.clone(), o.id.clone()]).collect();
    table(&["owner", "upn", "kind", "id"], &rows)
}

impl Render for AppOwners {
    fn markdown(&self) -> String {
        let head = fields(&[
            ("app", Some(self.app.clone())),
            ("service principal id", Some(self.id.clone())),
            ("appId", self.app_id.clone()),
        ]);
        format!(
            "{head}\n\napp registration owners:\n{}\n\nenterprise app owners:\n{}",
            owner_table(&self.application_owners, Some(self.registered_here)),
            owner_table(&self.service_principal_owners, None)
        )
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Who owns the Payroll Sync app?",
        args: r#"{"app":"Payroll Sync"}"#,
        facts: &[
            Fact::Every("application_owners/*/display_name", "Tom Okafor"),
            Fact::Count("application_owners/*", 1),
        ],
    },
    Example {
        question: "Owners of the Sales CRM enterprise app and its registration",
        args: r#"{"app":"Sales CRM"}"#,
        facts: &[
            Fact::Some("service_principal_owners/*/display_name", "Alex Chen"),
            Fact::Some("application_owners/*/display_name", "Alex Chen"),
        ],
    },
    Example {
        question: "Does the Legacy Reports Portal have any owner?",
        args: r#"{"app":"Legacy Reports Portal"}"#,
        facts: &[
            Fact::Count("application_owners/*", 0),
            Fact::Count("service_principal_owners/*", 0),
            Fact::Says("no owner"),
        ],
    },
    Example {
        question: "Owners of an app that does not exist",
        args: r#"{"app":"No Such App"}"#,
        facts: &[Fact::Fails(ErrorKind::NotFound)],
    },
];

pub fn skill() -> Skill {
    Skill::new(LIST_APP_OWNERS, list_app_owners)
}
