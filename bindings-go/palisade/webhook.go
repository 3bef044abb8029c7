package palisade

import (
	"fmt"
	"net/http"
	"runtime"
	"time"

	"github.com/palisade-webhooks/palisade-webhooks/bindings-go/internal/ffi"
)

// DefaultMaxBodyBytes is the default body limit: 1 MiB.
const DefaultMaxBodyBytes = 1 << 20

// Digest names (docs/protocol.md): DigestSHA256 is the default; DigestSHA256Double verifies
// ECDSA(SHA-256(SHA-256(payload))) for deliveries proven to be signed that way.
const (
	DigestSHA256       = "sha256"
	DigestSHA256Double = "sha256-double"
)

// Option configures a Webhook.
type Option func(*ffi.WebhookOptions)

// WithMaxBodyBytes refuses bodies longer than n bytes with ErrBodyTooLarge (default 1 MiB).
func WithMaxBodyBytes(n int64) Option {
	return func(o *ffi.WebhookOptions) { o.MaxBodyBytes, o.HasMaxBodyBytes = n, true }
}

// WithDigest selects the digest construction: "sha256" (default) or "sha256-double".
func WithDigest(name string) Option {
	return func(o *ffi.WebhookOptions) { o.Digest = name }
}

// WithMaxAge refuses events whose signed updatedAt is older than d with ErrStaleEvent. Off by
// default: Palisade's retries can arrive hours late.
func WithMaxAge(d time.Duration) Option {
	return func(o *ffi.WebhookOptions) { o.MaxAge, o.HasMaxAge = d, true }
}

// Webhook verifies deliveries for one webhook endpoint: its public key(s) and options. Keys are
// parsed and prepared once, here. Safe for concurrent use by many goroutines.
type Webhook struct {
	h *ffi.Webhook
}

// NewWebhook builds a verifier from the webhook's public key as the Palisade console shows it
// (base64 DER SPKI; PEM and SEC1 points are accepted too). Pass the old and the new key during
// a rotation: a delivery verifies if any key verifies it. A key that is not P-256 fails here
// with ErrInvalidPublicKey; an unknown digest name with ErrInvalidArgument.
func NewWebhook(publicKeys []string, opts ...Option) (*Webhook, error) {
	var o ffi.WebhookOptions
	for _, opt := range opts {
		opt(&o)
	}
	h, err := ffi.NewWebhook(publicKeys, o)
	if err != nil {
		return nil, errorFrom(err)
	}
	return &Webhook{h: h}, nil
}

// Verify checks a delivery and returns its event. body must be the raw request body, exactly
// as received; h the request headers (the Signature header is found case-insensitively).
//
// Checks, in order: size (ErrBodyTooLarge), Signature header (ErrMissingSignature), envelope
// (ErrMalformedEnvelope), signature encoding (ErrMalformedSignature), signature
// (ErrInvalidSignature), payload (ErrMalformedPayload), then age when WithMaxAge is set
// (ErrStaleEvent). Every failure is an *Error.
func (w *Webhook) Verify(body []byte, h http.Header) (*Event, error) {
	fields, err := w.h.Verify(body, h)
	runtime.KeepAlive(w)
	if err != nil {
		return nil, errorFrom(err)
	}
	return eventFrom(fields), nil
}

// VerifySignature is the low-level check: does signatureB64 (base64 DER) sign payloadB64 (the
// envelope's payload string, exactly as sent) under one of the keys? It returns the
// fingerprint of the key that verified.
func (w *Webhook) VerifySignature(payloadB64, signatureB64 string) (keyFingerprint string, err error) {
	fp, ferr := w.h.VerifySignature(payloadB64, signatureB64)
	runtime.KeepAlive(w)
	if ferr != nil {
		return "", errorFrom(ferr)
	}
	return fp, nil
}

// MaxBodyBytes is the body limit Verify enforces (0 after Close).
func (w *Webhook) MaxBodyBytes() int64 { return w.h.MaxBodyBytes() }

// Close frees the verifier's native memory once no call is using it. Later calls return
// ErrClosed. Safe to call more than once and concurrently with Verify.
func (w *Webhook) Close() error {
	w.h.Close()
	return nil
}

// String describes the webhook without revealing keys.
func (w *Webhook) String() string {
	return fmt.Sprintf("palisade.Webhook(max_body_bytes=%d)", w.MaxBodyBytes())
}

// VerifyWebhook is the Palisade documentation's function, same name and argument order: does
// signatureB64 (base64 DER ECDSA P-256 SHA-256) sign payloadB64 (the envelope's payload string)
// under publicKeyB64 (base64 DER SPKI)? It returns false for every failure and never panics.
// Prefer a Webhook, which parses the key once and says why a delivery failed.
//
// The 8 most recently used keys are remembered: a key's second call prepares the fast
// verifier (about 1 ms, once) and later calls reuse it. At most ~2.1 MB (262 KB per key).
func VerifyWebhook(publicKeyB64, signatureB64, payloadB64 string) bool {
	return ffi.VerifyWebhook(publicKeyB64, signatureB64, payloadB64)
}

// Version is the native library's version.
func Version() string { return ffi.Version() }
