//! A tour of the Rust core: sign deliveries as Palisade would, verify them, and show what a
//! receiver sees for each domain, for a tampered delivery and for a duplicate.
//!
//! Run: `cargo run -p palisade-webhooks --example demo`

use palisade_webhooks::dedup::{ClaimOutcome, Deduplicator};
use palisade_webhooks::testing::TestSigner;
use palisade_webhooks::{Resource, Webhook, WebhookOptions};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Palisade's side: a key pair per webhook. The receiver only ever sees the public key.
    let palisade = TestSigner::generate();
    let webhook = Webhook::from_keys(&[palisade.public_key_b64()], WebhookOptions::default())?;
    let dedup = Deduplicator::in_memory();
    println!(
        "receiver ready: key {} ({} backend)",
        webhook.keys()[0].fingerprint(),
        match webhook.keys()[0].backend() {
            palisade_webhooks::Backend::Fast => "precomputed-table",
            palisade_webhooks::Backend::Reference => "reference",
        }
    );

    let deliveries = [
        (
            "TRANSACTION",
            r#"{"id":"tx-1","walletId":"w-1","status":"CONFIRMED","action":"DEPOSIT","qty":"12.5","asset":{"symbol":"USDC","decimals":6},"updatedAt":"2025-05-08T14:15:37Z"}"#,
        ),
        (
            "WALLET",
            r#"{"id":"w-1","name":"treasury","blockchain":"ETHEREUM","status":"PROVISIONED","updatedAt":"2025-04-08T11:48:56.900490Z"}"#,
        ),
        (
            "APPROVAL",
            r#"{"id":"ap-1","userId":"u-7","status":"APPROVED","updatedAt":"2025-05-08T14:10:00Z"}"#,
        ),
    ];

    let mut verified = 0;
    for (domain, resource) in deliveries {
        let delivery = palisade.delivery(domain, resource)?;
        let event = webhook.verify(&delivery.body, &delivery.headers)?;
        let summary = match &event.data {
            Resource::Transaction(tx) => format!(
                "transaction {} {} {} {}",
                tx.id,
                tx.status.as_ref().map_or("?", |s| s.as_str()),
                tx.qty.as_deref().unwrap_or("?"),
                tx.asset
                    .as_ref()
                    .and_then(|a| a.symbol.as_deref())
                    .unwrap_or("?")
            ),
            Resource::Wallet(w) => format!(
                "wallet {} {:?} on {}",
                w.id,
                w.name.as_deref().unwrap_or(""),
                w.blockchain.as_ref().map_or("?", |b| b.as_str())
            ),
            Resource::Approval(a) => format!(
                "approval {} {}",
                a.id,
                a.status.as_ref().map_or("?", |s| s.as_str())
            ),
            _ => "unknown resource".to_string(),
        };
        match dedup.claim(&event.idempotency_key)? {
            ClaimOutcome::New(claim) => {
                dedup.complete(&claim)?;
                verified += 1;
                println!(
                    "VERIFIED   {domain:<11} {summary}  [key {}]",
                    event.idempotency_key
                );
            }
            other => return Err(format!("unexpected {}", other.status()).into()),
        }
    }

    // Palisade retries: the same delivery again is detected by its signed idempotency key.
    let retry = palisade.delivery("TRANSACTION", deliveries[0].1)?;
    let event = webhook.verify(&retry.body, &retry.headers)?;
    let duplicate = dedup.claim(&event.idempotency_key)? == ClaimOutcome::Duplicate;
    println!(
        "DUPLICATE  TRANSACTION {} (answer 2xx, do not process again)",
        event.idempotency_key
    );

    // An attacker changes the amount: the signature no longer matches.
    let mut tampered = palisade.delivery("TRANSACTION", deliveries[0].1)?;
    let forged = base64_encode(&deliveries[0].1.replace("12.5", "12500"));
    let body = String::from_utf8(tampered.body.clone())?.replace(&tampered.payload, &forged);
    tampered.body = body.into_bytes();
    let rejected = match webhook.verify(&tampered.body, &tampered.headers) {
        Err(e) => {
            println!("REJECTED   TRANSACTION {}", e);
            e.code().as_str() == "ERR_INVALID_SIGNATURE"
        }
        Ok(_) => false,
    };

    // A delivery signed by some other key.
    let stranger = TestSigner::generate().delivery("WALLET", deliveries[1].1)?;
    let rejected_other = match webhook.verify(&stranger.body, &stranger.headers) {
        Err(e) => {
            println!("REJECTED   WALLET      {}", e.code());
            true
        }
        Ok(_) => false,
    };

    println!(
        "\nsummary: {verified} verified, {} duplicate, {} rejected",
        u8::from(duplicate),
        u8::from(rejected) + u8::from(rejected_other)
    );
    if verified == 3 && duplicate && rejected && rejected_other {
        Ok(())
    } else {
        Err("the demo did not see every expected outcome".into())
    }
}

fn base64_encode(text: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(text)
}
