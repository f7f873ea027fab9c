//! Woodgrove Bank's people: the story cast (Karita, her manager chain, the
//! admins, about 60 members, 25 Fabrikam guests, leavers, inactive and unlicensed users, and
//! three new starters the joiner workflow has just processed) plus, at `--demo-scale`,
//! generated staff whose names never collide with the story.
//!
//! People are plain records here; `users.rs` turns them into Graph user resources once the
//! sign-in history (which drives `signInActivity`) is known.

use super::ids;
use super::rng::Rng;
use super::{DOMAIN, GUEST_DOMAIN, INITIAL_DOMAIN};

/// How a person has used their account, which drives sign-ins, `signInActivity` and devices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activity {
    /// Signs in most days.
    Active,
    /// Last signed in this many days ago (more than 90: an inactive account).
    Inactive(i64),
    /// Left the bank this many days ago; the account is disabled.
    Left(i64),
    /// Guest who accepted the invitation but never signed in.
    NeverSignedIn,
    /// Guest whose invitation is still pending.
    PendingInvitation,
    /// Emergency-access account: rarely used, signs in only for its monthly check.
    BreakGlass,
}

/// One person in the directory.
#[derive(Debug, Clone)]
pub struct Person {
    /// Short story handle (the UPN's local part for members), used to wire the story together.
    pub handle: String,
    pub id: String,
    pub user_principal_name: String,
    pub mail: String,
    pub display_name: String,
    pub given_name: String,
    pub surname: String,
    pub department: Option<String>,
    pub job_title: Option<String>,
    pub company_name: String,
    pub office_location: Option<&'static str>,
    pub guest: bool,
    pub activity: Activity,
    /// Synchronised from on-premises Active Directory.
    pub synced: bool,
    pub licensed: bool,
    /// Handle of the manager.
    pub manager: Option<String>,
    /// Days since the account was created.
    pub created_days_ago: i64,
    /// Days since the password was last changed.
    pub password_age_days: i64,
    /// Days from the anchor to the first working day (`employeeHireDate`), negative once past;
    /// `None` for guests and emergency accounts, whom HR does not hire.
    pub hire_in_days: Option<i64>,
    /// Days from the anchor to the last working day (`employeeLeaveDateTime`), negative once
    /// past: leavers, and staff who have handed in their notice.
    pub leave_in_days: Option<i64>,
    /// Index among generated (scale) users, `None` for the story cast.
    pub generated: Option<usize>,
}

/// People HR recorded as gone whose accounts offboarding missed: still enabled, unused since
/// the day after they left (their `Inactive` days).
pub const LEFT_BUT_ENABLED: &[&str] = &["omar.farouk"];

impl Person {
    pub fn enabled(&self) -> bool {
        !matches!(self.activity, Activity::Left(_))
    }

    pub fn is_generated(&self) -> bool {
        self.generated.is_some()
    }
}

/// A member of staff in the story: handle, given name, surname, department, job title, office,
/// manager handle, activity.
type StaffRow = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
    Activity,
);

const SEATTLE: &str = "Seattle HQ";
const NEW_YORK: &str = "New York Branch";
const LONDON: &str = "London Branch";

use Activity::{Active, Inactive, Left};

