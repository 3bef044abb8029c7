//! keygen, sign, listen, verify and doctor.

use std::io::Read as _;
use std::path::PathBuf;
use std::process::ExitCode;

use std::io::Write as _;
use std::sync::Arc;
use std::time::Duration;

use clap::Args;
use palisade_webhooks::dedup::{Deduplicator, IdempotencyStore};
use palisade_webhooks::diagnose::diagnose;
use palisade_webhooks::receiver::{Begin, Receiver};
use palisade_webhooks::testing::{DeliveryOptions, FailAt, FaultyStore, TestSigner};
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
/// simulated handler failures, a simulated store outage, and a record of every processed event.
#[derive(Args)]
pub(crate) struct ProcessingArgs {
    /// Idempotency store: `memory`, `sqlite:PATH`, a `redis://` URL, or `none` (no
    /// deduplication: every verified delivery runs the handler). Share an SQLite file or a Redis
    /// server between several listeners to deduplicate across them.
    #[arg(long, default_value = "memory")]
    store: String,
    /// Fail this fraction of events in the handler (0.0 to 1.0), answering 500 so the sender
    /// retries: simulates a flaky downstream.
    #[arg(long, default_value_t = 0.0)]
    fail_rate: f64,
    /// Fail the handler for the first N events it runs, then succeed: simulates a downstream
    /// outage that the sender's retries outlast.
    #[arg(long, default_value_t = 0)]
    fail_first: u64,
    /// Make the idempotency store fail at one step, `claim`, `complete` or `release`, as an
    /// outage at that moment would: shows what a receiver answers then.
    #[arg(long, value_parser = parse_fail_at)]
    store_fails_at: Option<FailAt>,
    /// Append the idempotency key of every processed event to this file, one per line (the
    /// handler's side effect: a failure to write it fails the handler).
    #[arg(long)]
    record: Option<PathBuf>,
    /// Print one line per request instead of the whole event.
    #[arg(long)]
    quiet: bool,
    /// How long a claim is held before another receiver may take it over, in milliseconds
    /// (a receiver killed mid-handler blocks its event this long).
    #[arg(long, default_value_t = 60_000)]
    lease_ms: u64,
    /// Make the handler take this long, in milliseconds, before its side effect (to reproduce
    /// deliveries that overlap, or a receiver stopped mid-handler).
    #[arg(long, default_value_t = 0)]
    handler_delay_ms: u64,
}

fn parse_fail_at(s: &str) -> Result<FailAt, String> {
    match FailAt::parse(s) {
        Some(FailAt::Nothing) | None => Err("use claim, complete or release".to_string()),
        Some(step) => Ok(step),
    }
}

