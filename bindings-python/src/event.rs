//! `Event` and the typed resources (`Transaction`, `Wallet`, `Approval`, `UnknownResource`).
//!
//! An `Event` wraps the core's event. Nothing is converted eagerly: string attributes are
//! created on access, the typed `data` object on first access, and `raw` (the decoded payload as
//! Python objects, via `json.loads`) on first access, shared by the event and its `data`.

use std::collections::BTreeMap;
use std::sync::{Arc, LazyLock};

use palisade_webhooks::{Event, Resource};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyList, PyString};
use pyo3::IntoPyObjectExt;
use serde_json::Value;

use crate::errors::OrRaise;

/// The core event plus the lazily decoded raw payload, shared with the typed resource.
pub(crate) struct Shared {
    event: Event,
    raw: PyOnceLock<Py<PyAny>>,
}

impl Shared {
    fn raw<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        static LOADS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
        let raw = self.raw.get_or_try_init(py, || -> PyResult<Py<PyAny>> {
            let loads = LOADS.import(py, "json", "loads")?;
            Ok(loads.call1((self.event.raw.get(),))?.unbind())
        })?;
        Ok(raw.bind(py).clone())
    }
}

/// Python's `repr()` of an optional string (`'text'` or `None`).
pub(crate) fn repr(py: Python<'_>, text: Option<&str>) -> PyResult<String> {
    Ok(match text {
        Some(t) => PyString::new(py, t).repr()?.to_string(),
        None => "None".to_string(),
    })
}

/// A value of a typed model as a Python object.
trait ToPyField {
    fn to_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>>;
}

impl<T: ToPyField> ToPyField for Option<T> {
    fn to_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        match self {
            Some(v) => v.to_py(py),
            None => Ok(py.None().into_bound(py)),
        }
    }
}

macro_rules! to_py_via_into {
    ($($t:ty),*) => {$(
        impl ToPyField for $t {
            fn to_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
                self.into_bound_py_any(py)
            }
        }
    )*};
}
to_py_via_into!(String, bool, u32, BTreeMap<String, String>);

macro_rules! to_py_as_str {
    ($($t:ty),* $(,)?) => {$(
        impl ToPyField for $t {
            fn to_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
                Ok(PyString::new(py, self.as_str()).into_any())
            }
        }
    )*};
}

impl ToPyField for Value {
    fn to_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        // The core bounds payload nesting (MAX_PAYLOAD_DEPTH), so this recursion is bounded.
        Ok(match self {
            Value::Null => py.None().into_bound(py),
            Value::Bool(b) => b.into_bound_py_any(py)?,
            Value::Number(n) => {
                if let Some(i) = n.as_i64() {
                    i.into_bound_py_any(py)?
                } else if let Some(u) = n.as_u64() {
                    u.into_bound_py_any(py)?
                } else {
                    n.as_f64().unwrap_or(f64::NAN).into_bound_py_any(py)?
                }
            }
            Value::String(s) => PyString::new(py, s).into_any(),
            Value::Array(items) => {
                let list = PyList::empty(py);
                for item in items {
                    list.append(item.to_py(py)?)?;
                }
                list.into_any()
            }
            Value::Object(map) => {
                let dict = PyDict::new(py);
                for (k, v) in map {
                    dict.set_item(k, v.to_py(py)?)?;
                }
                dict.into_any()
            }
        })
    }
}

