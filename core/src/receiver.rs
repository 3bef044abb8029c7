//! The receiving policy: what an HTTP endpoint does with a delivery and what it answers.
//!
//! Every framework adapter, in every language, is I/O around a [`Receiver`]: read the body
//! (bounded by [`Receiver::max_body_bytes`]), call [`Receiver::begin`], run the user's handler
//! when told to, call [`Ticket::finish`], and write the [`Answer`] it gets back — status,
//! headers and JSON body, byte for byte. Nothing else decides a status or a body, so the
//! receivers of every language answer identically (the table is in `docs/receiver.md`).
//!
//! The two phases exist so that no callback crosses a language boundary: the handler runs in
//! the caller's language between `begin` and `finish`.
//!
//! ```
//! use palisade_webhooks::receiver::{Begin, Receiver};
//! use palisade_webhooks::{testing::TestSigner, Deduplicator, Webhook, WebhookOptions};
//!
//! let signer = TestSigner::from_seed(3);
//! let webhook = Webhook::from_keys(&[signer.public_key_b64()], WebhookOptions::default())?;
//! let receiver = Receiver::new(webhook, Some(Deduplicator::in_memory()));
//! let delivery = signer.delivery("WALLET", r#"{"id":"w1","updatedAt":"2025-04-08T11:48:56Z"}"#)?;
//!
//! let answer = match receiver.begin("POST", None, &delivery.body, &delivery.headers) {
//!     Begin::Answer(answer) => answer, // refused, duplicate or in progress: no handler call
//!     Begin::Process(mut processing) => {
//!         let handled: Result<(), String> = Ok(()); // your handler, given processing.event
//!         match handled {
//!             Ok(()) => processing.ticket.finish_ok(),
//!             Err(reason) => processing.ticket.finish_failed(&reason),
//!         }
//!         .expect("a ticket is finished once")
//!     }
//! };
//! assert_eq!((answer.status, answer.body.as_str()), (200, r#"{"status":"processed"}"#));
//!
//! // Palisade's retry of the same delivery is answered without running the handler.
//! let again = receiver.begin("POST", None, &delivery.body, &delivery.headers);
//! assert!(matches!(again, Begin::Answer(a) if a.code == "duplicate"));
//! # Ok::<(), palisade_webhooks::Error>(())
//! ```

use std::fmt;
use std::time::SystemTime;

use serde_json::json;

use crate::dedup::{Claim, ClaimOutcome, Deduplicator};
use crate::error::{Error, ErrorCode};
use crate::event::Event;
use crate::webhook::{HeaderPair, Webhook};

/// The only method Palisade delivers with.
pub const DELIVERY_METHOD: &str = "POST";

/// The `Content-Type` of every answer.
pub const ANSWER_CONTENT_TYPE: &str = "application/json";

/// Longest handler failure reason kept in a log line (the reason is never sent to the caller).
const MAX_REASON_CHARS: usize = 200;

/// What an answer says, as one stable string: the three delivery statuses, the receiver-side
/// error codes, or the delivery error code that refused it. This is the closed set every
/// language puts on the wire (`docs/receiver.md` lists each with its status).
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AnswerCode {
    /// The handler ran and succeeded: 200 `{"status":"processed"}`.
    Processed,
    /// Already processed: 200 `{"status":"duplicate"}`; the handler did not run.
    Duplicate,
    /// Another worker holds the event's claim: 409 `{"status":"in_progress"}`, so Palisade
    /// retries later.
    InProgress,
    /// The handler failed: 500 `ERR_HANDLER_FAILED`; the claim was released so the retry
    /// processes the event again.
    HandlerFailed,
    /// Not a `POST`: 405 `ERR_METHOD_NOT_ALLOWED`, with `Allow: POST`.
    MethodNotAllowed,
    /// The delivery was refused with one of the delivery error codes; the status is
    /// [`ErrorCode::http_status`].
    Refused(ErrorCode),
}