fn open_store(spec: &str) -> Result<Option<Arc<dyn IdempotencyStore>>, String> {
    if spec == "none" {
        Ok(None)
    } else if spec == "memory" {
        Ok(Some(Arc::new(MemoryStore::default())))
    } else if let Some(path) = spec.strip_prefix("sqlite:") {
        Ok(Some(Arc::new(
            SqliteStore::open(path).map_err(|e| e.to_string())?,
        )))
    } else if spec.starts_with("redis://") || spec.starts_with("rediss://") {
        Ok(Some(Arc::new(
            RedisStore::connect(spec).map_err(|e| e.to_string())?,
        )))
    } else {
        Err(format!(
            "unknown store {spec:?}: use memory, sqlite:PATH, redis://HOST:PORT or none"
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

/// The listener's handler: prints the event, simulates failures as asked, records the event.
struct Handler {
    fail_rate: f64,
    fail_first: u64,
    dice: FailureDice,
    record: Option<std::fs::File>,
    quiet: bool,
    delay: Duration,
}

impl Handler {
    fn run(&mut self, event: &Event) -> Result<(), String> {
        println!(
            "VERIFIED  {} {} {}",
            event.domain,
            event.idempotency_key,
            event.status.as_deref().unwrap_or("")
        );
        if !self.quiet {
            println!("{}", pretty_event(event));
        }
        if self.fail_first > 0 {
            self.fail_first -= 1;
            println!(
                "FAILED    {} (simulated, --fail-first)",
                event.idempotency_key
            );
            return Err("simulated failure (--fail-first)".to_string());
        }
        if self.dice.roll(self.fail_rate) {
            println!(
                "FAILED    {} (simulated, --fail-rate)",
                event.idempotency_key
            );
            return Err("simulated failure (--fail-rate)".to_string());
        }
        if !self.delay.is_zero() {
            std::thread::sleep(self.delay);
        }
        match self.record.as_mut() {
            Some(file) => file
                .write_all(format!("{}\n", event.idempotency_key).as_bytes())
                .map_err(|e| format!("cannot record the event: {e}")),
            None => Ok(()),
        }
    }
}

/// Reads the body as the receiver asks: nothing when the declared length is already over the
/// limit, else at most one byte more than the limit (declared or chunked), so an oversize body
/// is recognised without being held whole.
fn read_body(request: &mut tiny_http::Request, limit: usize) -> std::io::Result<Vec<u8>> {
    let mut body = Vec::new();
    if request.body_length().is_some_and(|n| n > limit) {
        return Ok(body);
    }
    request
        .as_reader()
        .take(limit as u64 + 1)
        .read_to_end(&mut body)?;
    Ok(body)
}

pub(crate) fn listen(
    port: u16,
    key: KeyArgs,
    digest: DigestArg,
    max_body_bytes: usize,
    max_requests: Option<u64>,
    processing: ProcessingArgs,
) -> Result<ExitCode, String> {
    let webhook = Webhook::from_keys(
        &key.resolve()?,
        WebhookOptions::default()
            .digest(digest.into())
            .max_body_bytes(max_body_bytes),
    )
    .map_err(|e| e.to_string())?;
    let fingerprints: Vec<String> = webhook
        .keys()
        .iter()
        .map(|k| k.fingerprint().to_string())
        .collect();
    let store = open_store(&processing.store)?.map(|store| match processing.store_fails_at {
        Some(step) => Arc::new(FaultyStore::new(store, step)) as Arc<dyn IdempotencyStore>,
        None => store,
    });
    let lease = Duration::from_millis(processing.lease_ms);
    let receiver = Receiver::new(
        webhook,
        store
            .map(|store| Deduplicator::new(store).with_lease(lease))
            .transpose()
            .map_err(|e| format!("--lease-ms: {e}"))?,
    );
    let mut handler = Handler {
        fail_rate: processing.fail_rate,
        fail_first: processing.fail_first,
        dice: FailureDice(u64::from(std::process::id()) | 1),
        record: match &processing.record {
            Some(path) => Some(
                std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(path)
                    .map_err(|e| format!("cannot open {}: {e}", path.display()))?,
            ),
            None => None,
        },
        quiet: processing.quiet,
        delay: Duration::from_millis(processing.handler_delay_ms),
    };
    let server = tiny_http::Server::http(("127.0.0.1", port))
        .map_err(|e| format!("cannot listen on 127.0.0.1:{port}: {e}"))?;
    println!(
        "listening on http://{} (keys: {})",
        server.server_addr(),
        fingerprints.join(", ")
    );
    for (served, mut request) in (1u64..).zip(server.incoming_requests()) {
        let headers: Vec<(String, String)> = request
            .headers()
            .iter()
            .map(|h| (h.field.to_string(), h.value.to_string()))
            .collect();
        let declared = request.body_length().map(|n| n as u64);
        let Ok(body) = read_body(&mut request, receiver.max_body_bytes()) else {
            // The body could not be read (the sender went away, a broken chunked encoding):
            // there is no one to answer.
            println!("DROPPED   the request body could not be read");
            continue;
        };
        let method = request.method().as_str().to_string();
        let answer = match receiver.begin(&method, declared, &body, &headers) {
            Begin::Answer(answer) => answer,
            Begin::Process(mut processing) => match handler.run(&processing.event) {
                Ok(()) => processing.ticket.finish_ok(),
                Err(reason) => processing.ticket.finish_failed(&reason),
            }
            .map_err(|e| e.to_string())?,
        };
        println!(
            "ANSWERED  {:<7} {}",
            answer.log_level.as_str(),
            answer.log_message
        );
        let headers = answer.headers();
        let mut response = tiny_http::Response::from_data(answer.body.into_bytes())
            .with_status_code(answer.status);
        for (name, value) in headers {
            let header = tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes())
                .map_err(|_| format!("the answer has an invalid header {name}"))?;
            response.add_header(header);
        }
        let _ = request.respond(response);
        if max_requests.is_some_and(|max| served >= max) {
            break;
        }
    }
    Ok(ExitCode::SUCCESS)
}
