//! What each collection of the emulator accepts, as Graph documents it: selectable properties,
//! the default property set, the `$filter`, `$orderby`, `$search` and `$expand` allow-lists, the
//! largest `$top`, and whether the directory's consistency rules (`ConsistencyLevel: eventual`)
//! apply. Anything not listed is refused with a 400, as Graph refuses it.

use crate::demo::tenant::ObjectKind;

/// A list of names written as one space-separated string, which keeps the long allow-lists
/// below readable.
#[derive(Debug, Clone, Copy)]
pub struct Words(pub &'static str);

impl Words {
    pub fn iter(self) -> impl Iterator<Item = &'static str> {
        self.0.split_whitespace()
    }

    pub fn contains(self, name: &str) -> bool {
        self.iter().any(|word| word == name)
    }

    pub fn is_empty(self) -> bool {
        self.iter().next().is_none()
    }
}

/// The rules of one collection (or resource type).
#[derive(Debug)]
pub struct Spec {
    /// The OData type name, for messages (`microsoft.graph.user`).
    pub type_name: &'static str,
    /// The entity set named in `@odata.context` (`users`).
    pub entity_set: &'static str,
    /// A directory collection: advanced queries need `ConsistencyLevel: eventual`.
    pub directory: bool,
    pub properties: Words,
    /// Returned without `$select`; `None` means every property.
    pub default_properties: Option<Words>,
    pub filterable: Words,
    pub orderable: Words,
    pub searchable: Words,
    pub expandable: Words,
    pub max_top: usize,
}

impl Spec {
    pub fn has_property(&self, name: &str) -> bool {
        self.properties.contains(name)
    }
}

pub const USER_PROPERTIES: Words = Words(
    "id displayName givenName surname userPrincipalName mail mailNickname accountEnabled \
     userType department jobTitle companyName officeLocation businessPhones mobilePhone \
     preferredLanguage usageLocation createdDateTime lastPasswordChangeDateTime \
     onPremisesSyncEnabled onPremisesLastSyncDateTime onPremisesImmutableId \
     onPremisesSamAccountName onPremisesDistinguishedName onPremisesDomainName \
     onPremisesUserPrincipalName creationType externalUserState \
     externalUserStateChangeDateTime employeeLeaveDateTime employeeId employeeType \
     employeeHireDate assignedLicenses assignedPlans licenseAssignmentStates signInActivity \
     identities otherMails proxyAddresses city country state streetAddress postalCode \
     passwordPolicies ageGroup showInAddressList securityIdentifier faxNumber imAddresses \
     signInSessionsValidFromDateTime deletedDateTime",
);

pub static USERS: Spec = Spec {
    type_name: "microsoft.graph.user",
    entity_set: "users",
    directory: true,
    properties: USER_PROPERTIES,
    default_properties: Some(Words(
        "businessPhones displayName givenName id jobTitle mail mobilePhone officeLocation \
         preferredLanguage surname userPrincipalName",
    )),
    filterable: Words(
        "id displayName givenName surname userPrincipalName mail mailNickname accountEnabled \
         userType department jobTitle companyName officeLocation createdDateTime \
         onPremisesSyncEnabled externalUserState employeeLeaveDateTime usageLocation creationType \
         employeeId employeeType country city state proxyAddresses otherMails businessPhones \
         mobilePhone signInActivity/lastSignInDateTime \
         signInActivity/lastNonInteractiveSignInDateTime \
         signInActivity/lastSuccessfulSignInDateTime assignedLicenses assignedLicenses/skuId \
         assignedLicenses/$count identities/issuer",
    ),
    orderable: Words(
        "displayName userPrincipalName givenName surname mail createdDateTime \
         signInActivity/lastSignInDateTime signInActivity/lastSuccessfulSignInDateTime",
    ),
    searchable: Words(
        "displayName givenName surname mail userPrincipalName mailNickname jobTitle department \
         employeeId",
    ),
    expandable: Words("manager directReports"),
    max_top: 999,
};

pub const GROUP_PROPERTIES: Words = Words(
    "id displayName description mail mailEnabled mailNickname securityEnabled groupTypes \
     membershipRule membershipRuleProcessingState isAssignableToRole createdDateTime \
     renewedDateTime visibility onPremisesSyncEnabled securityIdentifier classification \
     expirationDateTime proxyAddresses resourceProvisioningOptions theme \
     preferredDataLocation deletedDateTime",
);

