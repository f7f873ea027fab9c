//! PIM for Groups: who may activate membership or ownership of a group governed by PIM, and who
//! holds it now. Helpdesk Operators is the governed group: Jordan and Arjun may activate
//! membership (and with it Helpdesk Administrator), Priya ownership; its two technicians are
//! assigned members, and Tom is its assigned owner.

use serde_json::{Value, json};

use super::Generation;
use super::groups::HELPDESK_OPERATORS;
use super::ids;
use super::people::member_id;

/// An eligibility: who, which group, member or owner, days since it started, days until it ends.
const ELIGIBLE: &[(&str, &str, &str, i64, Option<i64>)] = &[
    ("jordan", HELPDESK_OPERATORS, "member", 200, Some(165)),
    // Priya may take over the group's ownership when Tom is away; Arjun covers the helpdesk
    // during the app migration project, until next month.
    ("priya", HELPDESK_OPERATORS, "owner", 60, Some(120)),
    ("arjun.mehta", HELPDESK_OPERATORS, "member", 30, Some(30)),
];

/// An active assignment: who, which group, member or owner, days since it started, days until
/// it ends. They match the group's members and owners in `groups.rs`.
const ASSIGNED: &[(&str, &str, &str, i64, Option<i64>)] = &[
    ("kevin.obi", HELPDESK_OPERATORS, "member", 400, None),
    ("lena.fischer", HELPDESK_OPERATORS, "member", 380, None),
    ("tom", HELPDESK_OPERATORS, "owner", 400, None),
];

/// Graph's ids for these instances read `{groupId}_{accessId}_{scheduleId}`.
fn instance_id(kind: &str, handle: &str, group: &str, access: &str) -> (String, String) {
    let group_id = ids::group_id(group);
    let schedule = ids::object_id(kind, &format!("{handle}/{group}/{access}"));
    (format!("{group_id}_{access}_{schedule}"), schedule)
}

/// `privilegedAccessGroupEligibilityScheduleInstance` resources.
pub fn eligibility_schedule_instances(g: &Generation<'_>) -> Vec<Value> {
    ELIGIBLE
        .iter()
        .map(|&(handle, group, access, started, ends)| {
            let (id, schedule) = instance_id("groupEligibilitySchedule", handle, group, access);
            json!({
                "id": id,
                "principalId": member_id(handle),
                "groupId": ids::group_id(group),
                "accessId": access,
                "memberType": "direct",
                "startDateTime": g.clock.days_ago(started),
                "endDateTime": ends.map(|d| g.clock.days_ahead(d)),
                "eligibilityScheduleId": schedule,
            })
        })
        .collect()
}

/// `privilegedAccessGroupAssignmentScheduleInstance` resources.
pub fn assignment_schedule_instances(g: &Generation<'_>) -> Vec<Value> {
    ASSIGNED
        .iter()
        .map(|&(handle, group, access, started, ends)| {
            let (id, schedule) = instance_id("groupAssignmentSchedule", handle, group, access);
            json!({
                "id": id,
                "principalId": member_id(handle),
                "groupId": ids::group_id(group),
                "accessId": access,
                "memberType": "direct",
                "assignmentType": "assigned",
                "startDateTime": g.clock.days_ago(started),
                "endDateTime": ends.map(|d| g.clock.days_ahead(d)),
                "assignmentScheduleId": schedule,
            })
        })
        .collect()
}

/// `privilegedAccessGroupAssignmentScheduleRequest` resources: Jordan's activation of Helpdesk
/// Operators membership ten days ago, for two hours, long since over.
pub fn assignment_schedule_requests(g: &Generation<'_>) -> Vec<Value> {
    let (handle, group, access) = ("jordan", HELPDESK_OPERATORS, "member");
    let (_, eligibility) = instance_id("groupEligibilitySchedule", handle, group, access);
    let start = g.clock.days_ago(10);
    vec![json!({
        "id": ids::object_id("groupAssignmentScheduleRequest", &format!("{handle}/{group}/{access}/1")),
        "accessId": access,
        "action": "selfActivate",
        "principalId": member_id(handle),
        "groupId": ids::group_id(group),
        "justification": "Cover the Helpdesk queue during the Seattle office move",
        "status": "Provisioned",
        "createdDateTime": start,
        "completedDateTime": start,
        "approvalId": null,
        "createdBy": {"user": {"id": member_id(handle)}},
        "scheduleInfo": {
            "startDateTime": start,
            "expiration": {"type": "afterDuration", "duration": "PT2H", "endDateTime": null},
        },
        "ticketInfo": {"ticketNumber": null, "ticketSystem": null},
        "targetScheduleId": eligibility,
        "isValidationOnly": false,
    })]
}
