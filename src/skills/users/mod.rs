//! The `users` toolset: who a user is, how to find users, their groups, devices and sign-in
//! methods, and the incident-response writes on an account.

crate::toolset! {
    get_user,
    search_users,
    get_user_memberships,
    get_user_devices,
    list_user_auth_methods,
    get_user_access_summary,
    revoke_user_sessions,
    set_user_account_enabled,
}