pub static GROUPS: Spec = Spec {
    type_name: "microsoft.graph.group",
    entity_set: "groups",
    directory: true,
    properties: GROUP_PROPERTIES,
    default_properties: None,
    filterable: Words(
        "id displayName description mail mailEnabled mailNickname securityEnabled groupTypes \
         membershipRuleProcessingState isAssignableToRole createdDateTime onPremisesSyncEnabled \
         proxyAddresses classification owners/$count members/$count",
    ),
    orderable: Words("displayName createdDateTime"),
    searchable: Words("displayName description mail mailNickname"),
    expandable: Words("members owners"),
    max_top: 999,
};

pub const DEVICE_PROPERTIES: Words = Words(
    "id deviceId displayName operatingSystem operatingSystemVersion trustType isCompliant \
     isManaged accountEnabled approximateLastSignInDateTime registrationDateTime \
     createdDateTime manufacturer model profileType mdmAppId onPremisesSyncEnabled \
     onPremisesLastSyncDateTime deviceOwnership enrollmentType isRooted \
     alternativeSecurityIds physicalIds systemLabels extensionAttributes deviceVersion \
     complianceExpirationDateTime",
);

pub static DEVICES: Spec = Spec {
    type_name: "microsoft.graph.device",
    entity_set: "devices",
    directory: true,
    properties: DEVICE_PROPERTIES,
    default_properties: None,
    filterable: Words(
        "id deviceId displayName operatingSystem operatingSystemVersion trustType isCompliant \
         isManaged accountEnabled approximateLastSignInDateTime registrationDateTime profileType \
         mdmAppId onPremisesSyncEnabled manufacturer model deviceOwnership physicalIds \
         systemLabels",
    ),
    orderable: Words("displayName approximateLastSignInDateTime registrationDateTime"),
    searchable: Words("displayName deviceId"),
    expandable: Words("registeredOwners registeredUsers"),
    max_top: 999,
};

pub const SERVICE_PRINCIPAL_PROPERTIES: Words = Words(
    "id appId displayName appDisplayName appOwnerOrganizationId servicePrincipalType \
     accountEnabled appRoleAssignmentRequired publisherName verifiedPublisher signInAudience \
     servicePrincipalNames tags passwordCredentials keyCredentials createdDateTime appRoles \
     oauth2PermissionScopes homepage replyUrls notes description preferredSingleSignOnMode \
     loginUrl logoutUrl alternativeNames",
);

pub static SERVICE_PRINCIPALS: Spec = Spec {
    type_name: "microsoft.graph.servicePrincipal",
    entity_set: "servicePrincipals",
    directory: true,
    properties: SERVICE_PRINCIPAL_PROPERTIES,
    default_properties: None,
    filterable: Words(
        "id appId displayName appDisplayName appOwnerOrganizationId servicePrincipalType \
         accountEnabled servicePrincipalNames tags publisherName appRoleAssignmentRequired \
         createdDateTime owners/$count",
    ),
    orderable: Words("displayName"),
    searchable: Words("displayName appDisplayName publisherName"),
    expandable: Words(""),
    max_top: 999,
};

pub static APPLICATIONS: Spec = Spec {
    type_name: "microsoft.graph.application",
    entity_set: "applications",
    directory: true,
    properties: Words(
        "id appId displayName createdDateTime signInAudience publisherDomain description tags \
         passwordCredentials keyCredentials requiredResourceAccess web spa publicClient \
         identifierUris appRoles api info notes verifiedPublisher disabledByMicrosoftStatus",
    ),
    default_properties: None,
    filterable: Words(
        "id appId displayName createdDateTime signInAudience publisherDomain identifierUris tags owners/$count",
    ),
    orderable: Words("displayName createdDateTime"),
    searchable: Words("displayName"),
    expandable: Words("owners"),
    max_top: 999,
};

