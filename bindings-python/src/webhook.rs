//! `Webhook` and `verify_webhook`.

use palisade_webhooks::{Digest, Webhook, WebhookOptions, DEFAULT_MAX_BODY_BYTES};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyMemoryView, PyString};

use crate::convert::{body_bytes, duration, header_objects, header_texts, type_name};
use crate::diagnose::PyDiagnosis;
use crate::errors::OrRaise;
use crate::event::PyEvent;

// The signature's literal default must stay the core's default.
const _: () = assert!(DEFAULT_MAX_BODY_BYTES == 1_048_576);

/// A webhook endpoint's verifier: its public key(s) and options.
///
/// Build it once at start-up (the key is parsed and prepared here) and share it between
/// threads and requests.
///
/// Args:
///     public_key: the webhook's public key as the Palisade console shows it (base64 DER),
///         PEM, or a SEC1 point (hex or base64); or a sequence of keys during a rotation
///         (a delivery verifies if any key verifies it).
///     max_body_bytes: bodies longer than this are refused with `BodyTooLargeError`.
///     digest: `"sha256"` (the standard construction) or `"sha256-double"`.
///     max_age: when set (seconds or a `datetime.timedelta`), events whose signed
///         `updatedAt` is older are refused with `StaleEventError`. Off by default: Palisade's
///         retries can arrive hours late.
///
/// Raises:
///     InvalidPublicKeyError: a key is not a P-256 public key.
///     ValueError: an unknown digest or a negative `max_age`.
#[pyclass(frozen, module = "palisade_webhooks", name = "Webhook")]
pub(crate) struct PyWebhook {
    inner: Webhook,
}

fn key_list(public_key: &Bound<'_, PyAny>) -> PyResult<Vec<String>> {
    let not_a_key = |v: &Bound<'_, PyAny>| {
        PyTypeError::new_err(format!(
            "public_key must be a str (or a sequence of str during a rotation), not {}",
            type_name(v)
        ))
    };
    if let Ok(s) = public_key.cast::<PyString>() {
        return Ok(vec![s.to_str()?.to_string()]);
    }
    if public_key.is_instance_of::<PyBytes>() {
        return Err(not_a_key(public_key));
    }
    let iter = public_key.try_iter().map_err(|_| not_a_key(public_key))?;
    iter.map(|k| {
        let k = k?;
        match k.cast::<PyString>() {
            Ok(s) => Ok(s.to_str()?.to_string()),
            Err(_) => Err(not_a_key(&k)),
        }
    })
    .collect()
}

impl PyWebhook {
    /// The core verifier.
    pub(crate) fn core(&self) -> &Webhook {
        &self.inner
    }
}

#[pymethods]
impl PyWebhook {
    #[new]
    #[pyo3(signature = (public_key, *, max_body_bytes = 1_048_576, digest = "sha256", max_age = None))]
    fn new(
        py: Python<'_>,
        public_key: &Bound<'_, PyAny>,
        max_body_bytes: usize,
        digest: &str,
        max_age: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let keys = key_list(public_key)?;
        let digest: Digest = digest
            .parse()
            .map_err(|e: palisade_webhooks::UnknownDigest| PyValueError::new_err(e.to_string()))?;
        let max_age = match max_age {
            Some(v) if !v.is_none() => Some(duration(v, "max_age")?),
            _ => None,
        };
        let options = WebhookOptions::default()
            .max_body_bytes(max_body_bytes)
            .digest(digest)
            .max_age(max_age);
        let inner = py
            .detach(|| Webhook::from_keys(&keys, options))
            .or_raise(py)?;
        Ok(PyWebhook { inner })
    }

    /// Verifies a delivery and returns its `Event`.
    ///
    /// Args:
    ///     body: the raw request body, exactly as received (`bytes`; `bytearray`,
    ///         `memoryview` and `str` are accepted too). A parsed `dict`/`list` is refused with
    ///         `BodyNotRawError`: the signature covers the exact bytes.
    ///     headers: the request headers: a `dict`, a list of `(name, value)` pairs, or the
    ///         framework's header object (Flask/Werkzeug, Starlette/FastAPI, Django
    ///         `request.headers`). `Signature` is found case-insensitively.
    ///
    /// Raises:
    ///     WebhookError: a subclass per failure (`MissingSignatureError`,
    ///         `InvalidSignatureError`, `MalformedEnvelopeError`, ...), with `.code`.
    ///     TypeError: `headers` is not a header container.
    fn verify(
        &self,
        py: Python<'_>,
        body: &Bound<'_, PyAny>,
        headers: &Bound<'_, PyAny>,
    ) -> PyResult<PyEvent> {
        let body = body_bytes(body)?;
        let objects = header_objects(headers)?;
        let pairs = header_texts(&objects)?;
        let event = py
            .detach(|| self.inner.verify(&body, &pairs))
            .or_raise(py)?;
        Ok(PyEvent::new(event))
    }

    /// The low-level check: does `signature_b64` (base64 DER, the `Signature` header) sign
    /// `payload_b64` (the envelope's `payload` string, exactly as received) under one of the
    /// keys? Returns the fingerprint of the key that verified it.
    ///
    /// Raises:
    ///     MalformedSignatureError: the signature is not base64 of a DER signature.
    ///     InvalidSignatureError: no key verifies it.
    fn verify_signature(
        &self,
        py: Python<'_>,
        payload_b64: &str,
        signature_b64: &str,
    ) -> PyResult<String> {
        py.detach(|| self.inner.verify_signature(payload_b64, signature_b64))
            .or_raise(py)
    }

