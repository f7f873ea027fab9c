//! An access package assignment policy in plain words: who may request or be assigned the
//! package, who approves in which stage, when access expires, whether it is reviewed, and which
//! custom extensions run at which stage.

use schemars::JsonSchema;
use serde::Serialize;

use crate::render::short_time;

use super::entitlement_model::{
    ApprovalStage, Expiration, NamedRef, Policy, ReviewSettings, SubjectSet, duration_words, snake,
};

/// One policy of an access package, in plain words.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct PolicySummary {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// Who may request it or be assigned it through this policy.
    pub who: String,
    /// Graph's `allowedTargetScope` in snake_case (`specific_connected_organization_users`).
    pub target_scope: String,
    /// The people in scope may request it for themselves.
    pub self_request: bool,
    /// Assigned automatically to everyone in scope rather than requested.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub automatic: bool,
    /// `none`, or how many approval stages a request goes through.
    pub approval: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub approval_stages: Vec<StageSummary>,
    /// When access granted through this policy ends.
    pub expiration: String,
    /// Whether and how assignments are reviewed.
    pub access_review: String,
    /// Logic Apps this policy calls, and when.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub custom_extensions: Vec<ExtensionHook>,
}

/// One approval stage.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct StageSummary {
    /// 1 for the first stage.
    pub stage: usize,
    pub approvers: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fallback_approvers: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub escalation_approvers: Vec<String>,
    /// A request nobody answers is denied after this long.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub denied_if_unanswered_after: Option<String>,
    pub approver_justification_required: bool,
}

/// A custom extension a policy runs at a stage of a request or an assignment.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ExtensionHook {
    /// When it runs, in words (`when access is granted`).
    pub stage: String,
    pub extension: NamedRef,
}

/// When a custom extension runs, in words.
pub fn stage_words(stage: &str) -> String {
    match stage {
        "assignmentRequestCreated" => "when a request is created".into(),
        "assignmentRequestApproved" => "when a request is approved".into(),
        "assignmentRequestGranted" => "when access is granted".into(),
        "assignmentRequestRemoved" => "when access is removed".into(),
        "assignmentFourteenDaysBeforeExpiration" => "14 days before access expires".into(),
        "assignmentOneDayBeforeExpiration" => "1 day before access expires".into(),
        other => snake(other),
    }
}

/// A subject set in words: `Daniel Moreau`, `members of Finance Department`, `the requestor's manager`.
pub fn subject_words(set: &SubjectSet) -> String {
    let kind =
        set.odata_type.as_deref().unwrap_or_default().trim_start_matches('#').trim_start_matches("microsoft.graph.");
    let described = |fallback: &str, id: &Option<String>| -> String {
        set.description
            .clone()
            .filter(|d| !d.trim().is_empty())
            .unwrap_or_else(|| format!("{fallback} {}", id.as_deref().unwrap_or("unknown")))
    };
    match kind {
        "singleUser" => described("user", &set.user_id),
        "groupMembers" => format!("members of {}", described("group", &set.group_id)),
        "requestorManager" => match set.manager_level {
            Some(level) if level > 1 => format!("the requestor's level-{level} manager"),
            _ => "the requestor's manager".into(),
        },
        "internalSponsors" => "the connected organization's internal sponsors".into(),
        "externalSponsors" => "the connected organization's external sponsors".into(),
        "targetUserSponsors" => "the requestor's sponsors".into(),
        "connectedOrganizationMembers" => {
            format!("users of {}", described("connected organization", &set.connected_organization_id))
        }
        "attributeRuleMembers" => set.description.clone().unwrap_or_else(|| "users matching an attribute rule".into()),
        "" => "someone".into(),
        other => other.to_string(),
    }
}

fn subjects(sets: &Option<Vec<SubjectSet>>) -> Vec<String> {
    sets.as_deref().unwrap_or_default().iter().map(subject_words).collect()
}

