//! A fixed amount of work for profilers: N full deliveries of the benchmark's TRANSACTION
//! resource (raw body + headers in, typed event out) against one prepared key.
//!
//! Timings are noisy on a shared machine; instruction counts are not. So the README's
//! "where the time goes" figures come from running this under `valgrind --tool=callgrind` (or
//! `perf record`) twice, with N and with 0, and taking the difference per delivery:
//!
//! ```text
//! cargo build --release -p palisade-webhooks --example profile
//! valgrind --tool=callgrind target/release/examples/profile 2000 full
//! valgrind --tool=callgrind target/release/examples/profile 0 full
//! ```
//!
//! Modes: `full` (`Webhook::verify`), `signature` (`Webhook::verify_signature`: SHA-256 and the
//! ECDSA check alone), `drop-in` (`verify_webhook(key, signature, payload)`, the documentation's
//! function).

use std::hint::black_box;

use palisade_webhooks::testing::TestSigner;
use palisade_webhooks::{verify_webhook, Webhook, WebhookOptions};

#[path = "bench.rs"]
#[allow(dead_code)]
mod bench;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let n: u64 = args.next().map(|s| s.parse()).transpose()?.unwrap_or(1000);
    let mode = args.next().unwrap_or_else(|| "full".to_string());
    let signer = TestSigner::from_seed(42);
    let delivery = signer.delivery("TRANSACTION", &bench::sample_resource())?;
    let key = signer.public_key_b64();
    let webhook = Webhook::from_keys(&[&key], WebhookOptions::default())?;
    // Outside the counted loop: the first delivery (lazy statics, allocator warm-up), and the
    // drop-in's first two calls with the key (parse + reference verify, then its tables).
    webhook.verify(&delivery.body, &delivery.headers)?;
    for _ in 0..2 {
        verify_webhook(&key, &delivery.signature, &delivery.payload);
    }
    let mut ok = 0u64;
    for _ in 0..n {
        let accepted = match mode.as_str() {
            "full" => {
                black_box(webhook.verify(black_box(&delivery.body), &delivery.headers)).is_ok()
            }
            "signature" => black_box(
                webhook.verify_signature(black_box(&delivery.payload), &delivery.signature),
            )
            .is_ok(),
            "drop-in" => black_box(verify_webhook(
                black_box(&key),
                &delivery.signature,
                &delivery.payload,
            )),
            other => {
                return Err(format!("unknown mode {other:?} (full, signature, drop-in)").into())
            }
        };
        ok += u64::from(accepted);
    }
    if ok != n {
        return Err(format!("only {ok} of {n} deliveries verified").into());
    }
    println!("{n} {mode} deliveries verified");
    Ok(())
}
