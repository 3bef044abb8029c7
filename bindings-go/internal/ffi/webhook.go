package ffi

/*
#include "palisade_webhooks.h"
*/
import "C"

import (
	"net/http"
	"runtime"
	"time"
)

// WebhookOptions mirrors PwWebhookOptions plus the digest name.
type WebhookOptions struct {
	MaxBodyBytes    int64
	HasMaxBodyBytes bool
	MaxAge          time.Duration
	HasMaxAge       bool
	Digest          string
}

// Webhook is a verifier handle.
type Webhook struct {
	g       guard
	p       *C.PwWebhook
	maxBody int // the verifier's body limit, read once
}

// NewWebhook builds a verifier.
func NewWebhook(keys []string, o WebhookOptions) (*Webhook, *Error) {
	f := getFlat()
	defer putFlat(f)
	for _, k := range keys {
		f.add(k)
	}
	data, n, lens := f.args()
	dig, digLen := strArg(o.Digest)
	opts := C.PwWebhookOptions{
		has_max_body_bytes: C.bool(o.HasMaxBodyBytes),
		has_max_age:        C.bool(o.HasMaxAge),
	}
	if o.HasMaxBodyBytes {
		if o.MaxBodyBytes < 0 {
			return nil, &Error{Code: ErrInvalidArgument, Message: "max body bytes must not be negative"}
		}
		opts.max_body_bytes = C.uint64_t(o.MaxBodyBytes)
	}
	if o.HasMaxAge {
		if o.MaxAge < 0 {
			return nil, &Error{Code: ErrInvalidArgument, Message: "max age must not be negative"}
		}
		opts.max_age_ns = C.uint64_t(o.MaxAge)
	}
	var p *C.PwWebhook
	var e C.PwError
	status := C.pw_webhook_new(data, n, lens, C.size_t(len(keys)), dig, digLen, &opts, &p, &e)
	runtime.KeepAlive(keys)
	runtime.KeepAlive(o.Digest)
	if status != C.PW_OK {
		return nil, takeError(status, &e)
	}
	w := &Webhook{p: p, maxBody: int(min(uint64(C.pw_webhook_max_body_bytes(p)), 1<<40))}
	runtime.SetFinalizer(w, (*Webhook).Close)
	return w, nil
}

// Close frees the handle once no call is using it. Safe to call more than once.
func (w *Webhook) Close() {
	if w.g.close() {
		C.pw_webhook_free(w.p)
	}
}

func (w *Webhook) done() {
	if w.g.release() {
		C.pw_webhook_free(w.p)
	}
}

// MaxBodyBytes is the verifier's body limit (0 when closed).
func (w *Webhook) MaxBodyBytes() int64 {
	if !w.g.acquire() {
		return 0
	}
	defer w.done()
	return int64(C.pw_webhook_max_body_bytes(w.p))
}

// Verify verifies a delivery in one call: headers cross the ABI as plain (name, value) pairs,
// and the library writes the event's data straight into a Go buffer sized from the body.
func (w *Webhook) Verify(body []byte, h http.Header) (EventData, *Error) {
	if !w.g.acquire() {
		return EventData{}, closed("webhook")
	}
	defer w.done()
	f := flatHeaders(h)
	defer putFlat(f)
	hdata, hlen, hlens := f.args()
	b, blen := bytesArg(body)
	var buf []byte
	if len(body) <= w.maxBody { // a larger body is refused before anything is written
		buf = eventBuffer(eventBufferSize(len(body)))
	}
	p, n := bufArg(buf)
	status := C.pw_webhook_verify_into(w.p, b, blen, hdata, hlen, hlens, C.size_t(f.pairs), p, n,
		&f.out.data, &f.out.err)
	runtime.KeepAlive(body)
	runtime.KeepAlive(buf)
	if status != C.PW_OK {
		spareBuffer(buf)
		return EventData{}, takeError(status, &f.out.err)
	}
	return eventData(&f.out.data, buf)
}

// VerifySignature is the low-level check; it returns the verifying key's fingerprint.
func (w *Webhook) VerifySignature(payload, signature string) (string, *Error) {
	if !w.g.acquire() {
		return "", closed("webhook")
	}
	defer w.done()
	p, plen := strArg(payload)
	s, slen := strArg(signature)
	var fp C.PwBuf
	var e C.PwError
	status := C.pw_webhook_verify_signature(w.p, p, plen, s, slen, &fp, &e)
	runtime.KeepAlive(payload)
	runtime.KeepAlive(signature)
	if status != C.PW_OK {
		return "", takeError(status, &e)
	}
	return takeBuf(&fp), nil
}

// Diagnose runs the core's diagnosis of a delivery under each key; the reports come back as
// the library's JSON array.
func (w *Webhook) Diagnose(body []byte, h http.Header) ([]byte, *Error) {
	if !w.g.acquire() {
		return nil, closed("webhook")
	}
	defer w.done()
	f := flatHeaders(h)
	defer putFlat(f)
	hdata, hlen, hlens := f.args()
	b, blen := bytesArg(body)
	var out C.PwBuf
	var e C.PwError
	status := C.pw_webhook_diagnose(w.p, b, blen, hdata, hlen, hlens, C.size_t(f.pairs), &out, &e)
	runtime.KeepAlive(body)
	if status != C.PW_OK {
		return nil, takeError(status, &e)
	}
	return takeBytes(&out), nil
}

// VerifyWebhook is the documentation's function.
func VerifyWebhook(publicKey, signature, payload string) bool {
	k, klen := strArg(publicKey)
	s, slen := strArg(signature)
	p, plen := strArg(payload)
	ok := C.pw_verify_webhook(k, klen, s, slen, p, plen)
	runtime.KeepAlive(publicKey)
	runtime.KeepAlive(signature)
	runtime.KeepAlive(payload)
	return bool(ok)
}
