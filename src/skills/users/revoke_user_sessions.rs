//! `revoke_user_sessions`: signs a user out everywhere — the first move when an account is
//! compromised. A tier-3 write: previewed, confirmed, and re-typed by the human.

use std::sync::Arc;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::graph::GraphRequest;
use crate::render::{fields, short_time};
use crate::shared::*;
use crate::skill::write::WriteTarget;
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset, WritePlan};

const REVOKE_USER_SESSIONS: Declaration = Declaration {
    name: "revoke_user_sessions",
    title: "Sign a user out everywhere",
    description: "Revoke a user's sessions and refresh tokens so every app asks them to sign in again, e.g. after a compromise. Preview first, then confirm. Helpdesk Administrator (privileged users: Privileged Authentication Administrator).",
    toolset: Toolset::Users,
    permissions: &["User.RevokeSessions.All"],
    least_role: "Helpdesk Administrator (privileged targets: Privileged Authentication Administrator)",
    access: Access::Write { tier: 3, idempotent: true },
    beta: false,
    default: true,
    examples: EXAMPLES,
};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RevokeUserSessionsParams {
    pub user: UserRef,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct RevokedSessions {
    pub user: String,
    pub id: String,
    pub revoked: bool,
    /// Tokens and session cookies issued before this time no longer work (UTC).
    pub sessions_valid_from: Option<String>,
}

/// The state the change moves: when the user's sessions were last revoked.
const STATE: &[&str] = &["signInSessionsValidFromDateTime"];

fn request(id: &str) -> GraphRequest {
    GraphRequest::post(format!("/users/{id}/revokeSignInSessions"), json!({}))
}

async fn prepare(ctx: Ctx, p: Arc<RevokeUserSessionsParams>) -> Result<WritePlan, SkillError> {
    let key = p.user.parse("user")?;
    let (target, caller) = tokio::join!(user_target(&ctx, &key, STATE), caller_id(&ctx));
    let (target, caller) = (target?, caller?);
    check_user_guard_rails(&ctx, REVOKE_USER_SESSIONS.name, &target, &caller, true, 3)?;
    let name = user_label(&target);
    Ok(WritePlan {
        targets: vec![WriteTarget {
            name: name.clone(),
            id: target.id.clone(),
            state: json!({"sessions_valid_from": target.sign_in_sessions_valid_from_date_time}),
        }],
        requests: vec![request(&target.id).describe()],
        effect: format!(
            "signs {name} out of every app and device: refresh tokens and session cookies issued before now stop \
             working and each app asks them to sign in again (access tokens already issued last until they expire, \
             about an hour)"
        ),
        undo: "nothing to undo: the user signs in again; reset the password too if it is known to an attacker".into(),
        tier: 3,
        confirm_target: target.user_principal_name.clone().or(Some(target.id.clone())),
    })
}

async fn apply(ctx: Ctx, _p: Arc<RevokeUserSessionsParams>, plan: WritePlan) -> Result<RevokedSessions, SkillError> {
    let target = plan.targets.first().ok_or_else(|| SkillError::new(ErrorKind::Upstream, "no target to change"))?;
    let answer = ctx.graph.write(request(&target.id)).await?;
    let revoked = answer.as_ref().and_then(|a| a.get("value")).and_then(|v| v.as_bool()).unwrap_or(true);
    // Read back what changed, so the answer shows the new state rather than assuming it.
    let key = UserKey::Id(parse_guid("user", &target.id)?);
    let after = ctx.optional("read-back", user_target(&ctx, &key, STATE).await);
    Ok(RevokedSessions {
        user: target.name.clone(),
        id: target.id.clone(),
        revoked,
        sessions_valid_from: after.and_then(|u| u.sign_in_sessions_valid_from_date_time),
    })
}

impl Render for RevokedSessions {
    fn markdown(&self) -> String {
        fields(&[
            ("signed out", Some(self.user.clone())),
            ("id", Some(self.id.clone())),
            ("revoked", Some(if self.revoked { "yes" } else { "no" }.into())),
            ("sessions valid from", self.sessions_valid_from.as_deref().map(short_time)),
        ])
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Sign karita@woodgrovebank.com out everywhere, her account is compromised",
        args: r#"{"user":"karita@woodgrovebank.com"}"#,
        facts: &[
            Fact::Every("pending_confirmation", "true"),
            Fact::Every("targets/0/name", "~Karita Ahlberg"),
            Fact::Every("confirm_target_required", "karita@woodgrovebank.com"),
            Fact::Every("tier", "C3"),
            Fact::Some("requests/*", "~/revokeSignInSessions"),
            Fact::Says("nothing has changed yet"),
        ],
    },
    Example {
        question: "Revoke my own sessions",
        args: r#"{"user":"me"}"#,
        facts: &[Fact::Fails(ErrorKind::InvalidInput), Fact::Says("yourself")],
    },
    Example {
        question: "Revoke the sessions of a break-glass account",
        args: r#"{"user":"breakglass01@woodgrovebank.onmicrosoft.com"}"#,
        facts: &[Fact::Fails(ErrorKind::InvalidInput), Fact::Says("break-glass")],
    },
];

pub fn skill() -> Skill {
    Skill::write(REVOKE_USER_SESSIONS, prepare, apply)
}
