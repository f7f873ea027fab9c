//! What the registration skills share: the `userRegistrationDetails` row as Graph returns it,
//! and the report's method names in an admin's words.

use serde::Deserialize;

/// The report's path below the version.
pub const REPORT: &str = "/reports/authenticationMethods/userRegistrationDetails";

/// One row of `userRegistrationDetails`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RegistrationDetails {
    pub id: String,
    pub user_principal_name: Option<String>,
    pub user_display_name: Option<String>,
    pub user_type: Option<String>,
    pub is_admin: Option<bool>,
    pub is_mfa_registered: Option<bool>,
    pub is_mfa_capable: Option<bool>,
    pub is_passwordless_capable: Option<bool>,
    pub is_sspr_registered: Option<bool>,
    pub is_sspr_enabled: Option<bool>,
    pub is_sspr_capable: Option<bool>,
    pub is_system_preferred_authentication_method_enabled: Option<bool>,
    pub system_preferred_authentication_methods: Vec<String>,
    pub user_preferred_method_for_secondary_authentication: Option<String>,
    pub methods_registered: Vec<String>,
    pub last_updated_date_time: Option<String>,
}

/// A method name of the report (`microsoftAuthenticatorPush`) as an admin says it.
pub fn method_label(method: &str) -> String {
    let label = match method {
        "mobilePhone" => "mobile phone (SMS/voice)",
        "alternateMobilePhone" => "alternate mobile phone",
        "officePhone" => "office phone",
        "email" => "email",
        "fido2" => "FIDO2 security key",
        "passKeyDeviceBound" => "passkey (security key)",
        "passKeyDeviceBoundAuthenticator" => "passkey in Microsoft Authenticator",
        "passKeyDeviceBoundWindowsHello" => "passkey in Windows Hello",
        "passKeySynced" => "synced passkey",
        "microsoftAuthenticatorPush" => "Microsoft Authenticator (push)",
        "microsoftAuthenticatorPasswordless" => "Microsoft Authenticator (passwordless phone sign-in)",
        "softwareOneTimePasscode" => "software OTP",
        "hardwareOneTimePasscode" => "hardware OTP token",
        "windowsHelloForBusiness" => "Windows Hello for Business",
        "temporaryAccessPass" => "Temporary Access Pass",
        "macOsSecureEnclaveKey" => "macOS platform credential",
        "securityQuestion" => "security questions",
        "appPassword" => "app password",
        "push" => "Authenticator push",
        "oath" => "OTP code",
        "sms" => "SMS",
        "voiceMobile" => "voice call (mobile)",
        "voiceAlternateMobile" => "voice call (alternate mobile)",
        "voiceOffice" => "voice call (office)",
        "none" => "none",
        other => return other.to_string(),
    };
    label.to_string()
}
