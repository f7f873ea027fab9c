//! `list_provisioning_jobs`: an app's provisioning (synchronization) jobs, each with its
//! template, status, schedule, last run and whether it is in quarantine.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::render::{fields, or_dash, short_time, table};
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset};

use super::sync_jobs::*;

const LIST_PROVISIONING_JOBS: Declaration = Declaration {
    name: "list_provisioning_jobs",
    title: "List an app's provisioning jobs",
    description: "The provisioning (sync) jobs of an enterprise app such as Workday or a SCIM app: template, status (active, paused, quarantined), schedule, last run and its result, quarantine reason and since when. For one job in depth use get_provisioning_job_status. Cloud Application Administrator.",
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
pub struct ListProvisioningJobsParams {
    /// The enterprise app: display name, appId or service principal id.
    pub app: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct JobRow {
    /// The job id, for get_provisioning_job_status.
    pub id: String,
    /// The template, e.g. `Workday2AAD`, `salesforce`.
    pub template: Option<String>,
    /// `NotConfigured`, `NotRun`, `Active`, `Paused`, `Quarantine`.
    pub status: Option<String>,
    /// e.g. `Active every PT40M`.
    pub schedule: Option<String>,
    pub last_run: Option<String>,
    /// `Succeeded`, `Failed`, `EntryLevelErrors`.
    pub last_run_state: Option<String>,
    pub last_success: Option<String>,
    pub consecutive_failures: Option<i64>,
    pub quarantined: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quarantine_reason: Option<String>,
    /// When this quarantine series began.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quarantined_since: Option<String>,
    /// Objects kept in sync, all types.
    pub synchronized: Option<i64>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ProvisioningJobs {
    pub app: AppRef,
    pub jobs: Vec<JobRow>,
}

fn row(job: SynchronizationJob) -> JobRow {
    let status = job.status.unwrap_or_default();
    let last = Run::of(status.last_execution);
    let quarantine = status.quarantine;
    let synchronized =
        status.synchronized_entry_count_by_type.map(|counts| counts.iter().filter_map(|c| c.value).sum::<i64>());
    JobRow {
        id: job.id,
        template: job.template_id,
        quarantined: status.code.as_deref() == Some("Quarantine") || quarantine.is_some(),
        status: status.code,
        schedule: schedule_text(job.schedule.as_ref()),
        last_run: last.as_ref().and_then(|r| r.began.clone()),
        last_run_state: last.and_then(|r| r.state),
        last_success: Run::of(status.last_successful_execution).and_then(|r| r.began),
        consecutive_failures: status.count_successive_complete_failures,
        quarantine_reason: quarantine.as_ref().and_then(|q| q.reason.clone()),
        quarantined_since: quarantine.and_then(|q| real_time(q.series_began)),
        synchronized,
    }
}

async fn list_provisioning_jobs(ctx: Ctx, p: ListProvisioningJobsParams) -> Result<ProvisioningJobs, SkillError> {
    let app = provisioning_app(&ctx, &p.app).await?;
    let jobs = jobs_of(&ctx, &app).await?;
    if jobs.is_empty() {
        ctx.note(format!(
            "{} has no provisioning job: provisioning was never configured for it",
            app.name.as_deref().unwrap_or(&app.id)
        ));
    }
    Ok(ProvisioningJobs { app, jobs: jobs.into_iter().map(row).collect() })
}

impl Render for ProvisioningJobs {
    fn markdown(&self) -> String {
        let head = fields(&[
            ("app", self.app.name.clone()),
            ("service principal id", Some(self.app.id.clone())),
            ("appId", self.app.app_id.clone()),
        ]);
        let rows: Vec<Vec<String>> = self
            .jobs
            .iter()
            .map(|j| {
                let mut status = or_dash(&j.status);
                if let Some(reason) = &j.quarantine_reason {
                    status = format!("{status}: {reason}");
                }
                if let Some(since) = &j.quarantined_since {
                    status = format!("{status} since {} UTC", short_time(since));
                }
                let last = match (&j.last_run, &j.last_run_state) {
                    (Some(time), state) => format!("{} {}", short_time(time), state.clone().unwrap_or_default()),
                    (None, _) => "never".into(),
                };
                vec![
                    or_dash(&j.template),
                    status,
                    or_dash(&j.schedule),
                    last,
                    j.last_success.as_deref().map(short_time).unwrap_or_else(|| "never".into()),
                    j.consecutive_failures.map(|n| n.to_string()).unwrap_or_default(),
                    j.id.clone(),
                ]
            })
            .collect();
        format!(
            "{head}\n{} provisioning jobs\n{}",
            self.jobs.len(),
            table(
                &[
                    "template",
                    "status",
                    "schedule",
                    "last run (UTC)",
                    "last success (UTC)",
                    "failures in a row",
                    "job id"
                ],
                &rows
            )
        )
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Is provisioning to Sales CRM running? Show its sync jobs",
        args: r#"{"app":"Sales CRM"}"#,
        facts: &[
            Fact::Count("jobs/*", 1),
            Fact::Every("jobs/*/status", "Quarantine"),
            Fact::Every("jobs/*/quarantined", "true"),
            Fact::Every("jobs/*/quarantine_reason", "EncounteredQuarantineException"),
            Fact::Every("jobs/*/last_run_state", "Failed"),
            Fact::Every("jobs/*/template", "salesforce"),
        ],
    },
    Example {
        question: "What provisioning jobs does the Workday Inbound app have?",
        args: r#"{"app":"Workday Inbound"}"#,
        facts: &[
            Fact::Every("jobs/*/status", "Active"),
            Fact::Every("jobs/*/quarantined", "false"),
            Fact::Every("jobs/*/template", "Workday2AAD"),
            Fact::Every("jobs/*/last_run_state", "Succeeded"),
        ],
    },
    Example {
        question: "Provisioning jobs of an app without provisioning",
        args: r#"{"app":"Payroll Sync"}"#,
        facts: &[Fact::Count("jobs/*", 0), Fact::Some("notes/*", "~no provisioning job")],
    },
    Example {
        question: "Provisioning jobs of an app that does not exist",
        args: r#"{"app":"No Such App"}"#,
        facts: &[Fact::Fails(ErrorKind::NotFound)],
    },
];

pub fn skill() -> Skill {
    Skill::new(LIST_PROVISIONING_JOBS, list_provisioning_jobs)
}
