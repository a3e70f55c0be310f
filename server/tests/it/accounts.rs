//! Accounts a vendor can trust, against the real server: one answer (and the same time) for an
//! unknown e-mail and a wrong password, throttled guessing, sessions that end with a
//! controlled clock, tills and sessions revoked within a second, deactivated accounts,
//! password changes, TOTP with codes computed here, the vendor's two-factor rule and the
//! security log.

use std::io::{BufRead, BufReader};
use std::net::{IpAddr, Ipv4Addr};
use std::time::{Duration, Instant};

use reqwest::blocking::Client;
use reqwest::StatusCode;
use serde_json::{json, Value};
use stationdesk_e2e::clock::FakeClock;
use totp_rs::{Builder, Secret};

use crate::common::{cli, filed, TestServer, PASSWORD};

/// A client whose requests come from `127.0.0.n` (all loopback on Linux): the server throttles
/// per address, so tests that fail on purpose do not slow each other down.
fn from_address(n: u8) -> Client {
    Client::builder()
        .local_address(IpAddr::V4(Ipv4Addr::new(127, 0, 0, n)))
        .build()
        .unwrap()
}

fn sign_in(
    server: &TestServer,
    client: &Client,
    email: &str,
    password: &str,
    code: Option<&str>,
) -> (StatusCode, Option<String>, Value) {
    let response = client
        .post(format!("{}/v1/login", server.base))
        .json(&json!({"email": email, "password": password, "two_factor_code": code}))
        .send()
        .unwrap();
    let retry_after = response
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_owned());
    (response.status(), retry_after, response.json().unwrap())
}

