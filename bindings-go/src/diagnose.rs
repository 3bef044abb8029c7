//! Diagnosis of a delivery that does not verify: the core's report (what `doctor` prints), for
//! each of a webhook's keys.

use serde::Serialize;

use palisade_webhooks::diagnose::{diagnose, Diagnosis};
use palisade_webhooks::SIGNATURE_HEADER;

use crate::memory::{bytes, handle, put, Headers, PwBuf};
use crate::status::{guard, Fail, PwError, PwStatus};
use crate::webhook::PwWebhook;

/// One key's diagnosis, as written by `pw_webhook_diagnose`.
#[derive(Serialize)]
struct KeyDiagnosis<'a> {
    key_fingerprint: &'a str,
    #[serde(flatten)]
    diagnosis: Diagnosis,
}

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
            // The first Signature header, found as verification finds it (any case).
            let signature = headers
                .pairs()
                .find(|(name, _)| name.trim().eq_ignore_ascii_case(SIGNATURE_HEADER))
                .map(|(_, value)| value);
            let reports: Vec<KeyDiagnosis> = webhook
                .inner
                .keys()
                .iter()
                .map(|key| KeyDiagnosis {
                    key_fingerprint: key.fingerprint(),
                    diagnosis: diagnose(&key.to_spki_b64(), body, signature),
                })
                .collect();
            let json = serde_json::to_string(&reports)
                .map_err(|e| Fail::internal(format!("the diagnosis: {e}")))?;
            put(out, PwBuf::from_string(json), "out")
        })
    }
}