/// Declares a Python class over a nested model (held by value) with one getter per field.
macro_rules! nested_class {
    (
        $(#[$meta:meta])*
        $py:ident as $name:literal wraps $inner:ty {
            $($(#[$fmeta:meta])* $field:ident as $py_name:ident,)*
        }
    ) => {
        $(#[$meta])*
        #[pyclass(frozen, module = "palisade_webhooks", name = $name)]
        pub(crate) struct $py {
            inner: $inner,
        }

        impl ToPyField for $inner {
            fn to_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
                Bound::new(py, $py { inner: self.clone() }).map(Bound::into_any)
            }
        }

        #[pymethods]
        impl $py {
            $(
                $(#[$fmeta])*
                #[getter($py_name)]
                fn $field<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
                    self.inner.$field.to_py(py)
                }
            )*

            /// The fields that are set, in the core's order (a generic rule: the field lists
            /// are generated from the core).
            fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
                let mut parts: Vec<String> = Vec::new();
                $(
                    let value = self.inner.$field.to_py(py)?;
                    if !value.is_none() {
                        let name = stringify!($py_name);
                        let name = name.strip_prefix("r#").unwrap_or(name);
                        parts.push(format!("{name}={}", value.repr()?));
                    }
                )*
                Ok(format!("{}({})", $name, parts.join(", ")))
            }

            fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
                other
                    .cast::<$py>()
                    .map(|o| o.get().inner == self.inner)
                    .unwrap_or(false)
            }
        }
    };
}

/// Declares a Python class over one variant of the event's typed resource.
macro_rules! resource_class {
    (
        $(#[$meta:meta])*
        $py:ident as $name:literal wraps $inner:ty, variant $variant:ident {
            $($(#[$fmeta:meta])* $field:ident as $py_name:ident,)*
        }
    ) => {
        $(#[$meta])*
        #[pyclass(frozen, module = "palisade_webhooks", name = $name)]
        pub(crate) struct $py {
            shared: Arc<Shared>,
        }

        impl $py {
            fn inner(&self) -> &$inner {
                // Only ever built for its own variant; the fallback keeps this free of panics.
                static EMPTY: LazyLock<$inner> = LazyLock::new(<$inner>::default);
                match &self.shared.event.data {
                    Resource::$variant(inner) => inner,
                    _ => &EMPTY,
                }
            }
        }

        #[pymethods]
        impl $py {
            $(
                $(#[$fmeta])*
                #[getter($py_name)]
                fn $field<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
                    self.inner().$field.to_py(py)
                }
            )*

            /// The decoded payload as Python objects (`dict`), including fields this SDK does
            /// not model. The same object as `Event.raw`.
            #[getter]
            fn raw<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
                self.shared.raw(py)
            }

            fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
                let inner = self.inner();
                Ok(format!(
                    "{}(id={}, status={})",
                    $name,
                    repr(py, Some(inner.id.as_str()))?,
                    repr(py, inner.status.as_ref().map(|s| s.as_str()))?
                ))
            }

            fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
                other
                    .cast::<$py>()
                    .map(|o| o.get().inner() == self.inner())
                    .unwrap_or(false)
            }
        }
    };
}

// The resources' classes, their field lists and docs, generated from the core's models.
include!("resources_gen.rs");

/// The resource of an event whose `domain` this SDK does not know: only `raw` and the common
/// fields (read leniently: `None` when absent or not a string) are available.
#[pyclass(frozen, module = "palisade_webhooks", name = "UnknownResource")]
pub(crate) struct PyUnknownResource {
    shared: Arc<Shared>,
}

#[pymethods]
impl PyUnknownResource {
    /// The envelope's `domain` (unsigned), as received.
    #[getter]
    fn domain(&self) -> &str {
        self.shared.event.domain.as_str()
    }

    /// The payload's `id`, when it is a string.
    #[getter]
    fn id(&self) -> Option<&str> {
        self.shared.event.resource_id.as_deref()
    }

    /// The payload's `updatedAt`, when it is a string.
    #[getter]
    fn updated_at(&self) -> Option<&str> {
        self.shared.event.updated_at.as_deref()
    }

    /// The payload's `status`, when it is a string.
    #[getter]
    fn status(&self) -> Option<&str> {
        self.shared.event.status.as_deref()
    }

    /// The decoded payload as Python objects (`dict`). The same object as `Event.raw`.
    #[getter]
    fn raw<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.shared.raw(py)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "UnknownResource(domain={}, id={})",
            repr(py, Some(self.shared.event.domain.as_str()))?,
            repr(py, self.shared.event.resource_id.as_deref())?
        ))
    }
}

