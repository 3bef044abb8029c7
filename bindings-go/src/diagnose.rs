//! Diagnosis of a delivery that does not verify: the core's report (what `doctor` prints), for
//! each of a webhook's keys.

use crate::memory::{bytes, handle, put, Headers, PwBuf};
use crate::status::{guard, Fail, PwError, PwStatus};
use crate::webhook::PwWebhook;

/// Diagnoses a delivery (the raw `body` and the request's headers, passed flat as for
/// `pw_webhook_verify`) under each of the webhook's keys, in order, and writes the reports as a
/// JSON array to `*out` (free with `pw_buf_free`): one object per key with `key_fingerprint`,
/// `verifies`, `digest` (or null), `error` (the code a default webhook gives, or null), `cause`
/// (one sentence saying what to do) and `checks` (`name`, `ok`, `detail` for each step).
///
/// It runs several verifications per key: call it to debug a refused delivery, not on every
/// request.
///
/// # Safety
/// Pointers valid for their lengths (NULL when 0); `webhook` live; `out` valid for writes.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn pw_webhook_diagnose(
    webhook: *const PwWebhook,
    body: *const u8,
    body_len: usize,
    header_data: *const u8,
    header_data_len: usize,
    header_lens: *const usize,
    header_count: usize,
    out: *mut PwBuf,
    err: *mut PwError,
) -> PwStatus {
    // SAFETY: the caller's guarantees are forwarded to each helper.
    unsafe {
        guard(err, || {
            put(out, PwBuf::EMPTY, "out")?;
            let webhook = handle(webhook, "webhook")?;
            let body = bytes(body, body_len, "body")?;
            let headers = Headers::read(header_data, header_data_len, header_lens, header_count)?;
            // The core's report for each key, the Signature header found as verification finds
            // it; serialised here, nothing more.
            let reports = webhook.inner.diagnose_keys(body, headers.pairs());
            let json = serde_json::to_string(&reports)
                .map_err(|e| Fail::internal(format!("the diagnosis: {e}")))?;
            put(out, PwBuf::from_string(json), "out")
        })
    }
}
