//! `list_deleted_groups`: groups in the recycle bin, when each was deleted and how many days are
//! left to restore it before Entra deletes it for good (30 days after deletion).

use chrono::{DateTime, Duration, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::graph::resources::Group;
use crate::graph::{GraphRequest, Query};
use crate::odata::Expr;
use crate::render::{or_dash, short_time, table};
use crate::shared::*;
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset};

const LIST_DELETED_GROUPS: Declaration = Declaration {
    name: "list_deleted_groups",
    title: "List deleted groups",
    description: "Groups deleted in the last 30 days and still restorable from the recycle bin: when each was deleted and how many days are left before it is gone for good. Directory Readers.",
    toolset: Toolset::Groups,
    permissions: &["Group.Read.All"],
    least_role: "Directory Readers",
    access: Access::Read,
    beta: false,
    default: false,
    examples: EXAMPLES,
};

/// Entra keeps a deleted group restorable for 30 days.
const RETENTION_DAYS: i64 = 30;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListDeletedGroupsParams {
    /// Start of the display name.
    pub name: Option<String>,
    #[serde(default)]
    pub limit: Limit,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct DeletedGroupRow {
    pub id: String,
    pub display_name: Option<String>,
    /// `security`, `microsoft365`, `mail_enabled_security`, `distribution`.
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mail: Option<String>,
    pub deleted: Option<String>,
    /// When Entra deletes it for good (UTC).
    pub purge_after: Option<String>,
    /// Whole days left to restore it.
    pub days_left: Option<i64>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct DeletedGroups {
    pub groups: Vec<DeletedGroupRow>,
    #[serde(flatten)]
    pub list: ListInfo,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct DeletedGroup {
    #[serde(flatten)]
    group: Group,
    #[serde(rename = "deletedDateTime")]
    deleted_date_time: Option<String>,
}

async fn list_deleted_groups(ctx: Ctx, p: ListDeletedGroupsParams) -> Result<DeletedGroups, SkillError> {
    let limit = p.limit.get()?;
    let filter = match &p.name {
        Some(name) => Some(Expr::starts_with("displayName", text("name", name, 120)?)),
        None => None,
    };
    let query = Query::new()
        .select(&["id", "displayName", "mail", "mailEnabled", "securityEnabled", "groupTypes", "deletedDateTime"])
        .filter_opt(filter)
        .top(limit.min(999));
    let page = ctx
        .graph
        .list::<DeletedGroup>(GraphRequest::get("/directory/deletedItems/microsoft.graph.group").query(query), limit)
        .await?;
    let mut groups: Vec<DeletedGroupRow> = page
        .items
        .into_iter()
        .map(|d| {
            let deleted = d.deleted_date_time.as_deref().and_then(|t| DateTime::parse_from_rfc3339(t).ok());
            let purge = deleted.map(|t| t.with_timezone(&Utc) + Duration::days(RETENTION_DAYS));
            DeletedGroupRow {
                kind: d.group.kind().to_string(),
                id: d.group.id,
                display_name: d.group.display_name,
                mail: d.group.mail,
                purge_after: purge.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
                days_left: purge.map(|t| (t - ctx.now).num_days().max(0)),
                deleted: d.deleted_date_time,
            }
        })
        .collect();
    // Soonest gone first: the ones to restore now, if at all.
    groups.sort_by_key(|g| g.days_left.unwrap_or(i64::MAX));
    let list = ListInfo::new(groups.len(), page.total, page.more, "`name` or `limit`");
    Ok(DeletedGroups { groups, list })
}

impl Render for DeletedGroups {
    fn rows(&self) -> Option<usize> {
        Some(self.groups.len())
    }

    fn cut_to(&mut self, rows: usize) {
        self.groups.truncate(rows);
        self.list.cut(rows);
    }

    fn markdown(&self) -> String {
        let rows: Vec<Vec<String>> = self
            .groups
            .iter()
            .map(|g| {
                vec![
                    or_dash(&g.display_name),
                    g.kind.clone(),
                    g.deleted.as_deref().map(short_time).unwrap_or_else(|| "-".into()),
                    g.days_left.map(|d| d.to_string()).unwrap_or_else(|| "-".into()),
                    g.id.clone(),
                ]
            })
            .collect();
        format!(
            "{} deleted groups (restorable for {RETENTION_DAYS} days after deletion)\n{}{}",
            self.list.returned,
            table(&["group", "kind", "deleted (UTC)", "days left", "id"], &rows),
            self.list.footer()
        )
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Which groups were deleted recently and can still be restored?",
        args: r#"{}"#,
        facts: &[
            Fact::Some("groups/*/display_name", "Project Phoenix"),
            Fact::Some("groups/*/kind", "microsoft365"),
            Fact::AtLeast("groups/0/days_left", 20),
            Fact::Says("days left"),
        ],
    },
    Example {
        question: "Deleted groups whose name starts with Project",
        args: r#"{"name":"Project"}"#,
        facts: &[Fact::Every("groups/*/display_name", "~Project")],
    },
    Example {
        question: "Deleted groups with a limit too large",
        args: r#"{"limit":1000}"#,
        facts: &[Fact::Fails(ErrorKind::InvalidInput)],
    },
];

pub fn skill() -> Skill {
    Skill::new(LIST_DELETED_GROUPS, list_deleted_groups)
}
