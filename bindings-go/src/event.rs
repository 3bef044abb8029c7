//! The verified event: its handle, a borrowed view of its fields, and `PwEventData`, the event
//! serialised once into one owned buffer (with the core's canonical JSON of the typed
//! resource), so a binding copies one buffer and never calls back for a field.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr;

use palisade_webhooks::{Event, Resource};

use crate::compact;
use crate::memory::{free_handle, handle, put, put_handle, text, PwBuf, PwStr};
use crate::status::{guard, Fail, PwError, PwStatus};

/// A verified event.
pub struct PwEvent {
    pub(crate) inner: Event,
}

/// The fields of a verified event, borrowed from its `PwEvent` (valid until `pw_event_free`).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct PwEventView {
    /// The envelope's domain (unsigned; empty when the envelope had none).
    pub domain: PwStr,
    /// The envelope's timestamp (unsigned; NULL when absent).
    pub timestamp: PwStr,
    /// The signed idempotency key.
    pub idempotency_key: PwStr,
    /// The resource's `id` (NULL when absent).
    pub resource_id: PwStr,
    /// The resource's `updatedAt` (NULL when absent).
    pub updated_at: PwStr,
    /// The resource's `status` (NULL when absent).
    pub status: PwStr,
    /// The decoded payload JSON, exactly as signed.
    pub raw: PwStr,
    /// The signed base64 payload string.
    pub payload: PwStr,
    /// Fingerprint of the key that verified the delivery.
    pub key_fingerprint: PwStr,
}

/// Where one field lies in `PwEventData.bytes`: `len` bytes from `offset`. `present` is false
/// for an absent optional field (then `offset` and `len` are 0).
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct PwSpan {
    /// Offset of the first byte in `bytes`.
    pub offset: usize,
    /// Length in bytes.
    pub len: usize,
    /// Whether the field is present.
    pub present: bool,
}

/// An event serialised into one owned buffer: every field's bytes back to back in `bytes`, and
/// where each lies. Made by `pw_event_data`; free with `pw_event_data_free`.
#[repr(C)]
#[derive(Debug)]
pub struct PwEventData {
    /// The fields' bytes, back to back (NUL-terminated as a whole, not per field). From
    /// `pw_event_data_into` or `pw_webhook_verify_into` when the fields fit the caller's buffer:
    /// `ptr` is NULL and the fields are the first `len` bytes of that buffer (not terminated).
    pub bytes: PwBuf,
    /// The envelope's domain (unsigned; empty when the envelope had none).
    pub domain: PwSpan,
    /// The envelope's timestamp (unsigned; absent in older deliveries).
    pub timestamp: PwSpan,
    /// The signed idempotency key.
    pub idempotency_key: PwSpan,
    /// The resource's `id`.
    pub resource_id: PwSpan,
    /// The resource's `updatedAt`.
    pub updated_at: PwSpan,
    /// The resource's `status`.
    pub status: PwSpan,
    /// The decoded payload JSON, exactly as signed.
    pub raw: PwSpan,
    /// The signed base64 payload string.
    pub payload: PwSpan,
    /// Fingerprint of the key that verified the delivery.
    pub key_fingerprint: PwSpan,
    /// The typed resource in the compact binary form of `compact.rs` (a null node for an unknown
    /// domain); absent when the resource has a value that form does not carry (then read it
    /// with `pw_event_resource_json`).
    pub resource: PwSpan,
}

impl PwEventData {
    pub(crate) const EMPTY: PwEventData = PwEventData {
        bytes: PwBuf::EMPTY,
        domain: PwSpan::ABSENT,
        timestamp: PwSpan::ABSENT,
        idempotency_key: PwSpan::ABSENT,
        resource_id: PwSpan::ABSENT,
        updated_at: PwSpan::ABSENT,
        status: PwSpan::ABSENT,
        raw: PwSpan::ABSENT,
        payload: PwSpan::ABSENT,
        key_fingerprint: PwSpan::ABSENT,
        resource: PwSpan::ABSENT,
    };

