//! Names for every id a set of Conditional Access policies mentions, in few calls: users, groups
//! and service principals (agents too) by `POST /directoryObjects/getByIds` (1000 ids a call),
//! roles by template id from one read of the role definitions, apps by appId from the service
//! principals (15 appIds a filter), named locations and authentication strengths each in one
//! read; at most 8 calls in flight. Well-known values (`All`, `Office365`, `AllTrusted` …) are
//! named without a call. An id that cannot be named stays the id, and [`Names::note_unresolved`]
//! says so.

use std::collections::{BTreeSet, HashMap};

use futures::FutureExt;
use futures::future::BoxFuture;
use futures::stream::{self, StreamExt};
use serde::Deserialize;
use serde_json::json;

use crate::graph::resources::{ConditionalAccessPolicy, DirectoryObject, NamedLocation};
use crate::graph::{GraphRequest, Query};
use crate::odata::{Expr, Literal};
use crate::skill::{Ctx, SkillError};

/// The most calls in flight at once.
const IN_FLIGHT: usize = 8;
/// The most ids one `getByIds` call takes.
const BY_IDS_BATCH: usize = 1000;
/// The most values one `in (…)` filter carries.
const IN_BATCH: usize = 15;

/// Microsoft apps a tenant may have no service principal for, by appId.
const WELL_KNOWN_APPS: &[(&str, &str)] = &[
    ("00000002-0000-0ff1-ce00-000000000000", "Office 365 Exchange Online"),
    ("00000003-0000-0ff1-ce00-000000000000", "Office 365 SharePoint Online"),
    ("00000003-0000-0000-c000-000000000000", "Microsoft Graph"),
    ("1fec8e78-bce4-4aaf-ab1b-5451cc387264", "Microsoft Teams"),
    ("c44b4083-3bb0-49c1-b47d-974e53cbdf3c", "Azure Portal"),
    ("797f4846-ba00-4fd7-ba43-dac1f8f63013", "Windows Azure Service Management API"),
    ("4765445b-32c6-49b0-83e6-1d93765276ca", "OfficeHome"),
    ("d4ebce55-015a-49b5-a083-c84d1797ae8c", "Microsoft Intune Enrollment"),
];

/// Built-in directory roles by template id (the same in every tenant), for a role definition
/// the tenant's list does not return.
const WELL_KNOWN_ROLES: &[(&str, &str)] = &[
    ("62e90394-69f5-4237-9190-012177145e10", "Global Administrator"),
    ("194ae4cb-b126-40b2-bd5b-6091b380977d", "Security Administrator"),
    ("f28a1f50-f6e7-4571-818b-6a12f2af6b6c", "SharePoint Administrator"),
    ("29232cdf-9323-42fd-ade2-1d097af3e4de", "Exchange Administrator"),
    ("b1be1c3e-b65d-4f19-8427-f6fa0d97feb9", "Conditional Access Administrator"),
    ("729827e3-9c14-49f7-bb1b-9608f156bbb8", "Helpdesk Administrator"),
    ("b0f54661-2d74-4c50-afa3-1ec803f12efe", "Billing Administrator"),
    ("fe930be7-5e62-47db-91af-98c3a49a38b1", "User Administrator"),
    ("c4e39bd9-1100-46d3-8c65-fb160da0071f", "Authentication Administrator"),
    ("9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3", "Application Administrator"),
    ("158c047a-c907-4556-b7ef-446551a6b5f7", "Cloud Application Administrator"),
    ("966707d0-3269-4727-9be2-8c3a10f19b9d", "Password Administrator"),
    ("7be44c8a-adaf-4e2a-84d6-ab2649e08a13", "Privileged Authentication Administrator"),
    ("e8611ab8-c189-46e8-94e1-60213ab1f814", "Privileged Role Administrator"),
    ("f2ef992c-3afb-46b9-b7cf-a126ee74c451", "Global Reader"),
    ("5d6b6bb7-de71-4623-b4af-96380a352509", "Security Reader"),
    ("d29b2b05-8046-44ba-8758-1e26182fcf32", "Directory Synchronization Accounts"),
];

/// Values that stand for a set rather than an object, in every list of a policy.
const KEYWORDS: &[(&str, &str)] = &[
    ("All", "all"),
    ("None", "none"),
    ("GuestsOrExternalUsers", "guests and external users"),
    ("Office365", "Office 365"),
    ("MicrosoftAdminPortals", "Microsoft admin portals"),
    ("AllTrusted", "all trusted locations"),
    ("ServicePrincipalsInMyTenant", "all service principals in the tenant"),
];

