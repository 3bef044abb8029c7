package palisade

import (
	"encoding/json"
	"sync"

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
// absent. The typed accessors (Transaction, Wallet, Approval) decode the resource once, from
// the core's canonical JSON that came with the event, and cost nothing after that.
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

	typed *typedResource
}

func eventFrom(f ffi.EventData) *Event {
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
		typed:          &typedResource{domain: Domain(f.Domain), canonical: f.Resource},
	}
}

// typedResource is an event's typed resource: the core's canonical JSON of it, which came with
// the event, decoded in Go on the first accessor call and kept.
type typedResource struct {
	domain    Domain
	once      sync.Once
	canonical []byte
	value     any // *Transaction, *Wallet, *Approval, or nil when it does not decode
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

// resource is the typed resource when the event's domain is want. An event from Verify, a
// Receiver or ParseEvent carries the core's canonical JSON of it and decodes it once, on first
// use; an Event built by hand has none, so its Raw is parsed by the core's model on each call.
func (e *Event) resource(want Domain) any {
	if e == nil || e.Domain != want {
		return nil
	}
	t := e.typed
	if t == nil || t.domain != want {
		data, err := ffi.ResourceJSON(string(e.Domain), e.Raw)
		if err != nil {
			return nil
		}
		return decodeResource(want, data)
	}
	t.once.Do(func() {
		t.value = decodeResource(t.domain, t.canonical)
		t.canonical = nil
	})
	return t.value
}

// decodeResource fills the domain's Go type from the core's canonical JSON (so the typed view
// accepts exactly what verification accepted, and reads numbers and enums as the other SDKs
// do).
func decodeResource(domain Domain, data []byte) any {
	switch domain {
	case DomainTransaction:
		var t Transaction
		if json.Unmarshal(data, &t) != nil {
			return nil
		}
		t.clearNulls()
		return &t
	case DomainWallet:
		var w Wallet
		if json.Unmarshal(data, &w) != nil {
			return nil
		}
		w.clearNulls()
		return &w
	case DomainApproval:
		var a Approval
		if json.Unmarshal(data, &a) != nil {
			return nil
		}
		a.clearNulls()
		return &a
	}
	return nil
}

// Transaction is the typed resource of a TRANSACTION event; ok is false for other domains.
// It is decoded once and the same value is returned by every call: treat it as read-only.
func (e *Event) Transaction() (tx *Transaction, ok bool) {
	tx, ok = e.resource(DomainTransaction).(*Transaction)
	return tx, ok
}

// Wallet is the typed resource of a WALLET event; ok is false for other domains. It is
// decoded once and the same value is returned by every call: treat it as read-only.
func (e *Event) Wallet() (w *Wallet, ok bool) {
	w, ok = e.resource(DomainWallet).(*Wallet)
	return w, ok
}

// Approval is the typed resource of an APPROVAL event; ok is false for other domains. It is
// decoded once and the same value is returned by every call: treat it as read-only.
func (e *Event) Approval() (a *Approval, ok bool) {
	a, ok = e.resource(DomainApproval).(*Approval)
	return a, ok
}

func nonNull(m json.RawMessage) json.RawMessage {
	if string(m) == "null" {
		return nil
	}
	return m
}
