//! Groups of the story — Finance Department nested in Finance App Users, the Finance Team
//! Microsoft 365 group, the dynamic Sales Team and (paused) All Guests, CA Exclusions with 40
//! members, the Finance Laptops device group, a distribution list, three ownerless groups and
//! the role-assignable Helpdesk Operators, the mail-enabled security group Treasury Alerts and
//! New Hires, owned by the HR Onboarding Automation app — plus one generated group per 50
//! generated users.

use serde_json::{Value, json};

use super::apps::{HR_ONBOARDING, service_principal_id};
use super::clock::Clock;
use super::devices::Device;
use super::ids;
use super::people::{Person, member_id};
use super::{DOMAIN, DirectoryRef};

pub const FINANCE_DEPARTMENT: &str = "Finance Department";
pub const FINANCE_APP_USERS: &str = "Finance App Users";
pub const FINANCE_TEAM: &str = "Finance Team";
pub const SALES_TEAM: &str = "Sales Team";
pub const ALL_GUESTS: &str = "All Guests";
pub const CA_EXCLUSIONS: &str = "CA Exclusions";
pub const FINANCE_LAPTOPS: &str = "Finance Laptops";
pub const BRANCH_MANAGERS_DL: &str = "Branch Managers";
pub const HELPDESK_OPERATORS: &str = "Helpdesk Operators";
pub const INCIDENT_RESPONSE: &str = "Incident Response Team";
/// Mail-enabled security group: managed in Exchange Online, so Graph cannot change its members.
pub const TREASURY_ALERTS: &str = "Treasury Alerts";
/// Owned by a user and by the HR Onboarding Automation app's service principal.
pub const NEW_HIRES: &str = "New Hires";
/// The group deleted in the story (only its audit entry remains).
pub const DELETED_GROUP: &str = "Project Phoenix";

/// What kind of group this is, which fixes `groupTypes`, `mailEnabled` and `securityEnabled`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupKind {
    Security,
    /// Microsoft 365 group.
    Unified,
    Distribution,
    /// Security group with dynamic membership.
    DynamicSecurity,
    /// Security group with a mailbox address, managed in Exchange Online.
    MailEnabledSecurity,
}

#[derive(Debug, Clone)]
pub struct Group {
    pub id: String,
    pub display_name: String,
    pub description: String,
    pub mail_nickname: String,
    pub kind: GroupKind,
    pub role_assignable: bool,
    pub membership_rule: Option<&'static str>,
    pub rule_paused: bool,
    pub created_days_ago: i64,
    pub members: Vec<DirectoryRef>,
    pub owners: Vec<DirectoryRef>,
}

impl Group {
    pub fn new(display_name: &str, description: &str, kind: GroupKind, created_days_ago: i64) -> Group {
        Group {
            id: ids::group_id(display_name),
            display_name: display_name.into(),
            description: description.into(),
            mail_nickname: display_name.chars().filter(char::is_ascii_alphanumeric).collect(),
            kind,
            role_assignable: false,
            membership_rule: None,
            rule_paused: false,
            created_days_ago,
            members: Vec::new(),
            owners: Vec::new(),
        }
    }

    fn owned_by(mut self, handles: &[&str]) -> Group {
        self.owners = handles.iter().map(|h| DirectoryRef::user(member_id(h))).collect();
        self
    }

    fn with_users<'a>(mut self, people: impl Iterator<Item = &'a Person>) -> Group {
        self.members.extend(people.map(|p| DirectoryRef::user(p.id.clone())));
        self
    }
}

