//! What the roles skills share: the `role` argument and the principal arguments (`user`,
//! `group` or `app`, at most one), resolved once and concurrently; holders and PIM rows as the
//! answers name them; the roles a user gets through role-assignable groups; and PIM times read
//! as an admin reads them ("permanent", "in 5 d").

use chrono::{DateTime, Duration, Utc};
use futures::StreamExt;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::graph::resources::{Group, ServicePrincipal};
use crate::graph::{GraphRequest, Page, Query, path};
use crate::odata::Expr;
use crate::shared::resolve::{self, APP, GROUP};
use crate::shared::roles::{self, RoleGrant};
use crate::shared::*;
use crate::skill::{Ctx, ErrorKind, SkillError};

/// The role and principal arguments of a roles skill, as given.
#[derive(Clone, Copy)]
pub struct Args<'a> {
    pub role: Option<&'a str>,
    pub user: Option<&'a UserRef>,
    pub group: Option<&'a str>,
    pub app: Option<&'a str>,
}

/// Which of them a skill requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Needs {
    /// Neither: without them the list is the whole tenant's.
    Nothing,
    /// A role, a principal, or both.
    RoleOrPrincipal,
    /// A principal.
    Principal,
}

/// What a list is about, resolved.
#[derive(Debug, Clone, Default)]
pub struct Target {
    pub role: Option<RoleRef>,
    pub principal: Option<PrincipalRef>,
}

/// A role as answers name it.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct RoleRef {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// `false` for a custom role.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub built_in: Option<bool>,
}

/// A user, group or service principal as answers name it.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct PrincipalRef {
    pub id: String,
    /// `user`, `group` or `service_principal`.
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// A user's UPN.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upn: Option<String>,
    /// A service principal's appId.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app_id: Option<String>,
    /// A group that can hold directory roles.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role_assignable: Option<bool>,
}

impl PrincipalRef {
    /// The name an admin reads: display name, else UPN, else id.
    pub fn label(&self) -> String {
        self.display_name.clone().or_else(|| self.upn.clone()).unwrap_or_else(|| self.id.clone())
    }
}

impl Target {
    /// `principalId eq '…' and roleDefinitionId eq '…'`, for what was given.
    pub fn filter(&self) -> Option<Expr> {
        let principal = self.principal.as_ref().map(|p| Expr::eq("principalId", p.id.clone()));
        let role = self.role.as_ref().map(|r| Expr::eq("roleDefinitionId", r.id.clone()));
        Expr::conjunction(principal.into_iter().chain(role))
    }

    /// The principal, when it is a user.
    pub fn user(&self) -> Option<&PrincipalRef> {
        self.principal.as_ref().filter(|p| p.kind == "user")
    }
}

const PRINCIPAL_FORMS: &str =
    "one of `user` (UPN, object id or `me`), `group` (name or id) or `app` (name, appId or service principal id)";

