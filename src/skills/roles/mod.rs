//! The `roles` toolset: directory roles and Privileged Identity Management — role definitions,
//! who holds a role directly, through a group or as a PIM eligibility, what is active now and
//! what is scheduled to start or end, what the caller may activate, and PIM for Groups. The
//! `role` and principal arguments every list takes are resolved once, in `targets.rs`.

mod targets;

crate::toolset! {
    get_role_definition,
    list_role_assignments,
    list_transitive_role_assignments,
    list_eligible_roles,
    list_active_roles,
    list_scheduled_roles,
    list_my_eligible_roles,
    list_group_pim_eligibilities,
}
