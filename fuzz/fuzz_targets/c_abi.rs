#![no_main]
//! The C ABI of the Go SDK (crate `palisade-webhooks-ffi`, `bindings-go/src/`) called the
//! way a C or cgo caller would: fuzzed bytes and lengths (always within valid memory, as the
//! ABI's contract requires), flat string lists whose lengths may not add up, any status code.
//!
//! Invariants, for any input: every status is `PW_OK` or a documented `PW_ERR_*`, never
//! `PW_ERR_INTERNAL` (a caught panic); the error's code equals the status and carries a message
//! exactly when the call failed; outputs are NULL/empty on failure; a delivery signed by the
//! test signer always verifies; a verified event's view, JSON round trip and canonical resource
//! agree; deduplication answers NEW once, then DUPLICATE; the receiver answers with a JSON body
//! or hands out a ticket that settles exactly once. The durable stores are built without
//! their features here (no SQLite or Redis in the fuzz build): they must fail cleanly.

use std::ptr;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use palisade_webhooks_ffi::*;

/// Reads a fuzz input: lengths from single bytes, slices from what follows.
struct Cursor<'a>(&'a [u8]);

impl<'a> Cursor<'a> {
    fn byte(&mut self) -> u8 {
        match self.0.split_first() {
            Some((b, rest)) => {
                self.0 = rest;
                *b
            }
            None => 0,
        }
    }

    /// A slice whose length is the next byte (scaled), at most what is left.
    fn slice(&mut self, scale: usize) -> &'a [u8] {
        let n = (usize::from(self.byte()) * scale).min(self.0.len());
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        head
    }

    fn u64(&mut self) -> u64 {
        u64::from_le_bytes(std::array::from_fn(|_| self.byte()))
    }
}

fn zeroed_error() -> PwError {
    PwError {
        code: PW_OK,
        message: PwBuf {
            ptr: ptr::null_mut(),
            len: 0,
        },
    }
}

const DOCUMENTED: [PwStatus; 14] = [
    PW_OK,
    PW_ERR_MISSING_SIGNATURE,
    PW_ERR_MALFORMED_SIGNATURE,
    PW_ERR_INVALID_SIGNATURE,
    PW_ERR_INVALID_PUBLIC_KEY,
    PW_ERR_BODY_NOT_RAW,
    PW_ERR_BODY_TOO_LARGE,
    PW_ERR_MALFORMED_ENVELOPE,
    PW_ERR_MALFORMED_PAYLOAD,
    PW_ERR_STALE_EVENT,
    PW_ERR_STORE_UNAVAILABLE,
    PW_ERR_INVALID_ARGUMENT,
    PW_ERR_INTERNAL,
    PW_ERR_TICKET_SETTLED,
];

/// Checks a call's status against its error and the statuses the call documents, then frees
/// the error.
fn check(what: &str, status: PwStatus, err: &mut PwError, allowed: &[PwStatus]) {
    assert!(
        DOCUMENTED.contains(&status),
        "{what}: undocumented status {status}"
    );
    assert_ne!(
        status, PW_ERR_INTERNAL,
        "{what}: a panic crossed into the ABI"
    );
    assert_eq!(
        err.code, status,
        "{what}: error code differs from the status"
    );
    if status == PW_OK {
        assert!(err.message.ptr.is_null(), "{what}: a message on success");
    } else {
        assert!(
            !err.message.ptr.is_null() && err.message.len > 0,
            "{what}: no message"
        );
        // SAFETY: a filled buffer is NUL-terminated at len.
        assert_eq!(unsafe { *err.message.ptr.add(err.message.len) }, 0);
        let text = unsafe { std::slice::from_raw_parts(err.message.ptr, err.message.len) };
        assert!(
            std::str::from_utf8(text).is_ok(),
            "{what}: message is not UTF-8"
        );
    }
    assert!(
        status == PW_OK || allowed.contains(&status),
        "{what}: status {status} not among {allowed:?}"
    );
    unsafe { pw_error_free(err) };
}

fn buf_bytes(b: &PwBuf) -> &[u8] {
    if b.ptr.is_null() {
        &[]
    } else {
        unsafe { std::slice::from_raw_parts(b.ptr, b.len) }
    }
}

fn view_bytes(s: &PwStr) -> &[u8] {
    if s.ptr.is_null() || s.len == 0 {
        &[]
    } else {
        unsafe { std::slice::from_raw_parts(s.ptr, s.len) }
    }
}

