//! Microsoft Entra Health (Graph beta): health monitoring alerts, the service activity signals
//! behind them, and the monthly authentication SLA attainment.
//!
//! - An active `mfaSignInFailure` alert raised 11 hours ago: MFA failures spiked from about
//!   12h10 to 11h20 before now (the hour of Karita's declined MFA prompt), 6 users and 2 apps
//!   impacted. The `getMetricsForMfaSignInFailure` series shows the same spike.
//! - A resolved `compliantDeviceSignInFailure` alert from 9 days ago: sign-ins satisfying a
//!   compliant-device policy stopped for an hour while the device compliance service lagged;
//!   the compliant-device series shows the dip.
//! - SLA: twelve complete months, one (four months ago) below 99.99 %.
//!
//! The series are computed, not stored: each 5-minute slot's value derives from its own start
//! time (so any window and any aggregation interval agree with each other) and from the anchor
//! (so the spike stays "12 hours ago").

use chrono::{DateTime, Datelike, Duration, NaiveDate, Timelike, Utc};
use serde_json::{Value, json};

use super::{Generation, ids};

/// The signals Entra Health serves through `reports/serviceActivity`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    MfaSignInFailure,
    MfaSignInSuccess,
    ManagedDevicesSignInSuccess,
    CompliantDevicesSignInSuccess,
    SamlSignInSuccess,
}

impl Metric {
    pub const ALL: [Metric; 5] = [
        Metric::MfaSignInFailure,
        Metric::MfaSignInSuccess,
        Metric::ManagedDevicesSignInSuccess,
        Metric::CompliantDevicesSignInSuccess,
        Metric::SamlSignInSuccess,
    ];

    /// The `serviceActivity` function that serves it.
    pub fn function(self) -> &'static str {
        match self {
            Metric::MfaSignInFailure => "getMetricsForMfaSignInFailure",
            Metric::MfaSignInSuccess => "getMetricsForMfaSignInSuccess",
            Metric::ManagedDevicesSignInSuccess => "getMetricsForConditionalAccessManagedDevicesSignInSuccess",
            Metric::CompliantDevicesSignInSuccess => "getMetricsForConditionalAccessCompliantDevicesSignInSuccess",
            Metric::SamlSignInSuccess => "getMetricsForSamlSignInSuccess",
        }
    }

    pub fn by_function(name: &str) -> Option<Metric> {
        Metric::ALL.into_iter().find(|m| m.function() == name)
    }

    /// A usual 5-minute count during working hours, and a salt for its noise.
    fn baseline(self) -> (i64, u64) {
        match self {
            Metric::MfaSignInFailure => (2, 11),
            Metric::MfaSignInSuccess => (40, 23),
            Metric::ManagedDevicesSignInSuccess => (18, 37),
            Metric::CompliantDevicesSignInSuccess => (30, 41),
            Metric::SamlSignInSuccess => (12, 53),
        }
    }
}

/// The MFA failure spike: from this long before the anchor, for this long.
const MFA_SPIKE_START: Duration = Duration::minutes(12 * 60 + 10);
const MFA_SPIKE_LENGTH: Duration = Duration::minutes(50);
/// The compliant-device dip of the resolved alert: nine days ago, for an hour.
const DEVICE_DIP_START: Duration = Duration::hours(9 * 24 + 2);
const DEVICE_DIP_LENGTH: Duration = Duration::minutes(60);

/// One 5-minute slot.
pub const SLOT_MINUTES: i64 = 5;

