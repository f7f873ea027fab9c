//! Writes to the tenant, checked and refused the way Graph does: `PATCH {set}/{id}`,
//! `POST {set}`, `DELETE {set}/{id}`, actions that change an item, and `$ref` additions and
//! removals on relationships.
//!
//! A request is first planned into a [`Change`] against the tenant it was resolved on (body
//! parsing and property checks), then applied under the emulator's write lock, which checks
//! again what may have changed since (the item still exists, the member is not one already,
//! the group's members are Graph's to change).
//! Applied changes are kept in order so they can be replayed on a re-anchored tenant; every
//! value a change needs (ids, instants) is fixed when it is planned, so a replay gives the
//! same result.

use serde_json::{Map, Value};

use crate::demo::tenant::{DirectoryRef, Tenant};

use super::errors::{GraphError, GraphResult};
use super::sets::{BodyFn, CollectionCall, CollectionFn, CreateCall, CreateFn, EntitySet, Navigation, Target};

/// The function an action applies: the tenant, the item id, the time of the request.
pub type ActionFn = fn(&mut Tenant, &str, &str) -> GraphResult<Value>;

/// What a write changes.
#[derive(Clone)]
pub enum Change {
    Update {
        set: &'static EntitySet,
        id: String,
        properties: Map<String, Value>,
    },
    Create {
        set: &'static EntitySet,
        value: Value,
    },
    Delete {
        set: &'static EntitySet,
        id: String,
    },
    Act {
        id: String,
        apply: ActionFn,
    },
    /// A collection-bound action (`riskyUsers/dismiss`) on the ids its body named.
    ActOnCollection {
        call: CollectionCall,
        apply: CollectionFn,
    },
    /// A `POST {set}` the set's own rules apply (a PIM schedule request).
    CreateWith {
        call: CreateCall,
        apply: CreateFn,
    },
    /// An item-bound action with a body (`workflows/{id}/activate`), as its plan read the body.
    ActWithBody {
        id: String,
        planned: Value,
        apply: BodyFn,
    },
    AddRef {
        set: &'static EntitySet,
        id: String,
        navigation: &'static Navigation,
        member: String,
    },
    RemoveRef {
        set: &'static EntitySet,
        id: String,
        navigation: &'static Navigation,
        member: String,
    },
    /// A change an area planned itself (a review decision recorded, a review instance stopped
    /// or applied), everything it needs captured when planned; it checks the tenant it is
    /// applied to, as Graph would at that moment.
    Area(AreaChange),
}

/// What an area's change does to the tenant.
pub type AreaChange = std::sync::Arc<dyn Fn(&mut Tenant) -> GraphResult<()> + Send + Sync>;

/// The write an area's path takes (`PATCH …/decisions/{id}`, `POST …/stop`): its method, the
/// ids the path named, and how the change is planned from the request.
pub struct AreaWrite {
    pub method: axum::http::Method,
    pub ids: Vec<String>,
    pub plan: fn(&AreaCall<'_>) -> GraphResult<Change>,
}

/// One request to an area's write, as its planner sees it.
pub struct AreaCall<'a> {
    pub ids: &'a [String],
    pub body: &'a [u8],
    /// The signed-in caller's object id.
    pub caller: &'a str,
    /// The time of the request.
    pub at: &'a str,
}

/// One write, ready to apply and to replay: the change and the time of the request (for
/// stamps such as `modifiedDateTime`, `deletedDateTime`, `signInSessionsValidFromDateTime`).
#[derive(Clone)]
pub struct Write {
    pub change: Change,
    pub at: String,
}

