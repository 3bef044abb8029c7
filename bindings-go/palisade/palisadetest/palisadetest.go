// Package palisadetest signs test deliveries exactly as Palisade would, so receivers can be
// tested offline: generate (or load) a P-256 key, give its public key to palisade.NewWebhook,
// and send the deliveries it builds to your handler.
//
//	signer, _ := palisadetest.Generate()
//	defer signer.Close()
//	wh, _ := palisade.NewWebhook([]string{signer.PublicKey()})
//	rcv, _ := palisade.NewReceiver(wh, nil)
//	handler := palisade.Handler(rcv, yourHandlerFunc)
//	d, _ := signer.Delivery("TRANSACTION", map[string]any{"id": "tx-1", "status": "CONFIRMED"})
//	rec := httptest.NewRecorder()
//	handler.ServeHTTP(rec, d.Request("/webhooks/palisade"))
//
// NewFaultyStore makes a store that fails on purpose at one step, to test a receiver's answers
// to a store outage.
package palisadetest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/palisade-webhooks/palisade-webhooks/bindings-go/internal/bridge"
	"github.com/palisade-webhooks/palisade-webhooks/bindings-go/internal/ffi"
	"github.com/palisade-webhooks/palisade-webhooks/bindings-go/palisade"
)

// Signer is a P-256 key pair standing in for Palisade's signer. Signatures are deterministic
// (RFC 6979). Safe for concurrent use.
type Signer struct {
	s *ffi.Signer
}

// Generate makes a signer with a fresh random key.
func Generate() (*Signer, error) {
	s, err := ffi.GenerateSigner()
	if err != nil {
		return nil, errorFrom(err)
	}
	return &Signer{s: s}, nil
}

// FromSeed makes a signer whose key is derived from seed: the same seed always gives the same
// key. For reproducible tests only, never for anything real.
func FromSeed(seed uint64) (*Signer, error) {
	s, err := ffi.SignerFromSeed(seed)
	if err != nil {
		return nil, errorFrom(err)
	}
	return &Signer{s: s}, nil
}

// FromPrivateKey loads a signer from a PKCS#8 PEM, a SEC1 PEM or a 64-hex-character scalar.
func FromPrivateKey(key string) (*Signer, error) {
	s, err := ffi.SignerFromPrivateKey(key)
	if err != nil {
		return nil, errorFrom(err)
	}
	return &Signer{s: s}, nil
}

// Close frees the signer's native memory. Later calls fail with palisade.ErrClosed.
func (s *Signer) Close() error {
	s.s.Close()
	return nil
}

// PublicKey is the public key as Palisade shows it (base64 DER SubjectPublicKeyInfo); "" after
// Close.
func (s *Signer) PublicKey() string {
	k, _ := s.s.Key(false)
	return k
}

// PrivateKeyPEM is the private key as PKCS#8 PEM; "" after Close.
func (s *Signer) PrivateKeyPEM() string {
	k, _ := s.s.Key(true)
	return k
}

// Sign signs a payload string (the base64 text) with SHA-256 and returns the Signature header
// value (base64 DER); "" after Close.
func (s *Signer) Sign(payloadB64 string) string {
	sig, _ := s.s.Sign(payloadB64, "")
	return sig
}

// SignWith signs with an explicit digest construction ("sha256" or "sha256-double").
func (s *Signer) SignWith(payloadB64, digest string) (string, error) {
	sig, err := s.s.Sign(payloadB64, digest)
	if err != nil {
		return "", errorFrom(err)
	}
	return sig, nil
}

// Delivery is a complete signed delivery, as Palisade would POST it.
type Delivery struct {
	// Body is the raw JSON envelope.
	Body []byte
	// Header holds Content-Type and Signature.
	Header http.Header
	// Payload is the envelope's payload string (what was signed).
	Payload string
	// Signature is the Signature header value.
	Signature string
}

