//! What the provisioning job skills share: the `synchronizationJob` as Graph returns it, the
//! app it belongs to, and one run of a job as the answers show it.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::graph::resources::ServicePrincipal;
use crate::graph::{GraphRequest, path};
use crate::render::trim_opt;
use crate::shared::resolve::{self, APP};
use crate::skill::{Ctx, SkillError};

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SynchronizationJob {
    pub id: String,
    pub template_id: Option<String>,
    pub schedule: Option<Schedule>,
    pub status: Option<SyncStatus>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Schedule {
    /// An ISO 8601 duration (`PT40M`).
    pub interval: Option<String>,
    /// `Active`, `Disabled`, `Paused`.
    pub state: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SyncStatus {
    /// `NotConfigured`, `NotRun`, `Active`, `Paused`, `Quarantine`.
    pub code: Option<String>,
    pub count_successive_complete_failures: Option<i64>,
    pub last_execution: Option<TaskExecution>,
    pub last_successful_execution: Option<TaskExecution>,
    pub last_successful_execution_with_exports: Option<TaskExecution>,
    pub progress: Option<Vec<Progress>>,
    pub quarantine: Option<Quarantine>,
    pub steady_state_first_achieved_time: Option<String>,
    pub steady_state_last_achieved_time: Option<String>,
    pub synchronized_entry_count_by_type: Option<Vec<KeyCount>>,
    pub troubleshooting_url: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TaskExecution {
    pub count_imported: Option<i64>,
    pub count_exported: Option<i64>,
    pub count_escrowed: Option<i64>,
    pub error: Option<SyncError>,
    /// `Succeeded`, `Failed`, `EntryLevelErrors`.
    pub state: Option<String>,
    pub time_began: Option<String>,
    pub time_ended: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Quarantine {
    pub current_began: Option<String>,
    pub next_attempt: Option<String>,
    pub reason: Option<String>,
    pub series_began: Option<String>,
    pub series_count: Option<i64>,
    pub error: Option<SyncError>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SyncError {
    pub code: Option<String>,
    pub message: Option<String>,
    pub tenant_actionable: Option<bool>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Progress {
    pub completed_units: Option<i64>,
    pub total_units: Option<i64>,
    pub units: Option<String>,
    pub progress_observation_date_time: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct KeyCount {
    pub key: Option<String>,
    pub value: Option<i64>,
}

/// The provisioning app, named in every answer with its ids.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct AppRef {
    /// Service principal object id.
    pub id: String,
    pub name: Option<String>,
    pub app_id: Option<String>,
}

/// One run of a job.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Run {
    /// `Succeeded`, `Failed`, `EntryLevelErrors`.
    pub state: Option<String>,
    pub began: Option<String>,
    pub ended: Option<String>,
    pub imported: Option<i64>,
    pub exported: Option<i64>,
    /// Objects that failed (escrows).
    pub errors: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
}

/// Graph writes "never" as the year 1; an empty string means the same.
pub fn real_time(time: Option<String>) -> Option<String> {
    time.filter(|t| !t.is_empty() && !t.starts_with("0001-"))
}

impl Run {
    /// A run Graph reported, or `None` when it reported none (or an empty one).
    pub fn of(execution: Option<TaskExecution>) -> Option<Run> {
        let e = execution?;
        let began = real_time(e.time_began);
        if began.is_none() && e.state.is_none() {
            return None;
        }
        let error = e.error.unwrap_or_default();
        Some(Run {
            state: e.state,
            began,
            ended: real_time(e.time_ended),
            imported: e.count_imported,
            exported: e.count_exported,
            errors: e.count_escrowed,
            error_code: error.code.filter(|c| !c.is_empty()),
            error_message: trim_opt(error.message.filter(|m| !m.is_empty())),
        })
    }
}

const APP_SELECT: &[&str] = &["id", "appId", "displayName"];

/// The app a job skill is asked about: its name, appId or service principal id.
pub async fn provisioning_app(ctx: &Ctx, app: &str) -> Result<AppRef, SkillError> {
    let sp = resolve::resolve::<ServicePrincipal>(ctx, &APP, app, APP_SELECT).await?;
    Ok(AppRef { id: sp.id, name: sp.display_name, app_id: sp.app_id })
}

/// The app's provisioning jobs.
pub async fn jobs_of(ctx: &Ctx, app: &AppRef) -> Result<Vec<SynchronizationJob>, SkillError> {
    let request = GraphRequest::get(path("/servicePrincipals/{}/synchronization/jobs", &[&app.id]));
    Ok(ctx.graph.list::<SynchronizationJob>(request, 50).await?.items)
}

/// `Active every PT40M`.
pub fn schedule_text(schedule: Option<&Schedule>) -> Option<String> {
    let s = schedule?;
    match (&s.state, &s.interval) {
        (Some(state), Some(interval)) => Some(format!("{state} every {interval}")),
        (Some(state), None) => Some(state.clone()),
        (None, Some(interval)) => Some(format!("every {interval}")),
        (None, None) => None,
    }
}
