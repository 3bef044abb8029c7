//! `Receiver`, `Answer`, `Processing` and `Ticket`: the core's receiving policy, bound 1:1.
//!
//! A framework adapter reads the body, calls `Receiver.begin`, runs the user's handler when
//! told to, finishes the `Ticket` and writes the `Answer` it gets: every status and body comes
//! from the core. Every call that may reach the idempotency store runs with the interpreter
//! detached; the `*_async` variants run the same call in a worker thread
//! (`asyncio.to_thread`), so an event loop is never blocked on the store.

use std::sync::{Mutex, PoisonError};

use palisade_webhooks::receiver::{Answer, Begin, Outcome, Receiver, Ticket};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyDict, PyString, PyTuple};

use crate::convert::{body_bytes, header_objects, header_texts};
use crate::dedup::PyDeduplicator;
use crate::errors::ticket_settled;
use crate::event::{repr, PyEvent};
use crate::webhook::PyWebhook;

/// `asyncio.to_thread(function, *args, **kwargs)`: a coroutine running `function` in the
/// event loop's default executor.
fn to_thread<'py>(
    function: Bound<'py, PyAny>,
    args: Vec<Bound<'py, PyAny>>,
    kwargs: Option<&Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyAny>> {
    static TO_THREAD: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    let py = function.py();
    let mut all = vec![function];
    all.extend(args);
    TO_THREAD
        .import(py, "asyncio", "to_thread")?
        .call(PyTuple::new(py, all)?, kwargs)
}

/// A webhook endpoint's whole receiving policy: verification, deduplication and the answers.
///
/// Framework adapters (`palisade_webhooks.flask`, `.fastapi`, `.django`) are I/O around it;
/// use it directly to write one for another framework:
///
/// 1. read the body, at most `max_body_bytes + 1` bytes (whether or not a `Content-Length`
///    was sent);
/// 2. `started = receiver.begin(body, headers, method=..., declared_length=...)`;
/// 3. if `started` is an `Answer`, send it; else run your handler with `started.event`, then
///    send `started.ticket.finish_ok()` (or `finish_failed(reason)` if the handler failed).
///
/// Args:
///     webhook: the verifier.
///     deduplicator: when given, each event is processed once (duplicates answer 200 without
///         the handler, an event another worker holds answers 409).
///
/// Safe to share between threads and requests.
#[pyclass(frozen, module = "palisade_webhooks", name = "Receiver")]
pub(crate) struct PyReceiver {
    inner: Receiver,
    webhook: Py<PyWebhook>,
    deduplicator: Option<Py<PyDeduplicator>>,
}

#[pymethods]
impl PyReceiver {
    #[new]
    #[pyo3(signature = (webhook, deduplicator = None))]
    fn new(webhook: Bound<'_, PyWebhook>, deduplicator: Option<Bound<'_, PyDeduplicator>>) -> Self {
        let inner = Receiver::new(
            webhook.get().core().clone(),
            deduplicator.as_ref().map(|d| d.get().core().clone()),
        );
        PyReceiver {
            inner,
            webhook: webhook.unbind(),
            deduplicator: deduplicator.map(Bound::unbind),
        }
    }

    /// The verifier.
    #[getter]
    fn webhook(&self, py: Python<'_>) -> Py<PyWebhook> {
        self.webhook.clone_ref(py)
    }

    /// The deduplicator, or `None`.
    #[getter]
    fn deduplicator(&self, py: Python<'_>) -> Option<Py<PyDeduplicator>> {
        self.deduplicator.as_ref().map(|d| d.clone_ref(py))
    }

    /// The most body bytes worth reading: read at most one byte more than this (so a body
    /// sent without a `Content-Length` is still recognised as too large) and pass what you
    /// read to `begin`.
    #[getter]
    fn max_body_bytes(&self) -> usize {
        self.inner.max_body_bytes()
    }

