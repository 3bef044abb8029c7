//! `send`: deliver like Palisade does, and report what the receiver did with each delivery.

use std::path::PathBuf;
use std::process::ExitCode;
use std::thread::sleep;
use std::time::{Duration, Instant};

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use clap::Args;
use palisade_webhooks::testing::TestSigner;
use palisade_webhooks::ErrorCode;
use serde::Serialize;

use crate::capture::DeliveryLine;
use crate::commands::load_signer;

#[derive(Args)]
pub(crate) struct SendArgs {
    /// The receiver's URL (plain http, e.g. http://127.0.0.1:8000/webhooks/palisade).
    url: String,
    /// A file of delivery JSON lines (as printed by `sign`) to replay.
    #[arg(long)]
    deliveries: Option<PathBuf>,
    /// Send the built-in scripted batch: valid TRANSACTION, WALLET and APPROVAL events, a
    /// duplicate, a tampered payload, a missing signature and a delivery signed by another key.
    #[arg(long, value_parser = ["demo"])]
    scenario: Option<String>,
    /// Private key to sign with (for --scenario, or --domain/--resource).
    #[arg(long)]
    key_file: Option<PathBuf>,
    /// Sign and send one resource of this domain (with --resource).
    #[arg(long, requires_all = ["resource", "key_file"])]
    domain: Option<String>,
    /// JSON file holding the resource (with --domain).
    #[arg(long)]
    resource: Option<PathBuf>,
    /// Also send this many duplicates (earlier deliveries again, round-robin).
    #[arg(long, default_value_t = 0)]
    duplicates: usize,
    /// Tamper with every payload after signing (the receiver must refuse each one).
    #[arg(long)]
    tamper: bool,
    /// Attempts per delivery (Palisade retries non-2xx answers and timeouts).
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=20))]
    attempts: u32,
    /// Per-attempt timeout in seconds (Palisade waits 30 s).
    #[arg(long, default_value_t = 30)]
    timeout: u64,
    /// Delay before the first retry, in milliseconds; doubled for each later retry.
    #[arg(long, default_value_t = 500)]
    backoff_ms: u64,
    /// Name of the receiver in the summary.
    #[arg(long, default_value = "receiver")]
    name: String,
    /// Write the results as JSON to this file.
    #[arg(long)]
    summary_json: Option<PathBuf>,
    /// Exit 1 when a delivery's outcome differs from what it expected.
    #[arg(long)]
    check: bool,
}

/// What happened to one delivery.
#[derive(Debug, Serialize)]
pub(crate) struct Outcome {
    label: String,
    expect: Option<String>,
    expect_error: Option<String>,
    /// `verified`, `duplicate`, `in_progress`, `rejected` or `unreachable`.
    outcome: String,
    status: Option<u16>,
    error: Option<String>,
    attempts: u32,
    matches: bool,
}

