//! `palisade-webhooks`: the developer loop for Palisade webhook receivers — make test keys, sign
//! and send realistic deliveries to a local receiver, receive them, verify a captured one, and
//! diagnose why one does not verify.

mod capture;
mod commands;
mod send;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Parser)]
#[command(
    name = "palisade-webhooks",
    version,
    about = "Test sender, local receiver and diagnostics for Palisade webhooks",
    long_about = "Test sender, local receiver and diagnostics for Palisade webhooks.\n\n\
        Palisade POSTs a JSON envelope whose base64 `payload` is signed with ECDSA P-256 \
        (SHA-256, DER, base64) in the `Signature` header. These commands produce and check \
        exactly that, offline, with the same core and error codes as the Python, Node and Go SDKs."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create a test key pair: the private key (PKCS#8 PEM) to sign with, and the public key as
    /// the Palisade console shows it.
    Keygen {
        /// Where to write the private key (it is printed to stdout when omitted).
        #[arg(long, short)]
        out: Option<PathBuf>,
        /// Also write the public key (base64 DER, one line) to this file.
        #[arg(long)]
        public_out: Option<PathBuf>,
    },
    /// Print a signed delivery (one JSON line: domain, headers, body) for a resource.
    Sign(SignArgs),
    /// POST deliveries to a receiver like Palisade does: retries with backoff on non-2xx and
    /// timeouts, a bounded number of attempts; prints each attempt and a summary.
    Send(send::SendArgs),
    /// Run a local receiver that verifies deliveries, prints the events, and answers what every
    /// SDK's receiver answers (the core's answers: statuses, JSON bodies, log lines).
    Listen {
        /// Port on 127.0.0.1 (0 picks a free one and prints it).
        #[arg(long, short, default_value_t = 8787)]
        port: u16,
        #[command(flatten)]
        key: KeyArgs,
        /// Digest construction.
        #[arg(long, value_enum, default_value_t = DigestArg::Sha256)]
        digest: DigestArg,
        /// Bodies longer than this are refused (413).
        #[arg(long, default_value_t = palisade_webhooks::DEFAULT_MAX_BODY_BYTES)]
        max_body_bytes: usize,
        /// Stop after this many requests (for scripted use).
        #[arg(long)]
        max_requests: Option<u64>,
        #[command(flatten)]
        processing: commands::ProcessingArgs,
    },
    /// Verify one captured delivery; exit 0 and print the event, or exit 1 and print the error
    /// code and message.
    Verify {
        #[command(flatten)]
        key: KeyArgs,
        #[command(flatten)]
        input: capture::InputArgs,
        /// Digest construction.
        #[arg(long, value_enum, default_value_t = DigestArg::Sha256)]
        digest: DigestArg,
    },
    /// Explain why a captured delivery does or does not verify: key format or curve, signature
    /// encoding, digest construction, signed bytes, payload.
    Doctor {
        #[command(flatten)]
        key: KeyArgs,
        #[command(flatten)]
        input: capture::InputArgs,
        /// Print the diagnosis as JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args)]
struct SignArgs {
    /// The signing key (PKCS#8 or SEC1 PEM file, as written by `keygen`).
    #[arg(long)]
    key_file: PathBuf,
    /// The event domain: TRANSACTION, WALLET, APPROVAL (others are sent as given).
    #[arg(long)]
    domain: String,
    /// A JSON file holding the resource object (`-` for stdin).
    #[arg(long)]
    resource: PathBuf,
    /// Digest construction to sign with.
    #[arg(long, value_enum, default_value_t = DigestArg::Sha256)]
    digest: DigestArg,
    /// The envelope timestamp (default: now).
    #[arg(long)]
    timestamp: Option<String>,
}

/// The receiver's public key(s).
#[derive(Args, Clone)]
pub(crate) struct KeyArgs {
    /// Public key as the console shows it (base64 DER), PEM, or a SEC1 point in hex/base64.
    /// Repeat during a rotation.
    #[arg(
        long = "key",
        required_unless_present = "key_file",
        allow_hyphen_values = true
    )]
    keys: Vec<String>,
    /// Read the public key from a file instead.
    #[arg(long)]
    key_file: Option<PathBuf>,
}

impl KeyArgs {
    pub(crate) fn resolve(&self) -> Result<Vec<String>, String> {
        let mut keys = self.keys.clone();
        if let Some(path) = &self.key_file {
            keys.push(
                std::fs::read_to_string(path)
                    .map_err(|e| format!("cannot read {}: {e}", path.display()))?,
            );
        }
        Ok(keys)
    }
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum DigestArg {
    /// SHA-256 over the payload string (Palisade's documented construction).
    Sha256,
    /// SHA-256 twice.
    #[value(name = "sha256-double")]
    Sha256Double,
}

impl From<DigestArg> for palisade_webhooks::Digest {
    fn from(d: DigestArg) -> Self {
        match d {
            DigestArg::Sha256 => palisade_webhooks::Digest::Sha256,
            DigestArg::Sha256Double => palisade_webhooks::Digest::Sha256Double,
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Keygen { out, public_out } => commands::keygen(out, public_out),
        Command::Sign(args) => commands::sign(args),
        Command::Send(args) => send::run(args),
        Command::Listen {
            port,
            key,
            digest,
            max_body_bytes,
            max_requests,
            processing,
        } => commands::listen(port, key, digest, max_body_bytes, max_requests, processing),
        Command::Verify { key, input, digest } => commands::verify(key, input, digest),
        Command::Doctor { key, input, json } => commands::doctor(key, input, json),
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}
