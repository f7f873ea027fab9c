//! Toolsets: groups of related skills switched on and off together with `--toolsets`, and the
//! `toolset!` macro with which a toolset's `mod.rs` lists its skills, one line each.

use serde::Serialize;

/// A group of related skills.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Toolset {
    Users,
    Groups,
    Devices,
    Authmethods,
    Signins,
    Audit,
    Risk,
    Apps,
    Roles,
    Ca,
    Governance,
    Posture,
    Agents,
    Network,
}

impl Toolset {
    pub const ALL: [Toolset; 14] = [
        Toolset::Users,
        Toolset::Groups,
        Toolset::Devices,
        Toolset::Authmethods,
        Toolset::Signins,
        Toolset::Audit,
        Toolset::Risk,
        Toolset::Apps,
        Toolset::Roles,
        Toolset::Ca,
        Toolset::Governance,
        Toolset::Posture,
        Toolset::Agents,
        Toolset::Network,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Toolset::Users => "users",
            Toolset::Groups => "groups",
            Toolset::Devices => "devices",
            Toolset::Authmethods => "authmethods",
            Toolset::Signins => "signins",
            Toolset::Audit => "audit",
            Toolset::Risk => "risk",
            Toolset::Apps => "apps",
            Toolset::Roles => "roles",
            Toolset::Ca => "ca",
            Toolset::Governance => "governance",
            Toolset::Posture => "posture",
            Toolset::Agents => "agents",
            Toolset::Network => "network",
        }
    }

    pub fn parse(name: &str) -> Option<Toolset> {
        Toolset::ALL.into_iter().find(|t| t.name().eq_ignore_ascii_case(name.trim()))
    }
}

/// Declares a toolset's skills, one module each, and its `skills()` list in that order:
///
/// ```ignore
/// crate::skill::toolset! { get_user, search_users }
/// ```
///
/// Each module has `pub fn skill() -> Skill`. Adding a skill to a toolset is one line here.
#[macro_export]
macro_rules! toolset {
    ($($skill:ident),+ $(,)?) => {
        $(mod $skill;)+

        /// This toolset's skills, in catalog order.
        pub fn skills() -> Vec<$crate::skill::Skill> {
            vec![$($skill::skill()),+]
        }
    };
}