/// Checks the arguments, then resolves the role and the principal at once.
pub async fn resolve_target(ctx: &Ctx, args: Args<'_>, needs: Needs) -> Result<Target, SkillError> {
    let principals = [args.user.is_some(), args.group.is_some(), args.app.is_some()].into_iter().filter(|g| *g).count();
    if principals > 1 {
        let field = if args.user.is_some() { "user" } else { "group" };
        return Err(SkillError::invalid_value(
            field,
            "`user`, `group` and `app` each name the principal; give one",
            PRINCIPAL_FORMS,
        ));
    }
    match needs {
        Needs::Principal if principals == 0 => {
            return Err(SkillError::invalid_value("user", "no principal given", PRINCIPAL_FORMS));
        }
        Needs::RoleOrPrincipal if principals == 0 && args.role.is_none() => {
            return Err(SkillError::invalid_value(
                "role",
                "name a role, a principal, or both",
                &format!("`role` (a role's name or id) and/or {PRINCIPAL_FORMS}"),
            ));
        }
        _ => {}
    }
    // Bad input is refused before any request.
    let user = args.user.map(|u| u.parse("user")).transpose()?;
    let role = async {
        match args.role {
            Some(role) => roles::resolve_role(ctx, role)
                .await
                .map(|r| Some(RoleRef { id: r.id, display_name: r.display_name, built_in: r.is_built_in })),
            None => Ok(None),
        }
    };
    let principal = async {
        if let Some(key) = &user {
            let person = resolve_user(ctx, key).await?;
            return Ok(Some(PrincipalRef {
                id: person.id,
                kind: "user".into(),
                display_name: person.display_name,
                upn: person.upn,
                app_id: None,
                role_assignable: None,
            }));
        }
        if let Some(group) = args.group {
            let fields =
                &["id", "displayName", "isAssignableToRole", "groupTypes", "securityEnabled", "mailEnabled", "mail"];
            let group: Group = resolve::resolve(ctx, &GROUP, group, fields).await?;
            return Ok(Some(PrincipalRef {
                id: group.id,
                kind: "group".into(),
                display_name: group.display_name,
                upn: None,
                app_id: None,
                role_assignable: Some(group.is_assignable_to_role == Some(true)),
            }));
        }
        if let Some(app) = args.app {
            let sp: ServicePrincipal = resolve::resolve(ctx, &APP, app, &["id", "appId", "displayName"]).await?;
            return Ok(Some(PrincipalRef {
                id: sp.id,
                kind: "service_principal".into(),
                display_name: sp.display_name,
                upn: None,
                app_id: sp.app_id,
                role_assignable: None,
            }));
        }
        Ok::<_, SkillError>(None)
    };
    let (role, principal) = tokio::join!(role, principal);
    Ok(Target { role: role?, principal: principal? })
}

/// The holder of an assignment or PIM row, from its expanded `principal`.
pub fn holder(grant: &RoleGrant) -> PrincipalRef {
    let expanded = grant.principal.as_ref();
    PrincipalRef {
        id: expanded.map(|p| p.id.clone()).or_else(|| grant.principal_id.clone()).unwrap_or_default(),
        kind: grant.principal_kind().to_string(),
        display_name: expanded.and_then(|p| p.display_name.clone()),
        upn: expanded.and_then(|p| p.user_principal_name.clone()),
        app_id: expanded.and_then(|p| p.app_id.clone()),
        role_assignable: None,
    }
}

/// A time from now as an admin says it: `in 5 d`, `in 6 h`, `in 20 min`, `3 d ago`.
pub fn from_now(now: DateTime<Utc>, then: DateTime<Utc>) -> String {
    let delta = then - now;
    let (ahead, span) = if delta >= Duration::zero() { (true, delta) } else { (false, -delta) };
    let text = if span >= Duration::hours(48) {
        format!("{} d", (span.num_minutes() as f64 / 1440.0).round() as i64)
    } else if span >= Duration::hours(1) {
        format!("{} h", (span.num_minutes() as f64 / 60.0).round() as i64)
    } else {
        format!("{} min", span.num_minutes().max(1))
    };
    if ahead { format!("in {text}") } else { format!("{text} ago") }
}

/// A time as Graph prints it (`2026-11-20T08:15:00Z`).
pub fn utc(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Within this much time, an end is near enough to flag.
pub const SOON: i64 = 7;

/// Role-assignable groups whose roles a user's answer also reads; more are cut with a note.
const MAX_GROUPS: usize = 10;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct GroupName {
    id: String,
    display_name: Option<String>,
}

/// The role-assignable groups a user is in, directly or nested: what their roles come through.
async fn role_groups(ctx: &Ctx, user_id: &str) -> Result<Vec<(String, String)>, SkillError> {
    let request = GraphRequest::get(path("/users/{}/transitiveMemberOf/microsoft.graph.group", &[user_id]))
        .query(
            Query::new()
                .select(&["id", "displayName"])
                .filter(Expr::eq("isAssignableToRole", true))
                .count()
                .top(MAX_GROUPS),
        )
        .eventual();
    let page = ctx.graph.list::<GroupName>(request, MAX_GROUPS).await?;
    if page.more {
        ctx.note(format!("roles through only the first {MAX_GROUPS} role-assignable groups are read"));
    }
    Ok(page.items.into_iter().map(|g| (g.display_name.clone().unwrap_or_else(|| g.id.clone()), g.id)).collect())
}

/// A group's name, id and its rows of a set.
type GroupPage = (String, String, Page<RoleGrant>);

/// A `roleManagement/directory` set read for a roles answer, with what it selects.
#[derive(Debug, Clone, Copy)]
pub struct Set {
    pub path: &'static str,
    pub select: &'static [&'static str],
}

