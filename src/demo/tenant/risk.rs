//! Identity Protection: risky users, their risk history, and risk detections.
//!
//! Karita is high and at risk (history none → medium → high) with four detections in the last
//! 48 hours: the password spray (whose source also hit eight colleagues over IMAP, who each get
//! a low spray detection), the Tor address, atypical travel from Seattle to Amsterdam in two
//! hours, and unfamiliar sign-in properties. Around her: two medium users (one a guest), one
//! confirmed compromised, one remediated, one dismissed, one confirmed safe.
//!
//! Workload identities: Fabrikam Expense Sync is high and at risk (leaked credentials and
//! suspicious Graph traffic after suspicious sign-ins), Payroll Sync medium, and Legacy Reports
//! Portal's risk was dismissed.

use chrono::Duration;
use serde_json::{Value, json};

use super::apps;
use super::cast::Cast;
use super::clock::Clock;
use super::ids;
use super::people::Person;
use super::places::{self, Place};
use super::sign_ins::{SPRAY_VICTIMS, story_sign_in};

/// One detection before it becomes JSON.
struct Detection {
    key: String,
    handle: &'static str,
    event_type: &'static str,
    level: &'static str,
    state: &'static str,
    detail: &'static str,
    timing: &'static str,
    /// Hours before the anchor the risky activity happened.
    activity_hours_ago: i64,
    /// Hours the offline analysis took.
    detection_delay_hours: i64,
    ip: &'static str,
    place: Place,
    /// Key of the sign-in the detection is about.
    sign_in: Option<String>,
    additional_info: Value,
}

impl Detection {
    #[allow(clippy::too_many_arguments)]
    fn new(
        key: &str,
        handle: &'static str,
        event_type: &'static str,
        level: &'static str,
        timing: &'static str,
        activity_hours_ago: i64,
        ip: &'static str,
        place: Place,
    ) -> Detection {
        Detection {
            key: key.into(),
            handle,
            event_type,
            level,
            state: "atRisk",
            detail: "none",
            timing,
            activity_hours_ago,
            detection_delay_hours: if timing == "offline" { 1 } else { 0 },
            ip,
            place,
            sign_in: None,
            additional_info: json!([]),
        }
    }

    fn about(mut self, sign_in: &str) -> Detection {
        self.sign_in = Some(sign_in.into());
        self
    }

    fn resolved(mut self, state: &'static str, detail: &'static str) -> Detection {
        self.state = state;
        self.detail = detail;
        self
    }

    fn info(mut self, info: Value) -> Detection {
        self.additional_info = info;
        self
    }
}

fn user_agent(agent: &str) -> Value {
    json!({"Key": "userAgent", "Value": agent})
}

