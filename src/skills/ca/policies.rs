//! Reading the tenant's Conditional Access policies: all of them, or one by id, code or name,
//! tolerantly (`CA003`, `ca003`, the display name or part of it; a miss names the closest).

use crate::graph::resources::ConditionalAccessPolicy;
use crate::graph::{GraphRequest, path};
use crate::shared::{guid, shorten};
use crate::skill::Ctx;
use crate::skill::{ErrorKind, SkillError};

/// Graph's page of policies holds them all; a tenant has at most a few hundred.
const MAX_POLICIES: usize = 500;

/// `GET {CA}/policies`: every policy.
pub async fn list_policies(ctx: &Ctx) -> Result<Vec<ConditionalAccessPolicy>, SkillError> {
    let request = GraphRequest::get("/identity/conditionalAccess/policies");
    Ok(ctx.graph.list::<ConditionalAccessPolicy>(request, MAX_POLICIES).await?.items)
}

/// One policy by id (`GET {CA}/policies/{id}`), or by code or name among all of them.
pub async fn find_policy(ctx: &Ctx, field: &str, value: &str) -> Result<ConditionalAccessPolicy, SkillError> {
    let wanted = value.trim();
    if wanted.is_empty() || wanted.chars().count() > 256 || wanted.chars().any(char::is_control) {
        return Err(SkillError::invalid_value(
            field,
            format!("`{}` is not a policy name or id", shorten(wanted)),
            "a policy's id, its display name, or its code such as `CA003`",
        ));
    }
    if let Some(id) = guid(wanted) {
        let request = GraphRequest::get(path("/identity/conditionalAccess/policies/{}", &[&id.to_string()]));
        return match ctx.graph.get::<ConditionalAccessPolicy>(request).await {
            Err(e) if e.kind == ErrorKind::NotFound => {
                let mut missing = SkillError::not_found(format!("policy {id}"), "list_ca_policies")
                    .with_remedy("list the policies with `list_ca_policies`");
                missing.graph = e.graph;
                Err(missing)
            }
            other => other,
        };
    }
    let all = list_policies(ctx).await?;
    pick(all, field, wanted)
}

/// The policy `wanted` names among `all`: the exact name, else the one whose name starts with
/// it as a code (`CA003` in `CA003 MFA for all users`), else the one whose name contains it.
pub fn pick(
    all: Vec<ConditionalAccessPolicy>,
    field: &str,
    wanted: &str,
) -> Result<ConditionalAccessPolicy, SkillError> {
    let lower = wanted.to_lowercase();
    let name = |p: &ConditionalAccessPolicy| p.display_name.clone().unwrap_or_default().to_lowercase();
    let exact: Vec<&ConditionalAccessPolicy> = all.iter().filter(|p| name(p).trim() == lower).collect();
    let coded: Vec<&ConditionalAccessPolicy> = all
        .iter()
        .filter(|p| {
            let n = name(p);
            n.starts_with(&lower) && n[lower.len()..].chars().next().is_none_or(|c| !c.is_alphanumeric())
        })
        .collect();
    let containing: Vec<&ConditionalAccessPolicy> = all.iter().filter(|p| name(p).contains(&lower)).collect();
    let found = [exact, coded, containing].into_iter().find(|m| !m.is_empty()).unwrap_or_default();
    match found.as_slice() {
        [one] => Ok((*one).clone()),
        [] => {
            let closest = closest(&all, &lower);
            let hint = if closest.is_empty() {
                "list the policies with `list_ca_policies`".to_string()
            } else {
                format!("closest: {}; or list them with `list_ca_policies`", closest.join("; "))
            };
            Err(SkillError::not_found(format!("policy named '{}'", shorten(wanted)), "list_ca_policies")
                .with_remedy(hint))
        }
        many => {
            let candidates: Vec<String> = many.iter().take(10).map(|p| format!("{} ({})", p.name(), p.id)).collect();
            Err(SkillError::new(
                ErrorKind::Ambiguous,
                format!("{} policies match '{}': {}", many.len(), shorten(wanted), candidates.join("; ")),
            )
            .with_remedy(format!("call again with the full name or the id as `{field}`")))
        }
    }
}

/// Up to three policy names closest to `wanted`: most words in common, then shortest edit.
fn closest(all: &[ConditionalAccessPolicy], wanted: &str) -> Vec<String> {
    let words: Vec<&str> = wanted.split(|c: char| !c.is_alphanumeric()).filter(|w| w.len() > 1).collect();
    let mut scored: Vec<(usize, usize, String)> = all
        .iter()
        .filter_map(|p| p.display_name.clone())
        .map(|n| {
            let lower = n.to_lowercase();
            let common = words.iter().filter(|w| lower.contains(*w)).count();
            (usize::MAX - common, distance(&lower, wanted), n)
        })
        .collect();
    scored.sort();
    scored.into_iter().take(3).map(|(_, _, n)| n).collect()
}

/// Levenshtein distance, on characters.
pub fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let current = row[j + 1];
            row[j + 1] = (previous + usize::from(ca != *cb)).min(row[j] + 1).min(row[j + 1] + 1);
            previous = current;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policies() -> Vec<ConditionalAccessPolicy> {
        ["CA001 MFA for admins", "CA003 MFA for all users", "CA010 MFA for Azure management"]
            .iter()
            .enumerate()
            .map(|(i, n)| ConditionalAccessPolicy {
                id: format!("id{i}"),
                display_name: Some(n.to_string()),
                ..Default::default()
            })
            .collect()
    }

    #[test]
    fn by_code_name_or_part() {
        assert_eq!(pick(policies(), "policy", "CA003").map(|p| p.id).ok(), Some("id1".into()));
        assert_eq!(pick(policies(), "policy", "ca001").map(|p| p.id).ok(), Some("id0".into()));
        assert_eq!(pick(policies(), "policy", "mfa for all users").map(|p| p.id).ok(), Some("id1".into()));
        assert_eq!(pick(policies(), "policy", "azure").map(|p| p.id).ok(), Some("id2".into()));
        assert_eq!(pick(policies(), "policy", "MFA").err().map(|e| e.kind), Some(ErrorKind::Ambiguous));
        let missing = pick(policies(), "policy", "MFA for all user accounts").err();
        assert_eq!(missing.as_ref().map(|e| e.kind), Some(ErrorKind::NotFound));
    }
}