    /// Starts receiving one request: returns the `Answer` to send at once (a refusal, a
    /// duplicate, an event in progress elsewhere, a body too large, a method other than POST),
    /// or a `Processing` whose `event` the handler processes before its `ticket` is finished.
    ///
    /// Args:
    ///     body: the bytes read (at most `max_body_bytes + 1`): `bytes`, `bytearray`,
    ///         `memoryview` or `str`.
    ///     headers: the request headers, as `Webhook.verify` takes them.
    ///     method: the request method.
    ///     declared_length: the request's `Content-Length`, when it sent one. A declared
    ///         length over `max_body_bytes` is answered 413 without looking at `body`, so the
    ///         body need not be read at all.
    ///
    /// Raises:
    ///     BodyNotRawError: `body` is a parsed object, not the raw bytes.
    ///     TypeError: `headers` is not a header container.
    #[pyo3(signature = (body, headers, *, method = "POST", declared_length = None))]
    fn begin(
        &self,
        py: Python<'_>,
        body: &Bound<'_, PyAny>,
        headers: &Bound<'_, PyAny>,
        method: &str,
        declared_length: Option<u64>,
    ) -> PyResult<Py<PyAny>> {
        let body = body_bytes(body)?;
        let objects = header_objects(headers)?;
        let pairs = header_texts(&objects)?;
        let begun = py.detach(|| self.inner.begin(method, declared_length, &body, &pairs));
        Ok(match begun {
            Begin::Answer(answer) => Py::new(py, PyAnswer { inner: answer })?.into_any(),
            Begin::Process(processing) => {
                let event = Py::new(py, PyEvent::new(processing.event))?;
                let ticket = Py::new(py, PyTicket::new(processing.ticket))?;
                Py::new(py, PyProcessing { event, ticket })?.into_any()
            }
        })
    }

    /// `begin`, awaitable: runs in a worker thread, so the event loop is never blocked on the
    /// idempotency store.
    #[pyo3(signature = (body, headers, *, method = "POST", declared_length = None))]
    fn begin_async<'py>(
        slf: &Bound<'py, Self>,
        body: Bound<'py, PyAny>,
        headers: Bound<'py, PyAny>,
        method: &str,
        declared_length: Option<u64>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let kwargs = PyDict::new(slf.py());
        kwargs.set_item("method", method)?;
        kwargs.set_item("declared_length", declared_length)?;
        to_thread(slf.getattr("begin")?, vec![body, headers], Some(&kwargs))
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "Receiver({}, deduplicator={})",
            self.webhook.bind(py).repr()?,
            match &self.deduplicator {
                Some(d) => d.bind(py).repr()?.to_string(),
                None => "None".into(),
            }
        ))
    }
}

/// What to answer Palisade, decided by the core: send `status`, `headers` and `body` as they
/// are, and log `log_message` at `log_level` (the adapters use the `palisade_webhooks` logger).
#[pyclass(frozen, module = "palisade_webhooks", name = "Answer")]
pub(crate) struct PyAnswer {
    inner: Answer,
}

#[pymethods]
impl PyAnswer {
    /// The HTTP status.
    #[getter]
    fn status(&self) -> u16 {
        self.inner.status
    }

    /// The JSON body, exactly as it goes on the wire.
    #[getter]
    fn body<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, self.inner.body.as_bytes())
    }

    /// The stable code: `"processed"`, `"duplicate"`, `"in_progress"`,
    /// `"ERR_HANDLER_FAILED"`, `"ERR_METHOD_NOT_ALLOWED"` or the refusal's error code
    /// (`RECEIVER_CODES` and `ERROR_CODES`).
    #[getter]
    fn code(&self) -> &'static str {
        self.inner.code
    }

    /// The response headers, as `(name, value)` pairs: `Content-Type`, plus `Allow` on a 405.
    #[getter]
    fn headers(&self) -> Vec<(&'static str, &'static str)> {
        self.inner.headers().to_vec()
    }

    /// The level of the answer's log line: `"info"`, `"warning"` or `"error"`.
    #[getter]
    fn log_level(&self) -> &'static str {
        self.inner.log_level.as_str()
    }

    /// One log line naming the outcome, the idempotency key and error codes (never payload
    /// contents), e.g. `processed 200 WALLET ...`.
    #[getter]
    fn log_message(&self) -> &str {
        &self.inner.log_message
    }

    /// Whether Palisade counts this answer as delivered (2xx).
    #[getter]
    fn is_success(&self) -> bool {
        self.inner.is_success()
    }

    fn __repr__(&self) -> String {
        format!(
            "Answer(status={}, code='{}')",
            self.inner.status, self.inner.code
        )
    }
}

