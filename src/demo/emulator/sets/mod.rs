//! The entity-set registry: every collection the emulator serves, declared once by the area it
//! belongs to (`directory.rs`, `audit_logs.rs`, `identity_protection.rs`,
//! `conditional_access.rs`, `role_management.rs`, `access.rs`, `pim.rs`, `reports.rs`,
//! `entitlement.rs`, `governance_reviews.rs`, `lifecycle.rs`, `tenant_posture.rs`, `posture_beta.rs`).
//!
//! An [`EntitySet`] holds the set's path below the version, its property rules (a [`Spec`]),
//! where its rows come from, the navigations below one item, the actions bound to an item or to
//! the set, whether `/$count` exists and which writes it accepts. `routes.rs` answers `{set}`,
//! `{set}/$count`, `{set}/{id}`, `{set}/{action}` and everything below an item from these
//! declarations, and `writes.rs` applies PATCH, POST, DELETE, actions and `$ref` changes
//! through them.

mod access;
pub(super) mod agents;
mod audit_logs;
pub(super) mod ca_catalog;
mod conditional_access;
mod directory;
mod entitlement;
pub(super) mod governance_reviews;
mod identity_protection;
pub mod lifecycle;
pub(super) mod network;
mod pim;
pub(super) mod posture_beta;
mod reports;
mod role_management;
pub(super) mod tenant_posture;

use std::sync::Arc;

use serde_json::Value;

use crate::demo::tenant::{Collection, DirectoryRef, Generator, Item, ObjectKind, RecordLog, Tenant};

use super::errors::GraphResult;
use super::listing::{Ctx, Row};
use super::schema::{Spec, Words};

pub use directory::get_by_ids;
pub use pim::token_claims;

/// Refuses a list of a set Graph lists only when the filter says for what (one principal or
/// group; one policy scope).
pub fn check_scope_filter(set: &EntitySet, q: &super::query::QueryOptions) -> GraphResult<()> {
    access::check_scope_filter(set, q)?;
    pim::check_policy_scope_filter(set, q)
}

/// The properties a set's lists must be filtered on (`eq`), and whether all of them (rather
/// than one) must be.
#[cfg(test)]
pub fn scope_properties(set: &EntitySet) -> Option<(&'static [&'static str], bool)> {
    access::scope_properties(set).map(|p| (p, false)).or_else(|| pim::scope_rule(set))
}

/// The type an expanded navigation property the registry declares holds (entitlement
/// management's, a policy assignment's `policy` and a policy's `rules`), for checking a nested
/// `$select` and `$expand`.
pub fn navigation_spec(property: &str) -> Option<&'static Spec> {
    entitlement::navigation_spec(property)
        .or_else(|| pim::navigation_spec(property))
        .or_else(|| tenant_posture::navigation_spec(property))
        .or_else(|| posture_beta::navigation_spec(property))
}

/// Expands a navigation property the registry declares; `None` when the row has none.
pub fn expand_navigation(ctx: &Ctx<'_>, item: &Value, how: &super::query::Expand) -> Option<Value> {
    if tenant_posture::navigation_spec(&how.property).is_some() {
        return tenant_posture::expand_navigation(ctx, item, how);
    }
    if posture_beta::navigation_spec(&how.property).is_some() {
        return posture_beta::expand_navigation(ctx, item, how);
    }
    match pim::navigation_spec(&how.property) {
        Some(_) => pim::expand_navigation(ctx, item, how),
        None => entitlement::expand_navigation(ctx, item, how),
    }
}

/// Every registered set.
pub fn all() -> impl Iterator<Item = &'static EntitySet> {
    [
        directory::SETS,
        audit_logs::SETS,
        identity_protection::SETS,
        conditional_access::SETS,
        ca_catalog::SETS,
        role_management::SETS,
        access::SETS,
        pim::SETS,
        reports::SETS,
        entitlement::SETS,
        governance_reviews::SETS,
        lifecycle::SETS,
        tenant_posture::SETS,
        posture_beta::SETS,
        agents::SETS,
        network::SETS,
    ]
    .into_iter()
    .flatten()
}

/// Paths Graph serves under `/beta` only — sets, navigations, functions, and everything below
/// them: on `/v1.0` they are unknown (404), whatever the area. This is the one place a path is
/// made beta-only; `versions.rs` holds what differs *within* a path served on both (beta-only
/// rows, properties and functions computed from the tenant). `*` stands for one segment, such
/// as an id; each area may add its own list (`posture_beta::BETA_ONLY`).
const BETA_ONLY: &[&str] = &[
    "reports/servicePrincipalSignInActivities",
    "users/*/transitiveReports",
    "me/transitiveReports",
    "users/*/authentication/requirements",
    "me/authentication/requirements",
    "users/*/authentication/signInPreferences",
    "me/authentication/signInPreferences",
    agents::AGENT_INSTANCES,
    agents::RISKY_AGENTS,
    agents::AGENT_RISK_DETECTIONS,
    "networkAccess",
];

