//! `get_user_licenses`: the products a user holds, their service plans, and whether each came
//! directly or through a group (group-based licensing).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::graph::resources::Group;
use crate::graph::{GraphRequest, Query};
use crate::odata::{Expr, Literal};
use crate::render::{cap_list, fields, table};
use crate::shared::*;
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset};

use super::licences::{AssignmentState, LicenseDetails, assignment_kind, product_name};

const GET_USER_LICENSES: Declaration = Declaration {
    name: "get_user_licenses",
    title: "Get a user's licences",
    description: "The licences (products such as Microsoft 365 E5 or Entra ID P2) a user holds, their service plans and which are switched off, and whether each is assigned directly or inherited through a group (group-based licensing), with assignment errors. Any member.",
    toolset: Toolset::Users,
    permissions: &["LicenseAssignment.Read.All", "User.Read.All", "GroupMember.Read.All"],
    least_role: "none",
    access: Access::Read,
    beta: false,
    default: false,
    examples: EXAMPLES,
};

/// Service plan names listed per product at most.
const PLANS_SHOWN: usize = 10;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetUserLicensesParams {
    pub user: UserRef,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct GroupRef {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct LicenceRow {
    /// Product name (`Microsoft 365 E5`), or the part number when unknown.
    pub product: String,
    pub sku_part_number: Option<String>,
    pub sku_id: String,
    /// `direct`, `group` or `direct+group` (both: the direct one can usually go).
    pub assignment: String,
    /// Groups the licence is inherited from.
    pub groups: Vec<GroupRef>,
    /// Assignment errors (`CountViolation`, `MutuallyExclusiveViolation`, …), if any.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<String>,
    /// Service plans provisioned.
    pub plans_on: usize,
    /// Service plans switched off (by name).
    pub plans_off: Vec<String>,
    /// Provisioned plan names, at most 10.
    pub plans: Vec<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct UserLicences {
    pub user: PersonRef,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// Two-letter country; Graph cannot license a user without one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub usage_location: Option<String>,
    pub licences: Vec<LicenceRow>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct LicensedUser {
    id: String,
    display_name: Option<String>,
    user_principal_name: Option<String>,
    account_enabled: Option<bool>,
    usage_location: Option<String>,
    license_assignment_states: Vec<AssignmentState>,
}

async fn get_user_licenses(ctx: Ctx, p: GetUserLicensesParams) -> Result<UserLicences, SkillError> {
    let key = p.user.parse("user")?;
    let user = GraphRequest::get(key.path()).query(Query::new().select(&[
        "id",
        "displayName",
        "userPrincipalName",
        "accountEnabled",
        "usageLocation",
        "licenseAssignmentStates",
    ]));
    let details = GraphRequest::get(format!("{}/licenseDetails", key.path()));
    let (user, details) =
        tokio::join!(ctx.graph.get::<LicensedUser>(user), ctx.graph.list::<LicenseDetails>(details, 100));
    let user = user.map_err(user_not_found(&key))?;
    let details = details.map_err(user_not_found(&key))?.items;

    // The groups licences come through, named in one request.
    let mut group_ids: Vec<String> = Vec::new();
    for state in &user.license_assignment_states {
        if let Some(group) = &state.assigned_by_group
            && guid(group).is_some()
            && !group_ids.contains(group)
        {
            group_ids.push(group.clone());
        }
    }
    group_ids.truncate(15);
    let groups: Vec<Group> = if group_ids.is_empty() {
        Vec::new()
    } else {
        let values = group_ids.iter().map(|id| Literal::String(id.clone())).collect();
        let request = GraphRequest::get("/groups")
            .query(Query::new().select(&["id", "displayName"]).filter(Expr::is_in("id", values)));
        match ctx.graph.list::<Group>(request, 15).await {
            Ok(page) => page.items,
            Err(e) if e.kind != ErrorKind::Throttled => {
                ctx.note(format!("group names unavailable: {}", e.kind.as_str()));
                Vec::new()
            }
            Err(e) => return Err(e),
        }
    };

    let states = &user.license_assignment_states;
    let licences = details
        .into_iter()
        .map(|d| {
            let of_sku: Vec<&AssignmentState> =
                states.iter().filter(|s| s.sku_id.eq_ignore_ascii_case(&d.sku_id)).collect();
            let groups = of_sku
                .iter()
                .filter_map(|s| s.assigned_by_group.clone())
                .map(|id| GroupRef {
                    display_name: groups
                        .iter()
                        .find(|g| g.id.eq_ignore_ascii_case(&id))
                        .and_then(|g| g.display_name.clone()),
                    id,
                })
                .collect();
            let errors =
                of_sku.iter().filter_map(|s| s.error.clone()).filter(|e| !e.eq_ignore_ascii_case("None")).collect();
            let (on, off): (Vec<_>, Vec<_>) =
                d.service_plans.iter().partition(|plan| plan.provisioning_status.as_deref() != Some("Disabled"));
            let plans_on = on.len();
            let (plans, _) =
                cap_list(on.into_iter().filter_map(|p| p.service_plan_name.clone()).collect(), PLANS_SHOWN);
            let part = d.sku_part_number.clone();
            LicenceRow {
                product: part
                    .as_deref()
                    .map(|p| product_name(p).unwrap_or(p).to_string())
                    .unwrap_or_else(|| d.sku_id.clone()),
                sku_part_number: part,
                assignment: assignment_kind(states, &d.sku_id),
                sku_id: d.sku_id,
                groups,
                errors,
                plans_on,
                plans_off: off.into_iter().filter_map(|p| p.service_plan_name.clone()).collect(),
                plans,
            }
        })
        .collect();
    Ok(UserLicences {
        user: PersonRef { id: user.id, display_name: user.display_name, upn: user.user_principal_name },
        enabled: user.account_enabled,
        usage_location: user.usage_location,
        licences,
    })
}

impl Render for UserLicences {
    fn markdown(&self) -> String {
        let who = self.user.display_name.clone().or(self.user.upn.clone()).unwrap_or_else(|| self.user.id.clone());
        let mut head = fields(&[
            ("user", Some(who)),
            ("upn", self.user.upn.clone()),
            ("enabled", self.enabled.map(|e| if e { "yes" } else { "no (still holding licences)" }.to_string())),
            ("usage location", self.usage_location.clone()),
        ]);
        if self.licences.is_empty() {
            head.push_str("\nno licences");
            return head;
        }
        let rows: Vec<Vec<String>> = self
            .licences
            .iter()
            .map(|l| {
                let via = l
                    .groups
                    .iter()
                    .map(|g| g.display_name.clone().unwrap_or_else(|| g.id.clone()))
                    .collect::<Vec<_>>()
                    .join(", ");
                vec![
                    l.product.clone(),
                    l.assignment.clone(),
                    if via.is_empty() { "-".into() } else { via },
                    l.plans_on.to_string(),
                    if l.plans_off.is_empty() { "-".into() } else { l.plans_off.join(", ") },
                    if l.errors.is_empty() { "ok".into() } else { l.errors.join(", ") },
                    l.sku_id.clone(),
                ]
            })
            .collect();
        format!(
            "{head}\n{}",
            table(&["product", "assigned", "via group", "plans on", "plans off", "state", "sku id"], &rows)
        )
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Which licences does Karita hold, and are any inherited from a group?",
        args: r#"{"user":"karita@woodgrovebank.com"}"#,
        facts: &[
            Fact::Some("licences/*/product", "Microsoft 365 E5"),
            Fact::Some("licences/*/product", "Microsoft Entra ID Governance"),
            Fact::Some("licences/*/assignment", "group"),
            Fact::Some("licences/*/groups/*/display_name", "Finance Department"),
            Fact::Says("Finance Department"),
        ],
    },
    Example {
        question: "Alex Chen's E5 licence: assigned directly and through Sales Team?",
        args: r#"{"user":"alex@woodgrovebank.com"}"#,
        facts: &[
            Fact::Every("licences/*/assignment", "direct+group"),
            Fact::Some("licences/*/groups/*/display_name", "Sales Team"),
        ],
    },
    Example {
        question: "Service plans switched off in Lily Foster's licence",
        args: r#"{"user":"lily.foster@woodgrovebank.com"}"#,
        facts: &[Fact::Some("licences/*/plans_off/*", "TEAMS1"), Fact::Says("TEAMS1")],
    },
    Example {
        question: "What licences are assigned to Paula Mendes?",
        args: r#"{"user":"paula.mendes@woodgrovebank.com"}"#,
        facts: &[Fact::Count("licences/*", 0), Fact::Says("no licences")],
    },
];

pub fn skill() -> Skill {
    Skill::new(GET_USER_LICENSES, get_user_licenses)
}
