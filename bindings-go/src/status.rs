//! Status codes and errors: what a call returns, the `PwError` that explains it, the names and
//! HTTP statuses of the codes, and the `catch_unwind` guard every export runs in.

use std::ffi::c_char;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr;

use palisade_webhooks::receiver::TicketSettled;
use palisade_webhooks::ErrorCode;

use crate::memory::PwBuf;

/// A status code: `PW_OK` or one of the `PW_ERR_*` values.
pub type PwStatus = i32;

/// Success.
pub const PW_OK: PwStatus = 0;
/// `ERR_MISSING_SIGNATURE`
pub const PW_ERR_MISSING_SIGNATURE: PwStatus = 1;
/// `ERR_MALFORMED_SIGNATURE`
pub const PW_ERR_MALFORMED_SIGNATURE: PwStatus = 2;
/// `ERR_INVALID_SIGNATURE`
pub const PW_ERR_INVALID_SIGNATURE: PwStatus = 3;
/// `ERR_INVALID_PUBLIC_KEY`
pub const PW_ERR_INVALID_PUBLIC_KEY: PwStatus = 4;
/// `ERR_BODY_NOT_RAW`
pub const PW_ERR_BODY_NOT_RAW: PwStatus = 5;
/// `ERR_BODY_TOO_LARGE`
pub const PW_ERR_BODY_TOO_LARGE: PwStatus = 6;
/// `ERR_MALFORMED_ENVELOPE`
pub const PW_ERR_MALFORMED_ENVELOPE: PwStatus = 7;
/// `ERR_MALFORMED_PAYLOAD`
pub const PW_ERR_MALFORMED_PAYLOAD: PwStatus = 8;
/// `ERR_STALE_EVENT`
pub const PW_ERR_STALE_EVENT: PwStatus = 9;
/// `ERR_STORE_UNAVAILABLE`
pub const PW_ERR_STORE_UNAVAILABLE: PwStatus = 10;
/// A programming error on the caller's side: NULL where a value is required, lengths that do
/// not add up, an unknown digest name. Not a delivery error.
pub const PW_ERR_INVALID_ARGUMENT: PwStatus = 64;
/// A bug inside the library (a caught panic). Please report it.
pub const PW_ERR_INTERNAL: PwStatus = 65;
/// `ERR_TICKET_SETTLED`: a `PwTicket` was finished a second time. The first settlement stands;
/// the second changes nothing.
pub const PW_ERR_TICKET_SETTLED: PwStatus = 66;

/// The status of one of the core's delivery error codes.
pub(crate) fn status_of(code: ErrorCode) -> PwStatus {
    match code {
        ErrorCode::MissingSignature => PW_ERR_MISSING_SIGNATURE,
        ErrorCode::MalformedSignature => PW_ERR_MALFORMED_SIGNATURE,
        ErrorCode::InvalidSignature => PW_ERR_INVALID_SIGNATURE,
        ErrorCode::InvalidPublicKey => PW_ERR_INVALID_PUBLIC_KEY,
        ErrorCode::BodyNotRaw => PW_ERR_BODY_NOT_RAW,
        ErrorCode::BodyTooLarge => PW_ERR_BODY_TOO_LARGE,
        ErrorCode::MalformedEnvelope => PW_ERR_MALFORMED_ENVELOPE,
        ErrorCode::MalformedPayload => PW_ERR_MALFORMED_PAYLOAD,
        ErrorCode::StaleEvent => PW_ERR_STALE_EVENT,
        ErrorCode::StoreUnavailable => PW_ERR_STORE_UNAVAILABLE,
        // A code added to the core without a number here: caught by the unit tests below.
        _ => PW_ERR_INTERNAL,
    }
}

/// The core's error code for a status, when it is one of the `PW_ERR_*` delivery codes.
fn code_of(status: PwStatus) -> Option<ErrorCode> {
    ErrorCode::ALL.into_iter().find(|&c| status_of(c) == status)
}

