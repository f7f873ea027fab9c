//! The write protocol every write skill goes through, so none can skip it:
//!
//! 1. A call without `confirm` runs the skill's `prepare` (validate, resolve every target to
//!    name and id, read its current state) and answers a **preview**: the exact Graph requests,
//!    the targets and their state now, the effect, how to undo it, and a confirmation token.
//!    Nothing changes.
//! 2. A call with the same arguments plus `confirm` checks the token (caller, tool, arguments,
//!    expiry: refused before any Graph request), reads the targets again and refuses if their
//!    state moved since the preview, checks `confirm_target` for tier-3 changes, and only then
//!    runs the skill's `apply`.
//!
//! The guard rails that hold for every write (break-glass accounts) live in [`WriteGuard`].

use std::future::Future;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::{Map, Value};

use super::confirm::{Binding, Confirmer};
use super::{Access, CallerKey, Ctx, Declaration, Outcome, Render, encode};
use crate::error::{ErrorKind, SkillError};

/// What a write will do, as `prepare` found it.
#[derive(Debug, Clone)]
pub struct WritePlan {
    pub targets: Vec<WriteTarget>,
    /// The exact requests, e.g. `POST v1.0 /users/{id}/revokeSignInSessions`.
    pub requests: Vec<String>,
    pub effect: String,
    pub undo: String,
    /// The tier of this change with these arguments (enabling an account is C2, disabling C3).
    pub tier: u8,
    /// For tier 3: what the human must re-type in `confirm_target` (a UPN, a name, a count).
    pub confirm_target: Option<String>,
}

/// One object a write changes, with the state the change depends on.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct WriteTarget {
    pub name: String,
    pub id: String,
    /// The target's relevant state now; a change to it makes a preview's token stale.
    pub state: Value,
}

/// The answer to an unconfirmed write: nothing has changed yet.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Preview {
    /// Always true: this is a preview, nothing was changed.
    pub pending_confirmation: bool,
    /// What the change will do.
    pub effect: String,
    pub targets: Vec<WriteTarget>,
    /// The Graph requests the confirmed call will send.
    pub requests: Vec<String>,
    /// How to reverse the change.
    pub undo: String,
    /// `C1`, `C2` or `C3`.
    pub tier: String,
    /// Pass as `confirm`, with the same arguments, once the human agreed.
    pub confirmation: String,
    /// When the token stops being accepted (UTC).
    pub expires: String,
    /// Tier 3: the value the human must re-type as `confirm_target`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confirm_target_required: Option<String>,
}

impl Render for Preview {
    fn markdown(&self) -> String {
        let mut out = format!("**preview — nothing has changed yet** ({})\neffect: {}\n", self.tier, self.effect);
        for t in &self.targets {
            out.push_str(&format!("target: {} ({}) — now {}\n", t.name, t.id, compact(&t.state)));
        }
        for r in &self.requests {
            out.push_str(&format!("request: {r}\n"));
        }
        out.push_str(&format!("undo: {}\n", self.undo));
        out.push_str(&format!(
            "to apply, after the human agrees: call again with the same arguments and `confirm`: \"{}\"",
            self.confirmation
        ));
        if let Some(target) = &self.confirm_target_required {
            out.push_str(&format!(" and `confirm_target` re-typed by the human: `{target}`"));
        }
        out.push_str(&format!(" (expires {})", self.expires));
        out
    }
}

fn compact(state: &Value) -> String {
    match state {
        Value::Object(map) => map.iter().map(|(k, v)| format!("{k}: {v}")).collect::<Vec<_>>().join(", "),
        other => other.to_string(),
    }
}

/// What the human answered when asked directly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Approval {
    Approved,
    Declined,
    /// The client could not ask (no answer, an error): the confirmation token stands alone.
    Unavailable,
}

/// Asks the human to approve a change, through the client (MCP elicitation).
pub trait Approver: Send + Sync {
    fn approve(&self, message: String) -> futures::future::BoxFuture<'_, Approval>;
}

/// The rails every write respects, and the key that signs its confirmations.
#[derive(Debug)]
pub struct WriteGuard {
    pub confirmer: Confirmer,
    /// Break-glass accounts (UPNs or object ids, lower case): never the target of a tier-3
    /// change.
    break_glass: Vec<String>,
}

impl WriteGuard {
    pub fn new(confirmer: Confirmer, break_glass: &[String]) -> WriteGuard {
        let break_glass = break_glass.iter().map(|a| a.trim().to_ascii_lowercase()).filter(|a| !a.is_empty()).collect();
        WriteGuard { confirmer, break_glass }
    }

    /// The configured break-glass accounts (UPNs or object ids, lower case), for the writes that
    /// must keep them excluded (a new Conditional Access policy).
    pub fn break_glass(&self) -> &[String] {
        &self.break_glass
    }

    pub fn is_break_glass(&self, id: &str, upn: Option<&str>) -> bool {
        let id = id.to_ascii_lowercase();
        let upn = upn.map(str::to_ascii_lowercase);
        self.break_glass.iter().any(|a| *a == id || upn.as_deref() == Some(a.as_str()))
    }
}

impl Default for WriteGuard {
    fn default() -> Self {
        WriteGuard::new(Confirmer::random(), &[])
    }
}

