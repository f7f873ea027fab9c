//! `cancel_my_role_request`: withdraws one of the caller's PIM role requests that is still
//! waiting for approval, by request id or by the name of its role when only one request for it
//! is pending. A tier-1 write: previewed, then confirmed.

use std::sync::Arc;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::graph::{GraphRequest, Query, segment};
use crate::render::{fields, short_time};
use crate::shared::roles::same_role_name;
use crate::shared::{guid, shorten};
use crate::skill::write::WriteTarget;
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset, WritePlan};

use super::activate_my_role::REQUESTS;
use super::pim::{self, RoleRequest};

const CANCEL_MY_ROLE_REQUEST: Declaration = Declaration {
    name: "cancel_my_role_request",
    title: "Withdraw my pending PIM role request",
    description: "Withdraw (cancel) one of my PIM role activation requests that is still pending approval, by request id or by the role's name. Preview first, then confirm. No admin role; needs P2.",
    toolset: Toolset::Roles,
    permissions: &["RoleAssignmentSchedule.ReadWrite.Directory"],
    least_role: "none",
    access: Access::Write { tier: 1, idempotent: true },
    beta: false,
    default: false,
    examples: EXAMPLES,
};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelMyRoleRequestParams {
    /// The request id (from list_my_role_requests), or the role's name when one request for it
    /// is pending.
    pub request: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct CanceledRequest {
    pub request_id: String,
    pub role: String,
    /// The request's status read back (`Canceled`).
    pub status: String,
}

fn cancel(id: &str) -> GraphRequest {
    GraphRequest::post(format!("{REQUESTS}/{}/cancel", segment(id)), json!({}))
}

/// The caller's request the argument names, which must still be pending.
fn pick(requests: Vec<RoleRequest>, given: &str) -> Result<RoleRequest, SkillError> {
    let pending_list = |requests: &[RoleRequest]| {
        let pending: Vec<String> =
            requests.iter().filter(|r| r.is_pending()).map(|r| format!("{} ({})", r.role_name(), r.id)).collect();
        if pending.is_empty() {
            "you have no pending request".to_string()
        } else {
            format!("pending: {}", pending.join(", "))
        }
    };
    if let Some(id) = guid(given) {
        let id = id.to_string();
        let Some(found) = requests.iter().find(|r| r.id.eq_ignore_ascii_case(&id)) else {
            return Err(SkillError::not_found(format!("request {id} of yours"), "list_my_role_requests")
                .with_remedy(format!("{}; list them with list_my_role_requests", pending_list(&requests))));
        };
        if !found.is_pending() {
            return Err(SkillError::invalid_value(
                "request",
                format!(
                    "request {id} ({}) is {}, not pending; only a request waiting for approval can be withdrawn",
                    found.role_name(),
                    found.status.as_deref().unwrap_or("unknown")
                ),
                &format!("a pending request's id or role name — {}", pending_list(&requests)),
            ));
        }
        return Ok(found.clone());
    }
    let mut matching: Vec<RoleRequest> =
        requests.iter().filter(|r| r.is_pending() && same_role_name(&r.role_name(), given)).cloned().collect();
    match matching.len() {
        1 => Ok(matching.remove(0)),
        0 => Err(SkillError::new(
            ErrorKind::NotFound,
            format!("no pending request of yours for a role named '{}'", shorten(given)),
        )
        .with_remedy(pending_list(&requests))),
        n => Err(SkillError::new(
            ErrorKind::Ambiguous,
            format!(
                "{n} pending requests are for {}: {}",
                matching[0].role_name(),
                matching.iter().map(|r| r.id.as_str()).collect::<Vec<_>>().join(", ")
            ),
        )
        .with_remedy("call again with the request id as `request`")),
    }
}

async fn prepare(ctx: Ctx, p: Arc<CancelMyRoleRequestParams>) -> Result<WritePlan, SkillError> {
    let given = p.request.trim();
    if given.is_empty() || given.chars().count() > 256 {
        return Err(SkillError::invalid("request", "a request id or the role name of your pending request"));
    }
    let requests = pim::my_requests(&ctx, 500).await?.items;
    let request = pick(requests, given)?;
    let role = request.role_name();
    let created = request.created_date_time.as_deref().map(short_time).unwrap_or_default();
    Ok(WritePlan {
        targets: vec![WriteTarget {
            name: format!("request for {role} ({created} UTC)"),
            id: request.id.clone(),
            state: json!({"status": request.status}),
        }],
        requests: vec![cancel(&request.id).describe()],
        effect: format!("withdraws your pending request to activate {role}; the approvers no longer see it"),
        undo: format!("ask again with activate_my_role (role {role})"),
        tier: 1,
        confirm_target: None,
    })
}

async fn apply(ctx: Ctx, _p: Arc<CancelMyRoleRequestParams>, plan: WritePlan) -> Result<CanceledRequest, SkillError> {
    let target = plan.targets.first().ok_or_else(|| SkillError::new(ErrorKind::Upstream, "no request to cancel"))?;
    ctx.graph.write(cancel(&target.id)).await?;
    let read = GraphRequest::get(format!("{REQUESTS}/{}", segment(&target.id))).query(
        Query::new().select(&["id", "status", "roleDefinitionId"]).expand("roleDefinition($select=id,displayName)"),
    );
    let after: Option<RoleRequest> = ctx.optional("read-back", ctx.graph.get(read).await);
    let role = after.as_ref().map(RoleRequest::role_name).unwrap_or_else(|| target.name.clone());
    Ok(CanceledRequest {
        request_id: target.id.clone(),
        role,
        status: after.and_then(|r| r.status).unwrap_or_else(|| "Canceled".into()),
    })
}

impl Render for CanceledRequest {
    fn markdown(&self) -> String {
        fields(&[
            ("withdrawn", Some(format!("request for {}", self.role))),
            ("status", Some(self.status.clone())),
            ("request id", Some(self.request_id.clone())),
        ])
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Withdraw my pending Conditional Access Administrator request",
        args: r#"{"request":"Conditional Access Administrator"}"#,
        facts: &[
            Fact::Every("pending_confirmation", "true"),
            Fact::Every("targets/0/state/status", "PendingApproval"),
            Fact::Some("requests/*", "~/cancel"),
            Fact::Says("withdraws your pending request to activate Conditional Access Administrator"),
        ],
    },
    Example {
        question: "Cancel my User Administrator request",
        args: r#"{"request":"User Administrator"}"#,
        facts: &[Fact::Fails(ErrorKind::NotFound), Fact::Says("Conditional Access Administrator")],
    },
];

pub fn skill() -> Skill {
    Skill::write(CANCEL_MY_ROLE_REQUEST, prepare, apply)
}
