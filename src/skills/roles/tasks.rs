//! The project's own table of admin tasks and the least-privileged built-in Entra role for
//! each, written from Microsoft Entra's "least privileged roles by task" guidance and the
//! built-in roles reference (template ids and the privileged label from there). Roles that can
//! also do a task, less narrowly, are its alternatives; Global Administrator is never listed as
//! one, since it can do everything.
//!
//! A task is found by keyword scoring: the admin's words, normalised (case, plurals, a few
//! synonyms), score against each task's keywords (2 each) and the words of its description
//! (1 each). The best three are offered; the model picks when unsure.

/// A built-in role: name, template id (a built-in role's id in every tenant), and whether
/// Entra labels it privileged.
pub struct BuiltInRole {
    pub name: &'static str,
    pub template_id: &'static str,
    pub privileged: bool,
}

const fn role(name: &'static str, template_id: &'static str, privileged: bool) -> BuiltInRole {
    BuiltInRole { name, template_id, privileged }
}

pub const ROLES: &[BuiltInRole] = &[
    role("Agent ID Administrator", "db506228-d27e-4b7d-95e5-295956d6615f", true),
    role("Application Administrator", "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3", true),
    role("Application Developer", "cf1c38e5-3621-4004-a7cb-879624dced7c", true),
    role("Attribute Assignment Administrator", "58a13ea3-c632-46ae-9ee0-9c0d43cd7f3d", false),
    role("Attribute Definition Administrator", "8424c6f0-a189-499e-bbd0-26c1753c96d4", false),
    role("Authentication Administrator", "c4e39bd9-1100-46d3-8c65-fb160da0071f", true),
    role("Authentication Policy Administrator", "0526716b-113d-4c15-b2c8-68e3c22b9f80", false),
    role("Billing Administrator", "b0f54661-2d74-4c50-afa3-1ec803f12efe", false),
    role("Cloud Application Administrator", "158c047a-c907-4556-b7ef-446551a6b5f7", true),
    role("Cloud Device Administrator", "7698a772-787b-4ac8-901f-60d6b08affd2", true),
    role("Conditional Access Administrator", "b1be1c3e-b65d-4f19-8427-f6fa0d97feb9", true),
    role("Directory Readers", "88d8e3e3-8f55-4a1e-953a-9b9898b8876b", false),
    role("Domain Name Administrator", "8329153b-31d0-4727-b945-745eb3bc5f31", true),
    role("Exchange Administrator", "29232cdf-9323-42fd-ade2-1d097af3e4de", false),
    role("External Identity Provider Administrator", "be2f45a1-457d-42af-a067-6ec1fa63bc45", true),
    role("Global Administrator", "62e90394-69f5-4237-9190-012177145e10", true),
    role("Global Reader", "f2ef992c-3afb-46b9-b7cf-a126ee74c451", true),
    role("Global Secure Access Administrator", "ac434307-12b9-4fa1-a708-88bf58caabc1", false),
    role("Global Secure Access Log Reader", "843318fb-79a6-4168-9e6f-aa9a07481cc4", false),
    role("Groups Administrator", "fdd7a751-b60b-444a-984c-02652fe8fa1c", false),
    role("Guest Inviter", "95e79109-95c0-4d8e-aee3-d01accf2d47b", false),
    role("Helpdesk Administrator", "729827e3-9c14-49f7-bb1b-9608f156bbb8", true),
    role("Hybrid Identity Administrator", "8ac3fc64-6eca-42ea-9e69-59f4c7b60eb2", true),
    role("Identity Governance Administrator", "45d8d3c5-c802-45c6-b32a-1d70b5e1e86e", false),
    role("Intune Administrator", "3a2c62db-5318-420d-8d74-23affee5d9d5", true),
    role("License Administrator", "4d6ac14f-3453-41d0-bef9-a3e0c569773a", false),
    role("Lifecycle Workflows Administrator", "59d46f88-662b-457b-bceb-5c3809e5908f", true),
    role("Message Center Reader", "790c1fb9-7f7d-4f88-86a1-ef1f95c05c1b", false),
    role("Organizational Branding Administrator", "92ed04bf-c94a-4b82-9729-b799a7a4c178", false),
    role("Password Administrator", "966707d0-3269-4727-9be2-8c3a10f19b9d", true),
    role("Privileged Authentication Administrator", "7be44c8a-adaf-4e2a-84d6-ab2649e08a13", true),
    role("Privileged Role Administrator", "e8611ab8-c189-46e8-94e1-60213ab1f814", true),
    role("Reports Reader", "4a5d8f65-41da-4de4-8968-e035b65339cf", false),
    role("Security Administrator", "194ae4cb-b126-40b2-bd5b-6091b380977d", true),
    role("Security Operator", "5f2222b1-57c3-48ba-8ad5-d4759f1fde6f", true),
    role("Security Reader", "5d6b6bb7-de71-4623-b4af-96380a352509", true),
    role("Service Support Administrator", "f023fd81-a637-4b56-95fd-791ac0226033", false),
    role("SharePoint Administrator", "f28a1f50-f6e7-4571-818b-6a12f2af6b6c", false),
    role("Teams Administrator", "69091246-20e8-4a56-aa4d-066075b2a7a8", false),
    role("Tenant Creator", "112ca1a2-15ad-4102-995e-45b0bc479a6a", false),
    role("Usage Summary Reports Reader", "75934031-6c7e-415a-99d7-48dbd49e875e", false),
    role("User Administrator", "fe930be7-5e62-47db-91af-98c3a49a38b1", true),
];

