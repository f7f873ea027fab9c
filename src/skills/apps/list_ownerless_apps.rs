//! `list_ownerless_apps`: apps nobody answers for — app registrations with no owner, and
//! enterprise apps of other organizations with none — and, on request, those with a single
//! owner. Graph counts owners itself: `owners/$count eq 0` (and `eq 1`) is an advanced query
//! (ConsistencyLevel and `$count`), so no app's owners are read one by one.

use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::model::{Application, ServicePrincipal, is_microsoft, own_tenant_id};
use crate::graph::{GraphRequest, Page, Query};
use crate::odata::Expr;
use crate::render::{or_dash, short_time, table};
use crate::shared::{Limit, ListInfo};
use crate::skill::{Access, Ctx, Declaration, Example, Fact, Render, Skill, SkillError, Toolset};

const LIST_OWNERLESS_APPS: Declaration = Declaration {
    name: "list_ownerless_apps",
    title: "List ownerless apps",
    description: "Apps nobody answers for: app registrations with no owner, and enterprise apps from other organizations with no owner here; also the ones with a single owner (a departure away from ownerless). Microsoft's first-party apps left out. For an app's owners use list_app_owners.",
    toolset: Toolset::Apps,
    permissions: &["Application.Read.All"],
    least_role: "none",
    access: Access::Read,
    beta: false,
    default: false,
    examples: EXAMPLES,
};

