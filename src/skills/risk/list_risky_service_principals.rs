//! `list_risky_service_principals`: workload identities (apps, service principals) ID Protection
//! flagged, by risk level and state, with counts per level.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::graph::{GraphRequest, Query};
use crate::shared::*;
use crate::skill::{Access, Ctx, Declaration, Example, Fact, Render, Skill, SkillError, Toolset};

use super::service_principals::*;

const LIST_RISKY_SERVICE_PRINCIPALS: Declaration = Declaration {
    name: "list_risky_service_principals",
    title: "List risky service principals",
    description: "Workload identities (apps and service principals) flagged by ID Protection, by risk level and state (default: at risk or confirmed compromised), with app name, appId, level, state and last change. For one app's evidence use get_risky_service_principal. Workload Identities Premium. Security Reader.",
    toolset: Toolset::Risk,
    permissions: &["IdentityRiskyServicePrincipal.Read.All"],
    least_role: "Security Reader",
    access: Access::Read,
    beta: false,
    default: false,
    examples: EXAMPLES,
};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListRiskyServicePrincipalsParams {
    pub risk_level: Option<RiskLevel>,
    /// Any of these states; default at_risk and confirmed_compromised.
    pub risk_state: Option<Vec<RiskState>>,
    #[serde(default)]
    pub limit: Limit,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct RiskyServicePrincipalList {
    pub apps: Vec<RiskyAppRow>,
    /// Returned apps per risk level.
    pub by_level: BTreeMap<String, usize>,
    #[serde(flatten)]
    pub list: ListInfo,
}

async fn list_risky_service_principals(
    ctx: Ctx,
    p: ListRiskyServicePrincipalsParams,
) -> Result<RiskyServicePrincipalList, SkillError> {
    let limit = p.limit.get()?;
    let filter = risk_filter(
        p.risk_state.as_deref(),
        p.risk_level,
        "a list of at_risk, confirmed_compromised, remediated, dismissed, confirmed_safe",
    )?;
    let request = GraphRequest::get("/identityProtection/riskyServicePrincipals")
        .query(Query::new().select(RISKY_SERVICE_PRINCIPAL_FIELDS).filter(filter).top(limit.min(500)))
        .prefer_unknown_enums();
    let page = ctx.graph.list::<RiskyServicePrincipal>(request, limit).await?;
    let mut apps: Vec<RiskyAppRow> = page.items.into_iter().map(RiskyAppRow::from).collect();
    // Newest change first; sorted here, since Graph documents no $orderby on this set.
    apps.sort_by(|a, b| b.updated.cmp(&a.updated));
    let by_level = count_by_level(apps.iter().map(|app| app.risk_level.as_deref()));
    let list = ListInfo::new(apps.len(), page.total, page.more, "`risk_level` or `risk_state`");
    Ok(RiskyServicePrincipalList { apps, by_level, list })
}

impl Render for RiskyServicePrincipalList {
    fn rows(&self) -> Option<usize> {
        Some(self.apps.len())
    }

    fn cut_to(&mut self, rows: usize) {
        self.apps.truncate(rows);
        self.list.cut(rows);
    }

    fn markdown(&self) -> String {
        let counts = level_counts_words(&self.by_level);
        format!(
            "{} risky service principals ({counts})\n{}{}",
            self.list.returned,
            app_table(&self.apps),
            self.list.footer()
        )
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "List the risky service principals (workload identities at risk)",
        args: r#"{}"#,
        facts: &[
            Fact::Some("apps/*/display_name", "Fabrikam Expense Sync"),
            Fact::Some("apps/*/display_name", "Payroll Sync"),
            Fact::No("apps/*/risk_state", "dismissed"),
        ],
    },
    Example {
        question: "Only the high-risk service principals",
        args: r#"{"risk_level":"high"}"#,
        facts: &[Fact::Every("apps/*/risk_level", "high"), Fact::Every("apps/*/display_name", "Fabrikam Expense Sync")],
    },
    Example {
        question: "Service principals whose risk was dismissed",
        args: r#"{"risk_state":["dismissed"]}"#,
        facts: &[
            Fact::Every("apps/*/display_name", "Legacy Reports Portal"),
            Fact::Every("apps/*/risk_detail", "adminDismissedAllRiskForServicePrincipal"),
        ],
    },
    Example {
        question: "Risky service principals at an unknown level",
        args: r#"{"risk_level":"severe"}"#,
        facts: &[Fact::Fails(crate::skill::ErrorKind::InvalidInput)],
    },
];

pub fn skill() -> Skill {
    Skill::new(LIST_RISKY_SERVICE_PRINCIPALS, list_risky_service_principals)
}
