//! What the writes on risky users share (`dismiss_user_risk`, `confirm_user_compromised`,
//! `confirm_user_safe`): 1 to 20 users resolved to their ids, their risk read in one request,
//! the targets and the single POST a preview shows, and the answer read back after the change.

use futures::StreamExt;
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::json;

use crate::graph::resources::{RiskyUser, User};
use crate::graph::{GraphRequest, Query};
use crate::odata::Expr;
use crate::render::{or_dash, short_time, table};
use crate::shared::*;
use crate::skill::write::WriteTarget;
use crate::skill::{Ctx, ErrorKind, SkillError, WritePlan};

use super::detections::RISKY_USER_FIELDS;

/// The most users one call changes (the catalog's bound on every write).
pub const MAX_TARGETS: usize = 20;
/// Reads in flight at once while resolving targets.
const IN_FLIGHT: usize = 8;

/// The `users` argument: 1 to 20 UPNs or object ids, repeats dropped.
pub fn parse_users(users: &[UserRef]) -> Result<Vec<UserKey>, SkillError> {
    if users.is_empty() || users.len() > MAX_TARGETS {
        return Err(SkillError::invalid_value(
            "users",
            format!("names {} users", users.len()),
            "a list of 1 to 20 UPNs or object ids",
        ));
    }
    let mut keys: Vec<UserKey> = Vec::with_capacity(users.len());
    for user in users {
        let key = user.parse("users")?;
        if !keys.iter().any(|k| k.label().eq_ignore_ascii_case(&key.label())) {
            keys.push(key);
        }
    }
    Ok(keys)
}

/// Each user as a write target (id, UPN, name), read at most 8 at a time, in the given order.
pub async fn read_users(ctx: &Ctx, keys: &[UserKey]) -> Result<Vec<User>, SkillError> {
    // Collected first: a stream over a borrowing closure would not be `Send`.
    let reads: Vec<_> = keys.iter().map(|key| user_target(ctx, key, &[])).collect();
    let users: Vec<Result<User, SkillError>> = futures::stream::iter(reads).buffered(IN_FLIGHT).collect().await;
    let mut out: Vec<User> = Vec::with_capacity(users.len());
    for user in users {
        let user = user?;
        // `me` and a UPN may name the same user as an id.
        if !out.iter().any(|u| u.id.eq_ignore_ascii_case(&user.id)) {
            out.push(user);
        }
    }
    Ok(out)
}

/// The risk records of these users, in one request (`id eq … or id eq …`).
pub async fn risk_records(ctx: &Ctx, ids: &[String]) -> Result<Vec<RiskyUser>, SkillError> {
    let Some(filter) = ids.iter().map(|id| Expr::eq("id", id.as_str())).reduce(Expr::or) else {
        return Ok(Vec::new());
    };
    let request = GraphRequest::get("/identityProtection/riskyUsers")
        .query(Query::new().select(RISKY_USER_FIELDS).filter(filter).top(MAX_TARGETS))
        .prefer_unknown_enums();
    Ok(ctx.graph.list::<RiskyUser>(request, MAX_TARGETS).await?.items)
}

/// `POST /identityProtection/riskyUsers/{action}` with the users' ids.
pub fn request(action: &str, ids: &[String]) -> GraphRequest {
    GraphRequest::post(format!("/identityProtection/riskyUsers/{action}"), json!({ "userIds": ids }))
}

fn record_of<'r>(records: &'r [RiskyUser], id: &str) -> Option<&'r RiskyUser> {
    records.iter().find(|r| r.id.eq_ignore_ascii_case(id))
}

/// Refuses users Identity Protection never flagged: there is no risk to dismiss or to confirm
/// safe.
pub fn require_flagged(users: &[User], records: &[RiskyUser], tool: &str) -> Result<(), SkillError> {
    let unflagged: Vec<String> = users
        .iter()
        .filter(|u| record_of(records, &u.id).is_none())
        .map(|u| u.user_principal_name.clone().unwrap_or_else(|| u.id.clone()))
        .collect();
    if unflagged.is_empty() {
        return Ok(());
    }
    Err(SkillError::new(
        ErrorKind::NotFound,
        format!("{} has no risk record, so {tool} has nothing to change", unflagged.join(", ")),
    )
    .with_remedy("leave them out; `list_risky_users` lists the users ID Protection flagged"))
}