/// Objects read per query, at most.
const MAX_ROWS: usize = 999;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListOwnerlessAppsParams {
    /// Also list apps with exactly one owner (default true).
    pub include_single_owner: Option<bool>,
    #[serde(default)]
    pub limit: Limit,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct OwnerlessApp {
    pub app: Option<String>,
    /// `application` (app registration) or `service_principal` (enterprise app of another
    /// organization).
    pub object: String,
    /// The object id of that application or service principal.
    pub id: String,
    pub app_id: Option<String>,
    /// 0 or 1.
    pub owners: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub publisher: Option<String>,
    pub created: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct OwnerlessApps {
    /// How owners were counted (Graph's `owners/$count` filter).
    pub method: String,
    pub no_owner: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub single_owner: Option<usize>,
    /// Ownerless first, then single-owner; by name.
    pub apps: Vec<OwnerlessApp>,
    #[serde(flatten)]
    pub list: ListInfo,
}

const APP_FIELDS: &[&str] = &["id", "appId", "displayName", "createdDateTime"];
const SP_FIELDS: &[&str] =
    &["id", "appId", "displayName", "appOwnerOrganizationId", "publisherName", "createdDateTime"];

fn with_owners(collection: &'static str, select: &'static [&'static str], owners: i64) -> GraphRequest {
    GraphRequest::get(collection)
        .query(Query::new().select(select).filter(Expr::eq("owners/$count", owners)).count().top(MAX_ROWS))
}

/// One of the owner-count queries, or nothing when it is not wanted.
async fn read<T: DeserializeOwned>(ctx: &Ctx, wanted: bool, request: GraphRequest) -> Result<Page<T>, SkillError> {
    if !wanted {
        return Ok(Page { items: Vec::new(), total: Some(0), more: false });
    }
    ctx.graph.list(request, MAX_ROWS).await
}

async fn list_ownerless_apps(ctx: Ctx, p: ListOwnerlessAppsParams) -> Result<OwnerlessApps, SkillError> {
    let limit = p.limit.get()?;
    let single = p.include_single_owner.unwrap_or(true);
    let (tenant, apps0, sps0, apps1, sps1) = tokio::join!(
        own_tenant_id(&ctx),
        read::<Application>(&ctx, true, with_owners("/applications", APP_FIELDS, 0)),
        read::<ServicePrincipal>(&ctx, true, with_owners("/servicePrincipals", SP_FIELDS, 0)),
        read::<Application>(&ctx, single, with_owners("/applications", APP_FIELDS, 1)),
        read::<ServicePrincipal>(&ctx, single, with_owners("/servicePrincipals", SP_FIELDS, 1))
    );
    let tenant = tenant?;
    let (apps0, sps0, apps1, sps1) = (apps0?, sps0?, apps1?, sps1?);
    if [apps0.more, sps0.more, apps1.more, sps1.more].iter().any(|m| *m) {
        ctx.note(format!("read at most {MAX_ROWS} apps per query; more exist"));
    }
    // An app registered here is owned through its registration; Microsoft governs its own.
    let external = |sp: &ServicePrincipal| {
        let home = sp.app_owner_organization_id.as_deref();
        !is_microsoft(home) && home.is_some_and(|h| !h.eq_ignore_ascii_case(&tenant))
    };
    let application = |a: Application, owners: u8| OwnerlessApp {
        app: a.display_name,
        object: "application".into(),
        id: a.id,
        app_id: a.app_id,
        owners,
        publisher: None,
        created: a.created_date_time,
    };
    let principal = |sp: ServicePrincipal, owners: u8| OwnerlessApp {
        app: sp.display_name,
        object: "service_principal".into(),
        id: sp.id,
        app_id: sp.app_id,
        owners,
        publisher: sp.publisher_name,
        created: sp.created_date_time,
    };
    let mut none: Vec<OwnerlessApp> = apps0.items.into_iter().map(|a| application(a, 0)).collect();
    none.extend(sps0.items.into_iter().filter(|sp| external(sp)).map(|sp| principal(sp, 0)));
    let mut one: Vec<OwnerlessApp> = apps1.items.into_iter().map(|a| application(a, 1)).collect();
    one.extend(sps1.items.into_iter().filter(|sp| external(sp)).map(|sp| principal(sp, 1)));
    none.sort_by(|a, b| a.app.cmp(&b.app));
    one.sort_by(|a, b| a.app.cmp(&b.app));
    let (no_owner, single_owner) = (none.len(), single.then_some(one.len()));
    let mut apps = none;
    apps.extend(one);
    let total = apps.len();
    apps.truncate(limit);
    Ok(OwnerlessApps {
        method: "owners/$count filter (advanced query)".into(),
        no_owner,
        single_owner,
        list: ListInfo::new(apps.len(), Some(total as u64), false, "`include_single_owner` or `limit`"),
        apps,
    })
}

impl Render for OwnerlessApps {
    fn rows(&self) -> Option<usize> {
        Some(self.apps.len())
    }

    fn cut_to(&mut self, rows: usize) {
        self.apps.truncate(rows);
        self.list.cut(rows);
    }

    fn markdown(&self) -> String {
        let rows: Vec<Vec<String>> = self
            .apps
            .iter()
            .map(|a| {
                vec![
                    or_dash(&a.app),
                    if a.object == "application" { "app registration" } else { "enterprise app (external)" }.into(),
                    if a.owners == 0 { "none".into() } else { "single owner".into() },
                    or_dash(&a.publisher),
                    a.created.as_deref().map(short_time).unwrap_or_default(),
                    a.id.clone(),
                ]
            })
            .collect();
        let single = self.single_owner.map(|n| format!(", {n} with a single owner")).unwrap_or_default();
        format!(
            "{} without an owner{single} (counted with Graph's owners/$count filter)\n{}{}",
            if self.no_owner == 1 { "1 app".to_string() } else { format!("{} apps", self.no_owner) },
            table(&["app", "object", "owners", "publisher", "created", "id"], &rows),
            self.list.footer()
        )
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Which apps have no owner, or only one?",
        args: r#"{}"#,
        facts: &[
            Fact::Some("apps/*/app", "Legacy Reports Portal"),
            Fact::Some("apps/*/app", "Fabrikam Expense Sync"),
            Fact::Some("apps/*/app", "Payroll Sync"),
            Fact::No("apps/*/app", "Microsoft Graph"),
            Fact::No("apps/*/app", "HR Onboarding Automation"),
            Fact::AtLeast("single_owner", 3),
        ],
    },
    Example {
        question: "Ownerless apps only, leaving out single-owner ones",
        args: r#"{"include_single_owner":false}"#,
        facts: &[
            Fact::Every("apps/*/owners", "0"),
            Fact::Some("apps/*/object", "application"),
            Fact::Says("without an owner"),
        ],
    },
];

pub fn skill() -> Skill {
    Skill::new(LIST_OWNERLESS_APPS, list_ownerless_apps)
}
