package palisade

import (
	"encoding/json"

	"github.com/palisade-webhooks/palisade-webhooks/bindings-go/internal/ffi"
)

// Domain is the envelope's domain: which kind of resource the payload carries. It is not
// signed: it only selects the model the payload is parsed with.
type Domain string

// Known domains. Any other value (or "" when the envelope had none) is an unknown domain,
// never an error: the resource is then only available as Event.Raw.
const (
	DomainTransaction Domain = "TRANSACTION"
	DomainWallet      Domain = "WALLET"
	DomainApproval    Domain = "APPROVAL"
)

// Event is a verified delivery. Everything except Domain and Timestamp comes from the signed
// payload. It marshals to the JSON form shared by every language's SDK, so a receiver can
// enqueue it and answer 2xx at once (ParseEvent reads it back). String fields are "" when
// absent.
type Event struct {
	// Domain is the envelope's domain (unsigned routing hint).
	Domain Domain `json:"domain"`
	// Timestamp is the envelope's timestamp (unsigned; "" in older deliveries).
	Timestamp string `json:"timestamp,omitempty"`
	// IdempotencyKey is "{domain}/{id}/{updatedAt}" (id and updatedAt from the signed payload,
	// each part percent-encoded for '%', '/' and control characters), or
	// "{domain}/sha256:<hex>" of the payload when either is missing. Deduplicate on it.
	IdempotencyKey string `json:"idempotency_key"`
	// ResourceID is the resource's id.
	ResourceID string `json:"resource_id,omitempty"`
	// UpdatedAt is the resource's updatedAt (RFC 3339).
	UpdatedAt string `json:"updated_at,omitempty"`
	// Status is the resource's status.
	Status string `json:"status,omitempty"`
	// Raw is the decoded payload JSON, exactly as signed. (encoding/json compacts it when the
	// Event is marshalled; Payload is the signed text and is never altered.)
	Raw json.RawMessage `json:"raw"`
	// Payload is the signed base64 payload string.
	Payload string `json:"payload"`
	// KeyFingerprint identifies the key that verified the delivery (hex, 16 characters).
	KeyFingerprint string `json:"key_fingerprint"`
}

func eventFrom(f ffi.Event) *Event {
	return &Event{
		Domain:         Domain(f.Domain),
		Timestamp:      f.Timestamp,
		IdempotencyKey: f.IdempotencyKey,
		ResourceID:     f.ResourceID,
		UpdatedAt:      f.UpdatedAt,
		Status:         f.Status,
		Raw:            f.Raw,
		Payload:        f.Payload,
		KeyFingerprint: f.KeyFingerprint,
	}
}

// ParseEvent restores an event from its JSON form (written by this SDK in any language). It
// checks the form and that the resource fits its domain's model, but does not re-verify the
// signature: only restore events your own receiver verified and enqueued.
func ParseEvent(data []byte) (*Event, error) {
	f, err := ffi.EventFromJSON(data)
	if err != nil {
		return nil, errorFrom(err)
	}
	return eventFrom(f), nil
}

// decode parses Raw with the model of the event's domain and fills v from the core's canonical
// JSON of the typed resource (so the typed view accepts exactly what verification accepted, and
// reads the numbers and enums exactly as the other SDKs do). Parsed on every call: keep the
// result rather than calling an accessor in a loop.
func (e *Event) decode(want Domain, v any) bool {
	if e == nil || e.Domain != want {
		return false
	}
	data, err := ffi.ResourceJSON(string(e.Domain), e.Raw)
	if err != nil {
		return false
	}
	return json.Unmarshal(data, v) == nil
}

// Transaction is the typed resource of a TRANSACTION event; ok is false for other domains.
func (e *Event) Transaction() (tx *Transaction, ok bool) {
	var t Transaction
	if !e.decode(DomainTransaction, &t) {
		return nil, false
	}
	t.clearNulls()
	return &t, true
}

// Wallet is the typed resource of a WALLET event; ok is false for other domains.
func (e *Event) Wallet() (w *Wallet, ok bool) {
	var v Wallet
	if !e.decode(DomainWallet, &v) {
		return nil, false
	}
	v.Reasons = nonNull(v.Reasons)
	return &v, true
}

// Approval is the typed resource of an APPROVAL event; ok is false for other domains.
func (e *Event) Approval() (a *Approval, ok bool) {
	var v Approval
	if !e.decode(DomainApproval, &v) {
		return nil, false
	}
	v.Reasons = nonNull(v.Reasons)
	return &v, true
}

func nonNull(m json.RawMessage) json.RawMessage {
	if string(m) == "null" {
		return nil
	}
	return m
}