/// The rows of `set` about the target, and — for a user — those of the role-assignable groups
/// the user is in, each with the group it comes through. Graph's own rows marked `Group` for a
/// role a group row already shows are dropped. The group part is optional: if it cannot be
/// read, a note says so.
pub async fn read_with_groups(
    ctx: &Ctx,
    set: Set,
    target: &Target,
    cap: usize,
) -> Result<(Vec<(RoleGrant, Option<(String, String)>)>, bool), SkillError> {
    let direct = ctx.graph.list::<RoleGrant>(roles::list_with_holders(set.path, target.filter(), set.select), cap);
    let through_groups = async {
        let Some(user) = target.user() else { return Ok(Vec::new()) };
        let groups = role_groups(ctx, &user.id).await?;
        let role = target.role.as_ref().map(|r| Expr::eq("roleDefinitionId", r.id.clone()));
        let reads = groups.into_iter().map(|(name, id)| {
            let filter = Expr::conjunction([Expr::eq("principalId", id.clone())].into_iter().chain(role.clone()));
            let request = roles::list_with_holders(set.path, filter, set.select);
            async move { ctx.graph.list::<RoleGrant>(request, cap).await.map(|page| (name, id, page)) }
        });
        let pages: Vec<Result<GroupPage, SkillError>> = futures::stream::iter(reads).buffered(8).collect().await;
        pages.into_iter().collect::<Result<Vec<_>, _>>()
    };
    let (direct, through_groups) = tokio::join!(direct, through_groups);
    let direct = direct?;
    let through_groups = match through_groups {
        Ok(pages) => pages,
        Err(e) if e.kind == ErrorKind::Throttled => return Err(e),
        Err(e) => {
            ctx.note(format!("roles through groups unavailable: {}", e.kind.as_str()));
            Vec::new()
        }
    };
    let mut more = direct.more;
    let mut rows: Vec<(RoleGrant, Option<(String, String)>)> = Vec::new();
    for (name, id, page) in through_groups {
        more |= page.more;
        rows.extend(page.items.into_iter().map(|grant| (grant, Some((name.clone(), id.clone())))));
    }
    let from_groups: Vec<String> = rows.iter().map(|(g, _)| g.role_id().to_ascii_lowercase()).collect();
    let direct_rows = direct.items.into_iter().filter(|g| {
        !(g.member_type.as_deref().is_some_and(|m| m.eq_ignore_ascii_case("group"))
            && from_groups.contains(&g.role_id().to_ascii_lowercase()))
    });
    let mut all: Vec<(RoleGrant, Option<(String, String)>)> = direct_rows.map(|g| (g, None)).collect();
    all.extend(rows);
    Ok((all, more))
}

/// One PIM row (an eligibility or an active assignment) as the answers show it.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct PimRow {
    pub role: String,
    pub role_id: String,
    /// Who holds it: the principal itself, or the group it comes through.
    pub principal: String,
    pub principal_id: String,
    /// `user`, `group` or `service_principal`.
    pub principal_kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upn: Option<String>,
    /// `direct` (held by the principal itself) or `group` (through the role-assignable group
    /// in `via_group`, which every member inherits).
    pub member_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via_group: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via_group_id: Option<String>,
    /// Active rows: `assigned` (given by an admin, permanent or time-bound) or `activated`
    /// (an eligible role switched on through PIM, for hours).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assignment_type: Option<String>,
    /// `tenant`, an administrative unit or one object.
    pub scope: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end: Option<String>,
    /// No end date.
    pub permanent: bool,
    /// When it ends, from now (`in 5 d`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ends_in: Option<String>,
    /// Ends within 7 days.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub expiring_soon: bool,
}

/// The rows of a schedule-instance set (eligible or active) about the target, its groups'
/// included, sorted by role, member type and holder and cut to `limit`; and whether there are
/// more.
pub async fn pim_rows(ctx: &Ctx, set: Set, target: &Target, limit: usize) -> Result<(Vec<PimRow>, bool), SkillError> {
    let (grants, more) = read_with_groups(ctx, set, target, limit).await?;
    let mut rows: Vec<PimRow> = grants.iter().map(|(grant, via)| pim_row(ctx.now, grant, via.as_ref())).collect();
    rows.sort_by(|a, b| (&a.role, &a.member_type, &a.principal).cmp(&(&b.role, &b.member_type, &b.principal)));
    let more = more || rows.len() > limit;
    rows.truncate(limit);
    Ok((rows, more))
}

