//! `count_users`: how many users, and how they split by department, member or guest, enabled,
//! or licensed. Graph counts what it can filter on (`/users/$count`); departments it cannot
//! enumerate, so that breakdown pages a minimal `$select` up to a stated cap.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::graph::resources::User;
use crate::graph::{GraphRequest, Query};
use crate::odata::Expr;
use crate::render::{fields, table};
use crate::shared::*;
use crate::skill::{Access, Ctx, Declaration, Example, Fact, Render, Skill, SkillError, Toolset};

const COUNT_USERS: Declaration = Declaration {
    name: "count_users",
    title: "Count users",
    description: "How many users the tenant has, optionally only members or guests, enabled or disabled, or one department; broken down by department, user type, enabled, or licensed vs unlicensed. Says whether Graph counted or the users were paged. Any member.",
    toolset: Toolset::Users,
    permissions: &["User.Read.All"],
    least_role: "none",
    access: Access::Read,
    beta: false,
    default: false,
    examples: EXAMPLES,
};

/// The users a department breakdown reads at most.
const PAGED_CAP: usize = 10_000;

#[derive(Debug, Clone, Copy, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Breakdown {
    Department,
    UserType,
    Enabled,
    Licensed,
}

#[derive(Debug, Clone, Copy, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum UserType {
    Member,
    Guest,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CountUsersParams {
    /// Split the total by this.
    pub by: Option<Breakdown>,
    /// Count only members or only guests.
    pub user_type: Option<UserType>,
    /// Count only enabled (true) or disabled (false) accounts.
    pub enabled: Option<bool>,
    /// Count only this department (exact).
    pub department: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct CountRow {
    /// The department, `member`/`guest`, `enabled`/`disabled`, or `licensed`/`unlicensed`;
    /// `(none)` for users without a department.
    pub value: String,
    pub count: u64,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct UserCounts {
    /// Users matching the scope, as Graph counts them.
    pub total: u64,
    /// The scope counted, in words (`all users`, `guests, enabled`).
    pub scope: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    pub breakdown: Vec<CountRow>,
    /// `count` (Graph's `/users/$count` per value) or `paged` (users read and tallied here).
    pub method: String,
    /// Every user in scope is in the breakdown.
    pub complete: bool,
    /// Users tallied, for a paged breakdown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub users_read: Option<u64>,
}

/// A `/users/$count` request: always an advanced query (`ConsistencyLevel: eventual`).
fn count_request(filter: Option<Expr>) -> GraphRequest {
    GraphRequest::get("/users/$count").query(Query::new().filter_opt(filter)).eventual()
}

fn and(scope: &[Expr], extra: Expr) -> Option<Expr> {
    Expr::conjunction(scope.iter().cloned().chain([extra]))
}

async fn count_users(ctx: Ctx, p: CountUsersParams) -> Result<UserCounts, SkillError> {
    let mut scope: Vec<Expr> = Vec::new();
    let mut words: Vec<String> = Vec::new();
    if let Some(kind) = p.user_type {
        let (graph, word) = if kind == UserType::Guest { ("Guest", "guests") } else { ("Member", "members") };
        scope.push(Expr::eq("userType", graph));
        words.push(word.into());
    }
    if let Some(enabled) = p.enabled {
        scope.push(Expr::eq("accountEnabled", enabled));
        words.push(if enabled { "enabled" } else { "disabled" }.into());
    }
    if let Some(department) = &p.department {
        let department = text("department", department, 120)?;
        words.push(format!("department {department}"));
        scope.push(Expr::eq("department", department));
    }
    let scope_words = if words.is_empty() { "all users".to_string() } else { words.join(", ") };
    let total_request = count_request(Expr::conjunction(scope.iter().cloned()));

    // Values Graph can count directly, each with its own filter.
    let countable: Option<Vec<(&str, Expr)>> = match p.by {
        Some(Breakdown::UserType) => {
            Some(vec![("member", Expr::eq("userType", "Member")), ("guest", Expr::eq("userType", "Guest"))])
        }
        Some(Breakdown::Enabled) => {
            Some(vec![("enabled", Expr::eq("accountEnabled", true)), ("disabled", Expr::eq("accountEnabled", false))])
        }
        Some(Breakdown::Licensed) => Some(vec![
            ("licensed", Expr::ne("assignedLicenses/$count", 0i64)),
            ("unlicensed", Expr::eq("assignedLicenses/$count", 0i64)),
        ]),
        _ => None,
    };

    let (total, breakdown, method, complete, users_read) = match (p.by, countable) {
        (_, Some(values)) => {
            let requests = values.iter().map(|(_, filter)| ctx.graph.count(count_request(and(&scope, filter.clone()))));
            let (total, counts) = tokio::join!(ctx.graph.count(total_request), futures::future::join_all(requests));
            let mut rows = Vec::new();
            for ((value, _), count) in values.iter().zip(counts) {
                rows.push(CountRow { value: value.to_string(), count: count? });
            }
            (total?, rows, "count", true, None)
        }
        (Some(Breakdown::Department), None) => {
            let page_size = 999;
            let list = GraphRequest::get("/users").query(
                Query::new()
                    .select(&["id", "department"])
                    .filter_opt(Expr::conjunction(scope.iter().cloned()))
                    .top(page_size),
            );
            let (total, page) = tokio::join!(ctx.graph.count(total_request), ctx.graph.list::<User>(list, PAGED_CAP));
            let (total, page) = (total?, page?);
            let mut tally: BTreeMap<String, u64> = BTreeMap::new();
            for user in &page.items {
                let department = user.department.as_deref().map(str::trim).filter(|d| !d.is_empty());
                *tally.entry(department.unwrap_or("(none)").to_string()).or_default() += 1;
            }
            let mut rows: Vec<CountRow> = tally.into_iter().map(|(value, count)| CountRow { value, count }).collect();
            rows.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
            let read = page.items.len() as u64;
            let complete = !page.more && read >= total;
            if !complete {
                ctx.note(format!(
                    "department breakdown covers the first {read} of {total} users (it reads at most {PAGED_CAP}); narrow with `user_type`, `enabled` or `department`"
                ));
            }
            (total, rows, "paged", complete, Some(read))
        }
        _ => (ctx.graph.count(total_request).await?, Vec::new(), "count", true, None),
    };
    Ok(UserCounts {
        total,
        scope: scope_words,
        by: p.by.map(|b| {
            match b {
                Breakdown::Department => "department",
                Breakdown::UserType => "user_type",
                Breakdown::Enabled => "enabled",
                Breakdown::Licensed => "licensed",
            }
            .to_string()
        }),
        breakdown,
        method: method.to_string(),
        complete,
        users_read,
    })
}

impl Render for UserCounts {
    fn markdown(&self) -> String {
        let how = match (self.method.as_str(), self.complete, self.users_read) {
            ("paged", true, Some(read)) => format!("paged ({read} users read, complete)"),
            ("paged", false, Some(read)) => format!("paged ({read} users read, incomplete)"),
            (method, _, _) => format!("{method} (Graph counted)"),
        };
        let head = fields(&[
            ("users", Some(self.total.to_string())),
            ("scope", Some(self.scope.clone())),
            ("by", self.by.clone()),
            ("method", Some(how)),
        ]);
        if self.breakdown.is_empty() {
            return head;
        }
        let rows: Vec<Vec<String>> =
            self.breakdown.iter().map(|r| vec![r.value.clone(), r.count.to_string()]).collect();
        format!("{head}\n{}", table(&[self.by.as_deref().unwrap_or("value"), "users"], &rows))
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "How many users do we have per department?",
        args: r#"{"by":"department"}"#,
        facts: &[
            Fact::AtLeast("total", 85),
            Fact::Some("breakdown/*/value", "Finance"),
            Fact::Some("breakdown/*/value", "(none)"),
            Fact::Every("method", "paged"),
            Fact::Every("complete", "true"),
            Fact::Says("Operations"),
        ],
    },
    Example {
        question: "Count licensed versus unlicensed enabled members",
        args: r#"{"by":"licensed","user_type":"member","enabled":true}"#,
        facts: &[
            Fact::Every("method", "count"),
            Fact::Some("breakdown/*/value", "unlicensed"),
            Fact::AtLeast("breakdown/0/count", 50),
            Fact::Every("scope", "members, enabled"),
        ],
    },
    Example {
        question: "How many guest accounts versus members are in the directory?",
        args: r#"{"by":"user_type"}"#,
        facts: &[Fact::Some("breakdown/*/value", "guest"), Fact::AtLeast("breakdown/1/count", 25)],
    },
    Example {
        question: "Count users in a department named with control characters",
        args: r#"{"department":"Fin\u0000ance"}"#,
        facts: &[Fact::Fails(crate::skill::ErrorKind::InvalidInput), Fact::Says("`department`")],
    },
];

pub fn skill() -> Skill {
    Skill::new(COUNT_USERS, count_users)
}
