//! The directory: users, groups, devices, applications, service principals, subscribed SKUs
//! and the organization, with their relationships (manager and reports, group membership and
//! ownership, registered devices, authentication methods and states, licence details, an app's
//! owners, application permissions, delegated grants and provisioning jobs) and the user actions.

use serde_json::{Value, json};

use crate::demo::tenant::{self, Collection, DirectoryRef, ObjectKind, Tenant};

use super::super::errors::{GraphError, GraphResult};
use super::super::listing::Ctx;
use super::super::schema::{self, Words};
use super::access;
use super::{Action, EntitySet, Navigation, READ_ONLY, READ_WRITE, RefWrites, Run, Source, Target, Writes, field};

pub static SETS: &[EntitySet] = &[
    EntitySet {
        path: "users",
        spec: &schema::USERS,
        source: field!(users),
        lookup: Some(user_by_id_or_upn),
        count_segment: true,
        navigations: &[
            Navigation { path: "manager", target: Target::Single(manager) },
            Navigation { path: "directReports", target: Target::References { related: direct_reports, refs: None } },
            Navigation {
                path: "transitiveReports",
                target: Target::References { related: transitive_reports, refs: None },
            },
            Navigation { path: "memberOf", target: Target::References { related: member_of, refs: None } },
            Navigation {
                path: "transitiveMemberOf",
                target: Target::References { related: transitive_member_of, refs: None },
            },
            Navigation { path: "registeredDevices", target: Target::References { related: owned_devices, refs: None } },
            Navigation { path: "ownedDevices", target: Target::References { related: owned_devices, refs: None } },
            Navigation {
                path: "authentication/methods",
                target: Target::Contained { spec: &schema::AUTHENTICATION_METHODS, rows: authentication_methods },
            },
            Navigation {
                path: "appRoleAssignments",
                target: Target::Contained {
                    spec: &access::APP_ROLE_ASSIGNMENTS,
                    rows: access::user_app_role_assignments,
                },
            },
            Navigation {
                path: "oauth2PermissionGrants",
                target: Target::Contained {
                    spec: &access::OAUTH2_PERMISSION_GRANTS,
                    rows: access::user_oauth2_permission_grants,
                },
            },
            Navigation {
                path: "ownedObjects",
                target: Target::References { related: access::owned_objects, refs: None },
            },
            Navigation {
                path: "licenseDetails",
                target: Target::Contained { spec: &schema::LICENSE_DETAILS, rows: license_details },
            },
            Navigation {
                path: "authentication/requirements",
                target: Target::Object {
                    spec: &schema::STRONG_AUTHENTICATION_REQUIREMENTS,
                    value: authentication_requirements,
                    beta_only: true,
                },
            },
            Navigation {
                path: "authentication/signInPreferences",
                target: Target::Object {
                    spec: &schema::SIGN_IN_PREFERENCES,
                    value: sign_in_preferences,
                    beta_only: true,
                },
            },
        ],
        actions: &[
            Action { name: "checkMemberGroups", run: Run::Query(check_member_groups) },
            Action {
                name: "revokeSignInSessions",
                run: Run::Change { apply: revoke_sign_in_sessions, returns: "Edm.Boolean" },
            },
        ],
        writes: Writes {
            read_only: Words(
                "id createdDateTime deletedDateTime securityIdentifier onPremisesSyncEnabled \
                 onPremisesLastSyncDateTime proxyAddresses signInActivity signInSessionsValidFromDateTime \
                 lastPasswordChangeDateTime onPremisesSamAccountName onPremisesDistinguishedName \
                 onPremisesDomainName onPremisesUserPrincipalName creationType externalUserState \
                 externalUserStateChangeDateTime assignedLicenses assignedPlans licenseAssignmentStates",
            ),
            write_only: Words("passwordProfile"),
            required: Words("accountEnabled displayName mailNickname userPrincipalName passwordProfile"),
            created_stamps: Words("createdDateTime signInSessionsValidFromDateTime"),
            recycle: Some(deleted_users),
            after_write: Some(Tenant::reindex_users),
            ..READ_WRITE
        },
    },
    EntitySet {
        path: "groups",
        spec: &schema::GROUPS,
        source: field!(groups),
        lookup: None,
        count_segment: true,
        navigations: &[
            Navigation {
                path: "members",
                target: Target::References {
                    related: members,
                    refs: Some(RefWrites { add: Tenant::add_member, remove: Tenant::remove_member }),
                },
            },
            Navigation {
                path: "transitiveMembers",
                target: Target::References { related: Tenant::transitive_members, refs: None },
            },
            Navigation { path: "owners", target: Target::References { related: group_owners, refs: None } },
        ],
        actions: &[],
        writes: Writes {
            read_only: Words(
                "id createdDateTime deletedDateTime securityIdentifier onPremisesSyncEnabled \
                 onPremisesLastSyncDateTime proxyAddresses mail renewedDateTime expirationDateTime",
            ),
            required: Words("displayName mailEnabled mailNickname securityEnabled"),
            recycle: Some(deleted_groups),
            ..READ_WRITE
        },
    },
    EntitySet {
        path: "devices",
        spec: &schema::DEVICES,
        source: field!(devices),
        lookup: None,
        count_segment: true,
        navigations: &[
            Navigation { path: "registeredOwners", target: Target::References { related: device_owners, refs: None } },
            Navigation { path: "registeredUsers", target: Target::References { related: device_owners, refs: None } },
        ],
        actions: &[],
        writes: Writes {
            read_only: Words(
                "id createdDateTime registrationDateTime approximateLastSignInDateTime onPremisesSyncEnabled \
                 onPremisesLastSyncDateTime isManaged isCompliant",
            ),
            create: false,
            ..READ_WRITE
        },
    },
    EntitySet {
        path: "servicePrincipals",
        spec: &schema::SERVICE_PRINCIPALS,
        source: field!(service_principals),
        lookup: None,
        count_segment: true,
        navigations: &[
            Navigation { path: "owners", target: Target::References { related: service_principal_owners, refs: None } },
            Navigation {
                path: "appRoleAssignments",
                target: Target::Contained { spec: &schema::APP_ROLE_ASSIGNMENTS, rows: app_role_assignments },
            },
            Navigation {
                path: "oauth2PermissionGrants",
                target: Target::Contained { spec: &schema::OAUTH2_PERMISSION_GRANTS, rows: oauth2_permission_grants },
            },
            Navigation {
                path: "synchronization/jobs",
                target: Target::Contained { spec: &schema::SYNCHRONIZATION_JOBS, rows: synchronization_jobs },
            },
        ],
        actions: &[],
        writes: Writes {
            read_only: Words("id createdDateTime appDisplayName appOwnerOrganizationId"),
            required: Words("appId"),
            ..READ_WRITE
        },
    },
    EntitySet {
        path: "applications",
        spec: &schema::APPLICATIONS,
        source: field!(applications),
        lookup: None,
        count_segment: true,
        navigations: &[Navigation {
            path: "owners",
            target: Target::References { related: application_owners, refs: None },
        }],
        actions: &[],
        writes: Writes {
            read_only: Words("id appId createdDateTime publisherDomain"),
            required: Words("displayName"),
            ..READ_WRITE
        },
    },
    EntitySet {
        path: "subscribedSkus",
        spec: &schema::SUBSCRIBED_SKUS,
        source: Source::Generated(tenant::licences::subscribed),
        lookup: None,
        count_segment: false,
        navigations: &[],
        actions: &[],
        writes: READ_ONLY,
    },
    EntitySet {
        path: "organization",
        spec: &schema::ORGANIZATION,
        source: Source::Generated(tenant::organization),
        lookup: None,
        count_segment: true,
        navigations: &[],
        actions: &[],
        writes: READ_ONLY,
    },
];

