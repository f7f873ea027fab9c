//! The `posture` toolset: the tenant's security posture — the tenant and its user settings,
//! domains, licences, Secure Score, service health and where its logs go (v1.0, and Azure
//! Resource Manager for the diagnostic settings); Entra recommendations and their impacted
//! objects, health monitoring alerts and the signals behind them, authentication SLA
//! attainment and premium licence use (Graph beta).

mod health_model;
// Graph's HTML texts as plain text.
mod html_text;
mod recommendation_model;

crate::toolset! {
    // Tenant, domains, licences, Secure Score, service health, diagnostic settings (v1.0 and ARM).
    get_tenant_info,
    get_tenant_user_settings,
    list_domains,
    get_domain_verification_records,
    list_subscribed_skus,
    get_secure_score,
    get_service_health,
    get_entra_diagnostic_settings,
    // Recommendations, health monitoring, SLA, premium licence use (beta).
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