/// Application permissions a service principal holds (`servicePrincipals/{id}/appRoleAssignments`).
pub static APP_ROLE_ASSIGNMENTS: Spec = Spec {
    type_name: "microsoft.graph.appRoleAssignment",
    entity_set: "servicePrincipals/appRoleAssignments",
    directory: true,
    properties: Words(
        "id appRoleId createdDateTime deletedDateTime principalDisplayName principalId principalType \
         resourceDisplayName resourceId",
    ),
    default_properties: None,
    filterable: Words("id appRoleId principalId resourceId"),
    orderable: Words(""),
    searchable: Words(""),
    expandable: Words(""),
    max_top: 999,
};

/// Delegated permission grants (`servicePrincipals/{id}/oauth2PermissionGrants`).
pub static OAUTH2_PERMISSION_GRANTS: Spec = Spec {
    type_name: "microsoft.graph.oAuth2PermissionGrant",
    entity_set: "oauth2PermissionGrants",
    directory: true,
    properties: Words("id clientId consentType principalId resourceId scope"),
    default_properties: None,
    filterable: Words("id clientId consentType principalId resourceId"),
    orderable: Words(""),
    searchable: Words(""),
    expandable: Words(""),
    max_top: 999,
};

/// Mixed directory-object collections (members, memberOf, owners) without a type cast.
pub static DIRECTORY_OBJECTS: Spec = Spec {
    type_name: "microsoft.graph.directoryObject",
    entity_set: "directoryObjects",
    directory: true,
    properties: Words(""),
    default_properties: None,
    filterable: Words(
        "id displayName mail userPrincipalName userType accountEnabled securityEnabled \
         mailEnabled groupTypes isAssignableToRole department operatingSystem appId",
    ),
    orderable: Words("displayName"),
    searchable: Words("displayName"),
    expandable: Words(""),
    max_top: 999,
};

pub static SIGN_INS: Spec = Spec {
    type_name: "microsoft.graph.signIn",
    entity_set: "auditLogs/signIns",
    directory: false,
    properties: Words(
        "id createdDateTime userDisplayName userPrincipalName userId appId appDisplayName \
         ipAddress clientAppUsed correlationId conditionalAccessStatus isInteractive riskDetail \
         riskLevelAggregated riskLevelDuringSignIn riskState riskEventTypes riskEventTypes_v2 \
         resourceDisplayName resourceId resourceTenantId homeTenantId status deviceDetail \
         location appliedConditionalAccessPolicies",
    ),
    default_properties: None,
    filterable: Words(
        "id createdDateTime userId userDisplayName userPrincipalName appId appDisplayName \
         ipAddress clientAppUsed correlationId conditionalAccessStatus isInteractive \
         resourceDisplayName resourceId riskDetail riskLevelAggregated riskLevelDuringSignIn \
         riskState riskEventTypes riskEventTypes_v2 status/errorCode location/city location/state \
         location/countryOrRegion deviceDetail/deviceId deviceDetail/displayName \
         deviceDetail/operatingSystem deviceDetail/browser deviceDetail/isCompliant \
         deviceDetail/isManaged deviceDetail/trustType appliedConditionalAccessPolicies/id \
         appliedConditionalAccessPolicies/displayName appliedConditionalAccessPolicies/result",
    ),
    orderable: Words("createdDateTime"),
    searchable: Words(""),
    expandable: Words(""),
    max_top: 1000,
};

pub static DIRECTORY_AUDITS: Spec = Spec {
    type_name: "microsoft.graph.directoryAudit",
    entity_set: "auditLogs/directoryAudits",
    directory: false,
    properties: Words(
        "id category correlationId result resultReason activityDisplayName activityDateTime \
         loggedByService operationType initiatedBy targetResources additionalDetails",
    ),
    default_properties: None,
    filterable: Words(
        "id activityDateTime activityDisplayName category correlationId loggedByService \
         operationType result initiatedBy/user/id initiatedBy/user/displayName \
         initiatedBy/user/userPrincipalName initiatedBy/app/appId initiatedBy/app/displayName \
         initiatedBy/app/servicePrincipalId targetResources/id targetResources/displayName \
         targetResources/type targetResources/userPrincipalName",
    ),
    orderable: Words("activityDateTime"),
    searchable: Words(""),
    expandable: Words(""),
    max_top: 1000,
};

