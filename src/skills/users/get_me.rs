//! `get_me`: who the signed-in caller is, and the directory roles they hold now or may activate.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::graph::resources::User;
use crate::graph::{GraphRequest, Query};
use crate::render::{fields, or_dash, short_time, table};
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset};

const GET_ME: Declaration = Declaration {
    name: "get_me",
    title: "Who am I (signed-in caller and my roles)",
    description: "The signed-in caller (me): name, UPN, id, department, and the directory roles I hold now (active, with end date) and those I am eligible to activate in PIM. Any member; roles need RoleAssignmentSchedule.Read.Directory.",
    toolset: Toolset::Users,
    permissions: &["User.Read", "RoleAssignmentSchedule.Read.Directory", "RoleEligibilitySchedule.Read.Directory"],
    least_role: "none",
    access: Access::Read,
    beta: false,
    default: false,
    examples: EXAMPLES,
};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetMeParams {}

#[derive(Debug, Serialize, JsonSchema)]
pub struct MyRole {
    pub role: String,
    pub role_id: String,
    /// `active` (usable now) or `eligible` (activate it in PIM first).
    pub state: String,
    /// `Assigned` or `Activated` for active roles.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assignment_type: Option<String>,
    /// `Direct` or `Group` (held through a role-assignable group).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub member_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub since: Option<String>,
    /// Absent: permanent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Me {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job_title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_type: Option<String>,
    /// Roles usable now.
    pub active_roles: Vec<MyRole>,
    /// Roles that need a PIM activation first.
    pub eligible_roles: Vec<MyRole>,
}

/// A role schedule instance with its role definition expanded.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct ScheduleInstance {
    role_definition_id: Option<String>,
    role_definition: Option<RoleName>,
    assignment_type: Option<String>,
    member_type: Option<String>,
    start_date_time: Option<String>,
    end_date_time: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct RoleName {
    id: String,
    display_name: Option<String>,
}

const ACTIVE: &str = "/roleManagement/directory/roleAssignmentScheduleInstances/filterByCurrentUser(on='principal')";
const ELIGIBLE: &str = "/roleManagement/directory/roleEligibilityScheduleInstances/filterByCurrentUser(on='principal')";
const ROLE_EXPAND: &str = "roleDefinition($select=id,displayName)";

fn role_row(instance: ScheduleInstance, state: &str) -> MyRole {
    let role_id =
        instance.role_definition.as_ref().map(|r| r.id.clone()).or(instance.role_definition_id).unwrap_or_default();
    MyRole {
        role: instance.role_definition.and_then(|r| r.display_name).unwrap_or_else(|| role_id.clone()),
        role_id,
        state: state.to_string(),
        assignment_type: instance.assignment_type,
        member_type: instance.member_type,
        since: instance.start_date_time,
        until: instance.end_date_time,
    }
}

async fn get_me(ctx: Ctx, _: GetMeParams) -> Result<Me, SkillError> {
    let me = GraphRequest::get("/me").query(Query::new().select(&[
        "id",
        "displayName",
        "userPrincipalName",
        "jobTitle",
        "department",
        "userType",
    ]));
    let active = GraphRequest::get(ACTIVE).query(Query::new().expand(ROLE_EXPAND));
    let eligible = GraphRequest::get(ELIGIBLE).query(Query::new().expand(ROLE_EXPAND));
    let (me, active, eligible) = tokio::join!(
        ctx.graph.get::<User>(me),
        ctx.graph.list::<ScheduleInstance>(active, 200),
        ctx.graph.list::<ScheduleInstance>(eligible, 200)
    );
    let me = me?;
    // The profile is the answer; the roles are read with permissions a caller may not have.
    let roles = |result: Result<crate::graph::Page<ScheduleInstance>, SkillError>, what: &str, state: &str| match result
    {
        Ok(page) => page.items.into_iter().map(|i| role_row(i, state)).collect(),
        Err(e) if e.kind != ErrorKind::Throttled => {
            ctx.note(format!("{what} roles unavailable: {}", e.kind.as_str()));
            Vec::new()
        }
        Err(_) => Vec::new(),
    };
    let mut active_roles: Vec<MyRole> = roles(active, "active", "active");
    let mut eligible_roles: Vec<MyRole> = roles(eligible, "eligible", "eligible");
    active_roles.sort_by(|a, b| a.role.cmp(&b.role));
    eligible_roles.sort_by(|a, b| a.role.cmp(&b.role));
    Ok(Me {
        id: me.id,
        display_name: me.display_name,
        upn: me.user_principal_name,
        job_title: me.job_title,
        department: me.department,
        user_type: me.user_type,
        active_roles,
        eligible_roles,
    })
}

impl Render for Me {
    fn markdown(&self) -> String {
        let head = fields(&[
            ("me", self.display_name.clone()),
            ("upn", self.upn.clone()),
            ("id", Some(self.id.clone())),
            ("job title", self.job_title.clone()),
            ("department", self.department.clone()),
            ("type", self.user_type.clone()),
        ]);
        let rows: Vec<Vec<String>> = self
            .active_roles
            .iter()
            .chain(&self.eligible_roles)
            .map(|r| {
                vec![
                    r.role.clone(),
                    r.state.clone(),
                    or_dash(&r.member_type),
                    r.since.as_deref().map(short_time).unwrap_or_else(|| "-".into()),
                    r.until.as_deref().map(short_time).unwrap_or_else(|| "permanent".into()),
                    r.role_id.clone(),
                ]
            })
            .collect();
        let roles = if rows.is_empty() {
            "no directory roles, active or eligible".to_string()
        } else {
            table(&["role", "state", "via", "since (UTC)", "until (UTC)", "role id"], &rows)
        };
        format!("{head}\n{roles}")
    }
}

const EXAMPLES: &[Example] = &[Example {
    question: "Who am I signed in as, and which admin roles do I have active right now?",
    args: r#"{}"#,
    facts: &[
        Fact::Every("display_name", "Jordan Reyes"),
        Fact::Some("active_roles/*/role", "Security Reader"),
        Fact::Some("active_roles/*/role", "Reports Reader"),
        Fact::Count("active_roles/*", 2),
        Fact::Some("eligible_roles/*/role", "Security Administrator"),
        Fact::Every("eligible_roles/*/state", "eligible"),
        Fact::Says("Security Reader"),
    ],
}];

pub fn skill() -> Skill {
    Skill::new(GET_ME, get_me)
}
