//! `get_provisioning_job_status`: one provisioning job in depth — status, quarantine (reason,
//! since when, next attempt, the error), the last run and the last good one with their counts
//! and errors, steady state, progress, objects in sync — and what to do about it.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::graph::{GraphRequest, path};
use crate::render::{fields, or_dash, short_time, table, trim_opt};
use crate::shared::shorten;
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset};

use super::sync_jobs::*;

const GET_PROVISIONING_JOB_STATUS: Declaration = Declaration {
    name: "get_provisioning_job_status",
    title: "Get a provisioning job's status",
    description: "Why is provisioning to or from an app stuck? One provisioning (sync) job's health: active, paused or in quarantine (reason, since when, next retry, the error), last run and last successful run with counts and errors, steady state, progress, and the next step. The job defaults to the app's first. Cloud Application Administrator.",
    toolset: Toolset::Audit,
    permissions: &["Synchronization.Read.All"],
    least_role: "Cloud Application Administrator",
    access: Access::Read,
    beta: false,
    default: false,
    examples: EXAMPLES,
};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetProvisioningJobStatusParams {
    /// The enterprise app: display name, appId or service principal id.
    pub app: String,
    /// The job id (from list_provisioning_jobs); by default the app's only or first job.
    pub job: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct QuarantineInfo {
    /// e.g. `EncounteredQuarantineException`, `TooManyDeletes`, `EncounteredEscrowProportionThreshold`.
    pub reason: Option<String>,
    /// When this quarantine series began.
    pub since: Option<String>,
    /// When it was last evaluated and kept.
    pub current_began: Option<String>,
    pub next_attempt: Option<String>,
    /// Times re-evaluated and kept in this series.
    pub evaluations: Option<i64>,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    /// The tenant's admin can fix the cause (credentials, scoping), rather than the app vendor.
    pub tenant_actionable: Option<bool>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct SyncedCount {
    /// e.g. `user to User`.
    pub object_type: String,
    pub count: i64,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ProgressRow {
    pub completed: Option<i64>,
    pub total: Option<i64>,
    pub units: Option<String>,
    pub observed: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ProvisioningJobStatus {
    pub app: AppRef,
    pub job_id: String,
    pub template: Option<String>,
    /// `NotConfigured`, `NotRun`, `Active`, `Paused`, `Quarantine`.
    pub status: Option<String>,
    /// e.g. `Active every PT40M`.
    pub schedule: Option<String>,
    /// Active and its last run succeeded.
    pub healthy: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quarantine: Option<QuarantineInfo>,
    pub last_run: Option<Run>,
    pub last_successful_run: Option<Run>,
    /// The last run that wrote anything to the target.
    pub last_run_with_exports: Option<String>,
    pub consecutive_failures: Option<i64>,
    /// When the job first, and last, had nothing left to do.
    pub steady_state_first: Option<String>,
    pub steady_state_last: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub progress: Vec<ProgressRow>,
    pub synchronized: Vec<SyncedCount>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub troubleshooting_url: Option<String>,
    /// The app's other jobs, when it has several and none was named.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub other_jobs: Vec<String>,
    /// What to do, naming the skill that shows more where there is one.
    pub next_steps: Vec<String>,
}

/// A job id as Graph forms them: template, tenant and job, dot-separated.
fn checked_job_id(job: &str) -> Result<String, SkillError> {
    let job = job.trim();
    let valid = !job.is_empty()
        && job.len() <= 200
        && job.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
    if valid {
        Ok(job.to_string())
    } else {
        Err(SkillError::invalid_value(
            "job",
            format!("`{}` is not a provisioning job id", shorten(job)),
            "a job id from list_provisioning_jobs, such as Workday2AAD.<tenant>.<id>",
        ))
    }
}

fn next_steps(
    app: &AppRef,
    status: Option<&str>,
    quarantine: Option<&QuarantineInfo>,
    last: Option<&Run>,
) -> Vec<String> {
    let name = app.name.clone().unwrap_or_else(|| app.id.clone());
    let failures = format!("see the failed objects with list_provisioning_events (app `{name}`, status `failure`)");
    let mut steps = Vec::new();
    if let Some(q) = quarantine {
        let code = q.error_code.as_deref().unwrap_or_default().to_ascii_lowercase();
        let reason = q.reason.as_deref().unwrap_or_default();
        if code.contains("credential") || code.contains("unauthorized") || code.contains("token") {
            steps.push(format!(
                "update the admin credentials (secret token) in {name}'s provisioning settings, test the connection, then restart the job — done in the Entra admin center, outside this server"
            ));
        } else if reason == "TooManyDeletes" {
            steps.push("review the pending deletions (accidental unassignment or scoping change?); if intended, raise the deletion threshold or restart the job to allow them".into());
        } else if reason.starts_with("EncounteredEscrow")
            || reason.starts_with("EncounteredBaseEscrow")
            || reason.starts_with("EncounteredTotalEscrow")
        {
            steps.push("fix the object-level errors (attribute mappings, duplicates, missing required values), then restart the job".into());
        } else {
            steps.push("fix the error the quarantine names, then restart the job; the service also retries on its own at the next attempt".into());
        }
        steps.push(failures);
        return steps;
    }
    match status {
        Some("Paused") => {
            steps.push("the job is paused (usually by an admin): start it again when provisioning should resume".into())
        }
        Some("NotConfigured") => {
            steps.push("provisioning is not configured: set the admin credentials and mappings first".into())
        }
        Some("NotRun") => {
            steps.push("the job has not finished its first cycle yet; check again after the next run".into())
        }
        _ => {}
    }
    match last.and_then(|r| r.state.as_deref()) {
        Some("Failed") => steps.push(failures),
        Some("EntryLevelErrors") => steps.push(format!("some objects failed in the last run: {failures}")),
        _ => {}
    }
    steps
}

async fn get_provisioning_job_status(
    ctx: Ctx,
    p: GetProvisioningJobStatusParams,
) -> Result<ProvisioningJobStatus, SkillError> {
    let job_id = p.job.as_deref().map(checked_job_id).transpose()?;
    let app = provisioning_app(&ctx, &p.app).await?;
    let app_name = app.name.clone().unwrap_or_else(|| app.id.clone());
    let (job, other_jobs) = match job_id {
        Some(id) => {
            let request = GraphRequest::get(path("/servicePrincipals/{}/synchronization/jobs/{}", &[&app.id, &id]));
            let job: SynchronizationJob = ctx.graph.get(request).await.map_err(|e| {
                if e.kind == ErrorKind::NotFound {
                    let mut nf =
                        SkillError::not_found(format!("provisioning job {id} of {app_name}"), "list_provisioning_jobs");
                    nf.graph = e.graph;
                    nf
                } else {
                    e
                }
            })?;
            (job, Vec::new())
        }
        None => {
            let mut jobs = jobs_of(&ctx, &app).await?.into_iter();
            let Some(first) = jobs.next() else {
                return Err(SkillError::not_found(
                    format!("a provisioning job of {app_name}"),
                    "list_provisioning_jobs",
                )
                .with_remedy("provisioning was never configured for this app; check the app's name or id"));
            };
            (first, jobs.map(|j| j.id).collect())
        }
    };
    if !other_jobs.is_empty() {
        ctx.note(format!("{app_name} has {} more jobs; name one with `job`", other_jobs.len()));
    }
    let status = job.status.unwrap_or_default();
    let quarantine = status.quarantine.map(|q| {
        let error = q.error.unwrap_or_default();
        QuarantineInfo {
            reason: q.reason.filter(|r| !r.is_empty()),
            since: real_time(q.series_began),
            current_began: real_time(q.current_began),
            next_attempt: real_time(q.next_attempt),
            evaluations: q.series_count,
            error_code: error.code.filter(|c| !c.is_empty()),
            error_message: trim_opt(error.message.filter(|m| !m.is_empty())),
            tenant_actionable: error.tenant_actionable,
        }
    });
    let last_run = Run::of(status.last_execution);
    let healthy = status.code.as_deref() == Some("Active")
        && quarantine.is_none()
        && last_run.as_ref().is_some_and(|r| r.state.as_deref() == Some("Succeeded"));
    let steps = next_steps(&app, status.code.as_deref(), quarantine.as_ref(), last_run.as_ref());
    Ok(ProvisioningJobStatus {
        job_id: job.id,
        template: job.template_id,
        schedule: schedule_text(job.schedule.as_ref()),
        healthy,
        quarantine,
        last_successful_run: Run::of(status.last_successful_execution),
        last_run_with_exports: Run::of(status.last_successful_execution_with_exports).and_then(|r| r.began),
        last_run,
        consecutive_failures: status.count_successive_complete_failures,
        steady_state_first: real_time(status.steady_state_first_achieved_time),
        steady_state_last: real_time(status.steady_state_last_achieved_time),
        progress: status
            .progress
            .unwrap_or_default()
            .into_iter()
            .take(10)
            .map(|p| ProgressRow {
                completed: p.completed_units,
                total: p.total_units,
                units: p.units,
                observed: p.progress_observation_date_time,
            })
            .collect(),
        synchronized: status
            .synchronized_entry_count_by_type
            .unwrap_or_default()
            .into_iter()
            .take(10)
            .map(|c| SyncedCount { object_type: c.key.unwrap_or_default(), count: c.value.unwrap_or(0) })
            .collect(),
        troubleshooting_url: status.troubleshooting_url.filter(|u| !u.is_empty()),
        status: status.code,
        other_jobs,
        next_steps: steps,
        app,
    })
}

fn run_text(run: &Option<Run>) -> Option<String> {
    let run = run.as_ref()?;
    let mut text = format!(
        "{} {} (imported {}, exported {}, errors {})",
        run.began.as_deref().map(short_time).unwrap_or_default(),
        run.state.clone().unwrap_or_default(),
        run.imported.unwrap_or(0),
        run.exported.unwrap_or(0),
        run.errors.unwrap_or(0)
    );
    if let Some(code) = &run.error_code {
        text.push_str(&format!(": {code}"));
    }
    Some(text)
}

impl Render for ProvisioningJobStatus {
    fn markdown(&self) -> String {
        let q = self.quarantine.as_ref();
        let mut text = fields(&[
            ("app", self.app.name.clone()),
            ("service principal id", Some(self.app.id.clone())),
            ("job", Some(self.job_id.clone())),
            ("template", self.template.clone()),
            ("status", self.status.clone()),
            ("healthy", Some(if self.healthy { "yes" } else { "no" }.into())),
            ("schedule", self.schedule.clone()),
            ("quarantine reason", q.and_then(|q| q.reason.clone())),
            ("quarantined since", q.and_then(|q| q.since.as_deref().map(|t| format!("{} UTC", short_time(t))))),
            ("next attempt", q.and_then(|q| q.next_attempt.as_deref().map(|t| format!("{} UTC", short_time(t))))),
            (
                "quarantine error",
                q.and_then(|q| match (&q.error_code, &q.error_message) {
                    (Some(code), Some(message)) => Some(format!("{code}: {message}")),
                    (code, message) => code.clone().or(message.clone()),
                }),
            ),
            ("last run", run_text(&self.last_run)),
            ("last run error", self.last_run.as_ref().and_then(|r| r.error_message.clone())),
            ("last successful run", run_text(&self.last_successful_run)),
            ("last run with exports", self.last_run_with_exports.as_deref().map(|t| format!("{} UTC", short_time(t)))),
            ("failures in a row", self.consecutive_failures.map(|n| n.to_string())),
            ("steady state last reached", self.steady_state_last.as_deref().map(|t| format!("{} UTC", short_time(t)))),
            ("troubleshooting", self.troubleshooting_url.clone()),
        ]);
        if !self.synchronized.is_empty() {
            let counts: Vec<String> =
                self.synchronized.iter().map(|c| format!("{} {}", c.object_type, c.count)).collect();
            text.push_str(&format!("\nin sync: {}", counts.join(", ")));
        }
        if !self.progress.is_empty() {
            let rows: Vec<Vec<String>> = self
                .progress
                .iter()
                .map(|p| {
                    vec![
                        format!("{}/{}", p.completed.unwrap_or(0), p.total.unwrap_or(0)),
                        or_dash(&p.units),
                        p.observed.as_deref().map(short_time).unwrap_or_default(),
                    ]
                })
                .collect();
            text.push_str(&format!("\nprogress:\n{}", table(&["done", "units", "observed (UTC)"], &rows)));
        }
        for step in &self.next_steps {
            text.push_str(&format!("\nnext: {step}"));
        }
        text
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Why is Sales CRM provisioning in quarantine, and since when?",
        args: r#"{"app":"Sales CRM"}"#,
        facts: &[
            Fact::Every("status", "Quarantine"),
            Fact::Every("healthy", "false"),
            Fact::Every("quarantine/reason", "EncounteredQuarantineException"),
            Fact::Every("quarantine/error_code", "~CredentialValidation"),
            Fact::Every("quarantine/since", "~T"),
            Fact::Every("last_run/state", "Failed"),
            Fact::Every("last_successful_run/state", "Succeeded"),
            Fact::Some("next_steps/*", "~credentials"),
            Fact::Some("next_steps/*", "~list_provisioning_events"),
        ],
    },
    Example {
        question: "Is the Workday Inbound provisioning job healthy?",
        args: r#"{"app":"Workday Inbound"}"#,
        facts: &[
            Fact::Every("status", "Active"),
            Fact::Every("healthy", "true"),
            Fact::Count("quarantine", 0),
            Fact::Some("synchronized/*/object_type", "worker to User"),
            Fact::Count("next_steps/*", 0),
        ],
    },
    Example {
        question: "Status of a provisioning job id that does not exist",
        args: r#"{"app":"Workday Inbound","job":"Workday2AAD.0000.0000"}"#,
        facts: &[Fact::Fails(ErrorKind::NotFound), Fact::Says("list_provisioning_jobs")],
    },
    Example {
        question: "A job id with a path in it",
        args: r#"{"app":"Workday Inbound","job":"../../users"}"#,
        facts: &[Fact::Fails(ErrorKind::InvalidInput), Fact::Says("`job`")],
    },
];

pub fn skill() -> Skill {
    Skill::new(GET_PROVISIONING_JOB_STATUS, get_provisioning_job_status)
}
