//! `confirm_user_safe`: declares 1 to 20 risky users safe after investigation (risk level none,
//! state confirmedSafe), which also teaches ID Protection. A tier-2 write: previewed, then
//! confirmed.

use std::sync::Arc;

use schemars::JsonSchema;
use serde::Deserialize;

use crate::shared::*;
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Skill, SkillError, Toolset, WritePlan};

use super::verdicts::{self, UserVerdict};

const CONFIRM_USER_SAFE: Declaration = Declaration {
    name: "confirm_user_safe",
    title: "Confirm user safe",
    description: "Confirm one or more risky users (up to 20) as safe, a false positive: risk level goes to none, state to confirmedSafe, and ID Protection learns from it. Never on yourself. Preview first, then confirm. P2. Security Administrator.",
    toolset: Toolset::Risk,
    permissions: &["IdentityRiskyUser.ReadWrite.All"],
    least_role: "Security Administrator",
    access: Access::Write { tier: 2, idempotent: true },
    beta: false,
    default: false,
    examples: EXAMPLES,
};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfirmUserSafeParams {
    /// 1 to 20 risky users (UPN or object id) to declare safe.
    pub users: Vec<UserRef>,
}

const ACTION: &str = "confirmSafe";

async fn prepare(ctx: Ctx, p: Arc<ConfirmUserSafeParams>) -> Result<WritePlan, SkillError> {
    let keys = verdicts::parse_users(&p.users)?;
    let (users, caller) = tokio::join!(verdicts::read_users(&ctx, &keys), caller_id(&ctx));
    let (users, caller) = (users?, caller?);
    for user in &users {
        check_user_guard_rails(&ctx, CONFIRM_USER_SAFE.name, user, &caller, true, 2)?;
    }
    let ids: Vec<String> = users.iter().map(|u| u.id.clone()).collect();
    let records = verdicts::risk_records(&ctx, &ids).await?;
    verdicts::require_flagged(&users, &records, CONFIRM_USER_SAFE.name)?;
    let effect = format!(
        "declares {} safe (a false positive): risk level none, state confirmedSafe, open risk detections closed; \
         ID Protection takes it as feedback for future detections",
        verdicts::who(&users)
    );
    let undo = "no direct undo: if the user was in fact compromised, call confirm_user_compromised";
    Ok(verdicts::plan(ACTION, &users, &records, effect, undo, 2))
}

async fn apply(ctx: Ctx, _p: Arc<ConfirmUserSafeParams>, plan: WritePlan) -> Result<UserVerdict, SkillError> {
    verdicts::apply(&ctx, ACTION, &plan).await
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Mark the guest lucia.romero as safe, her unfamiliar sign-in was a false positive",
        args: r#"{"users":["lucia.romero_fabrikampartners.com#EXT#@woodgrovebank.onmicrosoft.com"]}"#,
        facts: &[
            Fact::Every("pending_confirmation", "true"),
            Fact::Every("tier", "C2"),
            Fact::Every("targets/0/name", "~Lucia Romero"),
            Fact::Every("targets/0/state/risk_level", "medium"),
            Fact::Some("requests/*", "~/identityProtection/riskyUsers/confirmSafe"),
        ],
    },
    Example {
        question: "Confirm as safe 21 users at once",
        args: r#"{"users":["a1@woodgrovebank.com","a2@woodgrovebank.com","a3@woodgrovebank.com","a4@woodgrovebank.com","a5@woodgrovebank.com","a6@woodgrovebank.com","a7@woodgrovebank.com","a8@woodgrovebank.com","a9@woodgrovebank.com","a10@woodgrovebank.com","a11@woodgrovebank.com","a12@woodgrovebank.com","a13@woodgrovebank.com","a14@woodgrovebank.com","a15@woodgrovebank.com","a16@woodgrovebank.com","a17@woodgrovebank.com","a18@woodgrovebank.com","a19@woodgrovebank.com","a20@woodgrovebank.com","a21@woodgrovebank.com"]}"#,
        facts: &[Fact::Fails(ErrorKind::InvalidInput), Fact::Says("1 to 20")],
    },
];

pub fn skill() -> Skill {
    Skill::write(CONFIRM_USER_SAFE, prepare, apply)
}
