//! Microsoft Entra Health as the posture skills read it (Graph beta): health monitoring alerts
//! (`/reports/healthMonitoring/alerts`) and the service activity signals behind them
//! (`/reports/serviceActivity/getMetricsFor…`), with their enumerations in snake_case.

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Map, Value};

pub const ALERTS: &str = "/reports/healthMonitoring/alerts";

/// A health monitoring `alert` (the fields the skills read).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Alert {
    pub id: String,
    pub alert_type: Option<String>,
    pub scenario: Option<String>,
    pub category: Option<String>,
    pub created_date_time: Option<String>,
    pub state: Option<String>,
    pub enrichment: Option<Enrichment>,
    pub signals: Option<Map<String, Value>>,
    pub documentation: Option<Map<String, Value>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Enrichment {
    pub state: Option<String>,
    pub impacts: Vec<Impact>,
    pub supporting_data: Option<Map<String, Value>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Impact {
    pub resource_type: Option<String>,
    pub impacted_count: Option<u64>,
    pub impacted_count_limit_exceeded: Option<bool>,
}

impl Alert {
    /// How many objects of this kind (`user`, `application`) the alert impacted.
    pub fn impacted(&self, kind: &str) -> Option<u64> {
        self.enrichment
            .as_ref()?
            .impacts
            .iter()
            .filter(|i| i.resource_type.as_deref().is_some_and(|t| t.eq_ignore_ascii_case(kind)))
            .filter_map(|i| i.impacted_count)
            .reduce(|a, b| a + b)
    }

    /// The alert type in an admin's words.
    pub fn what(&self) -> String {
        match self.alert_type.as_deref() {
            Some("mfaSignInFailure") => "MFA sign-in failures".into(),
            Some("managedDeviceSignInFailure") => "managed-device sign-in failures".into(),
            Some("compliantDeviceSignInFailure") => "compliant-device sign-in failures".into(),
            Some("conditionalAccessBlockedSignIn") => "sign-ins blocked by Conditional Access".into(),
            Some("samlSignInFailure") => "SAML sign-in failures".into(),
            Some(other) => super::recommendation_model::words(other),
            None => "unknown".into(),
        }
    }

    /// The signal whose series shows what raised the alert.
    pub fn signal(&self) -> Option<Signal> {
        match self.alert_type.as_deref()? {
            "mfaSignInFailure" => Some(Signal::MfaSignInFailure),
            "managedDeviceSignInFailure" => Some(Signal::ManagedDeviceSignIn),
            "compliantDeviceSignInFailure" => Some(Signal::CompliantDeviceSignIn),
            "samlSignInFailure" => Some(Signal::SamlSignIn),
            _ => None,
        }
    }

    /// The window of the signal behind the alert, as its link gives it: (start, end).
    pub fn window(&self) -> Option<(String, String)> {
        self.signals.as_ref()?.values().filter_map(Value::as_str).find_map(|link| {
            let value = |name: &str| {
                let rest = &link[link.find(name)? + name.len()..];
                let end = rest.find([',', ')', '&']).unwrap_or(rest.len());
                Some(rest[..end].trim().trim_matches('\'').to_string())
            };
            Some((value("inclusiveIntervalStartDateTime=")?, value("exclusiveIntervalEndDateTime=")?))
        })
    }
}

/// An alert's lifecycle state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AlertState {
    Active,
    Resolved,
}

impl AlertState {
    pub fn graph(self) -> &'static str {
        match self {
            AlertState::Active => "active",
            AlertState::Resolved => "resolved",
        }
    }
}

/// The area an alert monitors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Scenario {
    Mfa,
    Devices,
    ConditionalAccess,
    Saml,
}

impl Scenario {
    pub fn graph(self) -> &'static str {
        match self {
            Scenario::Mfa => "mfa",
            Scenario::Devices => "devices",
            Scenario::ConditionalAccess => "conditionalAccess",
            Scenario::Saml => "saml",
        }
    }
}

/// A health signal: the series `serviceActivity` serves for one sign-in scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Signal {
    /// Interactive MFA sign-ins users failed to complete.
    MfaSignInFailure,
    /// Interactive MFA sign-ins completed.
    MfaSignInSuccess,
    /// Sign-ins that satisfied a Conditional Access policy requiring a managed (hybrid-joined) device.
    ManagedDeviceSignIn,
    /// Sign-ins that satisfied a Conditional Access policy requiring a compliant device.
    CompliantDeviceSignIn,
    /// SAML 2.0 sign-ins processed.
    SamlSignIn,
}

impl Signal {
    pub fn function(self) -> &'static str {
        match self {
            Signal::MfaSignInFailure => "getMetricsForMfaSignInFailure",
            Signal::MfaSignInSuccess => "getMetricsForMfaSignInSuccess",
            Signal::ManagedDeviceSignIn => "getMetricsForConditionalAccessManagedDevicesSignInSuccess",
            Signal::CompliantDeviceSignIn => "getMetricsForConditionalAccessCompliantDevicesSignInSuccess",
            Signal::SamlSignIn => "getMetricsForSamlSignInSuccess",
        }
    }

    /// The argument's value (`mfa_sign_in_failure`).
    pub fn name(self) -> &'static str {
        match self {
            Signal::MfaSignInFailure => "mfa_sign_in_failure",
            Signal::MfaSignInSuccess => "mfa_sign_in_success",
            Signal::ManagedDeviceSignIn => "managed_device_sign_in",
            Signal::CompliantDeviceSignIn => "compliant_device_sign_in",
            Signal::SamlSignIn => "saml_sign_in",
        }
    }

    pub fn words(self) -> &'static str {
        match self {
            Signal::MfaSignInFailure => "failed MFA sign-ins",
            Signal::MfaSignInSuccess => "completed MFA sign-ins",
            Signal::ManagedDeviceSignIn => "sign-ins satisfying a managed-device policy",
            Signal::CompliantDeviceSignIn => "sign-ins satisfying a compliant-device policy",
            Signal::SamlSignIn => "SAML sign-ins",
        }
    }

    /// A failure count: trouble shows as a spike; in the others (successes), as a dip.
    pub fn counts_failures(self) -> bool {
        self == Signal::MfaSignInFailure
    }
}
