//! `list_my_role_requests`: the caller's own PIM requests for directory roles — activations,
//! deactivations — with their status (waiting for approval, provisioned, revoked, canceled …),
//! justification, ticket and schedule, newest first.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::render::{or_dash, short_time, table, trim};
use crate::shared::{Limit, ListInfo};
use crate::skill::{Access, Ctx, Declaration, Example, Fact, Render, Skill, SkillError, Toolset};

use super::pim::{self, RoleRequest, iso_minutes, minutes_text};

const LIST_MY_ROLE_REQUESTS: Declaration = Declaration {
    name: "list_my_role_requests",
    title: "My PIM role requests",
    description: "My own PIM requests for directory roles (activations, deactivations) and their status: pending approval, provisioned, revoked, canceled, denied; with justification, ticket, start and duration, newest first. Any member; needs P2.",
    toolset: Toolset::Roles,
    permissions: &["RoleAssignmentSchedule.Read.Directory"],
    least_role: "none",
    access: Access::Read,
    beta: false,
    default: false,
    examples: EXAMPLES,
};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListMyRoleRequestsParams {
    /// Only requests still waiting (pending approval or scheduling).
    pub pending_only: Option<bool>,
    #[serde(default)]
    pub limit: Limit,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct MyRoleRequestRow {
    /// The request id (for cancel_my_role_request).
    pub id: String,
    /// `selfActivate`, `selfDeactivate`, `selfExtend` …
    pub action: Option<String>,
    pub role: String,
    pub role_id: Option<String>,
    /// `PendingApproval`, `Provisioned`, `Revoked`, `Canceled`, `Denied`, `Failed` …
    pub status: Option<String>,
    pub created: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub completed: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub justification: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ticket: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    /// ISO 8601 (`PT1H`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct MyRoleRequests {
    pub requests: Vec<MyRoleRequestRow>,
    /// Requests still waiting for approval.
    pub pending: usize,
    #[serde(flatten)]
    pub list: ListInfo,
}

fn row(r: RoleRequest) -> MyRoleRequestRow {
    let ticket = r.ticket_info.as_ref().and_then(|t| {
        let number = t.ticket_number.as_deref().filter(|n| !n.is_empty())?;
        Some(match t.ticket_system.as_deref().filter(|s| !s.is_empty()) {
            Some(system) => format!("{number} ({system})"),
            None => number.to_string(),
        })
    });
    let schedule = r.schedule_info.clone().unwrap_or_default();
    MyRoleRequestRow {
        role: r.role_name(),
        id: r.id,
        action: r.action,
        role_id: r.role_definition_id,
        status: r.status,
        created: r.created_date_time,
        completed: r.completed_date_time,
        justification: r.justification.map(|j| trim(&j, 200)),
        ticket,
        start: schedule.start_date_time,
        duration: schedule.expiration.and_then(|e| e.duration),
    }
}

async fn list_my_role_requests(ctx: Ctx, p: ListMyRoleRequestsParams) -> Result<MyRoleRequests, SkillError> {
    let limit = p.limit.get()?;
    // The caller's requests are few; read them all and sort here (newest first).
    let page = pim::my_requests(&ctx, 500).await?;
    let mut requests: Vec<RoleRequest> = page.items;
    let pending = requests.iter().filter(|r| r.is_pending()).count();
    if p.pending_only == Some(true) {
        requests.retain(RoleRequest::is_pending);
    }
    requests.sort_by(|a, b| b.created_date_time.cmp(&a.created_date_time));
    let total = requests.len();
    requests.truncate(limit);
    let rows: Vec<MyRoleRequestRow> = requests.into_iter().map(row).collect();
    let list = ListInfo::new(rows.len(), Some(total as u64), page.more, "`pending_only` or `limit`");
    Ok(MyRoleRequests { requests: rows, pending, list })
}

impl Render for MyRoleRequests {
    fn rows(&self) -> Option<usize> {
        Some(self.requests.len())
    }

    fn cut_to(&mut self, rows: usize) {
        self.requests.truncate(rows);
        self.list.cut(rows);
    }

    fn markdown(&self) -> String {
        let rows: Vec<Vec<String>> = self
            .requests
            .iter()
            .map(|r| {
                vec![
                    r.role.clone(),
                    or_dash(&r.action),
                    or_dash(&r.status),
                    r.created.as_deref().map(short_time).unwrap_or_else(|| "-".into()),
                    r.duration.as_deref().and_then(iso_minutes).map(minutes_text).unwrap_or_else(|| "-".into()),
                    or_dash(&r.justification),
                    or_dash(&r.ticket),
                    r.id.clone(),
                ]
            })
            .collect();
        format!(
            "{} requests, {} pending approval\n{}{}",
            self.list.returned,
            self.pending,
            table(
                &["role", "action", "status", "created (UTC)", "duration", "justification", "ticket", "request id"],
                &rows
            ),
            self.list.footer()
        )
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Show my PIM role requests and whether any is still waiting for approval",
        args: r#"{}"#,
        facts: &[
            Fact::Some("requests/*/role", "Conditional Access Administrator"),
            Fact::Some("requests/*/status", "PendingApproval"),
            Fact::Every("pending", "1"),
            Fact::Says("PendingApproval"),
        ],
    },
    Example {
        question: "Which of my role activation requests are pending?",
        args: r#"{"pending_only":true}"#,
        facts: &[Fact::Every("requests/*/status", "PendingApproval"), Fact::Count("requests/*", 1)],
    },
    Example {
        question: "My role requests with an impossible limit",
        args: r#"{"limit":0}"#,
        facts: &[Fact::Fails(crate::skill::ErrorKind::InvalidInput)],
    },
];

pub fn skill() -> Skill {
    Skill::new(LIST_MY_ROLE_REQUESTS, list_my_role_requests)
}