fn token_of(answer: &(StatusCode, Option<String>, Value)) -> String {
    assert_eq!(answer.0, StatusCode::OK, "{}", answer.2);
    answer.2["token"].as_str().unwrap().to_owned()
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

#[test]
fn an_unknown_address_costs_the_same_time_as_a_wrong_password() {
    const TRIES: usize = 50;
    let server = TestServer::start();
    let shop = server.shop("Laden");
    // Ten accounts with five wrong passwords each: none reaches its back-off.
    let known: Vec<String> = (0..10)
        .map(|n| {
            let email = format!("admin{n}@laden.de");
            server.account(&email, "shop_admin", Some(&shop));
            email
        })
        .collect();
    let time = |email: &str, client: &Client| {
        let started = Instant::now();
        let (status, _, body) = sign_in(&server, client, email, "falsch-falsch-falsch", None);
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
        assert_eq!(body["code"], "wrong_credentials");
        started.elapsed()
    };
    // From addresses of their own, connected already, taking turns at going first, so
    // neither connecting nor load on the machine falls on one side only.
    let clients: Vec<Client> = (10..20).map(from_address).collect();
    for (n, client) in clients.iter().enumerate() {
        time(&format!("warm-up{n}@laden.de"), client);
    }
    let (mut unknown, mut wrong) = (Vec::new(), Vec::new());
    for n in 0..TRIES {
        let client = &clients[n % clients.len()];
        let mut unknown_try = || unknown.push(time(&format!("nobody{n}@laden.de"), client));
        if n % 2 == 0 {
            unknown_try();
            wrong.push(time(&known[n % known.len()], client));
        } else {
            wrong.push(time(&known[n % known.len()], client));
            unknown_try();
        }
    }
    // Each pair ran back to back, under the same load from the tests beside this one (and
    // their databases): the median of the pairs' ratios is what the two paths cost apart.
    let mut ratios: Vec<f64> = unknown
        .iter()
        .zip(&wrong)
        .map(|(unknown, wrong)| unknown.as_secs_f64() / wrong.as_secs_f64())
        .collect();
    ratios.sort_by(f64::total_cmp);
    let ratio = ratios[ratios.len() / 2];
    let (unknown, wrong) = (median(unknown), median(wrong));
    println!(
        "sign-in p50 over {TRIES} tries: unknown e-mail {unknown:?}, known e-mail with a wrong password {wrong:?}, median ratio of the pairs {ratio:.2}"
    );
    assert!(
        (0.8..=1.2).contains(&ratio),
        "an unknown address answers in {unknown:?}, a wrong password in {wrong:?} (p50); the pairs' median ratio is {ratio:.2}"
    );
}

#[test]
fn the_sixth_wrong_password_waits_and_the_right_one_works_after_the_back_off() {
    let server = TestServer::start();
    let shop = server.shop("Laden");
    server.account("chefin@laden.de", "shop_admin", Some(&shop));
    server.account("vertretung@laden.de", "shop_admin", Some(&shop));
    let client = from_address(20);
    for _ in 0..5 {
        let (status, _, _) = sign_in(&server, &client, "chefin@laden.de", "geraten-123", None);
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let (status, retry_after, body) = sign_in(&server, &client, "chefin@laden.de", PASSWORD, None);
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert_eq!(body["code"], "too_many_attempts");
    let wait: u64 = retry_after.expect("Retry-After").parse().unwrap();
    assert!((1..=60).contains(&wait), "Retry-After: {wait}");
    // Another account, from the same address, is not held up.
    token_of(&sign_in(
        &server,
        &client,
        "vertretung@laden.de",
        PASSWORD,
        None,
    ));
    std::thread::sleep(Duration::from_secs(wait));
    token_of(&sign_in(
        &server,
        &client,
        "chefin@laden.de",
        PASSWORD,
        None,
    ));
    // The right password ended the back-off: the next mistake is one of five free ones again.
    let (status, _, _) = sign_in(&server, &client, "chefin@laden.de", "geraten-123", None);
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[test]
fn a_staff_session_ends_after_its_idle_time_and_after_its_lifetime() {
    let clock = FakeClock::at("@2026-12-07 08:00:00");
    let server = TestServer::start_on(&[], Some(&clock));
    let shop = server.shop("Laden");
    server.account("chefin@laden.de", "shop_admin", Some(&shop));
    let me = |token: &str| server.get("/v1/me", Some(token));

    let idle = token_of(&sign_in(
        &server,
        &server.http,
        "chefin@laden.de",
        PASSWORD,
        None,
    ));
    clock.set("@2026-12-07 19:30:00");
    assert_eq!(me(&idle).0, StatusCode::OK, "11½ hours after the last use");
    clock.set("@2026-12-08 07:00:00");
    assert_eq!(me(&idle).0, StatusCode::OK, "again 11½ hours later");
    clock.set("@2026-12-08 19:01:00");
    let (status, ended) = me(&idle);
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(ended["code"], "session_ended");
    assert!(ended["message"]
        .as_str()
        .unwrap()
        .contains("12 hours without use"));
    assert_eq!(me(&idle).0, StatusCode::UNAUTHORIZED, "ended for good");

    // Busy every eight hours, and still over a week after signing in.
    clock.set("@2026-12-09 08:00:00");
    let busy = token_of(&sign_in(
        &server,
        &server.http,
        "chefin@laden.de",
        PASSWORD,
        None,
    ));
    let signed_in = chrono::NaiveDate::from_ymd_opt(2026, 12, 9)
        .unwrap()
        .and_hms_opt(8, 0, 0)
        .unwrap();
    for shift in 1..21 {
        let at = signed_in + chrono::Duration::hours(8 * shift);
        clock.set(&at.format("@%Y-%m-%d %H:%M:%S").to_string());
        assert_eq!(me(&busy).0, StatusCode::OK, "at {at}");
    }
    clock.set("@2026-12-16 08:00:01");
    assert_eq!(
        me(&busy).0,
        StatusCode::UNAUTHORIZED,
        "seven days after sign-in"
    );
    let log = server.operator(&["security-log"], "");
    assert_eq!(
        log.as_array()
            .unwrap()
            .iter()
            .filter(|e| e["kind"] == "session_expired")
            .count(),
        2
    );
}

#[test]
fn a_revoked_till_is_refused_and_its_event_stream_ends_within_a_second() {
    let server = TestServer::start();
    let shop = server.shop("Laden");
    let (till, station) = server.till(&shop, "Kasse 1");
    let (_, other_station) = server.till(&server.shop("Nachbar"), "Kasse 1");
    let admin = server.staff("chefin@laden.de", "shop_admin", Some(&shop));
    server.push(&till, &[filed(uuid::Uuid::now_v7(), Some(station))]);

    let (status, tills) = server.get("/v1/tills", Some(&admin));
    assert_eq!(status, StatusCode::OK);
    let tills = tills.as_array().unwrap();
    assert_eq!(tills.len(), 1, "only the shop's own till: {tills:?}");
    assert_eq!(tills[0]["name"], "Kasse 1");
    assert!(tills[0]["last_seen_at"].is_string());
    assert!(tills[0]["revoked_at"].is_null());
    // Another shop's till is out of reach.
    let (status, _) = server.post(
        &format!("/v1/tills/{other_station}/revoke"),
        Some(&admin),
        &json!({}),
    );
    assert_eq!(status, StatusCode::NOT_FOUND);

    let stream = server
        .http
        .get(format!("{}/v1/events?after=1", server.base))
        .bearer_auth(&till)
        .send()
        .unwrap();
    assert!(stream.status().is_success());
    let (ended, stream_ended) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for _ in BufReader::new(stream).lines().map_while(Result::ok) {}
        let _ = ended.send(Instant::now());
    });
    let revoked_at = Instant::now();
    let (status, revoked) = server.post(
        &format!("/v1/tills/{station}/revoke"),
        Some(&admin),
        &json!({}),
    );
    assert_eq!(status, StatusCode::OK, "{revoked}");
    assert!(revoked["revoked_at"].is_string());
    let ended_at = stream_ended
        .recv_timeout(Duration::from_secs(5))
        .expect("the till's event stream ended");
    assert!(
        ended_at - revoked_at < Duration::from_millis(1500),
        "the stream ended {:?} after the revocation",
        ended_at - revoked_at
    );
    let (status, refused) = server.get("/v1/sync/pull?after=0", Some(&till));
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(refused["code"], "till_disconnected");
    assert!(refused["message"]
        .as_str()
        .unwrap()
        .contains("enrol it again"));
    // The station may be enrolled again with a new code, as the message says.
    let (status, again) = server.post(
        "/v1/enrol",
        None,
        &json!({"code": server.code(&shop), "station_name": "Kasse 1", "station_id": station}),
    );
    assert_eq!(status, StatusCode::OK, "{again}");
}

#[test]
fn sessions_are_listed_and_ended_by_admins_within_their_reach() {
    let server = TestServer::start();
    let shop = server.shop("Laden");
    let other = server.shop("Nachbar");
    let admin = server.staff("chefin@laden.de", "shop_admin", Some(&shop));
    let colleague = server.staff("vertretung@laden.de", "shop_admin", Some(&shop));
    let neighbour = server.staff("chef@nachbar.de", "shop_admin", Some(&other));
    let vendor = server.staff("admin@vendor.de", "vendor_admin", None);

    let (status, sessions) = server.get("/v1/sessions", Some(&admin));
    assert_eq!(status, StatusCode::OK);
    let emails: Vec<&str> = sessions
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["email"].as_str().unwrap())
        .collect();
    assert_eq!(emails.len(), 2, "{emails:?}");
    assert!(!emails.contains(&"chef@nachbar.de"));
    let current: Vec<&Value> = sessions
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["current"] == true)
        .collect();
    assert_eq!(current.len(), 1);
    assert_eq!(current[0]["email"], "chefin@laden.de");
    assert!(sessions.to_string().find(&colleague).is_none(), "no tokens");

    let (_, everyone) = server.get("/v1/sessions", Some(&vendor));
    let neighbours = everyone
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["email"] == "chef@nachbar.de")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, _) = server.post(
        &format!("/v1/sessions/{neighbours}/revoke"),
        Some(&admin),
        &json!({}),
    );
    assert_eq!(status, StatusCode::NOT_FOUND, "another shop's session");
    let (status, ended) = server.post(
        &format!("/v1/sessions/{neighbours}/revoke"),
        Some(&vendor),
        &json!({}),
    );
    assert_eq!((status, ended["ended"].as_u64()), (StatusCode::OK, Some(1)));
    let (status, refused) = server.get("/v1/me", Some(&neighbour));
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        refused["message"],
        "an admin ended this session; sign in again"
    );
}