fn who_words(policy: &Policy, self_request: bool) -> String {
    let targets = subjects(&policy.specific_allowed_targets).join(", ");
    // The named targets say who better than the scope's name does.
    let listed = |what: &str| if targets.is_empty() { what.to_string() } else { targets.clone() };
    let scope = match policy.allowed_target_scope.as_deref() {
        Some("notSpecified") | None => return "no one can request it; administrators assign it directly".into(),
        Some("specificDirectoryUsers") => listed("specific users and groups in the directory"),
        Some("specificConnectedOrganizationUsers") => listed("users of specific connected organizations"),
        Some("specificDirectoryServicePrincipals") => listed("specific service principals"),
        Some("allMemberUsers") => "all members of the directory (not guests)".into(),
        Some("allDirectoryUsers") => "all users in the directory, guests included".into(),
        Some("allDirectoryServicePrincipals") => "all service principals in the directory".into(),
        Some("allConfiguredConnectedOrganizationUsers") => "users of every configured connected organization".into(),
        Some("allExternalUsers") => "any external user, from a connected organization or not".into(),
        Some(other) => listed(&snake(other)),
    };
    if policy.automatic_request_settings.as_ref().is_some_and(|s| !s.is_null()) {
        format!("assigned automatically to {scope}")
    } else if self_request {
        format!("{scope} may request it")
    } else {
        format!("{scope}; they cannot request it themselves (administrators or on-behalf requestors assign it)")
    }
}

fn stage_summary(index: usize, stage: &ApprovalStage) -> StageSummary {
    StageSummary {
        stage: index + 1,
        approvers: subjects(&stage.primary_approvers),
        fallback_approvers: subjects(&stage.fallback_primary_approvers),
        escalation_approvers: if stage.is_escalation_enabled == Some(true) {
            subjects(&stage.escalation_approvers)
        } else {
            Vec::new()
        },
        denied_if_unanswered_after: stage.duration_before_automatic_denial.as_deref().map(duration_words),
        approver_justification_required: stage.is_approver_justification_required == Some(true),
    }
}

/// When access ends, in words.
pub fn expiration_words(expiration: &Option<Expiration>) -> String {
    let Some(expiration) = expiration else { return "not set".into() };
    match expiration.kind.as_deref() {
        Some("noExpiration") => "never expires".into(),
        Some("afterDuration") => match expiration.duration.as_deref() {
            Some(d) => format!("expires {} after it is granted", duration_words(d)),
            None => "expires after a set time".into(),
        },
        Some("afterDateTime") => match expiration.end_date_time.as_deref() {
            Some(t) => format!("expires on {} UTC", short_time(t)),
            None => "expires on a set date".into(),
        },
        _ => "not set".into(),
    }
}

fn recurrence_words(review: &ReviewSettings) -> String {
    let pattern = review.schedule.as_ref().and_then(|s| s.recurrence.as_ref()).and_then(|r| r.pattern.as_ref());
    let Some(pattern) = pattern else { return "once".into() };
    let every = pattern.interval.unwrap_or(1).max(1);
    match (pattern.kind.as_deref(), every) {
        (Some("daily"), 1) => "daily".into(),
        (Some("daily"), n) => format!("every {n} days"),
        (Some("weekly"), 1) => "weekly".into(),
        (Some("weekly"), n) => format!("every {n} weeks"),
        (Some("absoluteMonthly" | "relativeMonthly"), 1) => "monthly".into(),
        (Some("absoluteMonthly" | "relativeMonthly"), 3) => "quarterly".into(),
        (Some("absoluteMonthly" | "relativeMonthly"), 12) => "yearly".into(),
        (Some("absoluteMonthly" | "relativeMonthly"), n) => format!("every {n} months"),
        (Some("absoluteYearly" | "relativeYearly"), 1) => "yearly".into(),
        (Some("absoluteYearly" | "relativeYearly"), n) => format!("every {n} years"),
        _ => "on a schedule".into(),
    }
}

