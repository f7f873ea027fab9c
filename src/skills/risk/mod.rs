//! The `risk` toolset: risky users, one user's risk in full, and risk detections.

mod detections;

crate::toolset! {
    list_risky_users,
    get_risky_user,
    list_risk_detections,
    summarize_user_risk,
}
