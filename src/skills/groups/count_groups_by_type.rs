//! `count_groups_by_type`: how many groups of each kind — security, Microsoft 365, distribution,
//! mail-enabled security — and how many are dynamic or role-assignable.
//!
//! Each count is one `/groups/$count?$filter=…` with ConsistencyLevel, all sent at once. A
//! count Graph refuses (a 400: the filter is not supported there) is made instead from one
//! bounded read of every group's type properties, and the answer names the kinds counted that
//! way.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::graph::resources::Group;
use crate::graph::{GraphRequest, Query};
use crate::odata::Expr;
use crate::render::table;
use crate::skill::{Access, Ctx, Declaration, Example, Fact, Render, Skill, SkillError, Toolset};

use super::fields::{GroupKind, has_group_type};

const COUNT_GROUPS_BY_TYPE: Declaration = Declaration {
    name: "count_groups_by_type",
    title: "Count groups by type",
    description: "How many groups the tenant has in total and per type: security, Microsoft 365, distribution lists, mail-enabled security, plus how many are dynamic and how many role-assignable.",
    toolset: Toolset::Groups,
    permissions: &["GroupMember.Read.All"],
    least_role: "none",
    access: Access::Read,
    beta: false,
    default: false,
    examples: EXAMPLES,
};

/// Groups read per page, and pages at most, when counts must be made from a listing.
const PAGE: usize = 999;
const PAGES: u32 = 20;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CountGroupsByTypeParams {}

#[derive(Debug, Serialize, JsonSchema)]
pub struct GroupCounts {
    /// Every group in the tenant.
    pub total: u64,
    /// Groups per kind: `security`, `microsoft365`, `distribution`, `mail_enabled_security`,
    /// and the overlapping `dynamic` and `role_assignable`.
    pub counts: BTreeMap<String, u64>,
    /// `count` (every number from Graph's `$count`) or `count_and_paged` (some made by reading
    /// groups, see `paged`).
    pub method: String,
    /// The kinds counted by reading groups because Graph refused their filter.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub paged: Vec<String>,
    /// The paged counts are lower bounds: not every group could be read.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub paged_incomplete: bool,
}

/// What is counted: the name, its filter (none for the total), and how a read group is tested.
struct Counted {
    name: &'static str,
    filter: Option<Expr>,
    test: fn(&Group) -> bool,
}

fn counted() -> Vec<Counted> {
    let kind = |k: GroupKind| Some(k.filter());
    vec![
        Counted { name: "total", filter: None, test: |_| true },
        Counted { name: "security", filter: kind(GroupKind::Security), test: |g| g.kind() == "security" },
        Counted { name: "microsoft365", filter: kind(GroupKind::Microsoft365), test: |g| g.kind() == "microsoft365" },
        Counted { name: "distribution", filter: kind(GroupKind::Distribution), test: |g| g.kind() == "distribution" },
        Counted {
            name: "mail_enabled_security",
            filter: kind(GroupKind::MailEnabledSecurity),
            test: |g| g.kind() == "mail_enabled_security",
        },
        Counted { name: "dynamic", filter: Some(has_group_type("DynamicMembership")), test: Group::is_dynamic },
        Counted {
            name: "role_assignable",
            filter: Some(Expr::eq("isAssignableToRole", true)),
            test: |g| g.is_assignable_to_role == Some(true),
        },
    ]
}

fn refused_filter(e: &SkillError) -> bool {
    e.graph.as_ref().is_some_and(|g| g.status == 400)
}

async fn count_groups_by_type(ctx: Ctx, _p: CountGroupsByTypeParams) -> Result<GroupCounts, SkillError> {
    let counted = counted();
    // Seven counts, all in flight at once (under the bound of eight).
    let results = futures::future::join_all(counted.iter().map(|c| {
        let query = Query::new().filter_opt(c.filter.clone());
        ctx.graph.count(GraphRequest::get("/groups/$count").query(query))
    }))
    .await;

    let mut counts = BTreeMap::new();
    let mut refused: Vec<&Counted> = Vec::new();
    for (c, result) in counted.iter().zip(results) {
        match result {
            Ok(n) => {
                counts.insert(c.name.to_string(), n);
            }
            Err(e) if refused_filter(&e) => refused.push(c),
            Err(e) => return Err(e),
        }
    }

    let mut paged_incomplete = false;
    if !refused.is_empty() {
        let request = GraphRequest::get("/groups")
            .query(
                Query::new()
                    .select(&["id", "groupTypes", "mailEnabled", "securityEnabled", "isAssignableToRole"])
                    .top(PAGE),
            )
            .max_pages(PAGES);
        let page = ctx.graph.list::<Group>(request, PAGE * PAGES as usize).await?;
        paged_incomplete = page.more;
        for c in &refused {
            counts.insert(c.name.to_string(), page.items.iter().filter(|g| (c.test)(g)).count() as u64);
        }
        ctx.note(format!(
            "Graph refused the count filter for {}: counted from {} groups read{}",
            refused.iter().map(|c| c.name).collect::<Vec<_>>().join(", "),
            page.items.len(),
            if page.more { " (not all of them: these are lower bounds)" } else { "" }
        ));
    }
    let total = counts.remove("total").unwrap_or_default();
    let paged: Vec<String> = refused.iter().map(|c| c.name.to_string()).collect();
    Ok(GroupCounts {
        total,
        counts,
        method: if paged.is_empty() { "count" } else { "count_and_paged" }.into(),
        paged,
        paged_incomplete,
    })
}

impl Render for GroupCounts {
    fn markdown(&self) -> String {
        fn label(k: &str) -> &str {
            match k {
                "security" => "security",
                "microsoft365" => "Microsoft 365",
                "distribution" => "distribution list",
                "mail_enabled_security" => "mail-enabled security",
                "dynamic" => "dynamic (any kind)",
                "role_assignable" => "role-assignable (any kind)",
                other => other,
            }
        }
        let order = ["security", "microsoft365", "distribution", "mail_enabled_security", "dynamic", "role_assignable"];
        let rows: Vec<Vec<String>> = order
            .iter()
            .filter_map(|k| self.counts.get(*k).map(|n| (k, n)))
            .map(|(k, n)| {
                let how = if self.paged.iter().any(|p| p == k) { "read groups" } else { "$count" };
                vec![label(k).to_string(), n.to_string(), how.to_string()]
            })
            .collect();
        format!("{} groups in total\n{}", self.total, table(&["kind", "groups", "method"], &rows))
    }
}

const EXAMPLES: &[Example] = &[Example {
    question: "How many groups of each type do we have (security, Microsoft 365, distribution)?",
    args: r#"{}"#,
    facts: &[
        Fact::AtLeast("total", 15),
        Fact::AtLeast("counts/security", 8),
        Fact::AtLeast("counts/microsoft365", 2),
        Fact::AtLeast("counts/distribution", 1),
        Fact::AtLeast("counts/mail_enabled_security", 1),
        Fact::AtLeast("counts/dynamic", 2),
        Fact::AtLeast("counts/role_assignable", 1),
        Fact::Every("method", "count"),
    ],
}];

pub fn skill() -> Skill {
    Skill::new(COUNT_GROUPS_BY_TYPE, count_groups_by_type)
}
