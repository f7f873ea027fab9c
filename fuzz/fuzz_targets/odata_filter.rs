//! Fuzzes the `$filter` parser, printer and evaluator with arbitrary text: parsing never
//! panics; whatever parses prints (the printer never refuses a parsed tree), the printed text
//! parses back to the same tree, and that tree evaluates the same on a fixed sign-in record.

#![no_main]

use std::sync::LazyLock;

use entra_mcp::odata::{Expr, Literal, evaluate, parse_filter};
use libfuzzer_sys::fuzz_target;
use serde_json::{Value, json};

/// The parser's own limit; a printed filter can outgrow it (quotes double), and is then not
/// parsed again.
const MAX_LEN: usize = 4096;

/// A sign-in shaped like Graph's, with nested objects, arrays, nulls, dates and GUIDs.
static RECORD: LazyLock<Value> = LazyLock::new(|| {
    json!({
        "id": "66ea54eb-6301-4ee5-be62-ff5a759b8100",
        "userPrincipalName": "Adele.Vance@contoso.com",
        "displayName": "Adele O'Vance",
        "createdDateTime": "2026-11-20T08:30:00Z",
        "status": { "errorCode": 50126, "failureReason": "Invalid password" },
        "location": { "city": "Redmond", "countryOrRegion": "US" },
        "riskLevelDuringSignIn": null,
        "accountEnabled": true,
        "score": 2.5,
        "appliedConditionalAccessPolicies": [
            { "id": "0a0b0c0d-0000-4000-8000-000000000001", "result": "success", "enforcedGrantControls": ["Mfa"] },
            { "id": "0a0b0c0d-0000-4000-8000-000000000002", "result": "notApplied", "enforcedGrantControls": [] }
        ],
        "signInEventTypes": ["interactiveUser"],
        "assignedLicenses": []
    })
});

fn has_nan(expr: &Expr) -> bool {
    let nan = |l: &Literal| matches!(l, Literal::Float(x) if x.is_nan());
    match expr {
        Expr::Compare { value, .. } => nan(value),
        Expr::In { values, .. } => values.iter().any(nan),
        Expr::StartsWith { .. } | Expr::EndsWith { .. } | Expr::Contains { .. } | Expr::Any { body: None, .. } => false,
        Expr::And(a, b) | Expr::Or(a, b) => has_nan(a) || has_nan(b),
        Expr::Not(inner) => has_nan(inner),
        Expr::Any { body: Some(body), .. } | Expr::All { body, .. } => has_nan(body),
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(expr) = parse_filter(text) else { return };
    // `to_string` panics if the printer refuses: a parsed tree must always print.
    let printed = expr.to_string();
    let _ = expr.property_paths();
    let _ = expr.needs_advanced_query();
    let matched = evaluate(&expr, &RECORD);
    if printed.chars().count() > MAX_LEN {
        return;
    }
    let again = parse_filter(&printed).unwrap_or_else(|e| panic!("printed filter does not parse: {e}\n{printed}"));
    // NaN is not equal to itself, so such trees are compared by their text.
    if !has_nan(&expr) {
        assert_eq!(again, expr, "round trip changed the tree: {printed}");
    }
    assert_eq!(again.to_string(), printed, "printing is not a fixed point");
    assert_eq!(evaluate(&again, &RECORD), matched, "the reparsed filter evaluates differently: {printed}");
});
