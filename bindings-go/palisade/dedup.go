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
type MemoryStoreOption func(*memoryStoreConfig)

type memoryStoreConfig struct {
	maxEntries uint64
	ttl        time.Duration
}

// WithMaxEntries bounds the number of remembered keys (default 100,000); beyond it the
// entries closest to expiry are evicted first.
func WithMaxEntries(n int) MemoryStoreOption {
	return func(c *memoryStoreConfig) {
		if n > 0 {
			c.maxEntries = uint64(n)
		}
	}
}

// WithTTL caps how long any key is kept (default 24 h), whatever the retention.
func WithTTL(d time.Duration) MemoryStoreOption {
	return func(c *memoryStoreConfig) { c.ttl = d }
}

// MemoryStore deduplicates within one process and forgets on restart. Safe for concurrent use.
type MemoryStore struct {
	s *ffi.Store
}

// NewMemoryStore makes an in-process store.
func NewMemoryStore(opts ...MemoryStoreOption) (*MemoryStore, error) {
	var c memoryStoreConfig
	for _, opt := range opts {
		opt(&c)
	}
	s, err := ffi.NewMemoryStore(c.maxEntries, c.ttl)
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
type DedupOption func(*dedupConfig)

type dedupConfig struct{ lease, retention time.Duration }

// WithLease sets how long a claim is held before another worker may take it over (default
// 60 s): a crashed worker blocks a key only this long.
func WithLease(d time.Duration) DedupOption { return func(c *dedupConfig) { c.lease = d } }

// WithRetention sets how long completed keys are remembered (default 7 days).
func WithRetention(d time.Duration) DedupOption { return func(c *dedupConfig) { c.retention = d } }

// Deduplicator turns Palisade's at-least-once delivery into "process each change once", keyed
// by Event.IdempotencyKey. Safe for concurrent use.
type Deduplicator struct {
	d *ffi.Dedup
}

// NewDeduplicator builds a deduplicator over store (nil: a new default MemoryStore).
func NewDeduplicator(store Store, opts ...DedupOption) (*Deduplicator, error) {
	var c dedupConfig
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
	d, err := ffi.NewDedup(store.handle(), c.lease, c.retention)
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
// StatusProcessed. Store failures return an error matching ErrStoreUnavailable: without
// running fn when the claim failed (answer 503 so Palisade retries); after fn succeeded when
// the completion could not be recorded, with StatusProcessed (the work is done: answer 2xx, as
// a Receiver does, and log the error; answering otherwise would make Palisade retry and, once
// the lease ends, run fn again). The claim is settled exactly once, as a Receiver's Ticket is.
// Use a Receiver (and Handler) to get the answers themselves from the core.
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
