//! Usage and insight reports: the authentication methods registration report
//! (`userRegistrationDetails`), one row per enabled user. Graph serves no `/$count` on it; its
//! summary functions (`usersRegisteredByMethod`, `usersRegisteredByFeature`) are routes of
//! their own.

use crate::demo::tenant::{Collection, Tenant};

use super::super::schema;
use super::{EntitySet, READ_ONLY, Source, field};

pub static SETS: &[EntitySet] = &[EntitySet {
    path: "reports/authenticationMethods/userRegistrationDetails",
    spec: &schema::USER_REGISTRATION_DETAILS,
    source: field!(user_registration_details),
    lookup: None,
    count_segment: false,
    navigations: &[],
    actions: &[],
    writes: READ_ONLY,
}];
