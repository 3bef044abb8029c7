package palisade_test

import (
	"errors"
	"testing"
	"time"

	"github.com/palisade-webhooks/palisade-webhooks/bindings-go/palisade"
)

// Zero, negative and out-of-range durations and counts are refused when the object is built,
// with an error matching ErrInvalidArgument: a zero lease or retention would turn deduplication
// off, and across the C ABI a zero would otherwise silently mean "the default".
func TestOptionsAreValidatedAtConstruction(t *testing.T) {
	memory := map[string]palisade.MemoryStoreOption{
		"WithMaxEntries(0)":  palisade.WithMaxEntries(0),
		"WithMaxEntries(-1)": palisade.WithMaxEntries(-1),
		"WithTTL(0)":         palisade.WithTTL(0),
		"WithTTL(-1s)":       palisade.WithTTL(-time.Second),
		"WithTTL(1ns)":       palisade.WithTTL(time.Nanosecond), // under the core's 1 ms floor
	}
	for name, opt := range memory {
		if s, err := palisade.NewMemoryStore(opt); !errors.Is(err, palisade.ErrInvalidArgument) {
			t.Errorf("NewMemoryStore(%s) = %v, %v; want ErrInvalidArgument", name, s, err)
		}
	}
	dedup := map[string]palisade.DedupOption{
		"WithLease(0)":         palisade.WithLease(0),
		"WithLease(-1s)":       palisade.WithLease(-time.Second),
		"WithLease(1ns)":       palisade.WithLease(time.Nanosecond),
		"WithRetention(0)":     palisade.WithRetention(0),
		"WithRetention(1e6 h)": palisade.WithRetention(1e6 * time.Hour), // over 3650 days
	}
	for name, opt := range dedup {
		if d, err := palisade.NewDeduplicator(nil, opt); !errors.Is(err, palisade.ErrInvalidArgument) {
			t.Errorf("NewDeduplicator(%s) = %v, %v; want ErrInvalidArgument", name, d, err)
		}
	}
	d, err := palisade.NewDeduplicator(nil, palisade.WithLease(time.Second), palisade.WithRetention(time.Hour))
	if err != nil {
		t.Fatalf("valid options refused: %v", err)
	}
	d.Close()
}
