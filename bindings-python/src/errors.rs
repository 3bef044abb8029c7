//! Core errors become the Python exception classes of `palisade_webhooks._errors`.
//!
//! The classes are defined in Python (so they carry docstrings and a `code` class attribute),
//! in a module generated from the core (`core/examples/codegen_python.rs`); the one table from
//! code to class is `_errors._BY_CODE`, looked up here by the code string.

use palisade_webhooks::receiver::TicketSettled;
use palisade_webhooks::{Error, ErrorCode};
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyType};

static BY_CODE: PyOnceLock<Py<PyDict>> = PyOnceLock::new();

fn class_for<'py>(py: Python<'py>, code: &str) -> PyResult<Bound<'py, PyType>> {
    let table = BY_CODE.get_or_try_init(py, || -> PyResult<Py<PyDict>> {
        let table = py
            .import("palisade_webhooks._errors")?
            .getattr("_BY_CODE")?
            .cast_into::<PyDict>()?;
        Ok(table.unbind())
    })?;
    let class = table
        .bind(py)
        .get_item(code)?
        .ok_or_else(|| PyRuntimeError::new_err(format!("no exception class for {code}")))?;
    Ok(class.cast_into::<PyType>()?)
}

/// The Python exception for an error code and message (bounded as every core message is).
pub(crate) fn raise(py: Python<'_>, code: ErrorCode, message: &str) -> PyErr {
    // Through the core's Error so the message is bounded like every core message.
    let error = Error::new(code, message);
    raise_code(py, code.as_str(), error.message())
}

fn raise_code(py: Python<'_>, code: &str, message: &str) -> PyErr {
    match class_for(py, code) {
        Ok(class) => PyErr::from_type(class, (message.to_string(),)),
        Err(e) => e,
    }
}

/// The Python exception for a core error.
pub(crate) fn to_pyerr(py: Python<'_>, e: &Error) -> PyErr {
    match class_for(py, e.code().as_str()) {
        Ok(class) => PyErr::from_type(class, (e.message().to_string(),)),
        Err(err) => err,
    }
}

/// `TicketSettledError`: a ticket or a claim was finished a second time.
pub(crate) fn ticket_settled(py: Python<'_>) -> PyErr {
    raise_code(py, TicketSettled::CODE, TicketSettled::MESSAGE)
}

/// `core::Result<T>` -> `PyResult<T>`.
pub(crate) trait OrRaise<T> {
    fn or_raise(self, py: Python<'_>) -> PyResult<T>;
}

impl<T> OrRaise<T> for palisade_webhooks::Result<T> {
    fn or_raise(self, py: Python<'_>) -> PyResult<T> {
        self.map_err(|e| to_pyerr(py, &e))
    }
}

/// The HTTP status a receiver answers for a refused delivery with this error code (the same in
/// every SDK): 401 for a missing, malformed or invalid signature; 400 for a malformed envelope
/// or payload and a stale event; 413 for a body too large; 503 when the idempotency store is
/// unavailable (so Palisade retries); 500 for the receiver's own mistakes (an invalid public
/// key, a body that is not the raw request body).
///
/// Raises:
///     ValueError: `code` is not one of `ERROR_CODES`.
#[pyfunction]
pub(crate) fn http_status(code: &str) -> PyResult<u16> {
    ErrorCode::from_str_code(code)
        .map(ErrorCode::http_status)
        .ok_or_else(|| PyValueError::new_err(format!("unknown error code {code:?}")))
}
