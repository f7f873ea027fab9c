//! The `governance` toolset: entitlement management (catalogs with their resources and
//! Logic App extensions, access packages with what they grant and who may request them, a
//! user's assignments and requests, connected organizations with their sponsors and users).

// Entitlement management: helpers.
mod entitlement_model;
mod entitlement_policy;

crate::toolset! {
    // Entitlement management.
    list_catalogs,
    get_catalog_resources,
    list_access_packages,
    get_access_package,
    list_user_access_package_assignments,
    get_connected_organization,
}
