//! The `governance` toolset: access reviews, entitlement management and lifecycle workflows.

// Access reviews: series, instances, reviewers and decisions; recording decisions, stopping
// and applying reviews.
mod reviews_model;

crate::toolset! {
    // Access reviews.
    list_access_reviews,
    get_access_review,
    list_review_reviewers,
    list_review_decisions,
    analyze_review_decisions,
    record_review_decision,
    stop_or_apply_review,
}
