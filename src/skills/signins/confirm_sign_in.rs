//! `confirm_sign_in`: an admin's verdict on 1 to 20 sign-ins — safe (tier 2: a false positive,
//! ID Protection learns from it) or compromised (tier 3: the sign-in and its user go to high
//! risk; the UPN, or the count, re-typed; never a break-glass account's sign-in).

use std::collections::BTreeMap;
use std::sync::Arc;

use futures::StreamExt;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::graph::resources::{RiskyUser, SignIn};
use crate::graph::{GraphRequest, Query};
use crate::odata::Expr;
use crate::render::{or_dash, short_time, table};
use crate::shared::*;
use crate::skill::write::WriteTarget;
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset, WritePlan};

const CONFIRM_SIGN_IN: Declaration = Declaration {
    name: "confirm_sign_in",
    title: "Report sign-ins safe or compromised",
    description: "Report up to 20 sign-ins (by sign-in id) to ID Protection as safe (a false positive) or compromised (the sign-in and its user go to high risk, so risk policies fire). Never a break-glass account's sign-in as compromised. Preview first, then confirm; compromised also needs the UPN (or the count) re-typed. P2. Security Administrator.",
    toolset: Toolset::Signins,
    permissions: &["IdentityRiskyUser.ReadWrite.All"],
    least_role: "Security Administrator",
    access: Access::Write { tier: 3, idempotent: true },
    beta: false,
    default: false,
    examples: EXAMPLES,
};

#[derive(Debug, Clone, Copy, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum SignInVerdict {
    /// It was the user: a false positive.
    Safe,
    /// It was not the user: an attacker signed in.
    Compromised,
}

