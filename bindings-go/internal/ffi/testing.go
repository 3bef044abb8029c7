package ffi

/*
#include "palisade_webhooks.h"
*/
import "C"

import (
	"encoding/json"
	"runtime"
	"unsafe"
)

// Signer is a test signer handle.
type Signer struct {
	g guard
	p *C.PwSigner
}

// GenerateSigner makes a signer with a random key.
func GenerateSigner() (*Signer, *Error) {
	var p *C.PwSigner
	var e C.PwError
	if status := C.pw_signer_generate(&p, &e); status != C.PW_OK {
		return nil, takeError(status, &e)
	}
	return newSigner(p), nil
}

// SignerFromSeed makes a reproducible signer.
func SignerFromSeed(seed uint64) (*Signer, *Error) {
	var p *C.PwSigner
	var e C.PwError
	if status := C.pw_signer_from_seed(C.uint64_t(seed), &p, &e); status != C.PW_OK {
		return nil, takeError(status, &e)
	}
	return newSigner(p), nil
}

// SignerFromPrivateKey loads a signer from a private key text.
func SignerFromPrivateKey(key string) (*Signer, *Error) {
	k, klen := strArg(key)
	var p *C.PwSigner
	var e C.PwError
	status := C.pw_signer_from_private_key(k, klen, &p, &e)
	runtime.KeepAlive(key)
	if status != C.PW_OK {
		return nil, takeError(status, &e)
	}
	return newSigner(p), nil
}

// Close frees the signer once unused.
func (s *Signer) Close() {
	if s.g.close() {
		C.pw_signer_free(s.p)
	}
}

func (s *Signer) done() {
	if s.g.release() {
		C.pw_signer_free(s.p)
	}
}

// Key returns the public key (base64 SPKI) when private is false, else the PKCS#8 PEM.
func (s *Signer) Key(private bool) (string, *Error) {
	if !s.g.acquire() {
		return "", closed("signer")
	}
	defer s.done()
	which := C.int32_t(0)
	if private {
		which = 1
	}
	var out C.PwBuf
	var e C.PwError
	if status := C.pw_signer_key(s.p, which, &out, &e); status != C.PW_OK {
		return "", takeError(status, &e)
	}
	return takeBuf(&out), nil
}

// Sign signs a payload string with the named digest ("" = sha256).
func (s *Signer) Sign(payload, digest string) (string, *Error) {
	if !s.g.acquire() {
		return "", closed("signer")
	}
	defer s.done()
	p, plen := strArg(payload)
	d, dlen := strArg(digest)
	var out C.PwBuf
	var e C.PwError
	status := C.pw_signer_sign(s.p, p, plen, d, dlen, &out, &e)
	runtime.KeepAlive(payload)
	runtime.KeepAlive(digest)
	if status != C.PW_OK {
		return "", takeError(status, &e)
	}
	return takeBuf(&out), nil
}

// Delivery is a signed test delivery in Go memory.
type Delivery struct {
	Body      []byte
	Headers   [][2]string
	Payload   string
	Signature string
}

// Timestamp modes for Delivery.
const (
	TimestampNow   = int32(C.PW_TIMESTAMP_NOW)
	TimestampOmit  = int32(C.PW_TIMESTAMP_OMIT)
	TimestampFixed = int32(C.PW_TIMESTAMP_FIXED)
)

// Delivery builds a complete signed delivery.
func (s *Signer) Delivery(domain, resourceJSON string, tsMode int32, ts, digest string) (Delivery, *Error) {
	if !s.g.acquire() {
		return Delivery{}, closed("signer")
	}
	defer s.done()
	dm, dmlen := strArg(domain)
	r, rlen := strArg(resourceJSON)
	t, tlen := strArg(ts)
	d, dlen := strArg(digest)
	var out C.PwDelivery
	var e C.PwError
	status := C.pw_signer_delivery(s.p, dm, dmlen, r, rlen, C.int32_t(tsMode), t, tlen, d, dlen, &out, &e)
	runtime.KeepAlive(domain)
	runtime.KeepAlive(resourceJSON)
	runtime.KeepAlive(ts)
	runtime.KeepAlive(digest)
	if status != C.PW_OK {
		return Delivery{}, takeError(status, &e)
	}
	defer C.pw_delivery_free(&out)
	res := Delivery{
		Body:      C.GoBytes(unsafe.Pointer(out.body.ptr), C.int(out.body.len)),
		Payload:   goBuf(out.payload),
		Signature: goBuf(out.signature),
	}
	headers := goBuf(out.headers_json)
	if err := json.Unmarshal([]byte(headers), &res.Headers); err != nil {
		return Delivery{}, &Error{Code: ErrInternal, Message: "delivery headers: " + err.Error()}
	}
	return res, nil
}

func newSigner(p *C.PwSigner) *Signer {
	s := &Signer{p: p}
	runtime.SetFinalizer(s, (*Signer).Close)
	return s
}

// NewFaultyStore wraps inner in the core's testing FaultyStore, failing at failAt ("nothing",
// "claim", "complete" or "release").
func NewFaultyStore(inner *Store, failAt string) (*Store, *Error) {
	if !inner.g.acquire() {
		return nil, closed("store")
	}
	defer inner.done()
	f, flen := strArg(failAt)
	var out *C.PwStore
	var e C.PwError
	status := C.pw_faulty_store_new(inner.p, f, flen, &out, &e)
	runtime.KeepAlive(failAt)
	if status != C.PW_OK {
		return nil, takeError(status, &e)
	}
	return newStore(out), nil
}

// SetFailAt changes where a store made by NewFaultyStore fails.
func (s *Store) SetFailAt(failAt string) *Error {
	if !s.g.acquire() {
		return closed("store")
	}
	defer s.done()
	f, flen := strArg(failAt)
	var e C.PwError
	status := C.pw_faulty_store_set_fail_at(s.p, f, flen, &e)
	runtime.KeepAlive(failAt)
	if status != C.PW_OK {
		return takeError(status, &e)
	}
	return nil
}
