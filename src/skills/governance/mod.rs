//! The `governance` toolset: access reviews, entitlement management and lifecycle workflows.

// Access reviews: series, instances, reviewers and decisions; recording decisions, stopping
// and applying reviews.
mod reviews_model;
// Entitlement management: helpers.
mod entitlement_model;
mod entitlement_policy;

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
}
