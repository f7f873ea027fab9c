//! `deactivate_my_role`: ends one of the caller's own PIM activations early, once the work is
//! done (least privilege in time). Only an activation can be ended this way; a role assigned to
//! the caller outright is an admin's to remove. A tier-1 write: previewed, then confirmed.

use std::sync::Arc;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::graph::GraphRequest;
use crate::render::{fields, short_time};
use crate::shared::caller_id;
use crate::skill::write::WriteTarget;
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset, WritePlan};

use super::activate_my_role::REQUESTS;
use super::pim::{self, RoleRequest};

const DEACTIVATE_MY_ROLE: Declaration = Declaration {
    name: "deactivate_my_role",
    title: "Deactivate one of my active roles (PIM)",
    description: "End my own PIM activation of a directory role early, when the task is done (selfDeactivate). Only activated roles, not ones assigned to me permanently. Preview first, then confirm. No admin role; needs P2.",
    toolset: Toolset::Roles,
    permissions: &["RoleAssignmentSchedule.ReadWrite.Directory"],
    least_role: "none",
    access: Access::Write { tier: 1, idempotent: true },
    beta: false,
    default: true,
    examples: EXAMPLES,
};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeactivateMyRoleParams {
    /// The activated role's display name (tolerant) or id.
    pub role: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct RoleDeactivation {
    pub role: String,
    pub role_id: String,
    /// Graph's request status (`Revoked` once ended).
    pub status: String,
    pub request_id: String,
    /// The role is no longer active for you (read back).
    pub ended: bool,
    /// Your roles still active, by name.
    pub still_active: Vec<String>,
}

fn request(principal: &str, role_id: &str) -> GraphRequest {
    GraphRequest::post(
        REQUESTS,
        json!({
            "action": "selfDeactivate",
            "principalId": principal,
            "roleDefinitionId": role_id,
            "directoryScopeId": "/",
        }),
    )
}

async fn prepare(ctx: Ctx, p: Arc<DeactivateMyRoleParams>) -> Result<WritePlan, SkillError> {
    let (role, me, active) = tokio::join!(pim::role(&ctx, &p.role), caller_id(&ctx), pim::my_active(&ctx));
    let (role, me, active) = (role?, me?, active?);
    let name = pim::role_name(&role);
    let Some(instance) = active.iter().find(|g| pim::is_role(g, &role.id)) else {
        let mut names: Vec<String> = active.iter().map(|g| g.role_name()).collect();
        names.sort();
        let held = if names.is_empty() { "none".to_string() } else { names.join(", ") };
        return Err(SkillError::invalid_value(
            "role",
            format!("{name} is not active for you; nothing to end"),
            &format!("one of your active roles: {held}"),
        ));
    };
    if instance.assignment_type.as_deref().is_some_and(|t| !t.eq_ignore_ascii_case("Activated")) {
        return Err(SkillError::invalid_value(
            "role",
            format!("{name} is assigned to you outright, not activated through PIM; you cannot end it yourself"),
            "a role you activated; an assigned role is removed by a Privileged Role Administrator",
        ));
    }
    let until = instance.end_date_time.clone();
    Ok(WritePlan {
        targets: vec![WriteTarget {
            name: name.clone(),
            id: role.id.clone(),
            state: json!({"active": true, "activated_until": until}),
        }],
        requests: vec![request(&me, &role.id).describe()],
        effect: format!(
            "ends your activation of {name} now{}; you stay eligible and can activate it again",
            until.as_deref().map(|u| format!(" instead of at {} UTC", short_time(u))).unwrap_or_default()
        ),
        undo: format!("activate it again with activate_my_role (role {name}), under the role's rules"),
        tier: 1,
        confirm_target: None,
    })
}

async fn apply(ctx: Ctx, _p: Arc<DeactivateMyRoleParams>, plan: WritePlan) -> Result<RoleDeactivation, SkillError> {
    let target = plan.targets.first().ok_or_else(|| SkillError::new(ErrorKind::Upstream, "no role to deactivate"))?;
    let me = caller_id(&ctx).await?;
    let answer = ctx
        .graph
        .write(request(&me, &target.id))
        .await
        .map_err(|e| pim::explain_refusal(e, &target.name, "deactivate_my_role"))?;
    let created: RoleRequest = answer.and_then(|v: Value| serde_json::from_value(v).ok()).unwrap_or_default();
    let active = ctx.optional("read-back", pim::my_active(&ctx).await);
    let ended = active.as_ref().is_some_and(|a| !a.iter().any(|g| pim::is_role(g, &target.id)));
    let mut still_active: Vec<String> = active.unwrap_or_default().iter().map(|g| g.role_name()).collect();
    still_active.sort();
    Ok(RoleDeactivation {
        role: target.name.clone(),
        role_id: target.id.clone(),
        status: created.status.unwrap_or_else(|| "Submitted".into()),
        request_id: created.id,
        ended,
        still_active,
    })
}

impl Render for RoleDeactivation {
    fn markdown(&self) -> String {
        fields(&[
            ("role", Some(self.role.clone())),
            ("role id", Some(self.role_id.clone())),
            ("status", Some(self.status.clone())),
            ("ended", Some(if self.ended { "yes" } else { "not yet (PIM may take a minute)" }.into())),
            (
                "still active",
                Some(if self.still_active.is_empty() { "none".into() } else { self.still_active.join(", ") }),
            ),
            ("request id", Some(self.request_id.clone())),
        ])
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "The sign-in report is done: deactivate my Reports Reader activation",
        args: r#"{"role":"Reports Reader"}"#,
        facts: &[
            Fact::Every("pending_confirmation", "true"),
            Fact::Every("targets/0/name", "Reports Reader"),
            Fact::Every("targets/0/state/active", "true"),
            Fact::Some("requests/*", "~selfDeactivate"),
            Fact::Says("ends your activation of Reports Reader"),
        ],
    },
    Example {
        question: "I'm done, drop my Security Reader role",
        args: r#"{"role":"Security Reader"}"#,
        facts: &[Fact::Fails(ErrorKind::InvalidInput), Fact::Says("assigned to you outright")],
    },
    Example {
        question: "Deactivate my User Administrator activation now",
        args: r#"{"role":"User Administrator"}"#,
        facts: &[Fact::Fails(ErrorKind::InvalidInput), Fact::Says("not active for you"), Fact::Says("Security Reader")],
    },
];

pub fn skill() -> Skill {
    Skill::write(DEACTIVATE_MY_ROLE, prepare, apply)
}
