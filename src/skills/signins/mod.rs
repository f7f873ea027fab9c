//! The `signins` toolset: sign-in logs as a table, one sign-in in full, the composite that
//! explains why a sign-in failed and what to change, beta's non-interactive, app and managed
//! identity sign-ins, and sign-in counts per app.

mod aadsts;
mod lookup;

crate::toolset! {
    list_sign_ins,
    get_sign_in,
    explain_sign_in_failure,
    list_sign_ins_extended,
    get_sign_in_summary,
    confirm_sign_in,
}
