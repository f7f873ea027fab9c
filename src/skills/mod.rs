//! The catalog: every skill this build knows, one folder per toolset and one file per skill
//! (`users/get_user.rs`). What several toolsets share lives below them in `crate::shared`; a
//! toolset never imports another toolset.
//!
//! Adding a skill is one new file in its toolset's folder and one line in that toolset's
//! `mod.rs`; the tool list, the `tools/` snapshots, the catalog page, `permissions`, the
//! end-to-end, fault and soak suites and `find_skills` all follow from its declaration.

mod apps;
mod audit;
mod authmethods;
mod ca;
mod devices;
mod governance;
mod groups;
mod risk;
mod roles;
mod signins;
mod users;

use std::sync::LazyLock;

use crate::skill::{Skill, Toolset};

static CATALOG: LazyLock<Vec<Skill>> = LazyLock::new(|| {
    let mut skills = Vec::new();
    skills.extend(users::skills());
    skills.extend(groups::skills());
    skills.extend(devices::skills());
    skills.extend(authmethods::skills());
    skills.extend(signins::skills());
    skills.extend(audit::skills());
    skills.extend(risk::skills());
    skills.extend(apps::skills());
    skills.extend(roles::skills());
    skills.extend(governance::skills());
    skills.extend(ca::skills());
    skills
});

/// Every skill this build knows, in catalog order.
pub fn catalog() -> &'static [Skill] {
    &CATALOG
}

/// Which skills a server exposes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    /// `None`: the curated default list (skills whose declaration is marked `default`).
    pub toolsets: Option<Vec<Toolset>>,
    /// Toolsets whose write skills are listed and callable (`--allow-writes`).
    pub writes: Vec<Toolset>,
    pub beta: bool,
    /// `--toolsets discover`: list `find_skills` and `run_skill` instead of the skills.
    pub discover: bool,
}

impl Selection {
    /// Every toolset, writes and beta included.
    pub fn everything() -> Selection {
        Selection { toolsets: Some(Toolset::ALL.to_vec()), writes: Toolset::ALL.to_vec(), beta: true, discover: false }
    }

    pub fn includes(&self, skill: &Skill) -> bool {
        let listed = match &self.toolsets {
            Some(toolsets) => toolsets.contains(&skill.decl.toolset),
            // The curated list: skills marked `default`. A write marked so is listed only when
            // its toolset's writes are allowed (below), so the list stays within the hosts'
            // budget however many writes are on; the others come with `--toolsets`.
            None => skill.decl.default,
        };
        listed && (!skill.is_write() || self.writes.contains(&skill.decl.toolset)) && (self.beta || !skill.decl.beta)
    }

    /// The enabled skills, in catalog order.
    pub fn skills(&self) -> Vec<&'static Skill> {
        catalog().iter().filter(|s| self.includes(s)).collect()
    }
}

/// Looks a skill up among the enabled ones.
pub fn find(selection: &Selection, name: &str) -> Option<&'static Skill> {
    catalog().iter().find(|s| s.decl.name == name && selection.includes(s))
}
