//! Conditional Access policies and named locations. Graph serves no `/$count` on them; both
//! are created, updated and deleted through Graph. What-If (`evaluate`) is a route of its own.

use crate::demo::tenant::{Collection, Tenant};

use super::super::schema::{self, Words};
use super::{EntitySet, READ_WRITE, Source, Writes, field};

/// Conditional Access stamps both times itself.
const POLICY_WRITES: Writes = Writes {
    read_only: Words("id createdDateTime modifiedDateTime"),
    created_stamps: Words("createdDateTime modifiedDateTime"),
    updated_stamps: Words("modifiedDateTime"),
    ..READ_WRITE
};

pub static SETS: &[EntitySet] = &[
    EntitySet {
        path: "identity/conditionalAccess/policies",
        spec: &schema::CA_POLICIES,
        source: field!(conditional_access_policies),
        lookup: None,
        count_segment: false,
        navigations: &[],
        actions: &[],
        writes: Writes { required: Words("displayName conditions"), merged: Words("conditions"), ..POLICY_WRITES },
    },
    EntitySet {
        path: "identity/conditionalAccess/namedLocations",
        spec: &schema::NAMED_LOCATIONS,
        source: field!(named_locations),
        lookup: None,
        count_segment: false,
        navigations: &[],
        actions: &[],
        writes: Writes { required: Words("displayName"), ..POLICY_WRITES },
    },
];
