//! Directory audits (the `directoryAudit` resource): the story's entries (`audit_story.rs`)
//! over a background of routine changes, plus 2.5 routine entries per generated user at scale.
//! Entries are kept as compact records and rendered as JSON on demand, like sign-ins.

use std::sync::Arc;

use chrono::Duration;
use serde_json::{Map, Value, json};

use super::apps;
use super::audit_story::story_audits;
use super::cast::Cast;
use super::clock::Clock;
use super::devices::Device;
use super::ids;
use super::people::Person;
use super::places;
use super::records::RecordSource;
use super::rng::Rng;

/// What kind of change an entry records: `activityDisplayName`, `category`,
/// `loggedByService`, `operationType`.
#[derive(Debug)]
pub struct Operation {
    pub name: &'static str,
    pub category: &'static str,
    pub service: &'static str,
    pub kind: &'static str,
}

const fn operation(name: &'static str, category: &'static str, service: &'static str, kind: &'static str) -> Operation {
    Operation { name, category, service, kind }
}

pub const UPDATE_USER: Operation = operation("Update user", "UserManagement", "Core Directory", "Update");
pub const ADD_MEMBER_TO_GROUP: Operation =
    operation("Add member to group", "GroupManagement", "Core Directory", "Assign");
const REMOVE_MEMBER_FROM_GROUP: Operation =
    operation("Remove member from group", "GroupManagement", "Core Directory", "Unassign");
const UPDATE_DEVICE: Operation = operation("Update device", "Device", "Core Directory", "Update");
const REGISTER_DEVICE: Operation = operation("Register device", "Device", "Core Directory", "Add");
const REGISTERED_SECURITY_INFO: Operation =
    operation("User registered security info", "UserManagement", "Authentication Methods", "Add");
const CHANGE_PASSWORD: Operation = operation("Change user password", "UserManagement", "Core Directory", "Update");
const ADD_USER: Operation = operation("Add user", "UserManagement", "Core Directory", "Add");

/// Who made a change.
#[derive(Debug)]
pub enum Initiator {
    /// A person (index in the population) from an address.
    User { person: usize, ip: String },
    /// An app, by display name.
    App(&'static str),
}

/// One audit entry.
#[derive(Debug)]
pub struct AuditRecord {
    pub key: String,
    pub id: String,
    pub seconds_ago: i64,
    pub operation: &'static Operation,
    pub failure: Option<&'static str>,
    pub initiator: Initiator,
    pub targets: Vec<Value>,
}

impl AuditRecord {
    pub fn new(key: String, seconds_ago: i64, operation: &'static Operation, initiator: Initiator) -> AuditRecord {
        AuditRecord { id: audit_id(&key), key, seconds_ago, operation, failure: None, initiator, targets: Vec::new() }
    }

    pub fn target(mut self, target: Value) -> AuditRecord {
        self.targets.push(target);
        self
    }

