//! The `signins` toolset: sign-in logs as a table, one sign-in in full, and the composite that
//! explains why a sign-in failed and what to change.

mod aadsts;
mod lookup;

crate::toolset! {
    list_sign_ins,
    get_sign_in,
    explain_sign_in_failure,
    confirm_sign_in,
}
