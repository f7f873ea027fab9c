//! Tests of the generated tenant: determinism, Karita's story, nesting and scale.

use super::*;

fn pinned() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-20T12:00:00Z").expect("valid time").to_utc()
}

fn str_of<'a>(v: &'a Value, pointer: &str) -> &'a str {
    v.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}

/// Hours before the anchor of a timestamp in the tenant.
fn hours_ago(tenant: &Tenant, stamp: &str) -> f64 {
    let t = DateTime::parse_from_rfc3339(stamp).expect("RFC 3339").to_utc();
    (tenant.anchor - t).num_seconds() as f64 / 3600.0
}

fn ids_of(c: &Collection) -> Vec<String> {
    c.items().iter().map(|v| str_of(v, "/id").to_string()).collect()
}

fn rendered(log: &RecordLog) -> Vec<Value> {
    log.iter().map(|item| item.json().into_owned()).collect()
}

fn sign_ins(t: &Tenant) -> Vec<Value> {
    rendered(&t.sign_ins)
}

#[test]
fn same_seed_same_tenant_and_story_ids_never_move() {
    let a = generate_at(pinned(), 400, 7);
    let b = generate_at(pinned(), 400, 7);
    assert_eq!(ids_of(&a.users), ids_of(&b.users));
    assert_eq!(sign_ins(&a), sign_ins(&b));
    assert_eq!(rendered(&a.directory_audits), rendered(&b.directory_audits));

    let other_seed = generate_at(pinned(), 400, 8);
    assert_ne!(sign_ins(&a), sign_ins(&other_seed));
    assert!(other_seed.user(&story::karita_id()).is_some());
    assert_eq!(story::karita_id(), ids::user_id("karita@woodgrovebank.com"), "Karita's id derives from her UPN");
    assert!(a.sign_ins.get(&story::karita_tor_sign_in_id()).is_some());
}

#[test]
fn karita_is_findable_by_upn_and_has_her_manager_and_devices() {
    let t = generate_at(pinned(), 0, 1);
    let karita = t.user("Karita@WoodgroveBank.com").expect("Karita");
    assert_eq!(str_of(karita, "/displayName"), "Karita Ahlberg");
    assert_eq!(str_of(karita, "/department"), "Finance");
    let manager = t.managers.get(&story::karita_id()).expect("manager");
    assert_eq!(str_of(t.user(manager).expect("Daniel"), "/displayName"), "Daniel Moreau");
    let devices: Vec<&Value> = t.owned_devices[&story::karita_id()].iter().filter_map(|id| t.devices.get(id)).collect();
    assert_eq!(devices.len(), 2);
    let laptop = devices.iter().find(|d| str_of(d, "/operatingSystem") == "Windows").expect("laptop");
    assert_eq!(laptop["isCompliant"], true);
    assert_eq!(laptop["trustType"], "AzureAd");
    let phone = devices.iter().find(|d| str_of(d, "/operatingSystem") == "iOS").expect("iPhone");
    assert_eq!(phone["isManaged"], false);
    assert_eq!(phone["trustType"], "Workplace");
    let methods: Vec<&str> =
        t.authentication_methods[&story::karita_id()].iter().map(|m| str_of(m, "/@odata.type")).collect();
    assert_eq!(
        methods,
        [
            "#microsoft.graph.passwordAuthenticationMethod",
            "#microsoft.graph.microsoftAuthenticatorAuthenticationMethod",
            "#microsoft.graph.phoneAuthenticationMethod",
        ]
    );
    let elena = t.authentication_methods[&story::user_id("elena")].len();
    assert_eq!(elena, 1, "Elena has a password only");
}