/// All groups of the tenant.
pub fn groups(people: &[Person], devices: &[Device]) -> Vec<Group> {
    let story = || people.iter().filter(|p| !p.is_generated());
    let handle_is = |handles: &'static [&'static str]| move |p: &&Person| handles.contains(&p.handle.as_str());
    let in_finance = |p: &&Person| !p.guest && p.department.as_deref() == Some("Finance");

    let finance_department =
        Group::new(FINANCE_DEPARTMENT, "Everyone in the Finance department", GroupKind::Security, 1500)
            .owned_by(&["daniel"])
            .with_users(story().filter(in_finance));

    let mut finance_app_users = Group::new(
        FINANCE_APP_USERS,
        "Users of the Woodgrove Finance Portal and treasury tools",
        GroupKind::Security,
        1400,
    )
    .owned_by(&["grace.whitfield"])
    .with_users(story().filter(handle_is(&["hannah.schmidt", "diego.alvarez"])));
    finance_app_users.members.insert(0, DirectoryRef::group(ids::group_id(FINANCE_DEPARTMENT)));

    // Brian left and Laura's audit engagement went quiet, but nobody took them out of the team:
    // the quarterly access review of the Finance groups finds them.
    let finance_team = Group::new(FINANCE_TEAM, "Finance team collaboration", GroupKind::Unified, 1200)
        .owned_by(&["daniel", "grace.whitfield"])
        .with_users(story().filter(|p| in_finance(p) && p.enabled()))
        .with_users(story().filter(handle_is(&["brian.walsh", "laura.bianchi"])));

    let mut sales_team = Group::new(SALES_TEAM, "All Sales staff (dynamic)", GroupKind::DynamicSecurity, 900)
        .owned_by(&["alex"])
        .with_users(people.iter().filter(|p| !p.guest && p.department.as_deref() == Some("Sales")));
    sales_team.membership_rule = Some("(user.department -eq \"Sales\")");

    // Processing was paused 20 days ago, so guests invited since then are missing.
    let mut all_guests = Group::new(ALL_GUESTS, "All guest users (dynamic)", GroupKind::DynamicSecurity, 700)
        .owned_by(&["priya"])
        .with_users(people.iter().filter(|p| p.guest && p.created_days_ago > 20));
    all_guests.membership_rule = Some("(user.userType -eq \"Guest\")");
    all_guests.rule_paused = true;

    let excluded_departments = ["Sales", "Operations", "Marketing", "HR", "Legal", "Treasury"];
    // The onboarding runbook puts new starters here until they have registered MFA, and nobody
    // takes them out again: two of this month's starters are in it.
    let excluded_starters: &[&str] = &["ravi.kumar", "sara.lindgren"];
    let ca_exclusions =
        Group::new(CA_EXCLUSIONS, "Excluded from Conditional Access MFA policies", GroupKind::Security, 640)
            .owned_by(&["priya"])
            .with_users(
                story()
                    .filter(|p| !p.guest && p.department.as_deref().is_some_and(|d| excluded_departments.contains(&d)))
                    .filter(|p| !excluded_starters.contains(&p.handle.as_str()))
                    .take(40 - excluded_starters.len()),
            )
            .with_users(story().filter(|p| excluded_starters.contains(&p.handle.as_str())));

    let mut finance_laptops =
        Group::new(FINANCE_LAPTOPS, "Laptops issued to Finance staff", GroupKind::Security, 800).owned_by(&["elena"]);
    finance_laptops.members = devices
        .iter()
        .filter(|d| {
            d.is_laptop && people[d.owner].department.as_deref() == Some("Finance") && !people[d.owner].is_generated()
        })
        .map(|d| DirectoryRef::device(d.id.clone()))
        .collect();

    let branch_managers =
        Group::new(BRANCH_MANAGERS_DL, "Branch managers distribution list", GroupKind::Distribution, 1300)
            .owned_by(&["george.adams"])
            .with_users(story().filter(handle_is(&["george.adams", "mei.lin", "samuel.osei"])));

    let mut helpdesk =
        Group::new(HELPDESK_OPERATORS, "Holds the Helpdesk Administrator role", GroupKind::Security, 400)
            .owned_by(&["tom"])
            .with_users(story().filter(handle_is(&["kevin.obi", "lena.fischer"])));
    helpdesk.role_assignable = true;

    let incident_response = Group::new(INCIDENT_RESPONSE, "Security incident responders", GroupKind::Security, 5)
        .owned_by(&["marcus"])
        .with_users(story().filter(handle_is(&["marcus", "jordan", "nadia.rahman"])));

    let treasury_alerts = Group::new(
        TREASURY_ALERTS,
        "Treasury payment and liquidity alerts (mail-enabled security)",
        GroupKind::MailEnabledSecurity,
        600,
    )
    .owned_by(&["hannah.schmidt"])
    .with_users(story().filter(handle_is(&["hannah.schmidt", "diego.alvarez", "greta.berg"])));

    // The onboarding app creates the accounts and keeps this group; HR co-owns it.
    let mut new_hires = Group::new(
        NEW_HIRES,
        "Staff in their first 90 days (kept by HR Onboarding Automation)",
        GroupKind::Security,
        330,
    )
    .owned_by(&["claire.dubois"])
    // The joiner workflow's "Add user to groups" task added the new starters it processed.
    .with_users(story().filter(handle_is(&["aisha.bello", "ben.carter", "owen.price", "sara.lindgren"])));
    new_hires
        .owners
        .push(DirectoryRef { kind: super::ObjectKind::ServicePrincipal, id: service_principal_id(HR_ONBOARDING) });

    // Three groups nobody owns any more.
    let project_falcon = Group::new("Project Falcon", "Core banking migration project", GroupKind::Unified, 1100)
        .with_users(story().filter(handle_is(&["tom", "arjun.mehta", "omar.farouk", "dmitri.volkov"])));
    let campaign = Group::new("Marketing Campaign 2023", "Spring 2023 campaign", GroupKind::Security, 980)
        .with_users(story().filter(handle_is(&["chloe.martin", "erin.hughes", "nina.popescu"])));
    let file_share = Group::new("Legacy File Share Access", "Access to \\\\fs01\\shared", GroupKind::Security, 2000)
        .with_users(story().filter(handle_is(&["kofi.mensah", "victor.lindqvist", "paula.mendes"])));

    let mut out = vec![
        finance_department,
        finance_app_users,
        finance_team,
        sales_team,
        all_guests,
        ca_exclusions,
        finance_laptops,
        branch_managers,
        helpdesk,
        incident_response,
        treasury_alerts,
        new_hires,
        project_falcon,
        campaign,
        file_share,
    ];
    out.extend(generated_groups(people));
    out
}

