//! `analyze_app_permission_risk`: how dangerous an app's access is, for one app or for every
//! app of the tenant at or above a tier. Per app: what it holds (tiered by `tiers.rs`), who
//! owns it and where it is registered, its credentials, when it last signed in (beta report)
//! and its ID Protection risk; then factors with their evidence, a score and actions.
//!
//! The anchor is the app (or, for a scan, the list of service principals); every other read is
//! optional and becomes a note when Graph refuses it. A scan is bounded ([`MAX_SCAN`] apps, by
//! name) and runs two apps at a time, four reads each, so at most 8 requests are in flight.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use futures::StreamExt;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::access::{AccessKind, PermissionRow, Resources, read_access};
use super::credentials::{self, CredentialRow};
use super::model::{
    Application, MICROSOFT_SERVICES_TENANT, RiskyServicePrincipal, SP_FIELDS, ServicePrincipal, SignInActivity,
    application_of, home_tenant, is_microsoft, own_tenant_id, owner_count, resolve_app,
};
use super::tiers::Tier;
use crate::graph::{GraphRequest, Query, path};
use crate::odata::Expr;
use crate::render::{fields, short_time, table};
use crate::shared::{Limit, ListInfo, guid};
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset};

const ANALYZE_APP_PERMISSION_RISK: Declaration = Declaration {
    name: "analyze_app_permission_risk",
    title: "Analyze app permission risk",
    description: "Which apps hold dangerous access and how risky each is, for one app or the tenant at or above min_tier: tiers grants, app permissions and directory roles (critical = path to tenant takeover), weighs unverified foreign publishers, no owner, secrets, long-lived, expired or new credentials, 90 days idle, ID Protection risk; score, evidence, actions. Global Reader.",
    toolset: Toolset::Apps,
    permissions: &[
        "Application.Read.All",
        "Directory.Read.All",
        "RoleManagement.Read.Directory",
        "AuditLog.Read.All",
        "IdentityRiskyServicePrincipal.Read.All",
    ],
    least_role: "Global Reader (Security Reader for ID Protection risk)",
    access: Access::Read,
    beta: false,
    default: true,
    examples: EXAMPLES,
};

/// The most apps one scan reads; the rest are named in a note.
const MAX_SCAN: usize = 50;
/// A credential valid longer than this is long-lived (12 months, a leap day allowed).
const LONG_LIVED_DAYS: i64 = 366;
/// A credential added this recently is new.
const NEW_CREDENTIAL_DAYS: i64 = 7;
/// An app silent this long while holding permissions is idle.
const IDLE_DAYS: i64 = 90;
/// At most this many permissions per app in a scan (highest tier first).
const SCAN_PERMISSIONS: usize = 8;

#[derive(Debug, Clone, Copy, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum MinTier {
    Critical,
    High,
    Medium,
}

