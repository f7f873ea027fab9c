//! The `groups` toolset: one group's facts, and its members by type, direct or nested.

mod fields;

crate::toolset! {
    get_group,
    list_group_members,
    get_group_roles,
}
