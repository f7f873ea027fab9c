//! `get_sign_in_summary` (beta): per app, how many sign-ins succeeded and failed over the last
//! 7 or 30 days, the apps with the most failures first — Entra's own report, one call.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::graph::GraphRequest;
use crate::render::{or_dash, table};
use crate::shared::*;
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset};

const GET_SIGN_IN_SUMMARY: Declaration = Declaration {
    name: "get_sign_in_summary",
    title: "Sign-in success and failure counts per app",
    description: "(beta) Which apps have the most failed sign-ins: successful and failed sign-in counts and success rate per application over the last 7 or 30 days, from Entra's usage report. For the failures themselves use list_sign_ins. Reports Reader.",
    toolset: Toolset::Signins,
    permissions: &["Reports.Read.All"],
    least_role: "Reports Reader",
    access: Access::Read,
    beta: true,
    default: false,
    examples: EXAMPLES,
};

/// The report's periods: Graph computes it over 7 or 30 days only.
#[derive(Debug, Clone, Copy, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    D7,
    D30,
}

impl Period {
    fn graph(self) -> &'static str {
        match self {
            Period::D7 => "D7",
            Period::D30 => "D30",
        }
    }
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetSignInSummaryParams {
    /// `d7` (default) or `d30`.
    pub period: Option<Period>,
    /// Only this app: display name or appId.
    pub app: Option<String>,
    #[serde(default)]
    pub limit: Limit,
}

/// An `applicationSignInSummary`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct AppSummary {
    id: Option<String>,
    app_id: Option<String>,
    app_display_name: Option<String>,
    successful_sign_in_count: Option<i64>,
    failed_sign_in_count: Option<i64>,
    success_percentage: Option<f64>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct AppSignInCounts {
    pub app: Option<String>,
    pub app_id: Option<String>,
    pub successes: i64,
    pub failures: i64,
    /// Successful sign-ins in percent.
    pub success_percentage: Option<f64>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct SignInSummary {
    /// `D7` or `D30`.
    pub period: String,
    pub apps: Vec<AppSignInCounts>,
    /// Over the apps returned.
    pub successes: i64,
    pub failures: i64,
    #[serde(flatten)]
    pub list: ListInfo,
}

async fn get_sign_in_summary(ctx: Ctx, p: GetSignInSummaryParams) -> Result<SignInSummary, SkillError> {
    let limit = p.limit.get()?;
    let period = p.period.unwrap_or(Period::D7);
    let wanted = p.app.as_deref().map(|a| text("app", a, 120)).transpose()?;
    // The period comes from the enum, so the function call is built from known text.
    let request =
        GraphRequest::get(format!("/reports/getAzureADApplicationSignInSummary(period='{}')", period.graph())).beta();
    let page = ctx.graph.list::<AppSummary>(request, 5000).await?;
    let mut apps: Vec<AppSignInCounts> = page
        .items
        .into_iter()
        .map(|s| AppSignInCounts {
            app: s.app_display_name.filter(|n| !n.is_empty()),
            app_id: s.app_id.or(s.id),
            successes: s.successful_sign_in_count.unwrap_or(0),
            failures: s.failed_sign_in_count.unwrap_or(0),
            success_percentage: s.success_percentage,
        })
        .filter(|a| {
            wanted.as_deref().is_none_or(|w| {
                a.app.as_deref().is_some_and(|n| n.eq_ignore_ascii_case(w))
                    || a.app_id.as_deref().is_some_and(|id| id.eq_ignore_ascii_case(w))
            })
        })
        .collect();
    if let Some(w) = &wanted
        && apps.is_empty()
    {
        ctx.note(format!("no sign-ins to an app named or with appId `{}` in the period", shorten(w)));
    }
    // The apps that fail most first; then the busiest.
    apps.sort_by(|a, b| b.failures.cmp(&a.failures).then(b.successes.cmp(&a.successes)));
    let matched = apps.len();
    apps.truncate(limit);
    let successes = apps.iter().map(|a| a.successes).sum();
    let failures = apps.iter().map(|a| a.failures).sum();
    let list = ListInfo::new(apps.len(), Some(matched as u64), page.more, "`app` or `limit`");
    Ok(SignInSummary { period: period.graph().to_string(), apps, successes, failures, list })
}

impl Render for SignInSummary {
    fn rows(&self) -> Option<usize> {
        Some(self.apps.len())
    }

    fn cut_to(&mut self, rows: usize) {
        self.apps.truncate(rows);
        self.list.cut(rows);
    }

    fn markdown(&self) -> String {
        let rows: Vec<Vec<String>> = self
            .apps
            .iter()
            .map(|a| {
                vec![
                    or_dash(&a.app),
                    a.successes.to_string(),
                    a.failures.to_string(),
                    a.success_percentage.map(|p| format!("{p:.0} %")).unwrap_or_default(),
                    or_dash(&a.app_id),
                ]
            })
            .collect();
        format!(
            "sign-ins per app, period {} ({} succeeded, {} failed over {} apps)\n{}{}",
            self.period,
            self.successes,
            self.failures,
            self.list.returned,
            table(&["app", "succeeded", "failed", "success", "appId"], &rows),
            self.list.footer()
        )
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Which apps had the most failed sign-ins this week?",
        args: r#"{"period":"d7"}"#,
        facts: &[
            Fact::AtLeast("apps/*", 5),
            Fact::Some("apps/*/app", "Woodgrove Finance Portal"),
            Fact::AtLeast("failures", 1),
            Fact::Every("period", "D7"),
        ],
    },
    Example {
        question: "Sign-in success rate of the Woodgrove Finance Portal over the last 30 days",
        args: r#"{"period":"d30","app":"Woodgrove Finance Portal"}"#,
        facts: &[
            Fact::Count("apps/*", 1),
            Fact::AtLeast("apps/0/failures", 1),
            Fact::AtLeast("apps/0/successes", 1),
            Fact::Every("period", "D30"),
        ],
    },
    Example {
        question: "Sign-in summary for yesterday only",
        args: r#"{"period":"d1"}"#,
        facts: &[Fact::Fails(ErrorKind::InvalidInput), Fact::Says("period")],
    },
];

pub fn skill() -> Skill {
    Skill::new(GET_SIGN_IN_SUMMARY, get_sign_in_summary)
}