/// The story's members. Order matters only for readability; ids come from the UPN.
const STAFF: &[StaffRow] = &[
    ("henrik.larsen", "Henrik", "Larsen", "Executive", "Chief Executive Officer", SEATTLE, None, Active),
    (
        "grace.whitfield",
        "Grace",
        "Whitfield",
        "Finance",
        "Chief Financial Officer",
        SEATTLE,
        Some("henrik.larsen"),
        Active,
    ),
    ("daniel", "Daniel", "Moreau", "Finance", "Finance Manager", SEATTLE, Some("grace.whitfield"), Active),
    ("karita", "Karita", "Ahlberg", "Finance", "Financial Analyst", SEATTLE, Some("daniel"), Active),
    ("siobhan.obrien", "Siobhan", "O'Brien", "Finance", "Senior Accountant", SEATTLE, Some("daniel"), Active),
    ("wei.zhang", "Wei", "Zhang", "Finance", "Financial Analyst", SEATTLE, Some("daniel"), Active),
    ("fatima.haddad", "Fatima", "Haddad", "Finance", "Accounts Payable Specialist", NEW_YORK, Some("daniel"), Active),
    ("lars.nilsson", "Lars", "Nilsson", "Finance", "Financial Controller", SEATTLE, Some("grace.whitfield"), Active),
    ("amara.okeke", "Amara", "Okeke", "Finance", "Payroll Specialist", SEATTLE, Some("lars.nilsson"), Active),
    ("diego.alvarez", "Diego", "Alvarez", "Treasury", "Treasury Analyst", NEW_YORK, Some("hannah.schmidt"), Active),
    ("hannah.schmidt", "Hannah", "Schmidt", "Treasury", "Treasury Manager", NEW_YORK, Some("grace.whitfield"), Active),
    ("alex", "Alex", "Chen", "Sales", "Sales Director", SEATTLE, Some("henrik.larsen"), Active),
    ("maria.garcia", "Maria", "Garcia", "Sales", "Account Executive", NEW_YORK, Some("alex"), Active),
    ("james.wilson", "James", "Wilson", "Sales", "Account Executive", NEW_YORK, Some("alex"), Active),
    ("yuki.tanaka", "Yuki", "Tanaka", "Sales", "Sales Operations Analyst", SEATTLE, Some("alex"), Active),
    ("olivia.brown", "Olivia", "Brown", "Sales", "Regional Sales Manager", LONDON, Some("alex"), Active),
    ("ethan.murphy", "Ethan", "Murphy", "Sales", "Account Executive", LONDON, Some("olivia.brown"), Active),
    ("sofia.rossi", "Sofia", "Rossi", "Sales", "Account Executive", LONDON, Some("olivia.brown"), Active),
    ("noah.kim", "Noah", "Kim", "Sales", "Sales Engineer", SEATTLE, Some("alex"), Active),
    ("felix.wagner", "Felix", "Wagner", "Sales", "Account Executive", LONDON, Some("olivia.brown"), Active),
    ("rachel.cohen", "Rachel", "Cohen", "IT", "Chief Information Officer", SEATTLE, Some("henrik.larsen"), Active),
    ("priya", "Priya", "Natarajan", "IT", "Identity Architect", SEATTLE, Some("rachel.cohen"), Active),
    ("tom", "Tom", "Okafor", "IT", "Cloud Platform Lead", SEATTLE, Some("rachel.cohen"), Active),
    ("elena", "Elena", "Petrova", "IT", "IT Administrator", SEATTLE, Some("tom"), Active),
    ("kevin.obi", "Kevin", "Obi", "IT", "Helpdesk Technician", SEATTLE, Some("tom"), Active),
    ("lena.fischer", "Lena", "Fischer", "IT", "Helpdesk Technician", LONDON, Some("tom"), Active),
    ("arjun.mehta", "Arjun", "Mehta", "IT", "Systems Engineer", SEATTLE, Some("tom"), Active),
    (
        "nadia.rahman",
        "Nadia",
        "Rahman",
        "Security",
        "Chief Information Security Officer",
        SEATTLE,
        Some("henrik.larsen"),
        Active,
    ),
    ("marcus", "Marcus", "Lee", "Security", "Security Engineer", SEATTLE, Some("nadia.rahman"), Active),
    ("jordan", "Jordan", "Reyes", "Security", "Security Operations Analyst", SEATTLE, Some("nadia.rahman"), Active),
    ("sam", "Sam", "Ortiz", "Compliance", "Compliance Auditor", NEW_YORK, Some("nadia.rahman"), Active),
    ("ruth.abebe", "Ruth", "Abebe", "Compliance", "Compliance Officer", NEW_YORK, Some("nadia.rahman"), Active),
    ("claire.dubois", "Claire", "Dubois", "HR", "HR Director", SEATTLE, Some("henrik.larsen"), Active),
    ("ben.carter", "Ben", "Carter", "HR", "HR Generalist", SEATTLE, Some("claire.dubois"), Active),
    ("aisha.bello", "Aisha", "Bello", "HR", "Recruiter", LONDON, Some("claire.dubois"), Active),
    ("chloe.martin", "Chloe", "Martin", "Marketing", "Marketing Manager", SEATTLE, Some("henrik.larsen"), Active),
    ("lucas.silva", "Lucas", "Silva", "Marketing", "Content Strategist", SEATTLE, Some("chloe.martin"), Active),
    ("emma.johansson", "Emma", "Johansson", "Marketing", "Graphic Designer", LONDON, Some("chloe.martin"), Active),
    ("ana.pereira", "Ana", "Pereira", "Marketing", "Events Coordinator", NEW_YORK, Some("chloe.martin"), Active),
    ("george.adams", "George", "Adams", "Operations", "Operations Manager", NEW_YORK, Some("henrik.larsen"), Active),
    ("mei.lin", "Mei", "Lin", "Operations", "Branch Manager", NEW_YORK, Some("george.adams"), Active),
    ("samuel.osei", "Samuel", "Osei", "Operations", "Branch Manager", LONDON, Some("george.adams"), Active),
    ("ivan.petrov", "Ivan", "Petrov", "Operations", "Loan Officer", NEW_YORK, Some("mei.lin"), Active),
    ("zara.ali", "Zara", "Ali", "Operations", "Loan Officer", NEW_YORK, Some("mei.lin"), Active),
    ("tomas.novak", "Tomas", "Novak", "Operations", "Teller Supervisor", LONDON, Some("samuel.osei"), Active),
    (
        "julia.costa",
        "Julia",
        "Costa",
        "Operations",
        "Customer Service Representative",
        LONDON,
        Some("samuel.osei"),
        Active,
    ),
    (
        "peter.jansen",
        "Peter",
        "Jansen",
        "Operations",
        "Customer Service Representative",
        LONDON,
        Some("samuel.osei"),
        Active,
    ),
    ("nikolai.ivanov", "Nikolai", "Ivanov", "Legal", "Legal Counsel", SEATTLE, Some("henrik.larsen"), Active),
    ("oliver.grant", "Oliver", "Grant", "Legal", "Paralegal", SEATTLE, Some("nikolai.ivanov"), Active),
    ("lily.foster", "Lily", "Foster", "Legal", "Contracts Manager", NEW_YORK, Some("nikolai.ivanov"), Active),
    // Ten accounts nobody has used for more than 90 days (one of them a guest, below).
    (
        "victor.lindqvist",
        "Victor",
        "Lindqvist",
        "Operations",
        "Credit Analyst",
        NEW_YORK,
        Some("george.adams"),
        Inactive(97),
    ),
    ("paula.mendes", "Paula", "Mendes", "Operations", "Mortgage Advisor", NEW_YORK, Some("mei.lin"), Inactive(143)),
    ("robert.king", "Robert", "King", "Finance", "Internal Auditor", SEATTLE, Some("lars.nilsson"), Inactive(121)),
    ("nina.popescu", "Nina", "Popescu", "Marketing", "Brand Specialist", LONDON, Some("chloe.martin"), Inactive(188)),
    ("omar.farouk", "Omar", "Farouk", "IT", "Network Engineer", SEATTLE, Some("tom"), Inactive(265)),
    ("greta.berg", "Greta", "Berg", "Treasury", "Liquidity Analyst", NEW_YORK, Some("hannah.schmidt"), Inactive(102)),
    ("hugo.lambert", "Hugo", "Lambert", "Sales", "Account Executive", LONDON, Some("olivia.brown"), Inactive(311)),
    ("ines.moreno", "Ines", "Moreno", "HR", "HR Coordinator", SEATTLE, Some("claire.dubois"), Inactive(156)),
    ("kofi.mensah", "Kofi", "Mensah", "Operations", "Teller", LONDON, Some("samuel.osei"), Inactive(402)),
    // Six leavers, disabled; Brian is still a member of Finance Department.
    ("brian.walsh", "Brian", "Walsh", "Finance", "Accounts Receivable Clerk", SEATTLE, Some("daniel"), Left(18)),
    ("carla.ruiz", "Carla", "Ruiz", "Sales", "Account Executive", NEW_YORK, Some("alex"), Left(33)),
    ("dmitri.volkov", "Dmitri", "Volkov", "IT", "Systems Administrator", SEATTLE, Some("tom"), Left(47)),
    ("erin.hughes", "Erin", "Hughes", "Marketing", "Social Media Manager", LONDON, Some("chloe.martin"), Left(61)),
    ("frank.li", "Frank", "Li", "Operations", "Loan Officer", NEW_YORK, Some("mei.lin"), Left(9)),
    ("gabriela.souza", "Gabriela", "Souza", "HR", "Recruiter", LONDON, Some("claire.dubois"), Left(75)),
];

