//! Graph user resources for the population, once sign-ins are known (they decide
//! `signInActivity`), and the manager relationship.

use chrono::Duration;
use serde_json::{Map, Value, json};

use super::clock::Clock;
use super::ids;
use super::licences;
use super::people::{Activity, Person, department_head, member_id};

const MINUTE: i64 = 60;
const DAY: i64 = 24 * 3600;

/// The Graph user resource. `last` and `last_success` are the person's most recent interactive
/// and successful sign-ins in the generated log, in seconds relative to the anchor.
pub fn to_json(person: &Person, last: Option<i64>, last_success: Option<i64>, clock: &Clock) -> Value {
    let licences = licences::assignments(person);
    let mut user = json!({
        "id": person.id,
        "displayName": person.display_name,
        "givenName": person.given_name,
        "surname": person.surname,
        "userPrincipalName": person.user_principal_name,
        "mail": if person.mail.is_empty() { Value::Null } else { Value::from(person.mail.clone()) },
        "mailNickname": person.handle.replace('.', ""),
        "accountEnabled": person.enabled(),
        "userType": if person.guest { "Guest" } else { "Member" },
        "department": person.department,
        "jobTitle": person.job_title,
        "companyName": person.company_name,
        "officeLocation": person.office_location,
        "businessPhones": [],
        "mobilePhone": null,
        "preferredLanguage": "en-US",
        "usageLocation": if person.guest { Value::Null } else { Value::from("US") },
        "createdDateTime": clock.days_ago(person.created_days_ago),
        "lastPasswordChangeDateTime": clock.days_ago(person.password_age_days.min(person.created_days_ago)),
        // A password change revokes refresh tokens, so sessions are valid from the last one.
        "signInSessionsValidFromDateTime": clock.days_ago(person.password_age_days.min(person.created_days_ago)),
        "onPremisesSyncEnabled": if person.synced { Value::Bool(true) } else { Value::Null },
        "onPremisesLastSyncDateTime": if person.synced { Value::from(clock.at(Duration::minutes(-23))) } else { Value::Null },
        "creationType": if person.guest { Value::from("Invitation") } else { Value::Null },
        "externalUserState": external_state(person),
        "externalUserStateChangeDateTime": if person.guest { Value::from(clock.days_ago(person.created_days_ago)) } else { Value::Null },
        "employeeLeaveDateTime": person.leave_in_days.map(|days| clock.days_ahead(days)),
        // The HR attributes lifecycle workflows trigger on and scope by.
        "employeeHireDate": person.hire_in_days.map(|days| clock.days_ahead(days)),
        "employeeType": if person.guest || person.activity == Activity::BreakGlass { Value::Null } else { Value::from("Employee") },
        "country": country(person.office_location),
        "assignedLicenses": licences::assigned_licenses(&licences),
        "licenseAssignmentStates": licences::assignment_states(&licences, person, clock),
    });
    if let (Some(activity), Value::Object(map)) = (sign_in_activity(person, last, last_success, clock), &mut user) {
        map.insert("signInActivity".into(), activity);
    }
    user
}

/// The country of an office, as HR records it.
fn country(office: Option<&str>) -> Value {
    match office {
        Some(office) if office.starts_with("London") => Value::from("United Kingdom"),
        Some(_) => Value::from("United States"),
        None => Value::Null,
    }
}

fn external_state(person: &Person) -> Value {
    match (person.guest, person.activity) {
        (false, _) => Value::Null,
        (true, Activity::PendingInvitation) => "PendingAcceptance".into(),
        (true, _) => "Accepted".into(),
    }
}

/// `signInActivity`, absent for people who never signed in.
fn sign_in_activity(person: &Person, last: Option<i64>, last_success: Option<i64>, clock: &Clock) -> Option<Value> {
    let (interactive, success) = match person.activity {
        Activity::NeverSignedIn | Activity::PendingInvitation => return None,
        Activity::Inactive(days) => (Some(-days * DAY), Some(-days * DAY)),
        Activity::Left(days) => (last.or(Some(-(days + 1) * DAY)), Some(-(days + 1) * DAY)),
        Activity::Active | Activity::BreakGlass => (last, last_success.or(last)),
    };
    let interactive = interactive?;
    // Token refreshes keep happening after the last interactive sign-in while a session lives.
    let non_interactive = match person.activity {
        Activity::Active => (success.unwrap_or(interactive) + 20 * MINUTE).min(-5 * MINUTE),
        _ => interactive,
    };
    let stamp = |seconds: i64| Value::from(clock.at(Duration::seconds(seconds)));
    let request = |kind: &str, seconds: i64| Value::from(ids::object_id(kind, &format!("{}/{seconds}", person.id)));
    let mut map = Map::new();
    map.insert("lastSignInDateTime".into(), stamp(interactive));
    map.insert("lastSignInRequestId".into(), request("signInRequest", interactive));
    map.insert("lastNonInteractiveSignInDateTime".into(), stamp(non_interactive));
    map.insert("lastNonInteractiveSignInRequestId".into(), request("nonInteractiveRequest", non_interactive));
    match success {
        Some(s) => {
            map.insert("lastSuccessfulSignInDateTime".into(), stamp(s));
            map.insert("lastSuccessfulSignInRequestId".into(), request("signInRequest", s));
        }
        None => {
            map.insert("lastSuccessfulSignInDateTime".into(), Value::Null);
            map.insert("lastSuccessfulSignInRequestId".into(), Value::Null);
        }
    }
    Some(Value::Object(map))
}

/// The object id of a person's manager, if any: the story's chain, or the head of the
/// department for generated staff.
pub fn manager_id(person: &Person) -> Option<String> {
    match (&person.manager, person.generated, person.department.as_deref()) {
        (Some(handle), _, _) => Some(member_id(handle)),
        (None, Some(_), Some(department)) => Some(member_id(department_head(department))),
        _ => None,
    }
}
