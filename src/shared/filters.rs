//! The fields the model may name in the optional `filter` of the log skills: one list per log,
//! read by the skills and by the property tests that hold them to it.

/// The fields the model may use in `list_sign_ins`' `filter`.
pub const SIGN_IN_FILTER_FIELDS: &[&str] = &[
    "appDisplayName",
    "userPrincipalName",
    "status/errorCode",
    "ipAddress",
    "clientAppUsed",
    "conditionalAccessStatus",
    "location/city",
    "location/countryOrRegion",
    "deviceDetail/operatingSystem",
    "deviceDetail/browser",
    "riskLevelDuringSignIn",
];

/// The fields the model may use in `list_directory_audits`' `filter`.
pub const AUDIT_FILTER_FIELDS: &[&str] = &[
    "activityDisplayName",
    "category",
    "loggedByService",
    "result",
    "operationType",
    "initiatedBy/user/userPrincipalName",
    "initiatedBy/app/displayName",
];

/// The fields the model may use in `list_provisioning_events`' `filter`.
pub const PROVISIONING_FILTER_FIELDS: &[&str] = &[
    "provisioningAction",
    "provisioningStatusInfo/status",
    "servicePrincipal/displayName",
    "sourceIdentity/displayName",
    "targetIdentity/displayName",
    "sourceSystem/displayName",
    "targetSystem/displayName",
    "jobId",
    "cycleId",
];
