//! `search_users`: users by name, type, department, company, state, creation or inactivity.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::graph::resources::User;
use crate::graph::{GraphRequest, Query};
use crate::odata::{Expr, Literal};
use crate::render::{or_dash, short_time, table, yes_no};
use crate::shared::*;
use crate::skill::{Access, Ctx, Declaration, Example, Fact, Render, Skill, SkillError, Toolset};

// search_users

const SEARCH_USERS: Declaration = Declaration {
    name: "search_users",
    title: "Search users",
    description: "Find users by name prefix, member or guest, department, company, enabled or disabled, created since, inactive since (no sign-in), or unlicensed. Use get_user for one known user. Reports Reader for inactivity.",
    toolset: Toolset::Users,
    permissions: &["User.Read.All", "AuditLog.Read.All"],
    least_role: "none (Reports Reader for inactivity)",
    access: Access::Read,
    beta: false,
    default: true,
    examples: EXAMPLES,
};

#[derive(Debug, Clone, Copy, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum UserType {
    Member,
    Guest,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SearchUsersParams {
    /// Start of display name, UPN or mail.
    pub name: Option<String>,
    pub user_type: Option<UserType>,
    /// Any of these departments (exact).
    pub department: Option<Vec<String>>,
    /// Company name (exact).
    pub company: Option<String>,
    pub enabled: Option<bool>,
    /// Created after this time.
    pub created_since: Option<Since>,
    /// No sign-in since this time; cannot be combined with other criteria.
    pub inactive_since: Option<Since>,
    /// Only users without any licence.
    pub unlicensed: Option<bool>,
    /// Only people whose leave date (`employeeLeaveDateTime`) has passed; with `enabled: true`,
    /// leavers whose account is still on.
    pub left: Option<bool>,
    #[serde(default)]
    pub limit: Limit,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct UserRow {
    pub id: String,
    pub display_name: Option<String>,
    pub upn: Option<String>,
    pub user_type: Option<String>,
    pub enabled: Option<bool>,
    pub department: Option<String>,
    pub created: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_sign_in: Option<String>,
    /// When the person left (`employeeLeaveDateTime`), if HR recorded it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub left: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct UserSearch {
    pub users: Vec<UserRow>,
    #[serde(flatten)]
    pub list: ListInfo,
}

async fn search_users(ctx: Ctx, p: SearchUsersParams) -> Result<UserSearch, SkillError> {
    let limit = p.limit.get()?;
    let mut clauses = Vec::new();
    if let Some(name) = &p.name {
        let name = text("name", name, 120)?;
        clauses.push(
            Expr::starts_with("displayName", name.clone())
                .or(Expr::starts_with("userPrincipalName", name.clone()))
                .or(Expr::starts_with("mail", name)),
        );
    }
    if let Some(kind) = p.user_type {
        clauses.push(Expr::eq("userType", if kind == UserType::Guest { "Guest" } else { "Member" }));
    }
    if let Some(departments) = &p.department {
        if departments.is_empty() || departments.len() > 15 {
            return Err(SkillError::invalid_value(
                "department",
                "needs 1 to 15 names",
                "a list of 1–15 department names",
            ));
        }
        let values = departments
            .iter()
            .map(|d| text("department", d, 120).map(Literal::String))
            .collect::<Result<Vec<_>, _>>()?;
        clauses.push(Expr::is_in("department", values));
    }
    if let Some(company) = &p.company {
        clauses.push(Expr::eq("companyName", text("company", company, 120)?));
    }
    if let Some(enabled) = p.enabled {
        clauses.push(Expr::eq("accountEnabled", enabled));
    }
    if let Some(since) = &p.created_since {
        clauses.push(Expr::ge("createdDateTime", since.resolve("created_since", ctx.now)?));
    }
    if p.unlicensed == Some(true) {
        clauses.push(Expr::eq("assignedLicenses/$count", 0i64));
    }
    if p.left == Some(true) {
        clauses.push(Expr::le("employeeLeaveDateTime", ctx.now));
    }
    let inactive = match &p.inactive_since {
        Some(_) if !clauses.is_empty() => {
            return Err(SkillError::invalid_value(
                "inactive_since",
                "cannot be combined with other criteria (Graph filters sign-in activity alone)",
                "`inactive_since` on its own, then narrow the answer",
            ));
        }
        Some(since) => Some(since.resolve("inactive_since", ctx.now)?),
        None => None,
    };

    let mut select =
        vec!["id", "displayName", "userPrincipalName", "userType", "accountEnabled", "department", "createdDateTime"];
    if p.left == Some(true) {
        select.push("employeeLeaveDateTime");
    }
    let mut query = Query::new();
    if let Some(t) = inactive {
        select.push("signInActivity");
        query = query.filter(Expr::le("signInActivity/lastSignInDateTime", t));
    } else {
        // `$count` (and with it `$orderby` next to `$filter`) are advanced queries on users.
        query = query.filter_opt(Expr::conjunction(clauses)).count().orderby("displayName");
    }
    let query = query.select(&select).top(limit.min(999));
    let mut request = GraphRequest::get("/users").query(query);
    if inactive.is_none() {
        request = request.eventual();
    }
    let page = ctx.graph.list::<User>(request, limit).await?;
    let users: Vec<UserRow> = page
        .items
        .into_iter()
        .map(|u| UserRow {
            id: u.id,
            display_name: u.display_name,
            upn: u.user_principal_name,
            user_type: u.user_type,
            enabled: u.account_enabled,
            department: u.department,
            created: u.created_date_time,
            last_sign_in: u.sign_in_activity.and_then(|a| a.last_sign_in_date_time),
            left: u.employee_leave_date_time,
        })
        .collect();
    let list = ListInfo::new(users.len(), page.total, page.more, "`name`, `department`, `user_type` or `enabled`");
    Ok(UserSearch { users, list })
}

impl Render for UserSearch {
    fn rows(&self) -> Option<usize> {
        Some(self.users.len())
    }

    fn cut_to(&mut self, rows: usize) {
        self.users.truncate(rows);
        self.list.cut(rows);
    }

    fn markdown(&self) -> String {
        let with_activity = self.users.iter().any(|u| u.last_sign_in.is_some());
        let with_leave = self.users.iter().any(|u| u.left.is_some());
        let mut headers = vec!["name", "upn", "type", "enabled", "department", "id"];
        if with_activity {
            headers.push("last sign-in (UTC)");
        }
        if with_leave {
            headers.push("left (UTC)");
        }
        let rows: Vec<Vec<String>> = self
            .users
            .iter()
            .map(|u| {
                let mut row = vec![
                    or_dash(&u.display_name),
                    or_dash(&u.upn),
                    or_dash(&u.user_type),
                    yes_no(u.enabled).unwrap_or_default(),
                    or_dash(&u.department),
                    u.id.clone(),
                ];
                if with_activity {
                    row.push(u.last_sign_in.as_deref().map(short_time).unwrap_or_else(|| "never".into()));
                }
                if with_leave {
                    row.push(u.left.as_deref().map(short_time).unwrap_or_else(|| "-".into()));
                }
                row
            })
            .collect();
        let total = self.list.total.map(|t| format!(" of {t}")).unwrap_or_default();
        format!("{} users{total}\n{}{}", self.list.returned, table(&headers, &rows), self.list.footer())
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Find users named Karita",
        args: r#"{"name":"Karita"}"#,
        facts: &[Fact::Some("users/*/upn", "karita@woodgrovebank.com")],
    },
    Example {
        question: "Which guest users do we have?",
        args: r#"{"user_type":"guest","limit":100}"#,
        facts: &[Fact::Every("users/*/user_type", "Guest"), Fact::AtLeast("users/*", 20), Fact::AtLeast("total", 20)],
    },
    Example {
        question: "Find Siobhan O'Brien (a quote in a name)",
        args: r#"{"name":"Siobhan O'Brien"}"#,
        facts: &[Fact::Every("users/*/display_name", "Siobhan O'Brien"), Fact::Count("users/*", 1)],
    },
    Example {
        question: "Search with an injection attempt in the name",
        args: r#"{"name":"x' or userType eq 'Guest"}"#,
        facts: &[Fact::Every("returned", "0")],
    },
    Example {
        question: "Which accounts are disabled?",
        args: r#"{"enabled":false,"limit":50}"#,
        facts: &[Fact::AtLeast("returned", 6), Fact::Every("users/*/enabled", "false")],
    },
    Example {
        question: "Search for leavers whose user account was never disabled",
        args: r#"{"left":true,"enabled":true}"#,
        facts: &[
            Fact::Count("users/*", 1),
            Fact::Every("users/*/upn", "omar.farouk@woodgrovebank.com"),
            Fact::Every("users/*/enabled", "true"),
            Fact::Says("left (UTC)"),
        ],
    },
];

pub fn skill() -> Skill {
    Skill::new(SEARCH_USERS, search_users)
}