#[test]
fn a_deactivated_account_is_refused_at_once_and_can_be_reactivated() {
    let server = TestServer::start();
    let shop = server.shop("Laden");
    let admin = server.staff("chefin@laden.de", "shop_admin", Some(&shop));
    let leaver = server.staff("aushilfe@laden.de", "shop_admin", Some(&shop));
    let vendor_staff = server.staff("ben@vendor.de", "support_staff", None);
    let leaver_id = server
        .get("/v1/staff", Some(&admin))
        .1
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["email"] == "aushilfe@laden.de")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let ben_id = server
        .get("/v1/staff", Some(&vendor_staff))
        .1
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["email"] == "ben@vendor.de")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // A shop admin manages the admins of their own shop only.
    let (status, _) = server.post(
        &format!("/v1/staff/{ben_id}/deactivate"),
        Some(&admin),
        &json!({}),
    );
    assert_eq!(status, StatusCode::FORBIDDEN);

    let (status, ended) = server.post(
        &format!("/v1/staff/{leaver_id}/deactivate"),
        Some(&admin),
        &json!({}),
    );
    assert_eq!((status, ended["ended"].as_u64()), (StatusCode::OK, Some(1)));
    assert_eq!(
        server.get("/v1/me", Some(&leaver)).0,
        StatusCode::UNAUTHORIZED
    );
    let (status, _, body) = sign_in(&server, &server.http, "aushilfe@laden.de", PASSWORD, None);
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(body["message"].as_str().unwrap().contains("deactivated"));
    let (_, staff) = server.get("/v1/staff", Some(&admin));
    assert!(staff
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["email"] == "aushilfe@laden.de" && s["active"] == false));

    let (status, _) = server.post(
        &format!("/v1/staff/{leaver_id}/reactivate"),
        Some(&admin),
        &json!({}),
    );
    assert_eq!(status, StatusCode::OK);
    token_of(&sign_in(
        &server,
        &server.http,
        "aushilfe@laden.de",
        PASSWORD,
        None,
    ));
}

