//! `get_user`: one user's profile, with manager and last sign-in.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::graph::resources::User;
use crate::graph::{GraphRequest, Query};
use crate::render::{fields, short_time, yes_no};
use crate::shared::*;
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset};

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
    default: true,
    examples: EXAMPLES,
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
        Err(e) if e.kind == ErrorKind::Forbidden => {
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

const EXAMPLES: &[Example] = &[
    Example {
        question: "Who is karita@woodgrovebank.com and who is her manager?",
        args: r#"{"user":"karita@woodgrovebank.com"}"#,
        facts: &[
            Fact::Every("upn", "karita@woodgrovebank.com"),
            Fact::Every("display_name", "Karita Ahlberg"),
            Fact::Every("department", "Finance"),
            Fact::Every("enabled", "true"),
            Fact::Every("manager/display_name", "Daniel Moreau"),
            Fact::Says("Daniel Moreau"),
        ],
    },
    Example {
        question: "Look up a user who does not exist",
        args: r#"{"user":"nobody@woodgrovebank.com"}"#,
        facts: &[Fact::Fails(ErrorKind::NotFound), Fact::Says("search_users")],
    },
    Example {
        question: "Get a user from a name that is not a UPN",
        args: r#"{"user":"karita"}"#,
        facts: &[Fact::Fails(ErrorKind::InvalidInput), Fact::Says("`user`")],
    },
];

pub fn skill() -> Skill {
    Skill::new(GET_USER, get_user)
}
