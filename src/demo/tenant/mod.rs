//! The demo tenant, Woodgrove Bank: a deterministic synthetic directory (people, groups,
//! devices, authentication methods, apps, roles, Conditional Access) with its logs (sign-ins,
//! directory audits, provisioning) and Identity Protection data, as Graph JSON — the two large
//! logs as compact records rendered on demand (`records.rs`).
//!
//! [`generate`] builds it from a seed, a size and an anchor time. The story (README, "The demo tenant") is
//! the same for every seed; the seed only varies background activity and generated staff.
//! Each area has its own file; this one wires them together and indexes the result for the
//! emulator. Collections whose generator needs nothing but a [`Generation`] are declared only
//! in the emulator's entity-set registry (`emulator/sets`), which [`generate_at`] asks for them.
//!
//! Every collection and relationship map sits behind its own `Arc`, so cloning a `Tenant` is
//! shallow: the emulator changes its tenant copy-on-write, and a write copies only the
//! collection it changes (and only when a reader still holds the previous version).

pub(in crate::demo) mod access_reviews;
pub(in crate::demo) mod apps;
mod audit_story;
mod audits;
pub(in crate::demo) mod authentication;
pub(in crate::demo) mod ca_catalog;
mod cast;
mod clock;
mod conditional_access;
mod deleted;
mod devices;
pub(in crate::demo) mod entitlement;
mod extended_sign_ins;
mod groups;
mod ids;
pub(in crate::demo) mod licences;
pub(in crate::demo) mod lifecycle;
mod methods;
mod people;
pub(in crate::demo) mod pim_groups;
mod places;
pub(in crate::demo) mod provisioning;
mod records;
pub(in crate::demo) mod risk;
mod rng;
pub(in crate::demo) mod role_policies;
pub(in crate::demo) mod roles;
mod sign_in_ca;
mod sign_in_log;
mod sign_ins;
mod user_grants;
mod users;

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::DemoOptions;
use cast::Cast;
pub use clock::format_instant;
pub use records::{Item, RecordLog, RecordSource};

pub const DOMAIN: &str = "woodgrovebank.com";
pub const INITIAL_DOMAIN: &str = "woodgrovebank.onmicrosoft.com";
pub const GUEST_DOMAIN: &str = "fabrikampartners.com";

/// The kinds of directory object that appear in mixed collections (members, memberOf, owners).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ObjectKind {
    User,
    Group,
    Device,
    ServicePrincipal,
    Application,
}

impl ObjectKind {
    /// The `@odata.type` Graph puts on the object in a mixed collection.
    pub fn odata_type(self) -> &'static str {
        match self {
            ObjectKind::User => "#microsoft.graph.user",
            ObjectKind::Group => "#microsoft.graph.group",
            ObjectKind::Device => "#microsoft.graph.device",
            ObjectKind::ServicePrincipal => "#microsoft.graph.servicePrincipal",
            ObjectKind::Application => "#microsoft.graph.application",
        }
    }

    /// The kind named by a type-cast path segment (`microsoft.graph.user`).
    pub fn from_cast(segment: &str) -> Option<ObjectKind> {
        match segment {
            "microsoft.graph.user" => Some(ObjectKind::User),
            "microsoft.graph.group" => Some(ObjectKind::Group),
            "microsoft.graph.device" => Some(ObjectKind::Device),
            "microsoft.graph.servicePrincipal" => Some(ObjectKind::ServicePrincipal),
            "microsoft.graph.application" => Some(ObjectKind::Application),
            _ => None,
        }
    }
}

/// A reference to a directory object of a known kind.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DirectoryRef {
    pub kind: ObjectKind,
    pub id: String,
}

impl DirectoryRef {
    pub fn user(id: String) -> DirectoryRef {
        DirectoryRef { kind: ObjectKind::User, id }
    }
    pub fn group(id: String) -> DirectoryRef {
        DirectoryRef { kind: ObjectKind::Group, id }
    }
    pub fn device(id: String) -> DirectoryRef {
        DirectoryRef { kind: ObjectKind::Device, id }
    }
}

/// A list of resources with an index by id.
#[derive(Debug, Default, Clone)]
pub struct Collection {
    items: Vec<Value>,
    by_id: HashMap<String, usize>,
}