fn user_by_id_or_upn<'t>(tenant: &'t Tenant, key: &str) -> Option<&'t Value> {
    tenant.user(key)
}

fn deleted_users(tenant: &mut Tenant) -> &mut std::sync::Arc<Collection> {
    &mut tenant.deleted_users
}

fn deleted_groups(tenant: &mut Tenant) -> &mut std::sync::Arc<Collection> {
    &mut tenant.deleted_groups
}

fn users(ids: Option<&Vec<String>>) -> Vec<DirectoryRef> {
    ids.map(|ids| ids.iter().map(|id| DirectoryRef::user(id.clone())).collect()).unwrap_or_default()
}

fn manager<'t>(tenant: &'t Tenant, user_id: &str) -> Option<(ObjectKind, &'t Value)> {
    let manager = tenant.managers.get(user_id).and_then(|m| tenant.user(m))?;
    Some((ObjectKind::User, manager))
}

fn direct_reports(tenant: &Tenant, user_id: &str) -> Vec<DirectoryRef> {
    users(tenant.direct_reports.get(user_id))
}

fn transitive_reports(tenant: &Tenant, user_id: &str) -> Vec<DirectoryRef> {
    tenant.transitive_reports(user_id).into_iter().map(DirectoryRef::user).collect()
}

fn member_of(tenant: &Tenant, id: &str) -> Vec<DirectoryRef> {
    tenant.member_of.get(id).map(|g| g.iter().map(|g| DirectoryRef::group(g.clone())).collect()).unwrap_or_default()
}