    /// The event's data in one owned buffer.
    fn of(e: &Event) -> PwEventData {
        let resource = compact_resource(e);
        let parts = Parts::of(e, resource.as_deref());
        let mut buf = Vec::with_capacity(parts.total + 1);
        for part in parts.bytes.iter().flatten() {
            buf.extend_from_slice(part);
        }
        let mut data = parts.spans();
        data.bytes = PwBuf::from_vec(buf);
        data
    }

    /// The event's data written to the caller's buffer (`buf`, `cap` bytes) when it fits: then
    /// `bytes.ptr` is NULL and `bytes.len` is how many bytes of `buf` hold the fields. Otherwise
    /// the data of [`PwEventData::of`] (an owned buffer).
    ///
    /// # Safety
    /// `buf` valid for writes of `cap` bytes (or `cap` is 0).
    unsafe fn into_buf(e: &Event, buf: *mut u8, cap: usize) -> PwEventData {
        let resource = compact_resource(e);
        let parts = Parts::of(e, resource.as_deref());
        if buf.is_null() || parts.total > cap {
            return PwEventData::of(e);
        }
        let mut at = 0;
        for part in parts.bytes.iter().flatten() {
            // SAFETY: the parts add up to `total` <= `cap` bytes, which the caller guarantees
            // are writable; an event's own strings never overlap the caller's buffer.
            unsafe { ptr::copy_nonoverlapping(part.as_ptr(), buf.add(at), part.len()) };
            at += part.len();
        }
        let mut data = parts.spans();
        data.bytes = PwBuf {
            ptr: ptr::null_mut(),
            len: parts.total,
        };
        data
    }
}

/// The typed resource in the compact form, or None when that form cannot carry it.
fn compact_resource(e: &Event) -> Option<Vec<u8>> {
    // About as long as the raw JSON it was parsed from.
    let mut out = Vec::with_capacity(e.raw.get().len() + 64);
    compact::encode(&e.data, &mut out).ok().map(|()| out)
}

/// An event's fields as bytes, in the order of `PwEventData`'s spans (None when absent), and
/// their total length.
struct Parts<'a> {
    bytes: [Option<&'a [u8]>; 10],
    total: usize,
}

impl<'a> Parts<'a> {
    fn of(e: &'a Event, resource: Option<&'a [u8]>) -> Parts<'a> {
        let text = |s: Option<&'a str>| s.map(str::as_bytes);
        let bytes = [
            text(Some(e.domain.as_str())),
            text(e.timestamp.as_deref()),
            text(Some(&e.idempotency_key)),
            text(e.resource_id.as_deref()),
            text(e.updated_at.as_deref()),
            text(e.status.as_deref()),
            text(Some(e.raw.get())),
            text(Some(&e.payload)),
            text(Some(&e.key_fingerprint)),
            resource,
        ];
        let total = bytes.iter().flatten().map(|b| b.len()).sum();
        Parts { bytes, total }
    }

    /// Where each part lies when they are written back to back (`bytes` left empty).
    fn spans(&self) -> PwEventData {
        let mut at = 0;
        let spans = self.bytes.map(|part| match part {
            None => PwSpan::ABSENT,
            Some(b) => {
                let span = PwSpan {
                    offset: at,
                    len: b.len(),
                    present: true,
                };
                at += b.len();
                span
            }
        });
        let [domain, timestamp, idempotency_key, resource_id, updated_at, status, raw, payload, key_fingerprint, resource] =
            spans;
        PwEventData {
            bytes: PwBuf::EMPTY,
            domain,
            timestamp,
            idempotency_key,
            resource_id,
            updated_at,
            status,
            raw,
            payload,
            key_fingerprint,
            resource,
        }
    }
}

impl PwSpan {
    const ABSENT: PwSpan = PwSpan {
        offset: 0,
        len: 0,
        present: false,
    };
}

