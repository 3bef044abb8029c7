//! The core's diagnosis of a delivery, as a plain JS object.

use napi_derive::napi;
use palisade_webhooks::diagnose::{Check, Diagnosis};

/// One step of a diagnosis.
#[napi(object, object_from_js = false)]
pub struct NativeCheck {
    pub name: String,
    pub ok: bool,
    pub detail: String,
}

/// What a diagnosis concluded.
#[napi(object, object_from_js = false)]
pub struct NativeDiagnosis {
    pub verifies: bool,
    pub digest: Option<String>,
    pub error: Option<String>,
    pub cause: String,
    pub checks: Vec<NativeCheck>,
}

impl From<Check> for NativeCheck {
    fn from(c: Check) -> Self {
        NativeCheck {
            name: c.name.to_string(),
            ok: c.ok,
            detail: c.detail,
        }
    }
}

impl From<Diagnosis> for NativeDiagnosis {
    fn from(d: Diagnosis) -> Self {
        NativeDiagnosis {
            verifies: d.verifies,
            digest: d.digest.map(str::to_string),
            error: d.error.map(str::to_string),
            cause: d.cause,
            checks: d.checks.into_iter().map(NativeCheck::from).collect(),
        }
    }
}