/// A verified delivery to process: run the handler with `event`, then finish `ticket`.
#[pyclass(frozen, module = "palisade_webhooks", name = "Processing")]
pub(crate) struct PyProcessing {
    event: Py<PyEvent>,
    ticket: Py<PyTicket>,
}

#[pymethods]
impl PyProcessing {
    /// The verified event.
    #[getter]
    fn event(&self, py: Python<'_>) -> Py<PyEvent> {
        self.event.clone_ref(py)
    }

    /// The ticket that settles the delivery.
    #[getter]
    fn ticket(&self, py: Python<'_>) -> Py<PyTicket> {
        self.ticket.clone_ref(py)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let key = self.event.bind(py).get().idempotency_key_str().to_string();
        Ok(format!(
            "Processing(idempotency_key={})",
            repr(py, Some(&key))?
        ))
    }
}

/// The right and the duty to settle one delivery: finish it exactly once with the handler's
/// outcome, and send the `Answer` it returns.
///
/// `finish_ok()` records the event as processed (200; if the store fails to record it, the
/// answer is still 200 and its log line says so, so the handler never runs twice for it);
/// `finish_failed(reason)` releases the claim so Palisade's retry processes the event again
/// (500 `ERR_HANDLER_FAILED`; the reason is logged, never sent). A second finish raises
/// `TicketSettledError`. A ticket dropped unsettled releases its claim.
#[pyclass(frozen, module = "palisade_webhooks", name = "Ticket")]
pub(crate) struct PyTicket {
    // A lock, not `&mut self`: a ticket may be finished from any thread (or an executor), and
    // two racing finishes must settle it once.
    inner: Mutex<Option<Ticket>>,
}

impl PyTicket {
    fn new(ticket: Ticket) -> Self {
        PyTicket {
            inner: Mutex::new(Some(ticket)),
        }
    }

    fn finish(&self, py: Python<'_>, outcome: Outcome) -> PyResult<PyAnswer> {
        let finished = py.detach(|| {
            let mut guard = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
            guard.as_mut().map(|ticket| ticket.finish(outcome))
        });
        match finished {
            Some(Ok(answer)) => Ok(PyAnswer { inner: answer }),
            _ => Err(ticket_settled(py)),
        }
    }
}

impl Drop for PyTicket {
    fn drop(&mut self) {
        let ticket = self
            .inner
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(ticket) = ticket.filter(|t| !t.is_settled()) {
            // Dropping an unsettled ticket releases its claim: store I/O, so not while holding
            // the interpreter (when it cannot be reached, e.g. at shutdown, release right here).
            let _ = Python::try_attach(|py| py.detach(move || drop(ticket)));
        }
    }
}

#[pymethods]
impl PyTicket {
    /// Whether the ticket was finished already.
    #[getter]
    fn settled(&self) -> bool {
        self.inner
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .is_none_or(Ticket::is_settled)
    }

    /// The handler succeeded: records the event as processed and returns the answer (200).
    ///
    /// Raises:
    ///     TicketSettledError: the ticket was finished already.
    fn finish_ok(&self, py: Python<'_>) -> PyResult<PyAnswer> {
        self.finish(py, Outcome::Succeeded)
    }

    /// The handler failed with `reason` (logged, never sent): releases the claim and returns
    /// the answer (500 `ERR_HANDLER_FAILED`), so Palisade's retry processes the event again.
    ///
    /// Raises:
    ///     TicketSettledError: the ticket was finished already.
    fn finish_failed(&self, py: Python<'_>, reason: &str) -> PyResult<PyAnswer> {
        self.finish(py, Outcome::Failed(reason.to_string()))
    }

    /// `finish_ok`, awaitable: runs in a worker thread (the event loop never waits on the
    /// store).
    fn finish_ok_async<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        to_thread(slf.getattr("finish_ok")?, Vec::new(), None)
    }

    /// `finish_failed`, awaitable: runs in a worker thread.
    fn finish_failed_async<'py>(
        slf: &Bound<'py, Self>,
        reason: Bound<'py, PyString>,
    ) -> PyResult<Bound<'py, PyAny>> {
        to_thread(slf.getattr("finish_failed")?, vec![reason.into_any()], None)
    }

    fn __repr__(&self) -> String {
        format!(
            "Ticket(settled={})",
            if self.settled() { "True" } else { "False" }
        )
    }
}
