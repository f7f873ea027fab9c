//! The `apps` toolset: enterprise apps (service principals) and app registrations, their
//! owners and credentials, what they hold (delegated grants, application permissions,
//! directory roles) and how risky that is, apps from other tenants, unused and ownerless apps.
//! The permission tiers live in `tiers.rs`, read by every skill here that tiers.

mod access;
mod credentials;
mod model;
mod tiers;

crate::toolset! {
    get_service_principal,
    get_application,
    list_app_owners,
    get_app_permissions,
    analyze_app_permission_risk,
    list_external_apps,
    list_unused_apps,
    list_expiring_app_credentials,
    list_ownerless_apps,
}
