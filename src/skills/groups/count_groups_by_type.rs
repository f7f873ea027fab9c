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
use crate::odata::Expr;
use crate::render::table;
use crate::shared::counts::{Counted, count_each};
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

fn counted() -> Vec<Counted<Group>> {
    let kind = |k: GroupKind| Some(k.filter());
    vec![
        Counted::new("total", None, |_| true),
        Counted::new("security", kind(GroupKind::Security), |g: &Group| g.kind() == "security"),
        Counted::new("microsoft365", kind(GroupKind::Microsoft365), |g: &Group| g.kind() == "microsoft365"),
        Counted::new("distribution", kind(GroupKind::Distribution), |g: &Group| g.kind() == "distribution"),
        Counted::new("mail_enabled_security", kind(GroupKind::MailEnabledSecurity), |g: &Group| {
            g.kind() == "mail_enabled_security"
        }),
        Counted::new("dynamic", Some(has_group_type("DynamicMembership")), Group::is_dynamic),
        Counted::new("role_assignable", Some(Expr::eq("isAssignableToRole", true)), |g: &Group| {
            g.is_assignable_to_role == Some(true)
        }),
    ]
}

async fn count_groups_by_type(ctx: Ctx, _p: CountGroupsByTypeParams) -> Result<GroupCounts, SkillError> {
    let select = &["id", "groupTypes", "mailEnabled", "securityEnabled", "isAssignableToRole"];
    let counts = count_each(&ctx, "/groups", &counted(), select, "groups").await?;
    let method = counts.method().to_string();
    let mut numbers: BTreeMap<String, u64> = counts.numbers.into_iter().map(|(k, n)| (k.to_string(), n)).collect();
    let total = numbers.remove("total").unwrap_or_default();
    Ok(GroupCounts {
        total,
        counts: numbers,
        method,
        paged: counts.paged.iter().map(|p| p.to_string()).collect(),
        paged_incomplete: counts.paged_incomplete,
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