/// A verified delivery.
///
/// Everything except `domain` and `timestamp` comes from the signed payload. `to_json()` and
/// `Event.from_json()` let a receiver enqueue the event and answer 2xx at once; events also
/// pickle.
#[pyclass(frozen, module = "palisade_webhooks", name = "Event")]
pub(crate) struct PyEvent {
    shared: Arc<Shared>,
    data: PyOnceLock<Py<PyAny>>,
}

impl PyEvent {
    pub(crate) fn new(event: Event) -> Self {
        PyEvent {
            shared: Arc::new(Shared {
                event,
                raw: PyOnceLock::new(),
            }),
            data: PyOnceLock::new(),
        }
    }

    /// The idempotency key (used by the deduplicator).
    pub(crate) fn idempotency_key_str(&self) -> &str {
        &self.shared.event.idempotency_key
    }
}

#[pymethods]
impl PyEvent {
    /// The envelope's domain: `"TRANSACTION"`, `"WALLET"`, `"APPROVAL"` or any other value
    /// as received. Not signed: a routing hint only.
    #[getter]
    fn domain(&self) -> &str {
        self.shared.event.domain.as_str()
    }

    /// The envelope's timestamp (not signed; `None` in older deliveries).
    #[getter]
    fn timestamp(&self) -> Option<&str> {
        self.shared.event.timestamp.as_deref()
    }

    /// `"{domain}/{id}/{updatedAt}"` (`id` and `updatedAt` from the signed payload, each part
    /// percent-encoded for `%`, `/` and control characters), or `"{domain}/sha256:<hex>"` of the
    /// payload when either is missing. Deduplicate on this.
    #[getter]
    fn idempotency_key(&self) -> &str {
        &self.shared.event.idempotency_key
    }

    /// The resource's `id`, when present.
    #[getter]
    fn resource_id(&self) -> Option<&str> {
        self.shared.event.resource_id.as_deref()
    }

    /// The resource's `updatedAt`, when present.
    #[getter]
    fn updated_at(&self) -> Option<&str> {
        self.shared.event.updated_at.as_deref()
    }

    /// The resource's `status`, when present.
    #[getter]
    fn status(&self) -> Option<&str> {
        self.shared.event.status.as_deref()
    }

    /// The typed resource: `Transaction`, `Wallet`, `Approval` or `UnknownResource`.
    #[getter]
    fn data(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let data = self
            .data
            .get_or_try_init(py, || resource_object(py, &self.shared))?;
        Ok(data.clone_ref(py))
    }

    /// The decoded payload as Python objects (`dict`), exactly as signed, including fields
    /// this SDK does not model. Decoded on first access.
    #[getter]
    fn raw<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.shared.raw(py)
    }

    /// The signed base64 payload string, exactly as received.
    #[getter]
    fn payload(&self) -> &str {
        &self.shared.event.payload
    }

    /// Fingerprint (16 hex characters) of the key that verified the delivery.
    #[getter]
    fn key_fingerprint(&self) -> &str {
        &self.shared.event.key_fingerprint
    }

    /// The event as JSON (snake_case keys, the same format in every language).
    fn to_json(&self) -> String {
        self.shared.event.to_json()
    }

    /// Restores an event serialised by `to_json()` (in any language). This does not re-verify
    /// anything: only restore events your own receiver verified.
    ///
    /// Raises:
    ///     MalformedPayloadError: the text is not a serialised event.
    #[classmethod]
    fn from_json(
        _cls: &Bound<'_, pyo3::types::PyType>,
        py: Python<'_>,
        json: &str,
    ) -> PyResult<Self> {
        Event::from_json(json).or_raise(py).map(PyEvent::new)
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, (String,))> {
        let from_json = slf.get_type().getattr("from_json")?;
        Ok((from_json, (slf.get().shared.event.to_json(),)))
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .cast::<PyEvent>()
            .map(|o| o.get().shared.event == self.shared.event)
            .unwrap_or(false)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let e = &self.shared.event;
        Ok(format!(
            "Event(domain={}, idempotency_key={}, status={})",
            repr(py, Some(e.domain.as_str()))?,
            repr(py, Some(e.idempotency_key.as_str()))?,
            repr(py, e.status.as_deref())?
        ))
    }
}
