package palisade

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/palisade-webhooks/palisade-webhooks/bindings-go/internal/ffi"
)

// Store is an idempotency store implemented in the core: MemoryStore (one process),
// SqliteStore (one host, durable) or RedisStore (many instances). The interface is sealed: its
// method is unexported.
type Store interface {
	// Close frees the store handle; deduplicators already built on it keep working.
	Close() error
	handle() *ffi.Store
}

// MemoryStoreOption configures a MemoryStore.
type MemoryStoreOption func(*ffi.MemoryOptions)

// WithMaxEntries bounds the number of remembered keys (default 100,000; at least 1); beyond it
// the entries closest to expiry are evicted first.
func WithMaxEntries(n int) MemoryStoreOption {
	return func(o *ffi.MemoryOptions) { o.MaxEntries, o.HasMaxEntries = n, true }
}

// WithTTL caps how long any key is kept (default 24 h; 1 ms to 3650 days), whatever the
// retention.
func WithTTL(d time.Duration) MemoryStoreOption {
	return func(o *ffi.MemoryOptions) { o.TTL, o.HasTTL = d, true }
}

// MemoryStore deduplicates within one process and forgets on restart. Safe for concurrent use.
type MemoryStore struct {
	s *ffi.Store
}

// NewMemoryStore makes an in-process store. An option out of its range (a zero bound or TTL,
// an absurdly long TTL) gives an error matching ErrInvalidArgument.
func NewMemoryStore(opts ...MemoryStoreOption) (*MemoryStore, error) {
	var o ffi.MemoryOptions
	for _, opt := range opts {
		opt(&o)
	}
	s, err := ffi.NewMemoryStore(o)
	if err != nil {
		return nil, errorFrom(err)
	}
	return &MemoryStore{s: s}, nil
}

// Close frees the store handle (deduplicators built on it keep the store alive).
func (m *MemoryStore) Close() error {
	m.s.Close()
	return nil
}

func (m *MemoryStore) handle() *ffi.Store { return m.s }

// Status is the outcome of Deduplicator.Process.
type Status int

// Process outcomes.
const (
	// StatusProcessed: the claim was new and the handler ran (it failed if Process also
	// returned an error; the claim was then released so a retry processes it again).
	StatusProcessed Status = iota + 1
	// StatusDuplicate: already processed; the handler did not run. Answer 2xx.
	StatusDuplicate
	// StatusInProgress: another worker holds the claim; the handler did not run. Answer 409 so
	// Palisade retries later.
	StatusInProgress
)

func (s Status) String() string {
	switch s {
	case StatusProcessed:
		return "processed"
	case StatusDuplicate:
		return "duplicate"
	case StatusInProgress:
		return "in_progress"
	}
	return fmt.Sprintf("Status(%d)", int(s))
}

// DedupOption configures a Deduplicator.
type DedupOption func(*ffi.DedupOptions)

// WithLease sets how long a claim is held before another worker may take it over (default
// 60 s; 1 ms to 3650 days): a crashed worker blocks a key only this long.
func WithLease(d time.Duration) DedupOption {
	return func(o *ffi.DedupOptions) { o.Lease, o.HasLease = d, true }
}

// WithRetention sets how long completed keys are remembered (default 7 days; 1 ms to 3650
// days).
func WithRetention(d time.Duration) DedupOption {
	return func(o *ffi.DedupOptions) { o.Retention, o.HasRetention = d, true }
}

// Deduplicator turns Palisade's at-least-once delivery into "process each change once", keyed
// by Event.IdempotencyKey. Safe for concurrent use.
type Deduplicator struct {
	d *ffi.Dedup
}

// NewDeduplicator builds a deduplicator over store (nil: a new default MemoryStore). A lease
// or retention out of its range (zero would turn deduplication off) gives an error matching
// ErrInvalidArgument.
func NewDeduplicator(store Store, opts ...DedupOption) (*Deduplicator, error) {
	var c ffi.DedupOptions
	for _, opt := range opts {
		opt(&c)
	}
	if store == nil {
		m, err := NewMemoryStore()
		if err != nil {
			return nil, err
		}
		defer m.Close() // the deduplicator keeps the store alive
		store = m
	}
	d, err := ffi.NewDedup(store.handle(), c)
	if err != nil {
		return nil, errorFrom(err)
	}
	return &Deduplicator{d: d}, nil
}

// Close frees the deduplicator once in-flight Process calls finish. Later calls fail with
// ErrStoreUnavailable (so an HTTP adapter answers 503 and Palisade retries).
func (d *Deduplicator) Close() error {
	d.d.Close()
	return nil
}

// Process claims the event's idempotency key and runs fn when the claim is new: on success the
// key is completed (later deliveries are StatusDuplicate); when fn returns an error or panics
// the claim is released (a retry processes it again) and the error is returned with
// StatusProcessed. Store failures return an error matching ErrStoreUnavailable.
func (d *Deduplicator) Process(ctx context.Context, event *Event, fn func(context.Context) error) (Status, error) {
	if event == nil {
		return 0, fmt.Errorf("%w: nil event", ErrInvalidArgument)
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	outcome, claim, ferr := d.d.Claim(event.IdempotencyKey)
	if ferr != nil {
		return 0, d.storeError(ferr)
	}
	switch outcome {
	case ffi.ClaimDuplicate:
		return StatusDuplicate, nil
	case ffi.ClaimInProgress:
		return StatusInProgress, nil
	case ffi.ClaimNew:
	default:
		return 0, fmt.Errorf("palisade: unknown claim outcome %d", outcome)
	}
	finished := false
	defer func() {
		if !finished { // fn panicked: give the claim up, let the panic continue
			_, _ = claim.Finish(false)
		}
	}()
	herr := fn(ctx)
	finished = true
	if herr != nil {
		if _, rerr := claim.Finish(false); rerr != nil {
			return StatusProcessed, errors.Join(herr, d.storeError(rerr))
		}
		return StatusProcessed, herr
	}
	if _, cerr := claim.Finish(true); cerr != nil {
		return StatusProcessed, d.storeError(cerr)
	}
	return StatusProcessed, nil
}

func (d *Deduplicator) storeError(e *ffi.Error) error {
	if e.Code == ffi.ErrClosed {
		return &Error{Code: CodeStoreUnavailable, Message: "the deduplicator is closed"}
	}
	return errorFrom(e)
}