impl Collection {
    pub fn new(items: Vec<Value>) -> Collection {
        let by_id = items
            .iter()
            .enumerate()
            .filter_map(|(i, v)| Some((v.get("id")?.as_str()?.to_ascii_lowercase(), i)))
            .collect();
        Collection { items, by_id }
    }

    pub fn items(&self) -> &[Value] {
        &self.items
    }

    /// The resource with this id (ids compare case-insensitively, as GUIDs do in Graph).
    pub fn get(&self, id: &str) -> Option<&Value> {
        self.by_id.get(&id.to_ascii_lowercase()).map(|&i| &self.items[i])
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The resource with this id, to change in place (its id must stay the same).
    pub fn get_mut(&mut self, id: &str) -> Option<&mut Value> {
        let index = *self.by_id.get(&id.to_ascii_lowercase())?;
        self.items.get_mut(index)
    }

    /// Appends a resource; it must carry an `id` not yet in the collection.
    pub fn push(&mut self, value: Value) {
        if let Some(id) = value.get("id").and_then(Value::as_str) {
            self.by_id.insert(id.to_ascii_lowercase(), self.items.len());
        }
        self.items.push(value);
    }

    /// Takes the resource with this id out, keeping the others in order.
    pub fn remove(&mut self, id: &str) -> Option<Value> {
        let index = self.by_id.remove(&id.to_ascii_lowercase())?;
        let value = self.items.remove(index);
        // Everything after it moved down one place.
        for position in self.by_id.values_mut() {
            if *position > index {
                *position -= 1;
            }
        }
        Some(value)
    }
}

/// The whole tenant, ready to serve.
#[derive(Debug, Clone)]
pub struct Tenant {
    pub anchor: DateTime<Utc>,
    pub tenant_id: String,
    pub users: Arc<Collection>,
    pub groups: Arc<Collection>,
    pub devices: Arc<Collection>,
    pub applications: Arc<Collection>,
    pub service_principals: Arc<Collection>,
    pub sign_ins: Arc<RecordLog>,
    pub directory_audits: Arc<RecordLog>,
    pub risky_users: Arc<Collection>,
    pub risk_detections: Arc<Collection>,
    pub conditional_access_policies: Arc<Collection>,
    pub named_locations: Arc<Collection>,
    pub role_definitions: Arc<Collection>,
    pub role_assignments: Arc<Collection>,
    pub role_eligibility_schedule_instances: Arc<Collection>,
    pub role_assignment_schedule_instances: Arc<Collection>,
    pub role_assignment_schedule_requests: Arc<Collection>,
    /// Users in the recycle bin (`/directory/deletedItems/microsoft.graph.user`).
    pub deleted_users: Arc<Collection>,
    /// Groups in the recycle bin.
    pub deleted_groups: Arc<Collection>,
    /// `riskyUserHistoryItem` lists by user id.
    pub risky_user_history: Arc<HashMap<String, Vec<Value>>>,
    /// `riskyServicePrincipalHistoryItem` lists by service principal id.
    pub risky_service_principal_history: Arc<HashMap<String, Vec<Value>>>,
    /// Authentication methods by user id.
    pub authentication_methods: Arc<HashMap<String, Vec<Value>>>,
    /// `licenseDetails` by user id.
    pub license_details: Arc<HashMap<String, Vec<Value>>>,
    /// The `userRegistrationDetails` report (enabled users only, as Graph keeps it).
    pub user_registration_details: Arc<Collection>,
    /// A user's beta `authentication` states (`requirements`, `signInPreferences`) by user id.
    pub user_authentication_states: Arc<HashMap<String, Value>>,
    /// `/policies/authenticationMethodsPolicy`, as beta returns it.
    pub authentication_methods_policy: Arc<Value>,
    /// Manager id by user id.
    pub managers: Arc<HashMap<String, String>>,
    /// Direct reports by manager id.
    pub direct_reports: Arc<HashMap<String, Vec<String>>>,
    /// Direct members by group id.
    pub group_members: Arc<HashMap<String, Vec<DirectoryRef>>>,
    /// Owners by group id.
    pub group_owners: Arc<HashMap<String, Vec<DirectoryRef>>>,
    /// Groups an object is a direct member of, by member id.
    pub member_of: Arc<HashMap<String, Vec<String>>>,
    /// Registered owners (users) by device id.
    pub device_owners: Arc<HashMap<String, Vec<String>>>,
    /// Devices by registered owner id.
    pub owned_devices: Arc<HashMap<String, Vec<String>>>,
    /// Owners (users) by application object id.
    pub application_owners: Arc<HashMap<String, Vec<String>>>,
    /// App role assignments made to a user directly, by user id.
    pub user_app_role_assignments: Arc<HashMap<String, Vec<Value>>>,
    /// Delegated permission grants a user consented to for themselves, by user id.
    pub user_oauth2_permission_grants: Arc<HashMap<String, Vec<Value>>>,
    /// Owners (users) by service principal id.
    pub service_principal_owners: Arc<HashMap<String, Vec<String>>>,
    /// Application permissions (`appRoleAssignment`s) by the service principal holding them.
    pub app_role_assignments: Arc<HashMap<String, Vec<Value>>>,
    /// Delegated permission grants (`oauth2PermissionGrant`s) by client service principal id.
    pub oauth2_permission_grants: Arc<HashMap<String, Vec<Value>>>,
    /// The sign-ins only beta lists, and only when filtered by `signInEventTypes`:
    /// non-interactive, service principal and managed identity sign-ins, newest first.
    pub beta_sign_ins: Arc<Collection>,
    /// Provisioning (synchronization) jobs by service principal id.
    pub synchronization_jobs: Arc<HashMap<String, Vec<Value>>>,
    /// What Graph keeps below each lifecycle workflow (tasks, versions, runs and their
    /// results), by workflow id.
    pub workflow_records: Arc<HashMap<String, lifecycle::WorkflowRecords>>,
    /// Collections built by the generators the entity-set registry names, by entity-set path.
    generated: HashMap<&'static str, Arc<Collection>>,
    /// User id by lower-cased user principal name.
    users_by_upn: Arc<HashMap<String, String>>,
}

/// What a registered collection's generator may read: the anchor, the people and devices of
/// the story (and of the generated staff), the seed and the tenant id.
pub struct Generation<'a> {
    clock: &'a clock::Clock,
    cast: &'a Cast<'a>,
    seed: u64,
    tenant_id: &'a str,
}