/// Handles of members whose accounts come from on-premises Active Directory (the branches).
const SYNCED: &[&str] = &[
    "george.adams",
    "mei.lin",
    "samuel.osei",
    "ivan.petrov",
    "zara.ali",
    "tomas.novak",
    "julia.costa",
    "peter.jansen",
    "victor.lindqvist",
    "kofi.mensah",
    "frank.li",
];

/// Members without any licence.
const UNLICENSED: &[&str] = &["paula.mendes", "kofi.mensah"];

/// Staff who have handed in their notice: handle, days until their last working day. The
/// leaver workflow's scope matches them today and its schedule will reach them.
const UPCOMING_LEAVERS: &[(&str, i64)] = &[("lucas.silva", 3)];

/// HR creates a new starter's account ten days before the first working day.
const ACCOUNT_LEAD_DAYS: i64 = 10;

/// A new starter: handle, given name, surname, department, job title, office, manager handle,
/// days until the first working day (negative once started).
type StarterRow =
    (&'static str, &'static str, &'static str, &'static str, &'static str, &'static str, Option<&'static str>, i64);

/// The joiner workflow ("Onboard new hires", two days before the hire date) processed Owen
/// yesterday; three days ago it failed for Ravi and Sara, who had no manager to send the
/// Temporary Access Pass to. Sara has one now (an on-demand run then went through); Ravi
/// still has none. None of them has signed in yet.
const NEW_STARTERS: &[StarterRow] = &[
    ("owen.price", "Owen", "Price", "Sales", "Account Executive", NEW_YORK, Some("alex"), 1),
    ("ravi.kumar", "Ravi", "Kumar", "Operations", "Loan Officer", NEW_YORK, None, -1),
    ("sara.lindgren", "Sara", "Lindgren", "Operations", "Teller", LONDON, Some("george.adams"), -1),
];

/// A Fabrikam Partners guest: handle, given name, surname, department, job title, activity.
type GuestRow = (&'static str, &'static str, &'static str, Option<&'static str>, &'static str, Activity);

use Activity::{NeverSignedIn, PendingInvitation};

const GUESTS: &[GuestRow] = &[
    ("lucia.romero", "Lucia", "Romero", Some("Finance"), "Finance Consultant", Active),
    ("mark.taylor", "Mark", "Taylor", Some("Sales"), "Partner Manager", Active),
    ("anna.kowalski", "Anna", "Kowalski", Some("Finance"), "Audit Consultant", Active),
    ("david.nguyen", "David", "Nguyen", Some("Sales"), "Sales Consultant", Active),
    ("sarah.oconnor", "Sarah", "O'Connor", Some("Marketing"), "Agency Lead", Active),
    ("tobias.becker", "Tobias", "Becker", Some("IT"), "Integration Engineer", Active),
    ("julie.moreau", "Julie", "Moreau", Some("Sales"), "Channel Partner", Active),
    ("raj.patel", "Raj", "Patel", Some("IT"), "Support Engineer", Active),
    ("emily.clark", "Emily", "Clark", Some("Marketing"), "Copywriter", Active),
    ("hassan.karimi", "Hassan", "Karimi", Some("Finance"), "Tax Advisor", Active),
    ("paul.dupont", "Paul", "Dupont", Some("Sales"), "Partner Account Manager", Active),
    ("kim.larsen", "Kim", "Larsen", Some("Operations"), "Process Consultant", Active),
    ("chris.walker", "Chris", "Walker", Some("Operations"), "Facilities Contractor", Active),
    ("nora.hansen", "Nora", "Hansen", Some("HR"), "HR Consultant", Active),
    ("leo.marino", "Leo", "Marino", Some("HR"), "Benefits Advisor", Active),
    ("tariq.aziz", "Tariq", "Aziz", Some("Sales"), "Reseller Contact", Active),
    ("laura.bianchi", "Laura", "Bianchi", Some("Finance"), "Audit Consultant", Inactive(150)),
    ("alan.moore", "Alan", "Moore", None, "Consultant", NeverSignedIn),
    ("ella.ward", "Ella", "Ward", Some("Marketing"), "Designer", NeverSignedIn),
    ("jan.dvorak", "Jan", "Dvorak", None, "Consultant", PendingInvitation),
    ("rosa.mendez", "Rosa", "Mendez", Some("Sales"), "Partner Manager", PendingInvitation),
    ("sven.olsen", "Sven", "Olsen", None, "Analyst", PendingInvitation),
    ("maya.singh", "Maya", "Singh", Some("Finance"), "Consultant", PendingInvitation),
    ("beatriz.lopes", "Beatriz", "Lopes", None, "Project Manager", PendingInvitation),
    ("ian.fletcher", "Ian", "Fletcher", Some("IT"), "Security Consultant", Active),
];

/// First names for generated staff; disjoint from the story's given names, so a generated
/// person can never share a display name with a story character.
const GENERATED_GIVEN_NAMES: &[&str] = &[
    "Avery", "Blake", "Casey", "Dana", "Devon", "Emerson", "Finley", "Harper", "Hayden", "Jamie", "Kendall", "Logan",
    "Morgan", "Parker", "Quinn", "Reese", "Riley", "Rowan", "Skyler", "Taylor",
];

const GENERATED_SURNAMES: &[&str] = &[
    "Anderson",
    "Bennett",
    "Brooks",
    "Campbell",
    "Diaz",
    "Edwards",
    "Fleming",
    "Gallagher",
    "Hoffman",
    "Irwin",
    "Jensen",
    "Keller",
    "Lawson",
    "Mitchell",
    "Nash",
    "Owens",
    "Porter",
    "Quinlan",
    "Ramsey",
    "Sutton",
    "Thornton",
    "Underwood",
    "Vaughn",
    "Whitaker",
    "Young",
];

/// Departments generated staff join (weights by repetition).
pub const GENERATED_DEPARTMENTS: &[&str] = &[
    "Operations",
    "Operations",
    "Operations",
    "Sales",
    "Sales",
    "Finance",
    "IT",
    "Marketing",
    "HR",
    "Treasury",
    "Compliance",
    "Legal",
];

const OFFICES: &[&str] = &[SEATTLE, NEW_YORK, LONDON];

/// The people of the tenant: the story cast first, then `extra` generated staff.
pub fn population(seed: u64, extra: usize) -> Vec<Person> {
    let mut people = Vec::with_capacity(story_size() + extra);
    people.extend(break_glass_accounts());
    people.extend(STAFF.iter().enumerate().map(|(i, row)| staff(i, row)));
    people.extend(GUESTS.iter().enumerate().map(|(i, row)| guest(i, row)));
    // After the guests, so every earlier person keeps the index their devices are drawn by.
    people.extend(NEW_STARTERS.iter().map(new_starter));
    people.extend((0..extra).map(|i| generated(seed, i)));
    people
}

/// How many users the story alone holds.
pub fn story_size() -> usize {
    2 + STAFF.len() + GUESTS.len() + NEW_STARTERS.len()
}

/// The UPN of a member of staff with this handle.
pub fn member_upn(handle: &str) -> String {
    format!("{handle}@{DOMAIN}")
}

/// The object id of a member of staff (or break-glass account) with this handle.
pub fn member_id(handle: &str) -> String {
    if handle.starts_with("breakglass") {
        ids::user_id(&format!("{handle}@{INITIAL_DOMAIN}"))
    } else {
        ids::user_id(&member_upn(handle))
    }
}

/// The object id of a Fabrikam guest with this handle.
pub fn guest_id(handle: &str) -> String {
    ids::user_id(&guest_upn(handle))
}

/// A B2B guest's UPN: the external address with `@` turned into `_`, then `#EXT#@` and the
/// tenant's initial domain.
fn guest_upn(handle: &str) -> String {
    format!("{handle}_{GUEST_DOMAIN}#EXT#@{INITIAL_DOMAIN}")
}

fn break_glass_accounts() -> Vec<Person> {
    (1..=2)
        .map(|n| {
            let handle = format!("breakglass0{n}");
            let upn = format!("{handle}@{INITIAL_DOMAIN}");
            Person {
                id: ids::user_id(&upn),
                mail: String::new(),
                display_name: format!("Break Glass Account 0{n}"),
                given_name: "Break Glass".into(),
                surname: format!("Account 0{n}"),
                user_principal_name: upn,
                handle,
                department: None,
                job_title: Some("Emergency access account".into()),
                company_name: "Woodgrove Bank".into(),
                office_location: None,
                guest: false,
                activity: Activity::BreakGlass,
                synced: false,
                licensed: false,
                manager: None,
                created_days_ago: 1460,
                password_age_days: 210,
                hire_in_days: None,
                leave_in_days: None,
                generated: None,
            }
        })
        .collect()
}

fn staff(index: usize, row: &StaffRow) -> Person {
    let &(handle, given, surname, department, title, office, manager, activity) = row;
    let upn = member_upn(handle);
    // Stable, varied account ages: the executives are oldest, later rows joined later.
    let created_days_ago = 2400 - (index as i64 * 29) % 2100;
    Person {
        id: ids::user_id(&upn),
        mail: upn.clone(),
        user_principal_name: upn,
        handle: handle.into(),
        display_name: format!("{given} {surname}"),
        given_name: given.into(),
        surname: surname.into(),
        department: Some(department.into()),
        job_title: Some(title.into()),
        company_name: "Woodgrove Bank".into(),
        office_location: Some(office),
        guest: false,
        activity,
        synced: SYNCED.contains(&handle),
        licensed: !UNLICENSED.contains(&handle),
        manager: manager.map(Into::into),
        created_days_ago,
        password_age_days: 12 + (index as i64 * 37) % 170,
        hire_in_days: Some(ACCOUNT_LEAD_DAYS - created_days_ago),
        leave_in_days: leave_in_days(handle, activity),
        generated: None,
    }
}

/// The last working day of a leaver (past) or of someone working their notice (ahead).
fn leave_in_days(handle: &str, activity: Activity) -> Option<i64> {
    match activity {
        Activity::Left(days) => Some(-days),
        // Gone the day after their last sign-in, the account never disabled.
        Activity::Inactive(days) if LEFT_BUT_ENABLED.contains(&handle) => Some(1 - days),
        _ => UPCOMING_LEAVERS.iter().find(|(h, _)| *h == handle).map(|&(_, days)| days),
    }
}

fn new_starter(row: &StarterRow) -> Person {
    let &(handle, given, surname, department, title, office, manager, hire_in_days) = row;
    let upn = member_upn(handle);
    let created_days_ago = ACCOUNT_LEAD_DAYS - hire_in_days;
    Person {
        id: ids::user_id(&upn),
        mail: upn.clone(),
        user_principal_name: upn,
        handle: handle.into(),
        display_name: format!("{given} {surname}"),
        given_name: given.into(),
        surname: surname.into(),
        department: Some(department.into()),
        job_title: Some(title.into()),
        company_name: "Woodgrove Bank".into(),
        office_location: Some(office),
        guest: false,
        activity: Activity::NeverSignedIn,
        synced: false,
        licensed: true,
        manager: manager.map(Into::into),
        created_days_ago,
        password_age_days: created_days_ago,
        hire_in_days: Some(hire_in_days),
        leave_in_days: None,
        generated: None,
    }
}

fn guest(index: usize, row: &GuestRow) -> Person {
    let &(handle, given, surname, department, title, activity) = row;
    let upn = guest_upn(handle);
    Person {
        id: ids::user_id(&upn),
        mail: format!("{handle}@{GUEST_DOMAIN}"),
        user_principal_name: upn,
        handle: handle.into(),
        display_name: format!("{given} {surname}"),
        given_name: given.into(),
        surname: surname.into(),
        department: department.map(Into::into),
        job_title: Some(title.into()),
        company_name: "Fabrikam Partners".into(),
        office_location: None,
        guest: true,
        activity,
        synced: false,
        licensed: false,
        manager: None,
        created_days_ago: match activity {
            Activity::PendingInvitation => 4 + index as i64 * 3,
            _ => 60 + index as i64 * 23,
        },
        password_age_days: 0,
        hire_in_days: None,
        leave_in_days: None,
        generated: None,
    }
}

fn generated(seed: u64, index: usize) -> Person {
    let mut rng = Rng::new(seed, 0x5EED_0000 + index as u64);
    let given = *rng.pick(GENERATED_GIVEN_NAMES);
    let surname = *rng.pick(GENERATED_SURNAMES);
    // The index keeps UPNs unique; no story UPN ends in digits except the break-glass
    // accounts, whose names no generated person can have, so none can collide.
    let handle = format!("{}.{}{}", given.to_ascii_lowercase(), surname.to_ascii_lowercase(), index + 1);
    let upn = member_upn(&handle);
    let department = *rng.pick(GENERATED_DEPARTMENTS);
    let activity = match rng.below(100) {
        0..=2 => Activity::Left(rng.between(5, 200)),
        3..=7 => Activity::Inactive(rng.between(91, 400)),
        _ => Activity::Active,
    };
    let mut person = Person {
        id: ids::user_id(&upn),
        mail: upn.clone(),
        user_principal_name: upn,
        handle,
        display_name: format!("{given} {surname}"),
        given_name: given.into(),
        surname: surname.into(),
        department: Some(department.into()),
        job_title: Some(generated_title(department).into()),
        company_name: "Woodgrove Bank".into(),
        office_location: Some(*rng.pick(OFFICES)),
        guest: false,
        activity,
        synced: rng.percent(30),
        licensed: rng.percent(98),
        manager: None,
        created_days_ago: rng.between(20, 2500),
        password_age_days: rng.between(1, 300),
        hire_in_days: None,
        leave_in_days: leave_in_days("", activity),
        generated: Some(index),
    };
    person.hire_in_days = Some(ACCOUNT_LEAD_DAYS - person.created_days_ago);
    person
}

fn generated_title(department: &str) -> &'static str {
    match department {
        "Operations" => "Customer Service Representative",
        "Sales" => "Account Executive",
        "Finance" => "Accountant",
        "IT" => "Support Engineer",
        "Marketing" => "Marketing Specialist",
        "HR" => "HR Generalist",
        "Treasury" => "Treasury Analyst",
        "Compliance" => "Compliance Analyst",
        _ => "Associate",
    }
}

/// Managers for generated staff: the story's head of each department, so manager chains of
/// generated people end in the story's executives.
pub fn department_head(department: &str) -> &'static str {
    match department {
        "Operations" => "george.adams",
        "Sales" => "alex",
        "Finance" => "daniel",
        "IT" => "tom",
        "Marketing" => "chloe.martin",
        "HR" => "claire.dubois",
        "Treasury" => "hannah.schmidt",
        "Compliance" | "Security" => "nadia.rahman",
        "Legal" => "nikolai.ivanov",
        _ => "henrik.larsen",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn story_cast_has_the_promised_shape() {
        let people = population(1, 0);
        let members = people.iter().filter(|p| !p.guest).count();
        let guests = people.iter().filter(|p| p.guest).count();
        assert!((60..=70).contains(&members), "{members} members");
        assert_eq!(guests, 25);
        let leavers = people.iter().filter(|p| matches!(p.activity, Activity::Left(_))).count();
        assert_eq!(leavers, 6);
        let inactive = people.iter().filter(|p| matches!(p.activity, Activity::Inactive(d) if d > 90)).count();
        assert_eq!(inactive, 10);
        let hr_guests = people.iter().filter(|p| p.guest && p.department.as_deref() == Some("HR")).count();
        assert_eq!(hr_guests, 2);
        let karita = people.iter().find(|p| p.handle == "karita");
        assert_eq!(karita.map(|k| k.id.clone()), Some(ids::user_id("karita@woodgrovebank.com")));
    }

    #[test]
    fn generated_names_never_collide_with_the_story() {
        let people = population(9, 2000);
        let story: HashSet<_> = people.iter().filter(|p| !p.is_generated()).map(|p| p.display_name.clone()).collect();
        let mut upns = HashSet::new();
        for p in &people {
            assert!(upns.insert(p.user_principal_name.to_lowercase()));
            if p.is_generated() {
                assert!(!story.contains(&p.display_name));
            }
        }
    }
}