impl MinTier {
    fn tier(self) -> Tier {
        match self {
            MinTier::Critical => Tier::Critical,
            MinTier::High => Tier::High,
            MinTier::Medium => Tier::Medium,
        }
    }
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AnalyzeAppPermissionRiskParams {
    /// One app: exact display name, service principal object id, or appId. Leave out to scan
    /// the tenant's apps (Microsoft's own left out).
    pub app: Option<String>,
    /// Scan: report apps at or above this tier (default `high`).
    pub min_tier: Option<MinTier>,
    #[serde(default)]
    pub limit: Limit,
}

/// Why an app is riskier than its permissions alone say.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Factor {
    /// `foreign_unverified_publisher`, `no_owner`, `secrets_not_certificates`,
    /// `long_lived_credential`, `expired_credential_present`, `new_credential`, `idle`,
    /// `id_protection_risk`.
    pub factor: String,
    pub evidence: String,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct AppRisk {
    pub app: String,
    /// The service principal's object id.
    pub id: String,
    pub app_id: Option<String>,
    /// The highest tier of what it holds (`low` when nothing is granted).
    pub tier: Tier,
    /// 0–100: the tier's base plus each factor's weight.
    pub score: u32,
    pub home_tenant: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_sign_in: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub risk_level: Option<String>,
    /// Highest tier first.
    pub permissions: Vec<PermissionRow>,
    /// Permissions left out of a scan's row (see get_app_permissions).
    #[serde(skip_serializing_if = "is_zero")]
    pub more_permissions: usize,
    pub factors: Vec<Factor>,
    pub actions: Vec<String>,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// Apps scanned per tier.
#[derive(Debug, Clone, Default, Serialize, JsonSchema)]
pub struct TierCounts {
    pub critical: usize,
    pub high: usize,
    pub medium: usize,
    pub low: usize,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct PermissionRisk {
    /// `app` (one app) or `tenant` (a scan).
    pub scope: String,
    /// Scan: the tier apps are reported from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_tier: Option<Tier>,
    /// Scan: apps read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scanned: Option<usize>,
    /// Scan: the scanned apps per tier.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub counts: Option<TierCounts>,
    /// Riskiest first.
    pub apps: Vec<AppRisk>,
    #[serde(flatten)]
    pub list: ListInfo,
}

/// What the assessment of one app reads besides the app itself.
struct Context<'a> {
    own_tenant: Option<&'a str>,
    /// `None` when the sign-in report could not be read.
    activity: Option<&'a HashMap<String, SignInActivity>>,
    risky: &'a HashMap<String, RiskyServicePrincipal>,
    resources: &'a Resources,
}

async fn analyze(ctx: Ctx, p: AnalyzeAppPermissionRiskParams) -> Result<PermissionRisk, SkillError> {
    let limit = p.limit.get()?;
    match &p.app {
        Some(app) => {
            if p.min_tier.is_some() {
                ctx.note("`min_tier` applies to a tenant scan; one app is always reported");
            }
            one_app(&ctx, app).await
        }
        None => scan(&ctx, p.min_tier.unwrap_or(MinTier::High).tier(), limit).await,
    }
}

async fn one_app(ctx: &Ctx, app: &str) -> Result<PermissionRisk, SkillError> {
    let sp = resolve_app(ctx, app, SP_FIELDS).await?;
    let app_id = sp.app_id.as_deref().and_then(guid).map(|g| g.to_string()).unwrap_or_default();
    let activity = GraphRequest::get("/reports/servicePrincipalSignInActivities")
        .beta()
        .query(Query::new().filter(Expr::eq("appId", app_id.as_str())).top(1));
    let risky = GraphRequest::get(path("/identityProtection/riskyServicePrincipals/{}", &[&sp.id]))
        .query(Query::new().select(RISKY_FIELDS));
    let (tenant, application, activity, risky) = tokio::join!(
        own_tenant_id(ctx),
        application_of(ctx, &app_id, APPLICATION_FIELDS),
        ctx.beta_part("last sign-in (beta report)", ctx.graph.list::<SignInActivity>(activity, 1)),
        ctx.graph.get::<RiskyServicePrincipal>(risky)
    );
    let tenant = ctx.optional("this tenant's id", tenant);
    let application = ctx.optional("the app registration", application).flatten();
    let activity: Option<HashMap<String, SignInActivity>> = activity.map(|page| by_app_id(page.items));
    let risky: HashMap<String, RiskyServicePrincipal> = match risky {
        Ok(r) => HashMap::from([(r.id.to_ascii_lowercase(), r)]),
        // Graph answers 404 for a service principal ID Protection never flagged.
        Err(e) if e.kind == ErrorKind::NotFound => HashMap::new(),
        Err(e) => {
            ctx.note(format!("ID Protection risk skipped: {}", e.message));
            HashMap::new()
        }
    };
    let resources = Resources::default();
    let context =
        Context { own_tenant: tenant.as_deref(), activity: activity.as_ref(), risky: &risky, resources: &resources };
    let assessed = assess(ctx, sp, application.as_ref(), &context, usize::MAX).await?;
    Ok(PermissionRisk {
        scope: "app".into(),
        min_tier: None,
        scanned: None,
        counts: None,
        list: ListInfo::new(1, Some(1), false, ""),
        apps: vec![assessed],
    })
}

async fn scan(ctx: &Ctx, min_tier: Tier, limit: usize) -> Result<PermissionRisk, SkillError> {
    // Microsoft's first-party apps are left out: their access is Microsoft's to govern.
    let candidates = GraphRequest::get("/servicePrincipals").query(
        Query::new()
            .select(SP_FIELDS)
            .filter(Expr::ne("appOwnerOrganizationId", MICROSOFT_SERVICES_TENANT))
            .orderby("displayName")
            .count()
            .top(MAX_SCAN + 1),
    );
    let applications = GraphRequest::get("/applications").query(Query::new().select(APPLICATION_FIELDS).top(999));
    let activity = GraphRequest::get("/reports/servicePrincipalSignInActivities").beta().query(Query::new().top(999));
    let risky = GraphRequest::get("/identityProtection/riskyServicePrincipals")
        .query(Query::new().select(RISKY_FIELDS).filter(Expr::eq("riskState", "atRisk")).top(500));
    let (tenant, candidates, applications, activity, risky) = tokio::join!(
        own_tenant_id(ctx),
        ctx.graph.list::<ServicePrincipal>(candidates, MAX_SCAN + 1),
        ctx.graph.list::<Application>(applications, 5000),
        ctx.beta_part("last sign-ins (beta report)", ctx.graph.list::<SignInActivity>(activity, 5000)),
        ctx.graph.list::<RiskyServicePrincipal>(risky, 500)
    );
    let candidates = candidates?;
    let tenant = ctx.optional("this tenant's id", tenant);
    let applications: HashMap<String, Application> = ctx
        .optional("app registrations (credentials, owners)", applications)
        .map(|page| page.items.into_iter().filter_map(|a| Some((a.app_id.clone()?.to_ascii_lowercase(), a))).collect())
        .unwrap_or_default();
    let activity = activity.map(|page| by_app_id(page.items));
    let risky: HashMap<String, RiskyServicePrincipal> = ctx
        .optional("ID Protection risk", risky)
        .map(|page| page.items.into_iter().map(|r| (r.id.to_ascii_lowercase(), r)).collect())
        .unwrap_or_default();

    let mut apps: Vec<ServicePrincipal> =
        candidates.items.into_iter().filter(|sp| !is_microsoft(sp.app_owner_organization_id.as_deref())).collect();
    if apps.len() > MAX_SCAN || candidates.more {
        apps.truncate(MAX_SCAN);
        let total = candidates.total.map(|t| format!(" of {t}")).unwrap_or_default();
        ctx.note(format!("scanned the first {MAX_SCAN}{total} apps by name; analyze any other with `app`"));
    }
    let resources = Resources::default();
    let context =
        Context { own_tenant: tenant.as_deref(), activity: activity.as_ref(), risky: &risky, resources: &resources };
    let context = &context;
    let applications = &applications;
    // Two apps at a time, each with four reads in flight: at most 8 requests at once.
    let assessed: Vec<(String, Result<AppRisk, SkillError>)> = futures::stream::iter(apps)
        .map(|sp| async move {
            let name = sp.name();
            let application = sp.app_id.as_deref().and_then(|a| applications.get(&a.to_ascii_lowercase()));
            (name, assess(ctx, sp, application, context, SCAN_PERMISSIONS).await)
        })
        .buffered(2)
        .collect()
        .await;
    let mut scanned = Vec::new();
    for (name, result) in assessed {
        match result {
            Ok(app) => scanned.push(app),
            Err(e) if e.kind == ErrorKind::Throttled => return Err(e),
            Err(e) => ctx.note(format!("{name} skipped: {}", e.message)),
        }
    }
    let mut counts = TierCounts::default();
    for app in &scanned {
        match app.tier {
            Tier::Critical => counts.critical += 1,
            Tier::High => counts.high += 1,
            Tier::Medium => counts.medium += 1,
            Tier::Low => counts.low += 1,
        }
    }
    let total_scanned = scanned.len();
    let mut reported: Vec<AppRisk> = scanned.into_iter().filter(|a| a.tier >= min_tier).collect();
    reported.sort_by(|a, b| b.score.cmp(&a.score).then_with(|| a.app.cmp(&b.app)));
    let matching = reported.len();
    reported.truncate(limit);
    Ok(PermissionRisk {
        scope: "tenant".into(),
        min_tier: Some(min_tier),
        scanned: Some(total_scanned),
        counts: Some(counts),
        list: ListInfo::new(reported.len(), Some(matching as u64), false, "`min_tier` or `limit`"),
        apps: reported,
    })
}

const APPLICATION_FIELDS: &[&str] = &["id", "appId", "passwordCredentials", "keyCredentials"];
const RISKY_FIELDS: &[&str] = &["id", "appId", "riskLevel", "riskState", "riskLastUpdatedDateTime"];

fn by_app_id(items: Vec<SignInActivity>) -> HashMap<String, SignInActivity> {
    items.into_iter().filter_map(|a| Some((a.app_id.clone()?.to_ascii_lowercase(), a))).collect()
}

fn parse(time: Option<&str>) -> Option<DateTime<Utc>> {
    time.and_then(|t| DateTime::parse_from_rfc3339(t).ok()).map(|t| t.with_timezone(&Utc))
}

/// One app: its reads (what it holds, how many owners), then factors, score and actions.
async fn assess(
    ctx: &Ctx,
    sp: ServicePrincipal,
    application: Option<&Application>,
    context: &Context<'_>,
    max_permissions: usize,
) -> Result<AppRisk, SkillError> {
    let owners = match application {
        Some(app) => owner_count(ctx, "application", &app.id),
        None => owner_count(ctx, "servicePrincipal", &sp.id),
    };
    let (permissions, owners) = tokio::join!(read_access(ctx, &sp.id, context.resources), owners);
    let permissions = permissions?;
    let owners = match owners {
        Ok(n) => Some(n),
        Err(e) => {
            ctx.note(format!("owners of {} unknown: {}", sp.name(), e.kind.as_str()));
            None
        }
    };
    let mut creds = credentials::rows(sp.password_credentials.as_deref(), sp.key_credentials.as_deref(), ctx.now);
    if let Some(app) = application {
        creds.extend(credentials::rows(app.password_credentials.as_deref(), app.key_credentials.as_deref(), ctx.now));
    }
    let key = sp.app_id.as_deref().unwrap_or_default().to_ascii_lowercase();
    let activity = context.activity.map(|a| a.get(&key));
    let risk = context.risky.get(&sp.id.to_ascii_lowercase());
    let facts = Facts {
        sp: &sp,
        own_tenant: context.own_tenant,
        permissions: &permissions,
        owners,
        credentials: &creds,
        activity,
        risk,
        now: ctx.now,
    };
    let (factors, weights, actions) = facts.judge();
    let tier = permissions.iter().map(|p| p.tier).max();
    let score = (tier.map_or(0, Tier::base_score) + weights).min(100);
    let last_sign_in = activity.flatten().and_then(SignInActivity::last);
    let more_permissions = permissions.len().saturating_sub(max_permissions);
    Ok(AppRisk {
        app: sp.name(),
        home_tenant: home_tenant(sp.app_owner_organization_id.as_deref(), context.own_tenant),
        tier: tier.unwrap_or(Tier::Low),
        score,
        last_sign_in,
        risk_level: risk.and_then(|r| r.risk_level.clone()),
        permissions: permissions.into_iter().take(max_permissions).collect(),
        more_permissions,
        factors,
        actions,
        id: sp.id,
        app_id: sp.app_id,
    })
}

/// What one app's factors are judged on.
struct Facts<'a> {
    sp: &'a ServicePrincipal,
    own_tenant: Option<&'a str>,
    permissions: &'a [PermissionRow],
    owners: Option<u64>,
    credentials: &'a [CredentialRow],
    /// `None`: the report could not be read; `Some(None)`: no sign-in recorded.
    activity: Option<Option<&'a SignInActivity>>,
    risk: Option<&'a RiskyServicePrincipal>,
    now: DateTime<Utc>,
}

fn names(rows: &[&CredentialRow]) -> String {
    rows.iter().map(|c| c.label()).collect::<Vec<_>>().join(", ")
}

impl Facts<'_> {
    /// Factors with their evidence, their weight in the score, and the actions, most urgent
    /// first.
    fn judge(&self) -> (Vec<Factor>, u32, Vec<String>) {
        let mut factors = Vec::new();
        let mut weight = 0;
        let mut actions = Vec::new();
        let mut add = |factor: &str, evidence: String, points: u32| {
            factors.push(Factor { factor: factor.into(), evidence });
            weight += points;
        };
        let name = self.sp.name();

        // What it holds.
        let dangerous: Vec<&PermissionRow> =
            self.permissions.iter().filter(|p| p.tier >= Tier::High && p.kind != AccessKind::DirectoryRole).collect();
        if !dangerous.is_empty() {
            let list = dangerous.iter().map(|p| p.label()).collect::<Vec<_>>().join(", ");
            actions.push(format!(
                "Review {list}: remove what {name} does not need (revoke the grant or the app role assignment)"
            ));
        }
        for role in self.permissions.iter().filter(|p| p.kind == AccessKind::DirectoryRole && p.tier >= Tier::High) {
            actions.push(format!("Remove the {} role from {name}, or scope it to an administrative unit", role.name));
        }

        // Where it comes from.
        let foreign =
            self.sp.app_owner_organization_id.as_deref().is_some_and(|t| {
                !is_microsoft(Some(t)) && self.own_tenant.is_some_and(|own| !own.eq_ignore_ascii_case(t))
            });
        if foreign && self.sp.verified().is_none() {
            let publisher = self.sp.publisher_name.clone().unwrap_or_else(|| "an unknown publisher".into());
            add(
                "foreign_unverified_publisher",
                format!(
                    "registered in another tenant ({}) by {publisher}, not a verified publisher",
                    self.sp.app_owner_organization_id.as_deref().unwrap_or_default()
                ),
                15,
            );
            actions.push(format!(
                "Confirm {publisher} and the business need for {name}; allow user consent only to verified publishers"
            ));
        }
        let microsoft = is_microsoft(self.sp.app_owner_organization_id.as_deref());
        if self.owners == Some(0) && !microsoft {
            add("no_owner", "no owner answers for the app".into(), 10);
            actions.push(format!("Assign at least two owners to {name}"));
        }

        // Its credentials.
        let live: Vec<&CredentialRow> = self.credentials.iter().filter(|c| !c.expired()).collect();
        let secrets: Vec<&CredentialRow> =
            live.iter().copied().filter(|c| c.kind == super::model::CredentialKind::Secret).collect();
        if !secrets.is_empty() {
            add("secrets_not_certificates", format!("authenticates with client secrets: {}", names(&secrets)), 5);
            actions.push("Replace client secrets with certificates or federated credentials".into());
        }
        let long: Vec<&CredentialRow> =
            live.iter().copied().filter(|c| c.lifetime_days.is_some_and(|d| d > LONG_LIVED_DAYS)).collect();
        if !long.is_empty() {
            let detail = long
                .iter()
                .map(|c| format!("{} ({} days)", c.label(), c.lifetime_days.unwrap_or_default()))
                .collect::<Vec<_>>()
                .join(", ");
            add("long_lived_credential", format!("valid more than 12 months: {detail}"), 5);
            actions
                .push("Rotate to credentials valid 12 months or less; enforce it with an app management policy".into());
        }
        let expired: Vec<&CredentialRow> = self.credentials.iter().filter(|c| c.expired()).collect();
        if !expired.is_empty() {
            let detail = expired
                .iter()
                .map(|c| format!("{} (ended {})", c.label(), c.end.as_deref().map(short_time).unwrap_or_default()))
                .collect::<Vec<_>>()
                .join(", ");
            add("expired_credential_present", format!("expired but still present: {detail}"), 5);
            actions.push(format!("Remove the expired credentials: {}", names(&expired)));
        }
        let recent = self.now - Duration::days(NEW_CREDENTIAL_DAYS);
        let new: Vec<&CredentialRow> =
            self.credentials.iter().filter(|c| parse(c.start.as_deref()).is_some_and(|s| s >= recent)).collect();
        if !new.is_empty() {
            let detail = new
                .iter()
                .map(|c| format!("{} (from {})", c.label(), c.start.as_deref().map(short_time).unwrap_or_default()))
                .collect::<Vec<_>>()
                .join(", ");
            add("new_credential", format!("added in the last {NEW_CREDENTIAL_DAYS} days: {detail}"), 10);
            actions.push(format!(
                "Confirm who added {} and why (list_directory_audits, category ApplicationManagement)",
                names(&new)
            ));
        }

        // Its use.
        if let Some(activity) = self.activity
            && !self.permissions.is_empty()
            && !microsoft
        {
            let last = activity.and_then(SignInActivity::last);
            let idle_since = self.now - Duration::days(IDLE_DAYS);
            let idle = match parse(last.as_deref()) {
                Some(t) => (t < idle_since).then(|| {
                    format!(
                        "last sign-in {} ({} days ago)",
                        short_time(last.as_deref().unwrap_or_default()),
                        (self.now - t).num_days()
                    )
                }),
                // No sign-in recorded: idle only once the app is older than the window.
                None => parse(self.sp.created_date_time.as_deref())
                    .is_some_and(|c| c < idle_since)
                    .then(|| "no sign-in recorded".to_string()),
            };
            if let Some(evidence) = idle {
                add("idle", format!("{evidence} while holding {} permissions or roles", self.permissions.len()), 10);
                actions.push(format!("{name} is unused: disable its service principal or remove its permissions"));
            }
        }
        if let Some(risk) = self.risk
            && matches!(risk.risk_state.as_deref(), Some("atRisk" | "confirmedCompromised"))
        {
            let level = risk.risk_level.clone().unwrap_or_else(|| "unknown".into());
            let points = match level.as_str() {
                "high" => 20,
                "medium" => 10,
                _ => 5,
            };
            add(
                "id_protection_risk",
                format!("ID Protection: {} risk, {}", level, risk.risk_state.as_deref().unwrap_or_default()),
                points,
            );
            actions.insert(0, format!("Investigate the ID Protection risk of {name} (get_risky_service_principal)"));
        }
        (factors, weight, actions)
    }
}

