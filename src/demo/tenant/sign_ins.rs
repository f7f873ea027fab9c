//! Interactive sign-ins (the v1.0 `signIn` resource) over the last 30 days: Karita's timeline
//! exactly as the story tells it, the password spray on eight colleagues, a handful of other
//! story incidents, and a realistic background of successes and failures for everyone else.
//!
//! Sign-ins are first drawn as small [`Event`] records (cheap to sort and to scan for each
//! user's last sign-in) and kept that way; `sign_in_log.rs` renders them as Graph JSON.

use std::collections::HashSet;
use std::sync::Arc;

use super::apps;
use super::cast::Cast;
use super::clock::Clock;
use super::devices::Device;
use super::ids;
use super::people::{Activity, Person};
use super::places::{self, Place};
use super::rng::Rng;
use super::sign_in_log::SignInLog;

/// Story handles of the eight colleagues the password spray also hit.
pub const SPRAY_VICTIMS: &[&str] = &[
    "wei.zhang",
    "fatima.haddad",
    "amara.okeke",
    "lars.nilsson",
    "diego.alvarez",
    "hannah.schmidt",
    "siobhan.obrien",
    "maria.garcia",
];

/// Stable ids of Karita's story sign-ins, so tests and docs can name them.
pub fn karita_sign_in_id(event: &str) -> String {
    ids::object_id("signIn", &format!("karita/{event}"))
}

/// The id and correlation id of a story sign-in by its key (`karita/tor`, `spray/{handle}`,
/// `story/{name}`), for the risk detections that point at it.
pub fn story_sign_in(key: &str) -> (String, String) {
    let correlation = match key.strip_prefix("karita/") {
        Some("mfa-interrupt" | "mfa-denied") => "karita/amsterdam".to_string(),
        Some("iphone-noncompliant") => "karita/iphone".to_string(),
        _ => key.to_string(),
    };
    (ids::object_id("signIn", key), ids::object_id("correlation", &correlation))
}

/// The 20-hour-old Tor sign-in blocked by CA004.
pub fn karita_tor_sign_in_id() -> String {
    karita_sign_in_id("tor")
}

/// An app as sign-ins name it: the client app and the resource it asked a token for.
#[derive(Debug, Clone, Copy)]
pub struct AppUse {
    pub app: &'static str,
    pub resource: &'static str,
}

const TEAMS: AppUse = AppUse { app: "Microsoft Teams", resource: "Microsoft Teams Services" };
const OUTLOOK_WEB: AppUse = AppUse { app: "Office 365 Exchange Online", resource: "Office 365 Exchange Online" };
const OFFICE_HOME: AppUse = AppUse { app: "OfficeHome", resource: "Microsoft Graph" };
const SHAREPOINT: AppUse = AppUse { app: "Office 365 SharePoint Online", resource: "Office 365 SharePoint Online" };
const FINANCE_PORTAL: AppUse = AppUse { app: apps::FINANCE_PORTAL, resource: apps::FINANCE_PORTAL };
const SALES_CRM: AppUse = AppUse { app: apps::SALES_CRM, resource: apps::SALES_CRM };
const AZURE_PORTAL: AppUse = AppUse { app: "Azure Portal", resource: "Windows Azure Service Management API" };
const FABRIKAM_EXPENSE: AppUse = AppUse { app: apps::FABRIKAM_EXPENSE, resource: "Microsoft Graph" };

/// The device a sign-in reports.
#[derive(Debug, Clone, Copy)]
pub enum Seen {
    /// A registered device of the user (index in the device list).
    Known(usize),
    /// An unregistered device: operating system and browser only.
    Unknown { os: &'static str, browser: &'static str },
    /// A legacy protocol client that reports no device at all.
    Nothing,
}

