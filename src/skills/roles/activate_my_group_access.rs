//! `activate_my_group_access`: just-in-time self-activation of membership or ownership of a
//! group governed by PIM for Groups — and with a membership, the roles and access the group
//! holds. Checked against the caller's eligibility and the group's PIM rules (if it has any)
//! before Graph sees it; Graph's refusals are explained as for roles. A tier-1 write:
//! previewed, then confirmed.

use std::sync::Arc;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::graph::resources::Group;
use crate::graph::{GraphRequest, Query};
use crate::odata::Expr;
use crate::render::{fields, short_time};
use crate::shared::caller_id;
use crate::shared::resolve::{self, GROUP};
use crate::shared::roles::{RoleGrant, active_assignments};
use crate::skill::write::WriteTarget;
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset, WritePlan};

use super::pim::{self, ActivationRules, Asked, minutes_text};

const ACTIVATE_MY_GROUP_ACCESS: Declaration = Declaration {
    name: "activate_my_group_access",
    title: "Activate my PIM group membership or ownership",
    description: "Just-in-time activation of my eligible membership or ownership of a group governed by PIM for Groups (and so of the roles and access the group holds), with justification, ticket and duration (default 1h), checked against the group's PIM rules first. Preview first, then confirm. No admin role; needs P2.",
    toolset: Toolset::Roles,
    permissions: &[
        "PrivilegedAssignmentSchedule.ReadWrite.AzureADGroup",
        "PrivilegedEligibilitySchedule.Read.AzureADGroup",
        "RoleManagementPolicy.Read.AzureADGroup",
        "GroupMember.Read.All",
    ],
    least_role: "none (eligible for the group)",
    access: Access::Write { tier: 1, idempotent: false },
    beta: false,
    default: false,
    examples: EXAMPLES,
};

/// Which access to the group.
#[derive(Debug, Clone, Copy, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum GroupAccess {
    Member,
    Owner,
}