impl Write {
    /// Applies the change to `tenant`; the value a creation or an action answers with.
    pub fn apply(&self, tenant: &mut Tenant) -> GraphResult<Option<Value>> {
        match &self.change {
            Change::Update { set, id, properties } => {
                let rows = set.collection_mut(tenant).ok_or_else(GraphError::method_not_allowed)?;
                let Some(Value::Object(row)) = rows.get_mut(id) else {
                    return Err(GraphError::not_found(id));
                };
                for (name, value) in properties {
                    row.insert(name.clone(), value.clone());
                }
                for name in set.writes.updated_stamps.iter() {
                    row.insert(name.into(), Value::from(self.at.as_str()));
                }
                after_write(set, tenant);
                Ok(None)
            }
            Change::Create { set, value } => {
                let rows = set.collection_mut(tenant).ok_or_else(GraphError::method_not_allowed)?;
                rows.push(value.clone());
                after_write(set, tenant);
                Ok(Some(value.clone()))
            }
            Change::Delete { set, id } => {
                let rows = set.collection_mut(tenant).ok_or_else(GraphError::method_not_allowed)?;
                let mut removed = rows.remove(id).ok_or_else(|| GraphError::not_found(id))?;
                if set.spec.directory {
                    tenant.forget_memberships(id);
                }
                if let Some(recycle) = set.writes.recycle {
                    if let Value::Object(map) = &mut removed {
                        map.insert("deletedDateTime".into(), Value::from(self.at.as_str()));
                    }
                    std::sync::Arc::make_mut(recycle(tenant)).push(removed);
                }
                after_write(set, tenant);
                Ok(None)
            }
            Change::Act { id, apply } => apply(tenant, id, &self.at).map(Some),
            Change::ActOnCollection { call, apply } => apply(tenant, call).map(|()| None),
            Change::CreateWith { call, apply } => apply(tenant, call).map(Some),
            Change::Area(apply) => apply(tenant).map(|()| None),
            Change::ActWithBody { id, planned, apply } => apply(tenant, id, planned, &self.at).map(|()| None),
            Change::AddRef { set, id, navigation, member } => {
                let refs = ref_writes(navigation)?;
                if set.find(tenant, id).is_none() {
                    return Err(GraphError::not_found(id));
                }
                membership_rules(set, tenant, id, navigation)?;
                let (kind, value) = tenant.directory_object(member).ok_or_else(|| GraphError::not_found(member))?;
                let member_id = value.get("id").and_then(Value::as_str).unwrap_or(member).to_string();
                if !(refs.add)(tenant, id, DirectoryRef { kind, id: member_id }) {
                    return Err(GraphError::bad_request(
                        true,
                        format!(
                            "One or more added object references already exist for the following modified properties: '{}'.",
                            navigation.path
                        ),
                    ));
                }
                Ok(None)
            }
            Change::RemoveRef { set, id, navigation, member } => {
                let refs = ref_writes(navigation)?;
                if set.find(tenant, id).is_none() {
                    return Err(GraphError::not_found(id));
                }
                membership_rules(set, tenant, id, navigation)?;
                if !(refs.remove)(tenant, id, member) {
                    return Err(GraphError::not_found(member));
                }
                Ok(None)
            }
        }
    }
}

