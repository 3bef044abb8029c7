// Package ffi is the only cgo code of the Go SDK: thin, memory-safe wrappers over the C ABI in
// include/palisade_webhooks.h, one file per concept as in the Rust crate (webhook, event,
// stores, dedup, receiver, testing; this file holds the status codes and the plumbing).
//
// Rules kept here, so the public packages never touch a C pointer:
//   - every output is copied into Go memory and the C side's buffer or handle is freed before
//     the wrapper returns (no Rust pointer outlives a call, except the handles below); an
//     event's data is written by the library straight into a Go byte buffer, which it does
//     not keep;
//   - long-lived handles (Webhook, Store, Dedup, Receiver, Signer) are reference-counted by a
//     guard, so a handle used after Close returns an error instead of touching freed memory,
//     and Close never frees a handle another goroutine is using (the last user frees it);
//   - a Ticket or a Claim is freed as soon as it is settled, and serialises its own calls;
//   - Go memory passed to C never contains Go pointers: lists of strings are flattened into one
//     byte buffer plus an array of lengths.
package ffi

/*
#cgo CFLAGS: -I${SRCDIR}/../../include
#include <stdlib.h>
#include "palisade_webhooks.h"

// A call's outputs, kept in C memory: cgo checks a Go pointer argument to a struct that holds
// pointers by walking the struct; a pointer to C memory costs it one lookup.
typedef struct {
    PwEventData data;
    PwError err;
} pw_go_out;
*/
import "C"

import (
	"net/http"
	"runtime"
	"sync"
	"sync/atomic"
	"unsafe"
)

// Status codes of the C ABI (PW_* in the header).
const (
	OK                    int32 = C.PW_OK
	ErrMissingSignature   int32 = C.PW_ERR_MISSING_SIGNATURE
	ErrMalformedSignature int32 = C.PW_ERR_MALFORMED_SIGNATURE
	ErrInvalidSignature   int32 = C.PW_ERR_INVALID_SIGNATURE
	ErrInvalidPublicKey   int32 = C.PW_ERR_INVALID_PUBLIC_KEY
	ErrBodyNotRaw         int32 = C.PW_ERR_BODY_NOT_RAW
	ErrBodyTooLarge       int32 = C.PW_ERR_BODY_TOO_LARGE
	ErrMalformedEnvelope  int32 = C.PW_ERR_MALFORMED_ENVELOPE
	ErrMalformedPayload   int32 = C.PW_ERR_MALFORMED_PAYLOAD
	ErrStaleEvent         int32 = C.PW_ERR_STALE_EVENT
	ErrStoreUnavailable   int32 = C.PW_ERR_STORE_UNAVAILABLE
	ErrInvalidArgument    int32 = C.PW_ERR_INVALID_ARGUMENT
	ErrInternal           int32 = C.PW_ERR_INTERNAL
	ErrTicketSettled      int32 = C.PW_ERR_TICKET_SETTLED
	// ErrClosed is Go-side only: the handle was closed.
	ErrClosed int32 = -1
)

// Error is a failed call: the ABI status and its message.
type Error struct {
	Code    int32
	Message string
}

func (e *Error) Error() string { return CodeName(e.Code) + ": " + e.Message }

// CodeName is the stable name of a status ("ERR_INVALID_SIGNATURE", "INVALID_ARGUMENT", ...).
func CodeName(code int32) string {
	if code == ErrClosed {
		return "CLOSED"
	}
	p := C.pw_code_name(C.int32_t(code))
	if p == nil {
		return ""
	}
	return C.GoString(p)
}

// HTTPStatus is the HTTP status the core assigns to a status code (0 for OK and unknown codes).
func HTTPStatus(code int32) int { return int(C.pw_http_status(C.int32_t(code))) }

// httpStatusByName maps every code name the library knows to its HTTP status, read from the
// library once.
var httpStatusByName = sync.OnceValue(func() map[string]int {
	m := make(map[string]int)
	for code := int32(1); code <= ErrTicketSettled; code++ {
		if name := CodeName(code); name != "" {
			m[name] = HTTPStatus(code)
		}
	}
	return m
})

// HTTPStatusForName is HTTPStatus for a code's name ("ERR_INVALID_SIGNATURE"); 0 when unknown.
func HTTPStatusForName(name string) int { return httpStatusByName()[name] }

// Version is the library's version.
func Version() string { return C.GoString(C.pw_version()) }

// TestPanic makes the library panic internally; it must come back as ErrInternal.
func TestPanic() *Error {
	var e C.PwError
	status := C.pw_test_panic(&e)
	if status == C.PW_OK {
		return nil
	}
	return takeError(status, &e)
}

func closed(what string) *Error {
	return &Error{Code: ErrClosed, Message: what + " is closed"}
}

