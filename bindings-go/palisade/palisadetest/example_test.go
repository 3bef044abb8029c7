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
	handler := palisade.Handler(wh, func(w http.ResponseWriter, r *http.Request, e *palisade.Event) error {
		tx, _ := e.Transaction()
		fmt.Println(e.Domain, tx.Status, tx.Qty)
		return nil
	})

	d, _ := signer.Delivery("TRANSACTION", map[string]any{"id": "tx-1", "status": "CONFIRMED", "qty": "1.5"})
	rec := httptest.NewRecorder()
	handler.ServeHTTP(rec, d.Request("/webhooks/palisade"))
	fmt.Println(rec.Code)
	// Output:
	// TRANSACTION CONFIRMED 1.5
	// 200
}