/// A generator of one registered collection.
pub type Generator = fn(&Generation<'_>) -> Vec<Value>;

impl Tenant {
    /// A user by object id or user principal name (case-insensitive).
    pub fn user(&self, id_or_upn: &str) -> Option<&Value> {
        self.users
            .get(id_or_upn)
            .or_else(|| self.users_by_upn.get(&id_or_upn.to_ascii_lowercase()).and_then(|id| self.users.get(id)))
    }

    /// Rebuilds the user principal name index after users were added, renamed or removed.
    pub fn reindex_users(&mut self) {
        self.users_by_upn = Arc::new(upn_index(self.users.items()));
    }

    /// A collection a registered generator built, by entity-set path.
    pub fn generated(&self, path: &str) -> Option<&Collection> {
        self.generated.get(path).map(Arc::as_ref)
    }

    /// The same, to change; created empty if the generator made none.
    pub fn generated_mut(&mut self, path: &'static str) -> &mut Arc<Collection> {
        self.generated.entry(path).or_default()
    }

    /// Adds a direct member to a group; `false` if it already was one.
    pub fn add_member(&mut self, group_id: &str, member: DirectoryRef) -> bool {
        let members = Arc::make_mut(&mut self.group_members).entry(group_id.to_string()).or_default();
        if members.iter().any(|m| m.id.eq_ignore_ascii_case(&member.id)) {
            return false;
        }
        let member_id = member.id.clone();
        members.push(member);
        Arc::make_mut(&mut self.member_of).entry(member_id).or_default().push(group_id.to_string());
        true
    }

    /// Removes a direct member from a group; `false` if it was not one.
    pub fn remove_member(&mut self, group_id: &str, member_id: &str) -> bool {
        let Some(members) = Arc::make_mut(&mut self.group_members).get_mut(group_id) else {
            return false;
        };
        let Some(position) = members.iter().position(|m| m.id.eq_ignore_ascii_case(member_id)) else {
            return false;
        };
        let removed = members.remove(position);
        if let Some(groups) = Arc::make_mut(&mut self.member_of).get_mut(&removed.id) {
            groups.retain(|g| !g.eq_ignore_ascii_case(group_id));
        }
        true
    }

    /// Drops a deleted object from every group it belonged to or owned, and a deleted group's
    /// own memberships, so member lists, counts and `memberOf` no longer show it.
    pub fn forget_memberships(&mut self, id: &str) {
        let groups: Vec<String> = self.member_of.get(id).cloned().unwrap_or_default();
        for group in groups {
            self.remove_member(&group, id);
        }
        if let Some(members) = Arc::make_mut(&mut self.group_members).remove(id) {
            let member_of = Arc::make_mut(&mut self.member_of);
            for member in members {
                if let Some(groups) = member_of.get_mut(&member.id) {
                    groups.retain(|g| !g.eq_ignore_ascii_case(id));
                }
            }
        }
        Arc::make_mut(&mut self.member_of).remove(id);
        if self.group_owners.values().any(|owners| owners.iter().any(|o| o.id.eq_ignore_ascii_case(id))) {
            for owners in Arc::make_mut(&mut self.group_owners).values_mut() {
                owners.retain(|o| !o.id.eq_ignore_ascii_case(id));
            }
        }
        Arc::make_mut(&mut self.group_owners).remove(id);
    }

    /// Any directory object by id, with its kind.
    pub fn directory_object(&self, id: &str) -> Option<(ObjectKind, &Value)> {
        [
            (ObjectKind::User, &self.users),
            (ObjectKind::Group, &self.groups),
            (ObjectKind::Device, &self.devices),
            (ObjectKind::ServicePrincipal, &self.service_principals),
            (ObjectKind::Application, &self.applications),
        ]
        .into_iter()
        .find_map(|(kind, c)| c.get(id).map(|v| (kind, v)))
    }

    /// The groups an object belongs to directly or through nesting, nearest first, each once.
    pub fn transitive_member_of(&self, member_id: &str) -> Vec<String> {
        let mut seen: HashSet<&str> = HashSet::new();
        let mut out = Vec::new();
        let mut queue: VecDeque<&str> = VecDeque::from([member_id]);
        while let Some(current) = queue.pop_front() {
            for group in self.member_of.get(current).into_iter().flatten() {
                if seen.insert(group.as_str()) {
                    out.push(group.clone());
                    queue.push_back(group.as_str());
                }
            }
        }
        out
    }

    /// A group's members directly or through nested groups (nested groups included), each once.
    pub fn transitive_members(&self, group_id: &str) -> Vec<DirectoryRef> {
        let mut seen: HashSet<&str> = HashSet::from([group_id]);
        let mut out = Vec::new();
        let mut queue: VecDeque<&str> = VecDeque::from([group_id]);
        while let Some(current) = queue.pop_front() {
            for member in self.group_members.get(current).into_iter().flatten() {
                if seen.insert(member.id.as_str()) {
                    out.push(member.clone());
                    if member.kind == ObjectKind::Group {
                        queue.push_back(member.id.as_str());
                    }
                }
            }
        }
        out
    }

    /// Everyone reporting to a manager directly or through other managers, nearest first.
    pub fn transitive_reports(&self, manager_id: &str) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let mut seen: HashSet<&str> = HashSet::from([manager_id]);
        let mut queue: VecDeque<&str> = VecDeque::from([manager_id]);
        while let Some(current) = queue.pop_front() {
            for report in self.direct_reports.get(current).into_iter().flatten() {
                if seen.insert(report.as_str()) {
                    out.push(report.clone());
                    queue.push_back(report.as_str());
                }
            }
        }
        out
    }

    /// Active directory roles (template ids) a user holds directly or through a
    /// role-assignable group.
    pub fn active_roles(&self, user_id: &str) -> Vec<String> {
        let mut principals: Vec<String> = self.transitive_member_of(user_id);
        principals.push(user_id.to_string());
        self.role_assignments
            .items()
            .iter()
            .filter(|a| {
                a.get("principalId")
                    .and_then(Value::as_str)
                    .is_some_and(|p| principals.iter().any(|x| x.eq_ignore_ascii_case(p)))
            })
            .filter_map(|a| Some(a.get("roleDefinitionId")?.as_str()?.to_string()))
            .collect()
    }
}