/// The test signer (seed 1) and a verifier for its key, built once (key preparation is slow).
struct Fixture {
    signer: usize,
    webhook: usize,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| unsafe {
        let mut err = zeroed_error();
        let mut signer = ptr::null_mut();
        assert_eq!(pw_signer_from_seed(1, &mut signer, &mut err), PW_OK);
        let mut key = PwBuf {
            ptr: ptr::null_mut(),
            len: 0,
        };
        assert_eq!(pw_signer_key(signer, 0, &mut key, &mut err), PW_OK);
        let mut webhook = ptr::null_mut();
        let len = key.len;
        assert_eq!(
            pw_webhook_new(
                key.ptr,
                key.len,
                &len,
                1,
                ptr::null(),
                0,
                ptr::null(),
                &mut webhook,
                &mut err
            ),
            PW_OK
        );
        pw_buf_free(&mut key);
        Fixture {
            signer: signer as usize,
            webhook: webhook as usize,
        }
    })
}

/// Splits `data` into `count` strings with fuzzed lengths; the last length may be off so the
/// list does not add up (the ABI must refuse it, not read past the buffer).
fn flat_lens(c: &mut Cursor<'_>, data_len: usize, count: usize) -> Vec<usize> {
    let mut lens = Vec::with_capacity(count);
    let mut left = data_len;
    for _ in 0..count {
        let n = usize::from(c.byte()).min(left);
        lens.push(n);
        left -= n;
    }
    match (c.byte() % 4, lens.last_mut()) {
        (0, Some(last)) => *last += left,                // exact
        (1, Some(last)) => *last = last.wrapping_add(1), // one too many
        (2, Some(last)) => *last = usize::MAX - *last,   // overflowing
        _ => {}
    }
    lens
}

/// Checks a verified event handle and frees it.
/// The fields of an event's data, in `buf` when `bytes.ptr` is NULL (checking every span lies
/// within the bytes written).
unsafe fn event_fields(data: &PwEventData, buf: &[u8]) -> Vec<Option<Vec<u8>>> {
    let bytes: &[u8] = if data.bytes.ptr.is_null() {
        assert!(data.bytes.len <= buf.len());
        &buf[..data.bytes.len]
    } else {
        std::slice::from_raw_parts(data.bytes.ptr, data.bytes.len)
    };
    [
        data.domain,
        data.timestamp,
        data.idempotency_key,
        data.resource_id,
        data.updated_at,
        data.status,
        data.raw,
        data.payload,
        data.key_fingerprint,
        data.resource,
    ]
    .iter()
    .map(|s| {
        assert!(s.present || (s.offset == 0 && s.len == 0));
        s.present.then(|| bytes[s.offset..s.offset + s.len].to_vec())
    })
    .collect()
}

/// An event handle's fields through `pw_event_data`, and through `pw_event_data_into` with a
/// buffer too small and one large enough: the same each time.
unsafe fn event_data_fields(event: *mut PwEvent) -> Vec<Option<Vec<u8>>> {
    let mut err = zeroed_error();
    let mut data = std::mem::MaybeUninit::<PwEventData>::zeroed().assume_init();
    check("event_data", pw_event_data(event, &mut data, &mut err), &mut err, &[]);
    let fields = event_fields(&data, &[]);
    let total = data.bytes.len;
    pw_event_data_free(&mut data);
    for cap in [total.saturating_sub(1), total] {
        let mut buf = vec![0u8; cap];
        let status = pw_event_data_into(event, buf.as_mut_ptr(), cap, &mut data, &mut err);
        check("event_data_into", status, &mut err, &[]);
        assert_eq!(data.bytes.ptr.is_null(), cap == total && total > 0);
        assert_eq!(event_fields(&data, &buf), fields);
        pw_event_data_free(&mut data);
    }
    fields
}

