//! `list_scheduled_roles`: the PIM schedules that change who holds what in the coming days —
//! eligibilities and assignments that end within the window, and those that start in it (a
//! schedule that has not started has no instance yet, so only the schedules show it). Per role,
//! per principal or for the whole tenant; permanent schedules are counted, not listed.

use chrono::Duration;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::render::{short_time, table};
use crate::shared::roles::{self, RoleGrant};
use crate::shared::*;
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset};

use super::targets::{self, Args, Needs, PrincipalRef, RoleRef};

const LIST_SCHEDULED_ROLES: Declaration = Declaration {
    name: "list_scheduled_roles",
    title: "List upcoming PIM role schedules (expiring or starting soon)",
    description: "Time-bound PIM schedules of Entra directory roles: eligibilities and assignments that expire within the next N days (default 30) and those that start in the future, for one role, one user, group or app, or the whole tenant; soonest first. Needs P2. Security Reader.",
    toolset: Toolset::Roles,
    permissions: &[
        "RoleEligibilitySchedule.Read.Directory",
        "RoleAssignmentSchedule.Read.Directory",
        "Directory.Read.All",
    ],
    least_role: "Security Reader",
    access: Access::Read,
    beta: false,
    default: false,
    examples: EXAMPLES,
};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListScheduledRolesParams {
    /// Only this role (name, loosely, or id).
    pub role: Option<String>,
    /// A user's schedules (their own, not their groups').
    pub user: Option<UserRef>,
    /// A group (name or id).
    pub group: Option<String>,
    /// An app (name, appId or service principal id).
    pub app: Option<String>,
    /// The window ahead, in days: schedules ending or starting within it (1–365, default 30).
    pub within_days: Option<i64>,
    #[serde(default)]
    pub limit: Limit,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ScheduleRow {
    /// `ends` (a time-bound schedule running out) or `starts` (one that has not begun).
    pub event: String,
    /// When, from now (`in 7 d`).
    pub when: String,
    /// The time of the event (UTC).
    pub at: String,
    /// `eligible` (may be activated) or `active` (in force).
    pub state: String,
    /// For active schedules: `assigned` or `activated`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assignment_type: Option<String>,
    pub role: String,
    pub role_id: String,
    pub principal: String,
    pub principal_id: String,
    /// `user`, `group` or `service_principal`.
    pub principal_kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    /// Absent: no end once started.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end: Option<String>,
    pub schedule_id: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ScheduledRoles {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<RoleRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub principal: Option<PrincipalRef>,
    pub within_days: i64,
    /// Soonest first.
    pub schedules: Vec<ScheduleRow>,
    /// Schedules read that run with no end and start no later than now.
    pub permanent_not_shown: usize,
    #[serde(flatten)]
    pub list: ListInfo,
}

/// Schedules read per set; a tenant with more is cut with a note.
const CAP: usize = 500;

const SELECT: &[&str] = &["id", "principalId", "roleDefinitionId", "directoryScopeId", "scheduleInfo", "memberType"];
const ASSIGNMENT_SELECT: &[&str] =
    &["id", "principalId", "roleDefinitionId", "directoryScopeId", "scheduleInfo", "memberType", "assignmentType"];

async fn list_scheduled_roles(ctx: Ctx, p: ListScheduledRolesParams) -> Result<ScheduledRoles, SkillError> {
    let limit = p.limit.get()?;
    let within_days = p.within_days.unwrap_or(30);
    if !(1..=365).contains(&within_days) {
        return Err(SkillError::invalid_value(
            "within_days",
            format!("{within_days} is out of range"),
            "a number of days from 1 to 365",
        ));
    }
    let args =
        Args { role: p.role.as_deref(), user: p.user.as_ref(), group: p.group.as_deref(), app: p.app.as_deref() };
    let target = targets::resolve_target(&ctx, args, Needs::Nothing).await?;
    let filter = target.filter();
    let (eligible, active) = tokio::join!(
        ctx.graph.list::<RoleGrant>(roles::list_with_holders("roleEligibilitySchedules", filter.clone(), SELECT), CAP),
        ctx.graph
            .list::<RoleGrant>(roles::list_with_holders("roleAssignmentSchedules", filter, ASSIGNMENT_SELECT), CAP),
    );
    let (eligible, active) = (eligible?, active?);
    if eligible.more || active.more {
        ctx.note(format!("only the first {CAP} schedules of each kind were read; narrow with `role` or a principal"));
    }
    let now = ctx.now;
    let horizon = now + Duration::days(within_days);
    let mut permanent_not_shown = 0;
    let mut schedules: Vec<(chrono::DateTime<chrono::Utc>, ScheduleRow)> = Vec::new();
    for (state, grants) in [("eligible", &eligible.items), ("active", &active.items)] {
        for grant in grants {
            let (start, end) = (grant.start(), grant.end());
            let event = match (start, end) {
                (Some(s), _) if s > now && s <= horizon => Some(("starts", s)),
                (_, Some(e)) if e > now && e <= horizon => Some(("ends", e)),
                (Some(s), None) if s <= now => {
                    permanent_not_shown += 1;
                    None
                }
                _ => None,
            };
            let Some((event, at)) = event else { continue };
            let holder = targets::holder(grant);
            schedules.push((
                at,
                ScheduleRow {
                    event: event.to_string(),
                    when: targets::from_now(now, at),
                    at: targets::utc(at),
                    state: state.to_string(),
                    assignment_type: grant.assignment_type.as_deref().map(str::to_ascii_lowercase),
                    role: grant.role_name(),
                    role_id: grant.role_id().to_string(),
                    principal: holder.label(),
                    principal_id: holder.id,
                    principal_kind: holder.kind,
                    upn: holder.upn,
                    start: start.map(targets::utc),
                    end: end.map(targets::utc),
                    schedule_id: grant.id.clone(),
                },
            ));
        }
    }
    schedules.sort_by_key(|a| a.0);
    let more = schedules.len() > limit || eligible.more || active.more;
    let schedules: Vec<ScheduleRow> = schedules.into_iter().take(limit).map(|(_, row)| row).collect();
    let list = ListInfo::new(schedules.len(), None, more, "`within_days`, `role`, `user`, `group` or `app`");
    Ok(ScheduledRoles {
        role: target.role,
        principal: target.principal,
        within_days,
        schedules,
        permanent_not_shown,
        list,
    })
}

impl Render for ScheduledRoles {
    fn rows(&self) -> Option<usize> {
        Some(self.schedules.len())
    }

    fn cut_to(&mut self, rows: usize) {
        self.schedules.truncate(rows);
        self.list.cut(rows);
    }

    fn markdown(&self) -> String {
        let target = targets::Target { role: self.role.clone(), principal: self.principal.clone() };
        let rows: Vec<Vec<String>> = self
            .schedules
            .iter()
            .map(|s| {
                let state = match &s.assignment_type {
                    Some(kind) => format!("{} ({kind})", s.state),
                    None => s.state.clone(),
                };
                let who = match &s.upn {
                    Some(upn) => format!("{} ({upn})", s.principal),
                    None => format!("{} ({})", s.principal, s.principal_kind.replace('_', " ")),
                };
                vec![
                    format!("{} {}", s.event, s.when),
                    short_time(&s.at),
                    s.role.clone(),
                    who,
                    state,
                    s.principal_id.clone(),
                ]
            })
            .collect();
        format!(
            "{} role schedules of {} starting or ending in the next {} days ({} permanent not shown)\n{}{}",
            self.list.returned,
            targets::about(&target),
            self.within_days,
            self.permanent_not_shown,
            table(&["event", "at (UTC)", "role", "principal", "state", "principal id"], &rows),
            self.list.footer()
        )
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Which role eligibilities and assignments expire or start in the next 30 days?",
        args: r#"{}"#,
        facts: &[
            Fact::Some("schedules/*/principal", "Arjun Mehta"),
            Fact::Some("schedules/*/principal", "Marcus Lee"),
            Fact::Some("schedules/*/principal", "Samuel Osei"),
            Fact::Some("schedules/*/event", "starts"),
            Fact::Some("schedules/*/assignment_type", "activated"),
            Fact::AtLeast("permanent_not_shown", 5),
        ],
    },
    Example {
        question: "When does Samuel Osei's future PIM eligibility for the helpdesk tier 1 role start?",
        args: r#"{"user":"samuel.osei@woodgrovebank.com"}"#,
        facts: &[
            Fact::Every("schedules/*/role", "Woodgrove Helpdesk Tier 1"),
            Fact::Every("schedules/*/event", "starts"),
            Fact::Every("schedules/*/state", "eligible"),
            Fact::Every("schedules/*/when", "in 7 d"),
        ],
    },
    Example {
        question: "Role schedules ending within a window that is too long",
        args: r#"{"within_days":4000}"#,
        facts: &[Fact::Fails(ErrorKind::InvalidInput), Fact::Says("within_days")],
    },
];

pub fn skill() -> Skill {
    Skill::new(LIST_SCHEDULED_ROLES, list_scheduled_roles)
}