fn transitive_member_of(tenant: &Tenant, id: &str) -> Vec<DirectoryRef> {
    tenant.transitive_member_of(id).into_iter().map(DirectoryRef::group).collect()
}

fn owned_devices(tenant: &Tenant, user_id: &str) -> Vec<DirectoryRef> {
    tenant
        .owned_devices
        .get(user_id)
        .map(|d| d.iter().map(|d| DirectoryRef::device(d.clone())).collect())
        .unwrap_or_default()
}

fn authentication_methods<'t>(tenant: &'t Tenant, user_id: &str) -> &'t [Value] {
    tenant.authentication_methods.get(user_id).map(Vec::as_slice).unwrap_or(&[])
}

fn license_details<'t>(tenant: &'t Tenant, user_id: &str) -> &'t [Value] {
    tenant.license_details.get(user_id).map(Vec::as_slice).unwrap_or(&[])
}

fn authentication_requirements<'t>(tenant: &'t Tenant, user_id: &str) -> Option<&'t Value> {
    tenant.user_authentication_states.get(user_id)?.get("requirements")
}

fn sign_in_preferences<'t>(tenant: &'t Tenant, user_id: &str) -> Option<&'t Value> {
    tenant.user_authentication_states.get(user_id)?.get("signInPreferences")
}

fn members(tenant: &Tenant, group_id: &str) -> Vec<DirectoryRef> {
    tenant.group_members.get(group_id).cloned().unwrap_or_default()
}

fn group_owners(tenant: &Tenant, group_id: &str) -> Vec<DirectoryRef> {
    tenant.group_owners.get(group_id).cloned().unwrap_or_default()
}

fn device_owners(tenant: &Tenant, device_id: &str) -> Vec<DirectoryRef> {
    users(tenant.device_owners.get(device_id))
}

/// An app's provisioning jobs (none for most apps).
fn synchronization_jobs<'t>(tenant: &'t Tenant, service_principal_id: &str) -> &'t [Value] {
    tenant.synchronization_jobs.get(service_principal_id).map(Vec::as_slice).unwrap_or(&[])
}

fn application_owners(tenant: &Tenant, application_id: &str) -> Vec<DirectoryRef> {
    users(tenant.application_owners.get(application_id))
}

fn service_principal_owners(tenant: &Tenant, service_principal_id: &str) -> Vec<DirectoryRef> {
    users(tenant.service_principal_owners.get(service_principal_id))
}

