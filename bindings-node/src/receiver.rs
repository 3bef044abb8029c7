//! The core's `Receiver`, `Ticket` and `Answer`, bound 1:1.
//!
//! Each operation comes twice: on the calling thread (`begin`, `finishOk`, `finishFailed`) and
//! on the libuv thread pool (`beginAsync`, ...), for stores that do disk or network I/O. The
//! async forms copy the body and read the headers before they leave the JS thread.

use std::cell::RefCell;
use std::sync::Arc;

use napi::bindgen_prelude::*;
use napi_derive::napi;
use palisade_webhooks::receiver::{Answer, Begin, Outcome, Receiver, Ticket, TicketSettled};

use crate::dedup::JsDeduplicator;
use crate::event::JsEvent;
use crate::{arg_err, internal_err, read_delivery, JsWebhook};

/// What to answer: status, headers and the exact JSON body, plus the log line.
#[napi(object, object_from_js = false)]
pub struct NativeAnswer {
    pub status: u32,
    pub body: String,
    pub code: String,
    pub headers: Vec<Vec<String>>,
    pub log_level: String,
    pub log_message: String,
}

impl From<Answer> for NativeAnswer {
    fn from(a: Answer) -> Self {
        NativeAnswer {
            status: u32::from(a.status),
            headers: a
                .headers()
                .iter()
                .map(|(n, v)| vec![n.to_string(), v.to_string()])
                .collect(),
            code: a.code.to_string(),
            log_level: a.log_level.as_str().to_string(),
            log_message: a.log_message,
            body: a.body,
        }
    }
}

/// What `begin` decided: an answer, or an event with the ticket that settles it.
#[napi(object, object_from_js = false)]
pub struct NativeBegin {
    pub answer: Option<NativeAnswer>,
    pub event: Option<JsEvent>,
    pub ticket: Option<JsTicket>,
}

fn begun(begin: Begin, blocking: bool) -> NativeBegin {
    match begin {
        Begin::Answer(answer) => NativeBegin {
            answer: Some(answer.into()),
            event: None,
            ticket: None,
        },
        Begin::Process(p) => NativeBegin {
            answer: None,
            event: Some(JsEvent::from(p.event)),
            ticket: Some(JsTicket {
                ticket: RefCell::new(Some(p.ticket)),
                blocking,
            }),
        },
    }
}

fn settled() -> napi::Error<String> {
    napi::Error::new(
        TicketSettled::CODE.to_string(),
        TicketSettled::MESSAGE.to_string(),
    )
}

/// A declared `Content-Length`: a non-negative integer, or null.
fn declared(value: Option<f64>) -> napi::Result<Option<u64>, String> {
    match value {
        None => Ok(None),
        Some(n) if n.is_finite() && n >= 0.0 && n.fract() == 0.0 => Ok(Some(n as u64)),
        Some(_) => Err(arg_err("declaredLength must be a non-negative integer")),
    }
}

/// The native receiver behind `Receiver` (see `lib/receiver.js`).
#[napi(js_name = "NativeReceiver")]
pub struct JsReceiver {
    inner: Arc<Receiver>,
    /// Whether the deduplicator's store does disk or network I/O (see `JsTicket`'s `Drop`).
    blocking: bool,
}

#[napi]
impl JsReceiver {
    /// A receiver verifying with `webhook` and, when given, deduplicating with `deduplicator`.
    #[napi(constructor, catch_unwind)]
    pub fn new(webhook: &JsWebhook, deduplicator: Option<&JsDeduplicator>) -> Self {
        JsReceiver {
            inner: Arc::new(Receiver::new(
                (*webhook.inner).clone(),
                deduplicator.map(|d| d.inner.clone()),
            )),
            blocking: deduplicator.is_some_and(|d| d.blocking),
        }
    }

    /// The most body bytes worth reading (adapters read at most one more).
    #[napi(getter, catch_unwind)]
    pub fn max_body_bytes(&self) -> f64 {
        self.inner.max_body_bytes() as f64
    }

    /// Starts receiving one request, on the calling thread (store calls included).
    #[napi(catch_unwind)]
    pub fn begin(
        &self,
        method: String,
        declared_length: Option<f64>,
        body: Unknown,
        headers: Unknown,
    ) -> napi::Result<NativeBegin, String> {
        let declared = declared(declared_length)?;
        // The headers first (reading them may run the caller's JavaScript), then the body.
        let (bytes, signature) = read_delivery(body, headers)?;
        let begin = self
            .inner
            .begin(&method, declared, &bytes, signature.pairs());
        Ok(begun(begin, self.blocking))
    }

    /// `begin` on the libuv thread pool (the body is copied first).
    #[napi(catch_unwind)]
    pub fn begin_async(
        &self,
        method: String,
        declared_length: Option<f64>,
        body: Unknown,
        headers: Unknown,
    ) -> napi::Result<AsyncTask<BeginTask>, String> {
        let declared = declared(declared_length)?;
        let (bytes, signature) = read_delivery(body, headers)?;
        Ok(AsyncTask::new(BeginTask {
            receiver: Arc::clone(&self.inner),
            blocking: self.blocking,
            method,
            declared,
            body: bytes.into_owned(),
            signature,
        }))
    }
}

