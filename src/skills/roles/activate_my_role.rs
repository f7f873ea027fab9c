//! `activate_my_role`: just-in-time self-activation of a directory role the caller is eligible
//! for, the PIM way. Before Graph sees anything the request is checked against the caller's
//! eligibility (not eligible: the eligible roles that would do), what is already active or
//! waiting, and the role's rules (duration, justification, ticket). Graph's own refusals are
//! explained: a stronger sign-in needed in this session comes back as `consent_required` with
//! the claims challenge; a role that needs approval answers `PendingApproval` and names who
//! approves. A tier-1 write: previewed, then confirmed.

use std::sync::Arc;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::graph::GraphRequest;
use crate::render::{fields, short_time};
use crate::shared::caller_id;
use crate::shared::roles::RoleGrant;
use crate::skill::write::WriteTarget;
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset, WritePlan};

use super::pim::{self, ActivationRules, Asked, RoleRequest, minutes_text};
use super::tasks;

const ACTIVATE_MY_ROLE: Declaration = Declaration {
    name: "activate_my_role",
    title: "Activate one of my eligible roles (PIM)",
    description: "Just-in-time activation of a directory role I am eligible for in PIM, with justification, ticket and duration (default 1h), checked against the role's rules first. A role needing approval waits as PendingApproval; one needing a stronger sign-in returns the claims challenge. Preview first, then confirm. No admin role; needs P2.",
    toolset: Toolset::Roles,
    permissions: &[
        "RoleAssignmentSchedule.ReadWrite.Directory",
        "RoleEligibilitySchedule.Read.Directory",
        "RoleManagementPolicy.Read.Directory",
    ],
    least_role: "none (eligible for the role)",
    access: Access::Write { tier: 1, idempotent: false },
    beta: false,
    default: true,
    examples: EXAMPLES,
};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivateMyRoleParams {
    /// The role's display name (tolerant: "User Admin") or id.
    pub role: String,
    /// Why you need it now, in a sentence (most roles require one).
    pub justification: Option<String>,
    /// The change or incident ticket, where the role requires one.
    pub ticket_number: Option<String>,
    /// The ticketing system (ServiceNow, Jira …).
    pub ticket_system: Option<String>,
    /// How long: `30m`, `1h`, `1h30m`, `PT2H`; default 1h, never more than the role allows.
    pub duration: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct RoleActivation {
    pub role: String,
    pub role_id: String,
    /// Graph's request status: `Provisioned` (active now), `PendingApproval`, `Granted` …
    pub status: String,
    pub request_id: String,
    /// The role is usable now.
    pub active: bool,
    /// When the activation ends (UTC).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub active_until: Option<String>,
    /// Who must approve, when the request waits for approval.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub approvers: Vec<String>,
    /// What to do next.
    pub next: String,
}

pub const REQUESTS: &str = "/roleManagement/directory/roleAssignmentScheduleRequests";

/// What the caller asked for, checked.
struct Asking {
    minutes: i64,
    justification: Option<String>,
    ticket_number: Option<String>,
    ticket_system: Option<String>,
}

fn asking(p: &ActivateMyRoleParams) -> Result<Asking, SkillError> {
    Ok(Asking {
        minutes: pim::parse_duration("duration", p.duration.as_deref().unwrap_or("1h"))?,
        justification: pim::request_text("justification", p.justification.as_deref(), 500)?,
        ticket_number: pim::request_text("ticket_number", p.ticket_number.as_deref(), 100)?,
        ticket_system: pim::request_text("ticket_system", p.ticket_system.as_deref(), 100)?,
    })
}

fn request(ctx: &Ctx, principal: &str, role_id: &str, a: &Asking) -> GraphRequest {
    let mut body = json!({
        "action": "selfActivate",
        "principalId": principal,
        "roleDefinitionId": role_id,
        "directoryScopeId": "/",
        "justification": a.justification,
        "scheduleInfo": {
            "startDateTime": ctx.now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            "expiration": {"type": "afterDuration", "duration": pim::iso_duration(a.minutes)},
        },
    });
    if a.ticket_number.is_some() || a.ticket_system.is_some() {
        body["ticketInfo"] = json!({"ticketNumber": a.ticket_number, "ticketSystem": a.ticket_system});
    }
    GraphRequest::post(REQUESTS, body)
}

/// Refuses a role the caller is not eligible for, naming the eligible roles that would do (they
/// share tasks with it in the project's task table), or all of them.
fn not_eligible(name: &str, eligible: &[RoleGrant]) -> SkillError {
    let mut names: Vec<String> = eligible.iter().map(RoleGrant::role_name).collect();
    names.sort();
    names.dedup();
    if names.is_empty() {
        return SkillError::invalid_value(
            "role",
            format!("you are not eligible for {name} (nor for any role); nothing was requested"),
            "a role you are eligible for — ask a Privileged Role Administrator to make you eligible; \
             recommend_role_for_task names the least role for a task",
        );
    }
    let theirs: Vec<&str> = tasks::tasks_of(name).map(|t| t.task).collect();
    let would_do: Vec<String> = names
        .iter()
        .filter_map(|n| {
            let shared: Vec<&str> = tasks::tasks_of(n).map(|t| t.task).filter(|t| theirs.contains(t)).take(2).collect();
            (!shared.is_empty()).then(|| format!("{n} (for: {})", shared.join("; ")))
        })
        .collect();
    let accepted = if would_do.is_empty() {
        format!("a role you are eligible for: {}", names.join(", "))
    } else {
        format!(
            "a role you are eligible for; of yours these would do part of it: {}; all: {}",
            would_do.join(", "),
            names.join(", ")
        )
    };
    SkillError::invalid_value("role", format!("you are not eligible for {name}; nothing was requested"), &accepted)
}

fn refused(message: String, remedy: &str) -> SkillError {
    SkillError::new(ErrorKind::InvalidInput, message).with_remedy(remedy)
}

async fn prepare(ctx: Ctx, p: Arc<ActivateMyRoleParams>) -> Result<WritePlan, SkillError> {
    let asked = asking(&p)?;
    let (role, me, eligible, active, requests) = tokio::join!(
        pim::role(&ctx, &p.role),
        caller_id(&ctx),
        pim::my_eligible(&ctx),
        pim::my_active(&ctx),
        pim::my_requests(&ctx, 200)
    );
    let (role, me, eligible, active) = (role?, me?, eligible?, active?);
    let name = pim::role_name(&role);
    if !eligible.iter().any(|g| pim::is_role(g, &role.id)) {
        return Err(not_eligible(&name, &eligible));
    }
    if let Some(now) = active.iter().find(|g| pim::is_role(g, &role.id)) {
        let until = now.end_date_time.as_deref().map(short_time).unwrap_or_else(|| "no end (permanent)".into());
        return Err(refused(
            format!("{name} is already active for you (until {until}); nothing was requested"),
            "nothing to do; end it early with deactivate_my_role",
        ));
    }
    let pending = ctx.optional("your pending requests", requests).and_then(|page| {
        page.items.into_iter().find(|r| r.is_pending() && r.role_definition_id.as_deref() == Some(&role.id))
    });
    if let Some(pending) = pending {
        let created = pending.created_date_time.as_deref().map(short_time).unwrap_or_default();
        return Err(refused(
            format!(
                "a request for {name} is already waiting for approval (request {}, {created}); nothing was requested",
                pending.id
            ),
            "wait for the approver, or withdraw it with cancel_my_role_request",
        ));
    }
    let rules = pim::read_rules(&ctx, pim::role_rules_request(&role.id)).await?;
    if rules.is_none() {
        ctx.note(format!("no PIM policy governs {name}: no rules were checked"));
    }
    let rules = rules.unwrap_or_default();
    let ask = Asked {
        minutes: asked.minutes,
        justification: asked.justification.as_deref(),
        ticket_number: asked.ticket_number.as_deref(),
    };
    pim::check_against_rules(&name, &rules, &ask)?;

    let length = minutes_text(asked.minutes);
    let mut effect = if rules.approval_required {
        format!(
            "asks PIM to activate {name} for you for {length}; it needs approval by {}, so the request will wait \
             (PendingApproval) and nothing is active until they approve",
            rules.approvers_text()
        )
    } else {
        format!("activates {name} for you for {length}, until about {} UTC", pim::ends_at(&ctx, asked.minutes))
    };
    if let Some(context) = &rules.authentication_context {
        effect.push_str(&format!(
            "; {name} requires the authentication context {context}: Graph may answer with a claims challenge to sign in \
             again with first"
        ));
    }
    let undo = if rules.approval_required {
        format!("withdraw it while pending with cancel_my_role_request (role {name}); once active, deactivate_my_role")
    } else {
        format!("end it early with deactivate_my_role (role {name}); it also ends by itself after {length}")
    };
    Ok(WritePlan {
        targets: vec![WriteTarget {
            name,
            id: role.id.clone(),
            state: json!({"eligible": true, "active": false, "pending": false}),
        }],
        requests: vec![request(&ctx, &me, &role.id, &asked).describe()],
        effect,
        undo,
        tier: 1,
        confirm_target: None,
    })
}

async fn apply(ctx: Ctx, p: Arc<ActivateMyRoleParams>, plan: WritePlan) -> Result<RoleActivation, SkillError> {
    let target = plan.targets.first().ok_or_else(|| SkillError::new(ErrorKind::Upstream, "no role to activate"))?;
    let asked = asking(&p)?;
    let me = caller_id(&ctx).await?;
    let answer = ctx
        .graph
        .write(request(&ctx, &me, &target.id, &asked))
        .await
        .map_err(|e| pim::explain_refusal(e, &target.name, "activate_my_role"))?;
    let created: RoleRequest = answer.and_then(|v: Value| serde_json::from_value(v).ok()).unwrap_or_default();
    let status = created.status.clone().unwrap_or_else(|| "Submitted".into());
    if created.is_pending() {
        // Who approves: from the role's rules, named.
        let rules: Option<ActivationRules> =
            ctx.optional("approvers", pim::read_rules(&ctx, pim::role_rules_request(&target.id)).await).flatten();
        let approvers: Vec<String> = rules
            .as_ref()
            .map(|r| {
                if r.approvers.is_empty() {
                    vec![r.approvers_text()]
                } else {
                    r.approvers.iter().map(|a| a.label()).collect()
                }
            })
            .unwrap_or_default();
        let who = if approvers.is_empty() { "the role's approvers".to_string() } else { approvers.join(", ") };
        return Ok(RoleActivation {
            role: target.name.clone(),
            role_id: target.id.clone(),
            status,
            request_id: created.id,
            active: false,
            active_until: None,
            approvers,
            next: format!(
                "waiting for approval by {who}; nothing is active yet. Follow it with list_my_role_requests, or withdraw \
                 it with cancel_my_role_request"
            ),
        });
    }
    // Read back what is active now, rather than assuming the activation took.
    let active = ctx.optional("read-back", pim::my_active(&ctx).await).unwrap_or_default();
    let instance = active.iter().find(|g| pim::is_role(g, &target.id));
    Ok(RoleActivation {
        role: target.name.clone(),
        role_id: target.id.clone(),
        status,
        request_id: created.id,
        active: instance.is_some(),
        active_until: instance.and_then(|i| i.end_date_time.clone()),
        approvers: Vec::new(),
        next: match instance {
            Some(_) => format!("{} is active; end it when done with deactivate_my_role", target.name),
            None => "PIM accepted the request; it may take a minute to show as active (get_me)".to_string(),
        },
    })
}

impl Render for RoleActivation {
    fn markdown(&self) -> String {
        fields(&[
            ("role", Some(self.role.clone())),
            ("role id", Some(self.role_id.clone())),
            ("status", Some(self.status.clone())),
            ("active", Some(if self.active { "yes" } else { "no" }.into())),
            ("until (UTC)", self.active_until.as_deref().map(short_time)),
            ("approvers", (!self.approvers.is_empty()).then(|| self.approvers.join(", "))),
            ("request id", Some(self.request_id.clone())),
            ("next", Some(self.next.clone())),
        ])
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Activate User Administrator for me for 2 hours to onboard the new Finance analysts",
        args: r#"{"role":"User Administrator","justification":"Onboard the new Finance analysts","duration":"2h"}"#,
        facts: &[
            Fact::Every("pending_confirmation", "true"),
            Fact::Every("tier", "C1"),
            Fact::Every("targets/0/name", "User Administrator"),
            Fact::Some("requests/*", "~selfActivate"),
            Fact::Some("requests/*", "~PT2H"),
            Fact::Says("nothing has changed yet"),
        ],
    },
    Example {
        question: "Turn on my Security Administrator role for 10 hours",
        args: r#"{"role":"Security Administrator","justification":"Incident triage","duration":"10h"}"#,
        facts: &[Fact::Fails(ErrorKind::InvalidInput), Fact::Says("longer than the 8 h"), Fact::Says("ticket number")],
    },
    Example {
        question: "Elevate me to Global Admin",
        args: r#"{"role":"Global Admin","justification":"Approve a consent"}"#,
        facts: &[
            Fact::Fails(ErrorKind::InvalidInput),
            Fact::Says("not eligible for Global Administrator"),
            Fact::Says("User Administrator"),
        ],
    },
    Example {
        question: "Activate my Conditional Access Administrator role again",
        args: r#"{"role":"Conditional Access Administrator","justification":"Review CA009"}"#,
        facts: &[Fact::Fails(ErrorKind::InvalidInput), Fact::Says("already waiting for approval")],
    },
];

pub fn skill() -> Skill {
    Skill::write(ACTIVATE_MY_ROLE, prepare, apply)
}
