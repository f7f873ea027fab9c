//! `triage_risky_service_principal`: an admin's verdict on 1 to 20 risky apps — dismiss the risk
//! (tier 2) or confirm them compromised (tier 3: the app's name, or the count, re-typed). The
//! declaration holds the highest tier; each call's plan says which one applies.

use std::sync::Arc;

use futures::StreamExt;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::graph::resources::ServicePrincipal;
use crate::graph::{GraphRequest, Query};
use crate::odata::Expr;
use crate::render::{or_dash, short_time, table};
use crate::shared::resolve::{self, APP};
use crate::skill::write::WriteTarget;
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset, WritePlan};

use super::service_principals::*;

const TRIAGE_RISKY_SERVICE_PRINCIPAL: Declaration = Declaration {
    name: "triage_risky_service_principal",
    title: "Dismiss an app's risk or confirm it compromised",
    description: "Give ID Protection an admin's verdict on risky workload identities (up to 20 apps by name, appId or id): dismiss their risk, or confirm them compromised (risk high; workload-identity Conditional Access then blocks them). Preview first, then confirm; confirming a compromise also needs the app name (or the count) re-typed. Workload Identities Premium. Security Administrator.",
    toolset: Toolset::Risk,
    permissions: &["IdentityRiskyServicePrincipal.ReadWrite.All", "Application.Read.All"],
    least_role: "Security Administrator",
    access: Access::Write { tier: 3, idempotent: true },
    beta: false,
    default: false,
    examples: EXAMPLES,
};

#[derive(Debug, Clone, Copy, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The risk was looked into and is not real: level none, state dismissed.
    Dismiss,
    /// The app is compromised: level high, state confirmedCompromised.
    ConfirmCompromised,
}

