//! Delegated Microsoft Graph permission identifiers (from Microsoft's Graph permissions
//! reference), so `entra-mcp permissions --json` can emit an app manifest's
//! `requiredResourceAccess` without a network call.
//!
//! Each id is the *delegated* (`"type": "Scope"`) identifier: the second id on the reference's
//! `Identifier` row (the first is the application-permission id, which is different).
//! Checked against <https://learn.microsoft.com/graph/permissions-reference> (page dated
//! 2026-03-31). `Group.ReadBasic.All` is not a Graph permission and is deliberately absent.

/// Microsoft Graph's appId.
pub const GRAPH_APP_ID: &str = "00000003-0000-0000-c000-000000000000";

/// Azure Service Management's (Azure Resource Manager's) appId.
pub const ARM_APP_ID: &str = "797f4846-ba00-4fd7-ba43-dac1f8f63013";

/// The Azure Resource Manager permission a declaration names. A permission of an API other
/// than Graph is written as Entra writes its scope, `{resource URI}/{permission}`; a bare name
/// is Graph's.
pub const ARM_USER_IMPERSONATION: &str = "https://management.azure.com/user_impersonation";

/// An API a delegated permission belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Resource {
    pub app_id: &'static str,
    /// As an app registration's API permissions page names it.
    pub name: &'static str,
}

pub const GRAPH: Resource = Resource { app_id: GRAPH_APP_ID, name: "Microsoft Graph" };
pub const ARM: Resource = Resource { app_id: ARM_APP_ID, name: "Azure Service Management (Azure Resource Manager)" };

/// Permissions of other APIs: (scope as declared, resource, permission name, delegated id).
const OTHER_RESOURCES: &[(&str, Resource, &str, &str)] =
    &[(ARM_USER_IMPERSONATION, ARM, "user_impersonation", "41094075-9dad-400e-a0bd-54e686782033")];

/// The API a declared permission belongs to, and its name there (`user_impersonation`).
pub fn resource_of(permission: &str) -> (Resource, &str) {
    OTHER_RESOURCES
        .iter()
        .find(|(scope, ..)| *scope == permission)
        .map_or((GRAPH, permission), |(_, resource, name, _)| (*resource, *name))
}

