//! `list_risky_users`: users at risk, by level and state.
use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::graph::resources::RiskyUser;
use crate::graph::{GraphRequest, Query};
use crate::render::{or_dash, short_time, table};
use crate::shared::*;
use crate::skill::{Access, Ctx, Declaration, Example, Fact, Render, Skill, SkillError, Toolset};

use super::detections::*;

const LIST_RISKY_USERS: Declaration = Declaration {
    name: "list_risky_users",
    title: "List risky users",
    description: "Users flagged by ID Protection, by risk level and state (default: at risk or confirmed compromised), with counts per level. For one user's evidence use get_risky_user. P2. Security Reader.",
    toolset: Toolset::Risk,
    permissions: &["IdentityRiskyUser.Read.All"],
    least_role: "Security Reader",
    access: Access::Read,
    beta: false,
    default: true,
    examples: EXAMPLES,
};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListRiskyUsersParams {
    pub risk_level: Option<RiskLevel>,
    /// Any of these states; default at_risk and confirmed_compromised.
    pub risk_state: Option<Vec<RiskState>>,
    #[serde(default)]
    pub limit: Limit,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct RiskyUserRow {
    pub id: String,
    pub display_name: Option<String>,
    pub upn: Option<String>,
    pub risk_level: Option<String>,
    pub risk_state: Option<String>,
    pub risk_detail: Option<String>,
    pub updated: Option<String>,
}

impl From<RiskyUser> for RiskyUserRow {
    fn from(u: RiskyUser) -> Self {
        RiskyUserRow {
            id: u.id,
            display_name: u.user_display_name,
            upn: u.user_principal_name,
            risk_level: u.risk_level,
            risk_state: u.risk_state,
            risk_detail: u.risk_detail,
            updated: u.risk_last_updated_date_time,
        }
    }
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct RiskyUserList {
    pub users: Vec<RiskyUserRow>,
    /// Returned users per risk level.
    pub by_level: BTreeMap<String, usize>,
    #[serde(flatten)]
    pub list: ListInfo,
}

async fn list_risky_users(ctx: Ctx, p: ListRiskyUsersParams) -> Result<RiskyUserList, SkillError> {
    let limit = p.limit.get()?;
    let filter = risk_filter(
        p.risk_state.as_deref(),
        p.risk_level,
        "a list of at_risk, confirmed_compromised, remediated, dismissed, confirmed_safe",
    )?;
    let query = Query::new()
        .select(RISKY_USER_FIELDS)
        .filter(filter)
        .orderby("riskLastUpdatedDateTime desc")
        .top(limit.min(500));
    let page = ctx
        .graph
        .list::<RiskyUser>(
            GraphRequest::get("/identityProtection/riskyUsers").query(query).prefer_unknown_enums(),
            limit,
        )
        .await?;
    let users: Vec<RiskyUserRow> = page.items.into_iter().map(RiskyUserRow::from).collect();
    let by_level = count_by_level(users.iter().map(|u| u.risk_level.as_deref()));
    let list = ListInfo::new(users.len(), page.total, page.more, "`risk_level` or `risk_state`");
    Ok(RiskyUserList { users, by_level, list })
}

impl Render for RiskyUserList {
    fn rows(&self) -> Option<usize> {
        Some(self.users.len())
    }

    fn cut_to(&mut self, rows: usize) {
        self.users.truncate(rows);
        self.list.cut(rows);
    }

    fn markdown(&self) -> String {
        let counts = level_counts_words(&self.by_level);
        let rows: Vec<Vec<String>> = self
            .users
            .iter()
            .map(|u| {
                vec![
                    or_dash(&u.display_name),
                    or_dash(&u.upn),
                    or_dash(&u.risk_level),
                    or_dash(&u.risk_state),
                    or_dash(&u.risk_detail),
                    u.updated.as_deref().map(short_time).unwrap_or_default(),
                    u.id.clone(),
                ]
            })
            .collect();
        format!(
            "{} risky users ({counts})\n{}{}",
            self.list.returned,
            table(&["user", "upn", "level", "state", "detail", "updated (UTC)", "id"], &rows),
            self.list.footer()
        )
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Which users are at risk right now?",
        args: r#"{}"#,
        facts: &[Fact::Some("users/*/upn", "karita@woodgrovebank.com"), Fact::Some("users/*/risk_state", "atRisk")],
    },
    Example {
        question: "Only the high-risk users",
        args: r#"{"risk_level":"high"}"#,
        facts: &[Fact::Every("users/*/risk_level", "high"), Fact::Some("users/*/upn", "karita@woodgrovebank.com")],
    },
];

pub fn skill() -> Skill {
    Skill::new(LIST_RISKY_USERS, list_risky_users)
}
