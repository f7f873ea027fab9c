//! `find_object_creator`: who created an object — a user, group, app or service principal,
//! named or by id — from the audit log's creation entries that target it; or, the other way
//! round, what one person created in a window. When the log holds no creation, the answer says
//! whether the object is older than the log's 30 days.

use std::collections::HashSet;

use chrono::{DateTime, Duration, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::graph::resources::{DirectoryAudit, Group, User};
use crate::graph::{GraphRequest, Page, Query};
use crate::odata::Expr;
use crate::render::{fields, or_dash, short_time, table, trim_opt};
use crate::shared::resolve::{self, APP, GROUP, Kind, Named};
use crate::shared::*;
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset};

const AUDIT_RETENTION_DAYS: i64 = 30;

const FIND_OBJECT_CREATOR: Declaration = Declaration {
    name: "find_object_creator",
    title: "Find who created an object",
    description: "Who created this group, user, app or enterprise app (service principal), and when — by name, UPN or id, from the audit log's Add entries; or what a given person created (users, groups, apps, policies, devices) in a window (default 30d). Says when the object is older than the 30-day audit log. Reports Reader.",
    toolset: Toolset::Audit,
    permissions: &["AuditLog.Read.All"],
    least_role: "Reports Reader",
    access: Access::Read,
    beta: false,
    default: false,
    examples: EXAMPLES,
};

#[derive(Debug, Clone, Copy, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum CreatedKind {
    User,
    Group,
    /// An app registration and its enterprise app (service principal).
    App,
    /// Only the enterprise app (service principal), e.g. of another tenant's app.
    ServicePrincipal,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FindObjectCreatorParams {
    /// The object: a user's UPN, or the exact display name or object id of a group, an app (also its appId) or a service principal.
    pub object: Option<String>,
    /// What `object` is. By default a UPN is a user, a name is looked up as a group and as an app, and an id matches any object.
    pub kind: Option<CreatedKind>,
    /// Instead of `object`: what this person created (UPN, object id or `me`).
    pub created_by: Option<UserRef>,
    pub since: Option<Since>,
    pub until: Option<Since>,
    #[serde(default)]
    pub limit: Limit,
}

/// The object asked about.
#[derive(Debug, Serialize, JsonSchema)]
pub struct CreatedObject {
    pub id: String,
    pub name: Option<String>,
    /// `user`, `group`, `app`, `service_principal`, or the audit's target type for a bare id.
    pub kind: String,
    /// `createdDateTime` as the directory reports it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct CreationRow {
    pub time: Option<String>,
    /// e.g. `Add group`, `Add application`, `Add service principal`, `Add user`, `Invite external user`.
    pub activity: Option<String>,
    pub object_name: Option<String>,
    pub object_id: Option<String>,
    /// The audit's target type: `User`, `Group`, `Application`, `ServicePrincipal`, `Policy`, …
    pub object_kind: Option<String>,
    /// UPN of the person, or `app: <name>` for an app.
    pub created_by: Option<String>,
    pub created_by_id: Option<String>,
    pub result: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result_reason: Option<String>,
    pub audit_id: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ObjectCreation {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub object: Option<CreatedObject>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_by: Option<PersonRef>,
    pub since: String,
    /// Who created the object, or why no creation was found.
    pub answer: String,
    pub creations: Vec<CreationRow>,
    #[serde(flatten)]
    pub list: ListInfo,
}

/// The audit activities that create a directory object.
const CREATIONS: &[&str] = &[
    "Add user",
    "Invite external user",
    "Add group",
    "Add application",
    "Add service principal",
    "Add conditional access policy",
    "Add named location",
    "Add device",
    "Register device",
    "Add administrative unit",
    "Add policy",
    "Add unified role definition",
];

const AUDIT_SELECT: &[&str] = &[
    "id",
    "activityDateTime",
    "activityDisplayName",
    "operationType",
    "result",
    "resultReason",
    "initiatedBy",
    "targetResources",
];

/// An enterprise app as this skill reads it: with its creation time.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct App {
    id: String,
    app_id: Option<String>,
    display_name: Option<String>,
    created_date_time: Option<String>,
}