/// The object id of the signed-in persona, Jordan Reyes.
pub fn persona_id() -> String {
    people::member_id("jordan")
}

/// The id of the `n`th object created through the emulator: a UUIDv5 like every demo id, so
/// a replayed session creates the same ids.
pub fn created_object_id(n: u64) -> String {
    ids::object_id("created", &n.to_string())
}

/// Ids of story objects that tests and documentation refer to.
pub mod story {
    use super::{groups, ids, people, risk, sign_ins};

    pub fn karita_id() -> String {
        people::member_id("karita")
    }
    pub fn user_id(handle: &str) -> String {
        people::member_id(handle)
    }
    pub fn guest_id(handle: &str) -> String {
        people::guest_id(handle)
    }
    pub fn group_id(display_name: &str) -> String {
        ids::group_id(display_name)
    }
    pub fn finance_department_id() -> String {
        ids::group_id(groups::FINANCE_DEPARTMENT)
    }
    pub fn finance_app_users_id() -> String {
        ids::group_id(groups::FINANCE_APP_USERS)
    }
    pub fn ca_policy_id(code: &str) -> String {
        ids::ca_policy_id(code)
    }
    pub fn karita_tor_sign_in_id() -> String {
        sign_ins::karita_tor_sign_in_id()
    }
    pub fn karita_sign_in_id(event: &str) -> String {
        sign_ins::karita_sign_in_id(event)
    }
    pub fn risk_detection_id(key: &str) -> String {
        risk::detection_id(key)
    }
    /// The object id of an app's service principal, by display name.
    pub fn service_principal_id(name: &str) -> String {
        super::apps::service_principal_id(name)
    }