unsafe fn check_event(event: *mut PwEvent) {
    assert!(!event.is_null());
    let mut view = std::mem::MaybeUninit::<PwEventView>::uninit();
    assert!(pw_event_view(event, view.as_mut_ptr()));
    let view = view.assume_init();
    assert!(!view.idempotency_key.ptr.is_null() && view.idempotency_key.len > 0);
    assert_eq!(view.key_fingerprint.len, 16);
    let mut err = zeroed_error();
    let mut json = PwBuf {
        ptr: ptr::null_mut(),
        len: 0,
    };
    check(
        "event_to_json",
        pw_event_to_json(event, &mut json, &mut err),
        &mut err,
        &[],
    );
    let mut back = ptr::null_mut();
    let status = pw_event_from_json(json.ptr, json.len, &mut back, &mut err);
    check("event_from_json(round trip)", status, &mut err, &[]);
    pw_buf_free(&mut json);
    let mut back_view = std::mem::MaybeUninit::<PwEventView>::uninit();
    assert!(pw_event_view(back, back_view.as_mut_ptr()));
    let back_view = back_view.assume_init();
    assert_eq!(
        view_bytes(&view.idempotency_key),
        view_bytes(&back_view.idempotency_key)
    );
    assert_eq!(view_bytes(&view.payload), view_bytes(&back_view.payload));
    assert_eq!(view_bytes(&view.domain), view_bytes(&back_view.domain));

    // The canonical resource: from the handle, and from (domain, raw) as the Go SDK asks.
    let mut a = PwBuf {
        ptr: ptr::null_mut(),
        len: 0,
    };
    let mut b = PwBuf {
        ptr: ptr::null_mut(),
        len: 0,
    };
    check(
        "event_resource_json",
        pw_event_resource_json(event, &mut a, &mut err),
        &mut err,
        &[],
    );
    let status = pw_resource_json(
        view.domain.ptr,
        view.domain.len,
        view.raw.ptr,
        view.raw.len,
        &mut b,
        &mut err,
    );
    check("resource_json(verified)", status, &mut err, &[]);
    assert_eq!(buf_bytes(&a), buf_bytes(&b));
    pw_buf_free(&mut a);
    pw_buf_free(&mut b);
    pw_event_free(back);
    pw_event_free(event);
}

const VERIFY: &[PwStatus] = &[
    PW_ERR_MISSING_SIGNATURE,
    PW_ERR_MALFORMED_SIGNATURE,
    PW_ERR_INVALID_SIGNATURE,
    PW_ERR_BODY_TOO_LARGE,
    PW_ERR_MALFORMED_ENVELOPE,
    PW_ERR_MALFORMED_PAYLOAD,
    PW_ERR_INVALID_ARGUMENT,
];

/// The receiver over the fixed verifier and an in-memory deduplicator: a fuzzed method,
/// declared length, body and headers either get an answer (a JSON body, a known code) or an
/// event and a ticket that settles exactly once.
unsafe fn receive(
    c: &mut Cursor<'_>,
    webhook: *const PwWebhook,
    body: &[u8],
    headers: &[u8],
    header_lens: &[usize],
    pairs: usize,
) {
    let mut err = zeroed_error();
    let (mut store, mut dedup, mut receiver) = (ptr::null_mut(), ptr::null_mut(), ptr::null_mut());
    assert_eq!(pw_memory_store_new(0, 0, &mut store, &mut err), PW_OK);
    assert_eq!(pw_dedup_new(store, 0, 0, &mut dedup, &mut err), PW_OK);
    let with_dedup = c.byte() & 1 == 1;
    let d = if with_dedup { dedup } else { ptr::null_mut() };
    assert_eq!(pw_receiver_new(webhook, d, &mut receiver, &mut err), PW_OK);
    pw_dedup_free(dedup);
    pw_store_free(store);
    let method: &[u8] = if c.byte() % 2 == 0 {
        b"POST"
    } else {
        c.slice(1)
    };
    let has_length = c.byte() & 1 == 1;
    let declared = c.u64() % 8192;
    for round in 0..2 {
        let mut answer = std::mem::MaybeUninit::<PwAnswer>::zeroed().assume_init();
        let (mut event, mut ticket) = (ptr::null_mut(), ptr::null_mut());
        let status = pw_receiver_begin(
            receiver,
            method.as_ptr(),
            method.len(),
            has_length,
            declared,
            body.as_ptr(),
            body.len(),
            headers.as_ptr(),
            headers.len(),
            header_lens.as_ptr(),
            pairs,
            &mut answer,
            &mut event,
            &mut ticket,
            &mut err,
        );
        check(
            "receiver_begin",
            status,
            &mut err,
            &[PW_ERR_INVALID_ARGUMENT],
        );
        if status != PW_OK {
            assert!(event.is_null() && ticket.is_null() && answer.body.ptr.is_null());
            break;
        }
        if ticket.is_null() {
            assert!(event.is_null());
            check_answer(&answer);
            pw_answer_free(&mut answer);
            continue;
        }
        assert!(!event.is_null() && answer.body.ptr.is_null());
        let mut data = std::mem::MaybeUninit::<PwEventData>::zeroed().assume_init();
        let status = pw_event_data(event, &mut data, &mut err);
        check("event_data", status, &mut err, &[]);
        assert!(data.idempotency_key.present && data.resource.present);
        assert!(data.resource.offset + data.resource.len <= data.bytes.len);
        pw_event_data_free(&mut data);
        pw_event_free(event);
        // With a deduplicator, the second round finds the first one's work done (or released).
        let reason = c.slice(1);
        let status = if c.byte() & 1 == 1 {
            pw_ticket_finish_ok(ticket, &mut answer, &mut err)
        } else {
            pw_ticket_finish_failed(ticket, reason.as_ptr(), reason.len(), &mut answer, &mut err)
        };
        check("ticket_finish", status, &mut err, &[]);
        check_answer(&answer);
        pw_answer_free(&mut answer);
        let status = pw_ticket_finish_ok(ticket, &mut answer, &mut err);
        check(
            "ticket_finish(again)",
            status,
            &mut err,
            &[PW_ERR_TICKET_SETTLED],
        );
        assert_eq!(
            status, PW_ERR_TICKET_SETTLED,
            "round {round}: a ticket settled twice"
        );
        pw_ticket_free(ticket);
    }
    pw_receiver_free(receiver);
}