impl Verdict {
    fn action(self) -> &'static str {
        match self {
            Verdict::Dismiss => "dismiss",
            Verdict::ConfirmCompromised => "confirmCompromised",
        }
    }

    fn tier(self) -> u8 {
        match self {
            Verdict::Dismiss => 2,
            Verdict::ConfirmCompromised => 3,
        }
    }
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TriageRiskyServicePrincipalParams {
    /// 1 to 20 apps: exact display name, appId, or service principal object id.
    pub apps: Vec<String>,
    pub action: Verdict,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct AppVerdict {
    /// The Graph action sent (`dismiss` or `confirmCompromised`).
    pub action: String,
    /// Each app's risk as Graph reads it back after the change.
    pub apps: Vec<RiskyAppRow>,
}

const MAX_APPS: usize = 20;

fn request(action: &str, ids: &[String]) -> GraphRequest {
    GraphRequest::post(
        format!("/identityProtection/riskyServicePrincipals/{action}"),
        json!({ "servicePrincipalIds": ids }),
    )
}

async fn risk_records(ctx: &Ctx, ids: &[String]) -> Result<Vec<RiskyServicePrincipal>, SkillError> {
    let Some(filter) = ids.iter().map(|id| Expr::eq("id", id.as_str())).reduce(Expr::or) else {
        return Ok(Vec::new());
    };
    let request = GraphRequest::get("/identityProtection/riskyServicePrincipals")
        .query(Query::new().select(RISKY_SERVICE_PRINCIPAL_FIELDS).filter(filter).top(MAX_APPS))
        .prefer_unknown_enums();
    Ok(ctx.graph.list::<RiskyServicePrincipal>(request, MAX_APPS).await?.items)
}

async fn prepare(ctx: Ctx, p: Arc<TriageRiskyServicePrincipalParams>) -> Result<WritePlan, SkillError> {
    if p.apps.is_empty() || p.apps.len() > MAX_APPS {
        return Err(SkillError::invalid_value(
            "apps",
            format!("names {} apps", p.apps.len()),
            "a list of 1 to 20 app names, appIds or object ids",
        ));
    }
    // Collected first: a stream over a borrowing closure would not be `Send`.
    let reads: Vec<_> =
        p.apps.iter().map(|app| resolve::resolve::<ServicePrincipal>(&ctx, &APP, app, SP_SELECT)).collect();
    let resolved: Vec<Result<ServicePrincipal, SkillError>> = futures::stream::iter(reads).buffered(8).collect().await;
    let mut apps: Vec<ServicePrincipal> = Vec::new();
    for app in resolved {
        let app = app?;
        if !apps.iter().any(|a| a.id.eq_ignore_ascii_case(&app.id)) {
            apps.push(app);
        }
    }
    let ids: Vec<String> = apps.iter().map(|a| a.id.clone()).collect();
    let records = risk_records(&ctx, &ids).await?;
    let record = |id: &str| records.iter().find(|r| r.id.eq_ignore_ascii_case(id));
    let unflagged: Vec<&str> =
        apps.iter().filter(|a| record(&a.id).is_none()).map(|a| a.display_name.as_deref().unwrap_or(&a.id)).collect();
    if !unflagged.is_empty() {
        return Err(SkillError::new(
            ErrorKind::NotFound,
            format!("{} has no risk record, so there is nothing to triage", unflagged.join(", ")),
        )
        .with_remedy("leave it out; `list_risky_service_principals` lists the apps ID Protection flagged"));
    }
    let targets: Vec<WriteTarget> = apps
        .iter()
        .map(|a| {
            let r = record(&a.id);
            WriteTarget {
                name: a.display_name.clone().unwrap_or_else(|| a.id.clone()),
                id: a.id.clone(),
                state: json!({
                    "risk_level": r.and_then(|r| r.risk_level.clone()),
                    "risk_state": r.and_then(|r| r.risk_state.clone()),
                }),
            }
        })
        .collect();
    let who = match targets.as_slice() {
        [one] => format!("the app {}", one.name),
        several => format!("{} apps", several.len()),
    };
    let (effect, undo) = match p.action {
        Verdict::Dismiss => (
            format!("dismisses the risk of {who}: level none, state dismissed, open detections closed"),
            "no direct undo: if the app is in fact compromised, call again with `action: confirm_compromised`",
        ),
        Verdict::ConfirmCompromised => (
            format!(
                "confirms {who} compromised: level high, state confirmedCompromised; Conditional Access for workload \
                 identities that blocks high risk then blocks its tokens (rotate its credentials too)"
            ),
            "once its credentials are rotated and it is cleaned up, call again with `action: dismiss`",
        ),
    };
    let confirm_target = match targets.as_slice() {
        [one] => Some(one.name.clone()),
        several => Some(several.len().to_string()),
    };
    Ok(WritePlan {
        requests: vec![request(p.action.action(), &ids).describe()],
        targets,
        effect,
        undo: undo.into(),
        tier: p.action.tier(),
        confirm_target,
    })
}

async fn apply(ctx: Ctx, p: Arc<TriageRiskyServicePrincipalParams>, plan: WritePlan) -> Result<AppVerdict, SkillError> {
    let ids: Vec<String> = plan.targets.iter().map(|t| t.id.clone()).collect();
    if ids.is_empty() {
        return Err(SkillError::new(ErrorKind::Upstream, "no target to change"));
    }
    ctx.graph.write(request(p.action.action(), &ids)).await?;
    let records = ctx.optional("read-back", risk_records(&ctx, &ids).await).unwrap_or_default();
    let apps = plan
        .targets
        .iter()
        .map(|t| match records.iter().find(|r| r.id.eq_ignore_ascii_case(&t.id)) {
            Some(r) => RiskyAppRow::from(r.clone()),
            None => RiskyAppRow {
                id: t.id.clone(),
                display_name: Some(t.name.clone()),
                app_id: None,
                risk_level: None,
                risk_state: None,
                risk_detail: None,
                updated: None,
            },
        })
        .collect();
    Ok(AppVerdict { action: p.action.action().to_string(), apps })
}

const SP_SELECT: &[&str] = &["id", "appId", "displayName", "appOwnerOrganizationId"];

impl Render for AppVerdict {
    fn markdown(&self) -> String {
        let rows: Vec<Vec<String>> = self
            .apps
            .iter()
            .map(|a| {
                vec![
                    or_dash(&a.display_name),
                    or_dash(&a.risk_level),
                    or_dash(&a.risk_state),
                    or_dash(&a.risk_detail),
                    a.updated.as_deref().map(short_time).unwrap_or_default(),
                    a.id.clone(),
                ]
            })
            .collect();
        format!(
            "{} sent for {} app(s); risk now:\n{}",
            self.action,
            self.apps.len(),
            table(&["app", "level", "state", "detail", "updated (UTC)", "id"], &rows)
        )
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Confirm the Fabrikam Expense Sync service principal compromised",
        args: r#"{"apps":["Fabrikam Expense Sync"],"action":"confirm_compromised"}"#,
        facts: &[
            Fact::Every("pending_confirmation", "true"),
            Fact::Every("tier", "C3"),
            Fact::Every("confirm_target_required", "Fabrikam Expense Sync"),
            Fact::Every("targets/0/state/risk_level", "high"),
            Fact::Some("requests/*", "~/identityProtection/riskyServicePrincipals/confirmCompromised"),
        ],
    },
    Example {
        question: "Dismiss the risk on the Payroll Sync service principal, the sign-ins were our new runner",
        args: r#"{"apps":["Payroll Sync"],"action":"dismiss"}"#,
        facts: &[
            Fact::Every("tier", "C2"),
            Fact::Every("targets/0/state/risk_state", "atRisk"),
            Fact::No("confirm_target_required", "Payroll Sync"),
            Fact::Some("requests/*", "~/identityProtection/riskyServicePrincipals/dismiss"),
        ],
    },
    Example {
        question: "Triage the risk of an app ID Protection never flagged",
        args: r#"{"apps":["Workday Inbound"],"action":"dismiss"}"#,
        facts: &[Fact::Fails(ErrorKind::NotFound), Fact::Says("no risk record")],
    },
    Example {
        question: "Quarantine a risky app",
        args: r#"{"apps":["Fabrikam Expense Sync"],"action":"quarantine"}"#,
        facts: &[Fact::Fails(ErrorKind::InvalidInput)],
    },
];

pub fn skill() -> Skill {
    Skill::write(TRIAGE_RISKY_SERVICE_PRINCIPAL, prepare, apply)
}