#[test]
fn a_password_change_ends_the_other_sessions_and_needs_the_old_password() {
    let server = TestServer::start();
    let shop = server.shop("Laden");
    let here = server.staff("chefin@laden.de", "shop_admin", Some(&shop));
    let there = token_of(&sign_in(
        &server,
        &server.http,
        "chefin@laden.de",
        PASSWORD,
        None,
    ));
    let (status, _) = server.post(
        "/v1/me/password",
        Some(&here),
        &json!({"old_password": "nicht-das-alte", "new_password": "ganz-neu-und-lang"}),
    );
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, short) = server.post(
        "/v1/me/password",
        Some(&here),
        &json!({"old_password": PASSWORD, "new_password": "kurz"}),
    );
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(short["message"].as_str().unwrap().contains("10 characters"));

    let (status, ended) = server.post(
        "/v1/me/password",
        Some(&here),
        &json!({"old_password": PASSWORD, "new_password": "ganz-neu-und-lang"}),
    );
    assert_eq!((status, ended["ended"].as_u64()), (StatusCode::OK, Some(1)));
    assert_eq!(server.get("/v1/me", Some(&here)).0, StatusCode::OK);
    let (status, refused) = server.get("/v1/me", Some(&there));
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(refused["message"]
        .as_str()
        .unwrap()
        .contains("password was changed"));
    assert_eq!(
        sign_in(&server, &server.http, "chefin@laden.de", PASSWORD, None).0,
        StatusCode::UNAUTHORIZED
    );
    token_of(&sign_in(
        &server,
        &server.http,
        "chefin@laden.de",
        "ganz-neu-und-lang",
        None,
    ));
}

/// The authenticator's code for `secret` (base32) at `offset` seconds from now.
fn code(secret: &str, offset: i64) -> String {
    let totp = Builder::new()
        .with_secret(Secret::try_from_base32(secret).unwrap())
        .build()
        .unwrap();
    let now = chrono::Utc::now().timestamp() + offset;
    totp.generate(u64::try_from(now).unwrap()).to_string()
}

