//! Python values -> the core's inputs: raw bodies, header pairs, durations.
//!
//! Bodies and header texts are borrowed from immutable Python objects (`bytes`, `str`) whenever
//! possible, so a delivery is verified without copying it; mutable buffers are copied first,
//! because verification runs while other threads may run Python code.

use std::borrow::Cow;
use std::time::Duration;

use palisade_webhooks::ErrorCode;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyDict, PyList, PyMemoryView, PyString, PyTuple};

use crate::errors::raise;

/// The raw request body as bytes: `bytes`, `bytearray`, `memoryview` or `str` (UTF-8 encoded).
/// Anything else (a parsed `dict`, a `list`, `None`, ...) is `ERR_BODY_NOT_RAW`.
pub(crate) fn body_bytes<'a>(body: &'a Bound<'_, PyAny>) -> PyResult<Cow<'a, [u8]>> {
    let py = body.py();
    if let Ok(b) = body.cast::<PyBytes>() {
        return Ok(Cow::Borrowed(b.as_bytes()));
    }
    if let Ok(s) = body.cast::<PyString>() {
        return match s.to_str() {
            Ok(text) => Ok(Cow::Borrowed(text.as_bytes())),
            Err(_) => Err(raise(
                py,
                ErrorCode::MalformedEnvelope,
                "the body is a str holding unpaired surrogates, so it cannot be the request \
                 text; pass the raw body bytes",
            )),
        };
    }
    if let Ok(b) = body.cast::<PyByteArray>() {
        return Ok(Cow::Owned(b.to_vec()));
    }
    if body.cast::<PyMemoryView>().is_ok() {
        let bytes = body.call_method0(intern!(py, "tobytes"))?;
        let bytes = bytes.cast::<PyBytes>()?;
        return Ok(Cow::Owned(bytes.as_bytes().to_vec()));
    }
    let parsed = body.is_instance_of::<PyDict>()
        || body.is_instance_of::<PyList>()
        || body.is_instance_of::<PyTuple>();
    // The message stays within the core's bound (200 characters): a class name can be long.
    let type_name: String = type_name(body).chars().take(40).collect();
    let message = if parsed {
        format!(
            "the body is a parsed {type_name}: pass the raw bytes the signature covers (Flask: \
             request.get_data(), FastAPI: await request.body(), Django: request.body)"
        )
    } else {
        format!(
            "the body must be the raw request bytes (or str), not {type_name} (Flask: \
             request.get_data(), FastAPI: await request.body(), Django: request.body)"
        )
    };
    Err(raise(py, ErrorCode::BodyNotRaw, &message))
}

const HEADERS_HELP: &str = "headers must be a mapping (dict, or a framework's request.headers), \
                            or an iterable of (name, value) pairs";

/// Normalises a header container to `(name, value)` objects: a `dict`; anything with `.items()`
/// (Werkzeug `Headers`/`EnvironHeaders`, Starlette `Headers`, Django `HttpHeaders`, other
/// mappings); or an iterable of 2-item pairs (a list of tuples, ASGI raw headers).
pub(crate) fn header_objects<'py>(
    headers: &Bound<'py, PyAny>,
) -> PyResult<Vec<(Bound<'py, PyAny>, Bound<'py, PyAny>)>> {
    let py = headers.py();
    if let Ok(d) = headers.cast::<PyDict>() {
        return Ok(d.iter().collect());
    }
    if headers.is_none()
        || headers.is_instance_of::<PyString>()
        || headers.is_instance_of::<PyBytes>()
        || headers.is_instance_of::<PyByteArray>()
    {
        return Err(PyTypeError::new_err(format!(
            "{HEADERS_HELP}, not {}",
            type_name(headers)
        )));
    }
    let pairs = if headers.hasattr(intern!(py, "items"))? {
        headers.call_method0(intern!(py, "items"))?
    } else {
        headers.clone()
    };
    let iter = pairs
        .try_iter()
        .map_err(|_| PyTypeError::new_err(format!("{HEADERS_HELP}, not {}", type_name(headers))))?;
    let mut out = Vec::new();
    for item in iter {
        let item = item?;
        if let Ok(t) = item.cast::<PyTuple>() {
            if t.len() == 2 {
                out.push((t.get_item(0)?, t.get_item(1)?));
                continue;
            }
        } else if let Ok(l) = item.cast::<PyList>() {
            if l.len() == 2 {
                out.push((l.get_item(0)?, l.get_item(1)?));
                continue;
            }
        }
        return Err(PyTypeError::new_err(format!(
            "{HEADERS_HELP}; found an item of type {} that is not a (name, value) pair",
            type_name(&item)
        )));
    }
    Ok(out)
}

/// A header name or value as text: `str` (borrowed), or `bytes` (decoded leniently: only the
/// ASCII `Signature` value matters, and other headers must not make verification fail).
pub(crate) fn header_text<'a>(value: &'a Bound<'_, PyAny>) -> PyResult<Cow<'a, str>> {
    if let Ok(s) = value.cast::<PyString>() {
        return Ok(s.to_string_lossy());
    }
    if let Ok(b) = value.cast::<PyBytes>() {
        return Ok(String::from_utf8_lossy(b.as_bytes()));
    }
    Err(PyTypeError::new_err(format!(
        "header names and values must be str or bytes, not {}",
        type_name(value)
    )))
}

/// Borrowed text of every header pair.
pub(crate) fn header_texts<'a>(
    objects: &'a [(Bound<'_, PyAny>, Bound<'_, PyAny>)],
) -> PyResult<Vec<(Cow<'a, str>, Cow<'a, str>)>> {
    objects
        .iter()
        .map(|(name, value)| Ok((header_text(name)?, header_text(value)?)))
        .collect()
}

/// Seconds (`int`/`float`) or a `datetime.timedelta` -> `Duration`; negative, NaN or infinite
/// values are a `ValueError`.
pub(crate) fn duration(value: &Bound<'_, PyAny>, what: &str) -> PyResult<Duration> {
    let py = value.py();
    let seconds: f64 = if value.hasattr(intern!(py, "total_seconds"))? {
        value
            .call_method0(intern!(py, "total_seconds"))?
            .extract()?
    } else {
        value.extract().map_err(|_| {
            PyTypeError::new_err(format!(
                "{what} must be a number of seconds or a datetime.timedelta, not {}",
                type_name(value)
            ))
        })?
    };
    seconds_to_duration(seconds, what)
}

/// A number of seconds -> `Duration`.
pub(crate) fn seconds_to_duration(seconds: f64, what: &str) -> PyResult<Duration> {
    Duration::try_from_secs_f64(seconds).map_err(|_| {
        PyValueError::new_err(format!(
            "{what} must be a finite, non-negative number of seconds, not {seconds}"
        ))
    })
}

/// The type name of a Python object, for messages.
pub(crate) fn type_name(value: &Bound<'_, PyAny>) -> String {
    value
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "?".into())
}