// settled is the error of settling a ticket or claim a second time, detected Go-side once the
// native handle is gone (the package palisade gives it the core's message).
func settled() *Error { return &Error{Code: ErrTicketSettled} }

// takeError copies a filled PwError into Go and frees it.
func takeError(status C.PwStatus, e *C.PwError) *Error {
	out := &Error{Code: int32(status), Message: goBuf(e.message)}
	C.pw_error_free(e)
	return out
}

func goBuf(b C.PwBuf) string {
	if b.ptr == nil || b.len == 0 {
		return ""
	}
	return C.GoStringN((*C.char)(unsafe.Pointer(b.ptr)), C.int(b.len))
}

func takeBuf(b *C.PwBuf) string {
	s := goBuf(*b)
	C.pw_buf_free(b)
	return s
}

func takeBytes(b *C.PwBuf) []byte {
	var out []byte
	if b.ptr != nil && b.len > 0 {
		out = C.GoBytes(unsafe.Pointer(b.ptr), C.int(b.len))
	}
	C.pw_buf_free(b)
	return out
}

func goStr(s C.PwStr) string {
	if s.ptr == nil || s.len == 0 {
		return ""
	}
	return C.GoStringN((*C.char)(unsafe.Pointer(s.ptr)), C.int(s.len))
}

func bytesArg(b []byte) (*C.uint8_t, C.size_t) {
	if len(b) == 0 {
		return nil, 0
	}
	return (*C.uint8_t)(unsafe.Pointer(&b[0])), C.size_t(len(b))
}

func strArg(s string) (*C.uint8_t, C.size_t) {
	if len(s) == 0 {
		return nil, 0
	}
	return (*C.uint8_t)(unsafe.Pointer(unsafe.StringData(s))), C.size_t(len(s))
}

// flat is a list of strings laid out for the ABI: bytes back to back plus their lengths, and
// the outputs of the call it is passed to (pooled with it, so they are not allocated per call).
type flat struct {
	data  []byte
	lens  []C.size_t
	pairs int          // for headers: how many (name, value) pairs were added
	out   *C.pw_go_out // C memory, freed with the flat
}

func (f *flat) add(s string) {
	f.data = append(f.data, s...)
	f.lens = append(f.lens, C.size_t(len(s)))
}

func (f *flat) args() (*C.uint8_t, C.size_t, *C.size_t) {
	data, n := bytesArg(f.data)
	var lens *C.size_t
	if len(f.lens) > 0 {
		lens = &f.lens[0]
	}
	return data, n, lens
}

var flatPool = sync.Pool{New: func() any {
	out := (*C.pw_go_out)(C.calloc(1, C.sizeof_pw_go_out))
	if out == nil {
		panic("palisade: out of memory")
	}
	f := &flat{data: make([]byte, 0, 512), lens: make([]C.size_t, 0, 32), out: out}
	// The pool drops flats it no longer needs: their C memory goes with them.
	runtime.SetFinalizer(f, func(f *flat) { C.free(unsafe.Pointer(f.out)) })
	return f
}}

func getFlat() *flat { return flatPool.Get().(*flat) }

// flatHeaders lays the request headers out as (name, value) pairs, every value of a repeated
// name in the order received. Return it with putFlat.
func flatHeaders(h http.Header) *flat {
	f := getFlat()
	for name, values := range h {
		for _, v := range values {
			f.add(name)
			f.add(v)
			f.pairs++
		}
	}
	return f
}

func putFlat(f *flat) {
	if cap(f.data) > 64<<10 || cap(f.lens) > 1024 {
		return // do not keep buffers grown by an unusually large request
	}
	f.data, f.lens, f.pairs, *f.out = f.data[:0], f.lens[:0], 0, C.pw_go_out{}
	flatPool.Put(f)
}

// guard reference-counts a handle: acquire before each use, release after; Close marks it
// closed, and whoever drops the last reference of a closed handle frees it (exactly once).
type guard struct{ state atomic.Int64 }

const closedBit = int64(1) << 62

func (g *guard) acquire() bool {
	for {
		s := g.state.Load()
		if s&closedBit != 0 {
			return false
		}
		if g.state.CompareAndSwap(s, s+1) {
			return true
		}
	}
}

// release drops a reference; true when the caller must now free the handle.
func (g *guard) release() bool { return g.state.Add(-1) == closedBit }

// close marks the handle closed; true when the caller must now free it (no user left).
func (g *guard) close() bool {
	for {
		s := g.state.Load()
		if s&closedBit != 0 {
			return false
		}
		if g.state.CompareAndSwap(s, s|closedBit) {
			return s == 0
		}
	}
}

// libStamp is set at link time (-X) to a digest of the static library, so the Go build cache
// relinks when only the Rust library changed (Go does not hash the archives cgo links).
var libStamp string

// LibStamp reports the stamp the binary was linked with ("" when built without make).
func LibStamp() string { return libStamp }
