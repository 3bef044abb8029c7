package palisade_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/palisade-webhooks/palisade-webhooks/bindings-go/palisade"
)

// BenchmarkVerify: a full delivery (body + headers -> typed event fields) through the binding.
// BenchmarkVerifyTyped: the same, then the typed resource read three times (decoded once).
// BenchmarkTypedAccessor: reading the typed resource of an event already decoded.
// BenchmarkCallOverhead: the same call on a path the core refuses at once (no Signature
// header), i.e. the cost of crossing the ABI with the body and headers and mapping the error.
// BenchmarkReceiver: a delivery through Receiver.Begin and Ticket.FinishOK (no store).
// Run: make go-lib && cd bindings-go && go test -run NONE -bench . ./palisade/
func BenchmarkVerify(b *testing.B) {
	s := newSigner(b, 90)
	wh := newWebhook(b, []string{s.PublicKey()})
	resource := fmt.Sprintf(`{"id":"tx-1","updatedAt":"2025-05-08T14:15:36Z","status":"CONFIRMED","qty":"1.5","hash":"%0900d"}`, 0)
	d := delivery(b, s, "TRANSACTION", resource)
	h := d.Header.Clone()
	h.Set("User-Agent", "Palisade-Webhooks/1.0")
	h.Set("Accept-Encoding", "gzip")
	b.SetBytes(int64(len(d.Body)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := wh.Verify(d.Body, h); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyTyped(b *testing.B) {
	s := newSigner(b, 92)
	wh := newWebhook(b, []string{s.PublicKey()})
	d := delivery(b, s, "TRANSACTION", benchResource())
	b.SetBytes(int64(len(d.Body)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		e, err := wh.Verify(d.Body, d.Header)
		if err != nil {
			b.Fatal(err)
		}
		for j := 0; j < 3; j++ {
			if tx, ok := e.Transaction(); !ok || tx.Qty != "1.5" {
				b.Fatal("no transaction")
			}
		}
	}
}

func BenchmarkTypedAccessor(b *testing.B) {
	s := newSigner(b, 93)
	wh := newWebhook(b, []string{s.PublicKey()})
	d := delivery(b, s, "TRANSACTION", benchResource())
	e, err := wh.Verify(d.Body, d.Header)
	if err != nil {
		b.Fatal(err)
	}
	e.Transaction()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if tx, ok := e.Transaction(); !ok || tx.Qty != "1.5" {
			b.Fatal("no transaction")
		}
	}
}

func BenchmarkReceiver(b *testing.B) {
	s := newSigner(b, 94)
	wh := newWebhook(b, []string{s.PublicKey()})
	rcv, err := palisade.NewReceiver(wh, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer rcv.Close()
	d := delivery(b, s, "TRANSACTION", benchResource())
	b.SetBytes(int64(len(d.Body)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		begun, err := rcv.Begin(http.MethodPost, int64(len(d.Body)), d.Body, d.Header)
		if err != nil || begun.Ticket == nil {
			b.Fatal(err)
		}
		if _, err := begun.Ticket.FinishOK(); err != nil {
			b.Fatal(err)
		}
	}
}

func benchResource() string {
	return fmt.Sprintf(`{"id":"tx-1","updatedAt":"2025-05-08T14:15:36Z","status":"CONFIRMED","qty":"1.5","hash":"%0900d"}`, 0)
}

func BenchmarkCallOverhead(b *testing.B) {
	s := newSigner(b, 91)
	wh := newWebhook(b, []string{s.PublicKey()})
	d := delivery(b, s, "TRANSACTION", `{"id":"tx-1"}`)
	h := http.Header{"Content-Type": {"application/json"}, "User-Agent": {"Palisade-Webhooks/1.0"},
		"Accept-Encoding": {"gzip"}}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := wh.Verify(d.Body, h); err == nil {
			b.Fatal("verified without a signature")
		}
	}
}

// BenchmarkVerifyParallel: BenchmarkVerify's delivery on GOMAXPROCS goroutines sharing one
// Webhook (compare its ns/op with BenchmarkVerify's for the scaling; -cpu 1,2).
func BenchmarkVerifyParallel(b *testing.B) {
	s := newSigner(b, 95)
	wh := newWebhook(b, []string{s.PublicKey()})
	d := delivery(b, s, "TRANSACTION", benchResource())
	b.SetBytes(int64(len(d.Body)))
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := wh.Verify(d.Body, d.Header); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
