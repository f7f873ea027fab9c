//! `get_premium_license_utilization` (beta): the Entra ID P1 and P2 seats the tenant holds
//! against how many users actually used the premium features they pay for (Conditional
//! Access, risk-based Conditional Access), so an admin sees shortfalls and unused seats.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::graph::GraphRequest;
use crate::render::table;
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset};

const GET_PREMIUM_LICENSE_UTILIZATION: Declaration = Declaration {
    name: "get_premium_license_utilization",
    title: "Get Entra ID P1/P2 licence utilization",
    description: "(beta) Microsoft Entra ID premium licence insight: P1 and P2 seats the tenant is entitled to compared with how many users used each premium feature (Conditional Access, risk-based Conditional Access; guests apart), with the share of seats used and any feature used by more users than there are seats. Reports Reader.",
    toolset: Toolset::Posture,
    permissions: &["Reports.Read.All"],
    least_role: "Reports Reader†",
    access: Access::Read,
    beta: true,
    default: false,
    examples: EXAMPLES,
};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetPremiumLicenseUtilizationParams {}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct Insight {
    entitled_p1_license_count: Option<u64>,
    entitled_p2_license_count: Option<u64>,
    entitled_total_license_count: Option<u64>,
    p1_feature_utilizations: Option<Value>,
    p2_feature_utilizations: Option<Value>,
    internet_access_feature_utilizations: Option<Value>,
    private_access_feature_utilizations: Option<Value>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct FeatureUse {
    pub feature: String,
    /// The licence the feature needs: `P1`, `P2`, `Internet Access`, `Private Access`.
    pub licence: String,
    /// Users who used it.
    pub users: u64,
    /// Seats that cover it (P1 features: P1 and P2 seats); absent where seats are not the measure.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entitled: Option<u64>,
    /// Users as a share of those seats, in percent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub used_percent: Option<f64>,
    /// More users than seats.
    pub over_entitlement: bool,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct PremiumLicenseUtilization {
    pub entitled_p1: u64,
    pub entitled_p2: u64,
    pub entitled_total: u64,
    pub features: Vec<FeatureUse>,
    /// The features used by more users than there are seats for them.
    pub over_entitlement: Vec<String>,
}

/// One feature the insight counts: its group, Graph's name for it, the admin's words, the
/// licence it needs and the seats that cover it.
type Feature<'a> = (&'a Option<Value>, &'static str, &'static str, &'static str, Option<u64>);

/// `{"conditionalAccess": {"userCount": 85}}` → the count of one feature.
fn count(group: &Option<Value>, feature: &str) -> Option<u64> {
    group.as_ref()?.get(feature)?.get("userCount")?.as_u64()
}

async fn get_premium_license_utilization(
    ctx: Ctx,
    _p: GetPremiumLicenseUtilizationParams,
) -> Result<PremiumLicenseUtilization, SkillError> {
    let insight: Insight = ctx.graph.get(GraphRequest::get("/reports/azureADPremiumLicenseInsight").beta()).await?;
    let p1 = insight.entitled_p1_license_count.unwrap_or(0);
    let p2 = insight.entitled_p2_license_count.unwrap_or(0);
    let total = insight.entitled_total_license_count.unwrap_or(p1 + p2);
    let features: [Feature<'_>; 7] = [
        (&insight.p1_feature_utilizations, "conditionalAccess", "Conditional Access", "P1", Some(p1 + p2)),
        (&insight.p1_feature_utilizations, "conditionalAccessGuestUsers", "Conditional Access (guests)", "P1", None),
        (
            &insight.p2_feature_utilizations,
            "riskBasedConditionalAccess",
            "Risk-based Conditional Access",
            "P2",
            Some(p2),
        ),
        (
            &insight.p2_feature_utilizations,
            "riskBasedConditionalAccessGuestUsers",
            "Risk-based Conditional Access (guests)",
            "P2",
            None,
        ),
        (&insight.internet_access_feature_utilizations, "internetAccess", "Internet Access", "Internet Access", None),
        (
            &insight.internet_access_feature_utilizations,
            "internetAccessM365",
            "Internet Access for Microsoft 365",
            "Internet Access",
            None,
        ),
        (&insight.private_access_feature_utilizations, "privateAccess", "Private Access", "Private Access", None),
    ];
    let features: Vec<FeatureUse> = features
        .into_iter()
        .filter_map(|(group, key, words, licence, entitled)| {
            let users = count(group, key)?;
            let used_percent = entitled.filter(|e| *e > 0).map(|e| ((users as f64 / e as f64) * 1000.0).round() / 10.0);
            Some(FeatureUse {
                feature: words.to_string(),
                licence: licence.to_string(),
                users,
                over_entitlement: entitled.is_some_and(|e| users > e),
                entitled,
                used_percent,
            })
        })
        .collect();
    if features.iter().any(|f| f.feature.contains("(guests)")) {
        ctx.note("guest use is not compared with seats: guests are billed by monthly active users (External ID), not by P1/P2 seats");
    }
    let over = features.iter().filter(|f| f.over_entitlement).map(|f| f.feature.clone()).collect();
    Ok(PremiumLicenseUtilization {
        entitled_p1: p1,
        entitled_p2: p2,
        entitled_total: total,
        features,
        over_entitlement: over,
    })
}

impl Render for PremiumLicenseUtilization {
    fn markdown(&self) -> String {
        let rows: Vec<Vec<String>> = self
            .features
            .iter()
            .map(|f| {
                vec![
                    f.feature.clone(),
                    f.licence.clone(),
                    f.users.to_string(),
                    f.entitled.map(|e| e.to_string()).unwrap_or_else(|| "-".into()),
                    f.used_percent.map(|p| format!("{p} %")).unwrap_or_else(|| "-".into()),
                    if f.over_entitlement { "OVER" } else { "" }.into(),
                ]
            })
            .collect();
        let over = if self.over_entitlement.is_empty() { "none".to_string() } else { self.over_entitlement.join(", ") };
        format!(
            "Entra ID premium seats: {} P1, {} P2 ({} in all); features used beyond seats: {over}\n{}",
            self.entitled_p1,
            self.entitled_p2,
            self.entitled_total,
            table(&["feature", "licence", "users", "seats", "used", ""], &rows)
        )
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Are we using the Entra ID P2 licences we pay for, and are we over our P1/P2 seats?",
        args: r#"{}"#,
        facts: &[
            Fact::Every("entitled_p2", "85"),
            Fact::Every("entitled_p1", "0"),
            Fact::Some("features/*/feature", "Conditional Access"),
            Fact::Some("features/*/feature", "Risk-based Conditional Access"),
            Fact::AtLeast("features/0/users", 10),
            Fact::Count("over_entitlement/*", 0),
        ],
    },
    Example {
        question: "Premium licence use for P2 only",
        args: r#"{"licence":"p2"}"#,
        facts: &[Fact::Fails(ErrorKind::InvalidInput)],
    },
];

pub fn skill() -> Skill {
    Skill::new(GET_PREMIUM_LICENSE_UTILIZATION, get_premium_license_utilization)
}
