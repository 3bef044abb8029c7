//! `TestSigner` and `FaultyStore`: signed test deliveries, exactly as Palisade would send
//! them, and a store that fails on purpose.

use std::sync::Arc;

use palisade_webhooks::testing::{DeliveryOptions, FailAt, FaultyStore, TestSigner};
use palisade_webhooks::Digest;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyBytes, PyDict, PyString};

use crate::convert::type_name;
use crate::dedup::{core_store, PyStore};
use crate::errors::OrRaise;

fn parse_digest(digest: &str) -> PyResult<Digest> {
    digest
        .parse()
        .map_err(|e: palisade_webhooks::UnknownDigest| PyValueError::new_err(e.to_string()))
}

/// A P-256 key pair standing in for Palisade's signer, to test receivers offline.
///
/// `TestSigner()` (or `TestSigner.generate()`) makes a fresh random key; `from_seed(n)` a
/// reproducible one. Signatures are deterministic (RFC 6979).
#[pyclass(frozen, module = "palisade_webhooks.testing", name = "TestSigner")]
pub(crate) struct PyTestSigner {
    inner: TestSigner,
}

#[pymethods]
impl PyTestSigner {
    /// Tells pytest this is not a test class (its name starts with "Test").
    #[classattr]
    fn __test__() -> bool {
        false
    }

    #[new]
    fn new() -> Self {
        PyTestSigner {
            inner: TestSigner::generate(),
        }
    }

    /// A fresh random key.
    #[staticmethod]
    fn generate() -> Self {
        Self::new()
    }

    /// A key derived from a number: the same seed always gives the same key. For reproducible
    /// tests only, never for anything real.
    #[staticmethod]
    fn from_seed(seed: u64) -> Self {
        PyTestSigner {
            inner: TestSigner::from_seed(seed),
        }
    }

    /// Loads a private key: PKCS#8 PEM, SEC1 PEM, or the 32-byte scalar as hex.
    ///
    /// Raises:
    ///     InvalidPublicKeyError: the text is not a P-256 private key.
    #[staticmethod]
    fn from_private_key(py: Python<'_>, text: &str) -> PyResult<Self> {
        TestSigner::from_private_key(text)
            .or_raise(py)
            .map(|inner| PyTestSigner { inner })
    }

    /// The public key as Palisade shows it (base64 DER SubjectPublicKeyInfo): pass it to
    /// `Webhook`.
    #[getter]
    fn public_key_b64(&self) -> String {
        self.inner.public_key_b64()
    }

    /// The public key's fingerprint (as in `Event.key_fingerprint`).
    #[getter]
    fn fingerprint(&self) -> String {
        self.inner.public_key().fingerprint().to_string()
    }

    /// The private key as PKCS#8 PEM.
    fn private_key_pem(&self) -> String {
        self.inner.private_key_pem()
    }

    /// Signs a payload string (the base64 text, exactly as it will appear in the envelope);
    /// returns the `Signature` header value (base64 DER).
    #[pyo3(signature = (payload_b64, *, digest = "sha256"))]
    fn sign(&self, py: Python<'_>, payload_b64: &str, digest: &str) -> PyResult<String> {
        let digest = parse_digest(digest)?;
        Ok(py.detach(|| self.inner.sign_with(payload_b64, digest)))
    }