/// Whether and how assignments are reviewed, in words.
pub fn review_words(review: &Option<ReviewSettings>) -> String {
    let Some(review) = review.as_ref().filter(|r| r.is_enabled == Some(true)) else {
        return "no access reviews".into();
    };
    let reviewers = if review.is_self_review == Some(true) {
        "each user, of their own access".to_string()
    } else {
        let mut reviewers = subjects(&review.primary_reviewers).join(", ");
        let fallback = subjects(&review.fallback_reviewers);
        if !fallback.is_empty() {
            reviewers.push_str(&format!(" (fallback {})", fallback.join(", ")));
        }
        if reviewers.is_empty() { "unnamed reviewers".into() } else { reviewers }
    };
    let mut words = format!("reviewed {} by {reviewers}", recurrence_words(review));
    if let Some(d) = review.schedule.as_ref().and_then(|s| s.expiration.as_ref()).and_then(|e| e.duration.as_deref()) {
        words.push_str(&format!("; each review runs {}", duration_words(d)));
    }
    let unanswered = match review.expiration_behavior.as_deref() {
        Some("removeAccess") => Some("access is removed"),
        Some("keepAccess") => Some("access is kept"),
        Some("acceptAccessRecommendation") => Some("the recommendation is applied"),
        _ => None,
    };
    if let Some(unanswered) = unanswered {
        words.push_str(&format!("; if nobody decides, {unanswered}"));
    }
    if review.is_recommendation_enabled == Some(true) {
        words.push_str("; reviewers see recommendations");
    }
    if review.is_reviewer_justification_required == Some(true) {
        words.push_str("; reviewers must justify");
    }
    words
}

/// The whole policy in plain words.
pub fn summarize(policy: &Policy) -> PolicySummary {
    let self_request =
        policy.requestor_settings.as_ref().and_then(|r| r.enable_targets_to_self_add_access) == Some(true);
    let approval = policy.request_approval_settings.as_ref();
    let required = approval.and_then(|a| a.is_approval_required_for_add) == Some(true);
    let stages: Vec<StageSummary> = if required {
        approval
            .and_then(|a| a.stages.as_deref())
            .unwrap_or_default()
            .iter()
            .enumerate()
            .map(|(i, s)| stage_summary(i, s))
            .collect()
    } else {
        Vec::new()
    };
    let approval_words = match (required, stages.len()) {
        (false, _) => "none".to_string(),
        (true, 0) => "required".to_string(),
        (true, 1) => "1 stage".to_string(),
        (true, n) => format!("{n} stages"),
    };
    PolicySummary {
        id: policy.id.clone(),
        display_name: policy.display_name.clone(),
        who: who_words(policy, self_request),
        target_scope: snake(policy.allowed_target_scope.as_deref().unwrap_or("notSpecified")),
        self_request,
        automatic: policy.automatic_request_settings.as_ref().is_some_and(|s| !s.is_null()),
        approval: approval_words,
        approval_stages: stages,
        expiration: expiration_words(&policy.expiration),
        access_review: review_words(&policy.review_settings),
        custom_extensions: policy
            .custom_extension_stage_settings
            .as_deref()
            .unwrap_or_default()
            .iter()
            .filter_map(|s| {
                Some(ExtensionHook {
                    stage: stage_words(s.stage.as_deref().unwrap_or_default()),
                    extension: NamedRef::from(&s.custom_extension)?,
                })
            })
            .collect(),
    }
}

