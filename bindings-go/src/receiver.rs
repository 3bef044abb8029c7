//! The receiving policy of the core, bound 1:1: a `PwReceiver` (a webhook plus an optional
//! deduplicator) begins each request and either answers at once or hands out the verified
//! event and a `PwTicket`; finishing the ticket with the handler's outcome gives the answer.
//! Every status, header and body comes from the core, so an adapter over this ABI writes what
//! it is given and decides nothing.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr;

use palisade_webhooks::receiver::{Answer, Begin, Receiver, Ticket};

use crate::dedup::PwDedup;
use crate::event::PwEvent;
use crate::memory::{
    bytes, free_handle, handle, handle_mut, put, put_handle, text, Headers, PwBuf, PwStr,
};
use crate::status::{guard, Fail, PwError, PwStatus};
use crate::webhook::PwWebhook;

/// A receiver: a verifier and an optional deduplicator, with the policy that decides every
/// answer. Thread-safe.
pub struct PwReceiver {
    inner: Receiver,
}

/// The right and the duty to settle one delivery: finish it once, with the handler's outcome.
/// Use it from one thread at a time.
pub struct PwTicket {
    inner: Ticket,
}

/// What to answer: write `status`, the headers and `body` exactly, and log `log_message` at
/// `log_level`. Free with `pw_answer_free`.
#[repr(C)]
#[derive(Debug)]
pub struct PwAnswer {
    /// The HTTP status.
    pub status: u16,
    /// The stable code, static: `"processed"`, `"duplicate"`, `"in_progress"`,
    /// `"ERR_HANDLER_FAILED"`, `"ERR_METHOD_NOT_ALLOWED"` or the delivery error code that
    /// refused the request.
    pub code: PwStr,
    /// The JSON body, exactly as it goes on the wire.
    pub body: PwBuf,
    /// The response headers, as a JSON array of `[name, value]` pairs, in order.
    pub headers_json: PwBuf,
    /// The level of the log line, static: `"info"`, `"warning"` or `"error"`.
    pub log_level: PwStr,
    /// One log line (names the idempotency key and error codes, never payload contents).
    pub log_message: PwBuf,
}

impl PwAnswer {
    const EMPTY: PwAnswer = PwAnswer {
        status: 0,
        code: PwStr::ABSENT,
        body: PwBuf::EMPTY,
        headers_json: PwBuf::EMPTY,
        log_level: PwStr::ABSENT,
        log_message: PwBuf::EMPTY,
    };

    fn of(answer: Answer) -> Result<PwAnswer, Fail> {
        let headers = serde_json::to_string(answer.headers())
            .map_err(|e| Fail::internal(format!("the answer's headers: {e}")))?;
        Ok(PwAnswer {
            status: answer.status,
            code: PwStr::of(answer.code),
            headers_json: PwBuf::from_string(headers),
            log_level: PwStr::of(answer.log_level.as_str()),
            body: PwBuf::from_string(answer.body),
            log_message: PwBuf::from_string(answer.log_message),
        })
    }
}

/// A receiver over `webhook` and, when `dedup` is not NULL, that deduplicator. It keeps its own
/// references: freeing the webhook or the deduplicator afterwards does not affect it. Free with
/// `pw_receiver_free`.
///
/// # Safety
/// `webhook` NULL or live; `dedup` NULL or live; `out` valid for writes.
#[no_mangle]
pub unsafe extern "C" fn pw_receiver_new(
    webhook: *const PwWebhook,
    dedup: *const PwDedup,
    out: *mut *mut PwReceiver,
    err: *mut PwError,
) -> PwStatus {
    // SAFETY: forwarded.
    unsafe {
        guard(err, || {
            put(out, ptr::null_mut(), "out")?;
            let webhook = handle(webhook, "webhook")?;
            let dedup = dedup.as_ref().map(|d| d.inner.clone());
            let receiver = Receiver::new(webhook.inner.clone(), dedup);
            put_handle(out, PwReceiver { inner: receiver })
        })
    }
}

/// Frees a receiver. Accepts NULL. Tickets it handed out stay valid.
///
/// # Safety
/// `receiver` NULL or a live handle, freed once, used by no other thread.
#[no_mangle]
pub unsafe extern "C" fn pw_receiver_free(receiver: *mut PwReceiver) {
    // SAFETY: forwarded.
    unsafe { free_handle(receiver) }
}

/// The most body bytes worth reading (0 for NULL): read at most one byte more than this, whether
/// or not the request declared a length, and pass what was read to `pw_receiver_begin`.
///
/// # Safety
/// `receiver` NULL or live.
#[no_mangle]
pub unsafe extern "C" fn pw_receiver_max_body_bytes(receiver: *const PwReceiver) -> u64 {
    catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: guaranteed by the caller.
        match unsafe { receiver.as_ref() } {
            Some(r) => u64::try_from(r.inner.max_body_bytes()).unwrap_or(u64::MAX),
            None => 0,
        }
    }))
    .unwrap_or(0)
}