/// One sign-in, kept compact; `SignInLog` renders it as JSON when asked.
#[derive(Debug, Clone)]
pub struct Event {
    pub id: String,
    pub correlation_id: String,
    /// Seconds relative to the anchor (negative: in the past).
    pub offset_seconds: i64,
    pub person: usize,
    pub app: AppUse,
    pub client_app_used: &'static str,
    pub ip: String,
    pub place: Place,
    pub seen: Seen,
    pub error_code: u32,
    pub additional_details: Option<&'static str>,
    pub mfa_done: bool,
    pub risk_level: &'static str,
    pub risk_event_types: &'static [&'static str],
    pub user_risk_high: bool,
}

/// The policy-relevant facts about each person that sign-ins need.
pub struct Membership {
    pub excluded: HashSet<String>,
    pub finance_department: HashSet<String>,
    pub admins: HashSet<String>,
}

/// Every sign-in of the tenant (newest first) as a record source, plus each person's last
/// sign-in and last successful sign-in (seconds relative to the anchor) for `signInActivity`.
pub struct SignIns {
    pub log: SignInLog,
    pub last: Vec<Option<i64>>,
    pub last_success: Vec<Option<i64>>,
}

pub fn sign_ins(
    cast: &Cast<'_>,
    people: Arc<[Person]>,
    devices: Arc<[Device]>,
    membership: &Membership,
    clock: &Clock,
    seed: u64,
) -> SignIns {
    let mut events = Vec::with_capacity(cast.people.len() * 12);
    karita_timeline(cast, &mut events);
    spray(cast, &mut events);
    story_incidents(cast, &mut events);
    for (index, person) in cast.people.iter().enumerate() {
        background(cast, index, person, seed, &mut events);
    }
    events.sort_by_key(|e| std::cmp::Reverse(e.offset_seconds));

    let mut last = vec![None; cast.people.len()];
    let mut last_success = vec![None; cast.people.len()];
    for event in &events {
        last[event.person].get_or_insert(event.offset_seconds);
        if event.error_code == 0 {
            last_success[event.person].get_or_insert(event.offset_seconds);
        }
    }
    let log = SignInLog::new(events, people, devices, membership, *clock);
    SignIns { log, last, last_success }
}

/// A blank event for a person; callers set what differs.
fn event(person: usize, id: String, correlation_id: String, offset_seconds: i64) -> Event {
    Event {
        id,
        correlation_id,
        offset_seconds,
        person,
        app: OFFICE_HOME,
        client_app_used: "Browser",
        ip: String::new(),
        place: places::SEATTLE,
        seen: Seen::Nothing,
        error_code: 0,
        additional_details: None,
        mfa_done: true,
        risk_level: "none",
        risk_event_types: &[],
        user_risk_high: false,
    }
}

const HOUR: i64 = 3600;
const MINUTE: i64 = 60;