fn detections(clock: &Clock) -> Vec<Detection> {
    let edge = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 Edg/130.0.0.0";
    let mut out = vec![
        Detection::new("karita/spray", "karita", "passwordSpray", "medium", "offline", 30, places::SPRAY_IP, places::BUCHAREST)
            .about("karita/imap-4")
            .info(json!([{"Key": "mitreTechniques", "Value": "T1110.003"}])),
        Detection::new("karita/tor", "karita", "anonymizedIPAddress", "high", "realtime", 20, places::TOR_IP, places::FRANKFURT)
            .about("karita/tor")
            .info(json!([
                user_agent("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"),
                {"Key": "mitreTechniques", "Value": "T1090.003"},
            ])),
        Detection::new("karita/travel", "karita", "unlikelyTravel", "medium", "offline", 12, places::AMSTERDAM_IP, places::AMSTERDAM)
            .about("karita/mfa-interrupt")
            .info(json!([
                user_agent("Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1"),
                {"Key": "relatedUserAgent", "Value": edge},
                {"Key": "relatedLocation", "Value": {
                    "clientIP": places::KARITA_OFFICE_IP,
                    "latitude": places::SEATTLE.latitude,
                    "longitude": places::SEATTLE.longitude,
                    "countryCode": "US",
                    "city": "Seattle",
                }},
                {"Key": "relatedEventTimeInUtc", "Value": clock.hours_ago(14)},
                {"Key": "lastActivityTimeInUtc", "Value": clock.hours_ago(12)},
                {"Key": "mitreTechniques", "Value": "T1078"},
            ])),
        Detection::new("karita/unfamiliar", "karita", "unfamiliarFeatures", "medium", "realtime", 12, places::AMSTERDAM_IP, places::AMSTERDAM)
            .about("karita/mfa-interrupt")
            .info(json!([
                {"Key": "riskReasons", "Value": ["UnfamiliarASN", "UnfamiliarBrowser", "UnfamiliarDevice", "UnfamiliarIP", "UnfamiliarLocation"]},
                {"Key": "mitreTechniques", "Value": "T1078"},
            ])),
        Detection::new("nikolai/unfamiliar", "nikolai.ivanov", "unfamiliarFeatures", "medium", "realtime", 4 * 24 + 9, "198.18.3.40", places::AMSTERDAM)
            .about("story/unfamiliar"),
        Detection::new("lucia/unfamiliar", "lucia.romero", "unfamiliarFeatures", "medium", "realtime", 3 * 24 + 7, "198.18.0.201", places::AMSTERDAM)
            .about("story/guest-unfamiliar"),
        Detection::new("oliver/travel", "oliver.grant", "unlikelyTravel", "medium", "offline", 9 * 24 + 2, places::AMSTERDAM_IP, places::AMSTERDAM)
            .about("story/compromise")
            .resolved("confirmedCompromised", "adminConfirmedUserCompromised"),
        Detection::new("oliver/confirmed", "oliver.grant", "adminConfirmedUserCompromised", "high", "offline", 8 * 24, places::AMSTERDAM_IP, places::AMSTERDAM)
            .resolved("confirmedCompromised", "adminConfirmedUserCompromised"),
        Detection::new("ruth/leaked", "ruth.abebe", "leakedCredentials", "high", "offline", 15 * 24, "", places::NEW_YORK)
            .resolved("remediated", "userPerformedSecuredPasswordChange"),
        Detection::new("felix/anonymous", "felix.wagner", "anonymizedIPAddress", "medium", "realtime", 20 * 24, "185.220.100.252", places::FRANKFURT)
            .resolved("dismissed", "adminDismissedAllRiskForUser"),
        Detection::new("ana/unfamiliar", "ana.pereira", "unfamiliarFeatures", "low", "realtime", 10 * 24, "198.18.9.14", places::DUBLIN)
            .resolved("confirmedSafe", "adminConfirmedSigninSafe"),
    ];
    for handle in SPRAY_VICTIMS {
        out.push(
            Detection::new(
                &format!("spray/{handle}"),
                handle,
                "passwordSpray",
                "low",
                "offline",
                30,
                places::SPRAY_IP,
                places::BUCHAREST,
            )
            .about(&format!("spray/{handle}"))
            .info(json!([{"Key": "mitreTechniques", "Value": "T1110.003"}])),
        );
    }
    out
}

/// The deprecated `riskType` for a `riskEventType`.
fn legacy_risk_type(event_type: &str) -> &'static str {
    match event_type {
        "unlikelyTravel" => "unlikelyTravel",
        "anonymizedIPAddress" => "anonymizedIPAddress",
        "unfamiliarFeatures" => "unfamiliarFeatures",
        "leakedCredentials" => "leakedCredentials",
        "adminConfirmedUserCompromised" => "adminConfirmedUserCompromised",
        _ => "generic",
    }
}

/// The id of a story detection by key (`karita/tor`).
pub fn detection_id(key: &str) -> String {
    ids::object_id("riskDetection", key)
}

/// `riskDetection` resources, newest first.
pub fn risk_detections(cast: &Cast<'_>, clock: &Clock) -> Vec<Value> {
    let mut list: Vec<(i64, Value)> = detections(clock)
        .into_iter()
        .filter_map(|d| {
            let person = cast.person(d.handle)?;
            let (request_id, correlation_id) = match &d.sign_in {
                Some(key) => story_sign_in(key),
                None => (ids::object_id("request", &d.key), ids::object_id("correlation", &d.key)),
            };
            let activity = Duration::hours(-d.activity_hours_ago);
            let detected = activity + Duration::hours(d.detection_delay_hours);
            let updated = if d.state == "atRisk" { detected } else { detected + Duration::hours(20) };
            let value = json!({
                "id": detection_id(&d.key),
                "requestId": request_id,
                "correlationId": correlation_id,
                "riskEventType": d.event_type,
                "riskType": legacy_risk_type(d.event_type),
                "riskState": d.state,
                "riskLevel": d.level,
                "riskDetail": d.detail,
                "source": "IdentityProtection",
                "detectionTimingType": d.timing,
                "activity": "signin",
                "tokenIssuerType": "AzureAD",
                "ipAddress": d.ip,
                "activityDateTime": clock.at(activity),
                "detectedDateTime": clock.at(detected),
                "lastUpdatedDateTime": clock.at(updated),
                "userId": person.id,
                "userDisplayName": person.display_name,
                "userPrincipalName": person.user_principal_name,
                "additionalInfo": d.additional_info.to_string(),
                "location": places::detection_location(&d.place),
            });
            Some((detected.num_seconds(), value))
        })
        .collect();
    list.sort_by_key(|(t, _)| std::cmp::Reverse(*t));
    list.into_iter().map(|(_, v)| v).collect()
}

