package ffi

/*
#include "palisade_webhooks.h"
*/
import "C"

import (
	"runtime"
	"unsafe"
)

// EventData is a verified event copied into Go memory: the library serialises it once
// (pw_event_data) into one buffer, copied here in one go; the fields are slices of that copy.
type EventData struct {
	Domain, Timestamp, IdempotencyKey, ResourceID, UpdatedAt, Status string
	// Raw is the decoded payload JSON, exactly as signed.
	Raw []byte
	// Payload is the signed base64 payload string.
	Payload        string
	KeyFingerprint string
	// Resource is the typed resource in the library's compact form (src/compact.rs; a null
	// node for an unknown domain), for the typed accessors to decode without calling back; nil
	// when the library could not encode it (then ResourceJSON gives the canonical JSON).
	// Strings decoded from it share its memory: it is never written to.
	Resource []byte
}

// takeEvent serialises an event handle, copies the result and frees both.
func takeEvent(ev *C.PwEvent) (EventData, *Error) {
	defer C.pw_event_free(ev)
	var data C.PwEventData
	var e C.PwError
	if status := C.pw_event_data(ev, &data, &e); status != C.PW_OK {
		return EventData{}, takeError(status, &e)
	}
	defer C.pw_event_data_free(&data)
	var buf []byte
	if data.bytes.ptr != nil && data.bytes.len > 0 {
		buf = C.GoBytes(unsafe.Pointer(data.bytes.ptr), C.int(data.bytes.len))
	}
	d := decoder{buf: buf}
	out := EventData{
		Domain:         domain(d.bytes(data.domain)),
		Timestamp:      string(d.bytes(data.timestamp)),
		IdempotencyKey: string(d.bytes(data.idempotency_key)),
		ResourceID:     string(d.bytes(data.resource_id)),
		UpdatedAt:      string(d.bytes(data.updated_at)),
		Status:         string(d.bytes(data.status)),
		Raw:            d.bytes(data.raw),
		Payload:        d.alias(data.payload),
		KeyFingerprint: string(d.bytes(data.key_fingerprint)),
		Resource:       d.bytes(data.resource),
	}
	if d.bad {
		return EventData{}, &Error{Code: ErrInternal, Message: "the event data's spans do not fit its buffer"}
	}
	return out, nil
}

// decoder reads spans out of the copied buffer.
type decoder struct {
	buf []byte
	bad bool
}

// bytes is the span's bytes, a slice of the copy (capped, so appending never overwrites the
// next field); nil when absent.
func (d *decoder) bytes(s C.PwSpan) []byte {
	if !bool(s.present) {
		return nil
	}
	off, n := uint64(s.offset), uint64(s.len)
	if off > uint64(len(d.buf)) || n > uint64(len(d.buf))-off {
		d.bad = true
		return nil
	}
	return d.buf[off : off+n : off+n]
}

// alias is the span as a string sharing the copy's memory (for the large payload, which would
// otherwise be copied twice). The copy is never written to.
func (d *decoder) alias(s C.PwSpan) string {
	b := d.bytes(s)
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// domain returns the known domains without allocating.
func domain(b []byte) string {
	switch string(b) { // no allocation: the compiler compares in place
	case "TRANSACTION":
		return "TRANSACTION"
	case "WALLET":
		return "WALLET"
	case "APPROVAL":
		return "APPROVAL"
	}
	return string(b)
}

// EventFromJSON restores an event from its JSON wire form (no re-verification).
func EventFromJSON(data []byte) (EventData, *Error) {
	d, n := bytesArg(data)
	var ev *C.PwEvent
	var e C.PwError
	status := C.pw_event_from_json(d, n, &ev, &e)
	runtime.KeepAlive(data)
	if status != C.PW_OK {
		return EventData{}, takeError(status, &e)
	}
	return takeEvent(ev)
}

// ResourceJSON parses raw with domain's model and returns it in canonical JSON ("null" for an
// unknown domain).
func ResourceJSON(domain string, raw []byte) ([]byte, *Error) {
	d, dlen := strArg(domain)
	r, rlen := bytesArg(raw)
	var out C.PwBuf
	var e C.PwError
	status := C.pw_resource_json(d, dlen, r, rlen, &out, &e)
	runtime.KeepAlive(domain)
	runtime.KeepAlive(raw)
	if status != C.PW_OK {
		return nil, takeError(status, &e)
	}
	return takeBytes(&out), nil
}