/// A built-in role of the table by name.
pub fn built_in(name: &str) -> Option<&'static BuiltInRole> {
    ROLES.iter().find(|r| r.name.eq_ignore_ascii_case(name))
}

/// One admin task.
pub struct Task {
    /// What the admin does, in the project's words.
    pub task: &'static str,
    /// The feature area.
    pub area: &'static str,
    /// The least-privileged built-in role that can do it.
    pub least: &'static str,
    /// Other roles that can do it (more broadly).
    pub also: &'static [&'static str],
    /// Words an admin may use for it beyond those of `task`.
    pub keywords: &'static [&'static str],
}

const fn task(
    area: &'static str,
    task: &'static str,
    least: &'static str,
    also: &'static [&'static str],
    keywords: &'static [&'static str],
) -> Task {
    Task { task, area, least, also, keywords }
}

const USER_ADMIN: &str = "User Administrator";
const SECURITY_ADMIN: &str = "Security Administrator";
const SECURITY_READER: &str = "Security Reader";
const PRA: &str = "Privileged Role Administrator";
const PAA: &str = "Privileged Authentication Administrator";
const AUTH_ADMIN: &str = "Authentication Administrator";
const AUTH_POLICY_ADMIN: &str = "Authentication Policy Administrator";
const CA_ADMIN: &str = "Conditional Access Administrator";
const CLOUD_APP_ADMIN: &str = "Cloud Application Administrator";
const APP_ADMIN: &str = "Application Administrator";
const IGA: &str = "Identity Governance Administrator";

