//! `dismiss_user_risk`: clears the risk of 1 to 20 users once an admin has looked and found
//! nothing (risk level none, state dismissed). A tier-2 write: previewed, then confirmed.

use std::sync::Arc;

use schemars::JsonSchema;
use serde::Deserialize;

use crate::shared::*;
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Skill, SkillError, Toolset, WritePlan};

use super::verdicts::{self, UserVerdict};

const DISMISS_USER_RISK: Declaration = Declaration {
    name: "dismiss_user_risk",
    title: "Dismiss risk after investigation",
    description: "Dismiss the risk of one or more risky users (up to 20) after investigating: risk level goes to none, state to dismissed, open detections are closed. Never on yourself. Preview first, then confirm. P2. Security Administrator.",
    toolset: Toolset::Risk,
    permissions: &["IdentityRiskyUser.ReadWrite.All"],
    least_role: "Security Administrator",
    access: Access::Write { tier: 2, idempotent: true },
    beta: false,
    default: true,
    examples: EXAMPLES,
};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DismissUserRiskParams {
    /// 1 to 20 risky users (UPN or object id) whose risk to dismiss.
    pub users: Vec<UserRef>,
}

const ACTION: &str = "dismiss";

async fn prepare(ctx: Ctx, p: Arc<DismissUserRiskParams>) -> Result<WritePlan, SkillError> {
    let keys = verdicts::parse_users(&p.users)?;
    let (users, caller) = tokio::join!(verdicts::read_users(&ctx, &keys), caller_id(&ctx));
    let (users, caller) = (users?, caller?);
    // An attacker holding an admin's session would clear their own risk first.
    for user in &users {
        check_user_guard_rails(&ctx, DISMISS_USER_RISK.name, user, &caller, true, 2)?;
    }
    let ids: Vec<String> = users.iter().map(|u| u.id.clone()).collect();
    let records = verdicts::risk_records(&ctx, &ids).await?;
    verdicts::require_flagged(&users, &records, DISMISS_USER_RISK.name)?;
    let effect = format!(
        "dismisses the risk of {}: risk level none, state dismissed, their open risk detections closed; risk-based \
         Conditional Access stops asking them to remediate",
        verdicts::who(&users)
    );
    let undo = "no direct undo: if the user was in fact compromised, call confirm_user_compromised";
    Ok(verdicts::plan(ACTION, &users, &records, effect, undo, 2))
}

async fn apply(ctx: Ctx, _p: Arc<DismissUserRiskParams>, plan: WritePlan) -> Result<UserVerdict, SkillError> {
    verdicts::apply(&ctx, ACTION, &plan).await
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Dismiss the risk on nikolai.ivanov@woodgrovebank.com, we checked it was him travelling",
        args: r#"{"users":["nikolai.ivanov@woodgrovebank.com"]}"#,
        facts: &[
            Fact::Every("pending_confirmation", "true"),
            Fact::Every("tier", "C2"),
            Fact::Every("targets/0/name", "~Nikolai Ivanov"),
            Fact::Every("targets/0/state/risk_state", "atRisk"),
            Fact::Some("requests/*", "~POST v1.0 /identityProtection/riskyUsers/dismiss"),
            Fact::Says("nothing has changed yet"),
        ],
    },
    Example {
        question: "Dismiss Lily Foster's risk although ID Protection never flagged her",
        args: r#"{"users":["lily.foster@woodgrovebank.com"]}"#,
        facts: &[Fact::Fails(ErrorKind::NotFound), Fact::Says("no risk record")],
    },
    Example {
        question: "Dismiss my own user risk",
        args: r#"{"users":["me"]}"#,
        facts: &[Fact::Fails(ErrorKind::InvalidInput), Fact::Says("yourself")],
    },
];

pub fn skill() -> Skill {
    Skill::write(DISMISS_USER_RISK, prepare, apply)
}
