//! The `posture` toolset: the tenant's posture — Entra recommendations and their impacted
//! objects, health monitoring alerts and the signals behind them, authentication SLA
//! attainment and premium licence use (Graph beta).

mod health_model;
mod recommendation_model;

crate::toolset! {
    list_recommendations,
    get_recommendation,
    list_recommendation_resources,
    update_recommendation_status,
    list_health_alerts,
    get_health_alert,
    get_health_signal_metrics,
    update_health_alert,
    get_sla_attainment,
    get_premium_license_utilization,
}
