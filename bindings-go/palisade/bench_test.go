package palisade_test

import (
	"fmt"
	"net/http"
	"testing"
)

// BenchmarkVerify: a full delivery (body + headers -> typed event fields) through the binding.
// BenchmarkCallOverhead: the same call on a path the core refuses at once (no Signature
// header), i.e. the cost of crossing the ABI with the body and headers and mapping the error.
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