/// A PIM row from a Graph row and the group it came through, if any.
pub fn pim_row(now: DateTime<Utc>, grant: &RoleGrant, via: Option<&(String, String)>) -> PimRow {
    let holder = holder(grant);
    let end = grant.end();
    let graph_group = grant.member_type.as_deref().is_some_and(|m| m.eq_ignore_ascii_case("group"));
    PimRow {
        role: grant.role_name(),
        role_id: grant.role_id().to_string(),
        principal: holder.label(),
        principal_id: holder.id,
        principal_kind: holder.kind,
        upn: holder.upn,
        member_type: if via.is_some() || graph_group { "group" } else { "direct" }.to_string(),
        via_group: via.map(|(name, _)| name.clone()),
        via_group_id: via.map(|(_, id)| id.clone()),
        assignment_type: grant.assignment_type.as_deref().map(str::to_ascii_lowercase),
        scope: grant.scope(),
        start: grant.start_date_time.clone(),
        end: grant.end_date_time.clone(),
        permanent: end.is_none(),
        ends_in: end.map(|e| from_now(now, e)),
        expiring_soon: end.is_some_and(|e| e > now && e - now <= Duration::days(SOON)),
    }
}

/// How a PIM row's end reads in a table.
pub fn ends(row: &PimRow) -> String {
    match (&row.ends_in, row.permanent) {
        (_, true) => "permanent".to_string(),
        (Some(when), false) if row.expiring_soon => format!("{when} (soon)"),
        (Some(when), false) => when.clone(),
        (None, false) => "-".to_string(),
    }
}

/// Who a row is about, and through which group.
pub fn held_by(row: &PimRow) -> String {
    let who = match (&row.upn, row.principal_kind.as_str()) {
        (Some(upn), _) => format!("{} ({upn})", row.principal),
        (None, "user") => row.principal.clone(),
        (None, kind) => format!("{} ({})", row.principal, kind.replace('_', " ")),
    };
    match &row.via_group {
        Some(group) => format!("via group {group}"),
        None => who,
    }
}

/// The line that says what a list is about: `role Global Administrator`, `user …`.
pub fn about(target: &Target) -> String {
    let mut parts = Vec::new();
    if let Some(role) = &target.role {
        parts.push(format!("role {}", role.display_name.as_deref().unwrap_or(&role.id)));
    }
    if let Some(p) = &target.principal {
        let kind = p.kind.replace('_', " ");
        match &p.upn {
            Some(upn) => parts.push(format!("{kind} {upn}")),
            None => parts.push(format!("{kind} {}", p.label())),
        }
    }
    if parts.is_empty() { "the whole tenant".to_string() } else { parts.join(", ") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_from_now_read_in_days_hours_or_minutes() {
        let now = DateTime::parse_from_rfc3339("2026-11-20T12:00:00Z").map(|t| t.to_utc()).unwrap_or_default();
        assert_eq!(from_now(now, now + Duration::days(5)), "in 5 d");
        assert_eq!(from_now(now, now + Duration::hours(24)), "in 24 h");
        assert_eq!(from_now(now, now + Duration::hours(6)), "in 6 h");
        assert_eq!(from_now(now, now - Duration::days(3)), "3 d ago");
        assert_eq!(from_now(now, now + Duration::seconds(20)), "in 1 min");
    }

    #[test]
    fn filters_name_the_principal_and_the_role() {
        let target = Target {
            role: Some(RoleRef { id: "r1".into(), display_name: None, built_in: None }),
            principal: Some(PrincipalRef {
                id: "p1".into(),
                kind: "user".into(),
                display_name: None,
                upn: None,
                app_id: None,
                role_assignable: None,
            }),
        };
        assert_eq!(
            target.filter().map(|f| f.to_string()).as_deref(),
            Some("principalId eq 'p1' and roleDefinitionId eq 'r1'")
        );
        assert_eq!(Target::default().filter(), None);
        assert_eq!(about(&Target::default()), "the whole tenant");
    }
}