/// Begins receiving one request: `method` as received; `declared_length` its `Content-Length`
/// when `has_declared_length`; `body` the bytes read (at most `pw_receiver_max_body_bytes` + 1);
/// the headers as `header_count` (name, value) pairs passed flat, as for `pw_webhook_verify`.
///
/// On `PW_OK`, exactly one of two things happened:
/// - `*ticket` is NULL: answer `*answer` at once (a refusal, a duplicate, an event in progress,
///   a body too large, a wrong method) without running the handler; free it with
///   `pw_answer_free`.
/// - `*ticket` is a new ticket and `*event` the verified event: run the handler with the event,
///   then finish the ticket (`pw_ticket_finish_ok` / `pw_ticket_finish_failed`) and write the
///   answer that gives. Free the event with `pw_event_free` and the ticket with
///   `pw_ticket_free` (freeing it unfinished releases its claim, as a failure would).
///
/// A failed call (`PW_ERR_INVALID_ARGUMENT`, `PW_ERR_INTERNAL`) leaves all three outputs empty.
///
/// # Safety
/// Pointers valid for their lengths (NULL when 0); `receiver` live; `answer`, `event` and
/// `ticket` valid for writes.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn pw_receiver_begin(
    receiver: *const PwReceiver,
    method: *const u8,
    method_len: usize,
    has_declared_length: bool,
    declared_length: u64,
    body: *const u8,
    body_len: usize,
    header_data: *const u8,
    header_data_len: usize,
    header_lens: *const usize,
    header_count: usize,
    answer: *mut PwAnswer,
    event: *mut *mut PwEvent,
    ticket: *mut *mut PwTicket,
    err: *mut PwError,
) -> PwStatus {
    // SAFETY: the caller's guarantees are forwarded to each helper.
    unsafe {
        guard(err, || {
            put(answer, PwAnswer::EMPTY, "answer")?;
            put(event, ptr::null_mut(), "event")?;
            put(ticket, ptr::null_mut(), "ticket")?;
            let receiver = handle(receiver, "receiver")?;
            let method = text(method, method_len, "method")?;
            let body = bytes(body, body_len, "body")?;
            let headers = Headers::read(header_data, header_data_len, header_lens, header_count)?;
            let declared = has_declared_length.then_some(declared_length);
            match receiver
                .inner
                .begin(&method, declared, body, headers.pairs())
            {
                Begin::Answer(a) => put(answer, PwAnswer::of(a)?, "answer"),
                Begin::Process(p) => {
                    // Both out-pointers were checked above: neither write can fail and leak.
                    put_handle(event, PwEvent { inner: p.event })?;
                    put_handle(ticket, PwTicket { inner: p.ticket })
                }
            }
        })
    }
}

/// Finishes a ticket after the handler succeeded and fills `*answer` with what to answer (free
/// it with `pw_answer_free`). A second finish of the same ticket fails with
/// `PW_ERR_TICKET_SETTLED` and changes nothing.
///
/// # Safety
/// `ticket` NULL or live, used by no other thread during the call; `answer` valid for writes.
#[no_mangle]
pub unsafe extern "C" fn pw_ticket_finish_ok(
    ticket: *mut PwTicket,
    answer: *mut PwAnswer,
    err: *mut PwError,
) -> PwStatus {
    // SAFETY: forwarded.
    unsafe {
        guard(err, || {
            put(answer, PwAnswer::EMPTY, "answer")?;
            let ticket = handle_mut(ticket, "ticket")?;
            let settled = ticket.inner.finish_ok()?;
            put(answer, PwAnswer::of(settled)?, "answer")
        })
    }
}

/// Finishes a ticket after the handler failed, `reason` saying why (logged in the answer's
/// `log_message`, never sent), and fills `*answer` (free it with `pw_answer_free`). A second
/// finish fails with `PW_ERR_TICKET_SETTLED` and changes nothing.
///
/// # Safety
/// `ticket` NULL or live, used by no other thread during the call; `reason` valid for its
/// length (NULL when 0); `answer` valid for writes.
#[no_mangle]
pub unsafe extern "C" fn pw_ticket_finish_failed(
    ticket: *mut PwTicket,
    reason: *const u8,
    reason_len: usize,
    answer: *mut PwAnswer,
    err: *mut PwError,
) -> PwStatus {
    // SAFETY: forwarded.
    unsafe {
        guard(err, || {
            put(answer, PwAnswer::EMPTY, "answer")?;
            let ticket = handle_mut(ticket, "ticket")?;
            let reason = text(reason, reason_len, "reason")?;
            let settled = ticket.inner.finish_failed(&reason)?;
            put(answer, PwAnswer::of(settled)?, "answer")
        })
    }
}

/// Frees a ticket. Accepts NULL. A ticket freed unfinished releases its claim (as a failure
/// would, without an answer), so the event is not blocked until the lease ends; that is store
/// I/O, bounded by the store's timeouts.
///
/// # Safety
/// `ticket` NULL or a live ticket, freed once, used by no other thread.
#[no_mangle]
pub unsafe extern "C" fn pw_ticket_free(ticket: *mut PwTicket) {
    // SAFETY: forwarded.
    unsafe { free_handle(ticket) }
}

/// Frees an answer's buffers and resets it to empty. Accepts NULL.
///
/// # Safety
/// `answer` NULL or filled by this library (or zeroed).
#[no_mangle]
pub unsafe extern "C" fn pw_answer_free(answer: *mut PwAnswer) {
    let _ = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: guaranteed by the caller.
        if let Some(a) = unsafe { answer.as_mut() } {
            // SAFETY: each buffer was filled by this library (or is empty).
            unsafe {
                a.body.release();
                a.headers_json.release();
                a.log_message.release();
            }
            *a = PwAnswer::EMPTY;
        }
    }));
}