pub const TASKS: &[Task] = &[
    // Users
    task(
        "users",
        "create, update or delete user accounts",
        USER_ADMIN,
        &[],
        &["user", "account", "create", "new", "delete", "remove", "edit", "onboard"],
    ),
    task(
        "users",
        "block or unblock a user's sign-in (disable or enable the account)",
        USER_ADMIN,
        &[],
        &["block", "unblock", "disable", "enable", "account"],
    ),
    task(
        "users",
        "restore a deleted user from the recycle bin",
        USER_ADMIN,
        &[],
        &["restore", "undelete", "deleted", "recycle", "user"],
    ),
    task(
        "users",
        "change a user's profile, department, manager or UPN (non-admins)",
        USER_ADMIN,
        &[],
        &["profile", "attribute", "department", "manager", "upn", "rename", "title"],
    ),
    task(
        "users",
        "invite a guest user from a partner organisation",
        "Guest Inviter",
        &[USER_ADMIN],
        &["invite", "guest", "b2b", "external", "partner"],
    ),
    task(
        "users",
        "resend or reset a guest's invitation",
        USER_ADMIN,
        &[],
        &["resend", "reset", "invitation", "guest", "redeem"],
    ),
    task(
        "users",
        "read users, groups and basic directory information",
        "Directory Readers",
        &["Global Reader"],
        &["read", "list", "directory", "user", "group", "lookup"],
    ),
    // Passwords and sessions
    task(
        "passwords",
        "reset the password of a non-admin user",
        "Password Administrator",
        &["Helpdesk Administrator", AUTH_ADMIN, USER_ADMIN],
        &["reset", "password", "forgot", "locked", "pwd"],
    ),
    task(
        "passwords",
        "reset the password of a limited admin (helpdesk, user or password administrators)",
        USER_ADMIN,
        &[PAA],
        &["reset", "password", "admin", "helpdesk"],
    ),
    task(
        "passwords",
        "reset the password of a privileged administrator (Global Administrator and the like)",
        PAA,
        &[],
        &["reset", "password", "privileged", "admin", "global"],
    ),
    task(
        "passwords",
        "sign a non-admin user out everywhere (revoke sessions and refresh tokens)",
        "Helpdesk Administrator",
        &[USER_ADMIN],
        &["revoke", "session", "sign", "out", "token", "refresh", "logout", "compromised"],
    ),
    task(
        "passwords",
        "sign an administrator out everywhere (revoke a privileged user's sessions)",
        PAA,
        &[],
        &["revoke", "session", "admin", "privileged", "token"],
    ),
    task(
        "passwords",
        "configure self-service password reset (SSPR) properties",
        USER_ADMIN,
        &[],
        &["sspr", "self", "service", "password", "reset", "configure"],
    ),
    // Authentication methods
    task(
        "authentication",
        "add, change or remove a non-admin user's authentication methods (phone, Authenticator, FIDO2)",
        AUTH_ADMIN,
        &[PAA],
        &["method", "phone", "authenticator", "fido2", "passkey", "mfa", "registration"],
    ),
    task(
        "authentication",
        "manage an administrator's authentication methods",
        PAA,
        &[],
        &["method", "admin", "privileged", "phone", "authenticator"],
    ),
    task(
        "authentication",
        "create a Temporary Access Pass for a member",
        AUTH_ADMIN,
        &[PAA],
        &["temporary", "access", "pass", "tap", "onboarding"],
    ),
    task(
        "authentication",
        "enable or disable per-user MFA",
        AUTH_ADMIN,
        &[PAA],
        &["per", "user", "mfa", "legacy", "enforce"],
    ),
    task(
        "authentication",
        "require a user to register MFA again",
        AUTH_ADMIN,
        &[PAA],
        &["register", "reregister", "again", "mfa", "method"],
    ),
    task(
        "authentication",
        "configure the authentication methods policy (which methods users may use)",
        AUTH_POLICY_ADMIN,
        &[],
        &["methods", "policy", "fido2", "passkey", "authenticator", "sms", "enable", "tenant"],
    ),
    task(
        "authentication",
        "configure password protection and smart lockout",
        AUTH_POLICY_ADMIN,
        &[SECURITY_ADMIN],
        &["password", "protection", "banned", "lockout", "smart"],
    ),
    task(
        "authentication",
        "manage MFA service settings (fraud alert, remembered devices)",
        AUTH_POLICY_ADMIN,
        &[],
        &["mfa", "service", "settings", "fraud", "alert", "remember"],
    ),
    // Groups and licences
    task(
        "groups",
        "create or delete security and Microsoft 365 groups",
        "Groups Administrator",
        &[USER_ADMIN],
        &["group", "create", "delete", "security", "m365", "team"],
    ),
    task(
        "groups",
        "add or remove members of a group",
        "Groups Administrator",
        &[USER_ADMIN],
        &["member", "add", "remove", "group", "membership"],
    ),
    task(
        "groups",
        "change the members of a role-assignable group",
        PRA,
        &[],
        &["role", "assignable", "group", "member", "privileged"],
    ),
    task(
        "groups",
        "configure group naming and expiration policies",
        "Groups Administrator",
        &[USER_ADMIN],
        &["naming", "expiration", "policy", "group", "lifecycle"],
    ),
    task(
        "groups",
        "restore a deleted group",
        "Groups Administrator",
        &[USER_ADMIN],
        &["restore", "deleted", "group", "recycle"],
    ),
    task(
        "licences",
        "assign or remove product licences",
        "License Administrator",
        &[USER_ADMIN],
        &["license", "licence", "assign", "sku", "product", "remove"],
    ),
    task(
        "licences",
        "buy or try subscriptions and manage billing",
        "Billing Administrator",
        &[],
        &["buy", "subscription", "billing", "invoice", "purchase", "trial"],
    ),
    // Applications
    task(
        "applications",
        "create an app registration when users may not",
        "Application Developer",
        &[CLOUD_APP_ADMIN, APP_ADMIN],
        &["app", "registration", "register", "application", "create", "new"],
    ),
    task(
        "applications",
        "manage enterprise applications (single sign-on, provisioning, user assignment)",
        CLOUD_APP_ADMIN,
        &[APP_ADMIN],
        &["enterprise", "app", "sso", "single", "provisioning", "assign", "saml", "service", "principal"],
    ),
    task(
        "applications",
        "add or rotate secrets and certificates on an app registration",
        CLOUD_APP_ADMIN,
        &[APP_ADMIN],
        &["secret", "certificate", "credential", "rotate", "expiring", "app"],
    ),
    task(
        "applications",
        "grant tenant-wide admin consent to delegated permissions",
        CLOUD_APP_ADMIN,
        &[APP_ADMIN],
        &["consent", "delegated", "permission", "grant", "app", "tenant"],
    ),
    task(
        "applications",
        "grant admin consent to Microsoft Graph application permissions",
        PRA,
        &[],
        &["consent", "graph", "application", "permission", "app", "role"],
    ),
    task(
        "applications",
        "configure application proxy for on-premises apps",
        APP_ADMIN,
        &[],
        &["proxy", "application", "connector", "premises", "publish"],
    ),
    task(
        "applications",
        "configure user consent settings (what users may consent to)",
        PRA,
        &[],
        &["user", "consent", "settings", "permission", "policy"],
    ),
    // Devices
    task(
        "devices",
        "enable, disable or delete devices",
        "Cloud Device Administrator",
        &["Intune Administrator"],
        &["device", "disable", "delete", "enable", "stale", "laptop"],
    ),
    task(
        "devices",
        "read BitLocker recovery keys",
        "Cloud Device Administrator",
        &["Helpdesk Administrator", "Intune Administrator", SECURITY_ADMIN, SECURITY_READER],
        &["bitlocker", "recovery", "key", "device"],
    ),
    task(
        "devices",
        "manage device compliance and configuration policies",
        "Intune Administrator",
        &[],
        &["intune", "compliance", "compliant", "configuration", "device", "policy"],
    ),
    // Conditional Access
    task(
        "conditional access",
        "create, change or delete Conditional Access policies",
        CA_ADMIN,
        &[SECURITY_ADMIN],
        &["conditional", "access", "ca", "policy", "create", "edit", "block", "require"],
    ),
    task(
        "conditional access",
        "manage named locations and trusted IP ranges",
        CA_ADMIN,
        &[SECURITY_ADMIN],
        &["named", "location", "ip", "country", "trusted", "range"],
    ),
    task(
        "conditional access",
        "read Conditional Access policies and run What-If",
        SECURITY_READER,
        &["Global Reader", CA_ADMIN, SECURITY_ADMIN],
        &["read", "conditional", "access", "policy", "what", "if", "ca"],
    ),
    task(
        "conditional access",
        "manage terms of use",
        CA_ADMIN,
        &[SECURITY_ADMIN],
        &["terms", "use", "tou", "agreement"],
    ),
    task(
        "conditional access",
        "manage authentication strengths and authentication contexts",
        CA_ADMIN,
        &[SECURITY_ADMIN],
        &["authentication", "strength", "context", "phishing", "resistant"],
    ),
    // Identity Protection
    task(
        "identity protection",
        "read risky users, risky sign-ins and risk detections",
        SECURITY_READER,
        &["Security Operator", SECURITY_ADMIN, "Global Reader"],
        &["risk", "risky", "detection", "user", "signin", "read", "investigate"],
    ),
    task(
        "identity protection",
        "dismiss user risk or confirm a user compromised",
        SECURITY_ADMIN,
        &[],
        &["dismiss", "confirm", "compromised", "risk", "safe", "remediate"],
    ),
    task(
        "identity protection",
        "configure user-risk and sign-in-risk policies",
        SECURITY_ADMIN,
        &[CA_ADMIN],
        &["risk", "policy", "configure", "user", "signin"],
    ),
    task(
        "identity protection",
        "read the identity secure score and recommendations",
        SECURITY_READER,
        &[SECURITY_ADMIN, "Global Reader"],
        &["secure", "score", "recommendation", "posture"],
    ),
    // Monitoring
    task(
        "monitoring",
        "read sign-in logs",
        "Reports Reader",
        &[SECURITY_READER, SECURITY_ADMIN, "Global Reader"],
        &["signin", "log", "logs", "read", "failure", "login"],
    ),
    task(
        "monitoring",
        "read audit logs (who changed what)",
        "Reports Reader",
        &[SECURITY_READER, SECURITY_ADMIN, "Global Reader"],
        &["audit", "log", "logs", "changed", "who", "activity"],
    ),
    task(
        "monitoring",
        "read provisioning logs",
        "Reports Reader",
        &[SECURITY_READER, "Global Reader"],
        &["provisioning", "log", "sync", "logs"],
    ),
    task(
        "monitoring",
        "export logs with diagnostic settings",
        SECURITY_ADMIN,
        &[],
        &["diagnostic", "settings", "export", "log", "analytics", "sentinel", "stream"],
    ),
    task(
        "monitoring",
        "read usage and adoption reports",
        "Usage Summary Reports Reader",
        &["Reports Reader"],
        &["usage", "adoption", "report", "activity"],
    ),
    // Roles and PIM
    task(
        "roles",
        "assign directory roles or make someone eligible in PIM",
        PRA,
        &[],
        &["assign", "role", "eligible", "pim", "admin", "make"],
    ),
    task(
        "roles",
        "configure PIM role settings (activation rules, approvers)",
        PRA,
        &[],
        &["pim", "settings", "activation", "approval", "approver", "rules"],
    ),
    task(
        "roles",
        "read who holds which role, active and eligible",
        SECURITY_READER,
        &["Global Reader", PRA],
        &["who", "role", "holder", "assignment", "eligible", "pim", "admin", "privileged"],
    ),
    task("roles", "create or change custom roles", PRA, &[], &["custom", "role", "definition", "permission"]),
    // Governance
    task(
        "governance",
        "create and manage access packages and catalogs",
        IGA,
        &[],
        &["access", "package", "catalog", "entitlement", "management"],
    ),
    task(
        "governance",
        "create and manage access reviews of groups and apps",
        IGA,
        &[USER_ADMIN],
        &["access", "review", "recertify", "attestation", "group", "app"],
    ),
    task("governance", "create access reviews of Entra roles", PRA, &[], &["access", "review", "role", "privileged"]),
    task(
        "governance",
        "read access reviews and reviewers' decisions",
        SECURITY_READER,
        &[IGA, "Global Reader"],
        &["access", "review", "decision", "reviewer", "read"],
    ),
    task(
        "governance",
        "create and manage lifecycle workflows (joiner, mover, leaver)",
        "Lifecycle Workflows Administrator",
        &[],
        &["lifecycle", "workflow", "joiner", "mover", "leaver", "onboarding", "offboarding"],
    ),
    task(
        "governance",
        "run a lifecycle workflow on demand",
        "Lifecycle Workflows Administrator",
        &[],
        &["run", "workflow", "demand", "lifecycle"],
    ),
    task(
        "governance",
        "manage connected organisations and their sponsors",
        IGA,
        &[],
        &["connected", "organization", "organisation", "sponsor", "partner"],
    ),
    task(
        "governance",
        "review or approve access package requests and assignments",
        IGA,
        &[],
        &["access", "package", "request", "assignment", "approve"],
    ),
    // Tenant
    task(
        "tenant",
        "add and verify custom domain names",
        "Domain Name Administrator",
        &[],
        &["domain", "dns", "verify", "custom", "name"],
    ),
    task(
        "tenant",
        "customise company branding of the sign-in page",
        "Organizational Branding Administrator",
        &[],
        &["branding", "logo", "sign", "page", "background", "company"],
    ),
    task(
        "tenant",
        "configure external collaboration (B2B) settings",
        "Global Administrator",
        &[],
        &["external", "collaboration", "b2b", "settings", "guest", "invite"],
    ),
    task(
        "tenant",
        "configure identity providers for federation (Google, SAML or WS-Fed IdPs)",
        "External Identity Provider Administrator",
        &[],
        &["identity", "provider", "idp", "federation", "google", "saml", "facebook"],
    ),
    task(
        "tenant",
        "configure cross-tenant access settings",
        SECURITY_ADMIN,
        &[],
        &["cross", "tenant", "access", "trust", "inbound", "outbound"],
    ),
    task(
        "tenant",
        "manage Entra Connect and cloud sync (hybrid identity)",
        "Hybrid Identity Administrator",
        &[],
        &["connect", "sync", "hybrid", "premises", "ad", "federation", "pta"],
    ),
    task(
        "tenant",
        "open a support ticket and read service health",
        "Service Support Administrator",
        &[],
        &["support", "ticket", "service", "health", "incident", "microsoft"],
    ),
    task(
        "tenant",
        "read Message Center announcements",
        "Message Center Reader",
        &[],
        &["message", "center", "announcement", "change"],
    ),
    task(
        "tenant",
        "read every setting without changing anything",
        "Global Reader",
        &[],
        &["read", "everything", "audit", "review", "all", "settings", "readonly"],
    ),
    task("tenant", "create a new tenant", "Tenant Creator", &[], &["new", "tenant", "create", "directory"]),
    task(
        "tenant",
        "define custom security attributes",
        "Attribute Definition Administrator",
        &[],
        &["custom", "security", "attribute", "define", "definition"],
    ),
    task(
        "tenant",
        "assign custom security attribute values to users and apps",
        "Attribute Assignment Administrator",
        &[],
        &["custom", "security", "attribute", "assign", "value"],
    ),
    task(
        "network",
        "manage Global Secure Access (Internet and Private Access)",
        "Global Secure Access Administrator",
        &[],
        &["global", "secure", "access", "gsa", "internet", "private", "network", "forwarding"],
    ),
    task(
        "network",
        "read Global Secure Access traffic logs",
        "Global Secure Access Log Reader",
        &["Global Secure Access Administrator"],
        &["traffic", "log", "network", "gsa", "blocked"],
    ),
    task(
        "agents",
        "manage agent identities and agent blueprints",
        "Agent ID Administrator",
        &[],
        &["agent", "blueprint", "ai", "identity"],
    ),
    task(
        "workloads",
        "manage Exchange Online mailboxes and mail flow",
        "Exchange Administrator",
        &[],
        &["exchange", "mailbox", "mail", "flow", "email"],
    ),
    task(
        "workloads",
        "manage Microsoft Teams settings",
        "Teams Administrator",
        &[],
        &["teams", "meeting", "calling", "chat"],
    ),
    task(
        "workloads",
        "manage SharePoint Online and OneDrive settings",
        "SharePoint Administrator",
        &[],
        &["sharepoint", "onedrive", "site", "sharing"],
    ),
];