/// The stable name of a status code (`"ERR_INVALID_SIGNATURE"`, `"ERR_TICKET_SETTLED"`, `"OK"`,
/// `"INVALID_ARGUMENT"`, `"INTERNAL"`), NUL-terminated and static; NULL for an unknown code.
#[no_mangle]
pub extern "C" fn pw_code_name(code: PwStatus) -> *const c_char {
    catch_unwind(|| code_name(code)).unwrap_or(ptr::null())
}

fn code_name(code: PwStatus) -> *const c_char {
    let name: &'static str = match code {
        PW_OK => "OK\0",
        PW_ERR_MISSING_SIGNATURE => "ERR_MISSING_SIGNATURE\0",
        PW_ERR_MALFORMED_SIGNATURE => "ERR_MALFORMED_SIGNATURE\0",
        PW_ERR_INVALID_SIGNATURE => "ERR_INVALID_SIGNATURE\0",
        PW_ERR_INVALID_PUBLIC_KEY => "ERR_INVALID_PUBLIC_KEY\0",
        PW_ERR_BODY_NOT_RAW => "ERR_BODY_NOT_RAW\0",
        PW_ERR_BODY_TOO_LARGE => "ERR_BODY_TOO_LARGE\0",
        PW_ERR_MALFORMED_ENVELOPE => "ERR_MALFORMED_ENVELOPE\0",
        PW_ERR_MALFORMED_PAYLOAD => "ERR_MALFORMED_PAYLOAD\0",
        PW_ERR_STALE_EVENT => "ERR_STALE_EVENT\0",
        PW_ERR_STORE_UNAVAILABLE => "ERR_STORE_UNAVAILABLE\0",
        PW_ERR_INVALID_ARGUMENT => "INVALID_ARGUMENT\0",
        PW_ERR_INTERNAL => "INTERNAL\0",
        PW_ERR_TICKET_SETTLED => "ERR_TICKET_SETTLED\0",
        _ => return ptr::null(),
    };
    name.as_ptr().cast()
}

/// The HTTP status a receiver should answer for a failed call, as the core defines it for every
/// SDK: 401 for a missing, malformed or invalid signature; 400 for a malformed envelope or
/// payload or a stale event; 413 for a body over the limit; 503 when the idempotency store is
/// unavailable (Palisade retries); 500 for the rest (`PW_ERR_INVALID_PUBLIC_KEY`,
/// `PW_ERR_BODY_NOT_RAW`, `PW_ERR_INVALID_ARGUMENT`, `PW_ERR_INTERNAL`,
/// `PW_ERR_TICKET_SETTLED`: the receiver's own bug). 0 for `PW_OK` and unknown codes.
#[no_mangle]
pub extern "C" fn pw_http_status(code: PwStatus) -> u16 {
    match code {
        PW_ERR_INVALID_ARGUMENT | PW_ERR_INTERNAL | PW_ERR_TICKET_SETTLED => 500,
        other => catch_unwind(|| code_of(other).map_or(0, ErrorCode::http_status)).unwrap_or(0),
    }
}

/// The error half of a call: `code` (as returned) and a message saying what to fix.
#[repr(C)]
#[derive(Debug)]
pub struct PwError {
    /// `PW_OK` or a `PW_ERR_*` code.
    pub code: PwStatus,
    /// The message (empty on success). Freed by `pw_error_free`.
    pub message: PwBuf,
}

/// Frees an error's message and resets it to `{PW_OK, empty}`. Accepts NULL.
///
/// # Safety
/// `err` is NULL or points to a `PwError` filled by this library (or zeroed).
#[no_mangle]
pub unsafe extern "C" fn pw_error_free(err: *mut PwError) {
    let _ = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: guaranteed by the caller.
        if let Some(err) = unsafe { err.as_mut() } {
            // SAFETY: filled by this library.
            unsafe { err.message.release() };
            err.code = PW_OK;
        }
    }));
}

/// A failed call: status plus message.
pub(crate) struct Fail {
    pub(crate) code: PwStatus,
    pub(crate) message: String,
}

