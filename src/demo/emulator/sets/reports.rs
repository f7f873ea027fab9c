//! Usage and insight reports: the authentication methods registration report
//! (`userRegistrationDetails`, one row per enabled user) and the beta service principal sign-in
//! activity report (each app's last sign-in as a client or a resource, delegated or app-only).
//! Graph serves no `/$count` on them; the registration report's summary functions
//! (`usersRegisteredByMethod`, `usersRegisteredByFeature`) are routes of their own.

use crate::demo::tenant::{Collection, Tenant, apps};

use super::super::schema::{self, Spec, Words};
use super::{EntitySet, READ_ONLY, Source, field};

pub static SETS: &[EntitySet] = &[
    EntitySet {
        path: "reports/authenticationMethods/userRegistrationDetails",
        spec: &schema::USER_REGISTRATION_DETAILS,
        source: field!(user_registration_details),
        lookup: None,
        count_segment: false,
        navigations: &[],
        actions: &[],
        writes: READ_ONLY,
    },
    EntitySet {
        path: "reports/servicePrincipalSignInActivities",
        spec: &Spec {
            type_name: "microsoft.graph.servicePrincipalSignInActivity",
            entity_set: "reports/servicePrincipalSignInActivities",
            directory: false,
            properties: Words(
                "id appId lastSignInActivity delegatedClientSignInActivity delegatedResourceSignInActivity \
                 applicationAuthenticationClientSignInActivity applicationAuthenticationResourceSignInActivity",
            ),
            default_properties: None,
            // Graph documents filtering by appId only.
            filterable: Words("appId"),
            orderable: Words(""),
            searchable: Words(""),
            expandable: Words(""),
            max_top: 999,
        },
        source: Source::Generated(apps::service_principal_sign_in_activities),
        lookup: None,
        count_segment: false,
        navigations: &[],
        actions: &[],
        writes: READ_ONLY,
    },
];
