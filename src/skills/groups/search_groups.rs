//! `search_groups`: groups by name prefix or a word in the name, kind, dynamic membership or
//! role-assignability.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::graph::resources::Group;
use crate::graph::{GraphRequest, Query};
use crate::odata::Expr;
use crate::render::table;
use crate::shared::*;
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset};

use super::fields::{GroupKind, GroupRow, ROW_FIELDS, ROW_HEADERS, has_group_type};

const SEARCH_GROUPS: Declaration = Declaration {
    name: "search_groups",
    title: "Search groups",
    description: "Find groups by name prefix or a word in the name, by kind (security, Microsoft 365, distribution list, mail-enabled security), dynamic or assigned membership, or role-assignable. Use get_group for one known group.",
    toolset: Toolset::Groups,
    permissions: &["GroupMember.Read.All"],
    least_role: "none",
    access: Access::Read,
    beta: false,
    default: false,
    examples: EXAMPLES,
};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SearchGroupsParams {
    /// Start of the display name.
    pub name: Option<String>,
    /// A word anywhere in the display name (e.g. `exclusions` finds "CA Exclusions").
    pub text: Option<String>,
    pub kind: Option<GroupKind>,
    /// `true`: only dynamic groups (membership from a rule); `false`: only assigned ones.
    pub dynamic: Option<bool>,
    /// `true`: only groups that can hold Entra roles; `false`: only groups that cannot.
    pub role_assignable: Option<bool>,
    #[serde(default)]
    pub limit: Limit,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct GroupSearch {
    pub groups: Vec<GroupRow>,
    #[serde(flatten)]
    pub list: ListInfo,
}

async fn search_groups(ctx: Ctx, p: SearchGroupsParams) -> Result<GroupSearch, SkillError> {
    let limit = p.limit.get()?;
    let mut clauses = Vec::new();
    if let Some(name) = &p.name {
        clauses.push(Expr::starts_with("displayName", text("name", name, 120)?));
    }
    if let Some(kind) = p.kind {
        clauses.push(kind.filter());
    }
    match p.dynamic {
        Some(true) => clauses.push(has_group_type("DynamicMembership")),
        Some(false) => clauses.push(has_group_type("DynamicMembership").negate()),
        None => {}
    }
    match p.role_assignable {
        Some(true) => clauses.push(Expr::eq("isAssignableToRole", true)),
        // Most groups leave the property unset (null), which `eq false` would miss.
        Some(false) => clauses.push(Expr::ne("isAssignableToRole", true)),
        None => {}
    }
    // `$count`, `$orderby` next to `$filter`, `$search`, `not` and `ne` are advanced queries:
    // send ConsistencyLevel and `$count` every time, so every combination is one request.
    let mut query =
        Query::new().select(ROW_FIELDS).filter_opt(Expr::conjunction(clauses)).count().orderby("displayName");
    if let Some(word) = &p.text {
        let word = text("text", word, 120)?;
        query = query.search("displayName", word);
    }
    let request = GraphRequest::get("/groups").query(query.top(limit.min(999))).eventual();
    let page = ctx.graph.list::<Group>(request, limit).await?;
    let groups: Vec<GroupRow> = page.items.into_iter().map(GroupRow::from).collect();
    let list = ListInfo::new(groups.len(), page.total, page.more, "`name`, `kind`, `dynamic` or `role_assignable`");
    Ok(GroupSearch { groups, list })
}

impl Render for GroupSearch {
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
        format!("{} groups{total}\n{}{}", self.list.returned, table(ROW_HEADERS, &rows), self.list.footer())
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Find groups whose name starts with Finance",
        args: r#"{"name":"Finance"}"#,
        facts: &[
            Fact::Some("groups/*/display_name", "Finance Department"),
            Fact::Some("groups/*/display_name", "Finance Team"),
            Fact::Every("groups/*/display_name", "~Finance"),
        ],
    },
    Example {
        question: "Which Microsoft 365 groups exist in the tenant?",
        args: r#"{"kind":"microsoft365","limit":100}"#,
        facts: &[Fact::Every("groups/*/kind", "microsoft365"), Fact::Some("groups/*/display_name", "Finance Team")],
    },
    Example {
        question: "Search for role-assignable groups",
        args: r#"{"role_assignable":true}"#,
        facts: &[
            Fact::Every("groups/*/role_assignable", "true"),
            Fact::Some("groups/*/display_name", "Helpdesk Operators"),
        ],
    },
    Example {
        question: "List the dynamic membership groups",
        args: r#"{"dynamic":true}"#,
        facts: &[
            Fact::Every("groups/*/dynamic", "true"),
            Fact::Some("groups/*/display_name", "Sales Team"),
            Fact::Some("groups/*/display_name", "All Guests"),
        ],
    },
    Example {
        question: "Which distribution lists and mail-enabled security groups do we have?",
        args: r#"{"kind":"mail_enabled_security"}"#,
        facts: &[
            Fact::Every("groups/*/kind", "mail_enabled_security"),
            Fact::Some("groups/*/display_name", "Treasury Alerts"),
        ],
    },
    Example {
        question: "Find distribution lists",
        args: r#"{"kind":"distribution"}"#,
        facts: &[Fact::Every("groups/*/kind", "distribution"), Fact::Some("groups/*/display_name", "Branch Managers")],
    },
    Example {
        question: "Groups with the word exclusions in their name",
        args: r#"{"text":"exclusions"}"#,
        facts: &[Fact::Some("groups/*/display_name", "CA Exclusions")],
    },
    Example {
        question: "Search groups with an empty name",
        args: r#"{"name":"  "}"#,
        facts: &[Fact::Fails(ErrorKind::InvalidInput)],
    },
];

pub fn skill() -> Skill {
    Skill::new(SEARCH_GROUPS, search_groups)
}