/// Fills `*view` with the event's fields, borrowed from `event` (valid until `pw_event_free`).
/// Returns false (and leaves `*view` untouched) when either pointer is NULL.
///
/// # Safety
/// `event` NULL or live; `view` NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn pw_event_view(event: *const PwEvent, view: *mut PwEventView) -> bool {
    catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: guaranteed by the caller.
        let Some(event) = (unsafe { event.as_ref() }) else {
            return false;
        };
        if view.is_null() {
            return false;
        }
        let e = &event.inner;
        let fields = PwEventView {
            domain: PwStr::of(e.domain.as_str()),
            timestamp: PwStr::opt(e.timestamp.as_deref()),
            idempotency_key: PwStr::of(&e.idempotency_key),
            resource_id: PwStr::opt(e.resource_id.as_deref()),
            updated_at: PwStr::opt(e.updated_at.as_deref()),
            status: PwStr::opt(e.status.as_deref()),
            raw: PwStr::of(e.raw.get()),
            payload: PwStr::of(&e.payload),
            key_fingerprint: PwStr::of(&e.key_fingerprint),
        };
        // SAFETY: checked non-NULL; the caller guarantees validity.
        unsafe { ptr::write(view, fields) };
        true
    }))
    .unwrap_or(false)
}

/// Serialises an event into one owned buffer, `*out` (free with `pw_event_data_free`): every
/// field plus the core's canonical JSON of the typed resource, so the caller copies one buffer
/// and decodes the typed resource itself, without calling back into the library per field.
///
/// # Safety
/// `event` NULL or live; `out` valid for writes.
#[no_mangle]
pub unsafe extern "C" fn pw_event_data(
    event: *const PwEvent,
    out: *mut PwEventData,
    err: *mut PwError,
) -> PwStatus {
    // SAFETY: forwarded.
    unsafe {
        guard(err, || {
            put(out, PwEventData::EMPTY, "out")?;
            let event = handle(event, "event")?;
            put(out, PwEventData::of(&event.inner), "out")
        })
    }
}

/// `pw_event_data` into the caller's memory: when the event's data fits in `buf` (`cap` bytes)
/// it is written there and `out->bytes` is `{NULL, length written}`, so nothing needs freeing;
/// otherwise `out` is filled as `pw_event_data` fills it (free with `pw_event_data_free`, which
/// is harmless in both cases). Spans are offsets into whichever buffer holds the bytes.
///
/// # Safety
/// `event` NULL or live; `buf` valid for writes of `cap` bytes (NULL when 0), not overlapping
/// the event; `out` valid for writes.
#[no_mangle]
pub unsafe extern "C" fn pw_event_data_into(
    event: *const PwEvent,
    buf: *mut u8,
    cap: usize,
    out: *mut PwEventData,
    err: *mut PwError,
) -> PwStatus {
    // SAFETY: forwarded.
    unsafe {
        guard(err, || {
            put(out, PwEventData::EMPTY, "out")?;
            let event = handle(event, "event")?;
            put(out, PwEventData::into_buf(&event.inner, buf, cap), "out")
        })
    }
}

/// Fills `*out` with `event`'s data, in `buf` when it fits (see `pw_event_data_into`).
///
/// # Safety
/// As for `pw_event_data_into`.
pub(crate) unsafe fn event_data_into(
    event: &Event,
    buf: *mut u8,
    cap: usize,
    out: *mut PwEventData,
) -> Result<(), Fail> {
    // SAFETY: forwarded.
    unsafe { put(out, PwEventData::into_buf(event, buf, cap), "out") }
}

/// Frees an event's data and resets it to empty. Accepts NULL.
///
/// # Safety
/// `data` NULL or filled by `pw_event_data` (or zeroed).
#[no_mangle]
pub unsafe extern "C" fn pw_event_data_free(data: *mut PwEventData) {
    let _ = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: guaranteed by the caller.
        if let Some(d) = unsafe { data.as_mut() } {
            // SAFETY: filled by this library (or empty).
            unsafe { d.bytes.release() };
            *d = PwEventData::EMPTY;
        }
    }));
}