pub static PROVISIONING: Spec = Spec {
    type_name: "microsoft.graph.provisioningObjectSummary",
    entity_set: "auditLogs/provisioning",
    directory: false,
    properties: Words(
        "id activityDateTime tenantId jobId cycleId changeId provisioningAction \
         durationInMilliseconds servicePrincipal sourceSystem targetSystem sourceIdentity \
         targetIdentity initiatedBy provisioningStatusInfo provisioningSteps modifiedProperties",
    ),
    default_properties: None,
    filterable: Words(
        "id activityDateTime tenantId jobId cycleId changeId provisioningAction \
         provisioningStatusInfo/status servicePrincipal/id servicePrincipal/displayName \
         targetIdentity/id targetIdentity/displayName sourceIdentity/id \
         sourceIdentity/displayName targetSystem/displayName sourceSystem/displayName",
    ),
    orderable: Words("activityDateTime"),
    searchable: Words(""),
    expandable: Words(""),
    max_top: 1000,
};

/// `signIn` on beta: v1.0's properties and the beta-only ones (event types, service principal
/// and managed identity details, the authentication requirement).
pub static SIGN_INS_BETA: Spec = Spec {
    type_name: "microsoft.graph.signIn",
    entity_set: "auditLogs/signIns",
    directory: false,
    properties: Words(
        "id createdDateTime userDisplayName userPrincipalName userId appId appDisplayName \
         ipAddress clientAppUsed correlationId conditionalAccessStatus isInteractive riskDetail \
         riskLevelAggregated riskLevelDuringSignIn riskState riskEventTypes riskEventTypes_v2 \
         resourceDisplayName resourceId resourceTenantId homeTenantId status deviceDetail \
         location appliedConditionalAccessPolicies signInEventTypes authenticationRequirement \
         userType incomingTokenType tokenIssuerType servicePrincipalId servicePrincipalName \
         servicePrincipalCredentialKeyId servicePrincipalCredentialThumbprint \
         clientCredentialType managedServiceIdentity agent",
    ),
    default_properties: None,
    filterable: Words(
        "id createdDateTime userId userDisplayName userPrincipalName appId appDisplayName \
         ipAddress clientAppUsed correlationId conditionalAccessStatus isInteractive \
         resourceDisplayName resourceId riskDetail riskLevelAggregated riskLevelDuringSignIn \
         riskState riskEventTypes riskEventTypes_v2 status/errorCode location/city location/state \
         location/countryOrRegion deviceDetail/deviceId deviceDetail/displayName \
         deviceDetail/operatingSystem deviceDetail/browser deviceDetail/isCompliant \
         deviceDetail/isManaged deviceDetail/trustType appliedConditionalAccessPolicies/id \
         appliedConditionalAccessPolicies/displayName appliedConditionalAccessPolicies/result \
         signInEventTypes authenticationRequirement servicePrincipalId servicePrincipalName \
         agent/agentType",
    ),
    orderable: Words("createdDateTime"),
    searchable: Words(""),
    expandable: Words(""),
    max_top: 1000,
};

/// Properties the sign-in log renders that v1.0 does not know.
pub const SIGN_IN_BETA_ONLY: Words = Words("signInEventTypes authenticationRequirement userType");

/// `synchronizationJob`, below a service principal (`servicePrincipals/{id}/synchronization/jobs`).
pub static SYNCHRONIZATION_JOBS: Spec = Spec {
    type_name: "microsoft.graph.synchronizationJob",
    entity_set: "servicePrincipals/synchronization/jobs",
    directory: false,
    properties: Words("id templateId schedule status synchronizationJobSettings"),
    default_properties: None,
    filterable: Words(""),
    orderable: Words(""),
    searchable: Words(""),
    expandable: Words(""),
    max_top: 999,
};

/// `applicationSignInSummary`, the answer of beta `reports/getAzureADApplicationSignInSummary`.
pub static APPLICATION_SIGN_IN_SUMMARY: Spec = Spec {
    type_name: "microsoft.graph.applicationSignInSummary",
    entity_set: "Collection(microsoft.graph.applicationSignInSummary)",
    directory: false,
    properties: Words("id appId appDisplayName successfulSignInCount failedSignInCount successPercentage"),
    default_properties: None,
    filterable: Words(""),
    orderable: Words(""),
    searchable: Words(""),
    expandable: Words(""),
    max_top: 999,
};

