//! `list_risk_detections`: Identity Protection detections in a window, by user, type or level.
use std::collections::BTreeMap;

use chrono::Duration;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::graph::resources::RiskDetection;
use crate::graph::{GraphRequest, Query};
use crate::odata::Expr;
use crate::shared::*;
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset};

use super::detections::*;

const LIST_RISK_DETECTIONS: Declaration = Declaration {
    name: "list_risk_detections",
    title: "List risk detections",
    description: "ID Protection risk detections in a window (default 7d): by user, type (passwordSpray, anonymizedIPAddress, unlikelyTravel…), or level. P2. Security Reader.",
    toolset: Toolset::Risk,
    permissions: &["IdentityRiskEvent.Read.All"],
    least_role: "Security Reader",
    access: Access::Read,
    beta: false,
    default: true,
    examples: EXAMPLES,
};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListRiskDetectionsParams {
    pub user: Option<UserRef>,
    /// Graph's riskEventType, e.g. `passwordSpray`.
    pub risk_event_type: Option<String>,
    pub risk_level: Option<RiskLevel>,
    pub since: Option<Since>,
    #[serde(default)]
    pub limit: Limit,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct DetectionList {
    pub detections: Vec<DetectionRow>,
    /// Returned detections per type.
    pub by_type: BTreeMap<String, usize>,
    #[serde(flatten)]
    pub list: ListInfo,
}

async fn list_risk_detections(ctx: Ctx, p: ListRiskDetectionsParams) -> Result<DetectionList, SkillError> {
    let limit = p.limit.get()?;
    let (start, _) = window(&ctx, p.since.as_ref(), None, Duration::days(7), DETECTION_RETENTION_DAYS)?;
    let mut clauses = vec![Expr::ge("detectedDateTime", start)];
    if let Some(user) = &p.user {
        let key = user.parse("user")?;
        clauses.push(user_clause(&ctx, &key, "userId", "userPrincipalName").await?);
    }
    if let Some(kind) = &p.risk_event_type {
        let kind = kind.trim();
        if kind.is_empty() || kind.len() > 60 || !kind.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(SkillError::invalid_value(
                "risk_event_type",
                format!("`{}` is not a detection type", shorten(kind)),
                "a type name such as passwordSpray, anonymizedIPAddress, unlikelyTravel, unfamiliarFeatures, leakedCredentials",
            ));
        }
        clauses.push(Expr::eq("riskEventType", kind));
    }
    if let Some(level) = p.risk_level {
        clauses.push(Expr::eq("riskLevel", level.graph()));
    }
    let query = Query::new()
        .select(DETECTION_FIELDS)
        .filter_opt(Expr::conjunction(clauses))
        .orderby("detectedDateTime desc")
        .top(limit.min(500));
    let page = ctx
        .graph
        .list::<RiskDetection>(GraphRequest::get("/identityProtection/riskDetections").query(query), limit)
        .await?;
    let detections: Vec<DetectionRow> = page.items.into_iter().map(DetectionRow::from).collect();
    let mut by_type = BTreeMap::new();
    for d in &detections {
        *by_type.entry(d.risk_event_type.clone().unwrap_or_else(|| "unknown".into())).or_insert(0) += 1;
    }
    let list =
        ListInfo::new(detections.len(), page.total, page.more, "`since`, `user`, `risk_event_type` or `risk_level`");
    Ok(DetectionList { detections, by_type, list })
}

impl Render for DetectionList {
    fn rows(&self) -> Option<usize> {
        Some(self.detections.len())
    }

    fn cut_to(&mut self, rows: usize) {
        self.detections.truncate(rows);
        self.list.cut(rows);
    }

    fn markdown(&self) -> String {
        let counts = self.by_type.iter().map(|(k, v)| format!("{k} {v}")).collect::<Vec<_>>().join(", ");
        format!(
            "{} detections ({counts})\n{}{}",
            self.list.returned,
            detection_table(&self.detections, true),
            self.list.footer()
        )
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Who was hit by the password spray this week?",
        args: r#"{"risk_event_type":"passwordSpray","since":"7d"}"#,
        facts: &[
            Fact::Some("detections/*/user", "karita@woodgrovebank.com"),
            Fact::AtLeast("detections/*", 9),
            Fact::Every("detections/*/risk_event_type", "passwordSpray"),
        ],
    },
    Example {
        question: "A detection type with an injection attempt",
        args: r#"{"risk_event_type":"spray' or 'a'='a"}"#,
        facts: &[Fact::Fails(ErrorKind::InvalidInput), Fact::Says("`risk_event_type`")],
    },
];

pub fn skill() -> Skill {
    Skill::new(LIST_RISK_DETECTIONS, list_risk_detections)
}