/// Karita's last 48 hours, as the story tells them.
fn karita_timeline(cast: &Cast<'_>, out: &mut Vec<Event>) {
    let Some(k) = cast.index("karita") else {
        return;
    };
    let laptop = cast.laptop_index(k);
    let phone = cast.phone_index(k);
    let story = |name: &str| karita_sign_in_id(name);
    let correlation = |name: &str| ids::object_id("correlation", &format!("karita/{name}"));

    // 46 h: an ordinary morning, MFA performed.
    let mut e = event(k, story("mfa-success"), correlation("mfa-success"), -46 * HOUR);
    e.app = TEAMS;
    e.ip = places::KARITA_OFFICE_IP.into();
    e.seen = laptop.map_or(Seen::Nothing, Seen::Known);
    e.additional_details = Some("MFA completed in Azure AD");
    out.push(e);

    // 30 h: four IMAP attempts with a wrong password from the spray source.
    for attempt in 0..4 {
        let name = format!("imap-{}", attempt + 1);
        let mut e = event(k, story(&name), correlation(&name), -30 * HOUR - (3 - attempt) * 4 * MINUTE);
        e.app = OUTLOOK_WEB;
        e.client_app_used = "IMAP4";
        e.ip = places::SPRAY_IP.into();
        e.place = places::BUCHAREST;
        e.error_code = 50126;
        e.mfa_done = false;
        e.risk_level = "medium";
        e.risk_event_types = &["passwordSpray"];
        out.push(e);
    }

    // 20 h: from a Tor exit node, blocked by CA004.
    let mut e = event(k, story("tor"), correlation("tor"), -20 * HOUR);
    e.app = OUTLOOK_WEB;
    e.ip = places::TOR_IP.into();
    e.place = places::FRANKFURT;
    e.seen = Seen::Unknown { os: "Linux", browser: "Firefox 128.0" };
    e.error_code = 53003;
    e.mfa_done = false;
    e.risk_level = "high";
    e.risk_event_types = &["anonymizedIPAddress"];
    out.push(e);

    // 12 h: Amsterdam, two hours after Seattle; MFA is asked for, then denied by Karita.
    for (name, code, offset, details) in [
        ("mfa-interrupt", 50074, -12 * HOUR, None),
        ("mfa-denied", 500121, -12 * HOUR + 2 * MINUTE, Some("MFA denied; user declined the authentication")),
    ] {
        let mut e = event(k, story(name), correlation("amsterdam"), offset);
        e.app = OUTLOOK_WEB;
        e.ip = places::AMSTERDAM_IP.into();
        e.place = places::AMSTERDAM;
        e.seen = Seen::Unknown { os: "Ios", browser: "Mobile Safari 17.4" };
        e.error_code = code;
        e.additional_details = details;
        e.mfa_done = false;
        e.risk_level = "medium";
        e.risk_event_types = &["unlikelyTravel", "unfamiliarFeatures"];
        out.push(e);
    }

    // 2 h: the Finance Portal from her unmanaged iPhone, refused by CA005.
    let mut e = event(k, story("iphone-noncompliant"), correlation("iphone"), -2 * HOUR);
    e.app = FINANCE_PORTAL;
    e.ip = "192.0.2.77".into();
    e.seen = phone.map_or(Seen::Nothing, Seen::Known);
    e.error_code = 53000;
    e.additional_details = Some("MFA requirement satisfied by claim in the token");
    e.user_risk_high = true;
    out.push(e);

    // 1 h: the same app from her compliant laptop.
    let mut e = event(k, story("success"), correlation("success"), -HOUR);
    e.app = FINANCE_PORTAL;
    e.ip = places::KARITA_OFFICE_IP.into();
    e.seen = laptop.map_or(Seen::Nothing, Seen::Known);
    e.additional_details = Some("MFA requirement satisfied by claim in the token");
    e.user_risk_high = true;
    out.push(e);
}

/// The spray source also tried eight of Karita's colleagues over IMAP.
fn spray(cast: &Cast<'_>, out: &mut Vec<Event>) {
    for (n, handle) in SPRAY_VICTIMS.iter().enumerate() {
        let Some(index) = cast.index(handle) else {
            continue;
        };
        let name = format!("spray/{handle}");
        let mut e = event(
            index,
            ids::object_id("signIn", &name),
            ids::object_id("correlation", &name),
            -30 * HOUR - 20 * MINUTE + n as i64 * 5 * MINUTE,
        );
        e.app = OUTLOOK_WEB;
        e.client_app_used = "IMAP4";
        e.ip = places::SPRAY_IP.into();
        e.place = places::BUCHAREST;
        e.error_code = 50126;
        e.mfa_done = false;
        e.risk_level = "low";
        e.risk_event_types = &["passwordSpray"];
        out.push(e);
    }
}

