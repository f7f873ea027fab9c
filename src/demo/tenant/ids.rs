//! Stable object ids for the demo tenant.
//!
//! Every id is a UUIDv5 of the object's kind and a natural name (a UPN, a display name, a story
//! handle), so the same object keeps the same id across runs, seeds and scales: tests, docs and
//! saved transcripts can name Karita or CA004 by id.

use uuid::Uuid;

/// The namespace all demo ids live in; changing it changes every id.
const NAMESPACE: Uuid = Uuid::from_u128(0x7c1e_52a0_3b9d_4f6e_9a41_d0b7_e58c_2f13);

/// The id of an object of `kind` (`user`, `group`, `conditionalAccessPolicy`, …) named `name`.
pub fn object_id(kind: &str, name: &str) -> String {
    let mut key = String::with_capacity(kind.len() + name.len() + 1);
    key.push_str(kind);
    key.push(':');
    key.push_str(name);
    Uuid::new_v5(&NAMESPACE, key.as_bytes()).to_string()
}

/// Woodgrove Bank's tenant id.
pub fn tenant_id() -> String {
    object_id("tenant", super::DOMAIN)
}

/// The tenant id of Fabrikam Partners, the guests' home tenant and the publisher of an external app.
pub fn fabrikam_tenant_id() -> String {
    object_id("tenant", super::GUEST_DOMAIN)
}

/// A user's object id, from the user principal name (case-insensitive, as in Entra).
pub fn user_id(upn: &str) -> String {
    object_id("user", &upn.to_ascii_lowercase())
}

/// A group's object id, from its display name.
pub fn group_id(display_name: &str) -> String {
    object_id("group", display_name)
}

/// A device's object id, from its display name.
pub fn device_id(display_name: &str) -> String {
    object_id("device", display_name)
}

/// The id of the Conditional Access policy with this short code (`CA004`).
pub fn ca_policy_id(code: &str) -> String {
    object_id("conditionalAccessPolicy", code)
}

/// The id of a named location, from its display name.
pub fn named_location_id(display_name: &str) -> String {
    object_id("namedLocation", display_name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_stable_and_case_insensitive_for_upns() {
        assert_eq!(user_id("Karita@WoodgroveBank.com"), user_id("karita@woodgrovebank.com"));
        assert_ne!(user_id("karita@woodgrovebank.com"), group_id("karita@woodgrovebank.com"));
        assert!(Uuid::parse_str(&tenant_id()).is_ok());
    }
}