impl Named for App {
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

const GROUP_SELECT: &[&str] =
    &["id", "displayName", "createdDateTime", "mail", "mailEnabled", "securityEnabled", "groupTypes"];
const APP_SELECT: &[&str] = &["id", "appId", "displayName", "createdDateTime"];
const OBJECT_GROUP: Kind = Kind { field: "object", ..GROUP };
const OBJECT_APP: Kind = Kind { field: "object", ..APP };

/// One audit query: creations of one target id (`activity` given, or every creation when
/// `None`) in the window.
struct Lookup {
    id: String,
    activity: Option<&'static str>,
}

/// What `object` resolved to, and the queries that find its creation.
struct Target {
    object: CreatedObject,
    lookups: Vec<Lookup>,
}

async fn user_target(ctx: &Ctx, value: &str) -> Result<Target, SkillError> {
    let key = UserRef::new(value).parse("object")?;
    let request = GraphRequest::get(key.path()).query(Query::new().select(&[
        "id",
        "displayName",
        "userPrincipalName",
        "userType",
        "createdDateTime",
    ]));
    let user: User = ctx.graph.get(request).await.map_err(user_not_found(&key))?;
    let mut lookups = vec![Lookup { id: user.id.clone(), activity: Some("Add user") }];
    // A guest's account is created by the invitation.
    if user.user_type.as_deref() == Some("Guest") {
        lookups.push(Lookup { id: user.id.clone(), activity: Some("Invite external user") });
    }
    let object = CreatedObject {
        id: user.id,
        name: user.user_principal_name.or(user.display_name),
        kind: "user".into(),
        created: user.created_date_time,
    };
    Ok(Target { object, lookups })
}

fn group_target(group: Group) -> Target {
    let lookups = vec![Lookup { id: group.id.clone(), activity: Some("Add group") }];
    let object = CreatedObject {
        id: group.id,
        name: group.display_name,
        kind: "group".into(),
        created: group.created_date_time,
    };
    Target { object, lookups }
}

/// An app: its registration (`Add application`, when the tenant holds it) and its enterprise
/// app (`Add service principal`).
async fn app_target(ctx: &Ctx, sp: App, with_registration: bool) -> Result<Target, SkillError> {
    let mut lookups = vec![Lookup { id: sp.id.clone(), activity: Some("Add service principal") }];
    if with_registration && let Some(app_id) = sp.app_id.as_deref().and_then(guid) {
        let request = GraphRequest::get(format!("/applications(appId='{app_id}')")).query(Query::new().select(&[
            "id",
            "displayName",
            "createdDateTime",
        ]));
        match ctx.graph.get::<App>(request).await {
            Ok(registration) => lookups.insert(0, Lookup { id: registration.id, activity: Some("Add application") }),
            // Another tenant's app has no registration here.
            Err(e) if e.kind == ErrorKind::NotFound => {
                ctx.note("the app is registered in another tenant: only its enterprise app (service principal) was created here");
            }
            Err(e) => return Err(e),
        }
    }
    let kind = if with_registration { "app" } else { "service_principal" };
    let object = CreatedObject { id: sp.id, name: sp.display_name, kind: kind.into(), created: sp.created_date_time };
    Ok(Target { object, lookups })
}

async fn object_target(ctx: &Ctx, value: &str, kind: Option<CreatedKind>) -> Result<Target, SkillError> {
    match kind {
        Some(CreatedKind::User) => user_target(ctx, value).await,
        Some(CreatedKind::Group) => {
            Ok(group_target(resolve::resolve::<Group>(ctx, &OBJECT_GROUP, value, GROUP_SELECT).await?))
        }
        Some(CreatedKind::App) => {
            let sp = resolve::resolve::<App>(ctx, &OBJECT_APP, value, APP_SELECT).await?;
            app_target(ctx, sp, true).await
        }
        Some(CreatedKind::ServicePrincipal) => {
            let sp = resolve::resolve::<App>(ctx, &OBJECT_APP, value, APP_SELECT).await?;
            app_target(ctx, sp, false).await
        }
        None if value.contains('@') => user_target(ctx, value).await,
        // Any object: every creation that targets the id.
        None if guid(value).is_some() => {
            let id = guid(value).map(|g| g.to_string()).unwrap_or_default();
            let object = CreatedObject { id: id.clone(), name: None, kind: "object".into(), created: None };
            Ok(Target { object, lookups: vec![Lookup { id, activity: None }] })
        }
        None => {
            let (group, app) = tokio::join!(
                resolve::resolve::<Group>(ctx, &OBJECT_GROUP, value, GROUP_SELECT),
                resolve::resolve::<App>(ctx, &OBJECT_APP, value, APP_SELECT)
            );
            match (group, app) {
                (Ok(group), Err(e)) if e.kind == ErrorKind::NotFound => Ok(group_target(group)),
                (Err(e), Ok(app)) if e.kind == ErrorKind::NotFound => app_target(ctx, app, true).await,
                (Ok(group), Ok(app)) => Err(SkillError::new(
                    ErrorKind::Ambiguous,
                    format!(
                        "'{}' names a group ({}) and an app ({})",
                        shorten(value),
                        group.id,
                        app.id
                    ),
                )
                .with_remedy("call again with `kind` (`group` or `app`), or with the object id")),
                (Err(g), Err(a)) if g.kind == ErrorKind::NotFound && a.kind == ErrorKind::NotFound => {
                    Err(SkillError::not_found(format!("group or app named '{}'", shorten(value)), "list_directory_audits")
                        .with_remedy("give a user's UPN, or the exact name or object id of a group or app; set `kind` for anything else"))
                }
                (Err(e), _) | (_, Err(e)) => Err(e),
            }
        }
    }
}

async fn audits(ctx: &Ctx, filter: Option<Expr>, cap: usize) -> Result<Page<DirectoryAudit>, SkillError> {
    let query = Query::new().select(AUDIT_SELECT).filter_opt(filter).orderby("activityDateTime desc").top(cap.min(999));
    ctx.graph.list::<DirectoryAudit>(GraphRequest::get("/auditLogs/directoryAudits").query(query), cap).await
}

fn is_creation(a: &DirectoryAudit) -> bool {
    a.activity_display_name.as_deref().is_some_and(|n| CREATIONS.iter().any(|c| c.eq_ignore_ascii_case(n.trim())))
}

fn creation_row(a: DirectoryAudit, target_id: Option<&str>) -> CreationRow {
    let initiator = a.initiated_by.unwrap_or_default();
    let (created_by, created_by_id) = match (initiator.user, initiator.app) {
        (Some(user), _) if user.id.is_some() || user.user_principal_name.is_some() => {
            (user.user_principal_name.or(user.display_name), user.id)
        }
        (_, Some(app)) => (app.display_name.map(|n| format!("app: {n}")), app.service_principal_id),
        _ => (None, None),
    };
    let targets = a.target_resources.unwrap_or_default();
    // The target the question is about, else the first one (the created object).
    let target = targets
        .iter()
        .find(|t| target_id.is_some_and(|id| t.id.as_deref().is_some_and(|t| t.eq_ignore_ascii_case(id))))
        .or(targets.first());
    CreationRow {
        time: a.activity_date_time,
        activity: a.activity_display_name.map(|n| n.trim().to_string()),
        object_name: target.and_then(|t| t.display_name.clone().or(t.user_principal_name.clone())),
        object_id: target.and_then(|t| t.id.clone()),
        object_kind: target.and_then(|t| t.kind.clone()),
        created_by,
        created_by_id,
        result: a.result,
        result_reason: trim_opt(a.result_reason.filter(|r| !r.is_empty())),
        audit_id: a.id,
    }
}

fn parse_time(t: Option<&str>) -> Option<DateTime<Utc>> {
    t.and_then(|t| DateTime::parse_from_rfc3339(t).ok()).map(|t| t.with_timezone(&Utc))
}

fn window_clauses(start: DateTime<Utc>, end: Option<DateTime<Utc>>) -> Vec<Expr> {
    let mut clauses = vec![Expr::ge("activityDateTime", start)];
    if let Some(end) = end {
        clauses.push(Expr::le("activityDateTime", end));
    }
    clauses
}

async fn creator_of(
    ctx: &Ctx,
    target: Target,
    start: DateTime<Utc>,
    end: Option<DateTime<Utc>>,
    limit: usize,
) -> Result<ObjectCreation, SkillError> {
    let queries = target.lookups.iter().map(|lookup| {
        let mut clauses = window_clauses(start, end);
        if let Some(activity) = lookup.activity {
            clauses.push(Expr::eq("activityDisplayName", activity));
        }
        clauses.push(Expr::any("targetResources", "t", Expr::eq("t/id", lookup.id.as_str())));
        // Every creation of an unknown kind is read and picked out here; one kind's is few.
        let cap = if lookup.activity.is_some() { limit.min(50) } else { 500 };
        audits(ctx, Expr::conjunction(clauses), cap)
    });
    let pages = futures::future::join_all(queries).await;
    let mut more = false;
    let mut seen = HashSet::new();
    let mut found: Vec<(DirectoryAudit, String)> = Vec::new();
    for (page, lookup) in pages.into_iter().zip(&target.lookups) {
        let page = page?;
        more |= page.more;
        for audit in page.items {
            if is_creation(&audit) && seen.insert(audit.id.clone()) {
                found.push((audit, lookup.id.clone()));
            }
        }
    }
    found.sort_by_key(|(a, _)| parse_time(a.activity_date_time.as_deref()));
    found.truncate(limit);
    let creations: Vec<CreationRow> = found.into_iter().map(|(a, id)| creation_row(a, Some(&id))).collect();
    let mut object = target.object;
    if object.name.is_none() {
        object.name = creations.first().and_then(|c| c.object_name.clone());
    }
    if object.kind == "object"
        && let Some(kind) = creations.first().and_then(|c| c.object_kind.clone())
    {
        object.kind = kind;
    }
    let what = object.name.clone().unwrap_or_else(|| object.id.clone());
    let answer = match creations.first() {
        Some(first) => {
            let by = first.created_by.clone().unwrap_or_else(|| "an unnamed initiator".into());
            let when = first.time.as_deref().map(short_time).unwrap_or_default();
            let result = match first.result.as_deref() {
                Some("success") | None => String::new(),
                Some(other) => format!(" ({other})"),
            };
            format!("{what} was created by {by} on {when} UTC ({}){result}", first.activity.clone().unwrap_or_default())
        }
        None => {
            let created = parse_time(object.created.as_deref());
            let retention = ctx.now - Duration::days(AUDIT_RETENTION_DAYS);
            match created {
                Some(t) if t < retention => format!(
                    "{what} was created on {} UTC, before the 30-day audit log: the log no longer says who created it",
                    short_time(&t.to_rfc3339())
                ),
                Some(t) if t < start => format!(
                    "{what} was created on {} UTC, before the window: widen `since` (the log keeps 30 days)",
                    short_time(&t.to_rfc3339())
                ),
                Some(t) => format!(
                    "{what} was created on {} UTC, but the audit log holds no creation entry for it",
                    short_time(&t.to_rfc3339())
                ),
                None => format!("no creation entry for {what} in the window; the log keeps 30 days"),
            }
        }
    };
    let list = ListInfo::new(creations.len(), None, more, "`since` or `until`");
    Ok(ObjectCreation {
        object: Some(object),
        created_by: None,
        since: start.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        answer,
        creations,
        list,
    })
}

async fn created_by(
    ctx: &Ctx,
    person: &UserRef,
    start: DateTime<Utc>,
    end: Option<DateTime<Utc>>,
    limit: usize,
) -> Result<ObjectCreation, SkillError> {
    let key = person.parse("created_by")?;
    let mut clauses = window_clauses(start, end);
    let who = match &key {
        UserKey::Upn(upn) => {
            clauses.push(Expr::eq("initiatedBy/user/userPrincipalName", upn.as_str()));
            PersonRef { id: String::new(), display_name: None, upn: Some(upn.clone()) }
        }
        UserKey::Id(id) => {
            clauses.push(Expr::eq("initiatedBy/user/id", id.to_string()));
            PersonRef { id: id.to_string(), display_name: None, upn: None }
        }
        UserKey::Me => {
            let me = resolve_user(ctx, &key).await?;
            clauses.push(Expr::eq("initiatedBy/user/id", me.id.as_str()));
            me
        }
    };
    // Everything the person did is read and the creations picked out: Graph filters the
    // activity by one name or a prefix, and creations go by several names.
    let page = audits(ctx, Expr::conjunction(clauses), 1000).await?;
    let mut creations: Vec<CreationRow> =
        page.items.into_iter().filter(is_creation).map(|a| creation_row(a, None)).collect();
    let found = creations.len();
    creations.truncate(limit);
    let mut who = who;
    if who.id.is_empty()
        && let Some(id) = creations.first().and_then(|c| c.created_by_id.clone())
    {
        who.id = id;
    }
    let name = who.upn.clone().or(who.display_name.clone()).unwrap_or_else(|| who.id.clone());
    let answer = if found == 0 {
        format!("{name} created nothing in the window (users, groups, apps, policies, devices)")
    } else {
        // The window's start is in `since`; the answer stays the same from one moment to the next.
        format!("{name} created {found} objects in the window")
    };
    if page.more {
        ctx.note(
            "the person made more than 1,000 changes in the window; narrow `since` to be sure no creation is missed",
        );
    }
    let list = ListInfo::new(creations.len(), None, page.more || found > limit, "`since` or `until`");
    Ok(ObjectCreation {
        object: None,
        created_by: Some(who),
        since: start.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        answer,
        creations,
        list,
    })
}

async fn find_object_creator(ctx: Ctx, p: FindObjectCreatorParams) -> Result<ObjectCreation, SkillError> {
    let limit = p.limit.get()?;
    let (start, end) =
        window(&ctx, p.since.as_ref(), p.until.as_ref(), Duration::days(AUDIT_RETENTION_DAYS), AUDIT_RETENTION_DAYS)?;
    match (&p.object, &p.created_by) {
        (Some(object), None) => {
            let target = object_target(&ctx, object, p.kind).await?;
            creator_of(&ctx, target, start, end, limit).await
        }
        (None, Some(person)) => {
            if p.kind.is_some() {
                return Err(SkillError::invalid_value(
                    "kind",
                    "applies to `object` only",
                    "`kind` together with `object`; with `created_by`, every kind of creation is listed",
                ));
            }
            created_by(&ctx, person, start, end, limit).await
        }
        (Some(_), Some(_)) => Err(SkillError::invalid_value(
            "object",
            "cannot be combined with `created_by`",
            "either `object` (who created it) or `created_by` (what they created)",
        )),
        (None, None) => Err(SkillError::invalid_value(
            "object",
            "is missing, and so is `created_by`",
            "`object` (a UPN, or a group's or app's name or id) or `created_by` (a person)",
        )),
    }
}

impl Render for ObjectCreation {
    fn rows(&self) -> Option<usize> {
        Some(self.creations.len())
    }