/// A risky user: handle, level, state, detail, hours since the last change, and the history
/// (hours ago, level, state, detail, risk event types, initiated by handle).
type HistoryStep = (i64, &'static str, &'static str, &'static str, &'static [&'static str], Option<&'static str>);

struct RiskyUser {
    handle: &'static str,
    history: Vec<HistoryStep>,
}

fn risky_users_story() -> Vec<RiskyUser> {
    let mut out = vec![
        RiskyUser {
            handle: "karita",
            history: vec![
                (46, "none", "none", "none", &[], None),
                (29, "medium", "atRisk", "none", &["passwordSpray"], None),
                (11, "high", "atRisk", "none", &["anonymizedIPAddress", "unlikelyTravel", "unfamiliarFeatures"], None),
            ],
        },
        RiskyUser {
            handle: "nikolai.ivanov",
            history: vec![(4 * 24 + 9, "medium", "atRisk", "none", &["unfamiliarFeatures"], None)],
        },
        RiskyUser {
            handle: "lucia.romero",
            history: vec![(3 * 24 + 7, "medium", "atRisk", "none", &["unfamiliarFeatures"], None)],
        },
        RiskyUser {
            handle: "oliver.grant",
            history: vec![
                (9 * 24 + 1, "medium", "atRisk", "none", &["unlikelyTravel"], None),
                (
                    8 * 24,
                    "high",
                    "confirmedCompromised",
                    "adminConfirmedUserCompromised",
                    &["adminConfirmedUserCompromised"],
                    Some("marcus"),
                ),
            ],
        },
        RiskyUser {
            handle: "ruth.abebe",
            history: vec![
                (15 * 24, "high", "atRisk", "none", &["leakedCredentials"], None),
                (14 * 24, "none", "remediated", "userPerformedSecuredPasswordChange", &[], Some("ruth.abebe")),
            ],
        },
        RiskyUser {
            handle: "felix.wagner",
            history: vec![
                (20 * 24, "medium", "atRisk", "none", &["anonymizedIPAddress"], None),
                (19 * 24, "none", "dismissed", "adminDismissedAllRiskForUser", &[], Some("marcus")),
            ],
        },
        RiskyUser {
            handle: "ana.pereira",
            history: vec![
                (10 * 24, "low", "atRisk", "none", &["unfamiliarFeatures"], None),
                (9 * 24, "none", "confirmedSafe", "adminConfirmedSigninSafe", &[], Some("marcus")),
            ],
        },
    ];
    for handle in SPRAY_VICTIMS {
        out.push(RiskyUser { handle, history: vec![(29, "low", "atRisk", "none", &["passwordSpray"], None)] });
    }
    out
}

/// `riskyUser` resources (id = user id) and each one's `riskyUserHistoryItem` list.
pub fn risky_users(cast: &Cast<'_>, clock: &Clock) -> (Vec<Value>, Vec<(String, Vec<Value>)>) {
    let mut users = Vec::new();
    let mut histories = Vec::new();
    for risky in risky_users_story() {
        let Some(person) = cast.person(risky.handle) else {
            continue;
        };
        let Some(&(hours, level, state, detail, _, _)) = risky.history.last() else {
            continue;
        };
        users.push(json!({
            "id": person.id,
            "isDeleted": false,
            "isProcessing": false,
            "riskLastUpdatedDateTime": clock.hours_ago(hours),
            "riskLevel": level,
            "riskState": state,
            "riskDetail": detail,
            "userDisplayName": person.display_name,
            "userPrincipalName": person.user_principal_name,
        }));
        let history =
            risky.history.iter().enumerate().map(|(n, step)| history_item(person, n, step, cast, clock)).collect();
        histories.push((person.id.clone(), history));
    }
    (users, histories)
}

fn history_item(person: &Person, n: usize, step: &HistoryStep, cast: &Cast<'_>, clock: &Clock) -> Value {
    let &(hours, level, state, detail, event_types, initiated_by) = step;
    json!({
        "id": ids::object_id("riskyUserHistoryItem", &format!("{}/{n}", person.id)),
        "userId": person.id,
        "initiatedBy": initiated_by.and_then(|h| cast.person(h)).map(|p| p.id.clone()),
        "isDeleted": false,
        "isProcessing": false,
        "riskLastUpdatedDateTime": clock.hours_ago(hours),
        "riskLevel": level,
        "riskState": state,
        "riskDetail": detail,
        "userDisplayName": person.display_name,
        "userPrincipalName": person.user_principal_name,
        "activity": {
            "eventTypes": [],
            "riskEventTypes": event_types,
            "detail": detail,
        },
    })
}

// ---------------------------------------------------------------------------------------------
// Workload identities: risky service principals, their history and their risk detections.

/// One step of a service principal's risk: hours ago, level, state, detail, the detection
/// types behind it, and who (a story handle) changed it by hand.
type SpHistoryStep = (i64, &'static str, &'static str, &'static str, &'static [&'static str], Option<&'static str>);

struct RiskyApp {
    name: &'static str,
    history: Vec<SpHistoryStep>,
}

/// Fabrikam Expense Sync, consented three days ago, turned high after its credentials showed up
/// in a leak and it called Graph from an unfamiliar network; Payroll Sync is medium after
/// sign-ins from an address it never used; Legacy Reports Portal's old leaked-secret risk was
/// dismissed by Marcus.
fn risky_apps() -> Vec<RiskyApp> {
    vec![
        RiskyApp {
            name: apps::FABRIKAM_EXPENSE,
            history: vec![
                (50, "medium", "atRisk", "none", &["suspiciousSignins"], None),
                (17, "high", "atRisk", "none", &["leakedCredentials", "suspiciousAPITraffic"], None),
            ],
        },
        RiskyApp {
            name: apps::PAYROLL_SYNC,
            history: vec![(5 * 24 + 3, "medium", "atRisk", "none", &["suspiciousSignins"], None)],
        },
        RiskyApp {
            name: apps::LEGACY_REPORTS,
            history: vec![
                (40 * 24, "low", "atRisk", "none", &["leakedCredentials"], None),
                (38 * 24, "none", "dismissed", "adminDismissedAllRiskForServicePrincipal", &[], Some("marcus")),
            ],
        },
    ]
}

/// The id of a history item: the subject's id and the item's place in its history, so a
/// replayed write gives its item the same id.
pub fn history_item_id(kind: &str, subject_id: &str, n: usize) -> String {
    ids::object_id(kind, &format!("{subject_id}/{n}"))
}

/// The id of a detection a write creates (an admin confirming a compromise).
pub fn admin_detection_id(subject_id: &str, at: &str) -> String {
    ids::object_id("riskDetection", &format!("{subject_id}/admin/{at}"))
}

fn service_principal_type() -> &'static str {
    "Application"
}

/// `riskyServicePrincipal` resources (id = the service principal's object id).
pub fn risky_service_principals(g: &super::Generation<'_>) -> Vec<Value> {
    risky_apps()
        .iter()
        .filter_map(|app| {
            let &(hours, level, state, detail, _, _) = app.history.last()?;
            Some(json!({
                "id": apps::service_principal_id(app.name),
                "appId": apps::app_id(app.name),
                "displayName": app.name,
                "isEnabled": true,
                "isProcessing": false,
                "riskLastUpdatedDateTime": g.clock.hours_ago(hours),
                "riskLevel": level,
                "riskState": state,
                "riskDetail": detail,
                "servicePrincipalType": service_principal_type(),
            }))
        })
        .collect()
}

/// Each risky service principal's `riskyServicePrincipalHistoryItem` list, by its id.
pub fn risky_service_principal_history(cast: &Cast<'_>, clock: &Clock) -> Vec<(String, Vec<Value>)> {
    risky_apps()
        .iter()
        .map(|app| {
            let id = apps::service_principal_id(app.name);
            let history = app
                .history
                .iter()
                .enumerate()
                .map(|(n, &(hours, level, state, detail, event_types, initiated_by))| {
                    json!({
                        "id": history_item_id("riskyServicePrincipalHistoryItem", &id, n),
                        "servicePrincipalId": id,
                        "appId": apps::app_id(app.name),
                        "displayName": app.name,
                        "initiatedBy": initiated_by.and_then(|h| cast.person(h)).map(|p| p.id.clone()),
                        "isEnabled": true,
                        "isProcessing": false,
                        "riskLastUpdatedDateTime": clock.hours_ago(hours),
                        "riskLevel": level,
                        "riskState": state,
                        "riskDetail": detail,
                        "servicePrincipalType": service_principal_type(),
                        "activity": {"riskEventTypes": event_types, "detail": detail},
                    })
                })
                .collect();
            (id, history)
        })
        .collect()
}

/// `servicePrincipalRiskDetection` resources, newest first.
pub fn service_principal_risk_detections(g: &super::Generation<'_>) -> Vec<Value> {
    // (key, app, type, level, state, detail, hours ago, ip, place, additional info)
    type Row = (
        &'static str,
        &'static str,
        &'static str,
        &'static str,
        &'static str,
        &'static str,
        i64,
        &'static str,
        Place,
        Value,
    );
    let rows: Vec<Row> = vec![
        (
            "fabrikam/signins",
            apps::FABRIKAM_EXPENSE,
            "suspiciousSignins",
            "medium",
            "atRisk",
            "none",
            50,
            "185.220.101.47",
            places::FRANKFURT,
            json!([{"Key": "riskReasons", "Value": ["UnfamiliarIP", "UnfamiliarASN"]}]),
        ),
        (
            "fabrikam/leaked",
            apps::FABRIKAM_EXPENSE,
            "leakedCredentials",
            "high",
            "atRisk",
            "none",
            20,
            "",
            places::AMSTERDAM,
            json!([{"Key": "leakSource", "Value": "public code repository"}]),
        ),
        (
            "fabrikam/traffic",
            apps::FABRIKAM_EXPENSE,
            "suspiciousAPITraffic",
            "high",
            "atRisk",
            "none",
            18,
            places::AMSTERDAM_IP,
            places::AMSTERDAM,
            json!([{"Key": "resource", "Value": "Microsoft Graph"}, {"Key": "operations", "Value": "Mail.Read across 212 mailboxes"}]),
        ),
        (
            "payroll/signins",
            apps::PAYROLL_SYNC,
            "suspiciousSignins",
            "medium",
            "atRisk",
            "none",
            5 * 24 + 3,
            "198.18.7.66",
            places::DUBLIN,
            json!([{"Key": "riskReasons", "Value": ["UnfamiliarIP"]}]),
        ),
        (
            "legacy/leaked",
            apps::LEGACY_REPORTS,
            "leakedCredentials",
            "low",
            "dismissed",
            "adminDismissedAllRiskForServicePrincipal",
            40 * 24,
            "",
            places::NEW_YORK,
            json!([{"Key": "leakSource", "Value": "paste site"}]),
        ),
    ];
    let clock = g.clock;
    let mut rows = rows;
    rows.sort_by_key(|row| row.6);
    rows.into_iter()
        .map(|(key, app, event_type, level, state, detail, hours, ip, place, info)| {
            let detected = clock.hours_ago(hours - 1);
            json!({
                "id": ids::object_id("servicePrincipalRiskDetection", key),
                "activity": "servicePrincipal",
                "activityDateTime": clock.hours_ago(hours),
                "additionalInfo": info.to_string(),
                "appId": apps::app_id(app),
                "correlationId": ids::object_id("correlation", key),
                "detectedDateTime": detected,
                "detectionTimingType": "offline",
                "ipAddress": ip,
                "keyIds": [ids::object_id("keyCredential", app)],
                "lastUpdatedDateTime": if state == "atRisk" { detected.clone() } else { clock.hours_ago(38 * 24) },
                "location": places::detection_location(&place),
                "requestId": ids::object_id("request", key),
                "riskDetail": detail,
                "riskEventType": event_type,
                "riskLevel": level,
                "riskState": state,
                "servicePrincipalDisplayName": app,
                "servicePrincipalId": apps::service_principal_id(app),
                "source": "IdentityProtection",
                "tokenIssuerType": "AzureAD",
            })
        })
        .collect()
}
