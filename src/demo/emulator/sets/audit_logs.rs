//! The audit logs: sign-ins and directory audits (rendered on demand from compact records) and
//! provisioning events. Graph serves no `/$count` on them and takes no writes.

use crate::demo::tenant::{RecordLog, Tenant, provisioning};

use super::super::schema;
use super::{EntitySet, READ_ONLY, Source};

pub static SETS: &[EntitySet] = &[
    EntitySet {
        path: "auditLogs/signIns",
        spec: &schema::SIGN_INS,
        source: Source::Log(sign_ins),
        lookup: None,
        count_segment: false,
        navigations: &[],
        actions: &[],
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