    pub fn failed(mut self, reason: &'static str) -> AuditRecord {
        self.failure = Some(reason);
        self
    }
}

/// The id of a story audit entry by key (`ca003-edited`).
pub fn audit_id(key: &str) -> String {
    ids::object_id("directoryAudit", key)
}

/// A target resource of an audit entry.
pub fn target(id: &str, display_name: &str, kind: &str, upn: Option<&str>, modified: Value) -> Value {
    json!({
        "id": id,
        "displayName": display_name,
        "type": kind,
        "userPrincipalName": upn,
        "groupType": null,
        "modifiedProperties": modified,
    })
}

pub fn user_target(person: &Person, modified: Value) -> Value {
    target(&person.id, &person.display_name, "User", Some(&person.user_principal_name), modified)
}

pub fn group_target(name: &str, modified: Value) -> Value {
    let mut t = target(&ids::group_id(name), name, "Group", None, modified);
    t["groupType"] = json!("azureAD");
    t
}

/// A modified property; Graph prints old and new values as JSON text.
pub fn property(name: &str, old: Value, new: Value) -> Value {
    json!({"displayName": name, "oldValue": old.to_string(), "newValue": new.to_string()})
}

pub const HOUR: i64 = 3600;
pub const DAY: i64 = 24 * HOUR;

const ROUTINE: &[&Operation] = &[
    &UPDATE_USER,
    &UPDATE_USER,
    &ADD_MEMBER_TO_GROUP,
    &REMOVE_MEMBER_FROM_GROUP,
    &UPDATE_DEVICE,
    &REGISTER_DEVICE,
    &REGISTERED_SECURITY_INFO,
    &CHANGE_PASSWORD,
];

/// Routine changes: `count` entries over 30 days, made by admins, by HR Onboarding Automation
/// or by people themselves, to people drawn from `targets_from`.
fn routine(
    cast: &Cast<'_>,
    devices: &[Device],
    stream: u64,
    count: usize,
    seed: u64,
    targets_from: &[usize],
) -> Vec<AuditRecord> {
    let admins: Vec<usize> =
        ["elena", "kevin.obi", "lena.fischer", "tom"].iter().filter_map(|h| cast.index(h)).collect();
    if targets_from.is_empty() {
        return Vec::new();
    }
    (0..count)
        .map(|n| {
            let mut rng = Rng::new(seed, stream + n as u64);
            let operation = *rng.pick(ROUTINE);
            let subject = *rng.pick(targets_from);
            let person = &cast.people[subject];
            let self_service =
                std::ptr::eq(operation, &REGISTERED_SECURITY_INFO) || std::ptr::eq(operation, &CHANGE_PASSWORD);
            let initiator = if self_service {
                Initiator::User { person: subject, ip: places::home_ip(subject as u64) }
            } else if admins.is_empty() || rng.percent(40) {
                Initiator::App(apps::HR_ONBOARDING)
            } else {
                let admin = *rng.pick(&admins);
                Initiator::User {
                    person: admin,
                    ip: places::office_ip(cast.people[admin].office_location, admin as u64),
                }
            };
            // Device changes name the person's laptop; people without one get a user change.
            let laptop = cast.laptop_index(subject).and_then(|i| devices.get(i));
            let (operation, target) = match (operation.category, laptop) {
                ("Device", Some(device)) => {
                    (operation, target(&device.id, &device.display_name, "Device", None, json!([])))
                }
                ("Device", None) => (&UPDATE_USER, user_target(person, json!([]))),
                _ => (operation, user_target(person, json!([]))),
            };
            AuditRecord::new(format!("routine/{stream}/{n}"), rng.between(HOUR, 30 * DAY), operation, initiator)
                .target(target)
        })
        .collect()
}

/// Generated staff who joined in the last 30 days: Workday Inbound created their accounts, in
/// the same provisioning cycle as its `create` event.
fn joiners(cast: &Cast<'_>, generated: &[usize]) -> Vec<AuditRecord> {
    generated
        .iter()
        .map(|&i| &cast.people[i])
        .filter(|p| p.created_days_ago < 30)
        .map(|p| {
            AuditRecord::new(
                format!("joiner/{}", p.handle),
                p.created_days_ago * DAY + HOUR - 20,
                &ADD_USER,
                Initiator::App(apps::WORKDAY_INBOUND),
            )
            .target(user_target(p, json!([property("AccountEnabled", json!([]), json!([true]))])))
        })
        .collect()
}

/// The audit log, newest first.
pub fn directory_audits(
    cast: &Cast<'_>,
    people: Arc<[Person]>,
    devices: &[Device],
    clock: &Clock,
    seed: u64,
) -> AuditLog {
    let story: Vec<usize> =
        (0..cast.people.len()).filter(|&i| !cast.people[i].is_generated() && !cast.people[i].guest).collect();
    let generated: Vec<usize> = (0..cast.people.len()).filter(|&i| cast.people[i].is_generated()).collect();
    let mut records = story_audits(cast);
    records.extend(routine(cast, devices, 0xA0D1_0000, 160, seed, &story));
    records.extend(routine(cast, devices, 0xA0D2_0000_0000, generated.len() * 5 / 2, seed, &generated));
    records.extend(joiners(cast, &generated));
    records.sort_by_key(|a| a.seconds_ago);
    AuditLog { records, people, clock: *clock }
}

/// Audit records rendered as Graph `directoryAudit` resources on demand.
pub struct AuditLog {
    records: Vec<AuditRecord>,
    people: Arc<[Person]>,
    clock: Clock,
}

const FIELDS: &[&str] = &[
    "id",
    "category",
    "correlationId",
    "result",
    "resultReason",
    "activityDisplayName",
    "activityDateTime",
    "loggedByService",
    "operationType",
    "initiatedBy",
    "targetResources",
    "additionalDetails",
];

impl RecordSource for AuditLog {
    fn len(&self) -> usize {
        self.records.len()
    }

    fn id(&self, index: usize) -> &str {
        &self.records[index].id
    }

    fn json(&self, index: usize) -> Value {
        self.render(index, |_| true)
    }

    fn partial(&self, index: usize, properties: &[&str]) -> Value {
        self.render(index, |name| properties.contains(&name))
    }
}

impl AuditLog {
    fn render(&self, index: usize, wanted: impl Fn(&str) -> bool) -> Value {
        let a = &self.records[index];
        let mut map = Map::new();
        for &name in FIELDS.iter().filter(|n| wanted(n)) {
            let value = match name {
                "id" => a.id.as_str().into(),
                "category" => a.operation.category.into(),
                "correlationId" => ids::object_id("auditCorrelation", &a.key).into(),
                "result" => if a.failure.is_some() { "failure" } else { "success" }.into(),
                "resultReason" => a.failure.unwrap_or("").into(),
                "activityDisplayName" => a.operation.name.into(),
                "activityDateTime" => self.clock.at(Duration::seconds(-a.seconds_ago)).into(),
                "loggedByService" => a.operation.service.into(),
                "operationType" => a.operation.kind.into(),
                "initiatedBy" => self.initiated_by(&a.initiator),
                "targetResources" => Value::Array(a.targets.clone()),
                _ => json!([{"key": "User-Agent", "value": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Edg/130.0.0.0"}]),
            };
            map.insert(name.to_string(), value);
        }
        Value::Object(map)
    }

    fn initiated_by(&self, initiator: &Initiator) -> Value {
        match initiator {
            Initiator::User { person, ip } => {
                let p = &self.people[*person];
                json!({
                    "user": {
                        "id": p.id,
                        "displayName": p.display_name,
                        "userPrincipalName": p.user_principal_name,
                        "ipAddress": ip,
                        "userType": null,
                    },
                    "app": null,
                })
            }
            Initiator::App(name) => json!({
                "user": null,
                "app": {
                    "appId": apps::app_id(name),
                    "displayName": name,
                    "servicePrincipalId": apps::service_principal_id(name),
                    "servicePrincipalName": null,
                },
            }),
        }
    }
}