impl Fail {
    /// A programming error on the caller's side.
    pub(crate) fn arg(message: impl Into<String>) -> Fail {
        Fail {
            code: PW_ERR_INVALID_ARGUMENT,
            message: message.into(),
        }
    }

    /// A bug in this library.
    pub(crate) fn internal(message: impl Into<String>) -> Fail {
        Fail {
            code: PW_ERR_INTERNAL,
            message: message.into(),
        }
    }
}

impl From<palisade_webhooks::Error> for Fail {
    fn from(e: palisade_webhooks::Error) -> Fail {
        Fail {
            code: status_of(e.code()),
            message: e.message().to_string(),
        }
    }
}

impl From<TicketSettled> for Fail {
    fn from(_: TicketSettled) -> Fail {
        Fail {
            code: PW_ERR_TICKET_SETTLED,
            message: TicketSettled::MESSAGE.to_string(),
        }
    }
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    let detail = payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("unknown panic");
    format!("internal error (a bug in palisade-webhooks, please report it): panic: {detail}")
}

/// Runs `f` inside `catch_unwind` and reports its outcome through the status and `*err`.
///
/// # Safety
/// `err` is NULL or valid for writes.
pub(crate) unsafe fn guard(err: *mut PwError, f: impl FnOnce() -> Result<(), Fail>) -> PwStatus {
    let outcome = match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(())) => None,
        Ok(Err(fail)) => Some(fail),
        Err(payload) => Some(Fail::internal(panic_message(payload.as_ref()))),
    };
    let (code, message) = match outcome {
        None => (PW_OK, PwBuf::EMPTY),
        Some(fail) => (fail.code, PwBuf::from_string(fail.message)),
    };
    if err.is_null() {
        let mut message = message;
        // SAFETY: just allocated by from_string (or EMPTY).
        unsafe { message.release() };
    } else {
        // SAFETY: the caller guarantees `err` is valid for writes.
        unsafe { ptr::write(err, PwError { code, message }) };
    }
    code
}

/// For tests of the boundary itself: panics inside the library, which must come back as
/// `PW_ERR_INTERNAL` with a message, never as a crash.
///
/// # Safety
/// `err` NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn pw_test_panic(err: *mut PwError) -> PwStatus {
    // SAFETY: forwarded.
    unsafe {
        guard(err, || -> Result<(), Fail> {
            panic!("deliberate panic for the boundary test")
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    #[test]
    fn every_core_code_has_a_status_and_a_name() {
        let mut seen = std::collections::BTreeSet::new();
        for code in ErrorCode::ALL {
            let status = status_of(code);
            assert!((1..PW_ERR_INVALID_ARGUMENT).contains(&status), "{code}");
            assert!(seen.insert(status), "duplicate status for {code}");
            let name = unsafe { CStr::from_ptr(pw_code_name(status)) };
            assert_eq!(name.to_str().unwrap(), code.as_str());
        }
        let settled = unsafe { CStr::from_ptr(pw_code_name(PW_ERR_TICKET_SETTLED)) };
        assert_eq!(settled.to_str().unwrap(), TicketSettled::CODE);
        assert_eq!(pw_http_status(PW_ERR_TICKET_SETTLED), 500);
        assert!(pw_code_name(999).is_null());
    }

    #[test]
    fn panics_become_internal_errors() {
        let mut err = PwError {
            code: PW_OK,
            message: PwBuf::EMPTY,
        };
        let status = unsafe { pw_test_panic(&mut err) };
        assert_eq!(status, PW_ERR_INTERNAL);
        assert_eq!(err.code, PW_ERR_INTERNAL);
        let msg = unsafe { std::slice::from_raw_parts(err.message.ptr, err.message.len) };
        assert!(std::str::from_utf8(msg)
            .unwrap()
            .contains("deliberate panic"));
        unsafe { pw_error_free(&mut err) };
        assert!(err.message.ptr.is_null());
    }
}
