//! The audit logs: sign-ins and directory audits (rendered on demand from compact records) and
//! provisioning events. Graph serves no `/$count` on them and takes no writes, but for an
//! admin's verdict on sign-ins (`signIns/confirmSafe`, `signIns/confirmCompromised`, with
//! `requestIds`), kept as a patch over the sign-in's record and answered with 204. A sign-in
//! confirmed compromised makes its user high risk; ids that name no sign-in are passed over.

use std::sync::Arc;

use serde_json::Value;

use crate::demo::tenant::{RecordLog, Tenant, provisioning};

use super::super::errors::GraphResult;
use super::super::schema;
use super::identity_protection::{
    RiskChange, SIGN_IN_COMPROMISED, change_user_risk, settle_detections, sign_in_verdict,
};
use super::{Action, CollectionCall, EntitySet, READ_ONLY, Run, Source};

/// The most request ids one verdict takes.
const MAX_SIGN_INS: usize = 60;

pub static SETS: &[EntitySet] = &[
    EntitySet {
        path: "auditLogs/signIns",
        spec: &schema::SIGN_INS,
        source: Source::Log(sign_ins),
        lookup: None,
        count_segment: false,
        navigations: &[],
        actions: &[
            Action {
                name: "confirmSafe",
                run: Run::OnCollection { ids: "requestIds", max: MAX_SIGN_INS, apply: confirm_sign_ins_safe },
            },
            Action {
                name: "confirmCompromised",
                run: Run::OnCollection { ids: "requestIds", max: MAX_SIGN_INS, apply: confirm_sign_ins_compromised },
            },
        ],
        writes: READ_ONLY,
    },
    EntitySet {
        path: "auditLogs/directoryAudits",
        spec: &schema::DIRECTORY_AUDITS,
        source: Source::Log(directory_audits),
        lookup: None,
        count_segment: false,
        navigations: &[],
        actions: &[],
        writes: READ_ONLY,
    },
    EntitySet {
        path: "auditLogs/provisioning",
        spec: &schema::PROVISIONING,
        source: Source::Generated(provisioning::provisioning_events),
        lookup: None,
        count_segment: false,
        navigations: &[],
        actions: &[],
        writes: READ_ONLY,
    },
];

fn sign_ins(tenant: &Tenant) -> &RecordLog {
    &tenant.sign_ins
}

fn directory_audits(tenant: &Tenant) -> &RecordLog {
    &tenant.directory_audits
}

const SIGN_IN_SAFE: RiskChange = RiskChange {
    level: "none",
    state: "confirmedSafe",
    detail: "adminConfirmedSigninSafe",
    create: false,
    admin_detection: None,
};

fn confirm_sign_ins_safe(tenant: &mut Tenant, call: &CollectionCall) -> GraphResult<()> {
    for id in &call.ids {
        if Arc::make_mut(&mut tenant.sign_ins).patch(id, sign_in_verdict("confirmedSafe", SIGN_IN_SAFE.detail, false)) {
            settle_detections(Arc::make_mut(&mut tenant.risk_detections), "requestId", id, SIGN_IN_SAFE, &call.at);
        }
    }
    Ok(())
}

fn confirm_sign_ins_compromised(tenant: &mut Tenant, call: &CollectionCall) -> GraphResult<()> {
    for id in &call.ids {
        let verdict = sign_in_verdict("confirmedCompromised", SIGN_IN_COMPROMISED.detail, true);
        if !Arc::make_mut(&mut tenant.sign_ins).patch(id, verdict) {
            continue;
        }
        settle_detections(Arc::make_mut(&mut tenant.risk_detections), "requestId", id, SIGN_IN_COMPROMISED, &call.at);
        let user = tenant
            .sign_ins
            .get(id)
            .and_then(|item| item.partial(&["userId"]).get("userId").and_then(Value::as_str).map(str::to_string));
        if let Some(user) = user {
            change_user_risk(tenant, &user, SIGN_IN_COMPROMISED, call);
        }
    }
    Ok(())
}