impl AnswerCode {
    /// The codes a receiver adds to the delivery error codes, in a stable order (the bindings'
    /// constants are generated from this list).
    pub const RECEIVER_CODES: [AnswerCode; 5] = [
        AnswerCode::Processed,
        AnswerCode::Duplicate,
        AnswerCode::InProgress,
        AnswerCode::HandlerFailed,
        AnswerCode::MethodNotAllowed,
    ];

    /// The wire string: `"processed"`, `"duplicate"`, `"in_progress"`, `"ERR_HANDLER_FAILED"`,
    /// `"ERR_METHOD_NOT_ALLOWED"`, or the refusal's `ERR_…` code.
    pub const fn as_str(self) -> &'static str {
        match self {
            AnswerCode::Processed => "processed",
            AnswerCode::Duplicate => "duplicate",
            AnswerCode::InProgress => "in_progress",
            AnswerCode::HandlerFailed => "ERR_HANDLER_FAILED",
            AnswerCode::MethodNotAllowed => "ERR_METHOD_NOT_ALLOWED",
            AnswerCode::Refused(code) => code.as_str(),
        }
    }

    /// The HTTP status this answer is sent with.
    pub const fn http_status(self) -> u16 {
        match self {
            AnswerCode::Processed | AnswerCode::Duplicate => 200,
            AnswerCode::InProgress => 409,
            AnswerCode::HandlerFailed => 500,
            AnswerCode::MethodNotAllowed => 405,
            AnswerCode::Refused(code) => code.http_status(),
        }
    }

    /// Whether Palisade counts the answer as delivered (2xx).
    pub const fn is_success(self) -> bool {
        matches!(self, AnswerCode::Processed | AnswerCode::Duplicate)
    }

    /// The fixed message of a receiver-side error code (`None` for statuses and refusals,
    /// whose message comes from the error).
    pub const fn fixed_message(self) -> Option<&'static str> {
        match self {
            AnswerCode::HandlerFailed => Some("the handler failed; the delivery will be retried"),
            AnswerCode::MethodNotAllowed => Some("webhook deliveries are POST requests"),
            _ => None,
        }
    }
}

impl fmt::Display for AnswerCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How loud an answer's log line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LogLevel {
    /// A delivery that went as expected (processed, duplicate, in progress).
    Info,
    /// A refused delivery, or a store failure the answer could absorb.
    Warning,
    /// A handler failure.
    Error,
}

impl LogLevel {
    /// `"info"`, `"warning"` or `"error"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            LogLevel::Info => "info",
            LogLevel::Warning => "warning",
            LogLevel::Error => "error",
        }
    }
}

/// What to answer Palisade, decided by the [`Receiver`]: write `status`, [`Answer::headers`]
/// and `body` as they are, and log `log_message` at `log_level`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Answer {
    /// The HTTP status.
    pub status: u16,
    /// The JSON body, exactly as it goes on the wire.
    pub body: String,
    /// The stable code (see [`AnswerCode`]).
    pub code: &'static str,
    /// The answer's kind, typed.
    pub kind: AnswerCode,
    /// The level of the answer's log line.
    pub log_level: LogLevel,
    /// One log line, e.g. `processed 200 WALLET WALLET/w1/2025-04-08T11:48:56Z`. It names the
    /// idempotency key and error codes, never payload contents.
    pub log_message: String,
}