impl Render for PermissionRisk {
    fn rows(&self) -> Option<usize> {
        (self.scope == "tenant").then_some(self.apps.len())
    }

    fn cut_to(&mut self, rows: usize) {
        self.apps.truncate(rows);
        self.list.cut(rows);
    }

    fn markdown(&self) -> String {
        if self.scope == "app" {
            return self.apps.first().map(one_markdown).unwrap_or_default();
        }
        let counts = self.counts.clone().unwrap_or_default();
        let head = format!(
            "{} apps scanned: {} critical, {} high, {} medium, {} low; {} at or above {}",
            self.scanned.unwrap_or_default(),
            counts.critical,
            counts.high,
            counts.medium,
            counts.low,
            self.list.total.unwrap_or_default(),
            self.min_tier.map(Tier::as_str).unwrap_or("high"),
        );
        let rows: Vec<Vec<String>> = self
            .apps
            .iter()
            .map(|a| {
                let top = a.permissions.iter().take(3).map(|p| p.name.clone()).collect::<Vec<_>>().join(", ");
                let factors = a.factors.iter().map(|f| f.factor.clone()).collect::<Vec<_>>().join(", ");
                vec![
                    a.app.clone(),
                    a.tier.as_str().into(),
                    a.score.to_string(),
                    top,
                    factors,
                    a.actions.first().cloned().unwrap_or_default(),
                    a.id.clone(),
                ]
            })
            .collect();
        format!(
            "{head}\n{}{}",
            table(&["app", "tier", "score", "top permissions", "factors", "first action", "id"], &rows),
            self.list.footer()
        )
    }
}

