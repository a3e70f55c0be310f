//! The OpenAPI document the running server serves describes what it really does: every
//! documented operation answers (with a status the document lists), every reference resolves,
//! and real answers carry the fields their schemas name. Unknown paths, wrong methods and a body
//! over the limit get the same JSON error body as everything else.

use std::collections::BTreeSet;

use crate::common::{filed, TestServer};
use reqwest::Method;
use serde_json::{json, Value};

fn document(server: &TestServer) -> Value {
    let (status, document) = server.get("/v1/openapi.json", None);
    assert!(status.is_success());
    document
}

/// Every `$ref` in the document.
fn references(value: &Value, found: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(target)) = map.get("$ref") {
                found.insert(target.clone());
            }
            map.values().for_each(|v| references(v, found));
        }
        Value::Array(items) => items.iter().for_each(|v| references(v, found)),
        _ => {}
    }
}

#[test]
fn every_documented_operation_answers_as_documented_and_every_reference_resolves() {
    let server = TestServer::start();
    let document = document(&server);
    assert_eq!(document["openapi"], "3.1.0");
    let paths = document["paths"].as_object().unwrap();
    let operations: BTreeSet<(String, String)> = paths
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .unwrap()
                .keys()
                .map(move |method| (method.to_uppercase(), path.clone()))
        })
        .collect();
    let expected: BTreeSet<(String, String)> = [
        ("GET", "/healthz"),
        ("POST", "/v1/enrol"),
        ("POST", "/v1/login"),
        ("POST", "/v1/logout"),
        ("GET", "/v1/me"),
        ("GET", "/v1/shops"),
        ("POST", "/v1/shops"),
        ("GET", "/v1/staff"),
        ("POST", "/v1/staff"),
        ("POST", "/v1/enrolment-codes"),
        ("POST", "/v1/sync/push"),
        ("GET", "/v1/sync/pull"),
        ("GET", "/v1/events"),
        ("POST", "/v1/setup"),
        ("GET", "/v1/blobs/{sha256}/status"),
        ("PUT", "/v1/blobs/{sha256}"),
        ("GET", "/v1/blobs/{sha256}"),
        ("GET", "/v1/vendor"),
        ("GET", "/v1/vendor/profile"),
        ("PUT", "/v1/vendor/profile"),
        ("GET", "/v1/catalog"),
        ("GET", "/v1/catalog/versions"),
        ("POST", "/v1/catalog/versions"),
        ("GET", "/v1/billing"),
        ("GET", "/v1/shops/{shop_id}/billing"),
        ("PUT", "/v1/shops/{shop_id}/billing"),
        ("GET", "/v1/contracts"),
        ("POST", "/v1/contracts"),
        ("POST", "/v1/contracts/{contract_id}/notice"),
        ("POST", "/v1/invoices/run"),
        ("GET", "/v1/invoices"),
        ("GET", "/v1/invoices/{number}"),
        ("GET", "/v1/invoices/{number}/xml"),
        ("GET", "/v1/invoices/{number}/pdf"),
        ("POST", "/v1/invoices/{number}/cancel"),
        ("POST", "/v1/invoices/{number}/paid"),
        ("GET", "/v1/exports/invoices.csv"),
        ("GET", "/v1/tills"),
        ("POST", "/v1/tills/{station_id}/revoke"),
        ("GET", "/v1/sessions"),
        ("POST", "/v1/sessions/{session_id}/revoke"),
        ("POST", "/v1/staff/{user_id}/deactivate"),
        ("POST", "/v1/staff/{user_id}/reactivate"),
        ("POST", "/v1/staff/{user_id}/password"),
        ("POST", "/v1/me/password"),
        ("POST", "/v1/me/two-factor"),
        ("POST", "/v1/me/two-factor/confirm"),
        ("POST", "/v1/me/two-factor/off"),
        ("GET", "/v1/security-policy"),
        ("PUT", "/v1/security-policy"),
        ("GET", "/v1/security-log"),
        ("GET", "/v1/desk/tickets"),
        ("GET", "/v1/desk/callbacks"),
        ("GET", "/v1/desk/compliance"),
        ("GET", "/v1/desk/tickets/{ticket_id}"),
        ("GET", "/v1/desk/shops/{shop_id}"),
        ("POST", "/v1/desk/followed"),
        ("PUT", "/v1/me/phone"),
        ("GET", "/v1/desk/report"),
        ("GET", "/v1/desk/report.csv"),
        ("GET", "/v1/mail"),
        ("PUT", "/v1/mail/mailboxes/{name}"),
        ("DELETE", "/v1/mail/mailboxes/{name}"),
        ("PUT", "/v1/mail/outgoing"),
        ("GET", "/v1/desk/mail/unknown"),
        ("POST", "/v1/desk/mail/unknown/{id}/attach"),
        ("GET", "/v1/me/mail-notices"),
        ("PUT", "/v1/me/mail-notices"),
    ]
    .into_iter()
    .map(|(m, p)| (m.to_owned(), p.to_owned()))
    .collect();
    assert_eq!(operations, expected);

    // Asked without a token and without a body, each operation answers with a status its
    // documentation lists, never 404 or 405: the route is there, with that method.
    for (method, path) in &operations {
        let response = server
            .http
            .request(
                Method::from_bytes(method.as_bytes()).unwrap(),
                format!("{}{path}", server.base),
            )
            .send()
            .unwrap();
        let status = response.status().as_u16().to_string();
        let documented = &paths[path][method.to_lowercase()]["responses"];
        assert!(
            documented.get(&status).is_some(),
            "{method} {path} answered {status}, documented: {documented}"
        );
        let secured = paths[path][method.to_lowercase()].get("security").is_some();
        assert_eq!(secured, status == "401", "{method} {path}: {status}");
    }

    let mut refs = BTreeSet::new();
    references(&document, &mut refs);
    assert!(refs.len() > 10, "{refs:?}");
    for target in refs {
        let name = target.trim_start_matches("#/components/schemas/");
        assert!(
            document["components"]["schemas"].get(name).is_some(),
            "{target} does not resolve"
        );
    }
    assert!(document["components"]["securitySchemes"]["bearer"].is_object());
}

