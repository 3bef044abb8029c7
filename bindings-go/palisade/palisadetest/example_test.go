package palisadetest_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/palisade-webhooks/palisade-webhooks/bindings-go/palisade"
	"github.com/palisade-webhooks/palisade-webhooks/bindings-go/palisade/palisadetest"
)

// Testing a receiver offline: sign a delivery and send it to the handler.
func Example() {
	signer, _ := palisadetest.FromSeed(1)
	defer signer.Close()
	wh, _ := palisade.NewWebhook([]string{signer.PublicKey()})
	defer wh.Close()
	rcv, _ := palisade.NewReceiver(wh, nil)
	defer rcv.Close()
	handler := palisade.Handler(rcv, func(r *http.Request, e *palisade.Event) error {
		tx, _ := e.Transaction()
		fmt.Println(e.Domain, tx.Status, tx.Qty)
		return nil
	})

	d, _ := signer.Delivery("TRANSACTION", map[string]any{"id": "tx-1", "status": "CONFIRMED", "qty": "1.5"})
	rec := httptest.NewRecorder()
	handler.ServeHTTP(rec, d.Request("/webhooks/palisade"))
	fmt.Println(rec.Code, rec.Body.String())
	// Output:
	// TRANSACTION CONFIRMED 1.5
	// 200 {"status":"processed"}
}

// A store outage after the handler succeeded: the delivery is still answered as processed (the
// work is done), and the answer's log line says the store did not record it.
func ExampleFaultyStore() {
	signer, _ := palisadetest.FromSeed(2)
	defer signer.Close()
	wh, _ := palisade.NewWebhook([]string{signer.PublicKey()})
	defer wh.Close()
	memory, _ := palisade.NewMemoryStore()
	store, _ := palisadetest.NewFaultyStore(memory, palisadetest.FailComplete)
	memory.Close() // the faulty store keeps it open
	dedup, _ := palisade.NewDeduplicator(store)
	store.Close()
	defer dedup.Close()
	rcv, _ := palisade.NewReceiver(wh, dedup)
	defer rcv.Close()
	handler := palisade.Handler(rcv, func(*http.Request, *palisade.Event) error { return nil },
		palisade.WithOutcomeHook(func(_ *http.Request, o palisade.Outcome) {
			fmt.Println(o.Answer.Status, o.Answer.Code, o.Answer.LogLevel)
		}))

	d, _ := signer.Delivery("WALLET", `{"id":"w-1","updatedAt":"2025-04-08T11:48:56Z"}`)
	handler.ServeHTTP(httptest.NewRecorder(), d.Request("/"))
	// Output:
	// 200 processed warning
}
