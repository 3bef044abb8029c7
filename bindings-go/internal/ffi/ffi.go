// Package ffi is the only cgo code of the Go SDK: thin, memory-safe wrappers over the C ABI in
// include/palisade_webhooks.h.
//
// Rules kept here, so the public packages never touch a C pointer:
//   - every output is copied into Go memory and the C side's buffer or handle is freed before
//     the wrapper returns (no Rust pointer outlives a call, except the handles below);
//   - long-lived handles (Webhook, Store, Dedup, Signer) are reference-counted by a guard, so a
//     handle used after Close returns an error instead of touching freed memory, and Close
//     never frees a handle another goroutine is using (the last user frees it);
//   - Go memory passed to C never contains Go pointers: lists of strings are flattened into one
//     byte buffer plus an array of lengths.
package ffi

/*
#cgo CFLAGS: -I${SRCDIR}/../../include
#include "palisade_webhooks.h"
*/
import "C"

import (
	"encoding/json"
	"net/http"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
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
	// ErrClosed is Go-side only: the handle was closed.
	ErrClosed int32 = -1
)

// Claim outcomes.
const (
	ClaimNew        = int(C.PW_CLAIM_NEW)
	ClaimDuplicate  = int(C.PW_CLAIM_DUPLICATE)
	ClaimInProgress = int(C.PW_CLAIM_IN_PROGRESS)
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
	for code := int32(1); code <= ErrInternal; code++ {
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

func closed(what string) *Error {
	return &Error{Code: ErrClosed, Message: what + " is closed"}
}

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

// flat is a list of strings laid out for the ABI: bytes back to back plus their lengths.
type flat struct {
	data []byte
	lens []C.size_t
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
	return &flat{data: make([]byte, 0, 512), lens: make([]C.size_t, 0, 32)}
}}

func getFlat() *flat { return flatPool.Get().(*flat) }

func putFlat(f *flat) {
	if cap(f.data) > 64<<10 || cap(f.lens) > 1024 {
		return // do not keep buffers grown by an unusually large request
	}
	f.data, f.lens = f.data[:0], f.lens[:0]
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

// ---------------------------------------------------------------------------------------------
// Webhook

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
	g guard
	p *C.PwWebhook
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
	if status != C.PW_OK {
		return nil, takeError(status, &e)
	}
	w := &Webhook{p: p}
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

// Event is a verified event copied into Go memory.
type Event struct {
	Domain, Timestamp, IdempotencyKey, ResourceID, UpdatedAt, Status string
	Raw                                                              []byte
	Payload, KeyFingerprint                                          string
}

// takeEvent copies an event handle's fields and frees the handle.
func takeEvent(ev *C.PwEvent) Event {
	defer C.pw_event_free(ev)
	var v C.PwEventView
	if !C.pw_event_view(ev, &v) {
		return Event{}
	}
	var raw []byte
	if v.raw.ptr != nil && v.raw.len > 0 {
		raw = C.GoBytes(unsafe.Pointer(v.raw.ptr), C.int(v.raw.len))
	}
	return Event{
		Domain:         domain(v.domain),
		Timestamp:      goStr(v.timestamp),
		IdempotencyKey: goStr(v.idempotency_key),
		ResourceID:     goStr(v.resource_id),
		UpdatedAt:      goStr(v.updated_at),
		Status:         goStr(v.status),
		Raw:            raw,
		Payload:        goStr(v.payload),
		KeyFingerprint: goStr(v.key_fingerprint),
	}
}

// domain returns the known domains without allocating.
func domain(s C.PwStr) string {
	if s.ptr == nil || s.len == 0 {
		return ""
	}
	view := unsafe.String((*byte)(unsafe.Pointer(s.ptr)), int(s.len))
	switch view {
	case "TRANSACTION":
		return "TRANSACTION"
	case "WALLET":
		return "WALLET"
	case "APPROVAL":
		return "APPROVAL"
	}
	return goStr(s)
}

// Verify verifies a delivery; headers cross the ABI as plain (name, value) pairs.
func (w *Webhook) Verify(body []byte, h http.Header) (Event, *Error) {
	if !w.g.acquire() {
		return Event{}, closed("webhook")
	}
	defer w.done()
	f := getFlat()
	pairs := 0
	for name, values := range h {
		for _, v := range values {
			f.add(name)
			f.add(v)
			pairs++
		}
	}
	hdata, hlen, hlens := f.args()
	b, blen := bytesArg(body)
	var ev *C.PwEvent
	var e C.PwError
	status := C.pw_webhook_verify(w.p, b, blen, hdata, hlen, hlens, C.size_t(pairs), &ev, &e)
	runtime.KeepAlive(body)
	putFlat(f)
	if status != C.PW_OK {
		return Event{}, takeError(status, &e)
	}
	return takeEvent(ev), nil
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

// EventFromJSON restores an event from its JSON wire form (no re-verification).
func EventFromJSON(data []byte) (Event, *Error) {
	d, n := bytesArg(data)
	var ev *C.PwEvent
	var e C.PwError
	status := C.pw_event_from_json(d, n, &ev, &e)
	runtime.KeepAlive(data)
	if status != C.PW_OK {
		return Event{}, takeError(status, &e)
	}
	return takeEvent(ev), nil
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

// TestPanic makes the library panic internally; it must come back as ErrInternal.
func TestPanic() *Error {
	var e C.PwError
	status := C.pw_test_panic(&e)
	if status == C.PW_OK {
		return nil
	}
	return takeError(status, &e)
}

// ---------------------------------------------------------------------------------------------
// Deduplication

// Store is an idempotency store handle.
type Store struct {
	g guard
	p *C.PwStore
}

// NewMemoryStore makes an in-process store (0 = default for either bound).
func NewMemoryStore(o MemoryOptions) (*Store, *Error) {
	if o.HasTTL && o.TTL < 0 {
		return nil, &Error{Code: ErrInvalidArgument, Message: "ttl must not be negative"}
	}
	if o.HasMaxEntries && o.MaxEntries < 0 {
		return nil, &Error{Code: ErrInvalidArgument, Message: "max entries must not be negative"}
	}
	opts := C.PwMemoryOptions{
		has_max_entries: C.bool(o.HasMaxEntries),
		max_entries:     C.uint64_t(max(o.MaxEntries, 0)),
		has_ttl:         C.bool(o.HasTTL),
		ttl_ns:          C.uint64_t(max(o.TTL, 0)),
	}
	var p *C.PwStore
	var e C.PwError
	status := C.pw_memory_store_new(&opts, &p, &e)
	if status != C.PW_OK {
		return nil, takeError(status, &e)
	}
	return newStore(p), nil
}

// MemoryOptions mirrors PwMemoryOptions.
type MemoryOptions struct {
	MaxEntries    int
	HasMaxEntries bool
	TTL           time.Duration
	HasTTL        bool
}

// SqliteOptions mirrors PwSqliteOptions.
type SqliteOptions struct {
	BusyTimeout        time.Duration
	HasBusyTimeout     bool
	SyncEveryCommit    bool
	HasSyncEveryCommit bool
}

// NewSqliteStore opens (creating if needed) a durable store in the SQLite file at path.
func NewSqliteStore(path string, o SqliteOptions) (*Store, *Error) {
	if o.HasBusyTimeout && o.BusyTimeout < 0 {
		return nil, &Error{Code: ErrInvalidArgument, Message: "busy timeout must not be negative"}
	}
	opts := C.PwSqliteOptions{
		has_busy_timeout:      C.bool(o.HasBusyTimeout),
		busy_timeout_ns:       C.uint64_t(max(o.BusyTimeout, 0)),
		has_sync_every_commit: C.bool(o.HasSyncEveryCommit),
		sync_every_commit:     C.bool(o.SyncEveryCommit),
	}
	p, plen := strArg(path)
	var out *C.PwStore
	var e C.PwError
	status := C.pw_sqlite_store_new(p, plen, &opts, &out, &e)
	runtime.KeepAlive(path)
	if status != C.PW_OK {
		return nil, takeError(status, &e)
	}
	return newStore(out), nil
}

// RedisOptions mirrors PwRedisOptions plus the prefix.
type RedisOptions struct {
	Prefix            string
	HasPrefix         bool
	Timeout           time.Duration
	HasTimeout        bool
	ConnectTimeout    time.Duration
	HasConnectTimeout bool
}

// NewRedisStore connects a shared store to the Redis server at url (checked with a PING).
func NewRedisStore(url string, o RedisOptions) (*Store, *Error) {
	if (o.HasTimeout && o.Timeout < 0) || (o.HasConnectTimeout && o.ConnectTimeout < 0) {
		return nil, &Error{Code: ErrInvalidArgument, Message: "timeouts must not be negative"}
	}
	opts := C.PwRedisOptions{
		has_prefix:          C.bool(o.HasPrefix),
		has_timeout:         C.bool(o.HasTimeout),
		timeout_ns:          C.uint64_t(max(o.Timeout, 0)),
		has_connect_timeout: C.bool(o.HasConnectTimeout),
		connect_timeout_ns:  C.uint64_t(max(o.ConnectTimeout, 0)),
	}
	u, ulen := strArg(url)
	pre, prelen := strArg(o.Prefix)
	var out *C.PwStore
	var e C.PwError
	status := C.pw_redis_store_new(u, ulen, pre, prelen, &opts, &out, &e)
	runtime.KeepAlive(url)
	runtime.KeepAlive(o.Prefix)
	if status != C.PW_OK {
		return nil, takeError(status, &e)
	}
	return newStore(out), nil
}

func newStore(p *C.PwStore) *Store {
	s := &Store{p: p}
	runtime.SetFinalizer(s, (*Store).Close)
	return s
}

// Close frees the store handle once unused (deduplicators built on it keep the store alive).
func (s *Store) Close() {
	if s.g.close() {
		C.pw_store_free(s.p)
	}
}

func (s *Store) done() {
	if s.g.release() {
		C.pw_store_free(s.p)
	}
}

// Dedup is a deduplicator handle.
type Dedup struct {
	g guard
	p *C.PwDedup
}

// DedupOptions mirrors PwDedupOptions.
type DedupOptions struct {
	Lease        time.Duration
	HasLease     bool
	Retention    time.Duration
	HasRetention bool
}

// NewDedup builds a deduplicator over store (unset options: the core's defaults).
func NewDedup(store *Store, o DedupOptions) (*Dedup, *Error) {
	if (o.HasLease && o.Lease < 0) || (o.HasRetention && o.Retention < 0) {
		return nil, &Error{Code: ErrInvalidArgument, Message: "lease and retention must not be negative"}
	}
	opts := C.PwDedupOptions{
		has_lease:     C.bool(o.HasLease),
		lease_ns:      C.uint64_t(max(o.Lease, 0)),
		has_retention: C.bool(o.HasRetention),
		retention_ns:  C.uint64_t(max(o.Retention, 0)),
	}
	if !store.g.acquire() {
		return nil, closed("store")
	}
	defer store.done()
	var p *C.PwDedup
	var e C.PwError
	status := C.pw_dedup_new(store.p, &opts, &p, &e)
	if status != C.PW_OK {
		return nil, takeError(status, &e)
	}
	d := &Dedup{p: p}
	runtime.SetFinalizer(d, (*Dedup).Close)
	return d, nil
}

// Close frees the deduplicator once no call or open claim uses it.
func (d *Dedup) Close() {
	if d.g.close() {
		C.pw_dedup_free(d.p)
	}
}

func (d *Dedup) done() {
	if d.g.release() {
		C.pw_dedup_free(d.p)
	}
}

// Claim is an open claim; it holds a reference on its deduplicator until Finish.
type Claim struct {
	d *Dedup
	p *C.PwClaim
}

// Claim claims key. For ClaimNew the returned claim must be passed to Finish.
func (d *Dedup) Claim(key string) (int, *Claim, *Error) {
	if !d.g.acquire() {
		return 0, nil, closed("deduplicator")
	}
	k, klen := strArg(key)
	var outcome C.int32_t
	var c *C.PwClaim
	var e C.PwError
	status := C.pw_dedup_claim(d.p, k, klen, &outcome, &c, &e)
	runtime.KeepAlive(key)
	if status != C.PW_OK {
		d.done()
		return 0, nil, takeError(status, &e)
	}
	if int(outcome) != ClaimNew || c == nil {
		d.done()
		return int(outcome), nil, nil
	}
	return ClaimNew, &Claim{d: d, p: c}, nil // the reference is kept until Finish
}

// Finish completes (success) or releases the claim, frees it and drops its reference. It
// reports whether the store still attributed the key to this claim.
func (c *Claim) Finish(success bool) (bool, *Error) {
	if c == nil || c.p == nil {
		return false, &Error{Code: ErrInvalidArgument, Message: "claim already finished"}
	}
	d := c.d
	var kept C.bool
	var e C.PwError
	var status C.PwStatus
	if success {
		status = C.pw_dedup_complete(d.p, c.p, &kept, &e)
	} else {
		status = C.pw_dedup_release(d.p, c.p, &kept, &e)
	}
	C.pw_claim_free(c.p)
	c.p = nil
	d.done()
	if status != C.PW_OK {
		return false, takeError(status, &e)
	}
	return bool(kept), nil
}

// ---------------------------------------------------------------------------------------------
// Test signer

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

// libStamp is set at link time (-X) to a digest of the static library, so the Go build cache
// relinks when only the Rust library changed (Go does not hash the archives cgo links).
var libStamp string

// LibStamp reports the stamp the binary was linked with ("" when built without make).
func LibStamp() string { return libStamp }
