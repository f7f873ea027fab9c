//! The `governance` toolset: Microsoft Entra ID Governance — lifecycle workflows (joiner,
//! mover, leaver: their definitions, versions, runs and insights, on-demand runs, and drafting
//! a new one from intent).

// Lifecycle workflows: what they read of Graph and how they say it, and task words matched
// to built-in tasks.
mod workflow_match;
mod workflow_model;

crate::toolset! {
    // Lifecycle workflows.
    list_workflows,
    get_workflow,
    list_deleted_workflows,
    list_workflow_templates_and_tasks,
    get_workflow_run_report,
    get_workflow_insights,
    compare_workflow_versions,
    run_workflow_on_demand,
    draft_lifecycle_workflow,
}