impl GroupAccess {
    fn id(self) -> &'static str {
        match self {
            GroupAccess::Member => "member",
            GroupAccess::Owner => "owner",
        }
    }
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivateMyGroupAccessParams {
    /// The group's display name or object id.
    pub group: String,
    /// `member` (default) or `owner`.
    pub access: Option<GroupAccess>,
    /// Why you need it now, in a sentence.
    pub justification: Option<String>,
    /// The change or incident ticket, where the group's rules require one.
    pub ticket_number: Option<String>,
    /// The ticketing system.
    pub ticket_system: Option<String>,
    /// How long: `30m`, `1h`, `PT2H`; default 1h, never more than the group's rules allow.
    pub duration: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct GroupAccessActivation {
    pub group: String,
    pub group_id: String,
    /// `member` or `owner`.
    pub access: String,
    /// Graph's request status: `Provisioned` (active now), `PendingApproval` …
    pub status: String,
    pub request_id: String,
    pub active: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub active_until: Option<String>,
    /// Directory roles the group holds, which a member now holds through it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub grants_roles: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub approvers: Vec<String>,
    pub next: String,
}

const PIM_GROUPS: &str = "/identityGovernance/privilegedAccess/group";

/// A PIM for Groups schedule instance (eligible or active) of the caller.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct GroupInstance {
    group_id: Option<String>,
    access_id: Option<String>,
    end_date_time: Option<String>,
    group: Option<GroupName>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct GroupName {
    display_name: Option<String>,
}

impl GroupInstance {
    fn is(&self, group: &str, access: &str) -> bool {
        self.group_id.as_deref().is_some_and(|g| g.eq_ignore_ascii_case(group))
            && self.access_id.as_deref() == Some(access)
    }

    fn label(&self) -> String {
        let group =
            self.group.as_ref().and_then(|g| g.display_name.clone()).or(self.group_id.clone()).unwrap_or_default();
        format!("{} of {group}", self.access_id.as_deref().unwrap_or("member"))
    }
}

async fn my_group_instances(ctx: &Ctx, set: &str, me: &str) -> Result<Vec<GroupInstance>, SkillError> {
    // Graph lists PIM for Groups instances only for one principal or group.
    let request = GraphRequest::get(format!("{PIM_GROUPS}/{set}")).query(
        Query::new()
            .select(&["id", "groupId", "accessId", "endDateTime"])
            .filter(Expr::eq("principalId", me.to_string()))
            .expand("group($select=id,displayName)"),
    );
    Ok(ctx.graph.list::<GroupInstance>(request, 200).await?.items)
}

struct Asking {
    minutes: i64,
    justification: Option<String>,
    ticket_number: Option<String>,
    ticket_system: Option<String>,
}

fn asking(p: &ActivateMyGroupAccessParams) -> Result<Asking, SkillError> {
    Ok(Asking {
        minutes: pim::parse_duration("duration", p.duration.as_deref().unwrap_or("1h"))?,
        justification: pim::request_text("justification", p.justification.as_deref(), 500)?,
        ticket_number: pim::request_text("ticket_number", p.ticket_number.as_deref(), 100)?,
        ticket_system: pim::request_text("ticket_system", p.ticket_system.as_deref(), 100)?,
    })
}

fn request(ctx: &Ctx, me: &str, group: &str, access: &str, a: &Asking) -> GraphRequest {
    let mut body = json!({
        "accessId": access,
        "principalId": me,
        "groupId": group,
        "action": "selfActivate",
        "justification": a.justification,
        "scheduleInfo": {
            "startDateTime": ctx.now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            "expiration": {"type": "afterDuration", "duration": pim::iso_duration(a.minutes)},
        },
    });
    if a.ticket_number.is_some() || a.ticket_system.is_some() {
        body["ticketInfo"] = json!({"ticketNumber": a.ticket_number, "ticketSystem": a.ticket_system});
    }
    GraphRequest::post(format!("{PIM_GROUPS}/assignmentScheduleRequests"), body)
}

/// The roles a group holds, by name; an empty list when they cannot be read.
async fn group_roles(ctx: &Ctx, group: &str) -> Vec<String> {
    let held = ctx.graph.list::<RoleGrant>(active_assignments(group), 50).await;
    let mut names: Vec<String> = held.map(|p| p.items.iter().map(RoleGrant::role_name).collect()).unwrap_or_default();
    names.sort();
    names
}

async fn prepare(ctx: Ctx, p: Arc<ActivateMyGroupAccessParams>) -> Result<WritePlan, SkillError> {
    let asked = asking(&p)?;
    let access = p.access.unwrap_or(GroupAccess::Member).id();
    let (group, me) =
        tokio::join!(resolve::resolve::<Group>(&ctx, &GROUP, &p.group, &["id", "displayName"]), caller_id(&ctx));
    let (group, me) = (group?, me?);
    let name = group.display_name.clone().unwrap_or_else(|| group.id.clone());
    let (eligible, active, rules, roles) = tokio::join!(
        my_group_instances(&ctx, "eligibilityScheduleInstances", &me),
        my_group_instances(&ctx, "assignmentScheduleInstances", &me),
        pim::read_rules(&ctx, pim::group_rules_request(&group.id, access)),
        group_roles(&ctx, &group.id)
    );
    let (eligible, active) = (eligible?, active?);
    if !eligible.iter().any(|e| e.is(&group.id, access)) {
        let mine: Vec<String> = eligible.iter().map(GroupInstance::label).collect();
        let accepted = if mine.is_empty() {
            "a group you are eligible for in PIM for Groups; you are eligible for none".to_string()
        } else {
            format!("a group and access you are eligible for: {}", mine.join(", "))
        };
        return Err(SkillError::invalid_value(
            "group",
            format!("you are not eligible to activate {access} of {name}; nothing was requested"),
            &accepted,
        ));
    }
    if let Some(now) = active.iter().find(|a| a.is(&group.id, access)) {
        let until = now.end_date_time.as_deref().map(short_time).unwrap_or_else(|| "no end".into());
        return Err(SkillError::new(
            ErrorKind::InvalidInput,
            format!("you are already {access} of {name} (until {until}); nothing was requested"),
        )
        .with_remedy("nothing to do"));
    }
    // The group's rules, if PIM has any for it; without them Graph alone judges the request.
    let rules: ActivationRules = match ctx.optional("the group's PIM rules", rules) {
        Some(Some(rules)) => rules,
        Some(None) => {
            ctx.note(format!("no PIM policy governs {access} of {name}: no rules were checked"));
            ActivationRules::default()
        }
        None => ActivationRules::default(),
    };
    let ask = Asked {
        minutes: asked.minutes,
        justification: asked.justification.as_deref(),
        ticket_number: asked.ticket_number.as_deref(),
    };
    pim::check_against_rules(&format!("{access} of {name}"), &rules, &ask)?;

    let length = minutes_text(asked.minutes);
    let with_roles = if roles.is_empty() || access != "member" {
        String::new()
    } else {
        format!(", and with it the group's roles: {}", roles.join(", "))
    };
    let effect = if rules.approval_required {
        format!(
            "asks PIM to make you {access} of {name} for {length}{with_roles}; it needs approval by {}, so the request \
             waits until they approve",
            rules.approvers_text()
        )
    } else {
        format!(
            "makes you {access} of {name} for {length}, until about {} UTC{with_roles}",
            pim::ends_at(&ctx, asked.minutes)
        )
    };
    Ok(WritePlan {
        targets: vec![WriteTarget {
            name: format!("{access} of {name}"),
            id: group.id.clone(),
            state: json!({"eligible": true, "active": false}),
        }],
        requests: vec![request(&ctx, &me, &group.id, access, &asked).describe()],
        effect,
        undo: format!("it ends by itself after {length}; to end it early, deactivate it in PIM (My roles → Groups)"),
        tier: 1,
        confirm_target: None,
    })
}

async fn apply(
    ctx: Ctx,
    p: Arc<ActivateMyGroupAccessParams>,
    plan: WritePlan,
) -> Result<GroupAccessActivation, SkillError> {
    let target = plan.targets.first().ok_or_else(|| SkillError::new(ErrorKind::Upstream, "no group to activate"))?;
    let access = p.access.unwrap_or(GroupAccess::Member).id();
    let asked = asking(&p)?;
    let me = caller_id(&ctx).await?;
    let answer = ctx
        .graph
        .write(request(&ctx, &me, &target.id, access, &asked))
        .await
        .map_err(|e| pim::explain_refusal(e, &target.name, "activate_my_group_access"))?;
    let created: Value = answer.unwrap_or(Value::Null);
    let status = created.get("status").and_then(Value::as_str).unwrap_or("Submitted").to_string();
    let request_id = created.get("id").and_then(Value::as_str).unwrap_or_default().to_string();
    let group = target.name.split_once(" of ").map(|(_, g)| g.to_string()).unwrap_or_else(|| target.name.clone());
    if status.starts_with("Pending") {
        let rules = ctx
            .optional("approvers", pim::read_rules(&ctx, pim::group_rules_request(&target.id, access)).await)
            .flatten();
        let approvers: Vec<String> = rules.map(|r| r.approvers.iter().map(|a| a.label()).collect()).unwrap_or_default();
        return Ok(GroupAccessActivation {
            group,
            group_id: target.id.clone(),
            access: access.to_string(),
            status,
            request_id,
            active: false,
            active_until: None,
            grants_roles: Vec::new(),
            next: format!(
                "waiting for approval{}; nothing is active yet",
                if approvers.is_empty() { String::new() } else { format!(" by {}", approvers.join(", ")) }
            ),
            approvers,
        });
    }
    let (active, roles) =
        tokio::join!(my_group_instances(&ctx, "assignmentScheduleInstances", &me), group_roles(&ctx, &target.id));
    let instance = ctx.optional("read-back", active).and_then(|a| a.into_iter().find(|i| i.is(&target.id, access)));
    let grants_roles = if access == "member" { roles } else { Vec::new() };
    Ok(GroupAccessActivation {
        group: group.clone(),
        group_id: target.id.clone(),
        access: access.to_string(),
        status,
        request_id,
        active: instance.is_some(),
        active_until: instance.and_then(|i| i.end_date_time),
        next: if grants_roles.is_empty() {
            format!("you are {access} of {group} now")
        } else {
            format!("you are {access} of {group} now and hold its roles ({}) through it", grants_roles.join(", "))
        },
        grants_roles,
        approvers: Vec::new(),
    })
}

impl Render for GroupAccessActivation {
    fn markdown(&self) -> String {
        fields(&[
            ("group", Some(format!("{} ({})", self.group, self.group_id))),
            ("access", Some(self.access.clone())),
            ("status", Some(self.status.clone())),
            ("active", Some(if self.active { "yes" } else { "no" }.into())),
            ("until (UTC)", self.active_until.as_deref().map(short_time)),
            ("roles through the group", (!self.grants_roles.is_empty()).then(|| self.grants_roles.join(", "))),
            ("approvers", (!self.approvers.is_empty()).then(|| self.approvers.join(", "))),
            ("request id", Some(self.request_id.clone())),
            ("next", Some(self.next.clone())),
        ])
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Make me a member of Helpdesk Operators through PIM for an hour to cover the queue",
        args: r#"{"group":"Helpdesk Operators","justification":"Cover the Helpdesk queue this afternoon","duration":"1h"}"#,
        facts: &[
            Fact::Every("pending_confirmation", "true"),
            Fact::Every("targets/0/name", "member of Helpdesk Operators"),
            Fact::Some("requests/*", "~assignmentScheduleRequests"),
            Fact::Says("Helpdesk Administrator"),
        ],
    },
    Example {
        question: "Activate my Helpdesk Operators membership for 6 hours",
        args: r#"{"group":"Helpdesk Operators","justification":"Queue","duration":"6h"}"#,
        facts: &[Fact::Fails(ErrorKind::InvalidInput), Fact::Says("longer than the 4 h")],
    },
    Example {
        question: "Make me owner of Helpdesk Operators",
        args: r#"{"group":"Helpdesk Operators","access":"owner","justification":"Add a technician"}"#,
        facts: &[
            Fact::Fails(ErrorKind::InvalidInput),
            Fact::Says("not eligible"),
            Fact::Says("member of Helpdesk Operators"),
        ],
    },
];

pub fn skill() -> Skill {
    Skill::write(ACTIVATE_MY_GROUP_ACCESS, prepare, apply)
}
