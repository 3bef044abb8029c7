package palisade

import (
	"encoding/json"
	"sync"

	"github.com/palisade-webhooks/palisade-webhooks/bindings-go/internal/compact"
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
// the core's model of it that came with the event, and cost nothing after that. The event's
// strings (and the typed resource's) share a few buffers: keep a strings.Clone of one you store
// long after the event (IdempotencyKey and the other short fields share a small one).
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
	// One allocation for the event and its typed resource.
	both := &struct {
		e Event
		t typedResource
	}{
		e: Event{
			Domain:         Domain(f.Domain),
			Timestamp:      f.Timestamp,
			IdempotencyKey: f.IdempotencyKey,
			ResourceID:     f.ResourceID,
			UpdatedAt:      f.UpdatedAt,
			Status:         f.Status,
			Raw:            f.Raw,
			Payload:        f.Payload,
			KeyFingerprint: f.KeyFingerprint,
		},
		t: typedResource{domain: Domain(f.Domain), compact: f.Resource, raw: f.Raw},
	}
	both.e.typed = &both.t
	return &both.e
}

// typedResource is an event's typed resource: the core's model of it in the library's compact
// form, which came with the event, decoded on the first accessor call and kept.
type typedResource struct {
	domain  Domain
	once    sync.Once
	compact []byte          // nil when the library could not encode it
	raw     json.RawMessage // the payload, for the canonical JSON when compact is nil
	value   any             // *Transaction, *Wallet, *Approval, or nil when it does not decode
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
// Receiver or ParseEvent carries the core's model of it and decodes it once, on first use; an
// Event built by hand has none, so its Raw is parsed by the core's model on each call.
func (e *Event) resource(want Domain) any {
	if e == nil || e.Domain != want {
		return nil
	}
	t := e.typed
	if t == nil || t.domain != want {
		return decodeCanonical(want, e.Raw)
	}
	t.once.Do(func() {
		t.value = decodeResource(t.domain, t.compact, t.raw)
		t.compact, t.raw = nil, nil
	})
	return t.value
}

// newResource is a new, empty value of the domain's Go type (nil for an unknown domain).
func newResource(domain Domain) any {
	switch domain {
	case DomainTransaction:
		return new(Transaction)
	case DomainWallet:
		return new(Wallet)
	case DomainApproval:
		return new(Approval)
	}
	return nil
}

// decodeResource fills the domain's Go type from the core's model of the resource, so the
// typed view accepts exactly what verification accepted and reads numbers and enums as the
// other SDKs do: from the compact form when there is one and it decodes (internal/compact:
// the same values encoding/json gives from the canonical JSON), else from the canonical JSON.
func decodeResource(domain Domain, compactForm []byte, raw json.RawMessage) any {
	if compactForm != nil {
		if v := newResource(domain); v != nil && compact.Decode(compactForm, v) == nil {
			return v
		}
	}
	return decodeCanonical(domain, raw)
}

// decodeCanonical parses raw with the core's model of the domain and decodes its canonical JSON
// with encoding/json (which never holds a null: the core reads a field sent as null as absent).
func decodeCanonical(domain Domain, raw json.RawMessage) any {
	v := newResource(domain)
	if v == nil {
		return nil
	}
	data, err := ffi.ResourceJSON(string(domain), raw)
	if err != nil || json.Unmarshal(data, v) != nil {
		return nil
	}
	return v
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