pub static RISKY_USERS: Spec = Spec {
    type_name: "microsoft.graph.riskyUser",
    entity_set: "identityProtection/riskyUsers",
    directory: false,
    properties: Words(
        "id isDeleted isProcessing riskLastUpdatedDateTime riskLevel riskState riskDetail \
         userDisplayName userPrincipalName",
    ),
    default_properties: None,
    filterable: Words(
        "id isDeleted isProcessing riskLastUpdatedDateTime riskLevel riskState riskDetail \
         userDisplayName userPrincipalName",
    ),
    orderable: Words("riskLastUpdatedDateTime riskLevel userDisplayName userPrincipalName"),
    searchable: Words(""),
    expandable: Words(""),
    max_top: 500,
};

pub static RISKY_USER_HISTORY: Spec = Spec {
    type_name: "microsoft.graph.riskyUserHistoryItem",
    entity_set: "identityProtection/riskyUsers/history",
    directory: false,
    properties: Words(
        "id userId initiatedBy isDeleted isProcessing riskLastUpdatedDateTime riskLevel riskState \
         riskDetail userDisplayName userPrincipalName activity",
    ),
    default_properties: None,
    filterable: Words("riskLevel riskState riskLastUpdatedDateTime"),
    orderable: Words("riskLastUpdatedDateTime"),
    searchable: Words(""),
    expandable: Words(""),
    max_top: 500,
};

pub static RISK_DETECTIONS: Spec = Spec {
    type_name: "microsoft.graph.riskDetection",
    entity_set: "identityProtection/riskDetections",
    directory: false,
    properties: Words(
        "id requestId correlationId riskEventType riskType riskState riskLevel riskDetail source \
         detectionTimingType activity tokenIssuerType ipAddress activityDateTime detectedDateTime \
         lastUpdatedDateTime userId userDisplayName userPrincipalName additionalInfo location",
    ),
    default_properties: None,
    filterable: Words(
        "id requestId correlationId riskEventType riskType riskState riskLevel riskDetail source \
         detectionTimingType activity tokenIssuerType ipAddress activityDateTime detectedDateTime \
         lastUpdatedDateTime userId userDisplayName userPrincipalName location/city \
         location/countryOrRegion",
    ),
    orderable: Words("detectedDateTime activityDateTime lastUpdatedDateTime riskLevel"),
    searchable: Words(""),
    expandable: Words(""),
    max_top: 500,
};

pub static CA_POLICIES: Spec = Spec {
    type_name: "microsoft.graph.conditionalAccessPolicy",
    entity_set: "identity/conditionalAccess/policies",
    directory: false,
    properties: Words(
        "id templateId displayName createdDateTime modifiedDateTime state conditions \
         grantControls sessionControls",
    ),
    default_properties: None,
    filterable: Words("id displayName state createdDateTime modifiedDateTime templateId"),
    orderable: Words("displayName createdDateTime modifiedDateTime"),
    searchable: Words(""),
    expandable: Words(""),
    max_top: 999,
};

pub static NAMED_LOCATIONS: Spec = Spec {
    type_name: "microsoft.graph.namedLocation",
    entity_set: "identity/conditionalAccess/namedLocations",
    directory: false,
    properties: Words(
        "id displayName createdDateTime modifiedDateTime isTrusted ipRanges countriesAndRegions \
         includeUnknownCountriesAndRegions countryLookupMethod",
    ),
    default_properties: None,
    filterable: Words("id displayName createdDateTime modifiedDateTime"),
    orderable: Words("displayName"),
    searchable: Words(""),
    expandable: Words(""),
    max_top: 999,
};

pub static AUTHENTICATION_METHODS: Spec = Spec {
    type_name: "microsoft.graph.authenticationMethod",
    entity_set: "users/authentication/methods",
    directory: false,
    properties: Words(
        "id createdDateTime displayName deviceTag phoneAppVersion phoneNumber phoneType \
         smsSignInState model aaGuid attestationLevel attestationCertificates keyStrength \
         password",
    ),
    default_properties: None,
    filterable: Words(""),
    orderable: Words(""),
    searchable: Words(""),
    expandable: Words(""),
    max_top: 999,
};