/// The targets as a preview shows them: name, id, and the risk the change depends on.
pub fn targets(users: &[User], records: &[RiskyUser]) -> Vec<WriteTarget> {
    users
        .iter()
        .map(|u| {
            let record = record_of(records, &u.id);
            WriteTarget {
                name: user_label(u),
                id: u.id.clone(),
                state: json!({
                    "risk_level": record.and_then(|r| r.risk_level.clone()).unwrap_or_else(|| "not flagged".into()),
                    "risk_state": record.and_then(|r| r.risk_state.clone()).unwrap_or_else(|| "not flagged".into()),
                }),
            }
        })
        .collect()
}

/// What a tier-3 change asks the human to re-type: the UPN of one user, the count of several.
pub fn confirm_target(users: &[User]) -> Option<String> {
    match users {
        [one] => Some(one.user_principal_name.clone().unwrap_or_else(|| one.id.clone())),
        several => Some(several.len().to_string()),
    }
}

/// "Karita Ahlberg (karita@…)" or "3 users", for effects.
pub fn who(users: &[User]) -> String {
    match users {
        [one] => user_label(one),
        several => format!("{} users", several.len()),
    }
}

/// A plan for one POST on all the users.
pub fn plan(action: &str, users: &[User], records: &[RiskyUser], effect: String, undo: &str, tier: u8) -> WritePlan {
    let ids: Vec<String> = users.iter().map(|u| u.id.clone()).collect();
    WritePlan {
        targets: targets(users, records),
        requests: vec![request(action, &ids).describe()],
        effect,
        undo: undo.into(),
        tier,
        confirm_target: confirm_target(users),
    }
}

/// One user's risk after the change, as Graph reads it back.
#[derive(Debug, Serialize, JsonSchema)]
pub struct UserRisk {
    pub user: String,
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub risk_level: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub risk_state: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub risk_detail: Option<String>,
    /// When the risk last changed (UTC).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated: Option<String>,
}

/// The answer of a confirmed verdict on users.
#[derive(Debug, Serialize, JsonSchema)]
pub struct UserVerdict {
    /// The Graph action sent (`dismiss`, `confirmCompromised`, `confirmSafe`).
    pub action: String,
    pub users: Vec<UserRisk>,
}

/// Sends the verdict on the plan's targets and reads their risk back.
pub async fn apply(ctx: &Ctx, action: &str, plan: &WritePlan) -> Result<UserVerdict, SkillError> {
    let ids: Vec<String> = plan.targets.iter().map(|t| t.id.clone()).collect();
    if ids.is_empty() {
        return Err(SkillError::new(ErrorKind::Upstream, "no target to change"));
    }
    ctx.graph.write(request(action, &ids)).await?;
    // Read back what changed, so the answer shows the new state rather than assuming it.
    let records = ctx.optional("read-back", risk_records(ctx, &ids).await).unwrap_or_default();
    let users = plan
        .targets
        .iter()
        .map(|t| {
            let record = record_of(&records, &t.id);
            UserRisk {
                user: t.name.clone(),
                id: t.id.clone(),
                risk_level: record.and_then(|r| r.risk_level.clone()),
                risk_state: record.and_then(|r| r.risk_state.clone()),
                risk_detail: record.and_then(|r| r.risk_detail.clone()),
                updated: record.and_then(|r| r.risk_last_updated_date_time.clone()),
            }
        })
        .collect();
    Ok(UserVerdict { action: action.to_string(), users })
}

impl crate::skill::Render for UserVerdict {
    fn markdown(&self) -> String {
        let rows: Vec<Vec<String>> = self
            .users
            .iter()
            .map(|u| {
                vec![
                    u.user.clone(),
                    or_dash(&u.risk_level),
                    or_dash(&u.risk_state),
                    or_dash(&u.risk_detail),
                    u.updated.as_deref().map(short_time).unwrap_or_default(),
                    u.id.clone(),
                ]
            })
            .collect();
        format!(
            "{} sent for {} user(s); risk now:\n{}",
            self.action,
            self.users.len(),
            table(&["user", "level", "state", "detail", "updated (UTC)", "id"], &rows)
        )
    }
}