/// The top-level fields a schema names (following `allOf`), as a set.
fn schema_fields(document: &Value, name: &str) -> BTreeSet<String> {
    let schema = &document["components"]["schemas"][name];
    let mut fields: BTreeSet<String> = schema["properties"]
        .as_object()
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default();
    for part in schema["allOf"].as_array().into_iter().flatten() {
        if let Some(target) = part["$ref"].as_str() {
            fields.extend(schema_fields(document, target.rsplit('/').next().unwrap()));
        }
        if let Some(properties) = part["properties"].as_object() {
            fields.extend(properties.keys().cloned());
        }
    }
    fields
}

fn keys(value: &Value) -> BTreeSet<String> {
    value.as_object().unwrap().keys().cloned().collect()
}

#[test]
fn real_answers_carry_the_fields_their_schemas_name() {
    let server = TestServer::start();
    let document = document(&server);
    let shop = server.shop("Laden");
    let till = server.station(&shop, "Kasse 1");
    let (_, me) = server.get("/v1/me", Some(&till));
    assert_eq!(keys(&me), schema_fields(&document, "Me"));
    let (_, health) = server.get("/healthz", None);
    assert_eq!(keys(&health), schema_fields(&document, "Health"));
    let pushed = server.push(&till, &[filed(uuid::Uuid::now_v7(), None)]);
    let mut result_fields = schema_fields(&document, "ChangeResult");
    // The outcome is a tagged union: "applied" carries a revision.
    assert!(result_fields.contains("change_id"), "{result_fields:?}");
    result_fields.extend(["status".to_owned(), "revision".to_owned()]);
    assert!(keys(&pushed[0]).is_subset(&result_fields), "{}", pushed[0]);
    let support = server.staff("ben@vendor.de", "support_staff", None);
    let (_, queue) = server.get("/v1/desk/tickets", Some(&support));
    assert_eq!(keys(&queue), schema_fields(&document, "DeskPage"));
    assert_eq!(
        keys(&queue["tickets"][0]),
        schema_fields(&document, "DeskTicket")
    );
    let page = server.pull(&till, 0);
    assert_eq!(keys(&page), schema_fields(&document, "PullResponse"));
    assert_eq!(
        keys(&page["changes"][0]),
        schema_fields(&document, "Revisioned")
    );
}

#[test]
fn unknown_paths_wrong_methods_and_oversized_bodies_get_a_json_error() {
    let server = TestServer::start();
    let till = server.station(&server.shop("Laden"), "Kasse 1");
    let (status, body) = server.get("/v1/tickets", Some(&till));
    assert_eq!(status.as_u16(), 404);
    assert_eq!(body["code"], "not_found");
    assert!(body["message"]
        .as_str()
        .unwrap()
        .contains("/v1/openapi.json"));

    let response = server
        .http
        .delete(format!("{}/v1/me", server.base))
        .send()
        .unwrap();
    assert_eq!(response.status().as_u16(), 405);
    let body: Value = response.json().unwrap();
    assert_eq!(body["code"], "method_not_allowed");

    // A body of 3 MiB is within the documented 8 MiB (the extractors' own 2 MiB are lifted).
    let padded = |size: usize| json!({ "changes": [], "padding": "x".repeat(size) }).to_string();
    let streamed = |body: String| {
        server
            .http
            .post(format!("{}/v1/sync/push", server.base))
            .bearer_auth(&till)
            .header("content-type", "application/json")
            .body(reqwest::blocking::Body::new(std::io::Cursor::new(body)))
            .send()
            .unwrap()
    };
    assert_eq!(streamed(padded(3 * 1024 * 1024)).status().as_u16(), 200);
    // Past it: a 413 with the JSON error, whether the size is announced or found on the way.
    let head = |length: &str| {
        format!(
            "POST /v1/sync/push HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {till}\r\nContent-Type: application/json\r\n{length}\r\n"
        )
    };
    let announced = raw_request(
        &server.base,
        &head(&format!("Content-Length: {}\r\n", 9 * 1024 * 1024)),
        &[],
    );
    let chunk = format!("10000\r\n{}\r\n", "x".repeat(0x10000));
    let found = raw_request(
        &server.base,
        &head("Transfer-Encoding: chunked\r\n"),
        &std::iter::once("1\r\n[\r\n".to_owned())
            .chain(std::iter::repeat_n(chunk, 9 * 16))
            .collect::<Vec<_>>(),
    );
    for answer in [announced, found] {
        assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
        assert!(answer.contains("\"too_large\""), "{answer}");
    }
}

/// Sends `head` and as much of `body` as the server takes on a fresh connection, and reads
/// what comes back.
fn raw_request(base: &str, head: &str, body: &[String]) -> String {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(base.trim_start_matches("http://")).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    stream.write_all(head.as_bytes()).unwrap();
    for part in body {
        if stream.write_all(part.as_bytes()).is_err() {
            break;
        }
    }
    let mut answer = vec![0; 4096];
    let read = stream.read(&mut answer).unwrap();
    String::from_utf8_lossy(&answer[..read]).into_owned()
}
