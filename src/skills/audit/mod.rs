//! The `audit` toolset: directory audit logs, who created what, and provisioning logs and jobs.

mod sync_jobs;

crate::toolset! {
    list_directory_audits,
    find_object_creator,
    list_provisioning_events,
    list_provisioning_jobs,
    get_provisioning_job_status,
}
