//! What the group skills share: the group properties they read, the kinds of group as an admin
//! names them and the filter Graph answers each with, and a group as a row of a list.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::graph::resources::Group;
use crate::odata::Expr;

pub const GROUP_FIELDS: &[&str] = &[
    "id",
    "displayName",
    "description",
    "mail",
    "mailEnabled",
    "securityEnabled",
    "groupTypes",
    "membershipRule",
    "membershipRuleProcessingState",
    "isAssignableToRole",
    "createdDateTime",
    "visibility",
];

/// What a group row shows: enough to tell its kind, whether it is dynamic or role-assignable.
pub const ROW_FIELDS: &[&str] = &[
    "id",
    "displayName",
    "mail",
    "mailEnabled",
    "securityEnabled",
    "groupTypes",
    "isAssignableToRole",
    "createdDateTime",
];

/// A kind of group, as the Entra admin center lists them.
#[derive(Debug, Clone, Copy, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum GroupKind {
    /// Security groups without mail (assigned or dynamic).
    Security,
    /// Microsoft 365 (unified) groups.
    Microsoft365,
    /// Distribution lists: mail only, managed in Exchange Online.
    Distribution,
    /// Security groups with mail, managed in Exchange Online.
    MailEnabledSecurity,
}

/// `groupTypes/any(c:c eq '{value}')`.
pub fn has_group_type(value: &'static str) -> Expr {
    Expr::any("groupTypes", "c", Expr::eq("c", value))
}

impl GroupKind {
    /// The filter Graph selects this kind with. A Microsoft 365 group is mail-enabled and may
    /// be security-enabled too, so the mail kinds exclude `Unified` explicitly (`not` makes it
    /// an advanced query: ConsistencyLevel and `$count`).
    pub fn filter(self) -> Expr {
        let not_unified = || has_group_type("Unified").negate();
        match self {
            GroupKind::Security => Expr::eq("securityEnabled", true).and(Expr::eq("mailEnabled", false)),
            GroupKind::Microsoft365 => has_group_type("Unified"),
            GroupKind::Distribution => {
                Expr::eq("mailEnabled", true).and(Expr::eq("securityEnabled", false)).and(not_unified())
            }
            GroupKind::MailEnabledSecurity => {
                Expr::eq("mailEnabled", true).and(Expr::eq("securityEnabled", true)).and(not_unified())
            }
        }
    }
}

/// One group in a list.
#[derive(Debug, Serialize, JsonSchema)]
pub struct GroupRow {
    pub id: String,
    pub display_name: Option<String>,
    /// `security`, `microsoft365`, `mail_enabled_security`, `distribution`.
    pub kind: String,
    pub dynamic: bool,
    pub role_assignable: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mail: Option<String>,
    pub created: Option<String>,
}

impl From<Group> for GroupRow {
    fn from(g: Group) -> GroupRow {
        GroupRow {
            kind: g.kind().to_string(),
            dynamic: g.is_dynamic(),
            role_assignable: g.is_assignable_to_role == Some(true),
            id: g.id,
            display_name: g.display_name,
            mail: g.mail,
            created: g.created_date_time,
        }
    }
}

impl GroupRow {
    /// The row's table cells: name, kind, dynamic, role-assignable, mail, created, id.
    pub fn cells(&self) -> Vec<String> {
        let flag = |on: bool| if on { "yes" } else { "no" }.to_string();
        vec![
            crate::render::or_dash(&self.display_name),
            self.kind.clone(),
            flag(self.dynamic),
            flag(self.role_assignable),
            crate::render::or_dash(&self.mail),
            self.created.as_deref().map(crate::render::short_time).unwrap_or_else(|| "-".into()),
            self.id.clone(),
        ]
    }
}

/// The table header matching [`GroupRow::cells`].
pub const ROW_HEADERS: &[&str] = &["group", "kind", "dynamic", "role-assignable", "mail", "created (UTC)", "id"];