/// `beginAsync`'s work: owned inputs, run off the JS thread.
pub struct BeginTask {
    receiver: Arc<Receiver>,
    blocking: bool,
    method: String,
    declared: Option<u64>,
    body: Vec<u8>,
    signature: crate::headers::Signature,
}

impl Task for BeginTask {
    type Output = Begin;
    type JsValue = NativeBegin;

    fn compute(&mut self) -> napi::Result<Begin> {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            self.receiver.begin(
                &self.method,
                self.declared,
                &self.body,
                self.signature.pairs(),
            )
        }))
        .map_err(|_| internal_err("internal error while receiving a delivery"))
    }

    fn resolve(&mut self, _env: Env, output: Begin) -> napi::Result<NativeBegin> {
        Ok(begun(output, self.blocking))
    }
}

/// The right and the duty to settle one delivery: finish it once, with the handler's outcome.
#[napi(js_name = "NativeTicket")]
pub struct JsTicket {
    /// `None` once finished (or handed to a pool task that finishes it). A cell, so every
    /// method takes `&self`: napi-rs keeps a `&self` borrow alive while an async task
    /// returned from it runs, which would lock the ticket until then.
    ticket: RefCell<Option<Ticket>>,
    blocking: bool,
}

impl JsTicket {
    fn take(&self) -> napi::Result<Ticket, String> {
        self.ticket.borrow_mut().take().ok_or_else(settled)
    }
}

#[napi]
impl JsTicket {
    /// Whether the ticket was finished already.
    #[napi(getter, catch_unwind)]
    pub fn settled(&self) -> bool {
        self.ticket.borrow().is_none()
    }

    /// The handler succeeded: records the event as processed; the answer.
    #[napi(catch_unwind)]
    pub fn finish_ok(&self) -> napi::Result<NativeAnswer, String> {
        finish(self.take()?, Outcome::Succeeded)
    }

    /// The handler failed (`reason` is logged, never sent): releases the claim; the answer.
    #[napi(catch_unwind)]
    pub fn finish_failed(&self, reason: String) -> napi::Result<NativeAnswer, String> {
        finish(self.take()?, Outcome::Failed(reason))
    }

    /// `finishOk` on the libuv thread pool.
    #[napi(catch_unwind)]
    pub fn finish_ok_async(&self) -> napi::Result<AsyncTask<FinishTask>, String> {
        Ok(AsyncTask::new(FinishTask {
            ticket: Some(self.take()?),
            outcome: Some(Outcome::Succeeded),
        }))
    }

    /// `finishFailed` on the libuv thread pool.
    #[napi(catch_unwind)]
    pub fn finish_failed_async(
        &self,
        reason: String,
    ) -> napi::Result<AsyncTask<FinishTask>, String> {
        Ok(AsyncTask::new(FinishTask {
            ticket: Some(self.take()?),
            outcome: Some(Outcome::Failed(reason)),
        }))
    }
}

impl Drop for JsTicket {
    fn drop(&mut self) {
        // A ticket collected unsettled releases its claim (the core's rule). With a store that
        // does I/O, do that off the JS thread: a finalizer must not wait on Redis.
        if let Some(ticket) = self.ticket.get_mut().take() {
            if self.blocking {
                let _ = std::thread::Builder::new()
                    .name("palisade-release".into())
                    .spawn(move || drop(ticket));
            }
        }
    }
}

fn finish(mut ticket: Ticket, outcome: Outcome) -> napi::Result<NativeAnswer, String> {
    let answer = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| ticket.finish(outcome)))
        .map_err(|_| {
            napi::Error::new(
                "InternalError".to_string(),
                "internal error while finishing a delivery (please report it)".to_string(),
            )
        })?;
    // A ticket taken from a `JsTicket` is unsettled, so `finish` cannot fail.
    answer.map(NativeAnswer::from).map_err(|_| settled())
}

/// `finishOkAsync` / `finishFailedAsync`'s work.
pub struct FinishTask {
    ticket: Option<Ticket>,
    outcome: Option<Outcome>,
}

impl Task for FinishTask {
    type Output = Answer;
    type JsValue = NativeAnswer;

    fn compute(&mut self) -> napi::Result<Answer> {
        let (Some(mut ticket), Some(outcome)) = (self.ticket.take(), self.outcome.take()) else {
            return Err(internal_err("a finish task ran twice"));
        };
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| ticket.finish(outcome))) {
            Ok(Ok(answer)) => Ok(answer),
            Ok(Err(_)) => Err(internal_err("a ticket handed to the pool was settled")),
            Err(_) => Err(internal_err("internal error while finishing a delivery")),
        }
    }

    fn resolve(&mut self, _env: Env, output: Answer) -> napi::Result<NativeAnswer> {
        Ok(output.into())
    }
}
