//! `explain_sign_in_failure`: why a sign-in failed and what to change — the AADSTS code, the
//! policies that acted and what each did, a What-If replay, and the next step.
use std::collections::BTreeSet;

use chrono::Duration;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::aadsts;
use super::lookup::{correlated, sign_in_by_id};
use crate::graph::resources::{ConditionalAccessPolicy, SignIn};
use crate::graph::{GraphRequest, Query, path};
use crate::odata::Expr;
use crate::render::{fields, or_dash, short_time, table};
use crate::shared::*;
use crate::skill::{Access, Ctx, Declaration, Example, Fact, Render, Skill, SkillError, Toolset};
use crate::what_if::{self, WhatIfPage};

const EXPLAIN_SIGN_IN_FAILURE: Declaration = Declaration {
    name: "explain_sign_in_failure",
    title: "Explain a sign-in failure",
    description: "Why a sign-in failed and what to change: the error's meaning, the Conditional Access policies that blocked it and their unmet controls (report-only ones listed apart: they never block), a What-If replay against today's policies, and the next step. Give a sign-in id, a correlation id, or a user (latest failure). P1. Security Reader.",
    toolset: Toolset::Signins,
    permissions: &["AuditLog.Read.All", "Policy.Read.All"],
    least_role: "Security Reader",
    access: Access::Read,
    beta: false,
    default: true,
    examples: EXAMPLES,
};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExplainSignInFailureParams {
    /// Sign-in id.
    pub sign_in_id: Option<String>,
    pub correlation_id: Option<String>,
    /// Latest failure of this user (with `since`, default 24h).
    pub user: Option<UserRef>,
    pub since: Option<Since>,
}

/// An enforced policy whose result at sign-in was `failure`: it blocked the sign-in.
#[derive(Debug, Serialize, JsonSchema)]
pub struct BlockingPolicy {
    pub id: String,
    pub name: Option<String>,
    /// `enabled`, `enabledForReportingButNotEnforced` or `disabled` (today).
    pub state: Option<String>,
    /// The result recorded at sign-in (`failure`).
    pub result: String,
    /// Controls the sign-in did not satisfy, e.g. `block`, `mfa`, `compliantDevice`.
    pub unmet_controls: Vec<String>,
    /// What the policy did, e.g. `blocked` or `blocked: mfa not satisfied`.
    pub effect: String,
}

