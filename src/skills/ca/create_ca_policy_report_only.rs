//! `create_ca_policy_report_only`: creates the Conditional Access policy `draft_ca_policy`
//! drafted, from the same intent — re-checked, every name resolved again, break-glass accounts
//! excluded — and always in report-only state, whatever the intent asks: this server never
//! enforces a policy. A tier-2 write: previewed, then confirmed.

use std::sync::Arc;

use schemars::JsonSchema;
use serde::Serialize;
use serde_json::json;

use crate::graph::resources::{ConditionalAccessPolicy, PolicyState};
use crate::graph::{GraphRequest, path};
use crate::render::{fields, short_time};
use crate::skill::write::WriteTarget;
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset, WritePlan};

use super::intent::{self, PolicyIntent};
use super::names::Names;
use super::policies::list_policies;
use super::words;

const CREATE_CA_POLICY_REPORT_ONLY: Declaration = Declaration {
    name: "create_ca_policy_report_only",
    title: "Create a Conditional Access policy, unenforced",
    description: "Create a Conditional Access policy from an intent (the arguments of draft_ca_policy), always in the enabledForReportingButNotEnforced state (logged, never enforced), break-glass accounts excluded. Preview first, then confirm. Conditional Access Administrator.",
    toolset: Toolset::Ca,
    permissions: &["Policy.ReadWrite.ConditionalAccess", "Policy.Read.All", "Directory.Read.All"],
    least_role: "Conditional Access Administrator",
    access: Access::Write { tier: 2, idempotent: false },
    beta: false,
    default: true,
    examples: EXAMPLES,
};

/// The policy as created.
#[derive(Debug, Serialize, JsonSchema)]
pub struct CreatedCaPolicy {
    pub policy: String,
    pub id: String,
    /// Always `report-only`.
    pub state: String,
    /// When Entra created it (UTC).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// The id `draft_ca_policy` gave this intent.
    pub draft_id: String,
    /// The policy in one line.
    pub summary: String,
    /// Break-glass accounts added to its exclusions.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub break_glass_excluded: Vec<String>,
    /// Set when the intent asked for another state.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state_note: Option<String>,
    pub next: String,
}

fn create(body: serde_json::Value) -> GraphRequest {
    GraphRequest::post("/identity/conditionalAccess/policies", body)
}

/// The note an answer carries when the intent asked for a state other than report-only.
fn state_note(asked: &str) -> String {
    format!("the intent asked for `{asked}`; the policy was created report-only, as every policy this server creates")
}

async fn prepare(ctx: Ctx, p: Arc<PolicyIntent>) -> Result<WritePlan, SkillError> {
    let (draft, existing) = tokio::join!(intent::build(&ctx, &p), list_policies(&ctx));
    let (draft, existing) = (draft?, existing?);
    let name = draft.policy.name().to_string();
    if let Some(same) =
        existing.iter().find(|e| e.display_name.as_deref().is_some_and(|n| n.trim().eq_ignore_ascii_case(&name)))
    {
        return Err(SkillError::invalid_value(
            "name",
            format!("a policy named `{name}` already exists ({}, {})", same.id, same.policy_state().words()),
            "a name no policy has; to change an existing policy's users use update_ca_policy_assignments",
        ));
    }
    let names = Names::resolve(&ctx, std::slice::from_ref(&draft.policy)).await;
    names.note_unresolved(&ctx);
    let summary = words::summary(&draft.policy, &names);
    let draft_id = draft.draft_id();
    let body = draft.body();
    let mut effect = format!(
        "creates the Conditional Access policy `{name}` in report-only state (draft {draft_id}): {summary}. Report-only \
         policies are evaluated and logged at every sign-in but never enforced"
    );
    if !draft.break_glass.is_empty() {
        let accounts: Vec<&str> = draft.break_glass.iter().map(|b| b.name.as_str()).collect();
        effect.push_str(&format!("; break-glass accounts excluded: {}", accounts.join(", ")));
    }
    if let Some(asked) = &draft.state_overridden {
        effect.push_str(&format!("; {}", state_note(asked)));
    }
    Ok(WritePlan {
        targets: vec![WriteTarget {
            name: name.clone(),
            id: "new".into(),
            // A policy of this name appearing, or a name resolving differently, makes the token stale.
            state: json!({"exists": false, "draft_id": draft_id}),
        }],
        requests: vec![format!("{} {}", create(body.clone()).describe(), body)],
        effect,
        undo: format!(
            "delete the policy `{name}` in the Entra admin center (or DELETE its id); while report-only it changes no sign-in"
        ),
        tier: 2,
        confirm_target: None,
    })
}

