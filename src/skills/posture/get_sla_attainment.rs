//! `get_sla_attainment` (beta): how available Microsoft Entra authentication was for this
//! tenant, month by month, against the 99.99 % Microsoft commits to — and the months below it.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::graph::GraphRequest;
use crate::render::table;
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset};

const GET_SLA_ATTAINMENT: Declaration = Declaration {
    name: "get_sla_attainment",
    title: "Get Entra authentication SLA attainment",
    description: "(beta) Monthly availability of Microsoft Entra authentication for this tenant against the 99.99 % service level agreement: each month's attainment, the months below the SLA (grounds for a service credit claim) and the lowest month. Reports Reader.",
    toolset: Toolset::Posture,
    permissions: &["Reports.Read.All"],
    least_role: "Reports Reader",
    access: Access::Read,
    beta: true,
    default: false,
    examples: EXAMPLES,
};

/// Microsoft's commitment for Entra authentication availability, in percent.
const SLA_PERCENT: f64 = 99.99;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetSlaAttainmentParams {}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct AzureAdAuthentication {
    attainments: Vec<Attainment>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct Attainment {
    start_date: Option<String>,
    end_date: Option<String>,
    score: Option<f64>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Month {
    /// `2026-07`.
    pub month: String,
    pub start: String,
    pub end: String,
    /// Availability in percent.
    pub attainment: f64,
    /// At or above the SLA.
    pub met: bool,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct SlaAttainment {
    /// The SLA in percent.
    pub target: f64,
    /// Newest first.
    pub months: Vec<Month>,
    /// The months below the SLA.
    pub below: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lowest: Option<Month>,
}

async fn get_sla_attainment(ctx: Ctx, _p: GetSlaAttainmentParams) -> Result<SlaAttainment, SkillError> {
    let request = GraphRequest::get("/reports/sla/azureADAuthentication").beta();
    let answer: AzureAdAuthentication = ctx.graph.get(request).await?;
    let mut months: Vec<Month> = answer
        .attainments
        .into_iter()
        .filter_map(|a| {
            let start = a.start_date?;
            let attainment = a.score?;
            Some(Month {
                month: start.get(..7).unwrap_or(&start).to_string(),
                end: a.end_date.unwrap_or_default(),
                start,
                attainment,
                // Scores carry three decimals: compare in thousandths, not floats.
                met: (attainment * 1000.0).round() >= (SLA_PERCENT * 1000.0).round(),
            })
        })
        .collect();
    months.sort_by(|a, b| b.start.cmp(&a.start));
    if months.is_empty() {
        ctx.note("Graph returned no monthly attainment: the report covers complete months only");
    }
    let below = months.iter().filter(|m| !m.met).map(|m| m.month.clone()).collect();
    let lowest = months.iter().min_by(|a, b| a.attainment.total_cmp(&b.attainment)).map(|m| Month {
        month: m.month.clone(),
        start: m.start.clone(),
        end: m.end.clone(),
        attainment: m.attainment,
        met: m.met,
    });
    Ok(SlaAttainment { target: SLA_PERCENT, months, below, lowest })
}

impl Render for SlaAttainment {
    fn markdown(&self) -> String {
        let rows: Vec<Vec<String>> = self
            .months
            .iter()
            .map(|m| vec![m.month.clone(), format!("{:.3} %", m.attainment), if m.met { "yes" } else { "NO" }.into()])
            .collect();
        let below = if self.below.is_empty() { "none".to_string() } else { self.below.join(", ") };
        format!(
            "Entra authentication availability against the {} % SLA: {} of {} months met; below: {below}\n{}",
            self.target,
            self.months.iter().filter(|m| m.met).count(),
            self.months.len(),
            table(&["month", "attainment", "met"], &rows)
        )
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Did Entra authentication meet its 99.99% SLA every month this year?",
        args: r#"{}"#,
        facts: &[
            Fact::Count("months/*", 12),
            Fact::Count("below/*", 1),
            Fact::Every("lowest/attainment", "99.982"),
            Fact::Every("lowest/met", "false"),
            Fact::Some("months/*/met", "true"),
            Fact::Says("below:"),
        ],
    },
    Example {
        question: "SLA attainment over the last two years",
        args: r#"{"months":24}"#,
        facts: &[Fact::Fails(ErrorKind::InvalidInput), Fact::Says("months")],
    },
];

pub fn skill() -> Skill {
    Skill::new(GET_SLA_ATTAINMENT, get_sla_attainment)
}
