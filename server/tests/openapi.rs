//! The OpenAPI document the running server serves describes what it really does: every
//! documented operation answers (with a status the document lists), every reference resolves,
//! and real answers carry the fields their schemas name. Unknown paths, wrong methods and a body
//! over the limit get the same JSON error body as everything else.

mod common;

use std::collections::BTreeSet;

use common::{change, TestServer};
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
        ("POST", "/v1/staff"),
        ("POST", "/v1/enrolment-codes"),
        ("POST", "/v1/sync/push"),
        ("GET", "/v1/sync/pull"),
        ("GET", "/v1/events"),
        ("POST", "/v1/setup"),
        ("GET", "/v1/blobs/{sha256}/status"),
        ("PUT", "/v1/blobs/{sha256}"),
        ("GET", "/v1/blobs/{sha256}"),
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
    let pushed = server.push(&till, &[change("ticket", uuid::Uuid::now_v7(), "created")]);
    let mut result_fields = schema_fields(&document, "ChangeResult");
    // The outcome is a tagged union: "applied" carries a revision.
    assert!(result_fields.contains("change_id"), "{result_fields:?}");
    result_fields.extend(["status".to_owned(), "revision".to_owned()]);
    assert!(keys(&pushed[0]).is_subset(&result_fields), "{}", pushed[0]);
    let page = server.pull(&till, 0);
    assert_eq!(keys(&page), schema_fields(&document, "PullResponse"));
    let mut change_fields = schema_fields(&document, "Change");
    change_fields.extend(schema_fields(&document, "Revisioned"));
    assert_eq!(
        keys(&page["changes"][0]),
        change_fields
            .into_iter()
            .filter(|f| f != "change")
            .collect()
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

    let huge = "x".repeat(9 * 1024 * 1024);
    let response = server
        .http
        .post(format!("{}/v1/sync/push", server.base))
        .bearer_auth(&till)
        .header("content-type", "application/json")
        .body(json!({ "changes": [], "padding": huge }).to_string())
        .send()
        .unwrap();
    assert_eq!(response.status().as_u16(), 413);
    let body: Value = response.json().unwrap();
    assert_eq!(body["code"], "too_large", "{body}");
}