    fn cut_to(&mut self, rows: usize) {
        self.creations.truncate(rows);
        self.list.cut(rows);
    }

    fn markdown(&self) -> String {
        let mut head = vec![("answer", Some(self.answer.clone()))];
        if let Some(o) = &self.object {
            head.push(("object", o.name.clone()));
            head.push(("id", Some(o.id.clone())));
            head.push(("kind", Some(o.kind.clone())));
            head.push(("created", o.created.as_deref().map(|t| format!("{} UTC", short_time(t)))));
        }
        if let Some(person) = &self.created_by {
            head.push(("created by", person.upn.clone().or(person.display_name.clone())));
        }
        head.push(("since", Some(format!("{} UTC", short_time(&self.since)))));
        let rows: Vec<Vec<String>> = self
            .creations
            .iter()
            .map(|c| {
                let mut result = or_dash(&c.result);
                if let Some(reason) = &c.result_reason {
                    result = format!("{result}: {reason}");
                }
                vec![
                    c.time.as_deref().map(short_time).unwrap_or_default(),
                    or_dash(&c.activity),
                    or_dash(&c.object_name),
                    or_dash(&c.object_id),
                    or_dash(&c.created_by),
                    result,
                    c.audit_id.clone(),
                ]
            })
            .collect();
        format!(
            "{}\n{}{}",
            fields(&head),
            table(&["time (UTC)", "activity", "object", "object id", "created by", "result", "audit id"], &rows),
            self.list.footer()
        )
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Who created the Incident Response Team group?",
        args: r#"{"object":"Incident Response Team"}"#,
        facts: &[
            Fact::Every("object/kind", "group"),
            Fact::Count("creations/*", 1),
            Fact::Every("creations/*/activity", "Add group"),
            Fact::Every("creations/*/created_by", "marcus@woodgrovebank.com"),
            Fact::Every("answer", "~created by marcus@woodgrovebank.com"),
        ],
    },
    Example {
        question: "Who created the Treasury Forecast Tool app registration?",
        args: r#"{"object":"Treasury Forecast Tool","kind":"app"}"#,
        facts: &[
            Fact::Some("creations/*/activity", "Add application"),
            Fact::Some("creations/*/activity", "Add service principal"),
            Fact::Every("creations/*/created_by", "hannah.schmidt@woodgrovebank.com"),
        ],
    },
    Example {
        question: "Find the creator of the Fabrikam Expense Sync service principal",
        args: r#"{"object":"Fabrikam Expense Sync"}"#,
        facts: &[
            Fact::Every("creations/*/activity", "Add service principal"),
            Fact::Every("creations/*/created_by", "priya@woodgrovebank.com"),
            Fact::Some("notes/*", "~another tenant"),
        ],
    },
    Example {
        question: "Which groups, apps and policies has marcus@woodgrovebank.com created this month?",
        args: r#"{"created_by":"marcus@woodgrovebank.com","since":"30d"}"#,
        facts: &[
            Fact::Some("creations/*/activity", "Add group"),
            Fact::Some("creations/*/activity", "Add conditional access policy"),
            Fact::No("creations/*/activity", "Add member to group"),
            Fact::Every("creations/*/created_by", "marcus@woodgrovebank.com"),
        ],
    },
    Example {
        question: "Who created karita@woodgrovebank.com's account?",
        args: r#"{"object":"karita@woodgrovebank.com"}"#,
        facts: &[
            Fact::Every("object/kind", "user"),
            Fact::Count("creations/*", 0),
            Fact::Every("answer", "~before the 30-day audit log"),
        ],
    },
    Example {
        question: "Who created the object with a given id?",
        args: r#"{"object":"00000000-0000-0000-0000-000000000000"}"#,
        facts: &[Fact::Count("creations/*", 0), Fact::Every("answer", "~no creation entry")],
    },
    Example {
        question: "Both an object and a person",
        args: r#"{"object":"Incident Response Team","created_by":"marcus@woodgrovebank.com"}"#,
        facts: &[Fact::Fails(ErrorKind::InvalidInput), Fact::Says("`created_by`")],
    },
    Example {
        question: "Who created something that does not exist?",
        args: r#"{"object":"No Such Thing"}"#,
        facts: &[Fact::Fails(ErrorKind::NotFound)],
    },
];

pub fn skill() -> Skill {
    Skill::new(FIND_OBJECT_CREATOR, find_object_creator)
}