/// (permission, delegated scope id), sorted by permission name (byte order).
const DELEGATED: &[(&str, &str)] = &[
    ("AccessReview.Read.All", "ebfcd32b-babb-40f4-a14b-42706e83bd28"),
    ("AccessReview.ReadWrite.All", "e4aa47b9-9a69-4109-82ed-36ec70d85ff1"),
    ("AgentIdentity.Read.All", "5e850691-d86a-4b24-bfa6-8a52fb37a0c1"),
    ("AgentIdentityBlueprint.Read.All", "26512dc8-1364-4e9f-867c-6d8b22a9e162"),
    ("AgentIdentityBlueprintPrincipal.Read.All", "88c856a2-de61-4632-b2d4-ac503cbc8dd2"),
    ("AgentInstance.Read.All", "4c3c738a-2df0-4877-bf4a-f796950ff34c"),
    ("AppRoleAssignment.ReadWrite.All", "84bccea3-f856-4a8a-967b-dbe0a3d53a64"),
    ("Application.Read.All", "c79f8feb-a9db-4090-85f9-90d820caa0eb"),
    ("Application.ReadWrite.All", "bdfbf15f-ee85-4955-8675-146e8e5296b5"),
    ("AuditLog.Read.All", "e4c9e354-4dc5-45b8-9e7c-e1393b0b1a20"),
    ("DelegatedPermissionGrant.ReadWrite.All", "41ce6ca6-6826-4807-84f1-1c82854f7ee5"),
    ("Device.Read.All", "951183d1-1a61-466f-a6d1-1fde911bfd95"),
    ("Directory.AccessAsUser.All", "0e263e50-5827-48a4-b97c-d940288653c7"),
    ("Directory.Read.All", "06da0dbc-49e2-44d2-8312-53f166ab848a"),
    ("Directory.ReadWrite.All", "c5366453-9fb0-48a5-a156-24f0c49a4b84"),
    ("DirectoryRecommendations.Read.All", "34d3bd24-f6a6-468c-b67c-0c365c1d6410"),
    ("DirectoryRecommendations.ReadWrite.All", "f37235e8-90a0-4189-93e2-e55b53867ccd"),
    ("Domain.Read.All", "2f9ee017-59c1-4f1d-9472-bd5529a7b311"),
    ("Domain.ReadWrite.All", "0b5d694c-a244-4bde-86e6-eb5cd07730fe"),
    ("EntitlementManagement.Read.All", "5449aa12-1393-4ea2-a7c7-d0e06c1a56b2"),
    ("Files.Read.All", "df85f4d6-205c-4ac5-a5ea-6bf408dba283"),
    ("Files.ReadWrite.All", "863451e7-0667-486c-a5d6-d135439485f0"),
    ("Group.Read.All", "5f8c59db-677d-491f-a6b8-5f174b11ec1d"),
    ("Group.ReadWrite.All", "4e46008b-f24c-477d-8fff-7bb4ec7aafe0"),
    ("GroupMember.Read.All", "bc024368-1153-4739-b217-4326f2e966d0"),
    ("GroupMember.ReadWrite.All", "f81125ac-d3b7-4573-a3b2-7099cc39df9e"),
    ("HealthMonitoringAlert.Read.All", "74b4ff32-4917-4536-a66d-38a4861e6220"),
    ("HealthMonitoringAlert.ReadWrite.All", "b7c60f27-2195-4d5f-96a7-6b98bdfd9664"),
    ("IdentityRiskEvent.Read.All", "8f6a01e7-0391-4ee5-aa22-a3af122cef27"),
    ("IdentityRiskyAgent.Read.All", "3215c57f-3faa-4295-95c2-6f14a5bc6124"),
    ("IdentityRiskyAgent.ReadWrite.All", "d343bdeb-db6a-4e06-97da-9dafc2d61c60"),
    ("IdentityRiskyServicePrincipal.Read.All", "ea5c4ab0-5a73-4f35-8272-5d5337884e5d"),
    ("IdentityRiskyServicePrincipal.ReadWrite.All", "bb6f654c-d7fd-4ae3-85c3-fc380934f515"),
    ("IdentityRiskyUser.Read.All", "d04bb851-cb7c-4146-97c7-ca3e71baf56c"),
    ("IdentityRiskyUser.ReadWrite.All", "e0a7cdbb-08b0-4697-8264-0069786e9674"),
    ("LicenseAssignment.Read.All", "f395577a-0960-456b-979f-7228de0c5996"),
    ("LifecycleWorkflows-Reports.Read.All", "4d3d7f81-163f-426a-8432-5638d2e82083"),
    ("LifecycleWorkflows-Workflow.Activate", "df1c25b3-072c-45cd-8403-c63441e4cca1"),
    ("LifecycleWorkflows-Workflow.Read.All", "7fabe5bd-2e47-4e61-b924-327117024e18"),
    ("LifecycleWorkflows-Workflow.ReadBasic.All", "789c445d-433c-4575-a1fc-367a58a1bd4a"),
    ("LifecycleWorkflows.Read.All", "9bcb9916-765a-42af-bf77-02282e26b01a"),
    ("Mail.Read", "570282fd-fa5c-430d-a7fd-fc8dc98a9dca"),
    ("Mail.ReadWrite", "024d486e-b451-40bb-833d-3e66d98c5c73"),
    ("Mail.Send", "e383f46e-2787-4529-855e-0e479a3ffac0"),
    ("NetworkAccess-Reports.Read.All", "b0c61509-cfc3-42bd-9bd4-66d81785fee4"),
    ("NetworkAccess.Read.All", "2f7013e0-ab4e-447f-a5e1-5d419950692d"),
    ("Organization.Read.All", "4908d5b9-3fb2-4b1e-9336-1888b7937185"),
    ("Policy.Read.All", "572fea84-0151-49b2-9301-11cb16974376"),
    ("Policy.Read.AuthenticationMethod", "a6ff13ac-1851-4993-8ca9-a671d70de2d5"),
    ("Policy.Read.ConditionalAccess", "633e0fce-8c58-4cfb-9495-12bbd5a24f7c"),
    ("Policy.ReadWrite.AuthenticationMethod", "7e823077-d88e-468f-a337-e18f1f0e6c7c"),
    ("Policy.ReadWrite.ConditionalAccess", "ad902697-1014-4ef5-81ef-2b4301988e8c"),
    ("Policy.ReadWrite.PermissionGrant", "2672f8bb-fd5e-42e0-85e1-ec764dd2614e"),
    ("PrivilegedAssignmentSchedule.Read.AzureADGroup", "02a32cc4-7ab5-4b58-879a-0586e0f7c495"),
    ("PrivilegedAssignmentSchedule.ReadWrite.AzureADGroup", "06dbc45d-6708-4ef0-a797-f797ee68bf4b"),
    ("PrivilegedEligibilitySchedule.Read.AzureADGroup", "8f44f93d-ecef-46ae-a9bf-338508d44d6b"),
    ("ProvisioningLog.Read.All", "95aec97b-cf27-4a8d-a67d-42f60b5b38ef"),
    ("Reports.Read.All", "02e97553-ed7b-43d0-ab3c-f8bace0d040c"),
    ("RoleAssignmentSchedule.Read.Directory", "344a729c-0285-42c6-9014-f12b9b8d6129"),
    ("RoleAssignmentSchedule.ReadWrite.Directory", "8c026be3-8e26-4774-9372-8d5d6f21daff"),
    ("RoleEligibilitySchedule.Read.Directory", "eb0788c2-6d4e-4658-8c9e-c0fb8053f03d"),
    ("RoleEligibilitySchedule.ReadWrite.Directory", "62ade113-f8e0-4bf9-a6ba-5acb31db32fd"),
    ("RoleManagement.Read.Directory", "741c54c3-0c1e-44a1-818b-3f97ab4e8c83"),
    ("RoleManagement.ReadWrite.Directory", "d01b97e9-cbc0-49fe-810a-750afd5527a3"),
    ("RoleManagementPolicy.Read.AzureADGroup", "7e26fdff-9cb1-4e56-bede-211fe0e420e8"),
    ("RoleManagementPolicy.Read.Directory", "3de2cdbe-0ff5-47d5-bdee-7f45b4749ead"),
    ("SecurityEvents.Read.All", "64733abd-851e-478a-bffb-e47a14b18235"),
    ("ServiceHealth.Read.All", "55896846-df78-47a7-aa94-8d3d4442ca7f"),
    ("Sites.FullControl.All", "5a54b8b3-347c-476d-8f8e-42d5c7424d29"),
    ("Sites.Read.All", "205e70e5-aba6-4c52-a976-6d2d46c48043"),
    ("Sites.ReadWrite.All", "89fe6a52-be36-487e-b7d8-d061c450a026"),
    ("Synchronization.Read.All", "7aa02aeb-824f-4fbe-a3f7-611f751f5b55"),
    ("User.EnableDisableAccount.All", "f92e74e7-2563-467f-9dd0-902688cb5863"),
    ("User.Read", "e1fe6dd8-ba31-4d61-89e7-88639da4683d"),
    ("User.Read.All", "a154be20-db9c-4678-8ab7-66f6cc099a59"),
    ("User.ReadBasic.All", "b340eb25-3456-403f-be2f-af7a0d370277"),
    ("User.ReadWrite.All", "204e0828-b5ca-4ad8-b9f3-f32a958e7cc4"),
    ("User.RevokeSessions.All", "fc30e98b-8810-4501-81f5-c20a3196387b"),
    ("UserAuthenticationMethod.Read.All", "aec28ec7-4d02-4e8c-b864-50163aea77eb"),
    ("UserAuthenticationMethod.ReadWrite.All", "b7887744-6746-4312-813d-72daeaee7e2d"),
];