/// Smaller story incidents elsewhere in the tenant.
fn story_incidents(cast: &Cast<'_>, out: &mut Vec<Event>) {
    let mut push = |handle: &str, name: &str, offset: i64, build: &dyn Fn(&mut Event)| {
        let Some(index) = cast.index(handle) else {
            return;
        };
        let key = format!("story/{name}");
        let mut e = event(index, ids::object_id("signIn", &key), ids::object_id("correlation", &key), offset);
        e.seen = cast.laptop_index(index).map_or(Seen::Nothing, Seen::Known);
        e.ip = places::home_ip(index as u64);
        e.place = places::office_place(cast.people[index].office_location);
        build(&mut e);
        out.push(e);
    };
    // A branch manager travelling: blocked by the country policy.
    push("ivan.petrov", "moscow", -5 * 24 * HOUR - 3 * HOUR, &|e| {
        e.ip = "198.18.7.21".into();
        e.place = places::MOSCOW;
        e.error_code = 53003;
        e.mfa_done = false;
    });
    // A leaver whose account was disabled tries again.
    push("frank.li", "disabled", -3 * 24 * HOUR - 5 * HOUR, &|e| {
        e.error_code = 50057;
        e.mfa_done = false;
    });
    // A salesperson tries Fabrikam Expense Sync before an admin consented to it.
    push("sofia.rossi", "no-consent", -4 * 24 * HOUR - 2 * HOUR, &|e| {
        e.app = FABRIKAM_EXPENSE;
        e.error_code = 65001;
    });
    // A salesperson who is not assigned to the Finance Portal.
    push("james.wilson", "not-assigned", -6 * 24 * HOUR, &|e| {
        e.app = FINANCE_PORTAL;
        e.error_code = 50105;
    });
    // The guest with medium risk: unfamiliar sign-in properties, and no MFA for guests.
    push("lucia.romero", "guest-unfamiliar", -3 * 24 * HOUR - 7 * HOUR, &|e| {
        e.app = SHAREPOINT;
        e.ip = "198.18.0.201".into();
        e.place = places::AMSTERDAM;
        e.seen = Seen::Unknown { os: "Windows10", browser: "Chrome 130.0.0" };
        e.risk_level = "medium";
        e.risk_event_types = &["unfamiliarFeatures"];
        e.additional_details = None;
        e.mfa_done = false;
    });
    push("nikolai.ivanov", "unfamiliar", -4 * 24 * HOUR - 9 * HOUR, &|e| {
        e.app = OUTLOOK_WEB;
        e.ip = "198.18.3.40".into();
        e.place = places::AMSTERDAM;
        e.risk_level = "medium";
        e.risk_event_types = &["unfamiliarFeatures"];
        e.additional_details = Some("MFA completed in Azure AD");
    });
    // The account later confirmed compromised: an approved MFA prompt from Amsterdam.
    push("oliver.grant", "compromise", -9 * 24 * HOUR - 2 * HOUR, &|e| {
        e.app = OUTLOOK_WEB;
        e.ip = places::AMSTERDAM_IP.into();
        e.place = places::AMSTERDAM;
        e.seen = Seen::Unknown { os: "Windows10", browser: "Chrome 129.0.0" };
        e.risk_level = "medium";
        e.risk_event_types = &["unlikelyTravel"];
        e.additional_details = Some("MFA completed in Azure AD");
    });
    // The monthly break-glass check.
    for handle in ["breakglass01", "breakglass02"] {
        push(handle, "monthly-check", -12 * 24 * HOUR - 4 * HOUR, &|e| {
            e.app = AZURE_PORTAL;
            e.ip = "192.0.2.5".into();
            e.place = places::SEATTLE;
            e.seen = Seen::Nothing;
            e.additional_details = Some("MFA completed in Azure AD");
        });
    }
}

const EVERYDAY_APPS: &[AppUse] = &[TEAMS, TEAMS, OUTLOOK_WEB, OUTLOOK_WEB, OFFICE_HOME, SHAREPOINT];