fn app_role_assignments<'t>(tenant: &'t Tenant, service_principal_id: &str) -> &'t [Value] {
    tenant.app_role_assignments.get(service_principal_id).map(Vec::as_slice).unwrap_or(&[])
}

fn oauth2_permission_grants<'t>(tenant: &'t Tenant, service_principal_id: &str) -> &'t [Value] {
    tenant.oauth2_permission_grants.get(service_principal_id).map(Vec::as_slice).unwrap_or(&[])
}

/// `POST /users/{id}/checkMemberGroups`: which of the given groups the user belongs to,
/// directly or through nesting.
fn check_member_groups(ctx: &Ctx<'_>, user_id: &str, body: &[u8]) -> GraphResult<Value> {
    let request: Value = serde_json::from_slice(body)
        .map_err(|e| GraphError::bad_request(true, format!("Invalid request body: {e}")))?;
    let asked: Vec<&str> = request
        .get("groupIds")
        .and_then(Value::as_array)
        .map(|ids| ids.iter().filter_map(Value::as_str).collect())
        .ok_or_else(|| GraphError::bad_request(true, "groupIds is required."))?;
    let groups = ctx.tenant.transitive_member_of(user_id);
    let found: Vec<&str> = asked.into_iter().filter(|id| groups.iter().any(|g| g.eq_ignore_ascii_case(id))).collect();
    Ok(json!({
        "@odata.context": format!("{}/{}/$metadata#Collection(Edm.String)", ctx.base_url, ctx.version),
        "value": found,
    }))
}

/// `POST /users/{id}/revokeSignInSessions`: refresh tokens and session cookies issued before
/// now stop working, which Graph records as `signInSessionsValidFromDateTime`.
fn revoke_sign_in_sessions(tenant: &mut Tenant, user_id: &str, now: &str) -> GraphResult<Value> {
    let users = std::sync::Arc::make_mut(&mut tenant.users);
    let user = users.get_mut(user_id).ok_or_else(|| GraphError::not_found(user_id))?;
    if let Value::Object(map) = user {
        map.insert("signInSessionsValidFromDateTime".into(), Value::from(now));
    }
    Ok(Value::Bool(true))
}

/// `POST /directoryObjects/getByIds`: the objects of the given ids (at most 1000), in the order
/// asked, optionally only of some `types`; ids that name nothing are left out, as Graph does.
pub fn get_by_ids(ctx: &Ctx<'_>, mut q: super::super::query::QueryOptions, body: &[u8]) -> GraphResult<Value> {
    #[derive(serde::Deserialize)]
    struct Body {
        ids: Vec<String>,
        #[serde(default)]
        types: Vec<String>,
    }
    let body: Body = serde_json::from_slice(body)
        .map_err(|e| GraphError::bad_request(false, format!("Invalid request body: {e}")))?;
    if body.ids.is_empty() || body.ids.len() > 1000 {
        return Err(GraphError::bad_request(false, "ids must hold between 1 and 1000 ids."));
    }
    let mut kinds = Vec::new();
    for name in &body.types {
        let cast = format!("microsoft.graph.{}", name.trim_start_matches("microsoft.graph."));
        let kind = ObjectKind::from_cast(&cast)
            .ok_or_else(|| GraphError::bad_request(false, format!("Invalid type '{name}' in types.")))?;
        kinds.push(kind);
    }
    let rows: Vec<super::super::listing::Row<'_>> = body
        .ids
        .iter()
        .filter_map(|id| ctx.tenant.directory_object(id))
        .filter(|(kind, _)| kinds.is_empty() || kinds.contains(kind))
        .map(|(kind, value)| super::super::listing::Row::of_kind(value, kind))
        .collect();
    q.top = Some(1000);
    Ok(super::super::listing::page(ctx, &q, &schema::DIRECTORY_OBJECTS, &rows, true))
}
