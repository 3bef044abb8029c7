package ffi

/*
#include "palisade_webhooks.h"
*/
import "C"

import (
	"runtime"
	"sync"
	"unsafe"
)

// EventData is a verified event in Go memory: the library writes its fields straight into one
// Go buffer (pw_webhook_verify_into, pw_event_data_into); the fields are views of that buffer.
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

// eventBufferSize is the buffer that holds a typical event's data for a body of n bytes: the
// payload (at most n), its decoded JSON (3/4 of that) and the resource's compact form (about as
// long again), plus the short fields. An event that does not fit comes back in the library's
// own buffer and is copied.
func eventBufferSize(n int) int { return n/2*5 + 256 }

// spareBuffers keeps the buffers of calls that failed (a refused delivery writes nothing), so
// a stream of refusals does not allocate a buffer each.
var spareBuffers sync.Pool

// eventBuffer is a buffer of at least n bytes for an event's data: new, or a spare one not much
// larger (the event keeps it alive).
func eventBuffer(n int) []byte {
	if b, ok := spareBuffers.Get().(*[]byte); ok && cap(*b) >= n && cap(*b) <= 2*n {
		return (*b)[:n]
	}
	return make([]byte, n)
}

// spareBuffer returns the buffer of a failed call (nothing was written to it).
func spareBuffer(b []byte) {
	if cap(b) > 0 && cap(b) <= 64<<10 {
		spareBuffers.Put(&b)
	}
}

// bufArg is b as a C output buffer.
func bufArg(b []byte) (*C.uint8_t, C.size_t) {
	if len(b) == 0 {
		return nil, 0
	}
	return (*C.uint8_t)(unsafe.Pointer(&b[0])), C.size_t(len(b))
}

// eventData reads an event's data that the library wrote to buf, or (when it did not fit) to
// its own buffer, which is copied and freed.
func eventData(filled *C.PwEventData, buf []byte) (EventData, *Error) {
	out := *filled // the spans, kept: freeing the library's buffer resets *filled
	var data []byte
	if out.bytes.ptr == nil {
		if uint64(out.bytes.len) > uint64(len(buf)) {
			return EventData{}, &Error{Code: ErrInternal, Message: "the event data overflows its buffer"}
		}
		data = buf[:out.bytes.len:out.bytes.len]
	} else {
		spareBuffer(buf)
		data = C.GoBytes(unsafe.Pointer(out.bytes.ptr), C.int(out.bytes.len))
		C.pw_event_data_free(filled)
	}
	d := decoder{buf: data}
	// The short fields are copied into one string, so keeping one of them (an idempotency
	// key in a set) keeps a few dozen bytes alive, not the event's buffer.
	short := d.strings(out.timestamp, out.idempotency_key, out.resource_id, out.updated_at,
		out.status, out.key_fingerprint)
	ev := EventData{
		Domain:         domain(d.bytes(out.domain)),
		Timestamp:      short[0],
		IdempotencyKey: short[1],
		ResourceID:     short[2],
		UpdatedAt:      short[3],
		Status:         short[4],
		Raw:            d.bytes(out.raw),
		Payload:        d.alias(out.payload),
		KeyFingerprint: short[5],
		Resource:       d.bytes(out.resource),
	}
	if d.bad {
		return EventData{}, &Error{Code: ErrInternal, Message: "the event data's spans do not fit its buffer"}
	}
	return ev, nil
}

// takeEvent copies an event handle's data into Go memory, written to a buffer of size bytes
// when it fits, and frees the handle.
func takeEvent(ev *C.PwEvent, size int) (EventData, *Error) {
	defer C.pw_event_free(ev)
	f := getFlat()
	defer putFlat(f)
	buf := eventBuffer(size)
	p, n := bufArg(buf)
	if status := C.pw_event_data_into(ev, p, n, &f.out.data, &f.out.err); status != C.PW_OK {
		spareBuffer(buf)
		return EventData{}, takeError(status, &f.out.err)
	}
	return eventData(&f.out.data, buf)
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

// alias is the span as a string sharing the buffer's memory (for the large payload, which
// would otherwise be copied twice). That part of the buffer is never written to.
func (d *decoder) alias(s C.PwSpan) string {
	b := d.bytes(s)
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// strings copies the spans into one new string and returns its parts ("" when absent).
func (d *decoder) strings(spans ...C.PwSpan) [6]string {
	var parts [6][]byte
	total := 0
	for i, s := range spans {
		parts[i] = d.bytes(s)
		total += len(parts[i])
	}
	var out [6]string
	if total == 0 {
		return out
	}
	all := make([]byte, 0, total)
	for _, p := range parts {
		all = append(all, p...)
	}
	joined := unsafe.String(&all[0], total)
	at := 0
	for i, p := range parts {
		out[i] = joined[at : at+len(p)]
		at += len(p)
	}
	return out
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
	// The JSON form holds the payload and its decoded JSON already; the resource's compact form
	// is about as long as the latter.
	return takeEvent(ev, len(data)/2*3+256)
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
