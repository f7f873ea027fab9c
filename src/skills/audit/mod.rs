//! The `audit` toolset: directory audit logs.

crate::toolset! {
    list_directory_audits,
}