/// The policy as a few markdown lines.
pub fn policy_markdown(policy: &PolicySummary) -> String {
    let mut lines = vec![format!("policy {} ({})", policy.display_name.as_deref().unwrap_or("(unnamed)"), policy.id)];
    lines.push(format!("- who: {}", policy.who));
    lines.push(format!("- approval: {}", policy.approval));
    for stage in &policy.approval_stages {
        let mut line = format!("  - stage {}: {}", stage.stage, stage.approvers.join(", "));
        if !stage.fallback_approvers.is_empty() {
            line.push_str(&format!("; fallback {}", stage.fallback_approvers.join(", ")));
        }
        if !stage.escalation_approvers.is_empty() {
            line.push_str(&format!("; escalates to {}", stage.escalation_approvers.join(", ")));
        }
        if let Some(after) = &stage.denied_if_unanswered_after {
            line.push_str(&format!("; denied if unanswered after {after}"));
        }
        if stage.approver_justification_required {
            line.push_str("; approvers must justify");
        }
        lines.push(line);
    }
    lines.push(format!("- expiration: {}", policy.expiration));
    lines.push(format!("- access review: {}", policy.access_review));
    for hook in &policy.custom_extensions {
        lines.push(format!("- custom extension {} ({}): {}", hook.extension.label(), hook.extension.id, hook.stage));
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(json: serde_json::Value) -> SubjectSet {
        serde_json::from_value(json).unwrap_or_default()
    }

    #[test]
    fn subject_sets_read_as_people() {
        let user = set(
            serde_json::json!({"@odata.type": "#microsoft.graph.singleUser", "userId": "u1", "description": "Daniel Moreau"}),
        );
        assert_eq!(subject_words(&user), "Daniel Moreau");
        let bare = set(serde_json::json!({"@odata.type": "#microsoft.graph.singleUser", "userId": "u1"}));
        assert_eq!(subject_words(&bare), "user u1");
        let manager = set(serde_json::json!({"@odata.type": "#microsoft.graph.requestorManager", "managerLevel": 2}));
        assert_eq!(subject_words(&manager), "the requestor's level-2 manager");
        let org = set(
            serde_json::json!({"@odata.type": "#microsoft.graph.connectedOrganizationMembers", "connectedOrganizationId": "c1"}),
        );
        assert_eq!(subject_words(&org), "users of connected organization c1");
    }

    #[test]
    fn a_policy_reads_in_plain_words() {
        let policy: Policy = serde_json::from_value(serde_json::json!({
            "id": "p1",
            "displayName": "Partners",
            "allowedTargetScope": "specificConnectedOrganizationUsers",
            "specificAllowedTargets": [{"@odata.type": "#microsoft.graph.connectedOrganizationMembers", "connectedOrganizationId": "c1", "description": "Fabrikam Partners"}],
            "requestorSettings": {"enableTargetsToSelfAddAccess": true},
            "requestApprovalSettings": {"isApprovalRequiredForAdd": true, "stages": [
                {"durationBeforeAutomaticDenial": "P7D", "primaryApprovers": [{"@odata.type": "#microsoft.graph.externalSponsors"}], "fallbackPrimaryApprovers": null}
            ]},
            "expiration": {"type": "afterDuration", "duration": "P90D"},
            "reviewSettings": {"isEnabled": true, "expirationBehavior": "removeAccess", "primaryReviewers": [{"@odata.type": "#microsoft.graph.singleUser", "description": "Alex Chen"}],
                "schedule": {"expiration": {"duration": "P14D"}, "recurrence": {"pattern": {"type": "absoluteMonthly", "interval": 3}}}},
        }))
        .unwrap_or_default();
        let summary = summarize(&policy);
        assert_eq!(summary.who, "users of Fabrikam Partners may request it");
        assert_eq!(summary.approval, "1 stage");
        assert_eq!(summary.approval_stages[0].approvers, ["the connected organization's external sponsors"]);
        assert_eq!(summary.approval_stages[0].denied_if_unanswered_after.as_deref(), Some("7 days"));
        assert_eq!(summary.expiration, "expires 90 days after it is granted");
        assert_eq!(
            summary.access_review,
            "reviewed quarterly by Alex Chen; each review runs 14 days; if nobody decides, access is removed"
        );
        let admin_only: Policy =
            serde_json::from_value(serde_json::json!({"id": "p2", "allowedTargetScope": "notSpecified"}))
                .unwrap_or_default();
        let summary = summarize(&admin_only);
        assert_eq!(summary.who, "no one can request it; administrators assign it directly");
        assert_eq!(summary.approval, "none");
        assert_eq!(summary.access_review, "no access reviews");
    }
}