/// A person's ordinary sign-ins over the last 30 days.
fn background(cast: &Cast<'_>, index: usize, person: &Person, seed: u64, out: &mut Vec<Event>) {
    let count = match (person.activity, person.generated, person.guest) {
        (Activity::Active, Some(_), _) => 10,
        (Activity::Active, None, false) => 24,
        (Activity::Active, None, true) => 6,
        _ => return,
    };
    let mut rng = Rng::new(seed, 0x5161_0000 + index as u64);
    // Karita's last 48 hours are exactly the story's.
    let earliest_hours = if person.handle == "karita" && !person.is_generated() { 49 } else { 1 };
    let laptop = cast.laptop_index(index);
    let phone = cast.phone_index(index);
    let department = person.department.as_deref().unwrap_or("");
    let legacy_sync = !person.is_generated() && matches!(person.handle.as_str(), "julia.costa" | "peter.jansen");
    for _ in 0..count {
        let offset = -rng.between(earliest_hours * HOUR, 30 * 24 * HOUR);
        let app = match (department, rng.below(4)) {
            ("Finance" | "Treasury", 0) if !person.guest => FINANCE_PORTAL,
            ("Sales", 0) if !person.guest => SALES_CRM,
            ("IT" | "Security", 0) if !person.guest => AZURE_PORTAL,
            _ => *rng.pick(EVERYDAY_APPS),
        };
        let mut e = event(index, rng.uuid(), rng.uuid(), offset);
        e.app = app;
        if person.guest {
            e.ip = format!("198.18.0.{}", 10 + index % 200);
            e.place = places::DUBLIN;
            e.seen = Seen::Unknown { os: "Windows10", browser: "Chrome 130.0.0" };
        } else {
            let on_phone = phone.is_some() && rng.percent(25);
            let device = if on_phone { phone } else { laptop };
            e.seen = device.map_or(Seen::Nothing, Seen::Known);
            if on_phone && matches!(app.app, "Microsoft Teams" | "Office 365 Exchange Online") {
                e.client_app_used = "Mobile Apps and Desktop clients";
            }
            e.place = places::office_place(person.office_location);
            e.ip = if rng.percent(30) {
                places::home_ip(index as u64)
            } else {
                places::office_ip(person.office_location, index as u64)
            };
            if legacy_sync && on_phone {
                e.app = OUTLOOK_WEB;
                e.client_app_used = "Exchange ActiveSync";
            }
        }
        e.additional_details = Some(if rng.percent(20) {
            "MFA completed in Azure AD"
        } else {
            "MFA requirement satisfied by claim in the token"
        });
        if person.guest {
            // No enforced policy asks guests for MFA (CA013 only reports what it would ask).
            e.mfa_done = false;
            e.additional_details = None;
        }
        let roll = rng.below(100);
        match roll {
            0..=86 => out.push(e),
            87..=89 => {
                e.error_code = 50126;
                e.mfa_done = false;
                e.additional_details = None;
                out.push(e);
            }
            90..=93 => {
                // An interrupt, then the successful retry under the same correlation id.
                let mut retry = e.clone();
                retry.id = rng.uuid();
                retry.offset_seconds += rng.between(20, 90);
                retry.additional_details = Some("MFA completed in Azure AD");
                e.error_code = if roll == 93 { 50140 } else { 50074 };
                e.mfa_done = false;
                e.additional_details = None;
                out.push(e);
                out.push(retry);
            }
            94 => {
                e.error_code = 50076;
                e.mfa_done = false;
                e.additional_details = None;
                out.push(e);
            }
            95 => {
                e.error_code = 50053;
                e.mfa_done = false;
                e.additional_details = None;
                out.push(e);
            }
            96 => {
                e.error_code = 50055;
                e.mfa_done = false;
                e.additional_details = None;
                out.push(e);
            }
            97 => {
                e.app = AppUse { app: "", resource: "" };
                e.error_code = 700016;
                e.mfa_done = false;
                e.additional_details = None;
                out.push(e);
            }
            98 if !person.guest => {
                e.app = SALES_CRM;
                e.error_code = 50105;
                out.push(e);
            }
            _ => out.push(e),
        }
    }
}
