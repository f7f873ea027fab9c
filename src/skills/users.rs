//! The `users` toolset: who a user is, how to find users, what groups they are in, their
//! devices and their sign-in methods.

use std::collections::{BTreeMap, HashSet};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::params::{UserKey, text};
use super::{Access, Ctx, Declaration, Limit, ListInfo, Render, Since, Skill, SkillError, Toolset, UserRef};
use crate::graph::resources::{AuthenticationMethod, Device, Group, User};
use crate::graph::{GraphRequest, Query};
use crate::odata::{Expr, Literal};
use crate::render::{self, fields, or_dash, short_time, table, yes_no};

pub(super) fn skills() -> Vec<Skill> {
    vec![
        Skill::new(GET_USER, get_user),
        Skill::new(SEARCH_USERS, search_users),
        Skill::new(GET_USER_MEMBERSHIPS, get_user_memberships),
        Skill::new(GET_USER_DEVICES, get_user_devices),
        Skill::new(LIST_USER_AUTH_METHODS, list_user_auth_methods),
    ]
}

/// A person named in another object's answer, with the id needed to follow up.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct PersonRef {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upn: Option<String>,
}

/// Turns Graph's 404 on `/users/{key}` into a `not_found` that points at `search_users`.
pub(super) fn user_not_found(key: &UserKey) -> impl Fn(SkillError) -> SkillError + '_ {
    move |e| {
        if e.kind == super::ErrorKind::NotFound {
            let mut nf = SkillError::not_found(key.describe(), "search_users");
            nf.graph = e.graph;
            nf
        } else {
            e
        }
    }
}

/// Resolves a user reference to (object id, UPN, display name) with one small GET.
pub(super) async fn resolve_user(ctx: &Ctx, key: &UserKey) -> Result<PersonRef, SkillError> {
    let request = GraphRequest::get(key.path()).query(Query::new().select(&["id", "displayName", "userPrincipalName"]));
    let user: User = ctx.graph.get(request).await.map_err(user_not_found(key))?;
    Ok(PersonRef { id: user.id, display_name: user.display_name, upn: user.user_principal_name })
}

// ---------------------------------------------------------------------------------------------
// get_user

