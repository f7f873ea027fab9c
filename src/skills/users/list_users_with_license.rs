//! `list_users_with_license`: who holds a product. The product is named as admins name it
//! (`Microsoft 365 E5`, `SPE_E5` or its skuId) and resolved against the tenant's subscribed
//! SKUs; the holders are filtered on `assignedLicenses` by skuId.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::graph::{GraphRequest, Query};
use crate::odata::Expr;
use crate::render::{fields, or_dash, table, yes_no};
use crate::shared::*;
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset};

use super::licences::{AssignmentState, SubscribedSku, assignment_kind, product_name};

const LIST_USERS_WITH_LICENSE: Declaration = Declaration {
    name: "list_users_with_license",
    title: "List users holding a licence",
    description: "Who holds a product licence (e.g. Microsoft 365 E5, Entra ID P2, by name, SKU part number or skuId): seats used and bought, each holder with department, enabled, and direct or group assignment; optionally only disabled accounts still holding it. Any member.",
    toolset: Toolset::Users,
    permissions: &["User.Read.All", "LicenseAssignment.Read.All"],
    least_role: "none",
    access: Access::Read,
    beta: false,
    default: false,
    examples: EXAMPLES,
};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListUsersWithLicenseParams {
    /// Product name (`Microsoft 365 E5`), SKU part number (`SPE_E5`) or skuId.
    pub product: String,
    /// Only enabled (true) or only disabled (false) accounts.
    pub enabled: Option<bool>,
    #[serde(default)]
    pub limit: Limit,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ProductSummary {
    pub product: String,
    pub sku_part_number: String,
    pub sku_id: String,
    /// Seats assigned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consumed: Option<u64>,
    /// Seats bought and active.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seats: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub available: Option<i64>,
    /// `Enabled`, `Warning`, `Suspended`, `Deleted` or `LockedOut`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capability_status: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct HolderRow {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// `direct`, `group` or `direct+group`.
    pub assignment: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct LicenceHolders {
    pub product: ProductSummary,
    pub users: Vec<HolderRow>,
    /// Disabled accounts among the rows returned (seats that could be reclaimed).
    pub disabled_in_list: usize,
    #[serde(flatten)]
    pub list: ListInfo,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct Holder {
    id: String,
    display_name: Option<String>,
    user_principal_name: Option<String>,
    department: Option<String>,
    account_enabled: Option<bool>,
    license_assignment_states: Vec<AssignmentState>,
}

fn name_of(sku: &SubscribedSku) -> String {
    let part = sku.sku_part_number.as_deref().unwrap_or(&sku.sku_id);
    product_name(part).unwrap_or(part).to_string()
}

/// The SKU the admin means: a skuId, an exact part number or product name, or else the one
/// SKU whose part number or name contains the text.
fn pick(skus: Vec<SubscribedSku>, wanted: &str) -> Result<SubscribedSku, SkillError> {
    let available = || {
        skus.iter()
            .map(|s| format!("{} ({})", name_of(s), s.sku_part_number.as_deref().unwrap_or(&s.sku_id)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let lower = wanted.to_lowercase();
    let exact = |s: &SubscribedSku| {
        guid(wanted).is_some_and(|id| s.sku_id.eq_ignore_ascii_case(&id.to_string()))
            || s.sku_part_number.as_deref().is_some_and(|p| p.eq_ignore_ascii_case(wanted))
            || name_of(s).to_lowercase() == lower
    };
    if let Some(found) = skus.iter().find(|s| exact(s)) {
        return Ok(found.clone());
    }
    let partial: Vec<&SubscribedSku> = skus
        .iter()
        .filter(|s| {
            s.sku_part_number.as_deref().is_some_and(|p| p.to_lowercase().contains(&lower))
                || name_of(s).to_lowercase().contains(&lower)
        })
        .collect();
    match partial.as_slice() {
        [one] => Ok((*one).clone()),
        [] => Err(SkillError::not_found(
            format!("subscribed product matching '{}'", shorten(wanted)),
            "get_user_licenses",
        )
        .with_remedy(format!("the tenant subscribes to: {}", available()))),
        many => Err(SkillError::new(
            ErrorKind::Ambiguous,
            format!(
                "{} products match '{}': {}",
                many.len(),
                shorten(wanted),
                many.iter()
                    .map(|s| format!(
                        "{} ({}, skuId {})",
                        name_of(s),
                        s.sku_part_number.as_deref().unwrap_or("-"),
                        s.sku_id
                    ))
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
        )
        .with_remedy("call again with the SKU part number or skuId of the one you mean as `product`")),
    }
}

async fn list_users_with_license(ctx: Ctx, p: ListUsersWithLicenseParams) -> Result<LicenceHolders, SkillError> {
    let limit = p.limit.get()?;
    let wanted = text("product", &p.product, 120)?;
    let skus = GraphRequest::get("/subscribedSkus").query(Query::new().select(&[
        "skuId",
        "skuPartNumber",
        "capabilityStatus",
        "consumedUnits",
        "prepaidUnits",
    ]));
    let skus = ctx.graph.list::<SubscribedSku>(skus, 500).await?.items;
    let sku = pick(skus, &wanted)?;
    let sku_id: Uuid = parse_guid("product", &sku.sku_id)?;

    let mut filter = Expr::any("assignedLicenses", "l", Expr::eq("l/skuId", sku_id));
    if let Some(enabled) = p.enabled {
        filter = filter.and(Expr::eq("accountEnabled", enabled));
    }
    // `$count` and `$orderby` next to this filter make it an advanced query.
    let request = GraphRequest::get("/users")
        .query(
            Query::new()
                .select(&[
                    "id",
                    "displayName",
                    "userPrincipalName",
                    "department",
                    "accountEnabled",
                    "licenseAssignmentStates",
                ])
                .filter(filter)
                .orderby("displayName")
                .count()
                .top(limit.min(999)),
        )
        .eventual();
    let page = ctx.graph.list::<Holder>(request, limit).await?;
    let users: Vec<HolderRow> = page
        .items
        .into_iter()
        .map(|u| HolderRow {
            assignment: assignment_kind(&u.license_assignment_states, &sku.sku_id),
            id: u.id,
            display_name: u.display_name,
            upn: u.user_principal_name,
            department: u.department,
            enabled: u.account_enabled,
        })
        .collect();
    let disabled_in_list = users.iter().filter(|u| u.enabled == Some(false)).count();
    let seats = sku.prepaid_units.as_ref().and_then(|u| u.enabled);
    let product = ProductSummary {
        product: name_of(&sku),
        sku_part_number: sku.sku_part_number.clone().unwrap_or_default(),
        available: seats.zip(sku.consumed_units).map(|(s, c)| s as i64 - c as i64),
        consumed: sku.consumed_units,
        seats,
        capability_status: sku.capability_status.clone(),
        sku_id: sku.sku_id,
    };
    let list = ListInfo::new(users.len(), page.total, page.more, "`enabled` or a larger `limit`");
    Ok(LicenceHolders { product, users, disabled_in_list, list })
}

impl Render for LicenceHolders {
    fn rows(&self) -> Option<usize> {
        Some(self.users.len())
    }

    fn cut_to(&mut self, rows: usize) {
        self.users.truncate(rows);
        self.list.cut(rows);
    }

    fn markdown(&self) -> String {
        let p = &self.product;
        let seats = match (p.consumed, p.seats) {
            (Some(c), Some(s)) => Some(format!("{c} of {s} used ({} free)", s as i64 - c as i64)),
            (Some(c), None) => Some(format!("{c} used")),
            _ => None,
        };
        let head = fields(&[
            ("product", Some(format!("{} ({})", p.product, p.sku_part_number))),
            ("sku id", Some(p.sku_id.clone())),
            ("seats", seats),
            ("status", p.capability_status.clone()),
            ("disabled accounts listed", (self.disabled_in_list > 0).then(|| self.disabled_in_list.to_string())),
        ]);
        let rows: Vec<Vec<String>> = self
            .users
            .iter()
            .map(|u| {
                vec![
                    or_dash(&u.display_name),
                    or_dash(&u.upn),
                    or_dash(&u.department),
                    yes_no(u.enabled).unwrap_or_else(|| "-".into()),
                    u.assignment.clone(),
                    u.id.clone(),
                ]
            })
            .collect();
        let total = self.list.total.map(|t| format!(" of {t}")).unwrap_or_default();
        format!(
            "{head}\n{} holders{total}\n{}{}",
            self.list.returned,
            table(&["name", "upn", "department", "enabled", "assigned", "id"], &rows),
            self.list.footer()
        )
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Who holds an Entra ID P2 licence?",
        args: r#"{"product":"Entra ID P2"}"#,
        facts: &[
            Fact::Every("product/sku_part_number", "AAD_PREMIUM_P2"),
            Fact::Count("users/*", 4),
            Fact::Some("users/*/display_name", "Jordan Reyes"),
            Fact::Every("users/*/assignment", "direct"),
            Fact::Says("4 of 10 used"),
        ],
    },
    Example {
        question: "Disabled accounts still holding a Microsoft 365 E5 seat",
        args: r#"{"product":"SPE_E5","enabled":false}"#,
        facts: &[
            Fact::AtLeast("users/*", 6),
            Fact::Every("users/*/enabled", "false"),
            Fact::Some("users/*/display_name", "Brian Walsh"),
        ],
    },
    Example {
        question: "Which users hold an Entra ID Governance licence, through a group or directly?",
        args: r#"{"product":"Microsoft Entra ID Governance","limit":50}"#,
        facts: &[
            Fact::Some("users/*/assignment", "group"),
            Fact::Some("users/*/display_name", "Priya Natarajan"),
            Fact::AtLeast("total", 10),
        ],
    },
    Example {
        question: "Holders of a product the tenant does not subscribe to",
        args: r#"{"product":"Visio Plan 2"}"#,
        facts: &[Fact::Fails(ErrorKind::NotFound), Fact::Says("SPE_E5")],
    },
    Example {
        question: "A product name that matches several subscriptions",
        args: r#"{"product":"Entra"}"#,
        facts: &[Fact::Fails(ErrorKind::Ambiguous)],
    },
];

pub fn skill() -> Skill {
    Skill::new(LIST_USERS_WITH_LICENSE, list_users_with_license)
}
