//! keygen, sign, listen, verify and doctor.

use std::io::Read as _;
use std::path::PathBuf;
use std::process::ExitCode;

use std::io::Write as _;
use std::sync::Arc;

use clap::Args;
use palisade_webhooks::dedup::{ClaimOutcome, Deduplicator, IdempotencyStore};
use palisade_webhooks::diagnose::diagnose;
use palisade_webhooks::testing::{DeliveryOptions, TestSigner};
use palisade_webhooks::{Event, Webhook, WebhookOptions};
use palisade_webhooks::{MemoryStore, RedisStore, SqliteStore};

use crate::capture::{DeliveryLine, InputArgs};
use crate::{DigestArg, KeyArgs, SignArgs};

pub(crate) fn keygen(
    out: Option<PathBuf>,
    public_out: Option<PathBuf>,
) -> Result<ExitCode, String> {
    let signer = TestSigner::generate();
    if let Some(path) = &public_out {
        std::fs::write(path, format!("{}\n", signer.public_key_b64()))
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    let pem = signer.private_key_pem();
    match out {
        Some(path) => {
            write_private(&path, &pem)?;
            eprintln!("private key written to {}", path.display());
        }
        None => print!("{pem}"),
    }
    println!("public key (as the Palisade console shows it):");
    println!("{}", signer.public_key_b64());
    println!("fingerprint: {}", signer.public_key().fingerprint());
    Ok(ExitCode::SUCCESS)
}

#[cfg(unix)]
fn write_private(path: &PathBuf, pem: &str) -> Result<(), String> {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    file.write_all(pem.as_bytes())
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

#[cfg(not(unix))]
fn write_private(path: &PathBuf, pem: &str) -> Result<(), String> {
    std::fs::write(path, pem).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

pub(crate) fn load_signer(path: &PathBuf) -> Result<TestSigner, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    TestSigner::from_private_key(&text).map_err(|e| e.to_string())
}

pub(crate) fn sign(args: SignArgs) -> Result<ExitCode, String> {
    let signer = load_signer(&args.key_file)?;
    let resource = if args.resource.as_os_str() == "-" {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .map_err(|e| format!("cannot read stdin: {e}"))?;
        s
    } else {
        std::fs::read_to_string(&args.resource)
            .map_err(|e| format!("cannot read {}: {e}", args.resource.display()))?
    };
    let mut options = DeliveryOptions::default().digest(args.digest.into());
    if let Some(ts) = &args.timestamp {
        options = options.timestamp(Some(ts));
    }
    let delivery = signer
        .delivery_with(&args.domain, resource.trim(), &options)
        .map_err(|e| e.to_string())?;
    let line = DeliveryLine {
        label: None,
        expect: None,
        expect_error: None,
        domain: Some(args.domain),
        headers: delivery.headers,
        body: String::from_utf8(delivery.body).map_err(|e| e.to_string())?,
    };
    println!(
        "{}",
        serde_json::to_string(&line).map_err(|e| e.to_string())?
    );
    Ok(ExitCode::SUCCESS)
}

fn webhook(key: &KeyArgs, digest: DigestArg) -> Result<Webhook, String> {
    Webhook::from_keys(
        &key.resolve()?,
        WebhookOptions::default().digest(digest.into()),
    )
    .map_err(|e| e.to_string())
}

pub(crate) fn verify(
    key: KeyArgs,
    input: InputArgs,
    digest: DigestArg,
) -> Result<ExitCode, String> {
    let webhook = webhook(&key, digest)?;
    let captured = input.load()?;
    match webhook.verify_with_signature(&captured.body, captured.signature.as_deref()) {
        Ok(event) => {
            println!("{}", pretty_event(&event));
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            println!("{}", e.code());
            eprintln!("{}", e.message());
            Ok(ExitCode::from(1))
        }
    }
}

fn pretty_event(event: &Event) -> String {
    let value: serde_json::Value =
        serde_json::from_str(&event.to_json()).unwrap_or(serde_json::Value::Null);
    serde_json::to_string_pretty(&value).unwrap_or_default()
}

pub(crate) fn doctor(key: KeyArgs, input: InputArgs, json: bool) -> Result<ExitCode, String> {
    let captured = input.load()?;
    let keys = key.resolve()?;
    let mut all_ok = true;
    for key in &keys {
        let diagnosis = diagnose(key, &captured.body, captured.signature.as_deref());
        all_ok &= diagnosis.verifies;
        if json {
            println!(
                "{}",
                serde_json::to_string(&diagnosis).map_err(|e| e.to_string())?
            );
            continue;
        }
        for check in &diagnosis.checks {
            let mark = if check.ok { "ok  " } else { "FAIL" };
            println!("[{mark}] {:<20} {}", check.name, check.detail);
        }
        if let Some(code) = diagnosis.error {
            println!("error code: {code}");
        }
        println!("diagnosis: {}", diagnosis.cause);
    }
    Ok(if all_ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// How `listen` processes verified events: where it deduplicates, and (for resilience tests)
/// simulated handler failures and a record of every processed event.
#[derive(Args)]
pub(crate) struct ProcessingArgs {
    /// Idempotency store: `memory`, `sqlite:PATH` or a `redis://` URL. Share an SQLite file or
    /// a Redis server between several listeners to deduplicate across them.
    #[arg(long, default_value = "memory")]
    store: String,
    /// Fail this fraction of events in the handler (0.0 to 1.0), answering 500 so the sender
    /// retries: simulates a flaky downstream.
    #[arg(long, default_value_t = 0.0)]
    fail_rate: f64,
    /// Append the idempotency key of every processed event to this file, one per line.
    #[arg(long)]
    record: Option<PathBuf>,
    /// Print one line per request instead of the whole event.
    #[arg(long)]
    quiet: bool,
}

fn open_store(spec: &str) -> Result<Arc<dyn IdempotencyStore>, String> {
    if spec == "memory" {
        Ok(Arc::new(MemoryStore::default()))
    } else if let Some(path) = spec.strip_prefix("sqlite:") {
        Ok(Arc::new(
            SqliteStore::open(path).map_err(|e| e.to_string())?,
        ))
    } else if spec.starts_with("redis://") || spec.starts_with("rediss://") {
        Ok(Arc::new(
            RedisStore::connect(spec).map_err(|e| e.to_string())?,
        ))
    } else {
        Err(format!(
            "unknown store {spec:?}: use memory, sqlite:PATH or redis://HOST:PORT"
        ))
    }
}

/// A tiny xorshift generator for simulated failures: no cryptographic need, no dependency.
struct FailureDice(u64);

impl FailureDice {
    fn roll(&mut self, rate: f64) -> bool {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        ((self.0 >> 11) as f64 / (1u64 << 53) as f64) < rate
    }
}

pub(crate) fn listen(
    port: u16,
    key: KeyArgs,
    digest: DigestArg,
    max_requests: Option<u64>,
    processing: ProcessingArgs,
) -> Result<ExitCode, String> {
    let webhook = webhook(&key, digest)?;
    let dedup = Deduplicator::new(open_store(&processing.store)?);
    let mut dice = FailureDice(u64::from(std::process::id()) | 1);
    let mut record = match &processing.record {
        Some(path) => Some(
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .map_err(|e| format!("cannot open {}: {e}", path.display()))?,
        ),
        None => None,
    };
    let server = tiny_http::Server::http(("127.0.0.1", port))
        .map_err(|e| format!("cannot listen on 127.0.0.1:{port}: {e}"))?;
    let addr = server.server_addr();
    println!(
        "listening on http://{addr} (keys: {})",
        webhook
            .keys()
            .iter()
            .map(|k| k.fingerprint())
            .collect::<Vec<_>>()
            .join(", ")
    );
    for (served, mut request) in (1u64..).zip(server.incoming_requests()) {
        let headers: Vec<(String, String)> = request
            .headers()
            .iter()
            .map(|h| (h.field.to_string(), h.value.to_string()))
            .collect();
        let limit = webhook.options().max_body_bytes;
        let mut body = Vec::new();
        // Read one byte past the limit so the core reports ERR_BODY_TOO_LARGE without the
        // listener ever holding an unbounded body.
        let read = request
            .as_reader()
            .take(limit as u64 + 1)
            .read_to_end(&mut body);
        let (status, reply) = match read {
            Err(e) => (
                400,
                serde_json::json!({"error": "read", "message": e.to_string()}),
            ),
            Ok(_) => match webhook.verify(&body, &headers) {
                Err(e) => {
                    println!("REJECTED  {}  {}", e.code(), e.message());
                    (
                        e.code().http_status(),
                        serde_json::json!({"error": e.code().as_str(), "message": e.message()}),
                    )
                }
                Ok(event) => match dedup.claim(&event.idempotency_key) {
                    Ok(ClaimOutcome::New(claim)) if dice.roll(processing.fail_rate) => {
                        println!("FAILED    {} (simulated)", event.idempotency_key);
                        dedup.release(&claim).ok();
                        (500, serde_json::json!({"status": "failed"}))
                    }
                    Ok(ClaimOutcome::New(claim)) => {
                        println!(
                            "VERIFIED  {} {} {}",
                            event.domain,
                            event.idempotency_key,
                            event.status.as_deref().unwrap_or("")
                        );
                        if !processing.quiet {
                            println!("{}", pretty_event(&event));
                        }
                        // The side effect, then completion. A failed side effect is a failed
                        // handler (released, so the retry processes it); a failed completion
                        // is reported and the claim left to its lease, since the work is done.
                        let recorded = match record.as_mut() {
                            Some(file) => {
                                file.write_all(format!("{}\n", event.idempotency_key).as_bytes())
                            }
                            None => Ok(()),
                        };
                        match recorded {
                            Err(e) => {
                                dedup.release(&claim).ok();
                                (
                                    500,
                                    serde_json::json!({"status": "failed", "message": e.to_string()}),
                                )
                            }
                            Ok(()) => match dedup.complete(&claim) {
                                Ok(_) => (200, serde_json::json!({"status": "processed"})),
                                Err(e) => {
                                    println!("COMPLETE FAILED {}: {e}", event.idempotency_key);
                                    (
                                        e.code().http_status(),
                                        serde_json::json!({"error": e.code().as_str(), "message": e.message()}),
                                    )
                                }
                            },
                        }
                    }
                    Ok(ClaimOutcome::Duplicate) => {
                        println!("DUPLICATE {} {}", event.domain, event.idempotency_key);
                        (200, serde_json::json!({"status": "duplicate"}))
                    }
                    Ok(ClaimOutcome::InProgress) => {
                        (409, serde_json::json!({"status": "in_progress"}))
                    }
                    Err(e) => (
                        503,
                        serde_json::json!({"error": e.code().as_str(), "message": e.message()}),
                    ),
                },
            },
        };
        let response = tiny_http::Response::from_string(reply.to_string())
            .with_status_code(status)
            .with_header(
                tiny_http::Header::from_bytes("Content-Type", "application/json")
                    .map_err(|_| "bad header".to_string())?,
            );
        let _ = request.respond(response);
        if max_requests.is_some_and(|max| served >= max) {
            break;
        }
    }
    Ok(ExitCode::SUCCESS)
}
