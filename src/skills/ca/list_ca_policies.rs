//! `list_ca_policies`: the tenant's Conditional Access policies, each in one line of plain words,
//! filtered by state, control, name and whether they exempt trusted locations.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::names::Names;
use super::policies::list_policies;
use super::words;
use crate::graph::resources::{ConditionalAccessPolicy, PolicyState};
use crate::render::{short_time, table};
use crate::shared::*;
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset};

const LIST_CA_POLICIES: Declaration = Declaration {
    name: "list_ca_policies",
    title: "List Conditional Access policies",
    description: "Conditional Access policies in one line each (who, apps, conditions, grant) with state on, report-only or off; filter by state, control (MFA, block, compliant device …), name, or trusted-location exemption. P1. Security Reader.",
    toolset: Toolset::Ca,
    permissions: &["Policy.Read.All", "Directory.Read.All"],
    least_role: "Security Reader",
    access: Access::Read,
    beta: false,
    default: true,
    examples: EXAMPLES,
};

#[derive(Debug, Clone, Copy, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum StateFilter {
    On,
    ReportOnly,
    Off,
}

/// A grant or session control a policy applies.
#[derive(Debug, Clone, Copy, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ControlFilter {
    /// MFA or an authentication strength.
    Mfa,
    Strength,
    Block,
    CompliantDevice,
    PasswordChange,
    /// Any session control (sign-in frequency, persistent browser …).
    Session,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListCaPoliciesParams {
    pub state: Option<StateFilter>,
    pub control: Option<ControlFilter>,
    /// Part of the display name (case-insensitive).
    pub name: Option<String>,
    /// true: only policies that exempt trusted locations; false: only those that do not.
    pub excludes_trusted_locations: Option<bool>,
    #[serde(default)]
    pub limit: Limit,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct CaPolicyRow {
    pub name: String,
    /// `on`, `report-only` or `off`.
    pub state: String,
    /// Who · apps · conditions → grant; session.
    pub summary: String,
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub modified: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct CaPolicyList {
    pub policies: Vec<CaPolicyRow>,
    /// Policies per state among those listed: on, report-only, off.
    pub on: usize,
    pub report_only: usize,
    pub off: usize,
    #[serde(flatten)]
    pub list: ListInfo,
}

fn has_control(p: &ConditionalAccessPolicy, control: ControlFilter) -> bool {
    let built_in = |c: &str| p.built_in_controls().iter().any(|x| x == c);
    match control {
        ControlFilter::Mfa => p.requires_mfa(),
        ControlFilter::Strength => p.grant_controls.as_ref().is_some_and(|g| g.authentication_strength.is_some()),
        ControlFilter::Block => built_in("block"),
        ControlFilter::CompliantDevice => built_in("compliantDevice"),
        ControlFilter::PasswordChange => built_in("passwordChange"),
        ControlFilter::Session => p.session_controls.as_ref().is_some_and(|s| s.any()),
    }
}

/// Whether the policy leaves out trusted locations (`AllTrusted`, or a trusted location by id).
pub fn exempts_trusted_locations(p: &ConditionalAccessPolicy, names: &Names) -> bool {
    p.conditions().locations.is_some_and(|l| {
        l.exclude_locations.iter().any(|e| {
            e.eq_ignore_ascii_case("AllTrusted")
                || names.locations().iter().any(|n| n.id.eq_ignore_ascii_case(e) && n.is_trusted == Some(true))
        })
    })
}

async fn list_ca_policies(ctx: Ctx, p: ListCaPoliciesParams) -> Result<CaPolicyList, SkillError> {
    let limit = p.limit.get()?;
    let name = p.name.as_deref().map(|n| text("name", n, 120)).transpose()?.map(|n| n.to_lowercase());
    let all = list_policies(&ctx).await?;
    let wanted_state = p.state.map(|s| match s {
        StateFilter::On => PolicyState::On,
        StateFilter::ReportOnly => PolicyState::ReportOnly,
        StateFilter::Off => PolicyState::Off,
    });
    let mut matching: Vec<ConditionalAccessPolicy> = all
        .into_iter()
        .filter(|x| wanted_state.is_none_or(|s| x.policy_state() == s))
        .filter(|x| p.control.is_none_or(|c| has_control(x, c)))
        .filter(|x| name.as_ref().is_none_or(|n| x.name().to_lowercase().contains(n)))
        .collect();
    matching.sort_by_key(|a| a.name().to_lowercase());
    let names = Names::resolve(&ctx, &matching).await;
    if let Some(wanted) = p.excludes_trusted_locations {
        matching.retain(|x| exempts_trusted_locations(x, &names) == wanted);
    }
    let count = |s: PolicyState| matching.iter().filter(|x| x.policy_state() == s).count();
    let (on, report_only, off) = (count(PolicyState::On), count(PolicyState::ReportOnly), count(PolicyState::Off));
    let total = matching.len();
    let policies: Vec<CaPolicyRow> = matching
        .iter()
        .take(limit)
        .map(|x| CaPolicyRow {
            name: x.name().to_string(),
            state: x.policy_state().words().to_string(),
            summary: words::summary(x, &names),
            id: x.id.clone(),
            modified: x.modified_date_time.clone(),
        })
        .collect();
    names.note_unresolved(&ctx);
    let list = ListInfo::new(policies.len(), Some(total as u64), false, "`state`, `control` or `name`");
    Ok(CaPolicyList { policies, on, report_only, off, list })
}

impl Render for CaPolicyList {
    fn rows(&self) -> Option<usize> {
        Some(self.policies.len())
    }

    fn cut_to(&mut self, rows: usize) {
        self.policies.truncate(rows);
        self.list.cut(rows);
    }

    fn markdown(&self) -> String {
        let rows: Vec<Vec<String>> = self
            .policies
            .iter()
            .map(|x| {
                vec![
                    x.name.clone(),
                    x.state.clone(),
                    x.summary.clone(),
                    x.modified.as_deref().map(short_time).unwrap_or_default(),
                    x.id.clone(),
                ]
            })
            .collect();
        let mut text = format!("{} on, {} report-only, {} off\n", self.on, self.report_only, self.off);
        text.push_str(&table(&["policy", "state", "in plain words", "modified (UTC)", "id"], &rows));
        text.push_str(&self.list.footer());
        text
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Which Conditional Access policies do we have, and are they on?",
        args: r#"{}"#,
        facts: &[
            Fact::AtLeast("policies/*", 10),
            Fact::Some("policies/*/name", "CA004 Block high sign-in risk"),
            Fact::Some("policies/*/summary", "~sign-in risk high → block access"),
            Fact::Some("policies/*/summary", "~10 admin roles"),
            Fact::Some("policies/*/state", "report-only"),
            Fact::Some("policies/*/state", "off"),
            Fact::Says("CA006 Block restricted countries"),
        ],
    },
    Example {
        question: "Which report-only CA policies would block sign-ins?",
        args: r#"{"state":"report_only","control":"block"}"#,
        facts: &[
            Fact::Every("policies/*/state", "report-only"),
            Fact::Some("policies/*/name", "CA002 Block legacy authentication"),
            Fact::No("policies/*/name", "~CA004"),
            Fact::Some("policies/*/summary", "~client apps: Exchange ActiveSync or other (legacy) clients"),
        ],
    },
    Example {
        question: "Which policies require MFA?",
        args: r#"{"control":"mfa"}"#,
        facts: &[
            Fact::Some("policies/*/name", "~CA001"),
            Fact::Some("policies/*/name", "~CA003"),
            Fact::No("policies/*/name", "~CA004"),
        ],
    },
    Example {
        question: "CA policies with a sign-in frequency",
        args: r#"{"control":"session","name":"finance"}"#,
        facts: &[
            Fact::Every("policies/*/summary", "~sign-in frequency every"),
            Fact::Some("policies/*/summary", "~Finance Department except 2 users · Woodgrove Finance Portal"),
        ],
    },
    Example {
        question: "A state that does not exist",
        args: r#"{"state":"paused"}"#,
        facts: &[Fact::Fails(ErrorKind::InvalidInput)],
    },
];

pub fn skill() -> Skill {
    Skill::new(LIST_CA_POLICIES, list_ca_policies)
}