    /// Builds a complete delivery: returns `(body, headers)` as Palisade would POST them.
    ///
    /// Args:
    ///     domain: `"TRANSACTION"`, `"WALLET"`, `"APPROVAL"` (or any other string).
    ///     resource: the resource, a `dict` (serialised with `json.dumps`) or a JSON `str`.
    ///     timestamp: the envelope's `timestamp`: the current time by default, a fixed `str`,
    ///         or `False` to leave it out (as older deliveries do).
    ///     digest: the digest construction to sign with.
    #[pyo3(signature = (domain, resource, *, timestamp = None, digest = "sha256"))]
    fn delivery<'py>(
        &self,
        py: Python<'py>,
        domain: &str,
        resource: &Bound<'py, PyAny>,
        timestamp: Option<&Bound<'py, PyAny>>,
        digest: &str,
    ) -> PyResult<(Bound<'py, PyBytes>, Bound<'py, PyDict>)> {
        static DUMPS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
        let json: String = if let Ok(s) = resource.cast::<PyString>() {
            s.to_str()?.to_string()
        } else {
            DUMPS
                .import(py, "json", "dumps")?
                .call1((resource,))?
                .extract()?
        };
        let mut options = DeliveryOptions::default().digest(parse_digest(digest)?);
        match timestamp {
            None => {}
            Some(t) if t.is_instance_of::<PyBool>() => {
                // `True`: the current time (`None`); `False`: no timestamp (`Some(None)`).
                options.timestamp = (!t.is_truthy()?).then_some(None);
            }
            Some(t) => match t.cast::<PyString>() {
                Ok(s) => options = options.timestamp(Some(s.to_str()?)),
                Err(_) => {
                    return Err(PyTypeError::new_err(format!(
                        "timestamp must be a str or False, not {}",
                        type_name(t)
                    )))
                }
            },
        }
        let delivery = py
            .detach(|| self.inner.delivery_with(domain, &json, &options))
            .or_raise(py)?;
        let headers = PyDict::new(py);
        for (name, value) in &delivery.headers {
            headers.set_item(name, value)?;
        }
        Ok((PyBytes::new(py, &delivery.body), headers))
    }

    fn __repr__(&self) -> String {
        format!(
            "TestSigner(fingerprint='{}')",
            self.inner.public_key().fingerprint()
        )
    }
}

fn parse_fail_at(fail_at: &str) -> PyResult<FailAt> {
    FailAt::parse(fail_at).ok_or_else(|| {
        let known: Vec<&str> = FailAt::ALL.iter().map(|f| f.as_str()).collect();
        PyValueError::new_err(format!(
            "fail_at must be one of {}, not {fail_at:?}",
            known.join(", ")
        ))
    })
}

/// An idempotency store that fails on purpose at one step, to test how a receiver answers
/// store outages without taking a real store down at exactly the right moment.
///
/// Args:
///     inner: the store it wraps (a `MemoryStore`, `SqliteStore`, `RedisStore`, or a store
///         written in Python).
///     fail_at: `"claim"` (every claim fails), `"complete"` (every completion, after the
///         handler succeeded), `"release"` (every release, after the handler failed) or
///         `"nothing"`. Settable while the store is in use.
///
/// Failures raise `StoreUnavailableError`, as a real outage does.
#[pyclass(extends = PyStore, frozen, module = "palisade_webhooks.testing", name = "FaultyStore")]
pub(crate) struct PyFaultyStore {
    store: Arc<FaultyStore>,
    inner: Py<PyAny>,
}

#[pymethods]
impl PyFaultyStore {
    #[new]
    fn new(inner: Bound<'_, PyAny>, fail_at: &str) -> PyResult<PyClassInitializer<Self>> {
        let store = Arc::new(FaultyStore::new(
            core_store(&inner)?,
            parse_fail_at(fail_at)?,
        ));
        Ok(
            PyClassInitializer::from(PyStore::new(store.clone())).add_subclass(PyFaultyStore {
                store,
                inner: inner.unbind(),
            }),
        )
    }

    /// The wrapped store.
    #[getter]
    fn inner(&self, py: Python<'_>) -> Py<PyAny> {
        self.inner.clone_ref(py)
    }

    /// Where it fails: `"nothing"`, `"claim"`, `"complete"` or `"release"`.
    #[getter]
    fn fail_at(&self) -> &'static str {
        self.store.fail_at().as_str()
    }

    #[setter]
    fn set_fail_at(&self, fail_at: &str) -> PyResult<()> {
        self.store.set_fail_at(parse_fail_at(fail_at)?);
        Ok(())
    }

    fn __repr__(&self) -> String {
        format!("FaultyStore(fail_at='{}')", self.fail_at())
    }
}