impl SignInVerdict {
    fn action(self) -> &'static str {
        match self {
            SignInVerdict::Safe => "confirmSafe",
            SignInVerdict::Compromised => "confirmCompromised",
        }
    }

    fn tier(self) -> u8 {
        match self {
            SignInVerdict::Safe => 2,
            SignInVerdict::Compromised => 3,
        }
    }
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfirmSignInParams {
    /// 1 to 20 sign-in ids (the `id` list_sign_ins and get_sign_in show; Graph calls them request ids).
    pub sign_ins: Vec<String>,
    pub verdict: SignInVerdict,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ConfirmedSignIn {
    pub id: String,
    pub time: Option<String>,
    pub user: Option<String>,
    pub app: Option<String>,
    pub risk_state: Option<String>,
    pub risk_detail: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct UserRiskNow {
    pub user: String,
    pub id: String,
    pub risk_level: Option<String>,
    pub risk_state: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct SignInVerdictResult {
    /// The Graph action sent (`confirmSafe` or `confirmCompromised`).
    pub action: String,
    /// The sign-ins as Graph reads them back.
    pub sign_ins: Vec<ConfirmedSignIn>,
    /// For compromised sign-ins: their users' risk now.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub users: Vec<UserRiskNow>,
}

const MAX_SIGN_INS: usize = 20;
const FIELDS: &[&str] = &[
    "id",
    "createdDateTime",
    "userId",
    "userDisplayName",
    "userPrincipalName",
    "appDisplayName",
    "ipAddress",
    "riskLevelDuringSignIn",
    "riskState",
    "riskDetail",
];

fn parse_ids(sign_ins: &[String]) -> Result<Vec<String>, SkillError> {
    if sign_ins.is_empty() || sign_ins.len() > MAX_SIGN_INS {
        return Err(SkillError::invalid_value(
            "sign_ins",
            format!("names {} sign-ins", sign_ins.len()),
            "a list of 1 to 20 sign-in ids (GUIDs, as list_sign_ins shows them)",
        ));
    }
    let mut ids: Vec<String> = Vec::with_capacity(sign_ins.len());
    for id in sign_ins {
        let id = parse_guid("sign_ins", id)?.to_string();
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    Ok(ids)
}

/// Each sign-in, read at most 8 at a time, in the given order.
async fn read_sign_ins(ctx: &Ctx, ids: &[String]) -> Result<Vec<SignIn>, SkillError> {
    // Collected first: a stream over a borrowing closure would not be `Send`.
    let reads: Vec<_> = ids
        .iter()
        .map(|id| {
            let request = GraphRequest::get(format!("/auditLogs/signIns/{id}"))
                .query(Query::new().select(FIELDS))
                .prefer_unknown_enums();
            async move {
                ctx.graph.get::<SignIn>(request).await.map_err(|e| {
                    if e.kind == ErrorKind::NotFound {
                        SkillError::not_found(format!("sign-in {id}"), "list_sign_ins")
                            .with_remedy("sign-ins are kept 30 days; find the id with `list_sign_ins`")
                    } else {
                        e
                    }
                })
            }
        })
        .collect();
    futures::stream::iter(reads).buffered(8).collect::<Vec<_>>().await.into_iter().collect()
}

fn request(action: &str, ids: &[String]) -> GraphRequest {
    GraphRequest::post(format!("/auditLogs/signIns/{action}"), json!({ "requestIds": ids }))
}

async fn prepare(ctx: Ctx, p: Arc<ConfirmSignInParams>) -> Result<WritePlan, SkillError> {
    let ids = parse_ids(&p.sign_ins)?;
    let sign_ins = read_sign_ins(&ctx, &ids).await?;
    if p.verdict == SignInVerdict::Compromised {
        for s in &sign_ins {
            let user = s.user_id.as_deref().unwrap_or_default();
            if ctx.guard.is_break_glass(user, s.user_principal_name.as_deref()) {
                return Err(SkillError::invalid_value(
                    "sign_ins",
                    format!(
                        "sign-in {} is by `{}`, a break-glass (emergency access) account, which no change that \
                         signals a compromise may target",
                        s.id,
                        s.user_principal_name.as_deref().unwrap_or(user)
                    ),
                    "sign-ins of accounts that are not break-glass accounts (ENTRA_MCP_BREAK_GLASS lists them)",
                ));
            }
        }
    }
    let targets: Vec<WriteTarget> = sign_ins
        .iter()
        .map(|s| WriteTarget {
            name: format!(
                "{} sign-in to {} at {}",
                s.user_principal_name.as_deref().unwrap_or("unknown user"),
                s.app_display_name.as_deref().unwrap_or("an app"),
                s.created_date_time.as_deref().map(short_time).unwrap_or_default()
            ),
            id: s.id.clone(),
            state: json!({"risk_state": s.risk_state, "risk_level": s.risk_level_during_sign_in}),
        })
        .collect();
    let users: Vec<&str> = {
        let mut users: Vec<&str> = sign_ins.iter().filter_map(|s| s.user_principal_name.as_deref()).collect();
        users.sort_unstable();
        users.dedup();
        users
    };
    let what = match sign_ins.len() {
        1 => "the sign-in".to_string(),
        n => format!("{n} sign-ins"),
    };
    let (effect, undo) = match p.verdict {
        SignInVerdict::Safe => (
            format!(
                "reports {what} as safe (a false positive): risk state confirmedSafe; ID Protection learns from it"
            ),
            "no direct undo: if it was in fact an attacker, call again with `verdict: compromised`",
        ),
        SignInVerdict::Compromised => (
            format!(
                "reports {what} as compromised: risk state confirmedCompromised and high risk; the user ({}) goes to \
                 high user risk, so user-risk Conditional Access applies at the next sign-in (revoke their sessions \
                 with revoke_user_sessions)",
                users.join(", ")
            ),
            "once the user is remediated (password reset), clear their risk with dismiss_user_risk",
        ),
    };
    // The human re-types the person the verdict lands on, or the count of sign-ins.
    let confirm_target = match (users.as_slice(), sign_ins.len()) {
        ([one], _) => Some(one.to_string()),
        (_, n) => Some(n.to_string()),
    };
    Ok(WritePlan {
        targets,
        requests: vec![request(p.verdict.action(), &ids).describe()],
        effect,
        undo: undo.into(),
        tier: p.verdict.tier(),
        confirm_target,
    })
}

async fn apply(ctx: Ctx, p: Arc<ConfirmSignInParams>, plan: WritePlan) -> Result<SignInVerdictResult, SkillError> {
    let ids: Vec<String> = plan.targets.iter().map(|t| t.id.clone()).collect();
    if ids.is_empty() {
        return Err(SkillError::new(ErrorKind::Upstream, "no target to change"));
    }
    ctx.graph.write(request(p.verdict.action(), &ids)).await?;
    let after = ctx.optional("read-back", read_sign_ins(&ctx, &ids).await).unwrap_or_default();
    let mut users: BTreeMap<String, String> = BTreeMap::new();
    for s in &after {
        if let Some(id) = &s.user_id {
            users.insert(id.clone(), s.user_principal_name.clone().unwrap_or_else(|| id.clone()));
        }
    }
    let mut risk = Vec::new();
    if p.verdict == SignInVerdict::Compromised
        && let Some(filter) = users.keys().map(|id| Expr::eq("id", id.as_str())).reduce(Expr::or)
    {
        let request = GraphRequest::get("/identityProtection/riskyUsers")
            .query(Query::new().select(&["id", "riskLevel", "riskState"]).filter(filter).top(MAX_SIGN_INS))
            .prefer_unknown_enums();
        let records = ctx.optional("user risk", ctx.graph.list::<RiskyUser>(request, MAX_SIGN_INS).await);
        risk = records
            .map(|page| page.items)
            .unwrap_or_default()
            .into_iter()
            .map(|r| UserRiskNow {
                user: users.get(&r.id).cloned().unwrap_or_else(|| r.id.clone()),
                id: r.id,
                risk_level: r.risk_level,
                risk_state: r.risk_state,
            })
            .collect();
    }
    let sign_ins = after
        .into_iter()
        .map(|s| ConfirmedSignIn {
            id: s.id,
            time: s.created_date_time,
            user: s.user_principal_name,
            app: s.app_display_name,
            risk_state: s.risk_state,
            risk_detail: s.risk_detail,
        })
        .collect();
    Ok(SignInVerdictResult { action: p.verdict.action().to_string(), sign_ins, users: risk })
}

impl Render for SignInVerdictResult {
    fn markdown(&self) -> String {
        let rows: Vec<Vec<String>> = self
            .sign_ins
            .iter()
            .map(|s| {
                vec![
                    s.time.as_deref().map(short_time).unwrap_or_default(),
                    or_dash(&s.user),
                    or_dash(&s.app),
                    or_dash(&s.risk_state),
                    or_dash(&s.risk_detail),
                    s.id.clone(),
                ]
            })
            .collect();
        let mut text = format!(
            "{} sent for {} sign-in(s); now:\n{}",
            self.action,
            self.sign_ins.len(),
            table(&["time (UTC)", "user", "app", "risk state", "detail", "id"], &rows)
        );
        if !self.users.is_empty() {
            let rows: Vec<Vec<String>> = self
                .users
                .iter()
                .map(|u| vec![u.user.clone(), or_dash(&u.risk_level), or_dash(&u.risk_state), u.id.clone()])
                .collect();
            text.push_str(&format!("\nuser risk now:\n{}", table(&["user", "level", "state", "id"], &rows)));
        }
        text
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "That Tor sign-in of Karita's was an attacker: report the sign-in as compromised",
        args: r#"{"sign_ins":["626c3711-960e-540c-8b85-e418bafb3c48"],"verdict":"compromised"}"#,
        facts: &[
            Fact::Every("pending_confirmation", "true"),
            Fact::Every("tier", "C3"),
            Fact::Every("confirm_target_required", "karita@woodgrovebank.com"),
            Fact::Every("targets/0/state/risk_state", "atRisk"),
            Fact::Some("requests/*", "~POST v1.0 /auditLogs/signIns/confirmCompromised"),
        ],
    },
    Example {
        question: "Nikolai's unfamiliar sign-in from Amsterdam was really him: report the sign-in as safe",
        args: r#"{"sign_ins":["cdf829f4-42ab-517f-ae5a-5306b0aa0366"],"verdict":"safe"}"#,
        facts: &[
            Fact::Every("tier", "C2"),
            Fact::Every("targets/0/name", "~nikolai.ivanov@woodgrovebank.com"),
            Fact::Every("targets/0/state/risk_state", "atRisk"),
            Fact::Some("requests/*", "~/auditLogs/signIns/confirmSafe"),
        ],
    },
    Example {
        question: "Report a break-glass account's sign-in as compromised",
        args: r#"{"sign_ins":["17d5afa8-3f9d-5285-b489-d5afccd1a461"],"verdict":"compromised"}"#,
        facts: &[Fact::Fails(ErrorKind::InvalidInput), Fact::Says("break-glass")],
    },
    Example {
        question: "Report a sign-in id that is not a GUID",
        args: r#"{"sign_ins":["yesterday's login"],"verdict":"safe"}"#,
        facts: &[Fact::Fails(ErrorKind::InvalidInput), Fact::Says("GUID")],
    },
    Example {
        question: "Report a sign-in that does not exist",
        args: r#"{"sign_ins":["00000000-0000-0000-0000-000000000001"],"verdict":"safe"}"#,
        facts: &[Fact::Fails(ErrorKind::NotFound)],
    },
];

pub fn skill() -> Skill {
    Skill::write(CONFIRM_SIGN_IN, prepare, apply)
}
