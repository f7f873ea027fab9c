//! The `governance` toolset: Microsoft Entra ID Governance — access reviews, entitlement
//! management and lifecycle workflows (joiner, mover, leaver: their definitions, versions, runs
//! and insights, on-demand runs, and drafting a new one from intent).

// Access reviews: series, instances, reviewers and decisions; recording decisions, stopping
// and applying reviews.
mod reviews_model;
// Entitlement management: helpers.
mod entitlement_model;
mod entitlement_policy;
// Lifecycle workflows: what they read of Graph and how they say it, and task words matched
// to built-in tasks.
mod workflow_match;
mod workflow_model;

crate::toolset! {
    // Access reviews.
    list_access_reviews,
    get_access_review,
    list_review_reviewers,
    list_review_decisions,
    analyze_review_decisions,
    record_review_decision,
    stop_or_apply_review,
    // Entitlement management.
    list_catalogs,
    get_catalog_resources,
    list_access_packages,
    get_access_package,
    list_user_access_package_assignments,
    get_connected_organization,
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