fn one_markdown(a: &AppRisk) -> String {
    let head = fields(&[
        ("app", Some(a.app.clone())),
        ("service principal id", Some(a.id.clone())),
        ("appId", a.app_id.clone()),
        ("tier", Some(a.tier.as_str().into())),
        ("score", Some(format!("{}/100", a.score))),
        ("home tenant", Some(a.home_tenant.clone())),
        ("last sign-in", a.last_sign_in.as_deref().map(short_time)),
        ("ID Protection risk", a.risk_level.clone()),
    ]);
    let rows: Vec<Vec<String>> = a
        .permissions
        .iter()
        .map(|p| vec![p.name.clone(), p.how(), p.resource.clone(), p.tier.as_str().into()])
        .collect();
    let factors = if a.factors.is_empty() {
        "none".to_string()
    } else {
        a.factors.iter().map(|f| format!("- {}: {}", f.factor, f.evidence)).collect::<Vec<_>>().join("\n")
    };
    let actions = if a.actions.is_empty() {
        "none".to_string()
    } else {
        a.actions.iter().enumerate().map(|(i, x)| format!("{}. {x}", i + 1)).collect::<Vec<_>>().join("\n")
    };
    format!(
        "{head}\n\npermissions:\n{}\n\nfactors:\n{factors}\n\nactions:\n{actions}",
        table(&["permission or role", "kind", "API", "tier"], &rows)
    )
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Which apps in the tenant have dangerous permissions, and how risky are they?",
        args: r#"{}"#,
        facts: &[
            Fact::Some("apps/*/app", "Fabrikam Expense Sync"),
            Fact::Some("apps/*/app", "HR Onboarding Automation"),
            Fact::Some("apps/*/app", "Payroll Sync"),
            Fact::No("apps/*/tier", "medium"),
            Fact::AtLeast("counts/critical", 2),
            Fact::AtLeast("scanned", 8),
        ],
    },
    Example {
        question: "How risky is the Fabrikam Expense Sync app's access?",
        args: r#"{"app":"Fabrikam Expense Sync"}"#,
        facts: &[
            Fact::Every("apps/*/tier", "critical"),
            Fact::Some("apps/*/factors/*/factor", "foreign_unverified_publisher"),
            Fact::Some("apps/*/factors/*/factor", "no_owner"),
            Fact::Some("apps/*/factors/*/factor", "id_protection_risk"),
            Fact::Every("apps/*/risk_level", "high"),
            Fact::Some("apps/*/permissions/*/consent", "all_users"),
            Fact::AtLeast("apps/0/score", 90),
        ],
    },
    Example {
        question: "Assess Legacy Reports Portal: ownerless, idle, expired secret?",
        args: r#"{"app":"Legacy Reports Portal"}"#,
        facts: &[
            Fact::Some("apps/*/factors/*/factor", "idle"),
            Fact::Some("apps/*/factors/*/factor", "expired_credential_present"),
            Fact::Some("apps/*/factors/*/factor", "no_owner"),
            Fact::Every("apps/*/tier", "medium"),
        ],
    },
    Example {
        question: "Risk of the brand-new Treasury Forecast Tool and its fresh secret",
        args: r#"{"app":"Treasury Forecast Tool"}"#,
        facts: &[
            Fact::Some("apps/*/factors/*/factor", "new_credential"),
            Fact::Some("apps/*/factors/*/factor", "long_lived_credential"),
            Fact::No("apps/*/factors/*/factor", "idle"),
        ],
    },
    Example {
        question: "Scan down to medium-tier apps as well",
        args: r#"{"min_tier":"medium"}"#,
        facts: &[Fact::Some("apps/*/app", "Legacy Reports Portal"), Fact::Some("apps/*/tier", "medium")],
    },
    Example {
        question: "A tier that does not exist",
        args: r#"{"min_tier":"severe"}"#,
        facts: &[Fact::Fails(ErrorKind::InvalidInput)],
    },
];

pub fn skill() -> Skill {
    Skill::new(ANALYZE_APP_PERMISSION_RISK, analyze)
}