/// Graph changes the members of assigned security and Microsoft 365 groups only: a dynamic
/// group's members come from its rule (403), and distribution lists and mail-enabled security
/// groups belong to Exchange Online (400), for additions and removals alike.
fn membership_rules(set: &EntitySet, tenant: &Tenant, id: &str, navigation: &Navigation) -> GraphResult<()> {
    if set.path != "groups" || navigation.path != "members" {
        return Ok(());
    }
    let Some(group) = set.find(tenant, id).map(|row| row.item.json()) else {
        return Ok(());
    };
    let types: Vec<&str> = group
        .get("groupTypes")
        .and_then(Value::as_array)
        .map(|t| t.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if types.contains(&"DynamicMembership") {
        return Err(GraphError::new(
            axum::http::StatusCode::FORBIDDEN,
            "Authorization_RequestDenied",
            "Insufficient privileges to complete the operation.",
        ));
    }
    if group.get("mailEnabled") == Some(&Value::Bool(true)) && !types.contains(&"Unified") {
        return Err(GraphError::bad_request(
            true,
            "Cannot Update a mail-enabled security groups and or distribution list.",
        ));
    }
    Ok(())
}

fn after_write(set: &EntitySet, tenant: &mut Tenant) {
    if let Some(hook) = set.writes.after_write {
        hook(tenant);
    }
}

fn ref_writes(navigation: &Navigation) -> GraphResult<super::sets::RefWrites> {
    match navigation.target {
        Target::References { refs: Some(refs), .. } => Ok(refs),
        _ => Err(GraphError::method_not_allowed()),
    }
}

/// `PATCH {set}/{id}`: the properties to set on `current`.
pub fn plan_update(set: &'static EntitySet, current: &Value, body: &[u8]) -> GraphResult<Change> {
    let id = current.get("id").and_then(Value::as_str).unwrap_or_default().to_string();
    let body = object_body(set, body)?;
    let mut properties = checked_properties(set, body, |name| current.get(name).filter(|v| !v.is_null()))?;
    for name in set.writes.merged.iter() {
        if let (Some(Value::Object(given)), Some(Value::Object(stored))) = (properties.get(name), current.get(name)) {
            let mut merged = stored.clone();
            merge_into(&mut merged, given);
            properties.insert(name.into(), Value::Object(merged));
        }
    }
    Ok(Change::Update { set, id, properties })
}

/// Sets every property of `given` on `stored`, descending into nested objects so that what
/// the body leaves out keeps its value; arrays and plain values are replaced.
fn merge_into(stored: &mut Map<String, Value>, given: &Map<String, Value>) {
    for (name, value) in given {
        match (stored.get_mut(name), value) {
            (Some(Value::Object(inner)), Value::Object(nested)) => merge_into(inner, nested),
            _ => {
                stored.insert(name.clone(), value.clone());
            }
        }
    }
}

/// `POST {set}`: the new item, with the id it is given and the stamps of its creation.
pub fn plan_create(
    tenant: &Tenant,
    set: &'static EntitySet,
    body: &[u8],
    id: String,
    now: &str,
) -> GraphResult<Change> {
    let body = object_body(set, body)?;
    let short = short_type(set);
    for name in set.writes.required.iter() {
        if body.get(name).is_none_or(Value::is_null) {
            return Err(GraphError::bad_request(
                set.spec.directory,
                format!("Invalid value specified for property '{name}' of resource '{short}'."),
            ));
        }
    }
    // The existing rows tell which JSON type each property has.
    let rows = set.collection(tenant);
    let template =
        |name: &str| rows.and_then(|rows| rows.items().iter().find_map(|row| row.get(name).filter(|v| !v.is_null())));
    let mut value = checked_properties(set, body, template)?;
    value.insert("id".into(), Value::from(id));
    for name in set.writes.created_stamps.iter() {
        value.insert(name.into(), Value::from(now));
    }
    Ok(Change::Create { set, value: Value::Object(value) })
}

/// `POST {set}` for a set with its own rules ([`super::sets::Writes::create_with`]): the body
/// checked like any creation (required, unknown, read-only and mistyped properties), then
/// handed to those rules with the new id, the caller, the claims their token satisfies and the
/// time.
pub fn plan_create_with(
    tenant: &Tenant,
    set: &'static EntitySet,
    apply: CreateFn,
    body: &[u8],
    call: CreateCall,
) -> GraphResult<Change> {
    let Change::Create { value: Value::Object(mut checked), .. } =
        plan_create(tenant, set, body, call.id.clone(), &call.at)?
    else {
        return Err(GraphError::bad_request(set.spec.directory, "The request body must be a JSON object."));
    };
    // The stamps and the id belong to the item the rules store, not to the body.
    checked.remove("id");
    for name in set.writes.created_stamps.iter() {
        checked.remove(name);
    }
    Ok(Change::CreateWith { call: CreateCall { body: checked, ..call }, apply })
}

/// `POST {set}/{id}/{navigation}/$ref` with `{"@odata.id": "…/directoryObjects/{id}"}`.
pub fn plan_add_ref(
    set: &'static EntitySet,
    id: String,
    navigation: &'static Navigation,
    body: &[u8],
) -> GraphResult<Change> {
    let body = object_body(set, body)?;
    let reference = body.get("@odata.id").and_then(Value::as_str).ok_or_else(|| {
        GraphError::bad_request(true, "The request body must carry an '@odata.id' naming the object to add.")
    })?;
    // `https://graph.microsoft.com/v1.0/directoryObjects/{id}` (or `/users/{id}`, `/groups/{id}`).
    let member = reference.trim_end_matches('/').rsplit('/').next().unwrap_or_default();
    if member.is_empty() || member.contains(['(', ')', '\'']) {
        return Err(GraphError::bad_request(true, format!("Invalid object identifier '{reference}'.")));
    }
    Ok(Change::AddRef { set, id, navigation, member: member.to_string() })
}

/// `POST {set}/{action}` with `{"<field>": [GUID, …]}`: the ids, checked as Graph checks them
/// (the one parameter present, an array of 1 to `max` GUID strings; other properties refused).
pub fn plan_on_collection(
    set: &EntitySet,
    field: &str,
    max: usize,
    apply: CollectionFn,
    body: &[u8],
    caller: &str,
    at: &str,
) -> GraphResult<Change> {
    let mut body = object_body(set, body)?;
    let directory = set.spec.directory;
    if let Some(other) = body.keys().find(|name| *name != field && !name.starts_with("@odata.")) {
        return Err(GraphError::bad_request(
            directory,
            format!("The parameter '{other}' in the request payload is not a valid parameter for the operation."),
        ));
    }
    let Some(Value::Array(given)) = body.remove(field) else {
        return Err(GraphError::bad_request(
            directory,
            format!("The parameter '{field}' is required and must be an array of ids."),
        ));
    };
    if given.is_empty() || given.len() > max {
        return Err(GraphError::bad_request(
            directory,
            format!("The parameter '{field}' must name between 1 and {max} ids; it names {}.", given.len()),
        ));
    }
    let mut ids: Vec<String> = Vec::with_capacity(given.len());
    for value in &given {
        let id = value
            .as_str()
            .filter(|id| id.len() == 36 && uuid::Uuid::try_parse(id).is_ok())
            .ok_or_else(|| {
                GraphError::bad_request(directory, format!("Invalid id '{}' in '{field}'.", text_of(value)))
            })?
            .to_ascii_lowercase();
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    let call = CollectionCall { ids, caller: caller.to_ascii_lowercase(), at: at.to_string() };
    Ok(Change::ActOnCollection { call, apply })
}

fn text_of(value: &Value) -> String {
    value.as_str().map(str::to_string).unwrap_or_else(|| value.to_string())
}

fn object_body(set: &EntitySet, body: &[u8]) -> GraphResult<Map<String, Value>> {
    let directory = set.spec.directory;
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(GraphError::bad_request(directory, "The request body must be a JSON object.")),
        Err(e) => Err(GraphError::bad_request(directory, format!("Invalid request body: {e}"))),
    }
}

/// The body's properties, refused as Graph refuses them: unknown, read-only, or of the wrong
/// JSON type (judged by `template`, an existing value of the property). OData annotations
/// (`@odata.type`) and write-only properties are accepted and not stored.
fn checked_properties<'v>(
    set: &EntitySet,
    body: Map<String, Value>,
    template: impl Fn(&str) -> Option<&'v Value>,
) -> GraphResult<Map<String, Value>> {
    let directory = set.spec.directory;
    let mut out = Map::new();
    for (name, value) in body {
        if name.starts_with("@odata.") || set.writes.write_only.contains(&name) {
            continue;
        }
        if !set.spec.has_property(&name) {
            return Err(GraphError::bad_request(
                directory,
                format!("Property '{name}' does not exist on type '{}'.", set.spec.type_name),
            ));
        }
        if set.writes.read_only.contains(&name) {
            return Err(GraphError::bad_request(
                directory,
                format!("Property '{name}' is read-only and cannot be set."),
            ));
        }
        if let Some(expected) = template(&name).and_then(|t| mismatch(t, &value)) {
            let literal = value.as_str().map(str::to_string).unwrap_or_else(|| value.to_string());
            return Err(GraphError::bad_request(
                directory,
                format!("Cannot convert the literal '{literal}' to the expected type '{expected}'."),
            ));
        }
        out.insert(name, value);
    }
    Ok(out)
}

/// The type `given` should have had, when it is not the JSON type of `template`. Null is
/// accepted wherever the property is nullable, which is everything but booleans and lists.
fn mismatch(template: &Value, given: &Value) -> Option<&'static str> {
    let (expected, fits) = match template {
        Value::Bool(_) => ("Edm.Boolean", given.is_boolean()),
        Value::String(_) => ("Edm.String", given.is_string() || given.is_null()),
        Value::Number(_) => ("Edm.Int32", given.is_number() || given.is_null()),
        Value::Array(_) => ("Collection", given.is_array()),
        Value::Object(_) => ("Edm.ComplexType", given.is_object() || given.is_null()),
        Value::Null => return None,
    };
    (!fits).then_some(expected)
}

/// `User` from `microsoft.graph.user`, as Graph names resources in messages.
fn short_type(set: &EntitySet) -> String {
    let name = set.spec.type_name.rsplit('.').next().unwrap_or(set.spec.type_name);
    let mut chars = name.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}
