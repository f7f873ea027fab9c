//! The `groups` toolset: one group's facts, its members by type, direct or nested, and its
//! owners; groups by name, kind and state, ownerless, deleted and counted per kind; whether a
//! user is in a group; and adding and removing members.

mod fields;
mod membership;

crate::toolset! {
    get_group,
    list_group_members,
    search_groups,
    check_group_membership,
    get_group_owners,
    find_ownerless_groups,
    count_groups_by_type,
    get_group_roles,
    list_deleted_groups,
    add_group_members,
    remove_group_members,
}