#[test]
fn karita_sign_in_timeline_matches_the_story() {
    let t = generate_at(pinned(), 0, 3);
    let karita = story::karita_id();
    let all = sign_ins(&t);
    let mut recent: Vec<&Value> = all
        .iter()
        .filter(|s| str_of(s, "/userId") == karita && hours_ago(&t, str_of(s, "/createdDateTime")) <= 48.0)
        .collect();
    recent.reverse();
    let timeline: Vec<(i64, i64)> = recent
        .iter()
        .map(|s| {
            (
                hours_ago(&t, str_of(s, "/createdDateTime")).round() as i64,
                s.pointer("/status/errorCode").and_then(Value::as_i64).unwrap_or(-1),
            )
        })
        .collect();
    assert_eq!(
        timeline,
        [
            (46, 0),
            (30, 50126),
            (30, 50126),
            (30, 50126),
            (30, 50126),
            (20, 53003),
            (12, 50074),
            (12, 500121),
            (2, 53000),
            (1, 0)
        ]
    );
    let policy_result = |s: &Value, code: &str| -> String {
        let id = story::ca_policy_id(code);
        s["appliedConditionalAccessPolicies"]
            .as_array()
            .and_then(|a| a.iter().find(|p| p["id"] == id.as_str()))
            .map(|p| str_of(p, "/result").to_string())
            .unwrap_or_default()
    };
    for imap in &recent[1..5] {
        assert_eq!(imap["clientAppUsed"], "IMAP4");
        assert_eq!(policy_result(imap, "CA002"), "reportOnlyFailure");
        assert_eq!(imap["riskState"], "atRisk");
    }
    let tor = recent[5];
    assert_eq!(str_of(tor, "/id"), story::karita_tor_sign_in_id());
    assert_eq!(policy_result(tor, "CA004"), "failure");
    assert_eq!(tor["conditionalAccessStatus"], "failure");
    assert_eq!(tor["riskLevelDuringSignIn"], "high");
    assert_eq!(recent[6]["correlationId"], recent[7]["correlationId"]);
    assert_eq!(recent[6]["riskLevelDuringSignIn"], "medium");
    let iphone = recent[8];
    assert_eq!(policy_result(iphone, "CA005"), "failure");
    assert_eq!(iphone["deviceDetail"]["isCompliant"], false);
    assert_eq!(iphone["deviceDetail"]["displayName"], "Karita's iPhone");
    assert_eq!(policy_result(recent[9], "CA005"), "success");
    assert_eq!(policy_result(recent[9], "CA010"), "notEnabled");
    assert_eq!(recent[0]["riskLevelDuringSignIn"], "none");
}

#[test]
fn karita_risk_and_detections_match_the_story() {
    let t = generate_at(pinned(), 0, 1);
    let karita = story::karita_id();
    let risky = t.risky_users.get(&karita).expect("Karita is risky");
    assert_eq!(risky["riskLevel"], "high");
    assert_eq!(risky["riskState"], "atRisk");
    let levels: Vec<&str> = t.risky_user_history[&karita].iter().map(|h| str_of(h, "/riskLevel")).collect();
    assert_eq!(levels, ["none", "medium", "high"]);

    let mine: Vec<&Value> = t.risk_detections.items().iter().filter(|d| str_of(d, "/userId") == karita).collect();
    assert_eq!(mine.len(), 4);
    assert!(mine.iter().all(|d| hours_ago(&t, str_of(d, "/detectedDateTime")) <= 48.0));
    let mut types: Vec<&str> = mine.iter().map(|d| str_of(d, "/riskEventType")).collect();
    types.sort_unstable();
    assert_eq!(types, ["anonymizedIPAddress", "passwordSpray", "unfamiliarFeatures", "unlikelyTravel"]);
    let spray_ip = mine
        .iter()
        .find(|d| d["riskEventType"] == "passwordSpray")
        .map(|d| str_of(d, "/ipAddress"))
        .unwrap_or_default();
    let colleagues: HashSet<&str> = t
        .risk_detections
        .items()
        .iter()
        .filter(|d| {
            d["riskEventType"] == "passwordSpray" && d["ipAddress"] == spray_ip && d["userId"] != karita.as_str()
        })
        .map(|d| str_of(d, "/userId"))
        .collect();
    assert_eq!(colleagues.len(), 8);
    let travel = mine.iter().find(|d| d["riskEventType"] == "unlikelyTravel").expect("travel");
    assert!(str_of(travel, "/additionalInfo").contains("Seattle"));
    assert_eq!(travel["location"]["city"], "Amsterdam");
    // Each detection points at a sign-in that exists.
    for d in &mine {
        assert!(t.sign_ins.get(str_of(d, "/requestId")).is_some(), "{d}");
        let sign_in = t.sign_ins.get(str_of(d, "/requestId")).map(|s| s.json().into_owned()).unwrap_or_default();
        assert_eq!(sign_in["correlationId"], d["correlationId"]);
    }
}