// Request builds an httptest request POSTing the delivery to target (a path or URL), for
// handler tests.
func (d *Delivery) Request(target string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, target, bytes.NewReader(d.Body))
	for name, values := range d.Header {
		r.Header[name] = append([]string(nil), values...)
	}
	return r
}

// DeliveryOptions tune a delivery.
type DeliveryOptions struct {
	// Timestamp is the envelope's timestamp; "" means now (unless OmitTimestamp).
	Timestamp string
	// OmitTimestamp leaves the timestamp out, as older deliveries did.
	OmitTimestamp bool
	// Digest is the digest construction to sign with ("" = "sha256").
	Digest string
}

// Delivery builds a signed delivery for domain ("TRANSACTION", "WALLET", "APPROVAL", or any
// other string) carrying resource: a JSON object given as a string, []byte or json.RawMessage
// (used verbatim), or any value encoding/json turns into an object.
func (s *Signer) Delivery(domain string, resource any) (*Delivery, error) {
	return s.DeliveryWith(domain, resource, DeliveryOptions{})
}

// DeliveryWith builds a signed delivery with explicit options.
func (s *Signer) DeliveryWith(domain string, resource any, opts DeliveryOptions) (*Delivery, error) {
	var text string
	switch r := resource.(type) {
	case string:
		text = r
	case []byte:
		text = string(r)
	case json.RawMessage:
		text = string(r)
	default:
		b, err := json.Marshal(resource)
		if err != nil {
			return nil, fmt.Errorf("palisadetest: resource: %w", err)
		}
		text = string(b)
	}
	mode, ts := ffi.TimestampNow, ""
	switch {
	case opts.OmitTimestamp:
		mode = ffi.TimestampOmit
	case opts.Timestamp != "":
		mode, ts = ffi.TimestampFixed, opts.Timestamp
	}
	d, err := s.s.Delivery(domain, text, mode, ts, opts.Digest)
	if err != nil {
		return nil, errorFrom(err)
	}
	header := make(http.Header, len(d.Headers))
	for _, h := range d.Headers {
		header.Add(h[0], h[1])
	}
	return &Delivery{Body: d.Body, Header: header, Payload: d.Payload, Signature: d.Signature}, nil
}

// errorFrom maps a native error as package palisade does.
func errorFrom(e *ffi.Error) error { return bridge.Error(e) }

// FailAt names the step a FaultyStore fails at.
type FailAt string

// The steps a FaultyStore can fail at.
const (
	FailNothing  FailAt = "nothing"
	FailClaim    FailAt = "claim"
	FailComplete FailAt = "complete"
	FailRelease  FailAt = "release"
)

// FaultyStore is an idempotency store that fails on purpose at one step, so a receiver's
// answers to a store outage at claim, at complete (after the handler succeeded) or at release
// (after it failed) can be tested without taking a real store down at the right moment. Every
// failure is ErrStoreUnavailable, as a real outage's is. It is the core's testing store, and a
// palisade.Store: pass it to palisade.NewDeduplicator.
type FaultyStore struct {
	palisade.Store
	s *ffi.Store
}

// NewFaultyStore wraps inner (which it keeps open), failing at failAt.
func NewFaultyStore(inner palisade.Store, failAt FailAt) (*FaultyStore, error) {
	h := bridge.StoreHandle(inner)
	if h == nil {
		return nil, fmt.Errorf("%w: no inner store", palisade.ErrInvalidArgument)
	}
	s, err := ffi.NewFaultyStore(h, string(failAt))
	if err != nil {
		return nil, errorFrom(err)
	}
	return &FaultyStore{Store: bridge.WrapStore(s).(palisade.Store), s: s}, nil
}

// SetFailAt changes the step the store fails at (while it is in use, too).
func (f *FaultyStore) SetFailAt(failAt FailAt) error {
	return errorFrom(f.s.SetFailAt(string(failAt)))
}
