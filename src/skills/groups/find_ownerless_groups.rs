//! `find_ownerless_groups`: groups nobody owns, so nobody but an admin manages their members or
//! answers their access reviews.
//!
//! Graph filters groups on `owners/$count eq 0` as an advanced query (ConsistencyLevel and
//! `$count`), which answers in one request. Where Graph refuses that filter (a 400), the skill
//! reads groups with their owners expanded (`$expand=owners($select=id)`), a bounded number of
//! pages, and keeps those with none; the answer says which way it went.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::graph::resources::Group;
use crate::graph::{GraphRequest, Query};
use crate::odata::Expr;
use crate::render::table;
use crate::shared::*;
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset};

use super::fields::{GroupKind, GroupRow, ROW_FIELDS, ROW_HEADERS};

const FIND_OWNERLESS_GROUPS: Declaration = Declaration {
    name: "find_ownerless_groups",
    title: "Find ownerless groups",
    description: "Find groups that have no owner left (nobody to manage members or answer access reviews), optionally of one kind. Use get_group_owners for one group's owners.",
    toolset: Toolset::Groups,
    permissions: &["GroupMember.Read.All"],
    least_role: "none",
    access: Access::Read,
    beta: false,
    default: false,
    examples: EXAMPLES,
};

/// Groups read per page, and pages at most, when owners have to be expanded instead.
const EXPAND_PAGE: usize = 100;
const EXPAND_PAGES: u32 = 20;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FindOwnerlessGroupsParams {
    pub kind: Option<GroupKind>,
    #[serde(default)]
    pub limit: Limit,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct OwnerlessGroups {
    pub groups: Vec<GroupRow>,
    /// `owners_count_filter` (Graph filtered) or `expanded_owners` (groups read with their
    /// owners, bounded).
    pub method: String,
    /// Groups read to find these (with `expanded_owners` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub groups_read: Option<usize>,
    #[serde(flatten)]
    pub list: ListInfo,
}

/// A group with its owners expanded (ids only).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct GroupWithOwners {
    #[serde(flatten)]
    group: Group,
    owners: Option<Vec<serde_json::Value>>,
}

fn refused_filter(e: &SkillError) -> bool {
    e.graph.as_ref().is_some_and(|g| g.status == 400)
}

async fn find_ownerless_groups(ctx: Ctx, p: FindOwnerlessGroupsParams) -> Result<OwnerlessGroups, SkillError> {
    let limit = p.limit.get()?;
    let kind_filter = p.kind.map(GroupKind::filter);
    let filter = Expr::conjunction([Some(Expr::eq("owners/$count", 0i64)), kind_filter.clone()].into_iter().flatten());
    let request = GraphRequest::get("/groups")
        .query(Query::new().select(ROW_FIELDS).filter_opt(filter).count().orderby("displayName").top(limit.min(999)))
        .eventual();
    match ctx.graph.list::<Group>(request, limit).await {
        Ok(page) => {
            let groups: Vec<GroupRow> = page.items.into_iter().map(GroupRow::from).collect();
            let list = ListInfo::new(groups.len(), page.total, page.more, "`kind` or `limit`");
            Ok(OwnerlessGroups { groups, method: "owners_count_filter".into(), groups_read: None, list })
        }
        Err(e) if refused_filter(&e) => {
            ctx.note("Graph refused the filter `owners/$count eq 0`; groups were read with their owners instead");
            expanded(&ctx, kind_filter, limit).await
        }
        Err(e) => Err(e),
    }
}

/// The fallback: page through groups with their owners expanded, keep those with none.
async fn expanded(ctx: &Ctx, kind_filter: Option<Expr>, limit: usize) -> Result<OwnerlessGroups, SkillError> {
    let mut query =
        Query::new().select(ROW_FIELDS).filter_opt(kind_filter).expand("owners($select=id)").top(EXPAND_PAGE);
    if query.is_advanced() {
        query = query.count();
    }
    let request = GraphRequest::get("/groups").query(query).max_pages(EXPAND_PAGES);
    let cap = EXPAND_PAGE * EXPAND_PAGES as usize;
    let page = ctx.graph.list::<GroupWithOwners>(request, cap).await?;
    let read = page.items.len();
    let mut ownerless: Vec<GroupRow> = page
        .items
        .into_iter()
        .filter(|g| g.owners.as_ref().is_none_or(Vec::is_empty))
        .map(|g| GroupRow::from(g.group))
        .collect();
    if page.more {
        ctx.note(format!("only the first {read} groups were read: more ownerless groups may exist"));
    }
    let found = ownerless.len();
    ownerless.truncate(limit);
    let list = ListInfo::new(ownerless.len(), (!page.more).then_some(found as u64), page.more, "`kind` or `limit`");
    Ok(OwnerlessGroups { groups: ownerless, method: "expanded_owners".into(), groups_read: Some(read), list })
}

impl Render for OwnerlessGroups {
    fn rows(&self) -> Option<usize> {
        Some(self.groups.len())
    }

    fn cut_to(&mut self, rows: usize) {
        self.groups.truncate(rows);
        self.list.cut(rows);
    }

    fn markdown(&self) -> String {
        let rows: Vec<Vec<String>> = self.groups.iter().map(GroupRow::cells).collect();
        let total = self.list.total.map(|t| format!(" of {t}")).unwrap_or_default();
        let method = match self.groups_read {
            Some(read) => format!("groups read with their owners expanded ({read} groups)"),
            None => "Graph filter `owners/$count eq 0`".to_string(),
        };
        format!(
            "{} ownerless groups{total} (method: {method})\n{}{}",
            self.list.returned,
            table(ROW_HEADERS, &rows),
            self.list.footer()
        )
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Which groups have no owners?",
        args: r#"{}"#,
        facts: &[
            Fact::Some("groups/*/display_name", "Project Falcon"),
            Fact::Some("groups/*/display_name", "Marketing Campaign 2023"),
            Fact::Some("groups/*/display_name", "Legacy File Share Access"),
            Fact::No("groups/*/display_name", "Finance Team"),
            Fact::Every("method", "owners_count_filter"),
        ],
    },
    Example {
        question: "Ownerless Microsoft 365 groups",
        args: r#"{"kind":"microsoft365"}"#,
        facts: &[Fact::Every("groups/*/kind", "microsoft365"), Fact::Some("groups/*/display_name", "Project Falcon")],
    },
    Example {
        question: "Ownerless groups with a limit out of range",
        args: r#"{"limit":0}"#,
        facts: &[Fact::Fails(ErrorKind::InvalidInput)],
    },
];

pub fn skill() -> Skill {
    Skill::new(FIND_OWNERLESS_GROUPS, find_ownerless_groups)
}
