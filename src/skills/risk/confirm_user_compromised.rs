//! `confirm_user_compromised`: declares 1 to 20 users compromised (risk high, state
//! confirmedCompromised), so risk-based Conditional Access acts on them at once. A tier-3 write:
//! previewed, confirmed, the UPN (or the count) re-typed by the human; never on a break-glass
//! account.

use std::sync::Arc;

use schemars::JsonSchema;
use serde::Deserialize;

use crate::shared::*;
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Skill, SkillError, Toolset, WritePlan};

use super::verdicts::{self, UserVerdict};

const CONFIRM_USER_COMPROMISED: Declaration = Declaration {
    name: "confirm_user_compromised",
    title: "Confirm user compromised",
    description: "Declare one or more users (up to 20) compromised: risk goes to high and state to confirmedCompromised, so user-risk Conditional Access policies fire on their next sign-in. Refused on break-glass accounts. Preview first, then confirm with the UPN (or the count) re-typed. P2. Security Administrator.",
    toolset: Toolset::Risk,
    permissions: &["IdentityRiskyUser.ReadWrite.All"],
    least_role: "Security Administrator",
    access: Access::Write { tier: 3, idempotent: true },
    beta: false,
    default: true,
    examples: EXAMPLES,
};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfirmUserCompromisedParams {
    /// 1 to 20 users (UPN or object id) to declare compromised; they need not be flagged yet.
    pub users: Vec<UserRef>,
}

const ACTION: &str = "confirmCompromised";

async fn prepare(ctx: Ctx, p: Arc<ConfirmUserCompromisedParams>) -> Result<WritePlan, SkillError> {
    let keys = verdicts::parse_users(&p.users)?;
    let users = verdicts::read_users(&ctx, &keys).await?;
    // Declaring yourself compromised is allowed; a break-glass account never is.
    for user in &users {
        check_user_guard_rails(&ctx, CONFIRM_USER_COMPROMISED.name, user, "", false, 3)?;
    }
    let ids: Vec<String> = users.iter().map(|u| u.id.clone()).collect();
    let records = verdicts::risk_records(&ctx, &ids).await?;
    let effect = format!(
        "declares {} compromised: user risk high, state confirmedCompromised; user-risk Conditional Access \
         policies (block, or secure password change) apply at their next sign-in; sessions already open stay open \
         (revoke them with revoke_user_sessions)",
        verdicts::who(&users)
    );
    let undo = "once remediated (password reset), call dismiss_user_risk; a false alarm: confirm_user_safe";
    Ok(verdicts::plan(ACTION, &users, &records, effect, undo, 3))
}

async fn apply(ctx: Ctx, _p: Arc<ConfirmUserCompromisedParams>, plan: WritePlan) -> Result<UserVerdict, SkillError> {
    verdicts::apply(&ctx, ACTION, &plan).await
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Karita's account is compromised, confirm it in ID Protection",
        args: r#"{"users":["karita@woodgrovebank.com"]}"#,
        facts: &[
            Fact::Every("pending_confirmation", "true"),
            Fact::Every("tier", "C3"),
            Fact::Every("confirm_target_required", "karita@woodgrovebank.com"),
            Fact::Every("targets/0/state/risk_level", "high"),
            Fact::Every("targets/0/state/risk_state", "atRisk"),
            Fact::Some("requests/*", "~/identityProtection/riskyUsers/confirmCompromised"),
        ],
    },
    Example {
        question: "Confirm two users compromised at once: the re-typed target is the count",
        args: r#"{"users":["karita@woodgrovebank.com","lily.foster@woodgrovebank.com"]}"#,
        facts: &[
            Fact::Every("confirm_target_required", r#""2""#),
            Fact::Some("targets/*/state/risk_state", "not flagged"),
        ],
    },
    Example {
        question: "Mark a break-glass account as compromised",
        args: r#"{"users":["breakglass01@woodgrovebank.onmicrosoft.com"]}"#,
        facts: &[Fact::Fails(ErrorKind::InvalidInput), Fact::Says("break-glass")],
    },
];

pub fn skill() -> Skill {
    Skill::write(CONFIRM_USER_COMPROMISED, prepare, apply)
}
