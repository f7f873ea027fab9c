//! `list_deleted_users`: users in the recycle bin, when each was deleted and how long is left
//! to restore them before Entra deletes them for good (30 days).

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::graph::{GraphRequest, Query};
use crate::odata::Expr;
use crate::render::{or_dash, short_time, table};
use crate::shared::*;
use crate::skill::{Access, Ctx, Declaration, Example, Fact, Render, Skill, SkillError, Toolset};

const LIST_DELETED_USERS: Declaration = Declaration {
    name: "list_deleted_users",
    title: "List deleted users (recycle bin)",
    description: "Users deleted in the last 30 days and still restorable from the recycle bin: when each was deleted and how many days are left before permanent deletion. Directory Readers.",
    toolset: Toolset::Users,
    permissions: &["User.Read.All"],
    least_role: "Directory Readers",
    access: Access::Read,
    beta: false,
    default: false,
    examples: EXAMPLES,
};

/// Days a deleted user stays restorable.
const RETENTION_DAYS: i64 = 30;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListDeletedUsersParams {
    /// Start of the display name.
    pub name: Option<String>,
    #[serde(default)]
    pub limit: Limit,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct DeletedUserRow {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// The UPN as deleted (Entra prefixes the object id so the name can be reused).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mail: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deleted: Option<String>,
    /// Days until permanent deletion (0: today).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub days_left: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub purged_after: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct DeletedUsers {
    pub users: Vec<DeletedUserRow>,
    #[serde(flatten)]
    pub list: ListInfo,
}

async fn list_deleted_users(ctx: Ctx, p: ListDeletedUsersParams) -> Result<DeletedUsers, SkillError> {
    let limit = p.limit.get()?;
    let filter = match &p.name {
        Some(name) => Some(Expr::starts_with("displayName", text("name", name, 120)?)),
        None => None,
    };
    // The recycle bin is read as an advanced query: `$count` needs `ConsistencyLevel`.
    let request = GraphRequest::get("/directory/deletedItems/microsoft.graph.user")
        .query(
            Query::new()
                .select(&["id", "displayName", "userPrincipalName", "mail", "department", "deletedDateTime"])
                .filter_opt(filter)
                .count()
                .top(limit.min(999)),
        )
        .eventual();
    let page = ctx.graph.list::<Deleted>(request, limit).await?;
    let mut users: Vec<DeletedUserRow> = page
        .items
        .into_iter()
        .map(|d| {
            let deleted =
                d.deleted_date_time.as_deref().and_then(|t| DateTime::parse_from_rfc3339(t).ok()).map(|t| t.to_utc());
            let purge = deleted.map(|t| t + Duration::days(RETENTION_DAYS));
            DeletedUserRow {
                id: d.id,
                display_name: d.display_name,
                upn: d.user_principal_name,
                mail: d.mail,
                department: d.department,
                days_left: purge.map(|t| days_until(t, ctx.now)),
                purged_after: purge.map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true)),
                deleted: d.deleted_date_time,
            }
        })
        .collect();
    // Soonest to be purged first: those are the ones to act on.
    users.sort_by_key(|u| u.days_left.unwrap_or(i64::MAX));
    let list = ListInfo::new(users.len(), page.total, page.more, "`name`");
    Ok(DeletedUsers { users, list })
}

/// Whole days from `now` until `t`, never negative.
fn days_until(t: DateTime<Utc>, now: DateTime<Utc>) -> i64 {
    ((t - now).num_hours().max(0) + 23) / 24
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct Deleted {
    id: String,
    display_name: Option<String>,
    user_principal_name: Option<String>,
    mail: Option<String>,
    department: Option<String>,
    deleted_date_time: Option<String>,
}

impl Render for DeletedUsers {
    fn rows(&self) -> Option<usize> {
        Some(self.users.len())
    }

    fn cut_to(&mut self, rows: usize) {
        self.users.truncate(rows);
        self.list.cut(rows);
    }

    fn markdown(&self) -> String {
        let rows: Vec<Vec<String>> = self
            .users
            .iter()
            .map(|u| {
                vec![
                    or_dash(&u.display_name),
                    or_dash(&u.mail),
                    or_dash(&u.department),
                    u.deleted.as_deref().map(short_time).unwrap_or_else(|| "-".into()),
                    u.days_left.map(|d| d.to_string()).unwrap_or_else(|| "-".into()),
                    u.id.clone(),
                ]
            })
            .collect();
        let total = self.list.total.map(|t| format!(" of {t}")).unwrap_or_default();
        format!(
            "{} deleted users{total} (restorable for {RETENTION_DAYS} days)\n{}{}",
            self.list.returned,
            table(&["name", "mail", "department", "deleted (UTC)", "days left", "id"], &rows),
            self.list.footer()
        )
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Which users were deleted recently and can still be restored from the recycle bin?",
        args: r#"{}"#,
        facts: &[
            Fact::Count("users/*", 2),
            Fact::Every("users/0/display_name", "Megan Flores"),
            Fact::Every("users/0/days_left", "5"),
            Fact::Some("users/*/display_name", "Chris Palmer"),
            Fact::Says("days left"),
        ],
    },
    Example {
        question: "Is Chris Palmer still in the deleted users recycle bin?",
        args: r#"{"name":"Chris"}"#,
        facts: &[Fact::Count("users/*", 1), Fact::Every("users/*/days_left", "18")],
    },
    Example {
        question: "Deleted users in the recycle bin, with a limit out of range",
        args: r#"{"limit":0}"#,
        facts: &[Fact::Fails(crate::skill::ErrorKind::InvalidInput), Fact::Says("`limit`")],
    },
];

pub fn skill() -> Skill {
    Skill::new(LIST_DELETED_USERS, list_deleted_users)
}