#[test]
fn two_factors_with_codes_from_the_shared_secret_each_once_and_recovery_codes_once() {
    let server = TestServer::start();
    let support = server.staff("ben@vendor.de", "support_staff", None);
    let (status, setup) = server.post("/v1/me/two-factor", Some(&support), &json!({}));
    assert_eq!(status, StatusCode::OK, "{setup}");
    let secret = setup["secret"].as_str().unwrap().to_owned();
    assert!(setup["otpauth_url"]
        .as_str()
        .unwrap()
        .starts_with("otpauth://totp/stationdesk:ben%40vendor.de?secret="));
    let (status, _) = server.post(
        "/v1/me/two-factor/confirm",
        Some(&support),
        &json!({"code": "000000"}),
    );
    assert_eq!(status, StatusCode::BAD_REQUEST, "a wrong first code");
    // One code, kept: computed again, it would be the next step's once a step boundary passed.
    let first = code(&secret, 0);
    let (status, recovery) = server.post(
        "/v1/me/two-factor/confirm",
        Some(&support),
        &json!({"code": first}),
    );
    assert_eq!(status, StatusCode::OK, "{recovery}");
    let recovery: Vec<String> = recovery["codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(recovery.len(), 10);
    assert_eq!(server.get("/v1/me", Some(&support)).0, StatusCode::OK);

    let client = from_address(30);
    let (status, _, body) = sign_in(&server, &client, "ben@vendor.de", PASSWORD, None);
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("two_factor_required"))
    );
    // The confirmation used this step's code; the next step's (one step of skew) is new.
    let (status, _, body) = sign_in(&server, &client, "ben@vendor.de", PASSWORD, Some(&first));
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("two_factor_wrong"))
    );
    let next = code(&secret, 30);
    token_of(&sign_in(
        &server,
        &client,
        "ben@vendor.de",
        PASSWORD,
        Some(&next),
    ));
    let (status, _, _) = sign_in(&server, &client, "ben@vendor.de", PASSWORD, Some(&next));
    assert_eq!(status, StatusCode::UNAUTHORIZED, "a code signs in once");
    let typed_loosely = recovery[3].to_uppercase().replace('-', " ");
    token_of(&sign_in(
        &server,
        &client,
        "ben@vendor.de",
        PASSWORD,
        Some(&typed_loosely),
    ));
    let (status, _, _) = sign_in(
        &server,
        &client,
        "ben@vendor.de",
        PASSWORD,
        Some(&recovery[3]),
    );
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "a recovery code works once"
    );
    let (status, _, _) = sign_in(
        &server,
        &client,
        "ben@vendor.de",
        "falsch-falsch-1",
        Some(&recovery[4]),
    );
    assert_eq!(status, StatusCode::UNAUTHORIZED, "a code is no password");

    let log = server.operator(&["security-log"], "").to_string();
    for secret_thing in [PASSWORD, &secret, &recovery[4], &next] {
        assert!(
            !log.contains(secret_thing),
            "{secret_thing} in the security log"
        );
    }
    for kind in [
        "two_factor_on",
        "recovery_code_used",
        "sign_in_failed",
        "sign_in",
    ] {
        assert!(
            log.contains(&format!("\"kind\":\"{kind}\"")),
            "{kind} in {log}"
        );
    }
}