fn mix(mut x: u64) -> u64 {
    // splitmix64: a stable, well-spread hash of the slot number.
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// The count of one 5-minute slot starting at `start`.
pub fn slot_value(metric: Metric, start: DateTime<Utc>, anchor: DateTime<Utc>) -> i64 {
    let (base, salt) = metric.baseline();
    let slot = start.timestamp().div_euclid(SLOT_MINUTES * 60) as u64;
    let noise = mix(slot ^ salt.wrapping_mul(0x1000_0001)) % 100;
    // Busy from 07:00 to 19:00 UTC, quiet at night and at weekends.
    let hour = start.hour();
    let weekend = start.weekday().number_from_monday() >= 6;
    let level = match (weekend, hour) {
        (true, _) => 0.25,
        (false, 7..=18) => 1.0,
        (false, 6 | 19 | 20) => 0.5,
        _ => 0.15,
    };
    let mut value = (base as f64 * level * (0.7 + noise as f64 / 166.0)).round() as i64;
    let within = |from: Duration, length: Duration| start >= anchor - from && start < anchor - from + length;
    match metric {
        Metric::MfaSignInFailure if within(MFA_SPIKE_START, MFA_SPIKE_LENGTH) => value += 24 + (noise as i64 % 17),
        Metric::CompliantDevicesSignInSuccess if within(DEVICE_DIP_START, DEVICE_DIP_LENGTH) => value = 0,
        _ => {}
    }
    value.max(0)
}

/// Health monitoring `alert` resources.
pub fn alerts(g: &Generation<'_>) -> Vec<Value> {
    let clock = g.clock;
    let at = |ago: Duration| clock.at(-ago);
    let signal = |metric: Metric, from: Duration, to: Duration| {
        format!(
            "https://graph.microsoft.com/beta/reports/serviceActivity/{}(inclusiveIntervalStartDateTime={}, exclusiveIntervalEndDateTime={}, aggregationIntervalInMinutes=5)",
            metric.function(),
            at(from),
            at(to)
        )
    };
    let sign_ins = |codes: &str, from: Duration, to: Duration| {
        format!(
            "https://graph.microsoft.com/beta/auditLogs/signIns?$filter=({codes} and createdDateTime gt {} and createdDateTime le {} and (signInEventTypes/any(t:t eq 'interactiveUser' or t eq 'noninteractiveUser')))",
            at(from),
            at(to)
        )
    };
    let audits = |from: Duration, to: Duration| {
        format!(
            "https://graph.microsoft.com/beta/auditLogs/directoryaudits?$filter=(activityDateTime ge {} and activityDateTime le {})&$top=50&$orderby=activityDateTime desc",
            at(from),
            at(to)
        )
    };
    let mfa_end = MFA_SPIKE_START - MFA_SPIKE_LENGTH;
    let dip_end = DEVICE_DIP_START - DEVICE_DIP_LENGTH;
    vec![
        json!({
            "id": ids::object_id("healthMonitoringAlert", "mfa-sign-in-failure"),
            "alertType": "mfaSignInFailure",
            "scenario": "mfa",
            "category": "authentication",
            "createdDateTime": at(Duration::hours(11)),
            "state": "active",
            "enrichment": {
                "state": "enriched",
                "impacts": [
                    {
                        "@odata.type": "#microsoft.graph.healthMonitoring.userImpactSummary",
                        "resourceType": "user",
                        "impactedCount": 6,
                        "impactedCountLimitExceeded": false,
                    },
                    {
                        "@odata.type": "#microsoft.graph.healthMonitoring.applicationImpactSummary",
                        "resourceType": "application",
                        "impactedCount": 2,
                        "impactedCountLimitExceeded": false,
                    },
                ],
                "supportingData": {
                    "signInRecords": sign_ins("(status/errorCode eq 500121 or status/errorCode eq 50074)", MFA_SPIKE_START, mfa_end),
                    "auditRecords": audits(MFA_SPIKE_START, mfa_end),
                },
            },
            "signals": {
                "mfaSignInFailure": signal(Metric::MfaSignInFailure, MFA_SPIKE_START, mfa_end),
            },
            "documentation": {
                "mfaAlertTroubleshootingGuide": "https://learn.microsoft.com/entra/identity/monitoring-health/scenario-health-sign-ins-mfa",
            },
        }),
        json!({
            "id": ids::object_id("healthMonitoringAlert", "compliant-device-sign-in-failure"),
            "alertType": "compliantDeviceSignInFailure",
            "scenario": "devices",
            "category": "authentication",
            "createdDateTime": at(DEVICE_DIP_START - Duration::minutes(40)),
            "state": "resolved",
            "enrichment": {
                "state": "enriched",
                "impacts": [
                    {
                        "@odata.type": "#microsoft.graph.healthMonitoring.userImpactSummary",
                        "resourceType": "user",
                        "impactedCount": 14,
                        "impactedCountLimitExceeded": false,
                    },
                    {
                        "@odata.type": "#microsoft.graph.healthMonitoring.applicationImpactSummary",
                        "resourceType": "application",
                        "impactedCount": 1,
                        "impactedCountLimitExceeded": false,
                    },
                ],
                "supportingData": {
                    "signInRecords": sign_ins("(status/errorCode eq 53000)", DEVICE_DIP_START, dip_end),
                    "auditRecords": audits(DEVICE_DIP_START, dip_end),
                },
            },
            "signals": {
                "compliantDeviceSignInSuccess": signal(Metric::CompliantDevicesSignInSuccess, DEVICE_DIP_START, dip_end),
            },
            "documentation": {
                "compliantDeviceAlertTroubleshootingGuide": "https://learn.microsoft.com/entra/identity/monitoring-health/scenario-health-sign-ins-compliant-managed-device",
            },
        }),
    ]
}

/// `azureADAuthentication`: attainment for the twelve complete months before the anchor, newest
/// first; four months ago fell below the target.
pub fn sla_attainment(anchor: DateTime<Utc>) -> Value {
    let first_of_month = |year: i32, month: u32| NaiveDate::from_ymd_opt(year, month, 1);
    let (mut year, mut month) = (anchor.year(), anchor.month());
    let mut attainments = Vec::new();
    for back in 1..=12u32 {
        if month == 1 {
            year -= 1;
            month = 12;
        } else {
            month -= 1;
        }
        let Some(start) = first_of_month(year, month) else { continue };
        let next = if month == 12 { first_of_month(year + 1, 1) } else { first_of_month(year, month + 1) };
        let Some(end) = next.and_then(|n| n.pred_opt()) else { continue };
        let score = match back {
            4 => 99.982,
            7 => 99.991,
            2 | 9 => 99.998,
            _ => 99.999,
        };
        attainments.push(json!({
            "startDate": start.format("%Y-%m-%d").to_string(),
            "endDate": end.format("%Y-%m-%d").to_string(),
            "score": score,
        }));
    }
    json!({
        "@odata.type": "#microsoft.graph.azureADAuthentication",
        "id": "azureADAuthentication",
        "attainments": attainments,
    })
}