/// `unifiedRoleDefinition` on v1.0, which does not know `isPrivileged` (beta only).
pub static ROLE_DEFINITIONS: Spec = Spec {
    type_name: "microsoft.graph.unifiedRoleDefinition",
    entity_set: "roleManagement/directory/roleDefinitions",
    directory: false,
    properties: Words(
        "id templateId displayName description isBuiltIn isEnabled resourceScopes version \
         inheritsPermissionsFrom rolePermissions",
    ),
    default_properties: None,
    filterable: Words("id templateId displayName isBuiltIn isEnabled"),
    orderable: Words("displayName"),
    searchable: Words(""),
    expandable: Words(""),
    max_top: 999,
};

/// `unifiedRoleDefinition` on beta: v1.0's properties and `isPrivileged`.
pub static ROLE_DEFINITIONS_BETA: Spec = Spec {
    type_name: "microsoft.graph.unifiedRoleDefinition",
    entity_set: "roleManagement/directory/roleDefinitions",
    directory: false,
    properties: Words(
        "id templateId displayName description isBuiltIn isEnabled isPrivileged resourceScopes \
         version inheritsPermissionsFrom rolePermissions",
    ),
    default_properties: None,
    filterable: Words("id templateId displayName isBuiltIn isEnabled isPrivileged"),
    orderable: Words("displayName"),
    searchable: Words(""),
    expandable: Words(""),
    max_top: 999,
};

/// Properties of a role definition only beta knows.
pub const ROLE_DEFINITION_BETA_ONLY: Words = Words("isPrivileged");

const ASSIGNMENT_FILTERABLE: Words = Words(
    "id principalId roleDefinitionId directoryScopeId appScopeId assignmentType memberType \
     startDateTime endDateTime status action createdDateTime",
);

pub static ROLE_ASSIGNMENTS: Spec = Spec {
    type_name: "microsoft.graph.unifiedRoleAssignment",
    entity_set: "roleManagement/directory/roleAssignments",
    directory: false,
    properties: Words("id principalId roleDefinitionId directoryScopeId appScopeId condition"),
    default_properties: None,
    filterable: ASSIGNMENT_FILTERABLE,
    orderable: Words(""),
    searchable: Words(""),
    expandable: Words("principal roleDefinition"),
    max_top: 999,
};

pub static ROLE_ASSIGNMENT_SCHEDULE_INSTANCES: Spec = Spec {
    type_name: "microsoft.graph.unifiedRoleAssignmentScheduleInstance",
    entity_set: "roleManagement/directory/roleAssignmentScheduleInstances",
    directory: false,
    properties: Words(
        "id principalId roleDefinitionId directoryScopeId appScopeId startDateTime endDateTime \
         assignmentType memberType roleAssignmentOriginId roleAssignmentScheduleId",
    ),
    default_properties: None,
    filterable: ASSIGNMENT_FILTERABLE,
    orderable: Words(""),
    searchable: Words(""),
    expandable: Words("principal roleDefinition"),
    max_top: 999,
};

pub static ROLE_ELIGIBILITY_SCHEDULE_INSTANCES: Spec = Spec {
    type_name: "microsoft.graph.unifiedRoleEligibilityScheduleInstance",
    entity_set: "roleManagement/directory/roleEligibilityScheduleInstances",
    directory: false,
    properties: Words(
        "id principalId roleDefinitionId directoryScopeId appScopeId startDateTime endDateTime \
         memberType roleEligibilityScheduleId",
    ),
    default_properties: None,
    filterable: ASSIGNMENT_FILTERABLE,
    orderable: Words(""),
    searchable: Words(""),
    expandable: Words("principal roleDefinition"),
    max_top: 999,
};

pub static ROLE_ASSIGNMENT_SCHEDULE_REQUESTS: Spec = Spec {
    type_name: "microsoft.graph.unifiedRoleAssignmentScheduleRequest",
    entity_set: "roleManagement/directory/roleAssignmentScheduleRequests",
    directory: false,
    properties: Words(
        "id action principalId roleDefinitionId directoryScopeId appScopeId isValidationOnly \
         targetScheduleId justification status createdDateTime completedDateTime approvalId \
         createdBy scheduleInfo ticketInfo",
    ),
    default_properties: None,
    filterable: ASSIGNMENT_FILTERABLE,
    orderable: Words("createdDateTime"),
    searchable: Words(""),
    expandable: Words("principal roleDefinition"),
    max_top: 999,
};