#[test]
fn nesting_puts_karita_in_finance_app_users() {
    let t = generate_at(pinned(), 0, 1);
    let karita = story::karita_id();
    let direct = &t.member_of[&karita];
    assert!(direct.contains(&story::finance_department_id()));
    assert!(!direct.contains(&story::finance_app_users_id()));
    let transitive = t.transitive_member_of(&karita);
    assert!(transitive.contains(&story::finance_app_users_id()));
    let members = t.transitive_members(&story::finance_app_users_id());
    assert!(members.iter().any(|m| m.id == karita));
    assert!(members.iter().any(|m| m.kind == ObjectKind::Group));
    let exclusions = &t.group_members[&story::group_id("CA Exclusions")];
    assert_eq!(exclusions.len(), 40);
    let ownerless = t.group_owners.values().filter(|o| o.is_empty()).count();
    assert_eq!(ownerless, 3);
}

#[test]
fn conditional_access_matches_the_table() {
    let t = generate_at(pinned(), 0, 1);
    let states: Vec<&str> = t.conditional_access_policies.items().iter().map(|p| str_of(p, "/state")).collect();
    assert_eq!(states.len(), 18);
    assert_eq!(states[1], "enabledForReportingButNotEnforced");
    assert_eq!(states[9], "disabled");
    assert_eq!(states[17], "disabled");
    assert_eq!(states.iter().filter(|s| **s == "enabledForReportingButNotEnforced").count(), 4);
    // Every policy but CA006 excludes both break-glass accounts.
    for policy in t.conditional_access_policies.items() {
        let excluded = policy["conditions"]["users"]["excludeUsers"].as_array().map_or(0, Vec::len);
        let expected = if policy["id"] == story::ca_policy_id("CA006").as_str() { 0 } else { 2 };
        assert_eq!(excluded, expected, "{}", policy["displayName"]);
    }
    // Nothing blocks the device code flow.
    assert!(t.conditional_access_policies.items().iter().all(|p| p["conditions"]["authenticationFlows"].is_null()));
    let ca006 = t.conditional_access_policies.get(&story::ca_policy_id("CA006")).expect("CA006");
    assert_eq!(ca006["conditions"]["users"]["excludeUsers"], serde_json::json!([]));
    let ca001 = t.conditional_access_policies.get(&story::ca_policy_id("CA001")).expect("CA001");
    assert_eq!(ca001["conditions"]["users"]["excludeUsers"].as_array().map(Vec::len), Some(2));
}

#[test]
fn scale_ten_thousand_gives_ten_thousand_users() {
    let t = generate_at(pinned(), 10_000, 1);
    assert_eq!(t.users.len(), 10_000);
    assert!(t.sign_ins.len() > 90_000);
    assert!(t.directory_audits.len() > 20_000);
    assert!(t.user(&story::karita_id()).is_some());
    // Generated people report to the story's department heads.
    // Generated people come after the story cast.
    let generated = t.users.items().last().expect("a generated user");
    assert!(t.managers.contains_key(str_of(generated, "/id")));
}

