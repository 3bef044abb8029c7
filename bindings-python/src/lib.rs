//! `palisade_webhooks._native`: the Python binding of the `palisade-webhooks` core.
//!
//! The binding only converts types and maps errors; every check lives in the core. CPU work
//! (key preparation, verification, store calls) runs with the interpreter detached, so threads
//! verify in parallel. The pure-Python package `palisade_webhooks` re-exports these classes and
//! adds the framework adapters (I/O around `Receiver`) and the error classes generated from
//! the core.

use palisade_webhooks::DEFAULT_MAX_BODY_BYTES;
use pyo3::prelude::*;

mod convert;
mod dedup;
mod diagnose;
mod errors;
mod event;
mod receiver;
mod testing;
mod webhook;

/// Native core of `palisade_webhooks` (import the package, not this module).
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<webhook::PyWebhook>()?;
    m.add_function(wrap_pyfunction!(webhook::verify_webhook, m)?)?;
    m.add_function(wrap_pyfunction!(errors::http_status, m)?)?;
    m.add_class::<event::PyEvent>()?;
    event::add_resource_classes(m)?;
    m.add_class::<dedup::PyStore>()?;
    m.add_class::<dedup::PyMemoryStore>()?;
    m.add_class::<dedup::PySqliteStore>()?;
    m.add_class::<dedup::PyRedisStore>()?;
    m.add_class::<dedup::PyDeduplicator>()?;
    m.add_class::<dedup::PyClaim>()?;
    m.add_class::<receiver::PyReceiver>()?;
    m.add_class::<receiver::PyAnswer>()?;
    m.add_class::<receiver::PyProcessing>()?;
    m.add_class::<receiver::PyTicket>()?;
    m.add_class::<diagnose::PyDiagnosis>()?;
    m.add_class::<diagnose::PyCheck>()?;
    m.add_class::<testing::PyTestSigner>()?;
    m.add_class::<testing::PyFaultyStore>()?;
    m.add("DEFAULT_MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