pub static ORGANIZATION: Spec = Spec {
    type_name: "microsoft.graph.organization",
    entity_set: "organization",
    directory: true,
    properties: Words(
        "id displayName verifiedDomains tenantType createdDateTime countryLetterCode \
         technicalNotificationMails securityComplianceNotificationMails assignedPlans \
         securityComplianceNotificationPhones marketingNotificationEmails privacyProfile \
         businessPhones street city state postalCode country preferredLanguage \
         defaultUsageLocation onPremisesSyncEnabled onPremisesLastSyncDateTime",
    ),
    default_properties: None,
    filterable: Words(""),
    orderable: Words(""),
    searchable: Words(""),
    expandable: Words(""),
    max_top: 999,
};

/// The spec of a directory object kind, for type casts and default property sets.
pub fn of_kind(kind: ObjectKind) -> &'static Spec {
    match kind {
        ObjectKind::User => &USERS,
        ObjectKind::Group => &GROUPS,
        ObjectKind::Device => &DEVICES,
        ObjectKind::ServicePrincipal => &SERVICE_PRINCIPALS,
        ObjectKind::Application => &APPLICATIONS,
    }
}

/// Whether `name` is a property of any directory object kind (for `$select` on mixed
/// collections).
pub fn is_directory_object_property(name: &str) -> bool {
    [&USERS, &GROUPS, &DEVICES, &SERVICE_PRINCIPALS, &APPLICATIONS].iter().any(|s| s.has_property(name))
}

/// `subscribedSkus`: Graph documents `$select` only (no `$filter`, no `/$count`).
pub static SUBSCRIBED_SKUS: Spec = Spec {
    type_name: "microsoft.graph.subscribedSku",
    entity_set: "subscribedSkus",
    directory: true,
    properties: Words(
        "id accountId accountName appliesTo capabilityStatus consumedUnits prepaidUnits \
         servicePlans skuId skuPartNumber subscriptionIds",
    ),
    default_properties: None,
    filterable: Words(""),
    orderable: Words(""),
    searchable: Words(""),
    expandable: Words(""),
    max_top: 999,
};

/// A user's `licenseDetails`.
pub static LICENSE_DETAILS: Spec = Spec {
    type_name: "microsoft.graph.licenseDetails",
    entity_set: "users/licenseDetails",
    directory: true,
    properties: Words("id skuId skuPartNumber servicePlans"),
    default_properties: None,
    filterable: Words(""),
    orderable: Words(""),
    searchable: Words(""),
    expandable: Words(""),
    max_top: 999,
};

/// The registration report: `eq` on the flags, `any` on the method lists, `eq`/`startswith`
/// on the names, `$orderby` on the names.
pub static USER_REGISTRATION_DETAILS: Spec = Spec {
    type_name: "microsoft.graph.userRegistrationDetails",
    entity_set: "reports/authenticationMethods/userRegistrationDetails",
    directory: false,
    properties: Words(
        "id userPrincipalName userDisplayName userType isAdmin isMfaCapable isMfaRegistered \
         isPasswordlessCapable isSsprCapable isSsprEnabled isSsprRegistered \
         isSystemPreferredAuthenticationMethodEnabled systemPreferredAuthenticationMethods \
         userPreferredMethodForSecondaryAuthentication methodsRegistered lastUpdatedDateTime",
    ),
    default_properties: None,
    filterable: Words(
        "id userPrincipalName userDisplayName userType isAdmin isMfaCapable isMfaRegistered \
         isPasswordlessCapable isSsprCapable isSsprEnabled isSsprRegistered \
         isSystemPreferredAuthenticationMethodEnabled systemPreferredAuthenticationMethods \
         userPreferredMethodForSecondaryAuthentication methodsRegistered",
    ),
    orderable: Words("userPrincipalName userDisplayName"),
    searchable: Words(""),
    expandable: Words(""),
    max_top: 999,
};

const METHODS_POLICY_V1_PROPERTIES: Words = Words(
    "id displayName description lastModifiedDateTime policyVersion policyMigrationState \
     reconfirmationInDays registrationEnforcement authenticationMethodConfigurations",
);

