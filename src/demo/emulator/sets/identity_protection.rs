//! Identity Protection: risky users with their risk history, and risk detections. Graph serves
//! no `/$count` on them; their changes go through actions (dismiss, confirm compromised) the
//! emulator does not offer yet.

use serde_json::Value;

use crate::demo::tenant::{Collection, Tenant};

use super::super::schema;
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
];

fn history<'t>(tenant: &'t Tenant, user_id: &str) -> &'t [Value] {
    tenant.risky_user_history.get(user_id).map(Vec::as_slice).unwrap_or(&[])
}