impl Answer {
    /// The response headers: `Content-Type: application/json`, plus `Allow: POST` on a 405.
    pub fn headers(&self) -> &'static [(&'static str, &'static str)] {
        match self.kind {
            AnswerCode::MethodNotAllowed => &[
                ("Content-Type", ANSWER_CONTENT_TYPE),
                ("Allow", DELIVERY_METHOD),
            ],
            _ => &[("Content-Type", ANSWER_CONTENT_TYPE)],
        }
    }

    /// Whether Palisade counts this answer as delivered (2xx).
    pub fn is_success(&self) -> bool {
        self.kind.is_success()
    }

    fn new(kind: AnswerCode, body: serde_json::Value, level: LogLevel, log: String) -> Answer {
        Answer {
            status: kind.http_status(),
            body: body.to_string(),
            code: kind.as_str(),
            kind,
            log_level: level,
            log_message: log,
        }
    }

    fn status_only(kind: AnswerCode, event: &Event, level: LogLevel, note: &str) -> Answer {
        let log = format!(
            "{} {} {} {}{}",
            kind.as_str(),
            kind.http_status(),
            event.domain,
            event.idempotency_key,
            note
        );
        Answer::new(kind, json!({ "status": kind.as_str() }), level, log)
    }

    fn refused(error: &Error) -> Answer {
        let kind = AnswerCode::Refused(error.code());
        let log = format!("rejected {} {}", kind.http_status(), error);
        Answer::new(
            kind,
            json!({ "error": kind.as_str(), "message": error.message() }),
            LogLevel::Warning,
            log,
        )
    }

    fn receiver_error(kind: AnswerCode, level: LogLevel, log: String) -> Answer {
        let message = kind.fixed_message().unwrap_or_default();
        Answer::new(
            kind,
            json!({ "error": kind.as_str(), "message": message }),
            level,
            log,
        )
    }
}

/// The result of [`Receiver::begin`]: answer at once, or run the handler.
#[derive(Debug)]
#[allow(clippy::large_enum_variant)] // the common case; boxing would cost an allocation per delivery
pub enum Begin {
    /// Answer this without running the handler (refused, duplicate, in progress, too large,
    /// wrong method).
    Answer(Answer),
    /// Run the handler with the event, then finish the ticket and answer what it returns.
    Process(Processing),
}

/// A verified delivery to process: the event, and the ticket that settles it.
#[derive(Debug)]
#[non_exhaustive]
pub struct Processing {
    /// The verified event.
    pub event: Event,
    /// Finish it once the handler has run.
    pub ticket: Ticket,
}

/// How the handler went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The handler succeeded: the event is recorded as processed.
    Succeeded,
    /// The handler failed (the reason is logged, never sent): the claim is released so
    /// Palisade's retry processes the event again.
    Failed(String),
}

/// The error of finishing a ticket twice. Every language raises its own form of it, with the
/// code [`TicketSettled::CODE`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TicketSettled;

impl TicketSettled {
    /// The stable code.
    pub const CODE: &'static str = "ERR_TICKET_SETTLED";
    /// The message.
    pub const MESSAGE: &'static str =
        "this ticket was already finished: a delivery is settled exactly once";
}

impl fmt::Display for TicketSettled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", Self::CODE, Self::MESSAGE)
    }
}

impl std::error::Error for TicketSettled {}

/// The right and the duty to settle one delivery: finish it exactly once, with the handler's
/// outcome. A ticket dropped unsettled releases its claim (as a failure would), so a handler
/// that vanished does not block the event until the lease ends.
pub struct Ticket {
    state: Option<Pending>,
}

struct Pending {
    dedup: Option<Deduplicator>,
    claim: Option<Claim>,
    /// `"{domain} {idempotency_key}"`, for log lines.
    label: String,
}

impl fmt::Debug for Ticket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ticket")
            .field("settled", &self.is_settled())
            .finish_non_exhaustive()
    }
}

impl Ticket {
    /// Whether the ticket was finished already.
    pub fn is_settled(&self) -> bool {
        self.state.is_none()
    }

    /// Settles the delivery with the handler's outcome and returns what to answer. A second
    /// call fails with [`TicketSettled`] and changes nothing.
    ///
    /// - success: the key is completed and the answer is 200 `processed`. When the store
    ///   fails to record it, the answer is still 200 (the work is done; answering non-2xx would
    ///   make Palisade retry and run the handler a second time once the lease ends) and the log
    ///   line, at warning level, says so.
    /// - failure: the claim is released and the answer is 500 `ERR_HANDLER_FAILED`; when the
    ///   store cannot release, the retry is processed once the lease ends.
    pub fn finish(&mut self, outcome: Outcome) -> Result<Answer, TicketSettled> {
        let pending = self.state.take().ok_or(TicketSettled)?;
        Ok(match outcome {
            Outcome::Succeeded => pending.succeeded(),
            Outcome::Failed(reason) => pending.failed(&reason),
        })
    }

