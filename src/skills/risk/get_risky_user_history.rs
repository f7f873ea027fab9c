//! `get_risky_user_history`: how one user's risk moved over time — each level and state, when,
//! the detections behind it, and who or what changed it (ID Protection, the user remediating,
//! or an admin, named).

use std::collections::BTreeSet;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::graph::resources::RiskyUser;
use crate::graph::{GraphRequest, Query};
use crate::render::{fields, or_dash, short_time, table};
use crate::shared::*;
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset};

use super::admins;

const GET_RISKY_USER_HISTORY: Declaration = Declaration {
    name: "get_risky_user_history",
    title: "Get a risky user's risk history",
    description: "How a user's risk level and state changed over time: each step (none → medium → high, dismissed, remediated, confirmed compromised), when, the detection types behind it, and who changed it (ID Protection, the user, or a named admin). P2. Security Reader.",
    toolset: Toolset::Risk,
    permissions: &["IdentityRiskyUser.Read.All", "User.ReadBasic.All"],
    least_role: "Security Reader",
    access: Access::Read,
    beta: false,
    default: false,
    examples: EXAMPLES,
};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetRiskyUserHistoryParams {
    pub user: UserRef,
    #[serde(default)]
    pub limit: Limit,
}

/// One step of the user's risk.
#[derive(Debug, Serialize, JsonSchema)]
pub struct RiskStep {
    /// When the risk took this value (UTC).
    pub time: Option<String>,
    pub risk_level: Option<String>,
    pub risk_state: Option<String>,
    pub risk_detail: Option<String>,
    /// Detection types that moved the risk (e.g. `passwordSpray`, `anonymizedIPAddress`).
    pub risk_event_types: Vec<String>,
    /// `ID Protection` for a detection, otherwise the person who made the change.
    pub changed_by: String,
    /// The object id of the person who made the change.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub changed_by_id: Option<String>,
    pub id: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct RiskyUserHistory {
    pub user: PersonRef,
    /// The latest step's level and state: where the risk stands now.
    pub current_level: Option<String>,
    pub current_state: Option<String>,
    /// Oldest first.
    pub steps: Vec<RiskStep>,
    #[serde(flatten)]
    pub list: ListInfo,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct HistoryItem {
    id: String,
    initiated_by: Option<String>,
    risk_last_updated_date_time: Option<String>,
    risk_level: Option<String>,
    risk_state: Option<String>,
    risk_detail: Option<String>,
    user_display_name: Option<String>,
    user_principal_name: Option<String>,
    activity: Option<HistoryActivity>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct HistoryActivity {
    risk_event_types: Vec<String>,
}

fn never_flagged(key: &UserKey) -> SkillError {
    SkillError::not_found(format!("risk history for {}", key.describe()), "list_risky_users").with_remedy(
        "ID Protection never flagged this user, so there is no history; `list_risky_users` lists those it did",
    )
}

async fn get_risky_user_history(ctx: Ctx, p: GetRiskyUserHistoryParams) -> Result<RiskyUserHistory, SkillError> {
    let limit = p.limit.get()?;
    let key = p.user.parse("user")?;
    // The history is keyed by object id. A UPN is looked up among the risky users, which needs
    // no directory permission and tells at once whether ID Protection ever flagged the user.
    let person = match &key {
        UserKey::Id(id) => PersonRef { id: id.to_string(), display_name: None, upn: None },
        UserKey::Upn(_) => {
            let filter = user_clause(&ctx, &key, "id", "userPrincipalName").await?;
            let request = GraphRequest::get("/identityProtection/riskyUsers")
                .query(Query::new().select(&["id", "userDisplayName", "userPrincipalName"]).filter(filter).top(1));
            let found = ctx.graph.list::<RiskyUser>(request, 1).await?.items.into_iter().next();
            let found = found.ok_or_else(|| never_flagged(&key))?;
            PersonRef { id: found.id, display_name: found.user_display_name, upn: found.user_principal_name }
        }
        UserKey::Me => resolve_user(&ctx, &key).await?,
    };
    let id = parse_guid("user", &person.id)?;
    let request = GraphRequest::get(format!("/identityProtection/riskyUsers/{id}/history"))
        .query(Query::new().top(limit.min(500)))
        .prefer_unknown_enums();
    let page = ctx
        .graph
        .list::<HistoryItem>(request, limit)
        .await
        .map_err(|e| if e.kind == ErrorKind::NotFound { never_flagged(&key) } else { e })?;
    let mut items = page.items;
    items.sort_by(|a, b| a.risk_last_updated_date_time.cmp(&b.risk_last_updated_date_time));
    let initiators: BTreeSet<String> = items.iter().filter_map(|i| i.initiated_by.clone()).collect();
    let names = admins::named(&ctx, &initiators).await;
    let mut person = person;
    if person.upn.is_none() {
        // Given an object id, the user's names come with the history rather than a lookup.
        person.upn = items.iter().find_map(|i| i.user_principal_name.clone());
        person.display_name = items.iter().find_map(|i| i.user_display_name.clone());
    }
    let steps: Vec<RiskStep> = items
        .into_iter()
        .map(|item| RiskStep {
            time: item.risk_last_updated_date_time,
            risk_level: item.risk_level,
            risk_state: item.risk_state,
            risk_detail: item.risk_detail,
            risk_event_types: item.activity.map(|a| a.risk_event_types).unwrap_or_default(),
            changed_by: admins::changed_by(&names, item.initiated_by.as_deref()),
            changed_by_id: item.initiated_by,
            id: item.id,
        })
        .collect();
    let last = steps.last();
    let list = ListInfo::new(steps.len(), None, page.more, "`limit`");
    Ok(RiskyUserHistory {
        user: person.clone(),
        current_level: last.and_then(|s| s.risk_level.clone()),
        current_state: last.and_then(|s| s.risk_state.clone()),
        steps,
        list,
    })
}

impl Render for RiskyUserHistory {
    fn rows(&self) -> Option<usize> {
        Some(self.steps.len())
    }

    fn cut_to(&mut self, rows: usize) {
        self.steps.truncate(rows);
        self.list.cut(rows);
    }

    fn markdown(&self) -> String {
        let head = fields(&[
            ("user", self.user.display_name.clone()),
            ("upn", self.user.upn.clone()),
            ("id", Some(self.user.id.clone())),
            (
                "risk now",
                self.current_level
                    .as_ref()
                    .map(|l| format!("{l} ({})", self.current_state.clone().unwrap_or_default())),
            ),
        ]);
        let rows: Vec<Vec<String>> = self
            .steps
            .iter()
            .map(|s| {
                vec![
                    s.time.as_deref().map(short_time).unwrap_or_default(),
                    or_dash(&s.risk_level),
                    or_dash(&s.risk_state),
                    or_dash(&s.risk_detail),
                    if s.risk_event_types.is_empty() { "-".into() } else { s.risk_event_types.join(", ") },
                    s.changed_by.clone(),
                ]
            })
            .collect();
        format!(
            "{head}\nhistory, oldest first ({}):\n{}{}",
            self.steps.len(),
            table(&["time (UTC)", "level", "state", "detail", "detections", "changed by"], &rows),
            self.list.footer()
        )
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "How did Karita's user risk change over time, and why?",
        args: r#"{"user":"karita@woodgrovebank.com"}"#,
        facts: &[
            Fact::Count("steps/*", 3),
            Fact::Every("steps/0/risk_level", "none"),
            Fact::Every("current_level", "high"),
            Fact::Some("steps/*/risk_event_types/*", "passwordSpray"),
            Fact::Some("steps/*/risk_event_types/*", "anonymizedIPAddress"),
            Fact::Every("steps/*/changed_by", "ID Protection"),
        ],
    },
    Example {
        question: "Who dismissed Felix Wagner's risk, and when?",
        args: r#"{"user":"felix.wagner@woodgrovebank.com"}"#,
        facts: &[
            Fact::Every("current_state", "dismissed"),
            Fact::Some("steps/*/changed_by", "~Marcus Lee"),
            Fact::Some("steps/*/risk_detail", "adminDismissedAllRiskForUser"),
        ],
    },
    Example {
        question: "Risk history of a user ID Protection never flagged",
        args: r#"{"user":"lily.foster@woodgrovebank.com"}"#,
        facts: &[Fact::Fails(ErrorKind::NotFound)],
    },
];

pub fn skill() -> Skill {
    Skill::new(GET_RISKY_USER_HISTORY, get_risky_user_history)
}
