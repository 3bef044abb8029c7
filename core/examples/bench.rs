//! Rust-core figures for `make bench` (one round; the driver repeats rounds and takes medians).
//!
//! Prints one JSON object: full-delivery verify time (raw body + headers -> typed event) on the
//! fast and the reference backend, 2-thread scaling, per-key table memory, key preparation time,
//! the documentation's function (`verify_webhook`, with its key cache) warm and on its first and
//! second call with a new key, and claim+complete throughput of the memory store.
//!
//! Run: `cargo run --release -p palisade-webhooks --example bench -- [seconds-per-figure]`
//!
//! With `--paired` instead it times slices on request, for the driver's paired comparison of
//! each binding with the core (`bench/run.py`): it reads lines `FIGURE SECONDS` on stdin, FIGURE
//! `verify` (one full delivery) or `signature` (`verify_signature` alone), and answers each with
//! one line `{"us": µs per operation}`, until stdin closes.

use std::hint::black_box;
use std::io::Write;
use std::sync::Arc;
use std::time::{Duration, Instant};

use palisade_webhooks::dedup::{ClaimOutcome, Deduplicator};
use palisade_webhooks::testing::TestSigner;
use palisade_webhooks::{verify_webhook, Backend, MemoryStore, PublicKey, Webhook, WebhookOptions};