    /// [`Ticket::finish`] with [`Outcome::Succeeded`].
    pub fn finish_ok(&mut self) -> Result<Answer, TicketSettled> {
        self.finish(Outcome::Succeeded)
    }

    /// [`Ticket::finish`] with [`Outcome::Failed`].
    pub fn finish_failed(&mut self, reason: &str) -> Result<Answer, TicketSettled> {
        self.finish(Outcome::Failed(reason.to_string()))
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        if let Some(Pending {
            dedup: Some(dedup),
            claim: Some(claim),
            ..
        }) = self.state.take()
        {
            // Best effort: if the store cannot be reached, the lease frees the key.
            let _ = dedup.release(&claim);
        }
    }
}

impl Pending {
    fn succeeded(self) -> Answer {
        let kind = AnswerCode::Processed;
        let (level, note) = match (&self.dedup, &self.claim) {
            (Some(dedup), Some(claim)) => match dedup.complete(claim) {
                Ok(true) => (LogLevel::Info, String::new()),
                Ok(false) => (
                    LogLevel::Warning,
                    " (the claim's lease ran out before completion and another worker may \
                     have processed the event too: make the handler faster or the lease longer)"
                        .to_string(),
                ),
                Err(e) => (
                    LogLevel::Warning,
                    format!(
                        " (the store did not record the completion: {e}; a redelivery after the \
                         lease ends would run the handler again)"
                    ),
                ),
            },
            _ => (LogLevel::Info, String::new()),
        };
        let log = format!(
            "{} {} {}{}",
            kind.as_str(),
            kind.http_status(),
            self.label,
            note
        );
        Answer::new(kind, json!({ "status": kind.as_str() }), level, log)
    }

    fn failed(self, reason: &str) -> Answer {
        let kind = AnswerCode::HandlerFailed;
        let released = match (&self.dedup, &self.claim) {
            (Some(dedup), Some(claim)) => dedup.release(claim).err(),
            _ => None,
        };
        let mut log = format!(
            "failed {} {}: the handler failed: {}",
            kind.http_status(),
            self.label,
            bounded(reason)
        );
        if let Some(e) = released {
            log.push_str(&format!(
                " (the store did not release the claim: {e}; the retry is processed once the \
                 lease ends)"
            ));
        }
        Answer::receiver_error(kind, LogLevel::Error, log)
    }
}

/// At most [`MAX_REASON_CHARS`] characters of a handler's failure reason.
fn bounded(reason: &str) -> String {
    match reason.char_indices().nth(MAX_REASON_CHARS) {
        Some((cut, _)) => format!("{}…", &reason[..cut]),
        None => reason.to_string(),
    }
}

/// A webhook endpoint's whole receiving policy: verification, deduplication and the answers.
///
/// Build it once and share it (`Send + Sync`, cheap to clone). See the [module](self) docs.
#[derive(Debug, Clone)]
pub struct Receiver {
    webhook: Webhook,
    dedup: Option<Deduplicator>,
}

impl Receiver {
    /// A receiver verifying with `webhook` and, when given, deduplicating with `dedup`.
    pub fn new(webhook: Webhook, dedup: Option<Deduplicator>) -> Receiver {
        Receiver { webhook, dedup }
    }

    /// The verifier.
    pub fn webhook(&self) -> &Webhook {
        &self.webhook
    }

    /// The deduplicator, if any.
    pub fn deduplicator(&self) -> Option<&Deduplicator> {
        self.dedup.as_ref()
    }

    /// The most body bytes worth reading: adapters read at most one byte more than this (so an
    /// oversize body without a declared length is still recognised) and pass what they read.
    pub fn max_body_bytes(&self) -> usize {
        self.webhook.options().max_body_bytes
    }

