//! `list_user_access_package_assignments`: the access packages a user holds (state, policy,
//! start, end) and their requests that are waiting for approval or were denied.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::graph::{GraphRequest, Query};
use crate::odata::Expr;
use crate::render::{fields, short_time, table};
use crate::shared::*;
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset};

use super::entitlement_model::{Assignment, EM, NamedRef, Request, days_until, label, snake};

const LIST_USER_ACCESS_PACKAGE_ASSIGNMENTS: Declaration = Declaration {
    name: "list_user_access_package_assignments",
    title: "List a user's access package assignments",
    description: "The access packages one user holds through entitlement management (delivered, expired or failed, the policy that granted each, start and end, days left) and their access package requests waiting for approval or denied. For a package's own rules use get_access_package. Needs P2 or ID Governance; Identity Governance Administrator.",
    toolset: Toolset::Governance,
    permissions: &["EntitlementManagement.Read.All", "User.Read.All"],
    least_role: "Identity Governance Administrator",
    access: Access::Read,
    beta: false,
    default: false,
    examples: EXAMPLES,
};

/// Requests in each state read to find the user's (Graph filters requests by state and package,
/// not by requestor).
const REQUEST_CAP: usize = 300;
/// Requests waiting for approval, and requests denied.
const REQUEST_STATES: [&str; 2] = ["pendingApproval", "denied"];

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListUserAccessPackageAssignmentsParams {
    pub user: UserRef,
    /// Also list expired assignments (default: only current ones).
    #[serde(default)]
    pub include_expired: bool,
    #[serde(default)]
    pub limit: Limit,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct AssignmentRow {
    pub id: String,
    pub access_package: Option<NamedRef>,
    /// The policy it was granted through.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy: Option<NamedRef>,
    /// `delivered`, `delivering`, `partially_delivered`, `expired`, `delivery_failed`.
    pub state: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub started: Option<String>,
    /// When it ends (or ended); absent when it never expires.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ends: Option<String>,
    /// Days until it ends, to the nearest day; negative once ended.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub days_left: Option<i64>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct RequestRow {
    pub id: String,
    pub access_package: Option<NamedRef>,
    /// `pending_approval` or `denied`.
    pub state: String,
    /// `user_add`, `admin_add`, `user_remove`, …
    pub request_type: String,
    pub created: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub completed: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct UserAccessPackages {
    pub user: PersonRef,
    pub assignments: Vec<AssignmentRow>,
    #[serde(flatten)]
    pub list: ListInfo,
    /// Requests waiting for approval or denied.
    pub requests: Vec<RequestRow>,
}

async fn read_assignments(
    ctx: &Ctx,
    user: &str,
    include_expired: bool,
    limit: usize,
) -> Result<(Vec<Assignment>, bool), SkillError> {
    let mut filter = Expr::eq("target/objectId", user);
    if !include_expired {
        // Graph filters `state` with `eq` only.
        filter = filter.and(Expr::eq("state", "delivered"));
    }
    let query = Query::new()
        .select(&["id", "state", "status", "expiredDateTime", "schedule"])
        .filter(filter)
        .expand("accessPackage($select=id,displayName),assignmentPolicy($select=id,displayName)")
        .top(limit.min(999));
    let page = ctx.graph.list::<Assignment>(GraphRequest::get(format!("{EM}/assignments")).query(query), limit).await?;
    Ok((page.items, page.more))
}

/// The user's requests in one state, read with their requestor and matched here.
async fn read_requests(ctx: &Ctx, user: &str, state: &'static str) -> Result<(Vec<Request>, bool), SkillError> {
    let query = Query::new().filter(Expr::eq("state", state)).expand("requestor,accessPackage($select=id,displayName)");
    let page = ctx
        .graph
        .list::<Request>(GraphRequest::get(format!("{EM}/assignmentRequests")).query(query), REQUEST_CAP)
        .await?;
    let mine = page
        .items
        .into_iter()
        .filter(|r| {
            r.requestor.as_ref().and_then(|s| s.object_id.as_deref()).is_some_and(|id| id.eq_ignore_ascii_case(user))
        })
        .collect();
    Ok((mine, page.more))
}

async fn list_user_access_package_assignments(
    ctx: Ctx,
    p: ListUserAccessPackageAssignmentsParams,
) -> Result<UserAccessPackages, SkillError> {
    let limit = p.limit.get()?;
    let key = p.user.parse("user")?;
    let user = resolve_user(&ctx, &key).await?;
    let (assignments, pending, denied) = tokio::join!(
        read_assignments(&ctx, &user.id, p.include_expired, limit),
        read_requests(&ctx, &user.id, REQUEST_STATES[0]),
        read_requests(&ctx, &user.id, REQUEST_STATES[1]),
    );
    let (assignments, more) = assignments?;
    let mut requests = Vec::new();
    for (state, result) in REQUEST_STATES.iter().zip([pending, denied]) {
        if let Some((found, cut)) = ctx.optional(&format!("{} requests", snake(state).replace('_', " ")), result) {
            if cut {
                ctx.note(format!("only the newest {REQUEST_CAP} requests in state {state} were searched"));
            }
            requests.extend(found);
        }
    }
    let now = ctx.now;
    let assignments: Vec<AssignmentRow> = assignments
        .into_iter()
        .map(|a| {
            let ends = a.ends();
            AssignmentRow {
                access_package: NamedRef::from(&a.access_package),
                policy: NamedRef::from(&a.assignment_policy),
                state: snake(a.state.as_deref().unwrap_or("unknown")),
                started: a.starts(),
                days_left: ends.as_deref().and_then(|t| days_until(t, now)),
                ends,
                id: a.id,
            }
        })
        .collect();
    let requests = requests
        .into_iter()
        .map(|r| RequestRow {
            access_package: NamedRef::from(&r.access_package),
            state: snake(r.state.as_deref().unwrap_or("unknown")),
            request_type: snake(r.request_type.as_deref().unwrap_or("unknown")),
            created: r.created_date_time,
            completed: r.completed_date_time,
            id: r.id,
        })
        .collect();
    let narrow = if p.include_expired { "`include_expired: false`" } else { "`limit`" };
    let list = ListInfo::new(assignments.len(), (!more).then_some(assignments.len() as u64), more, narrow);
    Ok(UserAccessPackages { user, assignments, list, requests })
}

impl Render for UserAccessPackages {
    fn rows(&self) -> Option<usize> {
        Some(self.assignments.len())
    }

    fn cut_to(&mut self, rows: usize) {
        self.assignments.truncate(rows);
        self.list.cut(rows);
    }

    fn markdown(&self) -> String {
        let head = fields(&[
            ("user", self.user.display_name.clone()),
            ("upn", self.user.upn.clone()),
            ("id", Some(self.user.id.clone())),
        ]);
        let assignments: Vec<Vec<String>> = self
            .assignments
            .iter()
            .map(|a| {
                let left = match a.days_left {
                    Some(d) if d < 0 => "ended".to_string(),
                    Some(d) if d <= 7 => format!("{d} (expiring soon)"),
                    Some(d) => d.to_string(),
                    None => "never expires".to_string(),
                };
                vec![
                    label(&a.access_package),
                    a.state.clone(),
                    label(&a.policy),
                    a.started.as_deref().map(short_time).unwrap_or_else(|| "-".into()),
                    a.ends.as_deref().map(short_time).unwrap_or_else(|| "-".into()),
                    left,
                    a.id.clone(),
                ]
            })
            .collect();
        let requests: Vec<Vec<String>> = self
            .requests
            .iter()
            .map(|r| {
                vec![
                    label(&r.access_package),
                    r.state.clone(),
                    r.request_type.clone(),
                    r.created.as_deref().map(short_time).unwrap_or_else(|| "-".into()),
                    r.completed.as_deref().map(short_time).unwrap_or_else(|| "-".into()),
                    r.id.clone(),
                ]
            })
            .collect();
        format!(
            "{head}\n\naccess package assignments ({})\n{}{}\n\nrequests pending or denied ({})\n{}",
            self.list.returned,
            table(
                &["access package", "state", "policy", "started (UTC)", "ends (UTC)", "days left", "id"],
                &assignments
            ),
            self.list.footer(),
            self.requests.len(),
            table(&["access package", "state", "type", "created (UTC)", "completed (UTC)", "id"], &requests),
        )
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Which access packages does Karita hold, and were any of her requests denied?",
        args: r#"{"user":"karita@woodgrovebank.com"}"#,
        facts: &[
            Fact::Count("assignments/*", 1),
            Fact::Every("assignments/*/access_package/display_name", "Finance Analyst Toolkit"),
            Fact::Every("assignments/*/state", "delivered"),
            Fact::Every("assignments/*/policy/display_name", "Finance staff"),
            Fact::Some("requests/*/state", "denied"),
            Fact::Some("requests/*/access_package/display_name", "Sales Enablement"),
        ],
    },
    Example {
        question: "When does the Fabrikam guest Tariq Aziz lose his partner access package?",
        args: r#"{"user":"tariq.aziz_fabrikampartners.com#EXT#@woodgrovebank.onmicrosoft.com"}"#,
        facts: &[
            Fact::Every("assignments/*/access_package/display_name", "Sales Partner Access"),
            Fact::Every("assignments/*/days_left", "5"),
            Fact::Says("expiring soon"),
        ],
    },
    Example {
        question: "Is the partner Rosa Mendez still waiting for approval of her access package request?",
        args: r#"{"user":"rosa.mendez_fabrikampartners.com#EXT#@woodgrovebank.onmicrosoft.com"}"#,
        facts: &[
            Fact::Count("assignments/*", 0),
            Fact::Every("requests/*/state", "pending_approval"),
            Fact::Every("requests/*/access_package/display_name", "Sales Partner Access"),
        ],
    },
    Example {
        question: "Show Laura Bianchi's expired access package assignments too",
        args: r#"{"user":"laura.bianchi_fabrikampartners.com#EXT#@woodgrovebank.onmicrosoft.com","include_expired":true}"#,
        facts: &[Fact::Every("assignments/*/state", "expired"), Fact::Says("| ended |")],
    },
    Example {
        question: "Access packages of a user given by a bad reference",
        args: r#"{"user":"karita"}"#,
        facts: &[Fact::Fails(ErrorKind::InvalidInput)],
    },
];

pub fn skill() -> Skill {
    Skill::new(LIST_USER_ACCESS_PACKAGE_ASSIGNMENTS, list_user_access_package_assignments)
}