    /// A beta-only sign-in by key (`karita/outlook-revoked-1`).
    pub fn extended_sign_in_id(key: &str) -> String {
        super::extended_sign_ins::extended_sign_in_id(key)
    }
    pub fn tenant_id() -> String {
        ids::tenant_id()
    }
    /// The home tenant of every guest (Fabrikam Partners).
    pub fn guest_home_tenant_id() -> String {
        ids::fabrikam_tenant_id()
    }
    pub const SPRAY_VICTIMS: &[&str] = sign_ins::SPRAY_VICTIMS;

    /// The emergency access accounts, which no write that removes access may target.
    pub fn break_glass_upns() -> Vec<String> {
        ["breakglass01", "breakglass02"].iter().map(|h| format!("{h}@{}", super::INITIAL_DOMAIN)).collect()
    }
    pub const EXCHANGE_ONLINE: &str = super::apps::EXCHANGE_ONLINE;
}

/// Builds the tenant for these options; the anchor is `opts.now` or the current time.
pub fn generate(opts: &DemoOptions) -> Tenant {
    let anchor = opts.now.unwrap_or_else(Utc::now);
    generate_at(anchor, opts.scale, opts.seed)
}

/// Builds the tenant anchored at `anchor` with at least `scale` users.
pub fn generate_at(anchor: DateTime<Utc>, scale: u32, seed: u64) -> Tenant {
    // Whole seconds, so every timestamp prints the same way Graph prints them.
    let anchor = DateTime::from_timestamp(anchor.timestamp(), 0).unwrap_or(anchor);
    let clock = clock::Clock::new(anchor);
    let tenant_id = ids::tenant_id();
    let extra = (scale as usize).saturating_sub(people::story_size());
    let population: Arc<[people::Person]> = people::population(seed, extra).into();
    let device_list: Arc<[devices::Device]> = devices::devices(&population, seed).into();
    let cast = Cast::new(&population, &device_list);
    let group_list = groups::groups(&population, &device_list);

    // Who the Conditional Access rules single out, for the sign-in generator.
    let ids_in = |name: &str| -> HashSet<String> {
        group_list
            .iter()
            .find(|g| g.display_name == name)
            .map(|g| g.members.iter().map(|m| m.id.clone()).collect())
            .unwrap_or_default()
    };
    let membership = sign_ins::Membership {
        excluded: ids_in(groups::CA_EXCLUSIONS),
        finance_department: ids_in(groups::FINANCE_DEPARTMENT),
        admins: roles::ca001_admin_handles().iter().map(|h| people::member_id(h)).collect(),
    };
    let signins = sign_ins::sign_ins(&cast, population.clone(), device_list.clone(), &membership, &clock, seed);

    let user_values: Vec<Value> = population
        .iter()
        .enumerate()
        .map(|(i, p)| users::to_json(p, signins.last[i], signins.last_success[i], &clock))
        .collect();
    let users_by_upn = upn_index(&user_values);

    let mut managers = HashMap::new();
    let mut direct_reports: HashMap<String, Vec<String>> = HashMap::new();
    for person in population.iter() {
        if let Some(manager) = users::manager_id(person) {
            direct_reports.entry(manager.clone()).or_default().push(person.id.clone());
            managers.insert(person.id.clone(), manager);
        }
    }

    let mut group_members = HashMap::new();
    let mut group_owners = HashMap::new();
    let mut member_of: HashMap<String, Vec<String>> = HashMap::new();
    for group in &group_list {
        for member in &group.members {
            member_of.entry(member.id.clone()).or_default().push(group.id.clone());
        }
        group_members.insert(group.id.clone(), group.members.clone());
        group_owners.insert(group.id.clone(), group.owners.clone());
    }

    let mut device_owners = HashMap::new();
    let mut owned_devices: HashMap<String, Vec<String>> = HashMap::new();
    for device in device_list.iter() {
        let owner = population[device.owner].id.clone();
        owned_devices.entry(owner.clone()).or_default().push(device.id.clone());
        device_owners.insert(device.id.clone(), vec![owner]);
    }

    let application_owners =
        apps::registered_app_names().map(|name| (apps::application_id(name), apps::application_owners(name))).collect();

    let (risky, histories) = risk::risky_users(&cast, &clock);

    // Who holds or may activate a directory role, directly or through a role-assignable group:
    // the registration report flags them as admins.
    let role_assignments = roles::role_assignments();
    let role_eligibilities = roles::role_eligibility_schedule_instances(&clock);
    let mut admins: HashSet<String> = HashSet::new();
    for row in role_assignments.iter().chain(&role_eligibilities) {
        let Some(principal) = row.get("principalId").and_then(Value::as_str) else { continue };
        match group_list.iter().find(|g| g.id == principal) {
            Some(group) => admins.extend(group.members.iter().map(|m| m.id.clone())),
            None => {
                admins.insert(principal.to_string());
            }
        }
    }
    let authentication_methods: HashMap<String, Vec<Value>> =
        methods::methods(&population, &device_list, &clock).into_iter().collect();
    let report_inputs = authentication::ReportInputs {
        methods: &authentication_methods,
        admins: &admins,
        sms_allowed: &ids_in(groups::FINANCE_DEPARTMENT),
    };
    let user_registration_details = authentication::registration_details(&population, &report_inputs, &clock);
    let user_authentication_states = authentication::user_states(&population, &authentication_methods);
    let license_details: HashMap<String, Vec<Value>> = population
        .iter()
        .map(|p| (p.id.clone(), licences::license_details(p, &licences::assignments(p))))
        .filter(|(_, details)| !details.is_empty())
        .collect();

    // The collections the registry declares with a generator of their own.
    let generation = Generation { clock: &clock, cast: &cast, seed, tenant_id: &tenant_id };
    let generated = super::emulator::sets::generators()
        .map(|(path, generator)| (path, Arc::new(Collection::new(generator(&generation)))))
        .collect();

    Tenant {
        anchor,
        users: Arc::new(Collection::new(user_values)),
        groups: Arc::new(Collection::new(group_list.iter().map(|g| groups::to_json(g, &clock)).collect())),
        devices: Arc::new(Collection::new(device_list.iter().map(|d| devices::to_json(d, &clock)).collect())),
        applications: Arc::new(Collection::new(apps::applications(&clock))),
        service_principals: Arc::new(Collection::new(apps::service_principals(&clock, &tenant_id))),
        sign_ins: Arc::new(RecordLog::new(Box::new(signins.log))),
        directory_audits: Arc::new(RecordLog::new(Box::new(audits::directory_audits(
            &cast,
            population.clone(),
            &device_list,
            &clock,
            seed,
        )))),
        risky_users: Arc::new(Collection::new(risky)),
        risk_detections: Arc::new(Collection::new(risk::risk_detections(&cast, &clock))),
        conditional_access_policies: Arc::new(Collection::new(conditional_access::policies(&clock))),
        named_locations: Arc::new(Collection::new(conditional_access::named_locations(&clock))),
        role_definitions: Arc::new(Collection::new(roles::role_definitions())),
        role_assignments: Arc::new(Collection::new(role_assignments)),
        role_eligibility_schedule_instances: Arc::new(Collection::new(role_eligibilities)),
        role_assignment_schedule_instances: Arc::new(Collection::new(roles::role_assignment_schedule_instances(
            &clock,
        ))),
        role_assignment_schedule_requests: Arc::new(Collection::new(roles::role_assignment_schedule_requests(&clock))),
        deleted_users: Arc::new(Collection::new(deleted::deleted_users(&clock))),
        deleted_groups: Arc::new(Collection::new(deleted::deleted_groups(&clock))),
        risky_user_history: Arc::new(histories.into_iter().collect()),
        risky_service_principal_history: Arc::new(
            risk::risky_service_principal_history(&cast, &clock).into_iter().collect(),
        ),
        authentication_methods: Arc::new(authentication_methods),
        license_details: Arc::new(license_details),
        user_registration_details: Arc::new(Collection::new(user_registration_details)),
        user_authentication_states: Arc::new(user_authentication_states),
        authentication_methods_policy: Arc::new(authentication::methods_policy(&clock)),
        managers: Arc::new(managers),
        direct_reports: Arc::new(direct_reports),
        group_members: Arc::new(group_members),
        group_owners: Arc::new(group_owners),
        member_of: Arc::new(member_of),
        device_owners: Arc::new(device_owners),
        owned_devices: Arc::new(owned_devices),
        application_owners: Arc::new(application_owners),
        user_app_role_assignments: Arc::new(user_grants::app_role_assignments(&cast, &clock)),
        user_oauth2_permission_grants: Arc::new(user_grants::oauth2_permission_grants(&cast)),
        service_principal_owners: Arc::new(apps::service_principal_owners().into_iter().collect()),
        app_role_assignments: Arc::new(apps::app_role_assignments(&clock).into_iter().collect()),
        oauth2_permission_grants: Arc::new(apps::oauth2_permission_grants().into_iter().collect()),
        beta_sign_ins: Arc::new(Collection::new(extended_sign_ins::extended_sign_ins(
            &cast,
            &device_list,
            &clock,
            &tenant_id,
        ))),
        synchronization_jobs: Arc::new(provisioning::synchronization_jobs(&clock).into_iter().collect()),
        workflow_records: Arc::new(lifecycle::records(&generation)),
        generated,
        users_by_upn: Arc::new(users_by_upn),
        tenant_id,
    }
}

