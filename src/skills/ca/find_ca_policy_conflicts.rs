//! `find_ca_policy_conflicts`: compares every pair of Conditional Access policies evaluated at
//! sign-in (on or report-only) and reports the redundant, duplicated, shadowed, conflicting and
//! mergeable ones, and the exclusions no other policy covers (the rules: `conflicts.rs`). The
//! overlap is sized from who each policy covers today, through group membership and role
//! holders.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::render::fields;
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset};

use super::analysis::{Estate, Finding, findings_table, live};
use super::conflicts;
use super::names::Names;
use super::policies::{find_policy, list_policies};

const FIND_CA_POLICY_CONFLICTS: Declaration = Declaration {
    name: "find_ca_policy_conflicts",
    title: "Find conflicting Conditional Access policies",
    description: "Compare Conditional Access policies pairwise: redundant or report-only duplicates, a block shadowing a grant, conflicting sign-in frequency or browser sessions, policies to merge, exclusions no other policy covers; each with both policies, evidence and a fix. P1. Security Reader.",
    toolset: Toolset::Ca,
    permissions: &["Policy.Read.All", "GroupMember.Read.All", "User.Read.All", "RoleManagement.Read.Directory"],
    least_role: "Security Reader",
    access: Access::Read,
    beta: false,
    default: true,
    examples: EXAMPLES,
};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FindCaPolicyConflictsParams {
    /// Only findings involving this policy (id, name or code such as `CA008`).
    pub policy: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct CaPolicyConflicts {
    /// Policies compared (on or report-only).
    pub compared: usize,
    pub findings: Vec<Finding>,
}

async fn find_ca_policy_conflicts(ctx: Ctx, p: FindCaPolicyConflictsParams) -> Result<CaPolicyConflicts, SkillError> {
    let policies = list_policies(&ctx).await?;
    let focus = match &p.policy {
        Some(wanted) => Some(find_policy(&ctx, "policy", wanted).await?),
        None => None,
    };
    if let Some(f) = &focus
        && !live(f)
    {
        return Err(SkillError::invalid_value(
            "policy",
            format!("{} is off, so it conflicts with nothing at sign-in", f.name()),
            "a policy that is on or report-only",
        ));
    }
    let (estate, names) = tokio::join!(Estate::load(&ctx, &policies, &[]), Names::resolve(&ctx, &policies));
    names.note_unresolved(&ctx);
    let findings = conflicts::find(&estate, &policies, &names, focus.as_ref().map(|f| f.id.as_str()));
    Ok(CaPolicyConflicts { compared: policies.iter().filter(|p| live(p)).count(), findings })
}

impl Render for CaPolicyConflicts {
    fn rows(&self) -> Option<usize> {
        Some(self.findings.len())
    }

    fn cut_to(&mut self, rows: usize) {
        self.findings.truncate(rows);
    }

    fn markdown(&self) -> String {
        let mut out = fields(&[
            ("policies compared", Some(self.compared.to_string())),
            ("findings", Some(self.findings.len().to_string())),
        ]);
        out.push('\n');
        out.push_str(&findings_table(&self.findings));
        for f in &self.findings {
            if f.evidence.len() > 1 {
                out.push_str(&format!("\n{}: {}", f.kind, f.evidence[1..].join("; ")));
            }
        }
        out
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Which Conditional Access policies conflict with or duplicate each other?",
        args: r#"{}"#,
        facts: &[
            Fact::Some("findings/*/kind", "session_conflict"),
            Fact::Some("findings/*/kind", "redundant"),
            Fact::Some("findings/*/kind", "block_shadows_grant"),
            Fact::Some("findings/*/kind", "report_only_duplicate"),
            Fact::Some("findings/*/kind", "consolidation_candidate"),
            Fact::Some("findings/*/kind", "exclusion_hole"),
            Fact::Some("findings/*/policies/*/name", "CA009 Finance sign-in frequency 1 hour"),
            Fact::Some("findings/*/objects/*/name", "CA Exclusions"),
            Fact::Says("the strictest wins"),
        ],
    },
    Example {
        question: "Does the Finance sign-in frequency policy CA008 clash with another policy?",
        args: r#"{"policy":"CA008"}"#,
        facts: &[
            Fact::Every("findings/*/kind", "session_conflict"),
            Fact::Some("findings/0/policies/*/name", "CA009 Finance sign-in frequency 1 hour"),
            Fact::Some("findings/0/objects/*/name", "~Karita Ahlberg"),
            Fact::Says("every 8 hours"),
        ],
    },
    Example {
        question: "Conflicts of a policy that does not exist",
        args: r#"{"policy":"CA999"}"#,
        facts: &[Fact::Fails(ErrorKind::NotFound)],
    },
];

pub fn skill() -> Skill {
    Skill::new(FIND_CA_POLICY_CONFLICTS, find_ca_policy_conflicts)
}
