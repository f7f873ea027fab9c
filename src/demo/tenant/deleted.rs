//! Deleted directory objects still restorable from the recycle bin (`/directory/deletedItems`):
//! two users removed in the last month and Project Phoenix, the group Elena deleted nine days
//! ago (its audit entry is in `audits.rs`).

use serde_json::{Value, json};

use super::DOMAIN;
use super::clock::Clock;
use super::groups::{self, DELETED_GROUP, Group, GroupKind};
use super::ids;

/// Deleted users: display name, mail nickname, department, days since deletion.
pub(super) const DELETED_USERS: &[(&str, &str, &str, i64)] =
    &[("Chris Palmer", "chris.palmer", "Sales", 12), ("Megan Flores", "megan.flores", "Marketing", 25)];

/// Deleted users as Graph user resources with `deletedDateTime`.
pub fn deleted_users(clock: &Clock) -> Vec<Value> {
    DELETED_USERS
        .iter()
        .map(|&(name, handle, department, days)| {
            // Entra prefixes a deleted user's UPN with the object id so the name can be reused.
            let id = ids::object_id("deletedUser", handle);
            let compact_id = id.replace('-', "");
            let (given, surname) = name.split_once(' ').unwrap_or((name, ""));
            json!({
                "id": id,
                "displayName": name,
                "givenName": given,
                "surname": surname,
                "userPrincipalName": format!("{compact_id}{handle}@{DOMAIN}"),
                "mail": format!("{handle}@{DOMAIN}"),
                "accountEnabled": false,
                "userType": "Member",
                "department": department,
                "jobTitle": "Account Executive",
                "createdDateTime": clock.days_ago(days + 400),
                "deletedDateTime": clock.days_ago(days),
                "businessPhones": [],
                "assignedLicenses": [],
            })
        })
        .collect()
}

/// The deleted group, with `deletedDateTime`.
pub fn deleted_groups(clock: &Clock) -> Vec<Value> {
    let phoenix = Group::new(DELETED_GROUP, "Branch modernisation pilot", GroupKind::Unified, 300);
    let mut value = groups::to_json(&phoenix, clock);
    if let Value::Object(map) = &mut value {
        map.insert("deletedDateTime".into(), clock.days_ago(9).into());
    }
    vec![value]
}