    /// Starts receiving one request.
    ///
    /// `method` is the request's method; `declared_length` its `Content-Length`, when it sent
    /// one (a declared length over the limit is refused without looking at `body`, so the
    /// adapter need not read it); `body` the bytes read, at most `max_body_bytes() + 1`;
    /// `headers` the request's headers in the order received.
    ///
    /// Checks run in this order: method (405), declared length and body size (413), then
    /// verification ([`Webhook::verify`]'s order), then the claim (duplicate 200, in progress
    /// 409, store unavailable 503).
    pub fn begin<I>(
        &self,
        method: &str,
        declared_length: Option<u64>,
        body: &[u8],
        headers: I,
    ) -> Begin
    where
        I: IntoIterator,
        I::Item: HeaderPair,
    {
        self.begin_at(method, declared_length, body, headers, SystemTime::now())
    }

    /// [`Receiver::begin`] with an explicit "now" for the `max_age` check (for tests).
    pub fn begin_at<I>(
        &self,
        method: &str,
        declared_length: Option<u64>,
        body: &[u8],
        headers: I,
        now: SystemTime,
    ) -> Begin
    where
        I: IntoIterator,
        I::Item: HeaderPair,
    {
        if method != DELIVERY_METHOD {
            let kind = AnswerCode::MethodNotAllowed;
            // The method is unauthenticated input: log its length class, not its text.
            let log = format!(
                "rejected {} {}: a {}-byte method that is not POST",
                kind.http_status(),
                kind.as_str(),
                method.len()
            );
            return Begin::Answer(Answer::receiver_error(kind, LogLevel::Warning, log));
        }
        if let Some(refusal) = self.size_refusal(declared_length, body.len()) {
            return Begin::Answer(Answer::refused(&refusal));
        }
        let event = match self.webhook.verify_at(body, headers, now) {
            Ok(event) => event,
            Err(e) => return Begin::Answer(Answer::refused(&e)),
        };
        let claim = match &self.dedup {
            None => None,
            Some(dedup) => match dedup.claim(&event.idempotency_key) {
                Ok(ClaimOutcome::New(claim)) => Some(claim),
                Ok(ClaimOutcome::Duplicate) => {
                    return Begin::Answer(Answer::status_only(
                        AnswerCode::Duplicate,
                        &event,
                        LogLevel::Info,
                        "",
                    ))
                }
                Ok(ClaimOutcome::InProgress) => {
                    return Begin::Answer(Answer::status_only(
                        AnswerCode::InProgress,
                        &event,
                        LogLevel::Info,
                        " (another worker holds the claim; Palisade will retry)",
                    ))
                }
                Err(e) => return Begin::Answer(Answer::refused(&e)),
            },
        };
        let ticket = Ticket {
            state: Some(Pending {
                dedup: self.dedup.clone(),
                claim,
                label: format!("{} {}", event.domain, event.idempotency_key),
            }),
        };
        Begin::Process(Processing { event, ticket })
    }

