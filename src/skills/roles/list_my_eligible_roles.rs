//! `list_my_eligible_roles`: the roles the signed-in caller may activate through PIM, whether
//! each is active now (and until when), whether an activation request is waiting for approval,
//! and the exact `activate_my_role` call for those that are neither. The caller's eligibility
//! and active instances and their requests are read at once with `filterByCurrentUser`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::graph::{GraphRequest, Query};
use crate::render::table;
use crate::shared::roles::RoleGrant;
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset};

use super::targets;

const LIST_MY_ELIGIBLE_ROLES: Declaration = Declaration {
    name: "list_my_eligible_roles",
    title: "List the roles I can activate in PIM (and the call to activate one)",
    description: "What I, the signed-in admin, may activate just in time in PIM: each eligible directory role, until when I am eligible, whether it is already activated and until when, whether my activation request awaits approval, and the activate_my_role call to use. Needs P2. Any member.",
    toolset: Toolset::Roles,
    permissions: &["RoleEligibilitySchedule.Read.Directory", "RoleAssignmentSchedule.Read.Directory"],
    least_role: "none",
    access: Access::Read,
    beta: false,
    default: true,
    examples: EXAMPLES,
};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListMyEligibleRolesParams {}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ActivateArguments {
    /// The role's display name.
    pub role: String,
    /// Why: the task it is needed for (replace the placeholder).
    pub justification: String,
    /// How long, e.g. `1h` (the role's rules cap it).
    pub duration: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ActivateCall {
    /// The tool to call (a write: listed only with `--allow-writes`).
    pub tool: String,
    pub arguments: ActivateArguments,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct MyEligibleRole {
    pub role: String,
    pub role_id: String,
    /// `tenant`, an administrative unit or one object.
    pub scope: String,
    /// `direct`, or `group` (eligible through a group I am in).
    pub member_type: String,
    /// When my eligibility ends; absent when it is permanent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub eligible_until: Option<String>,
    pub permanent: bool,
    /// Activated (or otherwise active) now.
    pub active_now: bool,
    /// When the active assignment ends.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub active_until: Option<String>,
    /// An activation request of mine waiting for a decision (its status and when I made it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pending_request: Option<String>,
    /// The call that activates it, when it is neither active nor requested.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub activate: Option<ActivateCall>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct AlsoActive {
    pub role: String,
    pub role_id: String,
    /// `assigned` or `activated`.
    pub assignment_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct MyEligibleRoles {
    /// Roles I may activate, by name.
    pub eligible: Vec<MyEligibleRole>,
    /// Roles active for me that no eligibility of mine explains (assigned outright).
    pub also_active: Vec<AlsoActive>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct ScheduleRequest {
    role_definition_id: Option<String>,
    action: Option<String>,
    status: Option<String>,
    created_date_time: Option<String>,
}

const BASE: &str = "/roleManagement/directory";
const MINE: &str = "filterByCurrentUser(on='principal')";
const ROLE_NAME: &str = "roleDefinition($select=id,displayName)";
/// Rows read per list: a person is eligible for a handful of roles.
const CAP: usize = 200;
/// Request states that still wait for someone.
const WAITING: &[&str] = &["PendingApproval", "PendingAdminDecision", "PendingScheduleCreation", "Granted"];

fn mine(set: &str, select: &'static [&'static str], expand: bool) -> GraphRequest {
    let query = Query::new().select(select);
    let query = if expand { query.expand(ROLE_NAME) } else { query };
    GraphRequest::get(format!("{BASE}/{set}/{MINE}")).query(query)
}

async fn list_my_eligible_roles(ctx: Ctx, _: ListMyEligibleRolesParams) -> Result<MyEligibleRoles, SkillError> {
    let g = &ctx.graph;
    let (eligible, active, requests) = tokio::join!(
        g.list::<RoleGrant>(
            mine(
                "roleEligibilityScheduleInstances",
                &["id", "roleDefinitionId", "directoryScopeId", "startDateTime", "endDateTime", "memberType"],
                true
            ),
            CAP
        ),
        g.list::<RoleGrant>(
            mine(
                "roleAssignmentScheduleInstances",
                &[
                    "id",
                    "roleDefinitionId",
                    "directoryScopeId",
                    "startDateTime",
                    "endDateTime",
                    "assignmentType",
                    "memberType"
                ],
                true
            ),
            CAP
        ),
        g.list::<ScheduleRequest>(
            mine(
                "roleAssignmentScheduleRequests",
                &["id", "roleDefinitionId", "action", "status", "createdDateTime"],
                false
            ),
            CAP
        ),
    );
    let eligible = eligible?.items;
    let active = match active {
        Ok(page) => page.items,
        Err(e) if e.kind == ErrorKind::Throttled => return Err(e),
        Err(e) => {
            ctx.note(format!("whether a role is active now is unknown: {}", e.kind.as_str()));
            Vec::new()
        }
    };
    let requests = match requests {
        Ok(page) => page.items,
        Err(e) if e.kind == ErrorKind::Throttled => return Err(e),
        Err(e) => {
            ctx.note(format!("pending activation requests unknown: {}", e.kind.as_str()));
            Vec::new()
        }
    };
    let same = |a: &str, b: &str| a.eq_ignore_ascii_case(b);
    let mut rows: Vec<MyEligibleRole> = eligible
        .iter()
        .map(|e| {
            let role = e.role_name();
            let running = active.iter().find(|a| same(a.role_id(), e.role_id()));
            let pending = requests.iter().find(|r| {
                r.role_definition_id.as_deref().is_some_and(|id| same(id, e.role_id()))
                    && r.action.as_deref().is_some_and(|a| same(a, "selfActivate"))
                    && r.status.as_deref().is_some_and(|s| WAITING.iter().any(|w| same(w, s)))
            });
            let pending_request = pending.map(|r| {
                let since = r.created_date_time.as_deref().map(crate::render::short_time).unwrap_or_default();
                format!("{} since {since}", r.status.clone().unwrap_or_default()).trim().to_string()
            });
            let activate = (running.is_none() && pending.is_none()).then(|| ActivateCall {
                tool: "activate_my_role".to_string(),
                arguments: ActivateArguments {
                    role: role.clone(),
                    justification: "<the task you need it for>".to_string(),
                    duration: "1h".to_string(),
                },
            });
            let end = e.end();
            MyEligibleRole {
                role,
                role_id: e.role_id().to_string(),
                scope: e.scope(),
                member_type: e.member_type.as_deref().unwrap_or("direct").to_ascii_lowercase(),
                eligible_until: end.map(targets::utc),
                permanent: end.is_none(),
                active_now: running.is_some(),
                active_until: running.and_then(|a| a.end()).map(targets::utc),
                pending_request,
                activate,
            }
        })
        .collect();
    rows.sort_by(|a, b| a.role.cmp(&b.role));
    let also_active: Vec<AlsoActive> = active
        .iter()
        .filter(|a| !eligible.iter().any(|e| same(e.role_id(), a.role_id())))
        .map(|a| AlsoActive {
            role: a.role_name(),
            role_id: a.role_id().to_string(),
            assignment_type: a.assignment_type.as_deref().unwrap_or("assigned").to_ascii_lowercase(),
            end: a.end().map(targets::utc),
        })
        .collect();
    if rows.iter().any(|r| r.activate.is_some()) {
        ctx.note("activate_my_role is a write: it is listed only when the server runs with --allow-writes, and the role's rules may ask for a ticket, a shorter duration or approval (get_role_activation_rules)");
    }
    ctx.note("group memberships I may activate: list_group_pim_eligibilities");
    Ok(MyEligibleRoles { eligible: rows, also_active })
}

impl Render for MyEligibleRoles {
    fn rows(&self) -> Option<usize> {
        Some(self.eligible.len())
    }

    fn cut_to(&mut self, rows: usize) {
        self.eligible.truncate(rows);
    }

    fn markdown(&self) -> String {
        let rows: Vec<Vec<String>> = self
            .eligible
            .iter()
            .map(|r| {
                let state = match (r.active_now, &r.pending_request) {
                    (true, _) => format!(
                        "active until {}",
                        r.active_until.as_deref().map(crate::render::short_time).unwrap_or_else(|| "no end".into())
                    ),
                    (false, Some(pending)) => format!("requested: {pending}"),
                    (false, None) => "not active".to_string(),
                };
                let until =
                    r.eligible_until.as_deref().map(crate::render::short_time).unwrap_or_else(|| "permanent".into());
                vec![r.role.clone(), state, until, r.member_type.clone(), r.role_id.clone()]
            })
            .collect();
        let mut text = format!(
            "I may activate {} roles\n{}",
            self.eligible.len(),
            table(&["role", "now", "eligible until (UTC)", "member type", "role id"], &rows)
        );
        let calls: Vec<String> = self
            .eligible
            .iter()
            .filter_map(|r| r.activate.as_ref())
            .map(|c| {
                let quoted = |text: &str| serde_json::to_string(text).unwrap_or_default();
                let a = &c.arguments;
                format!(
                    "- `{} {{\"role\":{},\"justification\":{},\"duration\":{}}}`",
                    c.tool,
                    quoted(&a.role),
                    quoted(&a.justification),
                    quoted(&a.duration)
                )
            })
            .collect();
        if !calls.is_empty() {
            text.push_str(&format!("\nto activate:\n{}", calls.join("\n")));
        }
        if !self.also_active.is_empty() {
            let active: Vec<String> = self
                .also_active
                .iter()
                .map(|a| {
                    let end = a.end.as_deref().map(crate::render::short_time).unwrap_or_else(|| "permanent".into());
                    format!("{} ({}, {end})", a.role, a.assignment_type)
                })
                .collect();
            text.push_str(&format!("\nalso active for me: {}", active.join(", ")));
        }
        text
    }
}

const EXAMPLES: &[Example] = &[Example {
    question: "Which admin roles can I activate just in time, and how do I activate one?",
    args: r#"{}"#,
    facts: &[
        Fact::Count("eligible/*", 4),
        Fact::Some("eligible/*/role", "Security Administrator"),
        Fact::Some("eligible/*/activate/tool", "activate_my_role"),
        Fact::Some("eligible/*/activate/arguments/role", "User Administrator"),
        Fact::Every("eligible/*/activate/arguments/duration", "1h"),
        Fact::Some("eligible/*/pending_request", "~PendingApproval"),
        // Reports Reader, activated this morning, is eligible and active now.
        Fact::Some("eligible/*/active_now", "true"),
        Fact::Some("eligible/*/active_now", "false"),
        Fact::Some("also_active/*/role", "Security Reader"),
        Fact::Says(
            r#"activate_my_role {"role":"Security Administrator","justification":"<the task you need it for>","duration":"1h"}"#,
        ),
    ],
}];

pub fn skill() -> Skill {
    Skill::new(LIST_MY_ELIGIBLE_ROLES, list_my_eligible_roles)
}