/// An answer: a known status, a static code, a JSON body, headers and a log line.
fn check_answer(a: &PwAnswer) {
    assert!(
        [200, 400, 401, 405, 409, 413, 500, 503].contains(&a.status),
        "status {}",
        a.status
    );
    assert!(!view_bytes(&a.code).is_empty() && !view_bytes(&a.log_level).is_empty());
    let body: serde_json::Value = serde_json::from_slice(buf_bytes(&a.body)).expect("a JSON body");
    assert!(body.is_object());
    let headers: Vec<(String, String)> =
        serde_json::from_slice(buf_bytes(&a.headers_json)).expect("JSON headers");
    assert_eq!(
        headers[0],
        ("Content-Type".into(), "application/json".into())
    );
    assert!(!buf_bytes(&a.log_message).is_empty());
}

fuzz_target!(|data: &[u8]| unsafe {
    let fx = fixture();
    let fixed = fx.webhook as *const PwWebhook;
    let signer = fx.signer as *const PwSigner;
    let mut c = Cursor(data);
    let mut err = zeroed_error();

    // Status tables: any code.
    let code = i32::from_le_bytes([c.byte(), c.byte(), c.byte(), c.byte()]);
    assert!([0, 400, 401, 413, 500, 503].contains(&pw_http_status(code)));
    let name = pw_code_name(code);
    assert_eq!(name.is_null(), !DOCUMENTED.contains(&code));

    // A verifier from fuzzed keys, digest and options.
    let keys = c.slice(4);
    let key_count = usize::from(c.byte() % 4);
    let key_lens = flat_lens(&mut c, keys.len(), key_count);
    let digest = c.slice(1);
    let opts = PwWebhookOptions {
        has_max_body_bytes: c.byte() & 1 == 1,
        max_body_bytes: c.u64() % 4096,
        has_max_age: c.byte() & 1 == 1,
        max_age_ns: c.u64(),
    };
    let mut fuzzed = ptr::null_mut();
    let status = pw_webhook_new(
        keys.as_ptr(),
        keys.len(),
        key_lens.as_ptr(),
        key_count,
        digest.as_ptr(),
        digest.len(),
        &opts,
        &mut fuzzed,
        &mut err,
    );
    check(
        "webhook_new",
        status,
        &mut err,
        &[PW_ERR_INVALID_PUBLIC_KEY, PW_ERR_INVALID_ARGUMENT],
    );
    assert_eq!(fuzzed.is_null(), status != PW_OK);

    // Verify a fuzzed body and headers with both verifiers.
    let body = c.slice(16);
    let headers = c.slice(4);
    let pairs = usize::from(c.byte() % 4);
    let header_lens = flat_lens(&mut c, headers.len(), pairs * 2);
    for (wh, allowed) in [
        (fixed, VERIFY),
        (fuzzed as *const PwWebhook, &[PW_ERR_STALE_EVENT][..]),
    ] {
        if wh.is_null() {
            continue;
        }
        let mut event = ptr::null_mut();
        let status = pw_webhook_verify(
            wh,
            body.as_ptr(),
            body.len(),
            headers.as_ptr(),
            headers.len(),
            header_lens.as_ptr(),
            pairs,
            &mut event,
            &mut err,
        );
        let allowed: Vec<PwStatus> = VERIFY.iter().chain(allowed).copied().collect();
        check("webhook_verify", status, &mut err, &allowed);
        // The same call writing into a buffer of fuzzed size: same outcome, same fields.
        let mut buf = vec![0u8; usize::from(c.byte()) * 32];
        let mut into = std::mem::MaybeUninit::<PwEventData>::zeroed().assume_init();
        let into_status = pw_webhook_verify_into(
            wh,
            body.as_ptr(),
            body.len(),
            headers.as_ptr(),
            headers.len(),
            header_lens.as_ptr(),
            pairs,
            buf.as_mut_ptr(),
            buf.len(),
            &mut into,
            &mut err,
        );
        check("webhook_verify_into", into_status, &mut err, &allowed);
        // A stale-event verdict may flip between the two calls; nothing else may.
        assert!(into_status == status || status == PW_ERR_STALE_EVENT || into_status == PW_ERR_STALE_EVENT);
        if into_status == PW_OK && status == PW_OK {
            assert_eq!(event_fields(&into, &buf), event_data_fields(event));
        }
        if into_status != PW_OK {
            assert!(into.bytes.ptr.is_null() && into.bytes.len == 0 && !into.domain.present);
        }
        pw_event_data_free(&mut into);
        if status == PW_OK {
            check_event(event);
        } else {
            assert!(event.is_null());
        }
    }
    receive(&mut c, fixed, body, headers, &header_lens, pairs);

    let mut fp = PwBuf {
        ptr: ptr::null_mut(),
        len: 0,
    };
    let status = pw_webhook_verify_signature(
        fixed,
        body.as_ptr(),
        body.len(),
        headers.as_ptr(),
        headers.len(),
        &mut fp,
        &mut err,
    );
    check(
        "verify_signature",
        status,
        &mut err,
        &[
            PW_ERR_MISSING_SIGNATURE,
            PW_ERR_MALFORMED_SIGNATURE,
            PW_ERR_INVALID_SIGNATURE,
        ],
    );
    assert_eq!(fp.ptr.is_null(), status != PW_OK);
    pw_buf_free(&mut fp);
    let documented = pw_verify_webhook(
        keys.as_ptr(),
        keys.len(),
        headers.as_ptr(),
        headers.len(),
        body.as_ptr(),
        body.len(),
    );
    let _ = documented;

    // Event JSON and resource JSON from arbitrary text.
    let mut event = ptr::null_mut();
    let status = pw_event_from_json(body.as_ptr(), body.len(), &mut event, &mut err);
    check(
        "event_from_json",
        status,
        &mut err,
        &[PW_ERR_MALFORMED_PAYLOAD],
    );
    if status == PW_OK {
        pw_event_free(event);
    }
    let mut out = PwBuf {
        ptr: ptr::null_mut(),
        len: 0,
    };
    let status = pw_resource_json(
        digest.as_ptr(),
        digest.len(),
        body.as_ptr(),
        body.len(),
        &mut out,
        &mut err,
    );
    check(
        "resource_json",
        status,
        &mut err,
        &[PW_ERR_MALFORMED_PAYLOAD, PW_ERR_INVALID_ARGUMENT],
    );
    pw_buf_free(&mut out);

    // A delivery signed from fuzzed parts verifies with the signer's key, whatever it carries.
    let mode = i32::from(c.byte() % 4);
    let timestamp = c.slice(1);
    let mut delivery = PwDelivery {
        body: PwBuf {
            ptr: ptr::null_mut(),
            len: 0,
        },
        headers_json: PwBuf {
            ptr: ptr::null_mut(),
            len: 0,
        },
        payload: PwBuf {
            ptr: ptr::null_mut(),
            len: 0,
        },
        signature: PwBuf {
            ptr: ptr::null_mut(),
            len: 0,
        },
    };
    let status = pw_signer_delivery(
        signer,
        digest.as_ptr(),
        digest.len(),
        body.as_ptr(),
        body.len(),
        mode,
        timestamp.as_ptr(),
        timestamp.len(),
        ptr::null(),
        0,
        &mut delivery,
        &mut err,
    );
    check(
        "signer_delivery",
        status,
        &mut err,
        &[PW_ERR_MALFORMED_PAYLOAD, PW_ERR_INVALID_ARGUMENT],
    );
    if status == PW_OK {
        let name = b"Signature";
        let sig = buf_bytes(&delivery.signature);
        let mut flat = name.to_vec();
        flat.extend_from_slice(sig);
        let lens = [name.len(), sig.len()];
        let mut event = ptr::null_mut();
        let status = pw_webhook_verify(
            fixed,
            delivery.body.ptr,
            delivery.body.len,
            flat.as_ptr(),
            flat.len(),
            lens.as_ptr(),
            1,
            &mut event,
            &mut err,
        );
        // The signature always verifies; the resource may still not fit the domain's model (the
        // signer only checks that it is a JSON object).
        check(
            "verify(signed delivery)",
            status,
            &mut err,
            &[PW_ERR_MALFORMED_PAYLOAD],
        );
        if status == PW_OK {
            check_event(event);
            // The same signed delivery through the receiver: processed, then a duplicate.
            receive(&mut c, fixed, buf_bytes(&delivery.body), &flat, &lens, 1);
        }
    }
    pw_delivery_free(&mut delivery);

    // Deduplication: NEW once, then DUPLICATE; every store call fails cleanly or succeeds.
    let mut store = ptr::null_mut();
    let status = pw_memory_store_new(u64::from(c.byte()), 0, &mut store, &mut err);
    check("memory_store_new", status, &mut err, &[]);
    // A lease under 1 ms is refused (it would turn deduplication off), never a panic.
    let mut refused = ptr::null_mut();
    check(
        "dedup_new (lease under 1 ms)",
        pw_dedup_new(store, 1 + c.u64() % 999_999, 0, &mut refused, &mut err),
        &mut err,
        &[PW_ERR_INVALID_ARGUMENT],
    );
    assert!(refused.is_null(), "a refused deduplicator was handed out");
    let mut dedup = ptr::null_mut();
    check(
        "dedup_new",
        pw_dedup_new(
            store,
            1_000_000 + c.u64() % 1_000_000_000,
            0,
            &mut dedup,
            &mut err,
        ),
        &mut err,
        &[],
    );
    pw_store_free(store);
    let key = c.slice(1);
    let mut outcome = 0;
    let mut claim = ptr::null_mut();
    let status = pw_dedup_claim(
        dedup,
        key.as_ptr(),
        key.len(),
        &mut outcome,
        &mut claim,
        &mut err,
    );
    check("dedup_claim", status, &mut err, &[]);
    assert_eq!(outcome, PW_CLAIM_NEW);
    let mut kept = false;
    if c.byte() & 1 == 0 {
        check(
            "dedup_complete",
            pw_dedup_complete(dedup, claim, &mut kept, &mut err),
            &mut err,
            &[],
        );
        assert!(kept);
        let mut again = ptr::null_mut();
        let status = pw_dedup_claim(
            dedup,
            key.as_ptr(),
            key.len(),
            &mut outcome,
            &mut again,
            &mut err,
        );
        check("dedup_claim(again)", status, &mut err, &[]);
        assert_eq!(outcome, PW_CLAIM_DUPLICATE);
        assert!(again.is_null());
    } else {
        check(
            "dedup_release",
            pw_dedup_release(dedup, claim, &mut kept, &mut err),
            &mut err,
            &[],
        );
        assert!(kept);
    }
    pw_claim_free(claim);
    pw_dedup_free(dedup);

    let sqlite = PwSqliteOptions {
        has_busy_timeout: true,
        busy_timeout_ns: c.u64(),
        has_sync_every_commit: true,
        sync_every_commit: false,
    };
    let status = pw_sqlite_store_new(key.as_ptr(), key.len(), &sqlite, &mut store, &mut err);
    check(
        "sqlite_store_new",
        status,
        &mut err,
        &[PW_ERR_STORE_UNAVAILABLE, PW_ERR_INVALID_ARGUMENT],
    );
    assert_ne!(status, PW_OK, "the fuzz build has no SQLite store");
    let redis = PwRedisOptions {
        has_prefix: true,
        has_timeout: true,
        timeout_ns: 1,
        has_connect_timeout: true,
        connect_timeout_ns: 1,
        has_max_idle: false,
        max_idle: 0,
        has_connections: true,
        connections: c.u64() as i64,
    };
    let status = pw_redis_store_new(
        key.as_ptr(),
        key.len(),
        timestamp.as_ptr(),
        timestamp.len(),
        &redis,
        &mut store,
        &mut err,
    );
    check(
        "redis_store_new",
        status,
        &mut err,
        &[PW_ERR_STORE_UNAVAILABLE, PW_ERR_INVALID_ARGUMENT],
    );
    assert_ne!(status, PW_OK, "the fuzz build has no Redis store");

    pw_webhook_free(fuzzed);
});
