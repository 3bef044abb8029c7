//! # palisade-webhooks
//!
//! Verify, parse and deduplicate [Palisade](https://palisade.co) webhook deliveries.
//!
//! Palisade POSTs a JSON envelope whose base64 `payload` is signed with ECDSA P-256 (SHA-256,
//! ASN.1 DER, in the `Signature` header). This crate checks the signature over the payload
//! string exactly as it appears in the envelope, decodes it into a typed [`Event`], derives an
//! idempotency key from signed data only, and deduplicates at-least-once deliveries.
//!
//! ```
//! use palisade_webhooks::{testing::TestSigner, Resource, Webhook, WebhookOptions};
//!
//! // In production the key is the one the Palisade console shows for your webhook.
//! let signer = TestSigner::from_seed(1);
//! let webhook = Webhook::from_keys(&[signer.public_key_b64()], WebhookOptions::default())?;
//!
//! let delivery = signer.delivery(
//!     "TRANSACTION",
//!     r#"{"id":"tx-1","status":"CONFIRMED","updatedAt":"2025-05-08T14:15:37Z","qty":"1.5"}"#,
//! )?;
//! let event = webhook.verify(&delivery.body, &delivery.headers)?;
//! match &event.data {
//!     Resource::Transaction(tx) => assert_eq!(tx.qty.as_deref(), Some("1.5")),
//!     _ => unreachable!(),
//! }
//! # Ok::<(), palisade_webhooks::Error>(())
//! ```
//!
//! The same core backs the Python, Node.js and Go packages: behaviour and error codes
//! ([`ErrorCode`]) are identical in every language.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

/// The repository README's Rust blocks, compiled and run as doctests so they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;

pub mod dedup;
pub mod diagnose;
mod encoding;
mod envelope;
mod error;
mod event;
mod fast;
mod key_cache;
mod keys;
pub mod receiver;
mod resources;
#[cfg(feature = "schema")]
#[doc(hidden)]
pub mod schema;
mod signature;
pub mod testing;
mod webhook;

pub use dedup::{ClaimOutcome, Deduplicator, IdempotencyStore, MemoryStore};
#[cfg(feature = "redis")]
pub use dedup::{RedisOptions, RedisStore};
#[cfg(feature = "sqlite")]
pub use dedup::{SqliteOptions, SqliteStore};
pub use error::{Error, ErrorCode, Result, MAX_MESSAGE_CHARS, TRUNCATION_MARK};
pub use event::{idempotency_key, payload_hash_key, Domain, Event, RawJson, MAX_PAYLOAD_DEPTH};
pub use keys::{Backend, PublicKey};
pub use receiver::{Answer, AnswerCode, Begin, Outcome, Receiver, Ticket};
#[doc(hidden)]
pub use resources::wire_fields;
pub use resources::{
    Approval, ApprovalStatus, Asset, Blockchain, KeyAlgorithm, Keystore, Resource, Transaction,
    TransactionAction, TransactionStatus, TransferParty, Wallet, WalletSettings, WalletStatus,
};
pub use signature::{parse_signature, Digest, UnknownDigest};
pub use webhook::{
    is_signature_header, verify_webhook, HeaderPair, Webhook, WebhookOptions,
    DEFAULT_MAX_BODY_BYTES, SIGNATURE_HEADER,
};