/// Whether the path below the version names a beta-only set (or something below one).
pub fn beta_only(segments: &[&str]) -> bool {
    BETA_ONLY.iter().chain(posture_beta::BETA_ONLY).any(|set| {
        let depth = set.split('/').count();
        segments.len() >= depth && set.split('/').zip(segments).all(|(a, b)| a == "*" || a == *b)
    })
}

/// The set registered at exactly this path.
pub fn by_path(path: &str) -> Option<&'static EntitySet> {
    all().find(|set| set.path == path)
}

/// The generators of the sets whose rows come from one, for the tenant generator.
pub fn generators() -> impl Iterator<Item = (&'static str, Generator)> {
    all()
        .filter_map(|set| match set.source {
            Source::Generated(generator) => Some((set.path, generator)),
            _ => None,
        })
        // Collections served only below an item of a set, by an area's own routes.
        .chain(governance_reviews::CONTAINED.iter().copied())
        .chain(tenant_posture::CONTAINED.iter().copied())
        .chain(network::CONTAINED.iter().copied())
}

/// The set whose path begins `segments` (the longest, if several do) and the segments after
/// it; otherwise the segment where no registered path continues, for Graph's 404.
pub fn lookup<'s, 'a>(segments: &'s [&'a str]) -> Result<(&'static EntitySet, &'s [&'a str]), &'a str> {
    let mut best: Option<(&'static EntitySet, usize)> = None;
    let mut deepest = 0;
    for set in all() {
        let mut matched = 0;
        for (wanted, given) in set.path.split('/').zip(segments) {
            if wanted != *given {
                break;
            }
            matched += 1;
        }
        deepest = deepest.max(matched);
        if matched == set.depth() && best.is_none_or(|(_, depth)| matched > depth) {
            best = Some((set, matched));
        }
    }
    match best {
        Some((set, depth)) => Ok((set, &segments[depth..])),
        None => Err(segments.get(deepest).or(segments.last()).copied().unwrap_or("")),
    }
}

/// One collection of the tenant as Graph serves it.
pub struct EntitySet {
    /// The path below the version (`identityProtection/riskyUsers`).
    pub path: &'static str,
    /// Selectable properties, defaults, query allow-lists, page size, consistency rules.
    pub spec: &'static Spec,
    pub source: Source,
    /// How `{set}/{key}` finds an item; `None` is by id.
    pub lookup: Option<for<'t> fn(&'t Tenant, &str) -> Option<&'t Value>>,
    /// Whether `{set}/$count` exists (logs, risk and policy sets have none in Graph).
    pub count_segment: bool,
    pub navigations: &'static [Navigation],
    pub actions: &'static [Action],
    pub writes: Writes,
}

/// Where a set's rows come from.
pub enum Source {
    /// A collection kept in a field of [`Tenant`]: built together with others (users need the
    /// sign-ins, groups feed the sign-in generator, risky users come with their history) or
    /// read directly by other code (What-If reads the policies, role checks the assignments).
    Field { read: fn(&Tenant) -> &Collection, write: fn(&mut Tenant) -> &mut Arc<Collection> },
    /// A log rendered on demand; logs are never written.
    Log(fn(&Tenant) -> &RecordLog),
    /// Rows from a generator of their own, stored by the tenant under the set's path. A new
    /// collection is declared this way.
    Generated(Generator),
}

/// `Source::Field` for a field of [`Tenant`].
macro_rules! field {
    ($name:ident) => {{
        fn read(tenant: &Tenant) -> &Collection {
            &tenant.$name
        }
        fn write(tenant: &mut Tenant) -> &mut std::sync::Arc<Collection> {
            &mut tenant.$name
        }
        Source::Field { read, write }
    }};
}
pub(crate) use field;

impl EntitySet {
    fn depth(&self) -> usize {
        self.path.split('/').count()
    }

    /// Every row, in stored order.
    pub fn rows<'t>(&self, tenant: &'t Tenant) -> Vec<Row<'t>> {
        match self.source {
            Source::Log(log) => log(tenant).iter().map(|item| Row { item, kind: None }).collect(),
            _ => self.collection(tenant).map(|c| c.items().iter().map(Row::plain).collect()).unwrap_or_default(),
        }
    }

    /// The item `{set}/{key}` names.
    pub fn find<'t>(&self, tenant: &'t Tenant, key: &str) -> Option<Row<'t>> {
        if let Some(lookup) = self.lookup {
            return lookup(tenant, key).map(Row::plain);
        }
        match self.source {
            Source::Log(log) => log(tenant).get(key).map(|item: Item<'_>| Row { item, kind: None }),
            _ => self.collection(tenant)?.get(key).map(Row::plain),
        }
    }

    /// The stored rows (`None` for a log).
    pub fn collection<'t>(&self, tenant: &'t Tenant) -> Option<&'t Collection> {
        match self.source {
            Source::Field { read, .. } => Some(read(tenant)),
            Source::Log(_) => None,
            Source::Generated(_) => tenant.generated(self.path),
        }
    }

    /// The stored rows, to change (copied first if a reader still holds them).
    pub fn collection_mut<'t>(&self, tenant: &'t mut Tenant) -> Option<&'t mut Collection> {
        match self.source {
            Source::Field { write, .. } => Some(Arc::make_mut(write(tenant))),
            Source::Log(_) => None,
            Source::Generated(_) => Some(Arc::make_mut(tenant.generated_mut(self.path))),
        }
    }

    /// The navigation `segments` start with, and the segments after it.
    pub fn navigation<'s, 'a>(&self, segments: &'s [&'a str]) -> Option<(&'static Navigation, &'s [&'a str])> {
        self.navigations.iter().find_map(|navigation| {
            let depth = navigation.path.split('/').count();
            let matches = segments.len() >= depth && navigation.path.split('/').zip(segments).all(|(a, b)| a == *b);
            matches.then(|| (navigation, &segments[depth..]))
        })
    }

    /// The action bound to one item (`users/{id}/revokeSignInSessions`) of this name.
    pub fn action(&self, name: &str) -> Option<&'static Action> {
        self.actions.iter().find(|action| action.name == name && !action.on_collection())
    }

    /// The action bound to the set itself (`identityProtection/riskyUsers/dismiss`) of this name.
    pub fn collection_action(&self, name: &str) -> Option<&'static Action> {
        self.actions.iter().find(|action| action.name == name && action.on_collection())
    }
}

