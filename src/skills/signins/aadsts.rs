//! The project's own table of common AADSTS sign-in error codes: category, meaning and next step,
//! in our words. Unknown codes fall back to Graph's `failureReason` and
//! Microsoft's per-code lookup page.

/// One AADSTS code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Aadsts {
    pub code: i64,
    pub category: &'static str,
    pub meaning: &'static str,
    pub next_step: &'static str,
}

const fn c(code: i64, category: &'static str, meaning: &'static str, next_step: &'static str) -> Aadsts {
    Aadsts { code, category, meaning, next_step }
}

/// Sorted by code, for binary search.
const CODES: &[Aadsts] = &[
    c(
        50011,
        "app",
        "the reply URL in the request does not match the app's registered redirect URIs",
        "fix the app registration's redirect URIs",
    ),
    c(
        50020,
        "account",
        "the user has no guest object in this tenant, or came from an unexpected identity provider",
        "invite the user as a guest, or have them sign in with the invited account",
    ),
    c(
        50034,
        "account",
        "the account does not exist in this directory",
        "check the UPN for typos; the user may have been deleted or renamed",
    ),
    c(
        50053,
        "credential",
        "the account is locked after too many failed attempts, or the sign-in came from a malicious IP",
        "wait for the lockout to expire, and look for a password spray from the same IP",
    ),
    c(50055, "credential", "the password has expired", "have the user change the password (SSPR or an admin reset)"),
    c(50057, "credential", "the account is disabled", "enable the account if the person should have access"),
    c(
        50058,
        "session",
        "no session information was sent (silent sign-in without a session)",
        "usually harmless; the app will prompt interactively",
    ),
    c(
        50072,
        "mfa",
        "the user must register for MFA",
        "have the user register MFA methods (or issue a Temporary Access Pass)",
    ),
    c(
        50074,
        "mfa",
        "strong authentication is required: an MFA interrupt",
        "check the correlated retry: a success means nothing to fix",
    ),
    c(
        50076,
        "mfa",
        "MFA is required because of a policy or a location change: an interrupt",
        "check the correlated retry: a success means nothing to fix",
    ),
    c(
        50079,
        "mfa",
        "the user must register for MFA",
        "have the user register MFA methods (or issue a Temporary Access Pass)",
    ),
    c(50089, "session", "the flow token expired: the user took too long", "retry the sign-in"),
    c(50097, "device", "device authentication is required", "register or join the device to Entra"),
    c(
        50105,
        "consent_and_assignment",
        "the user is not assigned to the app, which requires assignment",
        "assign the user (or a group they are in) to the enterprise app",
    ),
    c(
        50126,
        "credential",
        "invalid username or password",
        "if many come from one IP against many users, treat it as a password spray and check risk detections",
    ),
    c(
        50131,
        "ca",
        "a Conditional Access policy blocked the request (device or other condition)",
        "read the failing policy's conditions and controls",
    ),
    c(50133, "session", "the session is invalid because the password changed", "sign in again"),
    c(50140, "session", "the 'stay signed in?' prompt interrupted the sign-in", "nothing to fix"),
    c(
        50158,
        "mfa",
        "an external security challenge (third-party MFA) was not satisfied",
        "check the external MFA provider",
    ),
    c(50173, "session", "the grant was revoked (credentials changed or sessions revoked)", "sign in again"),
    c(
        53000,
        "ca",
        "a Conditional Access policy requires a compliant device, and this device is not compliant",
        "enrol the device in Intune and make it compliant, or use a compliant device",
    ),
    c(53001, "ca", "a Conditional Access policy requires a hybrid-joined device", "use a hybrid Entra joined device"),
    c(
        53002,
        "ca",
        "a Conditional Access policy requires an approved client app",
        "use an approved client app (e.g. Outlook mobile)",
    ),
    c(
        53003,
        "ca",
        "a Conditional Access policy blocked access",
        "read the failing policy's conditions (risk, location, platform, client app)",
    ),
    c(53004, "ca", "MFA registration is blocked because of risk", "remediate the user's risk first, then register MFA"),
    c(
        65001,
        "consent_and_assignment",
        "the user or admin has not consented to the app",
        "grant consent (admin consent for tenant-wide permissions)",
    ),
    c(65004, "consent_and_assignment", "the user declined consent", "ask the user to consent, or grant admin consent"),
    c(
        70043,
        "session",
        "the refresh token expired because of a sign-in frequency policy",
        "sign in again; expected under the policy",
    ),
    c(
        70044,
        "session",
        "the session expired because of a sign-in frequency policy",
        "sign in again; expected under the policy",
    ),
    c(
        90095,
        "consent_and_assignment",
        "admin consent is required",
        "an admin must grant consent, or enable the admin consent workflow",
    ),
    c(
        500121,
        "mfa",
        "MFA failed or was denied by the user",
        "confirm with the user; a denial they did not start suggests a stolen password",
    ),
    c(530032, "ca", "blocked by a tenant security policy", "review security defaults and tenant-wide policies"),
    c(
        700016,
        "app",
        "the application was not found in the tenant",
        "check the app id, or have an admin consent to the app",
    ),
    c(700082, "session", "the refresh token expired from inactivity", "sign in again"),
    c(7000215, "app", "the client secret is invalid", "use the current secret value (not its id)"),
    c(7000222, "app", "the client secret has expired", "rotate the secret and update the app's configuration"),
];

/// Looks a code up.
pub fn lookup(code: i64) -> Option<&'static Aadsts> {
    CODES.binary_search_by_key(&code, |c| c.code).ok().map(|i| &CODES[i])
}

/// Microsoft's public per-code page, for codes not in the table.
pub fn lookup_url(code: i64) -> String {
    format!("https://login.microsoftonline.com/error?code={code}")
}

/// Interrupts: the user is asked for more and usually succeeds on the retry.
pub fn is_interrupt(code: i64) -> bool {
    matches!(code, 50074 | 50076 | 50140 | 50058 | 50072 | 50079)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_sorted_and_unique() {
        assert!(CODES.windows(2).all(|w| w[0].code < w[1].code));
    }

    #[test]
    fn known_and_unknown_codes() {
        assert_eq!(lookup(53003).map(|c| c.category), Some("ca"));
        assert_eq!(lookup(50126).map(|c| c.category), Some("credential"));
        assert!(lookup(500121).is_some_and(|c| c.meaning.contains("denied")));
        assert!(lookup(12345).is_none());
        assert_eq!(lookup_url(12345), "https://login.microsoftonline.com/error?code=12345");
        assert!(is_interrupt(50074) && !is_interrupt(53003));
    }
}
