//! Access reviews: four review series (`accessReviewScheduleDefinition`), their instances, the
//! reviewers each instance contacted, the stages of the multi-stage one and every decision.
//!
//! - *Finance Microsoft 365 Groups Q{n}* (the current quarter): the members of *Finance Team*,
//!   reviewed every quarter by the group's owners, Alex Chen as fallback. The current instance
//!   started 3 days ago. Daniel Moreau approved the disabled leaver Brian Walsh against a Deny
//!   recommendation, approved the inactive Fabrikam guest Laura Bianchi, denied the active Wei
//!   Zhang against Approve and approved himself; Grace Whitfield has not acted; four items are
//!   not reviewed. Last quarter's instance was applied.
//! - *Sales App Access Q{n}*: who may use *Sales CRM*, reviewed by Alex Chen and Jordan Reyes
//!   (the signed-in persona). Alex denied Yuki Tanaka and approved the long-inactive Hugo
//!   Lambert, both against the recommendation, and has not acted on six others; Jordan has not
//!   acted at all. Undecided items take the recommendation when the review ends, and the
//!   decisions apply themselves.
//! - *Privileged Roles Review Q{n-1}*: last quarter's two-stage review of Global
//!   Administrator (Nadia Rahman, then Rachel Cohen); Dmitri Volkov's assignment was denied and
//!   removed.
//! - *Guests in Microsoft 365 Groups*: guests of every Microsoft 365 group, owners reviewing;
//!   it starts in 12 days.
//!
//! Ids are UUIDv5 of the review's handle (and the instance's, and the principal's), never of a
//! name, so they hold across quarters. Graph serves instances, decisions, contacted reviewers
//! and stages only below their definition; the emulator keeps each kind in one collection and
//! finds an instance's definition, reviewers and stages through [`instance_details`].

use chrono::{Datelike, Duration};
use serde_json::{Value, json};

use super::Generation;
use super::apps::{SALES_CRM, service_principal_id};
use super::groups::FINANCE_TEAM;
use super::ids;
use super::people::Person;
use super::roles::GLOBAL_ADMINISTRATOR;

/// Graph's empty identity on a decision nobody made or applied yet.
const NOBODY: &str = "00000000-0000-0000-0000-000000000000";

/// Which quarter a review's name carries.
#[derive(Clone, Copy)]
enum Quarter {
    Current,
    Previous,
    None,
}

