//! The `users` toolset: who a user is, how to find and count users, the caller, managers and
//! reports, their groups, devices, sign-in methods and licences, deleted users, and the
//! incident-response writes on an account.

mod licences;

crate::toolset! {
    get_user,
    search_users,
    get_user_memberships,
    get_user_devices,
    list_user_auth_methods,
    get_user_access_summary,
    revoke_user_sessions,
    set_user_account_enabled,
    get_me,
    count_users,
    get_user_manager,
    get_user_reports,
    get_user_licenses,
    list_users_with_license,
    list_deleted_users,
}
