//! `list_sign_ins`: sign-ins in a window as a table, by user, app, outcome, error, CA, risk, place or client.

use chrono::Duration;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::graph::resources::SignIn;
use crate::graph::{GraphRequest, Query};
use crate::odata::Expr;
use crate::render::short_time;
use crate::shared::*;
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset};

const LIST_SIGN_INS: Declaration = Declaration {
    name: "list_sign_ins",
    title: "List sign-ins",
    description: "Sign-in logs in a window (default 24h) as a table: by user, app, success or failure, error code, blocked by a Conditional Access (CA) policy, risk, IP, country, client app. For one sign-in in full use get_sign_in; for why it failed, explain_sign_in_failure. P1. Reports Reader (CA detail: Security Reader).",
    toolset: Toolset::Signins,
    permissions: &["AuditLog.Read.All"],
    least_role: "Reports Reader (CA detail: Security Reader)",
    access: Access::Read,
    beta: false,
    default: true,
    examples: EXAMPLES,
};

#[derive(Debug, Clone, Copy, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Success,
    Failure,
}

#[derive(Debug, Clone, Copy, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum CaStatus {
    Success,
    Failure,
    NotApplied,
}

#[derive(Debug, Clone, Copy, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum PolicyOutcome {
    Success,
    Failure,
    NotApplied,
    ReportOnlySuccess,
    ReportOnlyFailure,
}