/// Words that say nothing about the task.
const STOP: &[&str] = &[
    "a",
    "an",
    "the",
    "to",
    "of",
    "for",
    "and",
    "or",
    "in",
    "on",
    "my",
    "our",
    "i",
    "we",
    "need",
    "want",
    "can",
    "how",
    "do",
    "does",
    "what",
    "which",
    "is",
    "it",
    "be",
    "with",
    "from",
    "that",
    "this",
    "some",
    "someone",
    "me",
    "you",
    "least",
    "privileged",
    "role",
    "roles",
    "should",
    "use",
    "would",
    "like",
    "let",
    "please",
    "users",
    "user",
];

/// A word as the table spells it: lower case, plural `s` dropped, a few synonyms unified.
fn normal(word: &str) -> String {
    let w = word.to_lowercase();
    let w = match w.as_str() {
        "pwd" | "passwords" | "pw" => "password".to_string(),
        "login" | "logins" | "logon" | "signins" => "signin".to_string(),
        "2fa" | "multifactor" => "mfa".to_string(),
        "licenses" | "licences" | "licence" => "license".to_string(),
        "apps" | "applications" => "app".to_string(),
        "organisation" | "organisations" | "organizations" => "organization".to_string(),
        _ => w,
    };
    if let Some(stem) = w.strip_suffix("ies")
        && stem.len() > 2
    {
        return format!("{stem}y");
    }
    match w.strip_suffix('s') {
        Some(stem) if stem.len() > 3 && !stem.ends_with('s') => stem.to_string(),
        _ => w,
    }
}

