//! Helpers of the server's own tests: changes to push, and a proxy that misbehaves. The server
//! process itself comes from the end-to-end package's `TestServer`.
#![allow(dead_code, unused_imports)] // each test binary uses its own part of it

pub mod proxy;

use chrono::Utc;
use serde_json::{json, Value};
use uuid::Uuid;

pub use stationdesk_e2e::server::{TestServer, PASSWORD};

pub fn change(entity: &str, entity_id: Uuid, kind: &str) -> Value {
    json!({
        "change_id": Uuid::now_v7(),
        "entity": entity,
        "entity_id": entity_id,
        "kind": kind,
        "payload": {"title": "Bondrucker druckt nicht"},
        "created_at": Utc::now(),
    })
}

pub fn statuses(results: &[Value]) -> Vec<&str> {
    results
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect()
}
