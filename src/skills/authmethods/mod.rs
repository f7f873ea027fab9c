//! The `authmethods` toolset: the tenant's authentication methods policy, users' MFA
//! registration from the registration report, and legacy per-user MFA (beta).

mod registration;

crate::toolset! {
    get_auth_methods_policy,
    get_user_mfa_registration,
    query_mfa_registration,
    get_user_mfa_state,
}
