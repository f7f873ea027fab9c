//! Identity Protection: risky users with their risk history, risk detections, and risky service
//! principals (workload identities). Graph serves
//! no `/$count` on them; their changes go through actions (dismiss, confirm compromised) the
//! emulator does not offer yet.

use serde_json::Value;

use crate::demo::tenant::{Collection, Tenant, apps};

use super::super::schema::{self, Spec, Words};
use super::{EntitySet, Navigation, READ_ONLY, Source, Target, field};

pub static SETS: &[EntitySet] = &[
    EntitySet {
        path: "identityProtection/riskyUsers",
        spec: &schema::RISKY_USERS,
        source: field!(risky_users),
        lookup: None,
        count_segment: false,
        navigations: &[Navigation {
            path: "history",
            target: Target::Contained { spec: &schema::RISKY_USER_HISTORY, rows: history },
        }],
        actions: &[],
        writes: READ_ONLY,
    },
    EntitySet {
        path: "identityProtection/riskDetections",
        spec: &schema::RISK_DETECTIONS,
        source: field!(risk_detections),
        lookup: None,
        count_segment: false,
        navigations: &[],
        actions: &[],
        writes: READ_ONLY,
    },
    EntitySet {
        path: "identityProtection/riskyServicePrincipals",
        spec: &Spec {
            type_name: "microsoft.graph.riskyServicePrincipal",
            entity_set: "identityProtection/riskyServicePrincipals",
            directory: false,
            properties: Words(
                "id appId displayName accountEnabled isEnabled isProcessing riskDetail \
                 riskLastUpdatedDateTime riskLevel riskState servicePrincipalType",
            ),
            default_properties: None,
            filterable: Words(
                "id appId displayName accountEnabled isEnabled isProcessing riskDetail \
                 riskLastUpdatedDateTime riskLevel riskState servicePrincipalType",
            ),
            orderable: Words("riskLastUpdatedDateTime riskLevel displayName"),
            searchable: Words(""),
            expandable: Words(""),
            max_top: 500,
        },
        source: Source::Generated(apps::risky_service_principals),
        lookup: None,
        count_segment: false,
        navigations: &[],
        actions: &[],
        writes: READ_ONLY,
    },
];

fn history<'t>(tenant: &'t Tenant, user_id: &str) -> &'t [Value] {
    tenant.risky_user_history.get(user_id).map(Vec::as_slice).unwrap_or(&[])
}