/// Who reviews: a scope Graph evaluates when an instance starts.
#[derive(Clone, Copy)]
enum Reviewers {
    /// The owners of the group under review (`./owners`).
    GroupOwners,
    /// One user, by story handle.
    User(&'static str),
}

/// What a review covers.
#[derive(Clone, Copy)]
enum Scope {
    /// The members (direct and nested) of one group.
    GroupMembers(&'static str),
    /// The users assigned to one app.
    AppUsers(&'static str),
    /// The users holding one directory role, active or eligible.
    Role(&'static str, &'static str),
    /// The guests of every Microsoft 365 group, one instance per group.
    GuestsInMicrosoft365Groups,
}

/// How a review ends.
#[derive(Clone, Copy)]
struct Settings {
    justification_on_approval: bool,
    /// `None`, `Approve`, `Deny` or `Recommendation`.
    default_decision: &'static str,
    auto_apply: bool,
    duration_days: i64,
    /// ISO 8601 duration of inactivity before the review that makes the recommendation Deny.
    look_back: &'static str,
    /// Months between instances; `None` for a one-time review.
    every_months: Option<i64>,
}

/// One decision: principal (story handle), recommendation, decision, who decided and when
/// (days ago), why.
type DecisionRow = (&'static str, &'static str, &'static str, Option<&'static str>, i64, &'static str);

/// One stage of a multi-stage instance: reviewer, days from the review start to its start and end.
type StageRow = (&'static str, i64, i64);

struct Instance {
    handle: &'static str,
    /// Days from now (negative: in the past).
    start: i64,
    end: i64,
    status: &'static str,
    contacted: &'static [&'static str],
    decisions: &'static [DecisionRow],
    /// Who applied the decisions, and how many days ago.
    applied: Option<(&'static str, i64)>,
    stages: &'static [StageRow],
}

struct Review {
    handle: &'static str,
    name: &'static str,
    quarter: Quarter,
    status: &'static str,
    created_days_ago: i64,
    created_by: &'static str,
    for_admins: &'static str,
    for_reviewers: &'static str,
    scope: Scope,
    reviewers: &'static [Reviewers],
    fallback: &'static [Reviewers],
    settings: Settings,
    /// Days from now when the series starts (its first instance).
    starts: i64,
    /// Reviewers of each stage of a multi-stage review.
    stages: &'static [&'static str],
    instances: &'static [Instance],
}

pub const FINANCE_REVIEW: &str = "finance-m365";
pub const SALES_REVIEW: &str = "sales-crm";
pub const ROLES_REVIEW: &str = "privileged-roles";
pub const GUESTS_REVIEW: &str = "guests-m365";

const REVIEWS: &[Review] = &[
    Review {
        handle: FINANCE_REVIEW,
        name: "Finance Microsoft 365 Groups",
        quarter: Quarter::Current,
        status: "InProgress",
        created_days_ago: 190,
        created_by: "priya",
        for_admins: "Quarterly review of who belongs to the Finance Microsoft 365 groups",
        for_reviewers: "Confirm that each person still needs to be in Finance Team",
        scope: Scope::GroupMembers(FINANCE_TEAM),
        reviewers: &[Reviewers::GroupOwners],
        fallback: &[Reviewers::User("alex")],
        settings: Settings {
            justification_on_approval: false,
            default_decision: "None",
            auto_apply: false,
            duration_days: 14,
            look_back: "P14D",
            every_months: Some(3),
        },
        starts: -185,
        stages: &[],
        instances: &[
            Instance {
                handle: "previous",
                start: -94,
                end: -80,
                status: "Applied",
                contacted: &["daniel", "grace.whitfield"],
                decisions: &[
                    ("karita", "Approve", "Approve", Some("daniel"), 90, ""),
                    ("siobhan.obrien", "Approve", "Approve", Some("daniel"), 90, ""),
                    ("wei.zhang", "Approve", "Approve", Some("grace.whitfield"), 85, ""),
                ],
                applied: Some(("priya", 79)),
                stages: &[],
            },
            Instance {
                handle: "current",
                start: -3,
                end: 11,
                status: "InProgress",
                contacted: &["daniel", "grace.whitfield"],
                decisions: &[
                    (
                        "brian.walsh",
                        "Deny",
                        "Approve",
                        Some("daniel"),
                        2,
                        "Still finishing the quarter-end close handover",
                    ),
                    (
                        "laura.bianchi",
                        "Deny",
                        "Approve",
                        Some("daniel"),
                        2,
                        "External auditor; the engagement continues next quarter",
                    ),
                    ("wei.zhang", "Approve", "Deny", Some("daniel"), 1, "Moved to the Treasury team"),
                    ("daniel", "Approve", "Approve", Some("daniel"), 2, ""),
                    ("karita", "Approve", "Approve", Some("daniel"), 2, ""),
                    ("siobhan.obrien", "Approve", "Approve", Some("daniel"), 1, ""),
                    ("robert.king", "Deny", "NotReviewed", None, 0, ""),
                    ("fatima.haddad", "Approve", "NotReviewed", None, 0, ""),
                    ("lars.nilsson", "Approve", "NotReviewed", None, 0, ""),
                    ("amara.okeke", "Approve", "NotReviewed", None, 0, ""),
                ],
                applied: None,
                stages: &[],
            },
        ],
    },
    Review {
        handle: SALES_REVIEW,
        name: "Sales App Access",
        quarter: Quarter::Current,
        status: "InProgress",
        created_days_ago: 20,
        created_by: "priya",
        for_admins: "Who may keep using Sales CRM",
        for_reviewers: "Keep Sales CRM access only for people who still work the pipeline",
        scope: Scope::AppUsers(SALES_CRM),
        reviewers: &[Reviewers::User("alex"), Reviewers::User("jordan")],
        fallback: &[],
        settings: Settings {
            justification_on_approval: false,
            default_decision: "Recommendation",
            auto_apply: true,
            duration_days: 21,
            look_back: "P14D",
            every_months: None,
        },
        starts: -14,
        stages: &[],
        instances: &[Instance {
            handle: "current",
            start: -14,
            end: 7,
            status: "InProgress",
            contacted: &["alex", "jordan"],
            decisions: &[
                ("maria.garcia", "Approve", "Approve", Some("alex"), 9, ""),
                ("noah.kim", "Approve", "Approve", Some("alex"), 9, ""),
                (
                    "yuki.tanaka",
                    "Approve",
                    "Deny",
                    Some("alex"),
                    8,
                    "Moved to sales operations reporting; uses the BI dashboards instead",
                ),
                (
                    "hugo.lambert",
                    "Deny",
                    "Approve",
                    Some("alex"),
                    8,
                    "Keeps his London accounts until the territory handover",
                ),
                ("james.wilson", "Approve", "NotReviewed", None, 0, ""),
                ("olivia.brown", "Approve", "NotReviewed", None, 0, ""),
                ("carla.ruiz", "Deny", "NotReviewed", None, 0, ""),
                ("mark.taylor", "Approve", "NotReviewed", None, 0, ""),
                ("david.nguyen", "Approve", "NotReviewed", None, 0, ""),
                ("tariq.aziz", "Approve", "NotReviewed", None, 0, ""),
            ],
            applied: None,
            stages: &[],
        }],
    },
    Review {
        handle: ROLES_REVIEW,
        name: "Privileged Roles Review",
        quarter: Quarter::Previous,
        status: "Completed",
        created_days_ago: 70,
        created_by: "priya",
        for_admins: "Who holds Global Administrator, permanently or eligible",
        for_reviewers: "Approve only accounts that still need Global Administrator",
        scope: Scope::Role(GLOBAL_ADMINISTRATOR, "Global Administrator"),
        reviewers: &[Reviewers::User("nadia.rahman")],
        fallback: &[],
        settings: Settings {
            justification_on_approval: true,
            default_decision: "None",
            auto_apply: true,
            duration_days: 14,
            look_back: "P30D",
            every_months: None,
        },
        starts: -60,
        stages: &["nadia.rahman", "rachel.cohen"],
        instances: &[Instance {
            handle: "only",
            start: -60,
            end: -46,
            status: "Applied",
            contacted: &["nadia.rahman", "rachel.cohen"],
            decisions: &[
                ("breakglass01", "Approve", "Approve", Some("rachel.cohen"), 47, "Emergency access account"),
                ("breakglass02", "Approve", "Approve", Some("rachel.cohen"), 47, "Emergency access account"),
                ("priya", "Approve", "Approve", Some("rachel.cohen"), 47, "Identity architect, eligible only"),
                ("dmitri.volkov", "Approve", "Deny", Some("rachel.cohen"), 46, "Left the bank"),
            ],
            applied: Some(("rachel.cohen", 45)),
            stages: &[("nadia.rahman", 0, 7), ("rachel.cohen", 7, 14)],
        }],
    },
    Review {
        handle: GUESTS_REVIEW,
        name: "Guests in Microsoft 365 Groups",
        quarter: Quarter::None,
        status: "NotStarted",
        created_days_ago: 2,
        created_by: "priya",
        for_admins: "Monthly review of guests in every Microsoft 365 group",
        for_reviewers: "Remove guests who no longer work with your team",
        scope: Scope::GuestsInMicrosoft365Groups,
        reviewers: &[Reviewers::GroupOwners],
        fallback: &[Reviewers::User("priya")],
        settings: Settings {
            justification_on_approval: false,
            default_decision: "Deny",
            auto_apply: true,
            duration_days: 7,
            look_back: "P30D",
            every_months: Some(1),
        },
        starts: 12,
        stages: &[],
        instances: &[],
    },
];

/// The object id of a review series, by handle.
pub fn definition_id(review: &str) -> String {
    ids::object_id("accessReviewScheduleDefinition", review)
}

/// The object id of one instance of a review series.
pub fn instance_id(review: &str, instance: &str) -> String {
    ids::object_id("accessReviewInstance", &format!("{review}/{instance}"))
}

fn decision_id(review: &str, instance: &str, principal: &str) -> String {
    ids::object_id("accessReviewInstanceDecisionItem", &format!("{review}/{instance}/{principal}"))
}

fn stage_id(review: &str, instance: &str, stage: usize) -> String {
    ids::object_id("accessReviewStage", &format!("{review}/{instance}/{}", stage + 1))
}

/// `Q3` for the quarter of the anchor, or of the quarter before it.
fn quarter_label(g: &Generation<'_>, which: Quarter) -> Option<String> {
    let now = chrono::DateTime::parse_from_rfc3339(&g.clock.at(Duration::zero())).ok()?;
    let current = (now.month0() / 3) as i32 + 1;
    match which {
        Quarter::Current => Some(format!("Q{current}")),
        Quarter::Previous => Some(format!("Q{}", if current == 1 { 4 } else { current - 1 })),
        Quarter::None => None,
    }
}

fn person<'a>(g: &Generation<'a>, handle: &str) -> Option<&'a Person> {
    g.cast.person(handle)
}

fn identity(g: &Generation<'_>, handle: Option<&str>) -> Value {
    match handle.and_then(|h| person(g, h)) {
        Some(p) => json!({"id": p.id, "displayName": p.display_name, "userPrincipalName": p.user_principal_name}),
        None => json!({"id": NOBODY, "displayName": "", "userPrincipalName": ""}),
    }
}

fn reviewer_scope(reviewers: &[Reviewers], g: &Generation<'_>) -> Value {
    reviewers
        .iter()
        .map(|r| match r {
            Reviewers::GroupOwners => json!({"query": "./owners", "queryType": "MicrosoftGraph", "queryRoot": null}),
            Reviewers::User(handle) => json!({
                "query": format!("/users/{}", person(g, handle).map(|p| p.id.as_str()).unwrap_or(NOBODY)),
                "queryType": "MicrosoftGraph",
                "queryRoot": null,
            }),
        })
        .collect()
}

fn query_scope(query: String) -> Value {
    json!({"@odata.type": "#microsoft.graph.accessReviewQueryScope", "query": query, "queryType": "MicrosoftGraph", "queryRoot": null})
}

/// The definition's `scope` and `instanceEnumerationScope`.
fn scopes(scope: Scope) -> (Value, Value) {
    match scope {
        Scope::GroupMembers(group) => {
            let id = ids::group_id(group);
            (query_scope(format!("/groups/{id}/transitiveMembers")), query_scope(format!("/groups/{id}")))
        }
        Scope::AppUsers(app) => {
            let id = service_principal_id(app);
            (query_scope(format!("/servicePrincipals/{id}/appRoleAssignedTo")), Value::Null)
        }
        Scope::Role(role, _) => (
            query_scope(format!(
                "/roleManagement/directory/roleAssignmentScheduleInstances?$expand=principal&$filter=(isof(principal,'microsoft.graph.user') and roleDefinitionId eq '{role}')"
            )),
            Value::Null,
        ),
        Scope::GuestsInMicrosoft365Groups => (
            query_scope("./members/microsoft.graph.user/?$count=true&$filter=(userType eq 'Guest')".into()),
            query_scope("/groups?$filter=(groupTypes/any(c:c+eq+'Unified'))&$count=true".into()),
        ),
    }
}

/// The resource a decision of this scope is about.
fn resource(scope: Scope) -> (Value, Value) {
    match scope {
        Scope::GroupMembers(group) => {
            let id = ids::group_id(group);
            (
                json!({"id": id, "displayName": group, "type": "Group"}),
                Value::from(format!("https://graph.microsoft.com/v1.0/groups/{id}")),
            )
        }
        Scope::AppUsers(app) => {
            let id = service_principal_id(app);
            (
                json!({
                    "@odata.type": "#microsoft.graph.accessReviewInstanceDecisionItemServicePrincipalResource",
                    "id": id,
                    "displayName": app,
                    "type": "ServicePrincipal",
                    "appId": super::apps::app_id(app),
                }),
                Value::from(format!("https://graph.microsoft.com/v1.0/servicePrincipals/{id}")),
            )
        }
        Scope::Role(role, name) => (
            json!({"id": role, "displayName": name, "type": "DirectoryRole"}),
            Value::from(format!("https://graph.microsoft.com/v1.0/roleManagement/directory/roleDefinitions/{role}")),
        ),
        Scope::GuestsInMicrosoft365Groups => (Value::Null, Value::Null),
    }
}

fn settings(review: &Review, g: &Generation<'_>) -> Value {
    let s = review.settings;
    let start = g.clock.days_ahead(review.starts);
    let start_date = start.get(..10).unwrap_or(&start);
    let recurrence = s.every_months.map(|months| {
        json!({
            "pattern": {
                "type": "absoluteMonthly",
                "interval": months,
                "month": 0,
                "dayOfMonth": 0,
                "daysOfWeek": [],
                "firstDayOfWeek": "sunday",
                "index": "first",
            },
            "range": {
                "type": "noEnd",
                "numberOfOccurrences": 0,
                "recurrenceTimeZone": null,
                "startDate": start_date,
                "endDate": null,
            },
        })
    });
    // A one-time review recurs once, from its start date.
    let recurrence = recurrence.unwrap_or_else(|| {
        json!({
            "pattern": null,
            "range": {
                "type": "numbered",
                "numberOfOccurrences": 1,
                "recurrenceTimeZone": null,
                "startDate": start_date,
                "endDate": null,
            },
        })
    });
    json!({
        "mailNotificationsEnabled": true,
        "reminderNotificationsEnabled": true,
        "justificationRequiredOnApproval": s.justification_on_approval,
        "defaultDecisionEnabled": s.default_decision != "None",
        "defaultDecision": s.default_decision,
        "instanceDurationInDays": s.duration_days,
        "autoApplyDecisionsEnabled": s.auto_apply,
        "recommendationsEnabled": true,
        "recommendationLookBackDuration": s.look_back,
        "decisionHistoriesForReviewersEnabled": false,
        "recurrence": recurrence,
        "applyActions": [{"@odata.type": "#microsoft.graph.removeAccessApplyAction"}],
    })
}

/// `accessReviewScheduleDefinition` resources.
pub fn definitions(g: &Generation<'_>) -> Vec<Value> {
    REVIEWS
        .iter()
        .map(|review| {
            let name = match quarter_label(g, review.quarter) {
                Some(quarter) => format!("{} {quarter}", review.name),
                None => review.name.to_string(),
            };
            let (scope, enumeration) = scopes(review.scope);
            let stage_settings: Vec<Value> = review
                .stages
                .iter()
                .enumerate()
                .map(|(i, reviewer)| {
                    let depends: Vec<String> = if i == 0 { Vec::new() } else { vec![i.to_string()] };
                    json!({
                        "stageId": (i + 1).to_string(),
                        "dependsOn": depends,
                        "durationInDays": 7,
                        "recommendationsEnabled": true,
                        "decisionsThatWillMoveToNextStage": if i + 1 < review.stages.len() { json!(["Approve"]) } else { json!([]) },
                        "reviewers": reviewer_scope(&[Reviewers::User(reviewer)], g),
                        "fallbackReviewers": [],
                    })
                })
                .collect();
            json!({
                "id": definition_id(review.handle),
                "displayName": name,
                "createdDateTime": g.clock.days_ago(review.created_days_ago),
                "lastModifiedDateTime": g.clock.days_ago(review.created_days_ago.min(30)),
                "status": review.status,
                "descriptionForAdmins": review.for_admins,
                "descriptionForReviewers": review.for_reviewers,
                "createdBy": identity(g, Some(review.created_by)),
                "scope": scope,
                "instanceEnumerationScope": enumeration,
                "reviewers": reviewer_scope(review.reviewers, g),
                "fallbackReviewers": reviewer_scope(review.fallback, g),
                "backupReviewers": reviewer_scope(review.fallback, g),
                "additionalNotificationRecipients": [],
                "settings": settings(review, g),
                "stageSettings": stage_settings,
            })
        })
        .collect()
}

/// `accessReviewInstance` resources.
pub fn instances(g: &Generation<'_>) -> Vec<Value> {
    let mut out = Vec::new();
    for review in REVIEWS {
        let (scope, _) = scopes(review.scope);
        for instance in review.instances {
            out.push(json!({
                "id": instance_id(review.handle, instance.handle),
                "startDateTime": g.clock.days_ahead(instance.start),
                "endDateTime": g.clock.days_ahead(instance.end),
                "status": instance.status,
                "scope": scope,
                "reviewers": reviewer_scope(review.reviewers, g),
                "fallbackReviewers": reviewer_scope(review.fallback, g),
            }));
        }
    }
    out
}

/// `accessReviewInstanceDecisionItem` resources of every instance.
pub fn decisions(g: &Generation<'_>) -> Vec<Value> {
    let mut out = Vec::new();
    for review in REVIEWS {
        let (resource, resource_link) = resource(review.scope);
        for instance in review.instances {
            let instance_id = instance_id(review.handle, instance.handle);
            for &(handle, recommendation, decision, reviewer, days_ago, justification) in instance.decisions {
                let Some(principal) = person(g, handle) else { continue };
                let reviewed = reviewer.is_some();
                let applied = instance.applied.filter(|_| reviewed);
                out.push(json!({
                    "id": decision_id(review.handle, instance.handle, handle),
                    "accessReviewId": instance_id,
                    "reviewedBy": identity(g, reviewer),
                    "reviewedDateTime": if reviewed { Value::from(g.clock.days_ago(days_ago)) } else { Value::Null },
                    "decision": decision,
                    "justification": justification,
                    "appliedBy": identity(g, applied.map(|(who, _)| who)),
                    "appliedDateTime": applied.map(|(_, days)| g.clock.days_ago(days)),
                    "applyResult": if applied.is_some() { "AppliedSuccessfully" } else { "New" },
                    "recommendation": recommendation,
                    "principal": {
                        "@odata.type": "#microsoft.graph.userIdentity",
                        "id": principal.id,
                        "displayName": principal.display_name,
                        "userPrincipalName": principal.user_principal_name,
                    },
                    "principalLink": format!("https://graph.microsoft.com/v1.0/users/{}", principal.id),
                    "resource": resource,
                    "resourceLink": resource_link,
                }));
            }
        }
    }
    out
}

/// What Graph keeps below each instance besides its decisions, one row per instance (never
/// served as such): the definition it belongs to, the reviewers it contacted
/// (`accessReviewReviewer`) and its stages (`accessReviewStage`).
pub fn instance_details(g: &Generation<'_>) -> Vec<Value> {
    let mut out = Vec::new();
    for review in REVIEWS {
        for instance in review.instances {
            let contacted: Vec<Value> = instance
                .contacted
                .iter()
                .filter_map(|handle| person(g, handle))
                .map(|p| {
                    json!({
                        "id": p.id,
                        "displayName": p.display_name,
                        "userPrincipalName": p.user_principal_name,
                        "createdDateTime": g.clock.days_ahead(instance.start),
                    })
                })
                .collect();
            let stages: Vec<Value> = instance
                .stages
                .iter()
                .enumerate()
                .map(|(i, &(reviewer, from, to))| {
                    json!({
                        "id": stage_id(review.handle, instance.handle, i),
                        "startDateTime": g.clock.days_ahead(instance.start + from),
                        "endDateTime": g.clock.days_ahead(instance.start + to),
                        "status": if instance.start + to < 0 { "Completed" } else { "InProgress" },
                        "reviewers": reviewer_scope(&[Reviewers::User(reviewer)], g),
                        "fallbackReviewers": [],
                    })
                })
                .collect();
            out.push(json!({
                "id": instance_id(review.handle, instance.handle),
                "definitionId": definition_id(review.handle),
                "contactedReviewers": contacted,
                "stages": stages,
            }));
        }
    }
    out
}