/// A relationship below one item (`users/{id}/memberOf`).
pub struct Navigation {
    /// The path below the item; may have several segments (`authentication/methods`).
    pub path: &'static str,
    pub target: Target,
}

/// What a navigation leads to.
pub enum Target {
    /// Directory objects of any kind, with type casts and `/$count` (`memberOf`, `members`).
    References {
        related: fn(&Tenant, &str) -> Vec<DirectoryRef>,
        /// Present where Graph takes `POST …/$ref` and `DELETE …/{id}/$ref`.
        refs: Option<RefWrites>,
    },
    /// One directory object (`manager`); 404 when there is none.
    Single(for<'t> fn(&'t Tenant, &str) -> Option<(ObjectKind, &'t Value)>),
    /// A collection contained in the item (`riskyUsers/{id}/history`), items addressable by id.
    Contained { spec: &'static Spec, rows: for<'t> fn(&'t Tenant, &str) -> &'t [Value] },
    /// One object held by the item (`users/{id}/authentication/requirements`); 404 when there
    /// is none. Whether Graph serves it on beta alone is said in `BETA_ONLY`, like any path.
    Object { spec: &'static Spec, value: for<'t> fn(&'t Tenant, &str) -> Option<&'t Value> },
}

/// How `$ref` writes change a relationship.
#[derive(Clone, Copy)]
pub struct RefWrites {
    /// Adds a reference; `false` if it already existed.
    pub add: fn(&mut Tenant, &str, DirectoryRef) -> bool,
    /// Removes a reference; `false` if there was none.
    pub remove: fn(&mut Tenant, &str, &str) -> bool,
}

/// An operation bound to one item (`users/{id}/revokeSignInSessions`) or, with
/// [`Run::OnCollection`], to the set (`riskyUsers/dismiss`); always a POST.
pub struct Action {
    pub name: &'static str,
    pub run: Run,
}

impl Action {
    /// Bound to the set rather than to one of its items.
    pub fn on_collection(&self) -> bool {
        matches!(self.run, Run::OnCollection { .. })
    }
}

pub enum Run {
    /// Answers from the tenant without changing it (`checkMemberGroups`).
    Query(fn(&Ctx<'_>, &str, &[u8]) -> GraphResult<Value>),
    /// Changes the item; gets the item id and the time of the request, returns the `value` of
    /// an answer of type `returns` (`Edm.Boolean`), or nothing (204) when `returns` is empty.
    /// Journaled like every write.
    Change { apply: fn(&mut Tenant, &str, &str) -> GraphResult<Value>, returns: &'static str },
    /// Changes the items a body names by id, `POST {set}/{name}` with `{"<ids>": [GUID, …]}`
    /// (`riskyUsers/dismiss` with `userIds`). The body is checked when the request is planned
    /// (an object with exactly that property, a non-empty array of at most `max` GUIDs); `apply`
    /// gets the ids, the caller and the time of the request, and Graph answers 204. Journaled
    /// like every write.
    OnCollection { ids: &'static str, max: usize, apply: CollectionFn },
    /// Changes the item as its body says (`workflows/{id}/activate` with `subjects`): `plan`
    /// checks the body against the tenant as Graph does, before anything changes, and returns
    /// what `apply` needs; `apply` gets the item id, that value and the time of the request,
    /// and Graph answers 204. Journaled like every write.
    WithBody { plan: fn(&Tenant, &str, &[u8]) -> GraphResult<Value>, apply: BodyFn },
}

/// What a body-carrying action changes: the tenant, the item id, the planned value, the time.
pub type BodyFn = fn(&mut Tenant, &str, &Value, &str) -> GraphResult<()>;

/// What a collection-bound action changes: the tenant, and the call.
pub type CollectionFn = fn(&mut Tenant, &CollectionCall) -> GraphResult<()>;

/// One call of a collection-bound action, fixed when it is planned so a replay gives the same
/// result.
#[derive(Debug, Clone)]
pub struct CollectionCall {
    /// The ids the body named, lower case, without repeats.
    pub ids: Vec<String>,
    /// The signed-in caller's object id (who `initiatedBy` names).
    pub caller: String,
    /// The time of the request.
    pub at: String,
}

/// The writes a set accepts and how Graph checks their bodies.
#[derive(Clone, Copy)]
pub struct Writes {
    /// `PATCH {set}/{id}`.
    pub update: bool,
    /// `POST {set}`.
    pub create: bool,
    /// `DELETE {set}/{id}`.
    pub delete: bool,
    /// Properties a body may not set.
    pub read_only: Words,
    /// Accepted in a body but never stored or returned (`passwordProfile`).
    pub write_only: Words,
    /// Properties a POST body must carry.
    pub required: Words,
    /// Set to the time of the request on creation.
    pub created_stamps: Words,
    /// Set to the time of the request on every update.
    pub updated_stamps: Words,
    /// Where a deleted item goes (the recycle bin); `None` drops it.
    pub recycle: Option<fn(&mut Tenant) -> &mut Arc<Collection>>,
    /// Runs after any write to the set (rebuilding an index).
    pub after_write: Option<fn(&mut Tenant)>,
    /// Complex properties a `PATCH` merges into the stored value rather than replacing: a
    /// Conditional Access policy's `conditions`, where Graph keeps every condition the body
    /// leaves out.
    pub merged: Words,
    /// `POST {set}` that Graph treats as a request to act on rather than an object to store
    /// (PIM's schedule requests): the set's own rules decide what it changes and what the
    /// stored item says. Journaled like every write.
    pub create_with: Option<CreateFn>,
}

/// What a `POST {set}` handled by the set's own rules changes: the tenant, and the call.
pub type CreateFn = fn(&mut Tenant, &CreateCall) -> GraphResult<Value>;

/// One `POST {set}` handled by [`Writes::create_with`], fixed when it is planned so a replay
/// gives the same result.
#[derive(Debug, Clone)]
pub struct CreateCall {
    /// The id the new item gets.
    pub id: String,
    /// The body's properties, checked against the set's rules.
    pub body: serde_json::Map<String, Value>,
    /// The signed-in caller's object id.
    pub caller: String,
    /// The authentication context classes (`acrs`) the caller's token satisfies.
    pub claims: Vec<String>,
    /// The time of the request.
    pub at: String,
}

/// A set that is only read.
pub const READ_ONLY: Writes = Writes {
    update: false,
    create: false,
    delete: false,
    read_only: Words("id"),
    write_only: Words(""),
    required: Words(""),
    created_stamps: Words(""),
    updated_stamps: Words(""),
    recycle: None,
    after_write: None,
    create_with: None,
    merged: Words(""),
};

/// A set Graph creates, updates and deletes items of.
pub const READ_WRITE: Writes =
    Writes { update: true, create: true, delete: true, created_stamps: Words("createdDateTime"), ..READ_ONLY };