fn keyword(value: &str) -> Option<&'static str> {
    KEYWORDS.iter().find(|(k, _)| k.eq_ignore_ascii_case(value)).map(|(_, w)| *w)
}

fn is_guid(value: &str) -> bool {
    uuid::Uuid::try_parse(value).is_ok()
}

/// Every id a set of policies mentions, by how it is resolved.
#[derive(Debug, Clone, Default)]
pub struct Mentions {
    /// Users, groups, service principals and agents (object ids).
    pub objects: BTreeSet<String>,
    /// Role template ids.
    pub roles: BTreeSet<String>,
    /// appIds.
    pub apps: BTreeSet<String>,
    /// Named location ids.
    pub locations: BTreeSet<String>,
    /// Authentication strength ids without a name in the policy.
    pub strengths: BTreeSet<String>,
}

impl Mentions {
    /// What these policies mention.
    pub fn of(policies: &[ConditionalAccessPolicy]) -> Mentions {
        let mut m = Mentions::default();
        for policy in policies {
            m.add_policy(policy);
        }
        m
    }

    pub fn add_policy(&mut self, policy: &ConditionalAccessPolicy) {
        let ids = |list: &[String]| -> Vec<String> { list.iter().filter(|v| is_guid(v)).cloned().collect() };
        let c = policy.conditions();
        if let Some(users) = &c.users {
            for list in [&users.include_users, &users.exclude_users, &users.include_groups, &users.exclude_groups] {
                self.objects.extend(ids(list));
            }
            self.roles.extend(ids(&users.include_roles));
            self.roles.extend(ids(&users.exclude_roles));
        }
        if let Some(clients) = &c.client_applications {
            for list in [
                &clients.include_service_principals,
                &clients.exclude_service_principals,
                &clients.include_agent_id_service_principals,
                &clients.exclude_agent_id_service_principals,
            ] {
                self.objects.extend(ids(list));
            }
        }
        if let Some(apps) = &c.applications {
            self.apps.extend(ids(&apps.include_applications));
            self.apps.extend(ids(&apps.exclude_applications));
        }
        if let Some(locations) = &c.locations {
            self.locations.extend(ids(&locations.include_locations));
            self.locations.extend(ids(&locations.exclude_locations));
        }
        if let Some(strength) = policy.grant_controls.as_ref().and_then(|g| g.authentication_strength.as_ref())
            && strength.display_name.is_none()
            && !strength.id.is_empty()
        {
            self.strengths.insert(strength.id.clone());
        }
    }
}

/// A directory object's name and kind.
#[derive(Debug, Clone)]
struct Object {
    name: String,
    /// `user`, `group`, `servicePrincipal`, …
    kind: String,
    upn: Option<String>,
}

/// Names for the ids of a set of policies.
#[derive(Debug, Clone, Default)]
pub struct Names {
    objects: HashMap<String, Object>,
    roles: HashMap<String, String>,
    apps: HashMap<String, String>,
    locations: Vec<NamedLocation>,
    strengths: HashMap<String, String>,
    /// Strength names the policies carried themselves.
    embedded_strengths: HashMap<String, String>,
    /// Ids asked for that came back unnamed, and lookups that failed.
    missing: BTreeSet<String>,
    failed: Vec<String>,
}