#[test]
fn the_vendor_requires_two_factors_of_its_staff_who_then_set_them_up_first() {
    let server = TestServer::start();
    let vendor = server.staff("admin@vendor.de", "vendor_admin", None);
    let shop = server.shop("Laden");
    server.account("ben@vendor.de", "support_staff", None);
    server.account("chefin@laden.de", "shop_admin", Some(&shop));
    let (status, policy) = server.put_json(
        "/v1/security-policy",
        &vendor,
        &json!({"two_factor_for_vendor_staff": true}),
    );
    assert_eq!(status, StatusCode::OK);
    assert_eq!(policy["two_factor_for_vendor_staff"], true);

    let signed_in = sign_in(&server, &server.http, "ben@vendor.de", PASSWORD, None);
    assert_eq!(signed_in.2["two_factor_setup_required"], true);
    let ben = token_of(&signed_in);
    let (status, refused) = server.get("/v1/sync/pull?after=0", Some(&ben));
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(refused["message"].as_str().unwrap().contains("two-factor"));
    let (status, setup) = server.post("/v1/me/two-factor", Some(&ben), &json!({}));
    assert_eq!(status, StatusCode::OK);
    let secret = setup["secret"].as_str().unwrap().to_owned();
    let (status, _) = server.post(
        "/v1/me/two-factor/confirm",
        Some(&ben),
        &json!({"code": code(&secret, 0)}),
    );
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        server.get("/v1/me", Some(&ben)).0,
        StatusCode::UNAUTHORIZED,
        "the set-up session ends; the next sign-in is with a code"
    );
    let full = token_of(&sign_in(
        &server,
        &server.http,
        "ben@vendor.de",
        PASSWORD,
        Some(&code(&secret, 30)),
    ));
    assert_eq!(
        server.get("/v1/sync/pull?after=0", Some(&full)).0,
        StatusCode::OK
    );
    let (status, _) = server.post(
        "/v1/me/two-factor/off",
        Some(&full),
        &json!({"password": PASSWORD}),
    );
    assert_eq!(status, StatusCode::FORBIDDEN, "required, it stays on");
    // The rule is the vendor's staff's: a shop admin signs in as before.
    let shop_admin = sign_in(&server, &server.http, "chefin@laden.de", PASSWORD, None);
    assert_eq!(shop_admin.2["two_factor_setup_required"], false);

    let (status, log) = server.get("/v1/security-log?limit=5", Some(&vendor));
    assert_eq!(status, StatusCode::OK);
    assert_eq!(log.as_array().unwrap().len(), 5);
    assert_eq!(log[0]["kind"], "sign_in", "newest first");
    assert_eq!(
        server.get("/v1/security-log", Some(&full)).0,
        StatusCode::FORBIDDEN
    );
}

#[test]
fn the_cli_turns_two_factors_on_and_asks_for_the_code_at_login_on_standard_input() {
    use std::io::Write;
    let server = TestServer::start();
    server.account("ben@vendor.de", "support_staff", None);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("desk.sqlite");
    let login = |input: &str| {
        let mut child = cli(
            &db,
            &[
                "login",
                "--server",
                &server.base,
                "--email",
                "ben@vendor.de",
            ],
        );
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    };
    assert!(login(&format!("{PASSWORD}\n")).status.success());

    // The set-up prints the QR code and the secret, then waits for the first code.
    let mut on = cli(&db, &["account", "two-factor-on"]);
    let mut stderr = BufReader::new(on.stderr.take().unwrap());
    let mut prompt = String::new();
    while !prompt.contains("enter the code") {
        assert_ne!(stderr.read_line(&mut prompt).unwrap(), 0, "{prompt}");
    }
    assert!(
        prompt.contains('█') || prompt.contains('▀'),
        "a QR code: {prompt}"
    );
    let secret = prompt
        .split("type the secret ")
        .nth(1)
        .and_then(|rest| rest.split(';').next())
        .unwrap()
        .to_owned();
    writeln!(on.stdin.take().unwrap(), "{}", code(&secret, 0)).unwrap();
    let output = on.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let codes: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(codes["codes"].as_array().unwrap().len(), 10);

    // Without a code the login asks for one and fails on an empty line; with one it works.
    let without = login(&format!("{PASSWORD}\n"));
    assert!(!without.status.success());
    assert!(String::from_utf8_lossy(&without.stderr).contains("authenticator"));
    let with = login(&format!("{PASSWORD}\n{}\n", code(&secret, 30)));
    assert!(
        with.status.success(),
        "{}",
        String::from_utf8_lossy(&with.stderr)
    );
    let signed_in: Value = serde_json::from_slice(&with.stdout).unwrap();
    assert_eq!(signed_in["staff"]["email"], "ben@vendor.de");
}

