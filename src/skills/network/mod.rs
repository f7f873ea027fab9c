//! The `network` toolset (beta): Global Secure Access — a user's traffic and what was blocked,
//! usage reports (top users by volume, top cloud apps), and threats, alerts and cross-tenant
//! access. Every skill needs Microsoft Entra Internet Access or Private Access.

mod gsa;

crate::toolset! {
    query_gsa_traffic,
    get_gsa_usage_reports,
    get_gsa_threats_and_cross_tenant,
}