/// One part of the lookups, as it came back.
enum Part {
    Objects(Result<Vec<DirectoryObject>, SkillError>),
    Roles(Result<Vec<RoleName>, SkillError>),
    Apps(Result<Vec<AppName>, SkillError>),
    Locations(Result<Vec<NamedLocation>, SkillError>),
    Strengths(Result<Vec<StrengthName>, SkillError>),
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RoleName {
    id: String,
    #[serde(default)]
    template_id: Option<String>,
    #[serde(default)]
    display_name: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct AppName {
    #[serde(default)]
    app_id: Option<String>,
    #[serde(default)]
    display_name: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct StrengthName {
    id: String,
    #[serde(default)]
    display_name: Option<String>,
}

#[derive(Debug, Deserialize)]
struct ObjectsPage {
    #[serde(default)]
    value: Vec<DirectoryObject>,
}

/// The tenant's named locations (`GET {CA}/namedLocations`).
pub async fn named_locations(ctx: &Ctx) -> Result<Vec<NamedLocation>, SkillError> {
    let request = GraphRequest::get("/identity/conditionalAccess/namedLocations");
    Ok(ctx.graph.list::<NamedLocation>(request, 500).await?.items)
}

impl Names {
    /// Names every id these policies mention.
    pub async fn resolve(ctx: &Ctx, policies: &[ConditionalAccessPolicy]) -> Names {
        let mut names = Names::resolve_mentions(ctx, Mentions::of(policies)).await;
        for policy in policies {
            if let Some(s) = policy.grant_controls.as_ref().and_then(|g| g.authentication_strength.as_ref())
                && let Some(name) = &s.display_name
            {
                names.embedded_strengths.insert(s.id.to_ascii_lowercase(), name.clone());
            }
        }
        names
    }

    /// Names what `mentions` lists; named locations are read whenever one is mentioned.
    pub async fn resolve_mentions(ctx: &Ctx, mentions: Mentions) -> Names {
        let mut calls: Vec<BoxFuture<'_, Part>> = Vec::new();
        let objects: Vec<String> = mentions.objects.iter().cloned().collect();
        for batch in objects.chunks(BY_IDS_BATCH) {
            let body = json!({"ids": batch, "types": ["user", "group", "servicePrincipal"]});
            let request = GraphRequest::post("/directoryObjects/getByIds", body).read_only();
            calls.push(
                async move { Part::Objects(ctx.graph.get::<ObjectsPage>(request).await.map(|p| p.value)) }.boxed(),
            );
        }
        if !mentions.roles.is_empty() {
            let request = GraphRequest::get("/roleManagement/directory/roleDefinitions").query(Query::new().select(&[
                "id",
                "displayName",
                "templateId",
            ]));
            calls.push(
                async move { Part::Roles(ctx.graph.list::<RoleName>(request, 500).await.map(|p| p.items)) }.boxed(),
            );
        }
        let apps: Vec<String> = mentions.apps.iter().cloned().collect();
        for batch in apps.chunks(IN_BATCH) {
            let values = batch.iter().map(|a| Literal::String(a.clone())).collect();
            let request = GraphRequest::get("/servicePrincipals")
                .query(Query::new().select(&["id", "appId", "displayName"]).filter(Expr::is_in("appId", values)));
            calls.push(
                async move { Part::Apps(ctx.graph.list::<AppName>(request, IN_BATCH * 2).await.map(|p| p.items)) }
                    .boxed(),
            );
        }
        if !mentions.locations.is_empty() {
            calls.push(async move { Part::Locations(named_locations(ctx).await) }.boxed());
        }
        if !mentions.strengths.is_empty() {
            let request = GraphRequest::get("/policies/authenticationStrengthPolicies")
                .query(Query::new().select(&["id", "displayName"]));
            calls.push(
                async move { Part::Strengths(ctx.graph.list::<StrengthName>(request, 200).await.map(|p| p.items)) }
                    .boxed(),
            );
        }
        let parts: Vec<Part> = stream::iter(calls).buffer_unordered(IN_FLIGHT).collect().await;

        let mut names = Names::default();
        for part in parts {
            match part {
                Part::Objects(Ok(found)) => {
                    for o in found {
                        let object = Object {
                            name: o.display_name.clone().unwrap_or_else(|| o.id.clone()),
                            kind: o.kind().to_string(),
                            upn: o.user_principal_name.clone(),
                        };
                        names.objects.insert(o.id.to_ascii_lowercase(), object);
                    }
                }
                Part::Roles(Ok(found)) => {
                    for r in found {
                        let name = r.display_name.clone().unwrap_or_else(|| r.id.clone());
                        let key = r.template_id.clone().unwrap_or_else(|| r.id.clone());
                        names.roles.insert(key.to_ascii_lowercase(), name);
                    }
                }
                Part::Apps(Ok(found)) => {
                    for a in found {
                        if let (Some(app_id), Some(name)) = (a.app_id, a.display_name) {
                            names.apps.insert(app_id.to_ascii_lowercase(), name);
                        }
                    }
                }
                Part::Locations(Ok(found)) => names.locations = found,
                Part::Strengths(Ok(found)) => {
                    for s in found {
                        if let Some(name) = s.display_name {
                            names.strengths.insert(s.id.to_ascii_lowercase(), name);
                        }
                    }
                }
                Part::Objects(Err(e)) => names.failed.push(format!("users, groups and apps ({})", e.kind.as_str())),
                Part::Roles(Err(e)) => names.failed.push(format!("roles ({})", e.kind.as_str())),
                Part::Apps(Err(e)) => names.failed.push(format!("apps ({})", e.kind.as_str())),
                Part::Locations(Err(e)) => names.failed.push(format!("named locations ({})", e.kind.as_str())),
                Part::Strengths(Err(e)) => names.failed.push(format!("authentication strengths ({})", e.kind.as_str())),
            }
        }
        for (id, name) in WELL_KNOWN_ROLES {
            names.roles.entry(id.to_string()).or_insert_with(|| name.to_string());
        }
        for (app_id, name) in WELL_KNOWN_APPS {
            names.apps.entry(app_id.to_string()).or_insert_with(|| name.to_string());
        }
        let mut missing = BTreeSet::new();
        missing.extend(
            mentions.objects.iter().filter(|id| !names.objects.contains_key(&id.to_ascii_lowercase())).cloned(),
        );
        missing.extend(mentions.roles.iter().filter(|id| !names.roles.contains_key(&id.to_ascii_lowercase())).cloned());
        missing.extend(mentions.apps.iter().filter(|id| !names.apps.contains_key(&id.to_ascii_lowercase())).cloned());
        missing.extend(
            mentions
                .locations
                .iter()
                .filter(|id| !names.locations.iter().any(|l| l.id.eq_ignore_ascii_case(id)))
                .cloned(),
        );
        missing.extend(
            mentions.strengths.iter().filter(|id| !names.strengths.contains_key(&id.to_ascii_lowercase())).cloned(),
        );
        names.missing = missing;
        names
    }

    /// Says in a note which ids stayed ids and which lookups failed.
    pub fn note_unresolved(&self, ctx: &Ctx) {
        if !self.failed.is_empty() {
            ctx.note(format!("could not read the names of {}; their ids are shown", self.failed.join(", ")));
        }
        if !self.missing.is_empty() {
            let shown: Vec<&str> = self.missing.iter().take(5).map(String::as_str).collect();
            let more = self.missing.len().saturating_sub(shown.len());
            let more = if more > 0 { format!(" and {more} more") } else { String::new() };
            ctx.note(format!(
                "{} id(s) could not be named (deleted, or not visible to you) and are shown as ids: {}{more}",
                self.missing.len(),
                shown.join(", ")
            ));
        }
    }

    /// Whether this id was resolved to a name (keywords count as named).
    pub fn is_named(&self, id: &str) -> bool {
        keyword(id).is_some() || !self.missing.contains(id)
    }

    fn object(&self, id: &str) -> Option<&Object> {
        self.objects.get(&id.to_ascii_lowercase())
    }

    /// A user, group, service principal or agent: its display name, or the keyword's words, or the id.
    pub fn directory_object(&self, id: &str) -> String {
        if let Some(word) = keyword(id) {
            return word.to_string();
        }
        self.object(id).map(|o| o.name.clone()).unwrap_or_else(|| id.to_string())
    }

    /// A user: display name and UPN.
    pub fn user(&self, id: &str) -> String {
        match self.upn(id) {
            Some(upn) => format!("{} ({upn})", self.directory_object(id)),
            None => self.directory_object(id),
        }
    }

    /// A user's UPN, when known.
    pub fn upn(&self, id: &str) -> Option<&str> {
        self.object(id).and_then(|o| o.upn.as_deref())
    }

    /// The kind of a resolved directory object (`user`, `group`, `servicePrincipal`).
    pub fn kind(&self, id: &str) -> Option<&str> {
        self.object(id).map(|o| o.kind.as_str())
    }

    pub fn group(&self, id: &str) -> String {
        self.directory_object(id)
    }

    /// A directory role, by template id.
    pub fn role(&self, template_id: &str) -> String {
        self.roles.get(&template_id.to_ascii_lowercase()).cloned().unwrap_or_else(|| template_id.to_string())
    }

    /// An app, by appId or keyword.
    pub fn app(&self, app_id: &str) -> String {
        if let Some(word) = keyword(app_id) {
            return match word {
                "all" => "all apps".into(),
                "none" => "no apps".into(),
                other => other.into(),
            };
        }
        self.apps.get(&app_id.to_ascii_lowercase()).cloned().unwrap_or_else(|| app_id.to_string())
    }

    /// A named location, by id or keyword.
    pub fn location(&self, id: &str) -> String {
        if let Some(word) = keyword(id) {
            return if word == "all" { "any location".into() } else { word.into() };
        }
        self.locations
            .iter()
            .find(|l| l.id.eq_ignore_ascii_case(id))
            .and_then(|l| l.display_name.clone())
            .unwrap_or_else(|| id.to_string())
    }

    /// An authentication strength, by id.
    pub fn strength(&self, id: &str) -> String {
        let key = id.to_ascii_lowercase();
        self.embedded_strengths
            .get(&key)
            .or_else(|| self.strengths.get(&key))
            .cloned()
            .unwrap_or_else(|| id.to_string())
    }

    /// The named locations read (for What-If and usage).
    pub fn locations(&self) -> &[NamedLocation] {
        &self.locations
    }
}