#[test]
fn hostile_account_requests_are_refused_and_everyone_else_syncs_on() {
    let server = TestServer::start();
    let shop = server.shop("Laden");
    let (till, station) = server.till(&shop, "Kasse 1");
    let admin = server.staff("chefin@laden.de", "shop_admin", Some(&shop));
    let huge = "x".repeat(2 * 1024 * 1024);
    for (path, body) in [
        (
            "/v1/me/password",
            json!({"old_password": PASSWORD, "new_password": huge}),
        ),
        (
            "/v1/me/password",
            json!({"old_password": PASSWORD, "new_password": 42}),
        ),
        (
            "/v1/me/password",
            json!({"old_password": PASSWORD, "new_password": "ganz-neu-und-lang", "role": "vendor_admin"}),
        ),
        ("/v1/me/two-factor/confirm", json!({"code": ["123456"]})),
        ("/v1/sessions/../../v1/tills/revoke", json!({})),
        ("/v1/sessions/%00/revoke", json!({})),
        ("/v1/tills/not-a-uuid/revoke", json!({})),
    ] {
        let (status, answer) = server.post(path, Some(&admin), &body);
        assert!(
            status.is_client_error(),
            "{path} {body:.60}: {status} {answer}"
        );
        assert!(answer["message"].is_string(), "{answer}");
    }
    let (status, _) = server.put_json(
        "/v1/security-policy",
        &admin,
        &json!({"two_factor_for_vendor_staff": "yes"}),
    );
    assert!(status.is_client_error());
    let (status, _, answer) = sign_in(
        &server,
        &from_address(40),
        "chefin@laden.de",
        &huge,
        Some(&huge),
    );
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{answer}");
    // The admin's password is unchanged, and the till syncs as before.
    token_of(&sign_in(
        &server,
        &server.http,
        "chefin@laden.de",
        PASSWORD,
        None,
    ));
    server.push(&till, &[filed(uuid::Uuid::now_v7(), Some(station))]);
    assert_eq!(
        server.pull(&till, 0)["changes"].as_array().unwrap().len(),
        1
    );
}

/// A failed sign-in sent with `X-Forwarded-For: forwarded_for`: its status.
fn failed_sign_in_for(server: &TestServer, forwarded_for: &str, guess: usize) -> StatusCode {
    Client::new()
        .post(format!("{}/v1/login", server.base))
        .header("x-forwarded-for", forwarded_for)
        .json(&json!({"email": format!("guess-{guess}@laden.de"), "password": "falsch-falsch-1"}))
        .send()
        .unwrap()
        .status()
}

fn logged_addresses(server: &TestServer) -> Vec<String> {
    server
        .operator(&["security-log"], "")
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "sign_in_failed")
        .map(|e| e["address"].as_str().unwrap_or("-").to_owned())
        .collect()
}

#[test]
fn behind_a_trusted_proxy_the_client_it_names_is_logged_and_backed_off_alone() {
    let server = TestServer::start_with(&["--trusted-proxy", "127.0.0.1"]);
    // Twenty failures are free per address; soon after, the same client waits.
    let waited = (0..23).find(|&guess| {
        failed_sign_in_for(&server, "203.0.113.5", guess) == StatusCode::TOO_MANY_REQUESTS
    });
    assert!(matches!(waited, Some(20..=22)), "{waited:?}");
    // Another shop behind the same proxy is not held up by it.
    assert_eq!(
        failed_sign_in_for(&server, "203.0.113.6", 22),
        StatusCode::UNAUTHORIZED
    );
    let logged = logged_addresses(&server);
    assert!(logged.iter().any(|a| a == "203.0.113.6"), "{logged:?}");
    assert!(!logged.iter().any(|a| a == "127.0.0.1"), "{logged:?}");
}

#[test]
fn a_client_that_is_no_trusted_proxy_cannot_name_another_address() {
    let server = TestServer::start();
    assert_eq!(
        failed_sign_in_for(&server, "203.0.113.5", 0),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(logged_addresses(&server), ["127.0.0.1"]);
}