/// `/policies/authenticationMethodsPolicy` on v1.0, which has no `systemCredentialPreferences`
/// or `reportSuspiciousActivitySettings`.
pub static AUTHENTICATION_METHODS_POLICY_V1: Spec = Spec {
    type_name: "microsoft.graph.authenticationMethodsPolicy",
    entity_set: "policies/authenticationMethodsPolicy",
    directory: false,
    properties: METHODS_POLICY_V1_PROPERTIES,
    default_properties: Some(METHODS_POLICY_V1_PROPERTIES),
    filterable: Words(""),
    orderable: Words(""),
    searchable: Words(""),
    expandable: Words(""),
    max_top: 999,
};

/// The same policy on beta.
pub static AUTHENTICATION_METHODS_POLICY_BETA: Spec = Spec {
    type_name: "microsoft.graph.authenticationMethodsPolicy",
    entity_set: "policies/authenticationMethodsPolicy",
    directory: false,
    properties: Words(
        "id displayName description lastModifiedDateTime policyVersion policyMigrationState \
         reconfirmationInDays registrationEnforcement authenticationMethodConfigurations \
         systemCredentialPreferences reportSuspiciousActivitySettings",
    ),
    default_properties: None,
    filterable: Words(""),
    orderable: Words(""),
    searchable: Words(""),
    expandable: Words(""),
    max_top: 999,
};

/// Beta `users/{id}/authentication/requirements`: per-user MFA.
pub static STRONG_AUTHENTICATION_REQUIREMENTS: Spec = Spec {
    type_name: "microsoft.graph.strongAuthenticationRequirements",
    entity_set: "users/authentication/requirements",
    directory: false,
    properties: Words("perUserMfaState"),
    default_properties: None,
    filterable: Words(""),
    orderable: Words(""),
    searchable: Words(""),
    expandable: Words(""),
    max_top: 999,
};

/// Beta `users/{id}/authentication/signInPreferences`.
pub static SIGN_IN_PREFERENCES: Spec = Spec {
    type_name: "microsoft.graph.signInPreferences",
    entity_set: "users/authentication/signInPreferences",
    directory: false,
    properties: Words("isSystemPreferredAuthenticationMethodEnabled userPreferredMethodForSecondaryAuthentication"),
    default_properties: None,
    filterable: Words(""),
    orderable: Words(""),
    searchable: Words(""),
    expandable: Words(""),
    max_top: 999,
};

/// `policies/roleManagementPolicies`: PIM's settings for one directory role or one PIM for
/// Groups access; the rules are a navigation (`$expand=rules`, or `/{id}/rules`).
pub static ROLE_MANAGEMENT_POLICIES: Spec = Spec {
    type_name: "microsoft.graph.unifiedRoleManagementPolicy",
    entity_set: "policies/roleManagementPolicies",
    directory: false,
    properties: Words(
        "id displayName description isOrganizationDefault scopeId scopeType lastModifiedDateTime lastModifiedBy",
    ),
    default_properties: None,
    filterable: Words("scopeId scopeType"),
    orderable: Words(""),
    searchable: Words(""),
    expandable: Words("rules"),
    max_top: 999,
};

/// `policies/roleManagementPolicyAssignments`: which policy governs which role (or group access).
pub static ROLE_MANAGEMENT_POLICY_ASSIGNMENTS: Spec = Spec {
    type_name: "microsoft.graph.unifiedRoleManagementPolicyAssignment",
    entity_set: "policies/roleManagementPolicyAssignments",
    directory: false,
    properties: Words("id policyId scopeId scopeType roleDefinitionId"),
    default_properties: None,
    filterable: Words("scopeId scopeType roleDefinitionId policyId"),
    orderable: Words(""),
    searchable: Words(""),
    expandable: Words("policy"),
    max_top: 999,
};

/// The rules of a role management policy (expiration, enablement, authentication context,
/// approval, notification): one type per kind, so the union of their properties.
pub static ROLE_MANAGEMENT_POLICY_RULES: Spec = Spec {
    type_name: "microsoft.graph.unifiedRoleManagementPolicyRule",
    entity_set: "policies/roleManagementPolicies/rules",
    directory: false,
    properties: Words(
        "id target isExpirationRequired maximumDuration enabledRules isEnabled claimValue setting \
         notificationType recipientType notificationLevel isDefaultRecipientsEnabled notificationRecipients",
    ),
    default_properties: None,
    filterable: Words(""),
    orderable: Words(""),
    searchable: Words(""),
    expandable: Words(""),
    max_top: 999,
};