const GET_USER: Declaration = Declaration {
    name: "get_user",
    title: "Get user",
    description: "One user's profile: id, enabled, member or guest, department, manager, last password change, synced or cloud, last sign-in. Reports Reader for last sign-in.",
    toolset: Toolset::Users,
    permissions: &["User.Read.All", "AuditLog.Read.All"],
    least_role: "none (Reports Reader for last sign-in)",
    access: Access::Read,
    beta: false,
};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetUserParams {
    pub user: UserRef,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct UserProfile {
    pub id: String,
    pub display_name: Option<String>,
    pub upn: Option<String>,
    pub mail: Option<String>,
    pub enabled: Option<bool>,
    /// `Member` or `Guest`.
    pub user_type: Option<String>,
    /// Guests: `Accepted` or `PendingAcceptance`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invitation_state: Option<String>,
    pub department: Option<String>,
    pub job_title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub company: Option<String>,
    pub manager: Option<PersonRef>,
    pub created: Option<String>,
    pub last_password_change: Option<String>,
    /// `synced` from on-premises AD, or `cloud`.
    pub source: String,
    pub last_sign_in: Option<String>,
    pub last_successful_sign_in: Option<String>,
    pub last_non_interactive_sign_in: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub leave_date: Option<String>,
    pub license_count: usize,
}

const USER_PROFILE_FIELDS: &[&str] = &[
    "id",
    "displayName",
    "userPrincipalName",
    "mail",
    "accountEnabled",
    "userType",
    "externalUserState",
    "department",
    "jobTitle",
    "companyName",
    "createdDateTime",
    "lastPasswordChangeDateTime",
    "onPremisesSyncEnabled",
    "employeeLeaveDateTime",
    "assignedLicenses",
];

async fn get_user(ctx: Ctx, p: GetUserParams) -> Result<UserProfile, SkillError> {
    let key = p.user.parse("user")?;
    let mut fields: Vec<&'static str> = USER_PROFILE_FIELDS.to_vec();
    fields.push("signInActivity");
    let expand = "manager($select=id,displayName,userPrincipalName)";
    let with_activity = GraphRequest::get(key.path()).query(Query::new().select(&fields).expand(expand));
    let user: User = match ctx.graph.get(with_activity).await {
        Ok(user) => user,
        // signInActivity needs AuditLog.Read.All and Reports Reader; the rest of the profile
        // does not, so answer without it rather than fail.
        Err(e) if e.kind == super::ErrorKind::Forbidden => {
            ctx.note("last sign-in hidden: needs AuditLog.Read.All and the Reports Reader role");
            let without = GraphRequest::get(key.path()).query(Query::new().select(USER_PROFILE_FIELDS).expand(expand));
            ctx.graph.get(without).await.map_err(user_not_found(&key))?
        }
        Err(e) => return Err(user_not_found(&key)(e)),
    };
    let activity = user.sign_in_activity.unwrap_or_default();
    Ok(UserProfile {
        id: user.id,
        display_name: user.display_name,
        upn: user.user_principal_name,
        mail: user.mail,
        enabled: user.account_enabled,
        user_type: user.user_type,
        invitation_state: user.external_user_state,
        department: user.department,
        job_title: user.job_title,
        company: user.company_name,
        manager: user.manager.map(|m| PersonRef { id: m.id, display_name: m.display_name, upn: m.user_principal_name }),
        created: user.created_date_time,
        last_password_change: user.last_password_change_date_time,
        source: if user.on_premises_sync_enabled == Some(true) { "synced" } else { "cloud" }.to_string(),
        last_sign_in: activity.last_sign_in_date_time,
        last_successful_sign_in: activity.last_successful_sign_in_date_time,
        last_non_interactive_sign_in: activity.last_non_interactive_sign_in_date_time,
        leave_date: user.employee_leave_date_time,
        license_count: user.assigned_licenses.map(|l| l.len()).unwrap_or(0),
    })
}

impl Render for UserProfile {
    fn markdown(&self) -> String {
        let manager = self.manager.as_ref().map(|m| {
            format!(
                "{} ({})",
                m.display_name.clone().unwrap_or_default(),
                m.upn.clone().unwrap_or_else(|| m.id.clone())
            )
        });
        let time = |t: &Option<String>| t.as_deref().map(short_time);
        fields(&[
            ("user", self.display_name.clone()),
            ("upn", self.upn.clone()),
            ("id", Some(self.id.clone())),
            ("enabled", yes_no(self.enabled)),
            ("type", self.user_type.clone()),
            ("invitation", self.invitation_state.clone()),
            ("department", self.department.clone()),
            ("job title", self.job_title.clone()),
            ("company", self.company.clone()),
            ("manager", manager),
            ("source", Some(self.source.clone())),
            ("created", time(&self.created)),
            ("last password change", time(&self.last_password_change)),
            ("last sign-in", time(&self.last_sign_in).or(Some("never or hidden".into()))),
            ("last successful sign-in", time(&self.last_successful_sign_in)),
            ("leave date", time(&self.leave_date)),
            ("licences", Some(self.license_count.to_string())),
        ])
    }
}

// ---------------------------------------------------------------------------------------------
// search_users

const SEARCH_USERS: Declaration = Declaration {
    name: "search_users",
    title: "Search users",
    description: "Find users by name prefix, member or guest, department, company, enabled, created since, inactive since (no sign-in), or unlicensed. Use get_user for one known user. Reports Reader for inactivity.",
    toolset: Toolset::Users,
    permissions: &["User.Read.All", "AuditLog.Read.All"],
    least_role: "none (Reports Reader for inactivity)",
    access: Access::Read,
    beta: false,
};

#[derive(Debug, Clone, Copy, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum UserType {
    Member,
    Guest,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SearchUsersParams {
    /// Start of display name, UPN or mail.
    pub name: Option<String>,
    pub user_type: Option<UserType>,
    /// Any of these departments (exact).
    pub department: Option<Vec<String>>,
    /// Company name (exact).
    pub company: Option<String>,
    pub enabled: Option<bool>,
    /// Created after this time.
    pub created_since: Option<Since>,
    /// No sign-in since this time; cannot be combined with other criteria.
    pub inactive_since: Option<Since>,
    /// Only users without any licence.
    pub unlicensed: Option<bool>,
    #[serde(default)]
    pub limit: Limit,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct UserRow {
    pub id: String,
    pub display_name: Option<String>,
    pub upn: Option<String>,
    pub user_type: Option<String>,
    pub enabled: Option<bool>,
    pub department: Option<String>,
    pub created: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_sign_in: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct UserSearch {
    pub users: Vec<UserRow>,
    #[serde(flatten)]
    pub list: ListInfo,
}

async fn search_users(ctx: Ctx, p: SearchUsersParams) -> Result<UserSearch, SkillError> {
    let limit = p.limit.get()?;
    let mut clauses = Vec::new();
    if let Some(name) = &p.name {
        let name = text("name", name, 120)?;
        clauses.push(
            Expr::starts_with("displayName", name.clone())
                .or(Expr::starts_with("userPrincipalName", name.clone()))
                .or(Expr::starts_with("mail", name)),
        );
    }
    if let Some(kind) = p.user_type {
        clauses.push(Expr::eq("userType", if kind == UserType::Guest { "Guest" } else { "Member" }));
    }
    if let Some(departments) = &p.department {
        if departments.is_empty() || departments.len() > 15 {
            return Err(SkillError::invalid_value(
                "department",
                "needs 1 to 15 names",
                "a list of 1–15 department names",
            ));
        }
        let values = departments
            .iter()
            .map(|d| text("department", d, 120).map(Literal::String))
            .collect::<Result<Vec<_>, _>>()?;
        clauses.push(Expr::is_in("department", values));
    }
    if let Some(company) = &p.company {
        clauses.push(Expr::eq("companyName", text("company", company, 120)?));
    }
    if let Some(enabled) = p.enabled {
        clauses.push(Expr::eq("accountEnabled", enabled));
    }
    if let Some(since) = &p.created_since {
        clauses.push(Expr::ge("createdDateTime", since.resolve("created_since", ctx.now)?));
    }
    if p.unlicensed == Some(true) {
        clauses.push(Expr::eq("assignedLicenses/$count", 0i64));
    }
    let inactive = match &p.inactive_since {
        Some(_) if !clauses.is_empty() => {
            return Err(SkillError::invalid_value(
                "inactive_since",
                "cannot be combined with other criteria (Graph filters sign-in activity alone)",
                "`inactive_since` on its own, then narrow the answer",
            ));
        }
        Some(since) => Some(since.resolve("inactive_since", ctx.now)?),
        None => None,
    };

    let mut select =
        vec!["id", "displayName", "userPrincipalName", "userType", "accountEnabled", "department", "createdDateTime"];
    let mut query = Query::new();
    if let Some(t) = inactive {
        select.push("signInActivity");
        query = query.filter(Expr::le("signInActivity/lastSignInDateTime", t));
    } else {
        // `$count` (and with it `$orderby` next to `$filter`) are advanced queries on users.
        query = query.filter_opt(Expr::conjunction(clauses)).count().orderby("displayName");
    }
    let query = query.select(&select).top(limit.min(999));
    let mut request = GraphRequest::get("/users").query(query);
    if inactive.is_none() {
        request = request.eventual();
    }
    let page = ctx.graph.list::<User>(request, limit).await?;
    let users: Vec<UserRow> = page
        .items
        .into_iter()
        .map(|u| UserRow {
            id: u.id,
            display_name: u.display_name,
            upn: u.user_principal_name,
            user_type: u.user_type,
            enabled: u.account_enabled,
            department: u.department,
            created: u.created_date_time,
            last_sign_in: u.sign_in_activity.and_then(|a| a.last_sign_in_date_time),
        })
        .collect();
    let list = ListInfo::new(users.len(), page.total, page.more, "`name`, `department`, `user_type` or `enabled`");
    Ok(UserSearch { users, list })
}

impl Render for UserSearch {
    fn markdown(&self) -> String {
        let with_activity = self.users.iter().any(|u| u.last_sign_in.is_some());
        let mut headers = vec!["name", "upn", "type", "enabled", "department", "id"];
        if with_activity {
            headers.push("last sign-in (UTC)");
        }
        let rows: Vec<Vec<String>> = self
            .users
            .iter()
            .map(|u| {
                let mut row = vec![
                    or_dash(&u.display_name),
                    or_dash(&u.upn),
                    or_dash(&u.user_type),
                    yes_no(u.enabled).unwrap_or_default(),
                    or_dash(&u.department),
                    u.id.clone(),
                ];
                if with_activity {
                    row.push(u.last_sign_in.as_deref().map(short_time).unwrap_or_else(|| "never".into()));
                }
                row
            })
            .collect();
        let total = self.list.total.map(|t| format!(" of {t}")).unwrap_or_default();
        format!("{} users{total}\n{}{}", self.list.returned, table(&headers, &rows), self.list.footer())
    }
}

// ---------------------------------------------------------------------------------------------
// get_user_memberships

const GET_USER_MEMBERSHIPS: Declaration = Declaration {
    name: "get_user_memberships",
    title: "Get a user's groups",
    description: "The groups a user belongs to, nested included, each marked direct or inherited, with its kind (security, Microsoft 365, dynamic, role-assignable).",
    toolset: Toolset::Users,
    permissions: &["GroupMember.Read.All"],
    least_role: "none",
    access: Access::Read,
    beta: false,
};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetUserMembershipsParams {
    pub user: UserRef,
    #[serde(default)]
    pub limit: Limit,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Membership {
    pub id: String,
    pub display_name: Option<String>,
    /// `security`, `microsoft365`, `mail_enabled_security`, `distribution`.
    pub kind: String,
    pub dynamic: bool,
    pub role_assignable: bool,
    /// A direct member; otherwise inherited through a nested group.
    pub direct: bool,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct UserMemberships {
    pub user: String,
    pub groups: Vec<Membership>,
    #[serde(flatten)]
    pub list: ListInfo,
}

const GROUP_FIELDS: &[&str] = &[
    "id",
    "displayName",
    "groupTypes",
    "securityEnabled",
    "mailEnabled",
    "isAssignableToRole",
    "membershipRuleProcessingState",
];

async fn get_user_memberships(ctx: Ctx, p: GetUserMembershipsParams) -> Result<UserMemberships, SkillError> {
    let key = p.user.parse("user")?;
    let limit = p.limit.get()?;
    let base = key.path();
    // Type-cast membership queries are advanced queries: ConsistencyLevel + $count.
    let transitive = GraphRequest::get(format!("{base}/transitiveMemberOf/microsoft.graph.group"))
        .query(Query::new().select(GROUP_FIELDS).count().top(limit.min(999)))
        .eventual();
    let direct = GraphRequest::get(format!("{base}/memberOf/microsoft.graph.group"))
        .query(Query::new().select(&["id"]).count().top(999))
        .eventual();
    let (transitive, direct) =
        tokio::join!(ctx.graph.list::<Group>(transitive, limit), ctx.graph.list::<Group>(direct, 5000));
    let transitive = transitive.map_err(user_not_found(&key))?;
    let direct: HashSet<String> = direct.map_err(user_not_found(&key))?.items.into_iter().map(|g| g.id).collect();
    let groups: Vec<Membership> = transitive
        .items
        .into_iter()
        .map(|g| Membership {
            direct: direct.contains(&g.id),
            kind: g.kind().to_string(),
            dynamic: g.is_dynamic(),
            role_assignable: g.is_assignable_to_role == Some(true),
            id: g.id,
            display_name: g.display_name,
        })
        .collect();
    let list = ListInfo::new(groups.len(), transitive.total, transitive.more, "`limit`");
    Ok(UserMemberships { user: key.label(), groups, list })
}

impl Render for UserMemberships {
    fn markdown(&self) -> String {
        let rows: Vec<Vec<String>> = self
            .groups
            .iter()
            .map(|g| {
                let mut kind = g.kind.clone();
                if g.dynamic {
                    kind.push_str(", dynamic");
                }
                if g.role_assignable {
                    kind.push_str(", role-assignable");
                }
                vec![or_dash(&g.display_name), kind, if g.direct { "direct" } else { "nested" }.into(), g.id.clone()]
            })
            .collect();
        let total = self.list.total.unwrap_or(self.list.returned as u64);
        format!(
            "{} is in {total} groups\n{}{}",
            self.user,
            table(&["group", "kind", "membership", "id"], &rows),
            self.list.footer()
        )
    }
}

// ---------------------------------------------------------------------------------------------
// get_user_devices

const GET_USER_DEVICES: Declaration = Declaration {
    name: "get_user_devices",
    title: "Get a user's devices",
    description: "A user's registered and owned devices: OS and version, join type, compliant, managed, last seen.",
    toolset: Toolset::Users,
    permissions: &["User.Read.All", "Device.Read.All"],
    least_role: "none",
    access: Access::Read,
    beta: false,
};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetUserDevicesParams {
    pub user: UserRef,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct UserDevice {
    pub id: String,
    /// The device's own id (`deviceId`), as sign-in logs show it.
    pub device_id: Option<String>,
    pub display_name: Option<String>,
    pub os: Option<String>,
    pub os_version: Option<String>,
    /// `entra_joined`, `registered` (personal, workplace-joined) or `hybrid_joined`.
    pub join_type: Option<String>,
    pub compliant: Option<bool>,
    pub managed: Option<bool>,
    pub enabled: Option<bool>,
    pub last_seen: Option<String>,
    /// `owner`, `user`, or both.
    pub relation: Vec<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct UserDevices {
    pub devices: Vec<UserDevice>,
}

const DEVICE_FIELDS: &[&str] = &[
    "id",
    "deviceId",
    "displayName",
    "operatingSystem",
    "operatingSystemVersion",
    "trustType",
    "isCompliant",
    "isManaged",
    "accountEnabled",
    "approximateLastSignInDateTime",
];

pub(super) fn join_type(trust_type: Option<&str>) -> Option<String> {
    trust_type.map(|t| match t {
        "AzureAd" => "entra_joined".to_string(),
        "Workplace" => "registered".to_string(),
        "ServerAd" => "hybrid_joined".to_string(),
        other => other.to_string(),
    })
}

async fn get_user_devices(ctx: Ctx, p: GetUserDevicesParams) -> Result<UserDevices, SkillError> {
    let key = p.user.parse("user")?;
    let base = key.path();
    let query = || Query::new().select(DEVICE_FIELDS).top(100);
    let owned = GraphRequest::get(format!("{base}/ownedDevices")).query(query());
    let registered = GraphRequest::get(format!("{base}/registeredDevices")).query(query());
    let (owned, registered) =
        tokio::join!(ctx.graph.list::<Device>(owned, 500), ctx.graph.list::<Device>(registered, 500));
    let owned = owned.map_err(user_not_found(&key))?;
    let registered = registered.map_err(user_not_found(&key))?;
    let mut by_id: BTreeMap<String, UserDevice> = BTreeMap::new();
    for (relation, devices) in [("owner", owned.items), ("user", registered.items)] {
        for d in devices {
            by_id
                .entry(d.id.clone())
                .or_insert_with(|| UserDevice {
                    join_type: join_type(d.trust_type.as_deref()),
                    id: d.id,
                    device_id: d.device_id,
                    display_name: d.display_name,
                    os: d.operating_system,
                    os_version: d.operating_system_version,
                    compliant: d.is_compliant,
                    managed: d.is_managed,
                    enabled: d.account_enabled,
                    last_seen: d.approximate_last_sign_in_date_time,
                    relation: Vec::new(),
                })
                .relation
                .push(relation.to_string());
        }
    }
    let mut devices: Vec<UserDevice> = by_id.into_values().collect();
    devices.sort_by(|a, b| b.last_seen.cmp(&a.last_seen));
    Ok(UserDevices { devices })
}

impl Render for UserDevices {
    fn markdown(&self) -> String {
        let rows: Vec<Vec<String>> = self
            .devices
            .iter()
            .map(|d| {
                vec![
                    or_dash(&d.display_name),
                    format!("{} {}", d.os.clone().unwrap_or_default(), d.os_version.clone().unwrap_or_default())
                        .trim()
                        .to_string(),
                    or_dash(&d.join_type),
                    yes_no(d.compliant).unwrap_or_else(|| "-".into()),
                    yes_no(d.managed).unwrap_or_else(|| "-".into()),
                    d.last_seen.as_deref().map(short_time).unwrap_or_else(|| "-".into()),
                    d.relation.join("+"),
                    d.id.clone(),
                ]
            })
            .collect();
        format!(
            "{} devices\n{}",
            self.devices.len(),
            table(&["device", "os", "join", "compliant", "managed", "last seen (UTC)", "relation", "id"], &rows)
        )
    }
}

// ---------------------------------------------------------------------------------------------
// list_user_auth_methods

const LIST_USER_AUTH_METHODS: Declaration = Declaration {
    name: "list_user_auth_methods",
    title: "List a user's MFA methods",
    description: "The sign-in methods a user has registered (password, Authenticator, phone, FIDO2, Windows Hello…): can they do MFA, is any phishing-resistant. Global Reader.",
    toolset: Toolset::Users,
    permissions: &["UserAuthenticationMethod.Read.All"],
    least_role: "Global Reader",
    access: Access::Read,
    beta: false,
};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListUserAuthMethodsParams {
    pub user: UserRef,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct AuthMethodRow {
    /// `password`, `microsoft_authenticator`, `phone`, `fido2`, `windows_hello`, `email`,
    /// `software_oath`, `temporary_access_pass`, `platform_credential`.
    pub kind: String,
    pub id: String,
    /// Device name, phone number or key model.
    pub detail: Option<String>,
    pub created: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct UserAuthMethods {
    pub methods: Vec<AuthMethodRow>,
    /// Has a method other than the password.
    pub mfa_capable: bool,
    /// Has FIDO2, Windows Hello for Business or a platform credential.
    pub phishing_resistant: bool,
}

fn method_kind(odata_type: &str) -> &str {
    match odata_type.strip_prefix("#microsoft.graph.").unwrap_or(odata_type) {
        "passwordAuthenticationMethod" => "password",
        "microsoftAuthenticatorAuthenticationMethod" => "microsoft_authenticator",
        "phoneAuthenticationMethod" => "phone",
        "fido2AuthenticationMethod" => "fido2",
        "windowsHelloForBusinessAuthenticationMethod" => "windows_hello",
        "emailAuthenticationMethod" => "email",
        "softwareOathAuthenticationMethod" => "software_oath",
        "temporaryAccessPassAuthenticationMethod" => "temporary_access_pass",
        "platformCredentialAuthenticationMethod" => "platform_credential",
        other => other,
    }
}

async fn list_user_auth_methods(ctx: Ctx, p: ListUserAuthMethodsParams) -> Result<UserAuthMethods, SkillError> {
    let key = p.user.parse("user")?;
    let request = GraphRequest::get(format!("{}/authentication/methods", key.path()));
    let page = ctx.graph.list::<AuthenticationMethod>(request, 100).await.map_err(user_not_found(&key))?;
    let methods: Vec<AuthMethodRow> = page
        .items
        .into_iter()
        .map(|m| {
            let kind = method_kind(m.odata_type.as_deref().unwrap_or_default()).to_string();
            let detail = match kind.as_str() {
                "phone" => m.phone_number.map(|n| format!("{n} ({})", m.phone_type.unwrap_or_else(|| "phone".into()))),
                "fido2" => m.display_name.or(m.model),
                "email" => m.email_address,
                _ => m.display_name,
            };
            AuthMethodRow { kind, id: m.id, detail: render::trim_opt(detail), created: m.created_date_time }
        })
        .collect();
    let mfa_capable = methods.iter().any(|m| m.kind != "password");
    let phishing_resistant =
        methods.iter().any(|m| matches!(m.kind.as_str(), "fido2" | "windows_hello" | "platform_credential"));
    Ok(UserAuthMethods { methods, mfa_capable, phishing_resistant })
}

impl Render for UserAuthMethods {
    fn markdown(&self) -> String {
        let rows: Vec<Vec<String>> = self
            .methods
            .iter()
            .map(|m| {
                vec![
                    m.kind.clone(),
                    or_dash(&m.detail),
                    m.created.as_deref().map(short_time).unwrap_or_else(|| "-".into()),
                ]
            })
            .collect();
        format!(
            "mfa capable: {}; phishing-resistant: {}\n{}",
            if self.mfa_capable { "yes" } else { "no" },
            if self.phishing_resistant { "yes" } else { "no" },
            table(&["method", "detail", "registered (UTC)"], &rows)
        )
    }
}
