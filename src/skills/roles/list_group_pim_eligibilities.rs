//! `list_group_pim_eligibilities`: PIM for Groups — who may activate membership or ownership of
//! a group governed by PIM, for one group, one user, or the caller; with when each eligibility
//! ends and, for a role-assignable group, the directory roles membership brings with it. Graph
//! lists these instances only for a group or a principal (`filterByCurrentUser` for the caller).

use std::collections::HashMap;

use futures::StreamExt;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::graph::resources::{DirectoryObject, Group};
use crate::graph::{GraphRequest, Query};
use crate::odata::Expr;
use crate::render::{short_time, table};
use crate::shared::resolve::{self, GROUP};
use crate::shared::roles::{self, RoleGrant};
use crate::shared::*;
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset};

use super::targets;

const LIST_GROUP_PIM_ELIGIBILITIES: Declaration = Declaration {
    name: "list_group_pim_eligibilities",
    title: "List PIM for Groups eligibilities (who may activate group membership or ownership)",
    description: "PIM for Groups: who may activate membership or ownership of a PIM-governed group just in time — for one group, one user, or me by default — with start, end or permanent, and the directory roles a role-assignable group's membership brings. Needs P2. Any member for their own; Global Reader for others.",
    toolset: Toolset::Roles,
    permissions: &["PrivilegedEligibilitySchedule.Read.AzureADGroup", "RoleManagement.Read.Directory"],
    least_role: "none (own); Global Reader",
    access: Access::Read,
    beta: false,
    default: false,
    examples: EXAMPLES,
};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListGroupPimEligibilitiesParams {
    /// A group (name or id): who may activate access to it.
    pub group: Option<String>,
    /// A user (UPN, id or `me`): the groups they may activate. Without `group` or `user`: mine.
    pub user: Option<UserRef>,
    #[serde(default)]
    pub limit: Limit,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct GroupEligibilityRow {
    pub group: String,
    pub group_id: String,
    /// The group can hold directory roles.
    pub role_assignable: bool,
    pub principal: String,
    pub principal_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upn: Option<String>,
    /// `member` or `owner`: what may be activated.
    pub access: String,
    /// `direct`, or `group` (eligible through another group).
    pub member_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end: Option<String>,
    pub permanent: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ends_in: Option<String>,
    /// Directory roles the group holds, active and (marked) eligible, which activating
    /// membership brings.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub brings_roles: Vec<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct GroupPimEligibilities {
    /// Whose or which: `me`, a user or a group.
    pub about: String,
    pub eligibilities: Vec<GroupEligibilityRow>,
    #[serde(flatten)]
    pub list: ListInfo,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct GroupInstance {
    principal_id: Option<String>,
    group_id: Option<String>,
    access_id: Option<String>,
    member_type: Option<String>,
    start_date_time: Option<String>,
    end_date_time: Option<String>,
    group: Option<Group>,
    principal: Option<DirectoryObject>,
}

const SET: &str = "/identityGovernance/privilegedAccess/group/eligibilityScheduleInstances";
const SELECT: &[&str] = &["id", "principalId", "groupId", "accessId", "memberType", "startDateTime", "endDateTime"];
const EXPAND: &str =
    "group($select=id,displayName,isAssignableToRole),principal($select=id,displayName,userPrincipalName)";
/// Role-assignable groups whose roles are read; more get a note.
const MAX_GROUPS: usize = 5;

async fn list_group_pim_eligibilities(
    ctx: Ctx,
    p: ListGroupPimEligibilitiesParams,
) -> Result<GroupPimEligibilities, SkillError> {
    let limit = p.limit.get()?;
    let user = p.user.as_ref().map(|u| u.parse("user")).transpose()?;
    let query = Query::new().select(SELECT).expand(EXPAND);
    let (request, about) = match (&p.group, &user) {
        (None, None) | (None, Some(UserKey::Me)) => {
            (GraphRequest::get(format!("{SET}/filterByCurrentUser(on='principal')")).query(query), "me".to_string())
        }
        (group, user) => {
            let group = async {
                match group {
                    Some(g) => resolve::resolve::<Group>(&ctx, &GROUP, g, &["id", "displayName", "mail", "groupTypes"])
                        .await
                        .map(Some),
                    None => Ok(None),
                }
            };
            let person = async {
                match user {
                    Some(key) => resolve_user(&ctx, key).await.map(Some),
                    None => Ok(None),
                }
            };
            let (group, person) = tokio::join!(group, person);
            let (group, person) = (group?, person?);
            let mut clauses = Vec::new();
            let mut about = Vec::new();
            if let Some(g) = &group {
                clauses.push(Expr::eq("groupId", g.id.clone()));
                about.push(format!("group {}", g.display_name.as_deref().unwrap_or(&g.id)));
            }
            if let Some(u) = &person {
                clauses.push(Expr::eq("principalId", u.id.clone()));
                about.push(format!("user {}", u.upn.as_deref().unwrap_or(&u.id)));
            }
            (GraphRequest::get(SET).query(query.filter_opt(Expr::conjunction(clauses))), about.join(", "))
        }
    };
    let page = ctx.graph.list::<GroupInstance>(request, limit).await?;
    let brings = roles_of_groups(&ctx, &page.items).await?;
    let mut eligibilities: Vec<GroupEligibilityRow> = page
        .items
        .iter()
        .map(|i| {
            let group_id = i.group_id.clone().unwrap_or_default();
            let group = i.group.as_ref();
            let principal = i.principal.as_ref();
            let principal_id = i.principal_id.clone().unwrap_or_default();
            let end = roles::instant(i.end_date_time.as_deref());
            let access = i.access_id.clone().unwrap_or_default();
            GroupEligibilityRow {
                group: group.and_then(|g| g.display_name.clone()).unwrap_or_else(|| group_id.clone()),
                role_assignable: group.is_some_and(|g| g.is_assignable_to_role == Some(true)),
                brings_roles: if access == "member" {
                    brings.get(&group_id.to_ascii_lowercase()).cloned().unwrap_or_default()
                } else {
                    Vec::new()
                },
                group_id,
                principal: principal.and_then(|p| p.display_name.clone()).unwrap_or_else(|| principal_id.clone()),
                upn: principal.and_then(|p| p.user_principal_name.clone()),
                principal_id,
                access,
                member_type: i.member_type.as_deref().unwrap_or("direct").to_ascii_lowercase(),
                start: i.start_date_time.clone(),
                end: i.end_date_time.clone(),
                permanent: end.is_none(),
                ends_in: end.map(|e| targets::from_now(ctx.now, e)),
            }
        })
        .collect();
    eligibilities.sort_by(|a, b| (&a.group, &a.access, &a.principal).cmp(&(&b.group, &b.access, &b.principal)));
    let list = ListInfo::new(eligibilities.len(), page.total, page.more, "`group` or `user`");
    Ok(GroupPimEligibilities { about, eligibilities, list })
}

/// The directory roles of the role-assignable groups among the rows (active, and eligible
/// marked so), by group id; optional: a failure is a note.
async fn roles_of_groups(ctx: &Ctx, rows: &[GroupInstance]) -> Result<HashMap<String, Vec<String>>, SkillError> {
    let mut groups: Vec<String> = Vec::new();
    for row in rows.iter().filter(|r| r.group.as_ref().is_some_and(|g| g.is_assignable_to_role == Some(true))) {
        if let Some(id) = &row.group_id
            && !groups.iter().any(|g| g.eq_ignore_ascii_case(id))
        {
            groups.push(id.clone());
        }
    }
    if groups.len() > MAX_GROUPS {
        ctx.note(format!("roles of only the first {MAX_GROUPS} role-assignable groups are read"));
        groups.truncate(MAX_GROUPS);
    }
    let reads = groups.into_iter().map(|id| async move {
        let (active, eligible) = tokio::join!(
            ctx.graph.list::<RoleGrant>(roles::active_assignments(&id), 50),
            ctx.graph.list::<RoleGrant>(roles::eligibility_instances(&id), 50),
        );
        (id, active, eligible)
    });
    let read: Vec<_> = futures::stream::iter(reads).buffered(4).collect().await;
    let mut out = HashMap::new();
    for (id, active, eligible) in read {
        let mut names: Vec<String> = Vec::new();
        for (result, suffix) in [(active, ""), (eligible, " (eligible)")] {
            match result {
                Ok(page) => names.extend(page.items.iter().map(|g| format!("{}{suffix}", g.role_name()))),
                Err(e) if e.kind == ErrorKind::Throttled => return Err(e),
                Err(e) => ctx.note(format!("roles of group {id} unavailable: {}", e.kind.as_str())),
            }
        }
        out.insert(id.to_ascii_lowercase(), names);
    }
    Ok(out)
}

impl Render for GroupPimEligibilities {
    fn rows(&self) -> Option<usize> {
        Some(self.eligibilities.len())
    }

    fn cut_to(&mut self, rows: usize) {
        self.eligibilities.truncate(rows);
        self.list.cut(rows);
    }

    fn markdown(&self) -> String {
        let rows: Vec<Vec<String>> = self
            .eligibilities
            .iter()
            .map(|e| {
                let who = match &e.upn {
                    Some(upn) => format!("{} ({upn})", e.principal),
                    None => e.principal.clone(),
                };
                let ends = match (&e.ends_in, e.permanent) {
                    (_, true) => "permanent".to_string(),
                    (Some(when), false) => when.clone(),
                    (None, false) => "-".to_string(),
                };
                let roles = if e.brings_roles.is_empty() { "-".to_string() } else { e.brings_roles.join(", ") };
                vec![
                    e.group.clone(),
                    who,
                    e.access.clone(),
                    e.start.as_deref().map(short_time).unwrap_or_else(|| "-".into()),
                    ends,
                    roles,
                    e.group_id.clone(),
                ]
            })
            .collect();
        format!(
            "{} PIM for Groups eligibilities of {}\n{}{}",
            self.list.returned,
            self.about,
            table(&["group", "eligible", "access", "since (UTC)", "ends", "membership brings", "group id"], &rows),
            self.list.footer()
        )
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Which groups can I activate membership of through PIM for Groups?",
        args: r#"{}"#,
        facts: &[
            Fact::Every("about", "me"),
            Fact::Every("eligibilities/*/group", "Helpdesk Operators"),
            Fact::Every("eligibilities/*/access", "member"),
            Fact::Some("eligibilities/*/brings_roles/*", "Helpdesk Administrator"),
            Fact::Some("eligibilities/*/brings_roles/*", "Authentication Administrator (eligible)"),
        ],
    },
    Example {
        question: "Who may activate membership or ownership of the Helpdesk Operators group?",
        args: r#"{"group":"Helpdesk Operators"}"#,
        facts: &[
            Fact::Count("eligibilities/*", 3),
            Fact::Some("eligibilities/*/access", "owner"),
            Fact::Some("eligibilities/*/principal", "Priya Natarajan"),
            Fact::Some("eligibilities/*/upn", "arjun.mehta@woodgrovebank.com"),
        ],
    },
    Example {
        question: "PIM for Groups eligibility of a group that does not exist",
        args: r#"{"group":"No Such Group"}"#,
        facts: &[Fact::Fails(ErrorKind::NotFound)],
    },
];

pub fn skill() -> Skill {
    Skill::new(LIST_GROUP_PIM_ELIGIBILITIES, list_group_pim_eligibilities)
}
