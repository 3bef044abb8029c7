package main

import (
	"testing"

	"github.com/palisade-webhooks/palisade-webhooks/bindings-go/palisade/palisadetest"
)

func TestVerifyWebhook(t *testing.T) {
	signer, err := palisadetest.Generate()
	if err != nil {
		t.Fatal(err)
	}
	defer signer.Close()
	d, err := signer.Delivery("TRANSACTION", `{"id":"tx-1","status":"CONFIRMED"}`)
	if err != nil {
		t.Fatal(err)
	}
	if !VerifyWebhook(signer.PublicKey(), d.Signature, d.Payload) {
		t.Fatal("a genuine delivery was refused")
	}
	if VerifyWebhook(signer.PublicKey(), d.Signature, d.Payload+"x") {
		t.Fatal("a tampered payload was accepted")
	}
	if VerifyWebhook("not a key", d.Signature, d.Payload) {
		t.Fatal("a garbage key was accepted")
	}
}