/// A realistic ~1.5 KB TRANSACTION resource (the size of the project's first measurements).
pub fn sample_resource() -> String {
    let mut attributes = String::new();
    for i in 0..12 {
        attributes.push_str(&format!(r#""attr{i}":"value-{i}-0123456789abcdef","#));
    }
    attributes.pop();
    format!(
        r#"{{"id":"0196153b-aaaa-7cd3-b511-354373d28130","walletId":"0196153b-67bc-7cd3-b511-354373d28130","vaultId":"0196152d-5294-739d-9945-2a499f9e3989","createdBy":"a55df9e0-e14a-4410-a983-12afae46662f","createdAt":"2025-05-08T14:15:30.123456Z","updatedAt":"2025-05-08T14:15:36.900490Z","status":"CONFIRMED","action":"WITHDRAWAL","externalId":"order-982734","blockchain":"ETHEREUM","asset":{{"id":"usdc-eth","symbol":"USDC","name":"USD Coin","blockchain":"ETHEREUM","decimals":6,"contract":"0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48"}},"feeAsset":{{"id":"eth","symbol":"ETH","name":"Ether","blockchain":"ETHEREUM","decimals":18}},"origin":{{"id":"0196153b-67bc-7cd3-b511-354373d28130","type":"WALLET","address":"0x4644320f31D6958Ed8603Eb666044950Aa69702e"}},"destination":{{"type":"ADDRESS","address":"0x8ba1f109551bD432803012645Ac136ddd64DBA72"}},"qty":"1250.000000","feeQty":"0.000421337000000000","sequence":"18446744073709551615","hash":"0x5c504ed432cb51138bcf09aa5e8a410dd4a1e204ef84bfed1be16dfba1b22060","attributes":{{{attributes}}}}}"#
    )
}

/// Runs `op` repeatedly for about `budget` and returns seconds per operation.
fn time_per_op(budget: Duration, mut op: impl FnMut()) -> f64 {
    // Warm up (caches, lazily built static tables).
    for _ in 0..50 {
        op();
    }
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed() < budget {
        for _ in 0..100 {
            op();
        }
        n += 100;
    }
    start.elapsed().as_secs_f64() / n as f64
}

/// Answers the driver's slice requests (`--paired`, see the module's documentation): each
/// names one of `figures` and how many seconds to time it for.
fn serve_slices(
    figures: &mut [(&str, &mut dyn FnMut())],
) -> Result<(), Box<dyn std::error::Error>> {
    let mut out = std::io::stdout().lock();
    for line in std::io::stdin().lines() {
        let line = line?;
        let request = line.split_once(' ').and_then(|(name, s)| {
            let seconds = s.trim().parse::<f64>().ok()?;
            let index = figures.iter().position(|(known, _)| *known == name)?;
            Some((index, seconds)).filter(|_| seconds > 0.0 && seconds.is_finite())
        });
        let Some((index, seconds)) = request else {
            let names: Vec<&str> = figures.iter().map(|(name, _)| *name).collect();
            let names = names.join(", ");
            return Err(format!("expected a figure ({names}) and SECONDS, got {line:?}").into());
        };
        let budget = Duration::from_secs_f64(seconds);
        let us = 1e6 * time_per_op(budget, &mut *figures[index].1);
        writeln!(out, "{}", serde_json::json!({ "us": us }))?;
        out.flush()?;
    }
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let arg = std::env::args().nth(1);
    let paired = arg.as_deref() == Some("--paired");
    let seconds: f64 = match arg {
        Some(s) if !paired => s.parse()?,
        _ => 1.0,
    };
    let budget = Duration::from_secs_f64(seconds);
    let signer = TestSigner::from_seed(42);
    let resource = sample_resource();
    let delivery = signer.delivery("TRANSACTION", &resource)?;
    let key = signer.public_key_b64();

    let fast = Webhook::from_keys(&[&key], WebhookOptions::default())?;
    let reference = Webhook::from_keys(
        &[&key],
        WebhookOptions::default().backend(Backend::Reference),
    )?;
    // Both must agree before anything is timed.
    let event = fast.verify(&delivery.body, &delivery.headers)?;
    assert_eq!(event, reference.verify(&delivery.body, &delivery.headers)?);
    let mut verify_once = || {
        black_box(fast.verify(black_box(&delivery.body), &delivery.headers)).ok();
    };
    // The signature check alone, to show what the non-crypto path costs.
    let mut signature_once = || {
        black_box(fast.verify_signature(black_box(&delivery.payload), &delivery.signature)).ok();
    };
    if paired {
        return serve_slices(&mut [
            ("verify", &mut verify_once),
            ("signature", &mut signature_once),
        ]);
    }

    let verify_fast = time_per_op(budget, verify_once);
    let verify_reference = time_per_op(budget, || {
        black_box(reference.verify(black_box(&delivery.body), &delivery.headers)).ok();
    });
    let signature_only = time_per_op(budget, signature_once);

    // The documentation's function, warm: the key is in its cache (prepared on the 2nd call).
    assert!(verify_webhook(&key, &delivery.signature, &delivery.payload));
    let drop_in = time_per_op(budget, || {
        black_box(verify_webhook(
            black_box(&key),
            &delivery.signature,
            &delivery.payload,
        ));
    });
    // Its first and second calls with a key it has not seen: parse + reference verify, then
    // table preparation + fast verify. Six fresh keys (the cache keeps 8, so the warm key above
    // stays in), median of each.
    let fresh: Vec<(String, String)> = (0..6)
        .map(|i| {
            let s = TestSigner::from_seed(1_000 + i);
            (s.public_key_b64(), s.sign(&delivery.payload))
        })
        .collect();
    let mut first_calls = Vec::new();
    let mut second_calls = Vec::new();
    for (k, sig) in &fresh {
        for calls in [&mut first_calls, &mut second_calls] {
            let t = Instant::now();
            let ok = verify_webhook(black_box(k), sig, &delivery.payload);
            calls.push(t.elapsed().as_secs_f64());
            assert!(ok, "a fresh key's delivery must verify");
        }
    }
    let median = |mut xs: Vec<f64>| {
        xs.sort_by(f64::total_cmp);
        xs[xs.len() / 2]
    };

    // Two threads sharing one Webhook: total throughput over single-thread throughput.
    let shared = Arc::new(fast.clone());
    let start = Instant::now();
    let threads: Vec<_> = (0..2)
        .map(|_| {
            let shared = Arc::clone(&shared);
            let body = delivery.body.clone();
            let headers = delivery.headers.clone();
            std::thread::spawn(move || {
                let mut n = 0u64;
                while start.elapsed() < budget {
                    for _ in 0..50 {
                        black_box(shared.verify(&body, &headers)).ok();
                    }
                    n += 50;
                }
                n
            })
        })
        .collect();
    let total: u64 = threads.into_iter().map(|t| t.join().unwrap_or(0)).sum();
    let two_thread_rate = total as f64 / start.elapsed().as_secs_f64();
    let scaling = two_thread_rate * verify_fast;

    // Key preparation (parse + tables), median of 21.
    let mut prep: Vec<f64> = (0..21)
        .map(|_| {
            let t = Instant::now();
            black_box(PublicKey::parse(&key)).ok();
            t.elapsed().as_secs_f64()
        })
        .collect();
    prep.sort_by(f64::total_cmp);
    let table_bytes = fast.keys()[0].table_bytes();

    // Memory store: claim + complete of distinct keys.
    let dedup = Deduplicator::new(Arc::new(
        MemoryStore::new(1_000_000, Duration::from_secs(3600)).expect("valid options"),
    ));
    let mut i = 0u64;
    let store_memory = time_per_op(budget, || {
        i += 1;
        if let Ok(ClaimOutcome::New(claim)) = dedup.claim(&format!("bench:{i}")) {
            dedup.complete(&claim).ok();
        }
    });

    let out = serde_json::json!({
        "verify_fast_us": verify_fast * 1e6,
        "verify_reference_us": verify_reference * 1e6,
        "signature_only_us": signature_only * 1e6,
        "drop_in_us": drop_in * 1e6,
        "drop_in_first_call_us": median(first_calls) * 1e6,
        "drop_in_second_call_us": median(second_calls) * 1e6,
        "two_thread_scaling": scaling,
        "key_prep_ms": prep[prep.len() / 2] * 1e3,
        "table_bytes": table_bytes,
        "store_memory_ops": 1.0 / store_memory,
        "body_bytes": delivery.body.len(),
    });
    println!("{out}");
    Ok(())
}
