//! `list_external_apps`: the apps registered in other tenants that have a service principal
//! here — third-party apps listed with their publisher and whether it is verified, Microsoft's
//! first-party apps counted (or listed on request).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::model::{
    MICROSOFT_CORPORATE_TENANT, MICROSOFT_SERVICES_TENANT, ServicePrincipal, is_microsoft, own_tenant_id,
};
use crate::graph::{GraphRequest, Query};
use crate::odata::Expr;
use crate::render::{or_dash, short_time, table};
use crate::shared::{Limit, ListInfo};
use crate::skill::{Access, Ctx, Declaration, Example, Fact, Render, Skill, SkillError, Toolset};

const LIST_EXTERNAL_APPS: Declaration = Declaration {
    name: "list_external_apps",
    title: "List external apps",
    description: "Apps registered in other tenants that have an enterprise app (service principal) here: third-party apps with their home tenant, publisher and whether Microsoft verified it; Microsoft's own first-party apps counted separately (listed with include_microsoft).",
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
pub struct ListExternalAppsParams {
    /// Also list Microsoft's first-party apps (otherwise only counted).
    pub include_microsoft: Option<bool>,
    #[serde(default)]
    pub limit: Limit,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ExternalApp {
    pub display_name: Option<String>,
    /// The service principal's object id.
    pub id: String,
    pub app_id: Option<String>,
    /// The tenant the app is registered in.
    pub home_tenant_id: Option<String>,
    pub publisher: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verified_publisher: Option<String>,
    pub publisher_verified: bool,
    pub enabled: Option<bool>,
    /// Added to this tenant (consented).
    pub created: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ExternalApps {
    /// This tenant's id, which the apps listed are not registered in.
    pub tenant_id: String,
    /// Apps of other organizations.
    pub third_party: Vec<ExternalApp>,
    /// Microsoft's first-party apps with a service principal here.
    pub microsoft_count: Option<u64>,
    /// Listed with `include_microsoft`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub microsoft: Vec<ExternalApp>,
    #[serde(flatten)]
    pub list: ListInfo,
}

const FIELDS: &[&str] = &[
    "id",
    "appId",
    "displayName",
    "appOwnerOrganizationId",
    "publisherName",
    "verifiedPublisher",
    "accountEnabled",
    "createdDateTime",
];

fn row(sp: ServicePrincipal) -> ExternalApp {
    let verified = sp.verified();
    ExternalApp {
        publisher_verified: verified.is_some(),
        verified_publisher: verified,
        display_name: sp.display_name,
        id: sp.id,
        app_id: sp.app_id,
        home_tenant_id: sp.app_owner_organization_id,
        publisher: sp.publisher_name,
        enabled: sp.account_enabled,
        created: sp.created_date_time,
    }
}

async fn list_external_apps(ctx: Ctx, p: ListExternalAppsParams) -> Result<ExternalApps, SkillError> {
    let limit = p.limit.get()?;
    let tenant = own_tenant_id(&ctx).await?;
    // `ne` on appOwnerOrganizationId is an advanced query: ConsistencyLevel and $count.
    let third_party = Expr::ne("appOwnerOrganizationId", tenant.as_str())
        .and(Expr::ne("appOwnerOrganizationId", MICROSOFT_SERVICES_TENANT))
        .and(Expr::ne("appOwnerOrganizationId", MICROSOFT_CORPORATE_TENANT));
    let microsoft = Expr::eq("appOwnerOrganizationId", MICROSOFT_SERVICES_TENANT)
        .or(Expr::eq("appOwnerOrganizationId", MICROSOFT_CORPORATE_TENANT));
    let third_request = GraphRequest::get("/servicePrincipals")
        .query(Query::new().select(FIELDS).filter(third_party).orderby("displayName").count().top(limit.min(999)));
    let (third, microsoft_list, microsoft_count) = if p.include_microsoft == Some(true) {
        let request = GraphRequest::get("/servicePrincipals")
            .query(Query::new().select(FIELDS).filter(microsoft).orderby("displayName").count().top(limit.min(999)))
            // `$count` and `$orderby` beside `$filter` make it an advanced query too.
            .eventual();
        let (third, ms) = tokio::join!(
            ctx.graph.list::<ServicePrincipal>(third_request, limit),
            ctx.graph.list::<ServicePrincipal>(request, limit)
        );
        let ms = ms?;
        let count = ms.total.or(Some(ms.items.len() as u64));
        (third?, ms.items, count)
    } else {
        let count = GraphRequest::get("/servicePrincipals/$count").query(Query::new().filter(microsoft));
        let (third, count) =
            tokio::join!(ctx.graph.list::<ServicePrincipal>(third_request, limit), ctx.graph.count(count));
        (third?, Vec::new(), ctx.optional("Microsoft app count", count))
    };
    // A first-party app in another Microsoft tenant is still Microsoft's.
    let (ms_extra, third_items): (Vec<_>, Vec<_>) =
        third.items.into_iter().partition(|sp| is_microsoft(sp.app_owner_organization_id.as_deref()));
    if !ms_extra.is_empty() {
        ctx.note(format!("{} more Microsoft apps found among the others and left out", ms_extra.len()));
    }
    let list = ListInfo::new(third_items.len(), third.total, third.more, "`limit`");
    Ok(ExternalApps {
        tenant_id: tenant,
        third_party: third_items.into_iter().map(row).collect(),
        microsoft_count,
        microsoft: microsoft_list.into_iter().map(row).collect(),
        list,
    })
}

impl Render for ExternalApps {
    fn rows(&self) -> Option<usize> {
        Some(self.third_party.len() + self.microsoft.len())
    }

    fn cut_to(&mut self, rows: usize) {
        let third = rows.min(self.third_party.len());
        self.third_party.truncate(third);
        self.microsoft.truncate(rows - third);
        self.list.cut(third);
    }

    fn markdown(&self) -> String {
        let rows = |apps: &[ExternalApp]| -> Vec<Vec<String>> {
            apps.iter()
                .map(|a| {
                    vec![
                        or_dash(&a.display_name),
                        or_dash(&a.publisher),
                        a.verified_publisher.clone().map(|v| format!("yes ({v})")).unwrap_or_else(|| "no".into()),
                        or_dash(&a.home_tenant_id),
                        a.created.as_deref().map(short_time).unwrap_or_default(),
                        a.id.clone(),
                    ]
                })
                .collect()
        };
        let headers = ["app", "publisher", "verified", "home tenant", "added (UTC)", "id"];
        let mut out = format!(
            "{} third-party app{}{}\n{}",
            self.list.returned,
            if self.list.returned == 1 { "" } else { "s" },
            self.list.total.map(|t| format!(" of {t}")).unwrap_or_default(),
            table(&headers, &rows(&self.third_party))
        );
        out.push_str(&self.list.footer());
        match self.microsoft_count {
            Some(n) => out.push_str(&format!("\n\nMicrosoft first-party apps: {n}")),
            None => out.push_str("\n\nMicrosoft first-party apps: not counted"),
        }
        if !self.microsoft.is_empty() {
            out.push('\n');
            out.push_str(&table(&headers, &rows(&self.microsoft)));
        }
        out
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Which third-party apps from other tenants have access here, and are their publishers verified?",
        args: r#"{}"#,
        facts: &[
            Fact::Some("third_party/*/display_name", "Fabrikam Expense Sync"),
            Fact::Some("third_party/*/publisher_verified", "false"),
            Fact::Some("third_party/*/verified_publisher", "Contoso Ltd"),
            Fact::No("third_party/*/display_name", "Microsoft Graph"),
            Fact::AtLeast("microsoft_count", 5),
        ],
    },
    Example {
        question: "External apps, including Microsoft's own first-party apps",
        args: r#"{"include_microsoft":true,"limit":50}"#,
        facts: &[Fact::Some("microsoft/*/display_name", "Microsoft Graph"), Fact::Says("Microsoft first-party apps")],
    },
];

pub fn skill() -> Skill {
    Skill::new(LIST_EXTERNAL_APPS, list_external_apps)
}
