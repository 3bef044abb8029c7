//! `Diagnosis` and `Check`: the core's explanation of a delivery that does not verify (what
//! the CLI's `doctor` prints), as typed Python objects.

use palisade_webhooks::diagnose::{Check, Diagnosis};
use pyo3::prelude::*;

use crate::event::repr;

/// What `Webhook.diagnose` concluded about one captured delivery.
///
/// It tries the constructions a sender might have used (the payload string, the whole body or
/// the decoded JSON; SHA-256 or double SHA-256; DER or raw signatures) to say in plain words
/// what is wrong. For your own debugging: it costs several verifications, so receivers do not
/// run it on refusals.
#[pyclass(frozen, module = "palisade_webhooks", name = "Diagnosis")]
pub(crate) struct PyDiagnosis {
    inner: Diagnosis,
}

impl PyDiagnosis {
    pub(crate) fn new(inner: Diagnosis) -> Self {
        PyDiagnosis { inner }
    }
}

#[pymethods]
impl PyDiagnosis {
    /// Whether the delivery verifies with the default options.
    #[getter]
    fn verifies(&self) -> bool {
        self.inner.verifies
    }

    /// The digest construction the signature matches (`"sha256"` or `"sha256-double"`), or
    /// `None` when none does.
    #[getter]
    fn digest(&self) -> Option<&'static str> {
        self.inner.digest
    }

    /// The error code a default `Webhook` gives for this delivery, or `None` when it verifies.
    #[getter]
    fn error(&self) -> Option<&'static str> {
        self.inner.error
    }

    /// The likely cause, in one sentence, with what to do about it.
    #[getter]
    fn cause(&self) -> &str {
        &self.inner.cause
    }

    /// Every check that was run, in order.
    #[getter]
    fn checks(&self) -> Vec<PyCheck> {
        self.inner
            .checks
            .iter()
            .cloned()
            .map(|inner| PyCheck { inner })
            .collect()
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "Diagnosis(verifies={}, error={}, cause={})",
            if self.inner.verifies { "True" } else { "False" },
            repr(py, self.inner.error)?,
            repr(py, Some(&self.inner.cause))?
        ))
    }
}

/// One step of a `Diagnosis`.
#[pyclass(frozen, module = "palisade_webhooks", name = "Check")]
pub(crate) struct PyCheck {
    inner: Check,
}

#[pymethods]
impl PyCheck {
    /// What was checked (`"public key"`, `"signature header"`, `"envelope"`, ...).
    #[getter]
    fn name(&self) -> &'static str {
        self.inner.name
    }

    /// Whether it passed.
    #[getter]
    fn ok(&self) -> bool {
        self.inner.ok
    }

    /// What was found.
    #[getter]
    fn detail(&self) -> &str {
        &self.inner.detail
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "Check(name={}, ok={}, detail={})",
            repr(py, Some(self.inner.name))?,
            if self.inner.ok { "True" } else { "False" },
            repr(py, Some(&self.inner.detail))?
        ))
    }
}