    /// The body-size refusal, if any. The message does not depend on how much of an
    /// undeclared body an adapter happened to read, so every adapter answers the same bytes.
    fn size_refusal(&self, declared_length: Option<u64>, read: usize) -> Option<Error> {
        let limit = self.max_body_bytes();
        match declared_length {
            Some(declared) if declared > limit as u64 => Some(Error::new(
                ErrorCode::BodyTooLarge,
                format!(
                    "the body is {declared} bytes (Content-Length), over max_body_bytes = {limit}"
                ),
            )),
            _ if read > limit => Some(Error::new(
                ErrorCode::BodyTooLarge,
                format!("the body is over max_body_bytes = {limit}"),
            )),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::dedup::MemoryStore;
    use crate::testing::{FailAt, FaultyStore, TestSigner};
    use crate::webhook::WebhookOptions;

    fn setup(dedup: Option<Deduplicator>) -> (TestSigner, Receiver) {
        let signer = TestSigner::from_seed(11);
        let webhook =
            Webhook::from_keys(&[signer.public_key_b64()], WebhookOptions::default()).unwrap();
        (signer, Receiver::new(webhook, dedup))
    }

    fn delivery(signer: &TestSigner) -> crate::testing::Delivery {
        signer
            .delivery(
                "TRANSACTION",
                r#"{"id":"tx-1","updatedAt":"2025-05-08T14:15:37Z","status":"CONFIRMED"}"#,
            )
            .unwrap()
    }

    fn processing(begin: Begin) -> Processing {
        match begin {
            Begin::Process(p) => p,
            Begin::Answer(a) => panic!("expected processing, got {a:?}"),
        }
    }

    fn answer(begin: Begin) -> Answer {
        match begin {
            Begin::Answer(a) => a,
            Begin::Process(p) => panic!("expected an answer, got {:?}", p.event.idempotency_key),
        }
    }

    #[test]
    fn processed_then_duplicate() {
        let (signer, receiver) = setup(Some(Deduplicator::in_memory()));
        let d = delivery(&signer);
        let mut p = processing(receiver.begin("POST", None, &d.body, &d.headers));
        let a = p.ticket.finish_ok().unwrap();
        assert_eq!(a.status, 200);
        assert_eq!(a.body, r#"{"status":"processed"}"#);
        assert_eq!(a.log_level, LogLevel::Info);
        let dup = answer(receiver.begin("POST", None, &d.body, &d.headers));
        assert_eq!((dup.status, dup.code), (200, "duplicate"));
        assert_eq!(dup.body, r#"{"status":"duplicate"}"#);
    }

    #[test]
    fn a_ticket_settles_once() {
        let (signer, receiver) = setup(Some(Deduplicator::in_memory()));
        let d = delivery(&signer);
        let mut p = processing(receiver.begin("POST", None, &d.body, &d.headers));
        p.ticket.finish_ok().unwrap();
        assert!(p.ticket.is_settled());
        assert_eq!(p.ticket.finish_failed("again"), Err(TicketSettled));
        // The first settlement stands: the key is completed.
        let dup = answer(receiver.begin("POST", None, &d.body, &d.headers));
        assert_eq!(dup.code, "duplicate");
    }

    #[test]
    fn concurrent_delivery_is_in_progress_and_failure_releases() {
        let (signer, receiver) = setup(Some(Deduplicator::in_memory()));
        let d = delivery(&signer);
        let mut first = processing(receiver.begin("POST", None, &d.body, &d.headers));
        let second = answer(receiver.begin("POST", None, &d.body, &d.headers));
        assert_eq!(
            (second.status, second.body.as_str()),
            (409, r#"{"status":"in_progress"}"#)
        );
        let failed = first.ticket.finish_failed("boom: secret detail").unwrap();
        assert_eq!(failed.status, 500);
        assert_eq!(
            failed.body,
            r#"{"error":"ERR_HANDLER_FAILED","message":"the handler failed; the delivery will be retried"}"#
        );
        assert!(!failed.body.contains("secret"));
        assert!(failed.log_message.contains("boom: secret detail"));
        assert_eq!(failed.log_level, LogLevel::Error);
        // Released: the retry is processed.
        processing(receiver.begin("POST", None, &d.body, &d.headers));
    }

    #[test]
    fn dropping_an_unsettled_ticket_releases_its_claim() {
        let (signer, receiver) = setup(Some(Deduplicator::in_memory()));
        let d = delivery(&signer);
        drop(processing(
            receiver.begin("POST", None, &d.body, &d.headers),
        ));
        processing(receiver.begin("POST", None, &d.body, &d.headers));
    }

    #[test]
    fn store_failing_at_complete_still_answers_processed() {
        let store = Arc::new(FaultyStore::new(
            Arc::new(MemoryStore::default()),
            FailAt::Complete,
        ));
        let (signer, receiver) = setup(Some(Deduplicator::new(store)));
        let d = delivery(&signer);
        let mut p = processing(receiver.begin("POST", None, &d.body, &d.headers));
        let a = p.ticket.finish_ok().unwrap();
        assert_eq!((a.status, a.code), (200, "processed"));
        assert_eq!(a.log_level, LogLevel::Warning);
        assert!(
            a.log_message.contains("ERR_STORE_UNAVAILABLE"),
            "{}",
            a.log_message
        );
    }

    #[test]
    fn store_failing_at_claim_is_503_and_at_release_still_handler_failed() {
        let store = Arc::new(FaultyStore::new(
            Arc::new(MemoryStore::default()),
            FailAt::Claim,
        ));
        let (signer, receiver) = setup(Some(Deduplicator::new(store)));
        let d = delivery(&signer);
        let a = answer(receiver.begin("POST", None, &d.body, &d.headers));
        assert_eq!((a.status, a.code), (503, "ERR_STORE_UNAVAILABLE"));

        let store = Arc::new(FaultyStore::new(
            Arc::new(MemoryStore::default()),
            FailAt::Release,
        ));
        let (signer, receiver) = setup(Some(Deduplicator::new(store)));
        let d = delivery(&signer);
        let mut p = processing(receiver.begin("POST", None, &d.body, &d.headers));
        let a = p.ticket.finish_failed("nope").unwrap();
        assert_eq!((a.status, a.code), (500, "ERR_HANDLER_FAILED"));
        assert!(
            a.log_message.contains("did not release"),
            "{}",
            a.log_message
        );
    }

    #[test]
    fn method_and_size_are_checked_first() {
        let (signer, receiver) = setup(None);
        let d = delivery(&signer);
        let a = answer(receiver.begin("GET", None, &d.body, &d.headers));
        assert_eq!((a.status, a.code), (405, "ERR_METHOD_NOT_ALLOWED"));
        assert_eq!(
            a.headers(),
            &[("Content-Type", "application/json"), ("Allow", "POST")]
        );
        let limit = receiver.max_body_bytes() as u64;
        let a = answer(receiver.begin("POST", Some(limit + 1), b"", &d.headers));
        assert_eq!((a.status, a.code), (413, "ERR_BODY_TOO_LARGE"));
        assert!(a.body.contains("(Content-Length)"));
        let big = vec![b' '; limit as usize + 1];
        let a = answer(receiver.begin("POST", None, &big, &d.headers));
        assert_eq!(
            a.body,
            r#"{"error":"ERR_BODY_TOO_LARGE","message":"the body is over max_body_bytes = 1048576"}"#
        );
    }

    #[test]
    fn refusals_carry_the_code_and_message() {
        let (signer, receiver) = setup(None);
        let d = delivery(&signer);
        let a = answer(receiver.begin("POST", None, &d.body, Vec::<(String, String)>::new()));
        assert_eq!((a.status, a.code), (401, "ERR_MISSING_SIGNATURE"));
        let v: serde_json::Value = serde_json::from_str(&a.body).unwrap();
        assert_eq!(v["error"], "ERR_MISSING_SIGNATURE");
        assert!(v["message"].as_str().unwrap().contains("Signature"));
        assert_eq!(a.log_level, LogLevel::Warning);
    }

    #[test]
    fn without_a_deduplicator_every_delivery_is_processed() {
        let (signer, receiver) = setup(None);
        let d = delivery(&signer);
        for _ in 0..2 {
            let mut p = processing(receiver.begin("POST", None, &d.body, &d.headers));
            assert_eq!(p.ticket.finish_ok().unwrap().code, "processed");
        }
    }

    #[test]
    fn handler_reasons_are_bounded_in_logs() {
        let (signer, receiver) = setup(None);
        let d = delivery(&signer);
        let mut p = processing(receiver.begin("POST", None, &d.body, &d.headers));
        let a = p.ticket.finish_failed(&"x".repeat(10_000)).unwrap();
        assert!(a.log_message.len() < 400, "{}", a.log_message.len());
    }
}