/// A report-only policy that would have failed or interrupted the sign-in had it been enforced; report-only results are only logged, so it did not block anything.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ReportOnlyPolicy {
    pub id: String,
    pub name: Option<String>,
    /// `enabled`, `enabledForReportingButNotEnforced` or `disabled` (today).
    pub state: Option<String>,
    /// The result recorded at sign-in: `reportOnlyFailure` or `reportOnlyInterrupted`.
    pub result: String,
    /// Controls it would have required, e.g. `block`, `mfa`.
    pub would_require: Vec<String>,
    /// What it would have done, e.g. `report-only: would have blocked; did not block`.
    pub effect: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct WhatIfReplay {
    /// Policies that would apply to the same sign-in today, with their controls.
    pub applying_now: Vec<String>,
    /// Differences between the sign-in's policies and today's answer.
    pub drift: Vec<String>,
    /// Conditions replayed (omitted ones are not evaluated).
    pub conditions: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct RelatedEvent {
    pub id: String,
    pub time: Option<String>,
    pub error_code: Option<i64>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct SignInFailureExplanation {
    pub sign_in: SignInRow,
    /// `failure`, `interrupted` or `success`.
    pub outcome: String,
    pub error_code: i64,
    /// `credential`, `account`, `mfa`, `ca`, `device`, `consent_and_assignment`, `app`, `session` or `unknown`.
    pub category: String,
    pub meaning: String,
    /// For codes outside the project's table.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// Enforced policies that failed: these blocked the sign-in.
    pub blocking_policies: Vec<BlockingPolicy>,
    /// Report-only policies that would have failed or interrupted; they did not block.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub report_only_policies: Vec<ReportOnlyPolicy>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub what_if: Option<WhatIfReplay>,
    /// Other events of the same attempt (same correlation id).
    pub related: Vec<RelatedEvent>,
    /// An interrupt followed by a success in the same attempt: nothing to fix.
    pub resolved_by_retry: bool,
    pub next_step: String,
    pub ca_visible: bool,
}

async fn find_anchor(ctx: &Ctx, p: &ExplainSignInFailureParams) -> Result<SignIn, SkillError> {
    match (&p.sign_in_id, &p.correlation_id, &p.user) {
        (Some(id), None, None) => sign_in_by_id(ctx, "sign_in_id", id).await,
        (None, Some(correlation), None) => {
            let correlation = parse_guid("correlation_id", correlation)?;
            let events = correlated(ctx, &correlation.to_string(), 20).await?;
            // The failure that matters is the last failing event of the attempt.
            events
                .into_iter()
                .rev()
                .find(|s| s.status.as_ref().and_then(|st| st.error_code).is_some_and(|c| c != 0))
                .ok_or_else(|| {
                    SkillError::not_found(format!("failed sign-in with correlation id {correlation}"), "list_sign_ins")
                })
        }
        (None, None, Some(user)) => {
            let key = user.parse("user")?;
            let (start, _) = window(ctx, p.since.as_ref(), None, Duration::hours(24), SIGN_IN_RETENTION_DAYS)?;
            let clause = user_clause(ctx, &key, "userId", "userPrincipalName").await?;
            let filter = Expr::ge("createdDateTime", start).and(clause).and(Expr::ne("status/errorCode", 0i64));
            let query = Query::new().select(SIGN_IN_FIELDS).filter(filter).orderby("createdDateTime desc").top(1);
            let request = GraphRequest::get("/auditLogs/signIns").query(query).prefer_unknown_enums();
            let page = ctx.graph.list::<SignIn>(request, 1).await?;
            page.items.into_iter().next().ok_or_else(|| {
                SkillError::not_found(
                    format!("failed sign-in for {} since {}", key.describe(), short_time(&start.to_rfc3339())),
                    "list_sign_ins",
                )
                .with_remedy("widen `since`, or list the user's sign-ins with `list_sign_ins`")
            })
        }
        _ => Err(SkillError::invalid_value(
            "sign_in_id",
            "give exactly one of `sign_in_id`, `correlation_id` or `user`",
            "a sign-in id, a correlation id, or a user (UPN, object id, `me`) with an optional `since`",
        )),
    }
}

/// The What-If sign-in replaying a logged one (§5.1's mapping), and the conditions it describes.
fn what_if_sign_in(s: &SignIn) -> Option<(what_if::SignIn, String)> {
    let user_id = s.user_id.as_deref()?;
    let app_id = s.app_id.as_deref()?;
    let mut replay = what_if::SignIn::user(user_id).to_apps(vec![app_id.to_string()]);
    replay.applied_policies_only = Some(false);
    let conditions = &mut replay.sign_in_conditions;
    let mut described = Vec::new();
    let device = s.device_detail.clone().unwrap_or_default();
    if let Some(os) = device.operating_system.as_deref() {
        let os_lower = os.to_ascii_lowercase();
        let platform = if os_lower.starts_with("ios") {
            Some("iOS")
        } else if os_lower.starts_with("android") {
            Some("android")
        } else if os_lower.starts_with("windows") {
            Some("windows")
        } else if os_lower.starts_with("mac") {
            Some("macOS")
        } else if os_lower.starts_with("linux") {
            Some("linux")
        } else {
            None
        };
        if let Some(platform) = platform {
            conditions.device_platform = Some(platform.into());
            described.push(format!("platform {platform}"));
        }
    }
    if let Some(client) = s.client_app_used.as_deref() {
        let kind = match client {
            "Browser" => "browser",
            "Mobile Apps and Desktop clients" => "mobileAppsAndDesktopClients",
            "Exchange ActiveSync" => "exchangeActiveSync",
            _ => "other",
        };
        conditions.client_app_type = Some(kind.into());
        described.push(format!("client {kind}"));
    }
    if let Some(cc) = s.location.as_ref().and_then(|l| l.country_or_region.clone()) {
        described.push(format!("country {cc}"));
        conditions.country = Some(cc);
    }
    if let Some(ip) = &s.ip_address {
        conditions.ip_address = Some(ip.clone());
        described.push(format!("ip {ip}"));
    }
    if let Some(risk) = s.risk_level_during_sign_in.as_deref().filter(|r| matches!(*r, "low" | "medium" | "high")) {
        conditions.sign_in_risk_level = Some(risk.into());
        described.push(format!("sign-in risk {risk}"));
    }
    if let Some(compliant) = device.is_compliant {
        conditions.device_info = Some(what_if::DeviceInfo { is_compliant: Some(compliant), ..Default::default() });
        described.push(format!("compliant {compliant}"));
    }
    Some((replay, described.join(", ")))
}

/// What a policy's result at sign-in says it did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Acted {
    /// Enforced and failed: the sign-in was blocked by it.
    Blocked,
    /// Report-only and would have failed or interrupted: logged, never enforced.
    ReportOnly,
}

/// Classifies an `appliedConditionalAccessPolicies` result; successes, not-applied and the
/// rest did not stand in the sign-in's way and are left out.
fn acted(result: Option<&str>) -> Option<Acted> {
    match result {
        Some("failure") => Some(Acted::Blocked),
        Some("reportOnlyFailure" | "reportOnlyInterrupted") => Some(Acted::ReportOnly),
        _ => None,
    }
}

fn blocked_effect(controls: &[String]) -> String {
    if controls.is_empty() || controls.iter().any(|c| c == "block") {
        "blocked".into()
    } else {
        format!("blocked: {} not satisfied", controls.join(", "))
    }
}

fn report_only_effect(controls: &[String]) -> String {
    if controls.iter().any(|c| c == "block") {
        "report-only: would have blocked; did not block".into()
    } else if controls.is_empty() {
        "report-only: would have failed; did not block".into()
    } else {
        format!("report-only: would have required {}; did not block", controls.join(", "))
    }
}

fn unmet_controls(policy: &ConditionalAccessPolicy) -> Vec<String> {
    let Some(grant) = &policy.grant_controls else { return Vec::new() };
    let mut controls = grant.built_in_controls.clone();
    if let Some(strength) = grant.authentication_strength.as_ref().and_then(|s| s.display_name.as_deref()) {
        controls.push(format!("authentication strength '{strength}'"));
    }
    controls
}

async fn explain_sign_in_failure(
    ctx: Ctx,
    p: ExplainSignInFailureParams,
) -> Result<SignInFailureExplanation, SkillError> {
    let anchor = find_anchor(&ctx, &p).await?;
    let code = anchor.status.as_ref().and_then(|s| s.error_code).unwrap_or(0);
    let ca_visible = anchor.applied_conditional_access_policies.is_some();
    let failing: Vec<(String, String, Acted)> = anchor
        .applied_conditional_access_policies
        .as_deref()
        .unwrap_or_default()
        .iter()
        .filter_map(|a| acted(a.result.as_deref()).map(|how| (a.id.clone(), a.result.clone().unwrap_or_default(), how)))
        .collect();

    // Everything below depends only on the anchor, so it runs concurrently: the correlated
    // events, each failing policy, and the What-If replay.
    let correlation = anchor.correlation_id.clone().unwrap_or_default();
    let related = async {
        if uuid::Uuid::try_parse(&correlation).is_ok() {
            correlated(&ctx, &correlation, 20).await
        } else {
            Ok(Vec::new())
        }
    };
    let policies = futures::future::join_all(failing.iter().map(|(id, _, _)| {
        let request = GraphRequest::get(path("/identity/conditionalAccess/policies/{}", &[id]))
            .query(Query::new().select(&["id", "displayName", "state", "grantControls"]));
        ctx.graph.get::<ConditionalAccessPolicy>(request)
    }));
    let replay = what_if_sign_in(&anchor);
    let what_if = async {
        match &replay {
            Some((sign_in, _)) if code != 0 => {
                let request = GraphRequest::post("/identity/conditionalAccess/evaluate", sign_in.body()).read_only();
                Some(ctx.graph.get::<WhatIfPage>(request).await)
            }
            _ => None,
        }
    };
    let (related, policies, what_if) = tokio::join!(related, policies, what_if);

    let mut blocking = Vec::new();
    let mut report_only = Vec::new();
    for ((id, result, how), fetched) in failing.iter().zip(policies) {
        let (name, state, controls) = match fetched {
            Ok(policy) => (policy.display_name.clone(), policy.state.clone(), unmet_controls(&policy)),
            Err(e) => {
                ctx.note(format!("policy {id} could not be read: {}", e.kind.as_str()));
                let name = anchor
                    .applied_conditional_access_policies
                    .as_deref()
                    .unwrap_or_default()
                    .iter()
                    .find(|a| &a.id == id)
                    .and_then(|a| a.display_name.clone());
                (name, None, Vec::new())
            }
        };
        match how {
            Acted::Blocked => blocking.push(BlockingPolicy {
                effect: blocked_effect(&controls),
                id: id.clone(),
                name,
                state,
                result: result.clone(),
                unmet_controls: controls,
            }),
            Acted::ReportOnly => report_only.push(ReportOnlyPolicy {
                effect: report_only_effect(&controls),
                id: id.clone(),
                name,
                state,
                result: result.clone(),
                would_require: controls,
            }),
        }
    }

    // A block decides the outcome whatever else applied, so it leads.
    blocking.sort_by_key(|b| !b.unmet_controls.iter().any(|c| c == "block"));

    let related_events: Vec<SignIn> = match related {
        Ok(events) => events,
        Err(e) => {
            ctx.note(format!("related events could not be read: {}", e.kind.as_str()));
            Vec::new()
        }
    };
    let anchor_time = anchor.created_date_time.clone().unwrap_or_default();
    let resolved_by_retry = aadsts::is_interrupt(code)
        && related_events.iter().any(|s| {
            s.status.as_ref().and_then(|st| st.error_code) == Some(0)
                && s.created_date_time.clone().unwrap_or_default() >= anchor_time
        });
    let related: Vec<RelatedEvent> = related_events
        .iter()
        .filter(|s| s.id != anchor.id)
        .map(|s| RelatedEvent {
            id: s.id.clone(),
            time: s.created_date_time.clone(),
            error_code: s.status.as_ref().and_then(|st| st.error_code),
        })
        .collect();

    let what_if = match what_if {
        Some(Ok(page)) => {
            let applying: Vec<&ConditionalAccessPolicy> =
                page.value.iter().filter(|r| r.policy_applies).map(|r| &r.policy).collect();
            let applying_now = applying
                .iter()
                .map(|r| {
                    let controls = unmet_controls(r);
                    format!("{} [{}]", r.display_name.clone().unwrap_or_else(|| r.id.clone()), controls.join(", "))
                })
                .collect();
            let now_ids: BTreeSet<&str> = applying.iter().map(|r| r.id.as_str()).collect();
            let mut drift = Vec::new();
            for b in &blocking {
                if !now_ids.contains(b.id.as_str()) {
                    drift.push(format!(
                        "{} blocked this sign-in but would not apply today",
                        b.name.clone().unwrap_or_else(|| b.id.clone())
                    ));
                }
            }
            for r in &report_only {
                if !now_ids.contains(r.id.as_str()) {
                    drift.push(format!(
                        "{} (report-only, did not block) would not apply today",
                        r.name.clone().unwrap_or_else(|| r.id.clone())
                    ));
                }
            }
            Some(WhatIfReplay { applying_now, drift, conditions: replay.map(|(_, d)| d).unwrap_or_default() })
        }
        Some(Err(e)) => {
            ctx.note(format!("What-If replay unavailable: {} ({})", e.kind.as_str(), e.message));
            None
        }
        None => None,
    };
    if what_if.is_some() {
        ctx.note(
            "What-If uses today's policies and only the replayed conditions; omitted conditions are not evaluated",
        );
    }
    note_ca_visibility(&ctx, std::slice::from_ref(&anchor));

    let entry = aadsts::lookup(code);
    let outcome = if code == 0 {
        "success"
    } else if aadsts::is_interrupt(code) {
        "interrupted"
    } else {
        "failure"
    };
    let next_step = next_step(code, entry, &blocking, resolved_by_retry);
    let failure_reason = anchor.status.as_ref().and_then(|s| s.failure_reason.clone());
    Ok(SignInFailureExplanation {
        outcome: outcome.into(),
        error_code: code,
        category: entry.map(|e| e.category).unwrap_or("unknown").into(),
        meaning: entry.map(|e| e.meaning.to_string()).or(failure_reason).unwrap_or_else(|| "no description".into()),
        reference: entry.is_none().then(|| aadsts::lookup_url(code)),
        blocking_policies: blocking,
        report_only_policies: report_only,
        what_if,
        related,
        resolved_by_retry,
        next_step,
        ca_visible,
        sign_in: SignInRow::from_sign_in(anchor),
    })
}

fn next_step(code: i64, entry: Option<&aadsts::Aadsts>, blocking: &[BlockingPolicy], resolved: bool) -> String {
    if code == 0 {
        return "nothing: this sign-in succeeded".into();
    }
    if resolved {
        return "nothing to fix: the interrupt was followed by a successful sign-in in the same attempt".into();
    }
    // Only enforced policies are here, blocks first; report-only ones changed nothing to fix.
    if let Some(policy) = blocking.first() {
        let name = policy.name.clone().unwrap_or_else(|| policy.id.clone());
        let controls = &policy.unmet_controls;
        if controls.iter().any(|c| c == "compliantDevice") {
            return format!(
                "{name} requires a compliant device: enrol the device in Intune and bring it into compliance, or use a compliant device"
            );
        }
        if controls.iter().any(|c| c == "block") {
            return format!(
                "{name} blocks this sign-in by design; if it is legitimate, check the condition that matched (risk, location, platform, client app) — for risk, review the user with get_risky_user"
            );
        }
        if controls.iter().any(|c| c == "mfa" || c.starts_with("authentication strength")) {
            return format!("{name} requires MFA: have the user register and complete a suitable method");
        }
        return format!("{name} was not satisfied ({}); review its grant controls", controls.join(", "));
    }
    match entry {
        Some(e) => e.next_step.to_string(),
        None => format!("look the code up at {} and read the failure reason", aadsts::lookup_url(code)),
    }
}

impl Render for SignInFailureExplanation {
    fn markdown(&self) -> String {
        let s = &self.sign_in;
        let mut text = fields(&[
            ("sign-in", Some(format!("{} at {} UTC", s.id, s.time.as_deref().map(short_time).unwrap_or_default()))),
            ("user", s.user.clone()),
            ("app", s.app.clone()),
            (
                "context",
                Some(format!(
                    "{} from {} ({}), {}",
                    or_dash(&s.client_app),
                    or_dash(&s.ip_address),
                    or_dash(&s.location),
                    or_dash(&s.device)
                )),
            ),
            ("outcome", Some(self.outcome.clone())),
            ("error", Some(format!("{} ({}): {}", self.error_code, self.category, self.meaning))),
            ("reference", self.reference.clone()),
            ("sign-in risk", s.risk_level.clone()),
        ]);
        let policy_rows = |rows: Vec<Vec<String>>| table(&["policy", "effect", "state now", "id"], &rows);
        if !self.blocking_policies.is_empty() {
            let rows = self
                .blocking_policies
                .iter()
                .map(|b| vec![or_dash(&b.name), b.effect.clone(), or_dash(&b.state), b.id.clone()])
                .collect();
            text.push_str("\nblocking policies (enforced):\n");
            text.push_str(&policy_rows(rows));
        } else if self.ca_visible {
            text.push_str("\nblocking policies (enforced): none");
        }
        if !self.report_only_policies.is_empty() {
            let rows = self
                .report_only_policies
                .iter()
                .map(|r| vec![or_dash(&r.name), r.effect.clone(), or_dash(&r.state), r.id.clone()])
                .collect();
            text.push_str("\nreport-only policies (logged, not enforced):\n");
            text.push_str(&policy_rows(rows));
        }
        if let Some(w) = &self.what_if {
            text.push_str(&format!(
                "\nWhat-If today ({}): {}",
                w.conditions,
                if w.applying_now.is_empty() { "no policy applies".to_string() } else { w.applying_now.join("; ") }
            ));
            for d in &w.drift {
                text.push_str(&format!("\ndrift: {d}"));
            }
        }
        if !self.related.is_empty() {
            let events: Vec<String> = self
                .related
                .iter()
                .map(|r| {
                    format!(
                        "{} {}",
                        r.time.as_deref().map(short_time).unwrap_or_default(),
                        r.error_code.map(|c| if c == 0 { "success".into() } else { c.to_string() }).unwrap_or_default()
                    )
                })
                .collect();
            text.push_str(&format!("\nsame attempt: {}", events.join("; ")));
        }
        text.push_str(&format!("\nnext step: {}", self.next_step));
        text
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Why couldn't Karita sign in on her iPhone in the last three hours?",
        args: r#"{"user":"karita@woodgrovebank.com","since":"3h"}"#,
        facts: &[
            Fact::Every("error_code", "53000"),
            Fact::Some("blocking_policies/0/name", "~CA005"),
            Fact::Every("next_step", "~compliant"),
            // CA007 is report-only: listed apart, and never said to have blocked.
            Fact::No("blocking_policies/*/name", "~CA007"),
            Fact::Some("report_only_policies/*/name", "~CA007"),
            Fact::Every("report_only_policies/*/effect", "~did not block"),
            Fact::NeverSays("CA007 Password change on high user risk | blocked"),
            Fact::NeverSays("CA007 Password change on high user risk blocked"),
        ],
    },
    Example {
        question: "Why was the Tor sign-in blocked?",
        args: r#"{"sign_in_id":"626c3711-960e-540c-8b85-e418bafb3c48"}"#,
        facts: &[
            Fact::Every("error_code", "53003"),
            Fact::Every("category", "ca"),
            Fact::Some("blocking_policies/0/name", "~CA004"),
            Fact::Some("blocking_policies/0/unmet_controls/*", "block"),
            Fact::Every("blocking_policies/0/effect", "blocked"),
            Fact::Says("| CA004 Block high sign-in risk | blocked |"),
            Fact::Count("report_only_policies/*", 0),
            Fact::Some("what_if/applying_now/*", "~CA004"),
        ],
    },
    Example {
        question: "Did the legacy authentication policy block Karita's IMAP sign-in?",
        args: r#"{"sign_in_id":"97fca304-4304-5119-ac2d-86045a900a46"}"#,
        facts: &[
            Fact::Every("error_code", "50126"),
            Fact::Every("sign_in/client_app", "IMAP4"),
            // CA002 is report-only for legacy clients: it would have blocked, and did not.
            Fact::Count("blocking_policies/*", 0),
            Fact::Every("report_only_policies/0/name", "~CA002"),
            Fact::Every("report_only_policies/0/result", "reportOnlyFailure"),
            Fact::Every("report_only_policies/0/effect", "report-only: would have blocked; did not block"),
            Fact::Says("blocking policies (enforced): none"),
            Fact::Says("| CA002 Block legacy authentication | report-only: would have blocked; did not block |"),
            Fact::NeverSays("CA002 Block legacy authentication | blocked"),
            Fact::NeverSays("blocked this sign-in"),
        ],
    },
    Example {
        question: "Why did the MFA attempt fail?",
        args: r#"{"correlation_id":"d8f3f29d-b606-5591-83b8-e95ed6550f26"}"#,
        facts: &[
            Fact::Every("error_code", "500121"),
            Fact::Every("outcome", "failure"),
            Fact::Every("resolved_by_retry", "false"),
        ],
    },
];

pub fn skill() -> Skill {
    Skill::new(EXPLAIN_SIGN_IN_FAILURE, explain_sign_in_failure)
}