async fn apply(ctx: Ctx, p: Arc<PolicyIntent>, plan: WritePlan) -> Result<CreatedCaPolicy, SkillError> {
    // The plan's state carries the draft id the human saw; the body is built again from the
    // same intent, and the token already proved nothing moved since.
    let draft = intent::build(&ctx, &p).await?;
    let draft_id = draft.draft_id();
    let seen = plan.targets.first().and_then(|t| t.state.get("draft_id")).and_then(|v| v.as_str()).unwrap_or_default();
    if seen != draft_id {
        return Err(SkillError::new(
            ErrorKind::InvalidInput,
            "the draft changed since the preview; nothing was created",
        )
        .with_remedy("call again without `confirm` for a fresh preview"));
    }
    let answer = ctx.graph.write(create(draft.body())).await?;
    let created: ConditionalAccessPolicy = answer.and_then(|v| serde_json::from_value(v).ok()).unwrap_or_default();
    if created.id.is_empty() {
        return Err(SkillError::new(ErrorKind::Upstream, "Graph created the policy but did not return its id")
            .with_remedy("find it with list_ca_policies"));
    }
    // Read back what Entra stored, so the answer shows its state rather than assuming it.
    let read = GraphRequest::get(path("/identity/conditionalAccess/policies/{}", &[&created.id]));
    let stored = ctx.optional("read-back", ctx.graph.get::<ConditionalAccessPolicy>(read).await).unwrap_or(created);
    let names = Names::resolve(&ctx, std::slice::from_ref(&stored)).await;
    Ok(CreatedCaPolicy {
        policy: stored.name().to_string(),
        id: stored.id.clone(),
        state: stored.policy_state().words().to_string(),
        created: stored.created_date_time.clone(),
        draft_id,
        summary: words::summary(&stored, &names),
        break_glass_excluded: draft.break_glass.iter().map(|b| b.name.clone()).collect(),
        state_note: draft.state_overridden.as_deref().map(state_note),
        next: if stored.policy_state() == PolicyState::ReportOnly {
            "watch what it would do with get_ca_policy_impact; enable it in the Entra admin center once the results \
             are as intended"
                .into()
        } else {
            "the policy is not report-only: check it in the Entra admin center".into()
        },
    })
}

impl Render for CreatedCaPolicy {
    fn markdown(&self) -> String {
        fields(&[
            ("created", Some(format!("{} ({})", self.policy, self.id))),
            ("state", Some(self.state.clone())),
            ("created at", self.created.as_deref().map(short_time)),
            ("draft", Some(self.draft_id.clone())),
            ("policy", Some(self.summary.clone())),
            (
                "break-glass excluded",
                (!self.break_glass_excluded.is_empty()).then(|| self.break_glass_excluded.join(", ")),
            ),
            ("note", self.state_note.clone()),
            ("next", Some(self.next.clone())),
        ])
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Create a policy requiring phishing-resistant MFA for admins outside trusted locations, as a trial first",
        args: r#"{"name":"CA100 Phishing-resistant MFA for admins","include":{"roles":["Global Administrator","Security Administrator","User Administrator"]},"apps":["all"],"conditions":{"exclude_locations":["trusted"]},"grant":{"authentication_strength":"Phishing-resistant MFA"}}"#,
        facts: &[
            Fact::Every("pending_confirmation", "true"),
            Fact::Every("tier", "C2"),
            Fact::Every("targets/0/name", "CA100 Phishing-resistant MFA for admins"),
            Fact::Some("requests/*", "~POST v1.0 /identity/conditionalAccess/policies"),
            Fact::Some("requests/*", "~\"state\":\"enabledForReportingButNotEnforced\""),
            Fact::Some("requests/*", "~\"excludeLocations\":[\"AllTrusted\"]"),
            Fact::Says("Phishing-resistant MFA"),
        ],
    },
    Example {
        question: "Create and turn on a policy that requires MFA for the Finance Department, enabled right away",
        args: r#"{"name":"CA101 MFA for Finance","include":{"groups":["Finance Department"]},"apps":["all"],"grant":{"controls":["mfa"]},"state":"enabled"}"#,
        facts: &[
            Fact::Every("pending_confirmation", "true"),
            Fact::Some("requests/*", "~enabledForReportingButNotEnforced"),
            Fact::No("requests/*", "~\"state\":\"enabled\""),
            Fact::Says("created report-only"),
            Fact::Says("break-glass accounts excluded"),
        ],
    },
    Example {
        question: "Create a policy for a group that does not exist",
        args: r#"{"name":"CA102 MFA for Finanse","include":{"groups":["Finanse Team"]},"apps":["all"],"grant":{"controls":["mfa"]}}"#,
        facts: &[Fact::Fails(ErrorKind::NotFound), Fact::Says("Finance Team")],
    },
    Example {
        question: "Create a policy that blocks and requires MFA at once",
        args: r#"{"name":"CA103 Confused","include":{"users":["all"]},"apps":["office365"],"grant":{"controls":["block","mfa"]}}"#,
        facts: &[Fact::Fails(ErrorKind::InvalidInput), Fact::Says("stands alone")],
    },
];

pub fn skill() -> Skill {
    Skill::write(CREATE_CA_POLICY_REPORT_ONLY, prepare, apply)
}
