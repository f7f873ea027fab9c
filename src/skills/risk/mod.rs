//! The `risk` toolset: risky users, one user's risk in full, and risk detections.

mod admins;
mod detections;
mod service_principals;
mod verdicts;

crate::toolset! {
    list_risky_users,
    get_risky_user,
    list_risk_detections,
    get_risky_user_history,
    summarize_user_risk,
    list_risky_service_principals,
    get_risky_service_principal,
    dismiss_user_risk,
    confirm_user_compromised,
    confirm_user_safe,
    triage_risky_service_principal,
}
