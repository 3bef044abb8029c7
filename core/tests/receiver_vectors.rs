//! Replays `tests/vectors/receiver.json` through the core's `Receiver`, as every binding
//! replays it through its adapters: the core must give exactly the answers the file states
//! (a stale file fails here; regenerate it with the `generate_receiver_vectors` example).

use std::sync::Arc;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use palisade_webhooks::dedup::MemoryStore;
use palisade_webhooks::receiver::{Begin, Receiver};
use palisade_webhooks::testing::{FailAt, FaultyStore};
use palisade_webhooks::{Deduplicator, Webhook, WebhookOptions};
use serde_json::Value;

fn vectors() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/vectors/receiver.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).expect("receiver.json")).expect("JSON")
}

#[test]
fn every_receiver_case_gives_the_stated_answer() {
    let doc = vectors();
    let keys: Vec<String> = serde_json::from_value(doc["keys"].clone()).unwrap();
    let max = doc["max_body_bytes"].as_u64().unwrap() as usize;
    let cases = doc["cases"].as_array().unwrap();
    assert!(cases.len() >= 15, "the receiver vectors lost cases");
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let webhook =
            Webhook::from_keys(&keys, WebhookOptions::default().max_body_bytes(max)).unwrap();
        let fail_at = FailAt::parse(case["store_fails_at"].as_str().unwrap()).unwrap();
        let store = FaultyStore::new(Arc::new(MemoryStore::default()), fail_at);
        let dedup = case["deduplicator"]
            .as_bool()
            .unwrap()
            .then(|| Deduplicator::new(Arc::new(store)));
        let receiver = Receiver::new(webhook, dedup);
        for (i, step) in case["steps"].as_array().unwrap().iter().enumerate() {
            let request = &step["request"];
            let body = STANDARD
                .decode(request["body_b64"].as_str().unwrap())
                .unwrap();
            let headers: Vec<(String, String)> =
                serde_json::from_value(request["headers"].clone()).unwrap();
            let declared = request["send_length"]
                .as_bool()
                .unwrap()
                .then_some(body.len() as u64);
            let held = if step["hold"].as_bool().unwrap() {
                match receiver.begin("POST", declared, &body, &headers) {
                    Begin::Process(p) => Some(p),
                    Begin::Answer(a) => panic!("{name}#{i}: holding delivery answered {a:?}"),
                }
            } else {
                None
            };
            let method = request["method"].as_str().unwrap();
            let (answer, ran) = match receiver.begin(method, declared, &body, &headers) {
                Begin::Answer(a) => (a, false),
                Begin::Process(mut p) => {
                    let a = match step["handler"].as_str().unwrap() {
                        "ok" => p.ticket.finish_ok(),
                        _ => p.ticket.finish_failed("the test handler failed"),
                    };
                    (a.unwrap(), true)
                }
            };
            if let Some(mut p) = held {
                p.ticket.finish_ok().unwrap();
            }
            let expect = &step["expect"];
            assert_eq!(
                answer.status as u64,
                expect["status"].as_u64().unwrap(),
                "{name}#{i}"
            );
            assert_eq!(answer.body, expect["body"].as_str().unwrap(), "{name}#{i}");
            assert_eq!(answer.code, expect["code"].as_str().unwrap(), "{name}#{i}");
            assert_eq!(ran, expect["handler_runs"].as_bool().unwrap(), "{name}#{i}");
        }
    }
}

#[test]
fn the_vectors_cover_every_receiver_code() {
    let doc = vectors();
    let codes: std::collections::HashSet<&str> = doc["cases"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["steps"].as_array().unwrap())
        .map(|s| s["expect"]["code"].as_str().unwrap())
        .collect();
    for code in palisade_webhooks::AnswerCode::RECEIVER_CODES {
        assert!(
            codes.contains(code.as_str()),
            "no receiver vector answers {code}"
        );
    }
}