/// The delegated scope id of a permission: a Graph permission by name, another API's by its
/// declared scope ([`resource_of`] says which API).
pub fn delegated_id(permission: &str) -> Option<&'static str> {
    DELEGATED
        .binary_search_by(|(name, _)| name.cmp(&permission))
        .ok()
        .map(|i| DELEGATED[i].1)
        .or_else(|| OTHER_RESOURCES.iter().find(|(scope, ..)| *scope == permission).map(|(.., id)| *id))
}

/// The Graph permission a delegated scope id stands for (the reverse of [`delegated_id`]).
pub fn delegated_name(id: &str) -> Option<&'static str> {
    DELEGATED.iter().find(|(_, scope)| scope.eq_ignore_ascii_case(id.trim())).map(|(name, _)| *name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_lower_guid(s: &str) -> bool {
        let groups: Vec<&str> = s.split('-').collect();
        s.len() == 36
            && groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12])
            && groups.iter().all(|g| g.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)))
    }

    #[test]
    fn names_are_sorted_and_unique() {
        for pair in DELEGATED.windows(2) {
            assert!(pair[0].0 < pair[1].0, "{} must sort before {}", pair[0].0, pair[1].0);
        }
    }

    #[test]
    fn ids_are_lowercase_guids_and_unique() {
        assert!(is_lower_guid(GRAPH_APP_ID));
        for (name, id) in DELEGATED {
            assert!(is_lower_guid(id), "{name}: {id}");
        }
        let mut ids: Vec<&str> = DELEGATED.iter().map(|(_, id)| *id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), DELEGATED.len());
    }

    #[test]
    fn every_entry_is_found() {
        for (name, id) in DELEGATED {
            assert_eq!(delegated_id(name), Some(*id));
        }
    }

    #[test]
    fn ids_translate_back_to_names() {
        assert_eq!(delegated_name("E1FE6DD8-BA31-4D61-89E7-88639DA4683D"), Some("User.Read"));
        assert_eq!(delegated_name("df021288-bdef-4463-88db-98f22de89214"), None, "an application id is no scope");
    }

    #[test]
    fn spot_checks() {
        assert_eq!(delegated_id("User.Read"), Some("e1fe6dd8-ba31-4d61-89e7-88639da4683d"));
        assert_eq!(delegated_id("User.Read.All"), Some("a154be20-db9c-4678-8ab7-66f6cc099a59"));
        assert_eq!(delegated_id("AccessReview.Read.All"), Some("ebfcd32b-babb-40f4-a14b-42706e83bd28"));
        assert_eq!(delegated_id("IdentityRiskyUser.Read.All"), Some("d04bb851-cb7c-4146-97c7-ca3e71baf56c"));
        assert_eq!(delegated_id("Policy.Read.ConditionalAccess"), Some("633e0fce-8c58-4cfb-9495-12bbd5a24f7c"));
        assert_eq!(
            delegated_id("RoleEligibilitySchedule.Read.Directory"),
            Some("eb0788c2-6d4e-4658-8c9e-c0fb8053f03d")
        );
    }

    #[test]
    fn other_apis_permissions_name_their_resource() {
        assert_eq!(delegated_id(ARM_USER_IMPERSONATION), Some("41094075-9dad-400e-a0bd-54e686782033"));
        assert_eq!(resource_of(ARM_USER_IMPERSONATION), (ARM, "user_impersonation"));
        assert_eq!(resource_of("User.Read"), (GRAPH, "User.Read"));
        assert!(is_lower_guid(ARM_APP_ID));
        assert_eq!(delegated_name("41094075-9dad-400e-a0bd-54e686782033"), None, "not a Graph scope");
    }

    #[test]
    fn application_ids_and_unknown_names_are_absent() {
        // User.Read.All's application (app role) id must never be emitted as a scope.
        assert!(DELEGATED.iter().all(|(_, id)| *id != "df021288-bdef-4463-88db-98f22de89214"));
        assert_eq!(delegated_id("user.read.all"), None);
        assert_eq!(delegated_id("Group.ReadBasic.All"), None);
        assert_eq!(delegated_id(""), None);
    }
}