fn upn_index(users: &[Value]) -> HashMap<String, String> {
    users
        .iter()
        .filter_map(|u| {
            let upn = u.get("userPrincipalName")?.as_str()?;
            Some((upn.to_ascii_lowercase(), u.get("id")?.as_str()?.to_string()))
        })
        .collect()
}

/// The `organization` resource: the tenant itself.
pub fn organization(g: &Generation<'_>) -> Vec<Value> {
    let (tenant_id, clock) = (g.tenant_id, g.clock);
    vec![serde_json::json!({
        "id": tenant_id,
        "displayName": "Woodgrove Bank",
        "tenantType": "AAD",
        "countryLetterCode": "US",
        "createdDateTime": clock.days_ago(2400),
        "technicalNotificationMails": ["it-security@woodgrovebank.com"],
        "securityComplianceNotificationMails": ["it-security@woodgrovebank.com"],
        "verifiedDomains": [
            {"name": DOMAIN, "type": "Managed", "isDefault": true, "isInitial": false, "capabilities": "Email, OfficeCommunicationsOnline"},
            {"name": INITIAL_DOMAIN, "type": "Managed", "isDefault": false, "isInitial": true, "capabilities": "Email, OfficeCommunicationsOnline"},
        ],
        "assignedPlans": [],
    })]
}

#[cfg(test)]
mod tests;
