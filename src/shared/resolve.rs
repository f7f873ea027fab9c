//! Name resolution, once for every skill: a `group`, `app`, `role`, `policy`, `device`,
//! `review`, `workflow`, `catalog`, `access_package` or `location` argument is a display name or
//! an id. An id wins (for apps, an appId too); otherwise the exact name matches,
//! case-insensitively (a role name also tolerantly: `roles.rs`); none is `not_found` naming the
//! skill that searches; several is `ambiguous` with up to 10 candidates and what tells them
//! apart. The requests made show in the answer's request trail like any other.

use serde::de::DeserializeOwned;

use super::params::{guid, shorten};
use crate::error::{ErrorKind, SkillError};
use crate::graph::{GraphRequest, Query, segment};
use crate::odata::Expr;
use crate::skill::Ctx;

/// How one kind of object is looked up.
#[derive(Debug, Clone, Copy)]
pub struct Kind {
    /// The word for it in messages (`group`, `app`).
    pub noun: &'static str,
    /// The argument that names it.
    pub field: &'static str,
    /// Its collection (`/groups`).
    pub collection: &'static str,
    /// The property that holds its name.
    pub name_property: &'static str,
    /// A second GUID key that also wins over the name (`appId` for apps).
    pub alternate_key: Option<&'static str>,
    /// Graph filters this collection by name; otherwise the (small) collection is read and
    /// matched here.
    pub filter_by_name: bool,
    /// The skill that finds candidates, named in `not_found`.
    pub search_skill: &'static str,
}

/// What the resolver needs to know of a resolved object.
pub trait Named: DeserializeOwned {
    fn object_id(&self) -> &str;
    fn name(&self) -> Option<&str>;
    /// What tells two objects of one name apart (kind, mail, appId …).
    fn distinguishing(&self) -> String;
}

pub const GROUP: Kind = Kind {
    noun: "group",
    field: "group",
    collection: "/groups",
    name_property: "displayName",
    alternate_key: None,
    filter_by_name: true,
    search_skill: "get_user_memberships",
};

pub const APP: Kind = Kind {
    noun: "app",
    field: "app",
    collection: "/servicePrincipals",
    name_property: "displayName",
    alternate_key: Some("appId"),
    filter_by_name: true,
    search_skill: "list_sign_ins",
};

pub const DEVICE: Kind = Kind {
    noun: "device",
    field: "device",
    collection: "/devices",
    name_property: "displayName",
    alternate_key: Some("deviceId"),
    filter_by_name: true,
    search_skill: "get_user_devices",
};

/// Directory roles: beyond the exact name, a role name matches tolerantly ("global admin" is
/// Global Administrator; `roles.rs`), and a miss names the closest roles.
pub const ROLE: Kind = Kind {
    noun: "role",
    field: "role",
    collection: "/roleManagement/directory/roleDefinitions",
    name_property: "displayName",
    alternate_key: None,
    filter_by_name: true,
    search_skill: "get_role_definition",
};

/// Conditional Access policies are few, and Graph does not filter them by name: read and match.
pub const POLICY: Kind = Kind {
    noun: "policy",
    field: "policy",
    collection: "/identity/conditionalAccess/policies",
    name_property: "displayName",
    alternate_key: None,
    filter_by_name: false,
    search_skill: "list_sign_ins",
};

pub const LOCATION: Kind = Kind {
    noun: "named location",
    field: "location",
    collection: "/identity/conditionalAccess/namedLocations",
    name_property: "displayName",
    alternate_key: None,
    filter_by_name: false,
    search_skill: "list_sign_ins",
};

/// The most candidates an `ambiguous` error lists.
pub(super) const CANDIDATES: usize = 10;

/// The object id a `group`-like argument gives, if it gives one: with an id, what hangs off the
/// object need not wait for its lookup, and both go out in one round trip.
pub fn given_id(value: &str) -> Option<String> {
    guid(value).map(|id| id.to_string())
}

/// Checks a name or id argument before it goes anywhere near Graph.
fn checked<'a>(kind: &Kind, value: &'a str) -> Result<&'a str, SkillError> {
    let value = value.trim();
    if value.is_empty() || value.chars().count() > 256 || value.chars().any(char::is_control) {
        return Err(SkillError::invalid_value(
            kind.field,
            format!("`{}` is not a {} name or id", shorten(value), kind.noun),
            &format!("a {}'s object id or its exact display name", kind.noun),
        ));
    }
    Ok(value)
}