impl PolicyOutcome {
    fn graph(self) -> &'static str {
        match self {
            PolicyOutcome::Success => "success",
            PolicyOutcome::Failure => "failure",
            PolicyOutcome::NotApplied => "notApplied",
            PolicyOutcome::ReportOnlySuccess => "reportOnlySuccess",
            PolicyOutcome::ReportOnlyFailure => "reportOnlyFailure",
        }
    }
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListSignInsParams {
    pub user: Option<UserRef>,
    /// App display name or appId.
    pub app: Option<String>,
    pub outcome: Option<Outcome>,
    /// AADSTS code, e.g. 50126.
    pub error_code: Option<i64>,
    pub ca_status: Option<CaStatus>,
    /// Conditional Access policy id that was evaluated.
    pub ca_policy: Option<String>,
    /// With `ca_policy`: only sign-ins where it had this result.
    pub ca_policy_result: Option<PolicyOutcome>,
    pub risk_level: Option<RiskLevel>,
    pub ip_address: Option<String>,
    /// e.g. `Browser`, `IMAP4`, `Exchange ActiveSync`.
    pub client_app: Option<String>,
    /// Two-letter country code.
    pub country: Option<String>,
    /// Extra OData: eq/ne/ge/le/startswith joined by and, on appDisplayName, userPrincipalName, status/errorCode, ipAddress, clientAppUsed, conditionalAccessStatus, location/city, location/countryOrRegion, deviceDetail/operatingSystem, deviceDetail/browser, riskLevelDuringSignIn.
    pub filter: Option<String>,
    pub since: Option<Since>,
    pub until: Option<Since>,
    #[serde(default)]
    pub limit: Limit,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct SignInList {
    pub since: String,
    pub sign_ins: Vec<SignInRow>,
    #[serde(flatten)]
    pub list: ListInfo,
}

async fn list_sign_ins(ctx: Ctx, p: ListSignInsParams) -> Result<SignInList, SkillError> {
    let limit = p.limit.get()?;
    let (start, end) = window(&ctx, p.since.as_ref(), p.until.as_ref(), Duration::hours(24), SIGN_IN_RETENTION_DAYS)?;
    let mut clauses = vec![Expr::ge("createdDateTime", start)];
    if let Some(end) = end {
        clauses.push(Expr::le("createdDateTime", end));
    }
    if let Some(user) = &p.user {
        let key = user.parse("user")?;
        clauses.push(user_clause(&ctx, &key, "userId", "userPrincipalName").await?);
    }
    if let Some(app) = &p.app {
        clauses.push(app_clause(app)?);
    }
    match p.outcome {
        Some(Outcome::Success) => clauses.push(Expr::eq("status/errorCode", 0i64)),
        Some(Outcome::Failure) => clauses.push(Expr::ne("status/errorCode", 0i64)),
        None => {}
    }
    if let Some(code) = p.error_code {
        if !(0..=99_999_999).contains(&code) {
            return Err(SkillError::invalid_value(
                "error_code",
                format!("{code} is out of range"),
                "an AADSTS number such as 50126",
            ));
        }
        clauses.push(Expr::eq("status/errorCode", code));
    }
    if let Some(status) = p.ca_status {
        let value = match status {
            CaStatus::Success => "success",
            CaStatus::Failure => "failure",
            CaStatus::NotApplied => "notApplied",
        };
        clauses.push(Expr::eq("conditionalAccessStatus", value));
    }
    match (&p.ca_policy, p.ca_policy_result) {
        (Some(policy), result) => {
            let id = parse_guid("ca_policy", policy)?;
            let mut body = Expr::eq("p/id", id.to_string());
            if let Some(result) = result {
                body = body.and(Expr::eq("p/result", result.graph()));
            }
            clauses.push(Expr::any("appliedConditionalAccessPolicies", "p", body));
        }
        (None, Some(_)) => {
            return Err(SkillError::invalid_value(
                "ca_policy_result",
                "needs `ca_policy`",
                "a result together with a `ca_policy` id",
            ));
        }
        (None, None) => {}
    }
    if let Some(level) = p.risk_level {
        clauses.push(Expr::eq("riskLevelDuringSignIn", level.graph()));
    }
    if let Some(ip) = &p.ip_address {
        let ip: std::net::IpAddr = ip.trim().parse().map_err(|_| {
            SkillError::invalid_value(
                "ip_address",
                format!("`{}` is not an IP address", shorten(ip)),
                "an IPv4 or IPv6 address",
            )
        })?;
        clauses.push(Expr::eq("ipAddress", ip.to_string()));
    }
    if let Some(client) = &p.client_app {
        clauses.push(Expr::eq("clientAppUsed", text("client_app", client, 60)?));
    }
    if let Some(country) = &p.country {
        let cc = country.trim();
        if cc.len() != 2 || !cc.chars().all(|c| c.is_ascii_alphabetic()) {
            return Err(SkillError::invalid_value(
                "country",
                format!("`{}` is not a country code", shorten(cc)),
                "a two-letter country code such as NL",
            ));
        }
        clauses.push(Expr::eq("location/countryOrRegion", cc.to_ascii_uppercase()));
    }
    if let Some(filter) = &p.filter {
        clauses.push(allowed_filter(filter, SIGN_IN_FILTER_FIELDS)?);
    }
    let query = Query::new()
        .select(SIGN_IN_FIELDS)
        .filter_opt(Expr::conjunction(clauses))
        .orderby("createdDateTime desc")
        .top(limit.min(1000));
    let request = GraphRequest::get("/auditLogs/signIns").query(query).prefer_unknown_enums();
    let page = ctx.graph.list::<SignIn>(request, limit).await?;
    note_ca_visibility(&ctx, &page.items);
    let sign_ins: Vec<SignInRow> = page.items.into_iter().map(SignInRow::from_sign_in).collect();
    let list =
        ListInfo::new(sign_ins.len(), page.total, page.more, "`since`, `user`, `app`, `outcome` or `error_code`");
    Ok(SignInList { since: start.to_rfc3339_opts(chrono::SecondsFormat::Secs, true), sign_ins, list })
}

impl Render for SignInList {
    fn rows(&self) -> Option<usize> {
        Some(self.sign_ins.len())
    }

    fn cut_to(&mut self, rows: usize) {
        self.sign_ins.truncate(rows);
        self.list.cut(rows);
    }

    fn markdown(&self) -> String {
        let failures = self.sign_ins.iter().filter(|s| s.error_code.is_some_and(|c| c != 0)).count();
        format!(
            "{} sign-ins since {} UTC ({failures} failed)\n{}{}",
            self.list.returned,
            short_time(&self.since),
            sign_in_table(&self.sign_ins),
            self.list.footer()
        )
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Show Karita's sign-ins over the last 48 hours",
        args: r#"{"user":"karita@woodgrovebank.com","since":"48h","limit":50}"#,
        facts: &[
            Fact::Some("sign_ins/*/error_code", "53003"),
            Fact::Some("sign_ins/*/error_code", "50074"),
            Fact::Some("sign_ins/*/error_code", "500121"),
            Fact::Some("sign_ins/*/error_code", "53000"),
            Fact::Some("sign_ins/*/error_code", "0"),
            Fact::Some("sign_ins/*/ca_failed/*", "~CA004"),
            Fact::Some("sign_ins/*/ca_failed/*", "~(report-only)"),
        ],
    },
    Example {
        question: "Which of Karita's sign-ins used IMAP?",
        args: r#"{"user":"karita@woodgrovebank.com","since":"48h","filter":"clientAppUsed eq 'IMAP4'"}"#,
        facts: &[Fact::Every("returned", "4"), Fact::Every("sign_ins/*/error_code", "50126")],
    },
    Example {
        question: "Failed sign-ins for Karita in the last two days",
        args: r#"{"user":"karita@woodgrovebank.com","outcome":"failure","since":"48h"}"#,
        facts: &[Fact::No("sign_ins/*/error_code", "0"), Fact::AtLeast("sign_ins/*", 5)],
    },
    Example {
        question: "Sign-ins blocked by Conditional Access (53003)",
        args: r#"{"error_code":53003,"since":"48h"}"#,
        facts: &[
            Fact::Every("sign_ins/*/error_code", "53003"),
            Fact::Some("sign_ins/*/user", "karita@woodgrovebank.com"),
        ],
    },
    Example {
        question: "A filter that tries to widen the query",
        args: r#"{"filter":"userId eq 'x' or 1 eq 1"}"#,
        facts: &[Fact::Fails(ErrorKind::InvalidInput), Fact::Says("`filter`")],
    },
];

pub fn skill() -> Skill {
    Skill::new(LIST_SIGN_INS, list_sign_ins)
}