pub(crate) fn run(args: SendArgs) -> Result<ExitCode, String> {
    let mut batch = build_batch(&args)?;
    if batch.is_empty() {
        return Err("nothing to send: give --scenario, --deliveries or --domain/--resource".into());
    }
    if args.tamper {
        for line in &mut batch {
            tamper(line)?;
        }
    }
    let originals = batch.len();
    for i in 0..args.duplicates {
        let mut dup = batch[i % originals].clone();
        dup.label = Some(format!(
            "duplicate of {}",
            dup.label.as_deref().unwrap_or("delivery")
        ));
        if dup.expect.as_deref() == Some("verified") {
            dup.expect = Some("duplicate".into());
        }
        batch.push(dup);
    }

    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(args.timeout)))
        .http_status_as_error(false)
        .build()
        .into();

    let mut outcomes = Vec::new();
    for (i, line) in batch.iter().enumerate() {
        let label = line
            .label
            .clone()
            .unwrap_or_else(|| format!("delivery {}", i + 1));
        outcomes.push(deliver(&agent, &args, line, label));
    }
    print_summary(&args.name, &outcomes);
    if let Some(path) = &args.summary_json {
        let json = serde_json::json!({"receiver": args.name, "url": args.url, "results": outcomes});
        std::fs::write(path, json.to_string())
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    let all_match = outcomes.iter().all(|o| o.matches);
    Ok(if args.check && !all_match {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn deliver(agent: &ureq::Agent, args: &SendArgs, line: &DeliveryLine, label: String) -> Outcome {
    let mut backoff = Duration::from_millis(args.backoff_ms);
    let mut attempt = 0;
    let (outcome, status, error) = loop {
        attempt += 1;
        let started = Instant::now();
        let mut request = agent.post(&args.url);
        for (name, value) in &line.headers {
            request = request.header(name.as_str(), value.as_str());
        }
        let result = request.send(line.body.as_bytes());
        let elapsed = started.elapsed().as_millis();
        let (outcome, status, error) = match result {
            Ok(response) => {
                let status = response.status().as_u16();
                let text = response.into_body().read_to_string().unwrap_or_default();
                classify(status, &text)
            }
            Err(e) => ("unreachable".to_string(), None, Some(e.to_string())),
        };
        println!(
            "  {label}: attempt {attempt}/{} -> {} in {elapsed} ms{}",
            args.attempts,
            status.map_or("no answer".to_string(), |s| format!("HTTP {s}")),
            error
                .as_deref()
                .map(|e| format!(" ({e})"))
                .unwrap_or_default()
        );
        let success = status.is_some_and(|s| (200..300).contains(&s));
        if success || attempt >= args.attempts {
            break (outcome, status, error);
        }
        sleep(backoff);
        backoff *= 2;
    };
    let matches = match line.expect.as_deref() {
        None => true,
        Some(expected) => {
            expected == outcome && (line.expect_error.is_none() || line.expect_error == error)
        }
    };
    Outcome {
        label,
        expect: line.expect.clone(),
        expect_error: line.expect_error.clone(),
        outcome,
        status,
        error,
        attempts: attempt,
        matches,
    }
}

/// Reads the receiver's answer: 2xx is verified (or `{"status":"duplicate"}`), anything else is
/// a refusal whose `{"error": CODE}` names the reason.
fn classify(status: u16, body: &str) -> (String, Option<u16>, Option<String>) {
    let json: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
    let field = |name: &str| json.get(name).and_then(|v| v.as_str()).map(str::to_string);
    let outcome = match (status, field("status").as_deref()) {
        (200..=299, Some("duplicate")) => "duplicate",
        (200..=299, _) => "verified",
        (409, _) => "in_progress",
        _ => "rejected",
    };
    let error = if (200..300).contains(&status) {
        None
    } else {
        field("error")
            .or_else(|| field("code"))
            .or_else(|| Some(format!("HTTP {status}")))
    };
    (outcome.to_string(), Some(status), error)
}

fn print_summary(name: &str, outcomes: &[Outcome]) {
    println!("\n{name}: {} deliveries", outcomes.len());
    println!(
        "  {:<34} {:<10} {:<12} {:<26}",
        "delivery", "expected", "outcome", "error"
    );
    for o in outcomes {
        println!(
            "  {:<34} {:<10} {:<12} {:<26} {}",
            o.label,
            o.expect.as_deref().unwrap_or("-"),
            o.outcome,
            o.error.as_deref().unwrap_or("-"),
            if o.matches { "ok" } else { "UNEXPECTED" }
        );
    }
    let count = |what: &str| outcomes.iter().filter(|o| o.outcome == what).count();
    println!(
        "  verified {}, duplicate {}, rejected {}, other {}",
        count("verified"),
        count("duplicate"),
        count("rejected"),
        outcomes.len() - count("verified") - count("duplicate") - count("rejected")
    );
}

fn build_batch(args: &SendArgs) -> Result<Vec<DeliveryLine>, String> {
    let mut batch = Vec::new();
    if let Some(path) = &args.deliveries {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        for (n, line) in text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
        {
            batch.push(
                serde_json::from_str(line)
                    .map_err(|e| format!("{} line {}: {e}", path.display(), n + 1))?,
            );
        }
    }
    if let (Some(domain), Some(resource)) = (&args.domain, &args.resource) {
        let signer = load_signer(args.key_file.as_ref().ok_or("--key-file is required")?)?;
        let json = std::fs::read_to_string(resource)
            .map_err(|e| format!("cannot read {}: {e}", resource.display()))?;
        batch.push(line_for(&signer, domain, json.trim(), domain, None, None)?);
    }
    if args.scenario.is_some() {
        let key_file = args
            .key_file
            .as_ref()
            .ok_or("--scenario needs --key-file (the receiver's key pair)")?;
        batch.extend(demo_scenario(&load_signer(key_file)?)?);
    }
    Ok(batch)
}

fn line_for(
    signer: &TestSigner,
    domain: &str,
    json: &str,
    label: &str,
    expect: Option<&str>,
    expect_error: Option<&str>,
) -> Result<DeliveryLine, String> {
    let d = signer.delivery(domain, json).map_err(|e| e.to_string())?;
    Ok(DeliveryLine {
        label: Some(label.to_string()),
        expect: expect.map(str::to_string),
        expect_error: expect_error.map(str::to_string),
        domain: Some(domain.to_string()),
        headers: d.headers,
        body: String::from_utf8(d.body).map_err(|e| e.to_string())?,
    })
}

/// The scripted batch `make demo` sends to every receiver.
pub(crate) fn demo_scenario(signer: &TestSigner) -> Result<Vec<DeliveryLine>, String> {
    let tx = r#"{"id":"tx-demo-1","walletId":"w-demo-1","status":"CONFIRMED","action":"DEPOSIT","blockchain":"ETHEREUM","asset":{"symbol":"USDC","decimals":6},"qty":"250.00","updatedAt":"2025-05-08T14:15:37.120Z"}"#;
    let wallet = r#"{"id":"w-demo-1","name":"treasury","blockchain":"ETHEREUM","keystore":"HSM","status":"PROVISIONED","updatedAt":"2025-04-08T11:48:56.900490Z"}"#;
    let approval = r#"{"id":"ap-demo-1","approvalSetId":"set-1","userId":"u-7","status":"APPROVED","updatedAt":"2025-05-08T14:10:00Z"}"#;
    let v = Some("verified");
    let r = Some("rejected");
    let mut batch = vec![
        line_for(signer, "TRANSACTION", tx, "TRANSACTION confirmed", v, None)?,
        line_for(signer, "WALLET", wallet, "WALLET provisioned", v, None)?,
        line_for(signer, "APPROVAL", approval, "APPROVAL approved", v, None)?,
    ];
    let mut duplicate = batch[0].clone();
    duplicate.label = Some("TRANSACTION again (retry)".into());
    duplicate.expect = Some("duplicate".into());
    batch.push(duplicate);

    let mut tampered = line_for(
        signer,
        "TRANSACTION",
        tx,
        "tampered payload",
        r,
        Some(ErrorCode::InvalidSignature.as_str()),
    )?;
    tamper(&mut tampered)?;
    batch.push(tampered);

    let mut unsigned = line_for(
        signer,
        "WALLET",
        wallet,
        "missing signature",
        r,
        Some(ErrorCode::MissingSignature.as_str()),
    )?;
    unsigned
        .headers
        .retain(|(k, _)| !palisade_webhooks::is_signature_header(k));
    batch.push(unsigned);

    batch.push(line_for(
        &TestSigner::generate(),
        "APPROVAL",
        approval,
        "signed by another key",
        r,
        Some(ErrorCode::InvalidSignature.as_str()),
    )?);
    Ok(batch)
}

/// Changes the signed payload (a different quantity) while keeping it valid base64 JSON, so
/// only the signature check can catch it.
fn tamper(line: &mut DeliveryLine) -> Result<(), String> {
    let mut envelope: serde_json::Value =
        serde_json::from_str(&line.body).map_err(|e| format!("not an envelope: {e}"))?;
    let payload = envelope["payload"]
        .as_str()
        .ok_or("the envelope has no payload")?;
    let decoded = STANDARD
        .decode(payload)
        .map_err(|_| "the payload is not base64".to_string())?;
    let mut resource: serde_json::Value =
        serde_json::from_slice(&decoded).map_err(|_| "the payload is not JSON".to_string())?;
    resource["tampered"] = serde_json::Value::Bool(true);
    envelope["payload"] = STANDARD.encode(resource.to_string()).into();
    line.body = envelope.to_string();
    line.expect = Some("rejected".into());
    line.expect_error = Some(ErrorCode::InvalidSignature.as_str().into());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classify_answers() {
        assert_eq!(classify(200, "").0, "verified");
        assert_eq!(classify(200, r#"{"status":"duplicate"}"#).0, "duplicate");
        let (o, s, e) = classify(401, r#"{"error":"ERR_INVALID_SIGNATURE"}"#);
        assert_eq!(
            (o.as_str(), s, e.as_deref()),
            ("rejected", Some(401), Some("ERR_INVALID_SIGNATURE"))
        );
        assert_eq!(classify(500, "oops").2.as_deref(), Some("HTTP 500"));
        assert_eq!(classify(409, "").0, "in_progress");
    }

    #[test]
    fn scenario_is_what_it_says() {
        let signer = TestSigner::from_seed(5);
        let webhook =
            palisade_webhooks::Webhook::from_keys(&[signer.public_key_b64()], Default::default())
                .unwrap();
        for line in demo_scenario(&signer).unwrap() {
            let result = webhook.verify(line.body.as_bytes(), &line.headers);
            match line.expect.as_deref() {
                Some("verified") | Some("duplicate") => assert!(result.is_ok()),
                Some("rejected") => assert_eq!(
                    result.unwrap_err().code().as_str(),
                    line.expect_error.as_deref().unwrap()
                ),
                other => panic!("{other:?}"),
            }
        }
    }
}