/// Resolves a name or id to one object, reading `select` (which must include the id and the
/// name property).
pub async fn resolve<T: Named>(
    ctx: &Ctx,
    kind: &Kind,
    value: &str,
    select: &'static [&'static str],
) -> Result<T, SkillError> {
    let value = checked(kind, value)?;
    if let Some(id) = guid(value) {
        let id = id.to_string();
        let by_id =
            GraphRequest::get(format!("{}/{}", kind.collection, segment(&id))).query(Query::new().select(select));
        match ctx.graph.get::<T>(by_id).await {
            Ok(found) => return Ok(found),
            Err(e) if e.kind != ErrorKind::NotFound => return Err(e),
            Err(e) => {
                let Some(key) = kind.alternate_key else {
                    // Keep Graph's status and request-id of the failed lookup.
                    let mut missing = not_found(kind, &format!("{} {id}", kind.noun));
                    missing.graph = e.graph;
                    return Err(missing);
                };
                let request = GraphRequest::get(kind.collection)
                    .query(Query::new().select(select).filter(Expr::eq(key, id.as_str())).top(2));
                let mut found = ctx.graph.list::<T>(request, 2).await?.items;
                return match found.len() {
                    0 => Err(not_found(kind, &format!("{} with id or {key} {id}", kind.noun))),
                    _ => Ok(found.remove(0)),
                };
            }
        }
    }
    let query = if kind.filter_by_name {
        Query::new().select(select).filter(Expr::eq(kind.name_property, value)).top(CANDIDATES + 1)
    } else {
        Query::new().select(select)
    };
    let cap = if kind.filter_by_name { CANDIDATES + 1 } else { 500 };
    let listed = ctx.graph.list::<T>(GraphRequest::get(kind.collection).query(query), cap).await?.items;
    let mut matches: Vec<T> =
        listed.into_iter().filter(|o| o.name().is_some_and(|n| n.trim().eq_ignore_ascii_case(value))).collect();
    match matches.len() {
        0 if kind.collection == ROLE.collection => super::roles::resolve_loosely(ctx, kind, value, select).await,
        0 => Err(not_found(kind, &format!("{} named '{}'", kind.noun, shorten(value)))),
        1 => Ok(matches.remove(0)),
        n => {
            let candidates = matches
                .iter()
                .take(CANDIDATES)
                .map(|o| format!("{} ({})", o.object_id(), o.distinguishing()))
                .collect::<Vec<_>>()
                .join("; ");
            Err(SkillError::new(
                ErrorKind::Ambiguous,
                format!("{n} {}s are named '{}': {candidates}", kind.noun, shorten(value)),
            )
            .with_remedy(format!("call again with the object id of the one you mean as `{}`", kind.field)))
        }
    }
}

pub(super) fn not_found(kind: &Kind, what: &str) -> SkillError {
    SkillError::not_found(what, kind.search_skill).with_remedy(format!(
        "give the exact display name or the object id as `{}`, or find it with `{}`",
        kind.field, kind.search_skill
    ))
}

impl Named for crate::graph::resources::Group {
    fn object_id(&self) -> &str {
        &self.id
    }
    fn name(&self) -> Option<&str> {
        self.display_name.as_deref()
    }
    fn distinguishing(&self) -> String {
        format!("{}, {}", self.kind(), self.mail.clone().unwrap_or_else(|| "no mail".into()))
    }
}

impl Named for crate::graph::resources::ServicePrincipal {
    fn object_id(&self) -> &str {
        &self.id
    }
    fn name(&self) -> Option<&str> {
        self.display_name.as_deref()
    }
    fn distinguishing(&self) -> String {
        format!("appId {}", self.app_id.as_deref().unwrap_or("unknown"))
    }
}

impl Named for crate::graph::resources::Device {
    fn object_id(&self) -> &str {
        &self.id
    }
    fn name(&self) -> Option<&str> {
        self.display_name.as_deref()
    }
    fn distinguishing(&self) -> String {
        let os = self.operating_system.as_deref().unwrap_or("unknown OS");
        format!("{os}, deviceId {}", self.device_id.as_deref().unwrap_or("unknown"))
    }
}

impl Named for crate::graph::resources::RoleDefinition {
    fn object_id(&self) -> &str {
        &self.id
    }
    fn name(&self) -> Option<&str> {
        self.display_name.as_deref()
    }
    fn distinguishing(&self) -> String {
        if self.is_built_in == Some(false) { "custom role" } else { "built-in role" }.to_string()
    }
}

impl Named for crate::graph::resources::ConditionalAccessPolicy {
    fn object_id(&self) -> &str {
        &self.id
    }
    fn name(&self) -> Option<&str> {
        self.display_name.as_deref()
    }
    fn distinguishing(&self) -> String {
        format!("state {}", self.state.as_deref().unwrap_or("unknown"))
    }
}

impl Named for crate::graph::resources::NamedLocation {
    fn object_id(&self) -> &str {
        &self.id
    }
    fn name(&self) -> Option<&str> {
        self.display_name.as_deref()
    }
    fn distinguishing(&self) -> String {
        let kind = self.odata_type.as_deref().unwrap_or_default().trim_start_matches("#microsoft.graph.");
        if kind.is_empty() { "named location".to_string() } else { kind.to_string() }
    }
}
