//! The `posture` toolset: the tenant's security posture — the tenant and its user settings,
//! domains, licences, Secure Score, service health and where its logs go (v1.0, and Azure
//! Resource Manager for the diagnostic settings).

// Tenant, domains, licences, Secure Score, service health, diagnostic settings (v1.0 and ARM):
// Graph's HTML texts as plain text.
mod html_text;

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
}
