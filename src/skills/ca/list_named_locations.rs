//! `list_named_locations`: IP ranges and country lists Conditional Access uses, whether each is
//! trusted, and which policies include or exclude it.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::names::named_locations;
use super::policies::list_policies;
use super::words::and_list;
use crate::graph::resources::{ConditionalAccessPolicy, NamedLocation};
use crate::render::{short_time, table, yes_no};
use crate::shared::*;
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset};

const LIST_NAMED_LOCATIONS: Declaration = Declaration {
    name: "list_named_locations",
    title: "List named locations",
    description: "Named locations for Conditional Access: trusted IP ranges and country lists, and which policies include or exclude each (directly or as a trusted location). P1. Security Reader.",
    toolset: Toolset::Ca,
    permissions: &["Policy.Read.All"],
    least_role: "Security Reader",
    access: Access::Read,
    beta: false,
    default: false,
    examples: EXAMPLES,
};

#[derive(Debug, Clone, Copy, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum LocationKind {
    Ip,
    Country,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListNamedLocationsParams {
    pub kind: Option<LocationKind>,
    /// Only trusted (true) or untrusted (false) locations.
    pub trusted: Option<bool>,
    #[serde(default)]
    pub limit: Limit,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct LocationUse {
    pub policy: String,
    pub policy_id: String,
    /// `on`, `report-only` or `off`.
    pub state: String,
    /// `include` or `exclude`.
    pub used_as: String,
    /// `by name`, or `as a trusted location` (`AllTrusted`).
    pub how: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct LocationRow {
    pub name: String,
    /// `ip` or `country`.
    pub kind: String,
    pub trusted: bool,
    /// CIDR ranges (IP locations).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ip_ranges: Vec<String>,
    /// Two-letter codes (country locations).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub countries: Vec<String>,
    /// Country locations: sign-ins whose country is unknown count as inside.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub includes_unknown_countries: Option<bool>,
    pub used_by: Vec<LocationUse>,
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub modified: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct NamedLocationList {
    pub locations: Vec<LocationRow>,
    #[serde(flatten)]
    pub list: ListInfo,
}

fn uses(location: &NamedLocation, policies: &[ConditionalAccessPolicy]) -> Vec<LocationUse> {
    let mut out = Vec::new();
    for policy in policies {
        let Some(condition) = policy.conditions().locations else { continue };
        for (list, used_as) in [(&condition.include_locations, "include"), (&condition.exclude_locations, "exclude")] {
            let how = if list.iter().any(|e| e.eq_ignore_ascii_case(&location.id)) {
                Some("by name")
            } else if location.is_trusted == Some(true) && list.iter().any(|e| e.eq_ignore_ascii_case("AllTrusted")) {
                Some("as a trusted location")
            } else {
                None
            };
            if let Some(how) = how {
                out.push(LocationUse {
                    policy: policy.name().to_string(),
                    policy_id: policy.id.clone(),
                    state: super::words::state_words(policy.state.as_deref()).to_string(),
                    used_as: used_as.into(),
                    how: how.into(),
                });
            }
        }
    }
    out
}

async fn list_named_locations(ctx: Ctx, p: ListNamedLocationsParams) -> Result<NamedLocationList, SkillError> {
    let limit = p.limit.get()?;
    let (locations, policies) = tokio::join!(named_locations(&ctx), list_policies(&ctx));
    let locations = locations?;
    let policies = ctx.optional("policies using each location", policies).unwrap_or_default();
    let mut rows: Vec<LocationRow> = locations
        .iter()
        .filter(|l| match p.kind {
            Some(LocationKind::Ip) => l.is_ip(),
            Some(LocationKind::Country) => l.is_country(),
            None => true,
        })
        .filter(|l| p.trusted.is_none_or(|t| (l.is_trusted == Some(true)) == t))
        .map(|l| LocationRow {
            name: l.display_name.clone().unwrap_or_else(|| l.id.clone()),
            kind: if l.is_country() { "country" } else { "ip" }.into(),
            trusted: l.is_trusted == Some(true),
            ip_ranges: l.ip_ranges.iter().filter_map(|r| r.cidr_address.clone()).collect(),
            countries: l.countries_and_regions.clone(),
            includes_unknown_countries: l.is_country().then_some(l.include_unknown_countries_and_regions == Some(true)),
            used_by: uses(l, &policies),
            id: l.id.clone(),
            modified: l.modified_date_time.clone(),
        })
        .collect();
    rows.sort_by_key(|a| a.name.to_lowercase());
    let total = rows.len();
    rows.truncate(limit);
    let list = ListInfo::new(rows.len(), Some(total as u64), false, "`kind` or `trusted`");
    Ok(NamedLocationList { locations: rows, list })
}

impl Render for NamedLocationList {
    fn rows(&self) -> Option<usize> {
        Some(self.locations.len())
    }

    fn cut_to(&mut self, rows: usize) {
        self.locations.truncate(rows);
        self.list.cut(rows);
    }

    fn markdown(&self) -> String {
        let rows: Vec<Vec<String>> = self
            .locations
            .iter()
            .map(|l| {
                let what = if l.kind == "country" { l.countries.join(", ") } else { l.ip_ranges.join(", ") };
                let used: Vec<String> = l
                    .used_by
                    .iter()
                    .map(|u| {
                        let trusted = if u.how == "by name" { "" } else { " (as trusted)" };
                        format!("{} {} [{}]{trusted}", u.used_as, u.policy, u.state)
                    })
                    .collect();
                vec![
                    l.name.clone(),
                    l.kind.clone(),
                    yes_no(Some(l.trusted)).unwrap_or_default(),
                    what,
                    if used.is_empty() { "no policy".into() } else { and_list(&used) },
                    l.modified.as_deref().map(short_time).unwrap_or_default(),
                    l.id.clone(),
                ]
            })
            .collect();
        let mut text =
            table(&["location", "kind", "trusted", "ranges or countries", "used by", "modified (UTC)", "id"], &rows);
        text.push_str(&self.list.footer());
        text
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Which named locations do we have, and which policies use them?",
        args: r#"{}"#,
        facts: &[
            Fact::Some("locations/*/name", "HQ"),
            Fact::Some("locations/*/ip_ranges/*", "192.0.2.0/24"),
            Fact::Some("locations/*/countries/*", "RU"),
            Fact::Some("locations/*/used_by/*/policy", "CA006 Block restricted countries"),
            Fact::Says("include CA006 Block restricted countries [on]"),
        ],
    },
    Example {
        question: "Which IP ranges are marked as trusted locations?",
        args: r#"{"kind":"ip","trusted":true}"#,
        facts: &[
            Fact::Every("locations/*/trusted", "true"),
            Fact::Every("locations/*/kind", "ip"),
            Fact::AtLeast("locations/*", 2),
        ],
    },
    Example {
        question: "A location kind that does not exist",
        args: r#"{"kind":"gps"}"#,
        facts: &[Fact::Fails(ErrorKind::InvalidInput)],
    },
];

pub fn skill() -> Skill {
    Skill::new(LIST_NAMED_LOCATIONS, list_named_locations)
}