/// One group per 50 generated users; each generated user joins its own group and a second one.
fn generated_groups(people: &[Person]) -> Vec<Group> {
    let generated: Vec<&Person> = people.iter().filter(|p| p.is_generated()).collect();
    let count = generated.len().div_ceil(50);
    let mut groups: Vec<Group> = (0..count)
        .map(|k| {
            Group::new(
                &format!("Branch Team {:03}", k + 1),
                "Branch staff",
                GroupKind::Security,
                300 + (k as i64 % 400),
            )
        })
        .collect();
    for (i, person) in generated.iter().enumerate() {
        let home = i / 50;
        groups[home].members.push(DirectoryRef::user(person.id.clone()));
        if i.is_multiple_of(50) {
            groups[home].owners.push(DirectoryRef::user(person.id.clone()));
        }
        let second = (home + 7) % count;
        if second != home && i.is_multiple_of(5) {
            groups[second].members.push(DirectoryRef::user(person.id.clone()));
        }
    }
    groups
}

/// The Graph group resource.
pub fn to_json(group: &Group, clock: &Clock) -> Value {
    let (group_types, mail_enabled, security_enabled) = match group.kind {
        GroupKind::Security => (json!([]), false, true),
        GroupKind::Unified => (json!(["Unified"]), true, false),
        GroupKind::Distribution => (json!([]), true, false),
        GroupKind::DynamicSecurity => (json!(["DynamicMembership"]), false, true),
        GroupKind::MailEnabledSecurity => (json!([]), true, true),
    };
    let mail = if mail_enabled {
        Value::from(format!("{}@{DOMAIN}", group.mail_nickname.to_ascii_lowercase()))
    } else {
        Value::Null
    };
    json!({
        "id": group.id,
        "displayName": group.display_name,
        "description": group.description,
        "mail": mail,
        "mailEnabled": mail_enabled,
        "mailNickname": group.mail_nickname,
        "securityEnabled": security_enabled,
        "groupTypes": group_types,
        "membershipRule": group.membership_rule,
        "membershipRuleProcessingState": match (group.membership_rule, group.rule_paused) {
            (None, _) => Value::Null,
            (Some(_), false) => "On".into(),
            (Some(_), true) => "Paused".into(),
        },
        "isAssignableToRole": if group.role_assignable { Value::Bool(true) } else { Value::Null },
        "createdDateTime": clock.days_ago(group.created_days_ago),
        "renewedDateTime": clock.days_ago(group.created_days_ago),
        "visibility": match group.kind {
            GroupKind::Unified => Value::from("Private"),
            _ => Value::Null,
        },
        "onPremisesSyncEnabled": null,
        "securityIdentifier": security_identifier(&group.id),
        "classification": null,
    })
}

/// The Windows SID Entra gives a cloud group: `S-1-12-1-` and the object id's 16 bytes read
/// as four little-endian 32-bit numbers.
fn security_identifier(id: &str) -> Value {
    let Ok(uuid) = uuid::Uuid::parse_str(id) else {
        return Value::Null;
    };
    let bytes = uuid.to_bytes_le();
    let parts: Vec<String> = bytes
        .chunks(4)
        .map(|chunk| {
            let mut word = [0u8; 4];
            word.copy_from_slice(chunk);
            u32::from_le_bytes(word).to_string()
        })
        .collect();
    Value::from(format!("S-1-12-1-{}", parts.join("-")))
}