    /// Explains what is wrong with a captured delivery that does not verify: the report the
    /// CLI's `doctor` prints, as a `Diagnosis` (`cause`, `error`, `digest`, and every check).
    ///
    /// For your own debugging, never per request: it tries several constructions (so it costs
    /// several verifications), and it judges the delivery with the default options. During a
    /// key rotation it reports on the key the signature matches, else on the first key.
    ///
    /// Args:
    ///     body: the raw request body, as for `verify`.
    ///     headers: the request headers, as for `verify`.
    ///
    /// Raises:
    ///     BodyNotRawError: `body` is a parsed object, not the raw bytes.
    ///     TypeError: `headers` is not a header container.
    fn diagnose(
        &self,
        py: Python<'_>,
        body: &Bound<'_, PyAny>,
        headers: &Bound<'_, PyAny>,
    ) -> PyResult<PyDiagnosis> {
        let body = body_bytes(body)?;
        let objects = header_objects(headers)?;
        let pairs = header_texts(&objects)?;
        let diagnosis = py.detach(|| self.inner.diagnose(&body, &pairs));
        Ok(PyDiagnosis::new(diagnosis))
    }

    /// Bodies longer than this many bytes are refused.
    #[getter]
    fn max_body_bytes(&self) -> usize {
        self.inner.options().max_body_bytes
    }

    /// The digest construction: `"sha256"` or `"sha256-double"`.
    #[getter]
    fn digest(&self) -> String {
        self.inner.options().digest.to_string()
    }

    /// The freshness bound in seconds, or `None` when freshness is not checked.
    #[getter]
    fn max_age(&self) -> Option<f64> {
        self.inner.options().max_age.map(|d| d.as_secs_f64())
    }

    /// Fingerprints (16 hex characters) of the keys, in the order they are tried.
    #[getter]
    fn key_fingerprints(&self) -> Vec<String> {
        self.inner
            .keys()
            .iter()
            .map(|k| k.fingerprint().to_string())
            .collect()
    }

    fn __repr__(&self) -> String {
        format!(
            "Webhook(keys=[{}], digest='{}', max_body_bytes={}, max_age={})",
            self.key_fingerprints()
                .iter()
                .map(|k| format!("'{k}'"))
                .collect::<Vec<_>>()
                .join(", "),
            self.inner.options().digest,
            self.inner.options().max_body_bytes,
            self.max_age()
                .map(|s| s.to_string())
                .unwrap_or_else(|| "None".into())
        )
    }
}

/// The documentation's function, same name and argument order: does `signature_b64` (base64
/// DER) sign `payload_b64` (the envelope's `payload` string) under `public_key_b64`?
///
/// Each argument is the base64 text as a `str`, or as `bytes` (the documentation's snippet
/// passes them to `base64`, which takes both). Returns `False` for every verification failure,
/// including a malformed key or signature. Prefer `Webhook`, which parses the key once and
/// says why a delivery failed.
///
/// Raises:
///     TypeError: an argument is neither `str` nor bytes-like (as the snippet does).
///
/// The 8 most recently used keys are remembered: a key's second call prepares the fast
/// verifier (about 1 ms, once) and later calls reuse it. At most ~2.1 MB (262 KB per key).
#[pyfunction]
pub(crate) fn verify_webhook(
    py: Python<'_>,
    public_key_b64: &Bound<'_, PyAny>,
    signature_b64: &Bound<'_, PyAny>,
    payload_b64: &Bound<'_, PyAny>,
) -> PyResult<bool> {
    let key = text(public_key_b64, "public_key_b64")?;
    let signature = text(signature_b64, "signature_b64")?;
    let payload = text(payload_b64, "payload_b64")?;
    let (Some(key), Some(signature), Some(payload)) = (key, signature, payload) else {
        return Ok(false); // not UTF-8, so not base64 either
    };
    Ok(py.detach(|| palisade_webhooks::verify_webhook(&key, &signature, &payload)))
}

/// The text of a `str` or bytes-like argument (`None` when it is not UTF-8); a `TypeError`
/// for anything else.
fn text(value: &Bound<'_, PyAny>, name: &str) -> PyResult<Option<String>> {
    if let Ok(s) = value.cast::<PyString>() {
        return Ok(s.to_str().ok().map(str::to_string));
    }
    let bytes = if let Ok(b) = value.cast::<PyBytes>() {
        b.as_bytes().to_vec()
    } else if let Ok(b) = value.cast::<PyByteArray>() {
        b.to_vec()
    } else if value.cast::<PyMemoryView>().is_ok() {
        let copy = value.call_method0(intern!(value.py(), "tobytes"))?;
        copy.cast::<PyBytes>()?.as_bytes().to_vec()
    } else {
        return Err(PyTypeError::new_err(format!(
            "{name} must be the base64 text as a str or bytes, not {}",
            type_name(value)
        )));
    };
    Ok(String::from_utf8(bytes).ok())
}