#[test]
fn story_audits_are_in_the_log() {
    let t = generate_at(pinned(), 0, 1);
    let audits = rendered(&t.directory_audits);
    let find = |activity: &str| audits.iter().find(|a| a["activityDisplayName"] == activity);
    let ca003 = find("Update conditional access policy").expect("CA003 edit");
    assert_eq!(ca003["targetResources"][0]["id"], story::ca_policy_id("CA003").as_str());
    assert_eq!(ca003["loggedByService"], "Conditional Access");
    assert!((hours_ago(&t, str_of(ca003, "/activityDateTime")) - 48.0).abs() < 0.01);
    assert_eq!(ca003["initiatedBy"]["user"]["displayName"], "Marcus Lee");
    let consent = find("Consent to application").expect("consent");
    assert_eq!(consent["targetResources"][0]["displayName"], "Fabrikam Expense Sync");
    assert!(find("Add member to role completed (PIM activation)").is_some());
    assert!(find("Delete group").is_some());
    assert!(audits.iter().filter(|a| a["result"] == "failure").count() >= 3);
    // Newest first.
    let times: Vec<&str> = audits.iter().map(|a| str_of(a, "/activityDateTime")).collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]));
}

/// The report-only policies leave evidence in the sign-in log, and a sign-in lists only the
/// policies that existed when it happened.
#[test]
fn report_only_results_are_in_the_sign_in_log() {
    let t = generate_at(pinned(), 0, 1);
    let all = sign_ins(&t);
    let result_of = |s: &Value, code: &str| -> Option<String> {
        let id = story::ca_policy_id(code);
        s["appliedConditionalAccessPolicies"]
            .as_array()
            .and_then(|a| a.iter().find(|p| p["id"] == id.as_str()))
            .map(|p| str_of(p, "/result").to_string())
    };
    let users_with = |code: &str, result: &str, days: f64| -> HashSet<String> {
        all.iter()
            .filter(|s| hours_ago(&t, str_of(s, "/createdDateTime")) <= days * 24.0)
            .filter(|s| result_of(s, code).as_deref() == Some(result))
            .map(|s| str_of(s, "/userId").to_string())
            .collect()
    };
    // CA002 would have blocked the spray's IMAP attempts and the branches' ActiveSync phones,
    // which CA011 (enforced) leaves alone because they go to Exchange Online.
    let legacy = users_with("CA002", "reportOnlyFailure", 14.0);
    assert!(legacy.len() >= 9, "{}", legacy.len());
    assert!(legacy.contains(&story::user_id("julia.costa")) || legacy.contains(&story::user_id("peter.jansen")));
    let eas = all.iter().find(|s| s["clientAppUsed"] == "Exchange ActiveSync").expect("an ActiveSync sign-in");
    assert_eq!(result_of(eas, "CA011").as_deref(), Some("notApplied"));
    // CA013 would have asked guests for MFA; it exists for three weeks only.
    assert!(users_with("CA013", "reportOnlyInterrupted", 14.0).len() >= 5);
    let old_guest = all
        .iter()
        .find(|s| s["userType"] == "guest" && hours_ago(&t, str_of(s, "/createdDateTime")) > 22.0 * 24.0)
        .expect("an older guest sign-in");
    assert_eq!(result_of(old_guest, "CA013"), None);
    // CA009 reports its one-hour frequency for Finance on the Finance apps.
    assert!(!users_with("CA009", "reportOnlySuccess", 6.0).is_empty());
    // Ivan's sign-in from Moscow: CA006 blocked it, CA014's MFA never came into play.
    let moscow = t.sign_ins.get(&ids::object_id("signIn", "story/moscow")).expect("Moscow").json().into_owned();
    assert_eq!(result_of(&moscow, "CA006").as_deref(), Some("failure"));
    assert_eq!(result_of(&moscow, "CA017").as_deref(), Some("notApplied"));
}
