//! The `roles` toolset: directory roles and Privileged Identity Management — a role's
//! activation rules, the caller's own requests, just-in-time self-activation of a role or of
//! PIM for Groups access (and ending or withdrawing it), and the least-privileged role for a
//! task.

mod pim;
mod tasks;

crate::toolset! {
    get_role_activation_rules,
    list_my_role_requests,
    recommend_role_for_task,
    activate_my_role,
    deactivate_my_role,
    cancel_my_role_request,
    activate_my_group_access,
}