/// Takes `confirm` and `confirm_target` out of the arguments; what stays is what the token
/// binds.
pub(super) fn split_confirmation(args: Value) -> Result<(Map<String, Value>, Option<Confirmation>), SkillError> {
    let Value::Object(mut args) = args else {
        return Err(SkillError::invalid("arguments", "a JSON object"));
    };
    let text = |v: Value, field: &str| match v {
        Value::String(s) => Ok(s),
        _ => Err(SkillError::invalid(field, "a string")),
    };
    let token = args.remove("confirm").map(|v| text(v, "confirm")).transpose()?;
    let target = args.remove("confirm_target").map(|v| text(v, "confirm_target")).transpose()?;
    match (token, target) {
        (Some(token), target) => Ok((args, Some(Confirmation { token, target }))),
        (None, Some(_)) => Err(SkillError::invalid_value(
            "confirm_target",
            "was given without `confirm`",
            "`confirm_target` together with the `confirm` token of a preview",
        )),
        (None, None) => Ok((args, None)),
    }
}

pub(super) struct Confirmation {
    token: String,
    target: Option<String>,
}

/// One write call on its way through the protocol.
pub(super) struct Step<'a> {
    pub decl: &'a Declaration,
    pub caller: &'a CallerKey,
    pub args: &'a Map<String, Value>,
    pub confirmation: Option<Confirmation>,
}

fn canonical(value: &impl Serialize) -> String {
    // serde_json's maps are ordered by key, so this text is the same for equal values.
    serde_json::to_string(value).unwrap_or_default()
}

fn refused(reason: &str) -> SkillError {
    SkillError::new(ErrorKind::InvalidInput, format!("`confirm` refused: {reason}; nothing was changed"))
        .with_remedy("call again without `confirm` for a fresh preview, show it to the human, then confirm")
}

pub(super) async fn run<P, O, Fp, FpFut, Fa, FaFut>(
    step: Step<'_>,
    mut ctx: Ctx,
    params: Arc<P>,
    prepare: &Fp,
    apply: &Fa,
) -> Outcome
where
    O: Serialize + Render,
    Fp: Fn(Ctx, Arc<P>) -> FpFut,
    FpFut: Future<Output = Result<WritePlan, SkillError>>,
    Fa: Fn(Ctx, Arc<P>, WritePlan) -> FaFut,
    FaFut: Future<Output = Result<O, SkillError>>,
{
    let args = canonical(step.args);
    let binding = |state: &str| -> (String, String, String, String) {
        (step.caller.0.clone(), step.decl.name.to_string(), args.clone(), state.to_string())
    };
    let now: DateTime<Utc> = ctx.now;
    let guard = ctx.guard.clone();
    match step.confirmation {
        None => {
            let plan = prepare(ctx.clone(), params).await?;
            let state = canonical(&plan.targets.iter().map(|t| &t.state).collect::<Vec<_>>());
            let (caller, tool, args, state) = binding(&state);
            let (token, expires) =
                guard.confirmer.issue(&Binding { caller: &caller, tool: &tool, args: &args, state: &state }, now);
            let preview = Preview {
                pending_confirmation: true,
                effect: plan.effect,
                targets: plan.targets,
                requests: plan.requests,
                undo: plan.undo,
                tier: format!("C{}", plan.tier),
                confirmation: token,
                expires: crate::render::short_time(&expires.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
                confirm_target_required: if plan.tier >= 3 { plan.confirm_target } else { None },
            };
            encode(&preview)
        }
        Some(confirmation) => {
            let (caller, tool, args_text, _) = binding("");
            let bound = Binding { caller: &caller, tool: &tool, args: &args_text, state: "" };
            guard.confirmer.check(&confirmation.token, &bound, now).map_err(|r| refused(r.reason()))?;
            let plan = prepare(ctx.clone(), params.clone()).await?;
            let state = canonical(&plan.targets.iter().map(|t| &t.state).collect::<Vec<_>>());
            guard.confirmer.check_state(&confirmation.token, &state).map_err(|r| refused(r.reason()))?;
            let tier = match step.decl.access {
                Access::Write { tier, .. } => tier.min(plan.tier),
                Access::Read => plan.tier,
            };
            if tier >= 3 {
                let expected = plan.confirm_target.clone().unwrap_or_default();
                let typed = confirmation.target.as_deref().map(str::trim).unwrap_or_default();
                if expected.is_empty() || !typed.eq_ignore_ascii_case(expected.trim()) {
                    return Err(SkillError::invalid_value(
                        "confirm_target",
                        if typed.is_empty() { "is required for this change" } else { "does not match the target" },
                        &format!("the target re-typed by the human: `{}`", crate::render::trim(&expected, 120)),
                    ));
                }
            }
            if let Some(approver) = ctx.approver.clone() {
                let targets: Vec<&str> = plan.targets.iter().map(|t| t.name.as_str()).collect();
                let message = format!(
                    "{} ({}): {}. Targets: {}. Undo: {}",
                    step.decl.title,
                    step.decl.name,
                    plan.effect,
                    targets.join(", "),
                    plan.undo
                );
                if approver.approve(message).await == Approval::Declined {
                    return Err(refused("the human declined it when the client asked"));
                }
                // However long the human took to answer, the change gets the whole Graph deadline.
                ctx.graph = ctx.graph.with_fresh_deadline();
            }
            let output = apply(ctx, params, plan).await?;
            encode(&output)
        }
    }
}