/// The admin's words, normalised, stop words and duplicates dropped; "sign-in" and "sign in"
/// read as one word.
pub fn words(text: &str) -> Vec<String> {
    let lowered =
        text.to_lowercase().replace("sign-in", "signin").replace("sign in", "signin").replace("log in", "login");
    let mut out: Vec<String> = Vec::new();
    for word in lowered.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()) {
        let word = normal(word);
        if !STOP.contains(&word.as_str()) && !out.contains(&word) {
            out.push(word);
        }
    }
    out
}

/// How well a task matches the admin's words.
fn score(task: &Task, asked: &[String]) -> usize {
    let keywords: Vec<String> = task.keywords.iter().map(|k| normal(k)).collect();
    let described = words(task.task);
    asked
        .iter()
        .map(|w| {
            let keyword = keywords.contains(w);
            let described = described.contains(w);
            2 * usize::from(keyword) + usize::from(described)
        })
        .sum()
}

/// Up to `limit` tasks best matching the admin's words, best first, with their scores; none
/// when no word matches.
pub fn matching(text: &str, limit: usize) -> Vec<(&'static Task, usize)> {
    let asked = words(text);
    let mut scored: Vec<(&'static Task, usize)> =
        TASKS.iter().map(|t| (t, score(t, &asked))).filter(|(_, s)| *s >= 2).collect();
    // Best score first; on a tie the table's order, which lists the common task first.
    scored.sort_by_key(|(_, score)| std::cmp::Reverse(*score));
    scored.truncate(limit);
    scored
}

/// The tasks a role can do (as least role or alternative); Global Administrator can do them all.
pub fn tasks_of(role: &str) -> impl Iterator<Item = &'static Task> + '_ {
    let global = role.eq_ignore_ascii_case("Global Administrator");
    TASKS.iter().filter(move |t| {
        global || t.least.eq_ignore_ascii_case(role) || t.also.iter().any(|a| a.eq_ignore_ascii_case(role))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_large_and_names_only_known_roles() {
        assert!(TASKS.len() >= 60, "{} tasks", TASKS.len());
        for t in TASKS {
            assert!(built_in(t.least).is_some(), "{}: unknown role {}", t.task, t.least);
            for also in t.also {
                assert!(built_in(also).is_some(), "{}: unknown role {also}", t.task);
                assert_ne!(*also, "Global Administrator", "{}", t.task);
                assert_ne!(*also, t.least, "{}", t.task);
            }
        }
        for r in ROLES {
            assert!(uuid::Uuid::parse_str(r.template_id).is_ok(), "{}", r.name);
        }
    }

    #[test]
    fn admin_words_find_the_task() {
        let best = |text: &str| matching(text, 3).first().map(|(t, _)| t.least).unwrap_or("none");
        assert_eq!(best("reset a password for a user who forgot it"), "Password Administrator");
        assert_eq!(best("read the sign-in logs"), "Reports Reader");
        assert_eq!(best("create a new Conditional Access policy"), "Conditional Access Administrator");
        assert_eq!(best("review access packages in entitlement management"), "Identity Governance Administrator");
        assert_eq!(best("create an app registration"), "Application Developer");
        assert_eq!(best("dismiss the risk on a user"), "Security Administrator");
        assert_eq!(best("revoke sessions of a compromised account"), "Helpdesk Administrator");
        assert_eq!(best("assign licences to the new hires"), "License Administrator");
        assert_eq!(best("grant admin consent for Graph application permissions"), "Privileged Role Administrator");
        assert!(matching("bake a cake", 3).is_empty());
    }
}