/// Serialises an event to the JSON wire form shared by every language (free with
/// `pw_buf_free`).
///
/// # Safety
/// `event` NULL or live; `out` valid for writes.
#[no_mangle]
pub unsafe extern "C" fn pw_event_to_json(
    event: *const PwEvent,
    out: *mut PwBuf,
    err: *mut PwError,
) -> PwStatus {
    // SAFETY: forwarded.
    unsafe {
        guard(err, || {
            put(out, PwBuf::EMPTY, "out")?;
            let event = handle(event, "event")?;
            put(out, PwBuf::from_string(event.inner.to_json()), "out")
        })
    }
}

/// Restores an event from its JSON wire form (as written by any language's SDK). This does not
/// re-verify anything. `*out` is a new event (free with `pw_event_free`) or NULL.
///
/// # Safety
/// `json` valid for `json_len` (NULL when 0); `out` valid for writes.
#[no_mangle]
pub unsafe extern "C" fn pw_event_from_json(
    json: *const u8,
    json_len: usize,
    out: *mut *mut PwEvent,
    err: *mut PwError,
) -> PwStatus {
    // SAFETY: forwarded.
    unsafe {
        guard(err, || {
            put(out, ptr::null_mut(), "out")?;
            let json = text(json, json_len, "json")?;
            let event = Event::from_json(&json)?;
            put_handle(out, PwEvent { inner: event })
        })
    }
}

/// Frees an event. Accepts NULL.
///
/// # Safety
/// `event` NULL or a live event handle, freed once.
#[no_mangle]
pub unsafe extern "C" fn pw_event_free(event: *mut PwEvent) {
    // SAFETY: forwarded.
    unsafe { free_handle(event) }
}

/// The canonical JSON of a typed resource: the core's own serialisation (camelCase,
/// absent fields left out, numbers kept as the text protobuf-JSON allows, unknown enum values
/// kept), or `null` for an unknown domain.
fn resource_json(resource: &Resource) -> Result<String, Fail> {
    serde_json::to_string(resource)
        .map_err(|e| Fail::internal(format!("the resource could not be serialised: {e}")))
}

/// Writes the canonical JSON of the event's typed resource (free with `pw_buf_free`): the
/// core's serialisation of its model (camelCase, absent fields left out, decimals and 64-bit
/// integers as strings, unknown enum values kept), or `null` for an unknown domain.
///
/// # Safety
/// `event` NULL or live; `out` valid for writes.
#[no_mangle]
pub unsafe extern "C" fn pw_event_resource_json(
    event: *const PwEvent,
    out: *mut PwBuf,
    err: *mut PwError,
) -> PwStatus {
    // SAFETY: forwarded.
    unsafe {
        guard(err, || {
            put(out, PwBuf::EMPTY, "out")?;
            let event = handle(event, "event")?;
            put(
                out,
                PwBuf::from_string(resource_json(&event.inner.data)?),
                "out",
            )
        })
    }
}

/// Parses a resource (`raw`, the decoded payload JSON) with the model of `domain`, exactly as
/// verification does (the core's `Resource::parse`), and writes its canonical JSON as
/// `pw_event_resource_json` does (`null` for an unknown domain). Lets a binding that copied an
/// event's fields decode the typed resource later without re-implementing the model. Text that
/// is not JSON, nests too deep, is not an object or does not fit the model fails with
/// `PW_ERR_MALFORMED_PAYLOAD` and the message verification gives.
///
/// # Safety
/// Pointers valid for their lengths (NULL when 0); `out` valid for writes.
#[no_mangle]
pub unsafe extern "C" fn pw_resource_json(
    domain: *const u8,
    domain_len: usize,
    raw: *const u8,
    raw_len: usize,
    out: *mut PwBuf,
    err: *mut PwError,
) -> PwStatus {
    // SAFETY: forwarded.
    unsafe {
        guard(err, || {
            put(out, PwBuf::EMPTY, "out")?;
            let domain = text(domain, domain_len, "domain")?;
            let raw = text(raw, raw_len, "raw")?;
            let resource = Resource::parse(&domain, &raw)?;
            put(out, PwBuf::from_string(resource_json(&resource)?), "out")
        })
    }
}
