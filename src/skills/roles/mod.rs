//! The `roles` toolset: directory roles and Privileged Identity Management — role definitions,
//! who holds a role directly, through a group or as a PIM eligibility, what is active now and
//! what is scheduled to start or end, what the caller may activate, a role's activation rules,
//! the caller's own requests, just-in-time self-activation of a role or of PIM for Groups access
//! (and ending or withdrawing it), and the least-privileged role for a task. The `role` and
//! principal arguments every list takes are resolved once, in `targets.rs`.

mod pim;
mod targets;
mod tasks;

crate::toolset! {
    get_role_definition,
    list_role_assignments,
    list_transitive_role_assignments,
    list_eligible_roles,
    list_active_roles,
    list_scheduled_roles,
    list_my_eligible_roles,
    get_role_activation_rules,
    recommend_role_for_task,
    activate_my_role,
    deactivate_my_role,
    list_my_role_requests,
    cancel_my_role_request,
    list_group_pim_eligibilities,
    activate_my_group_access,
}
