// The Palisade documentation's verification function, same name and argument order, now one
// line over the SDK (the key is parsed and checked by the Rust core; any failure is false).
//
//	go run . PUBLIC_KEY_B64 SIGNATURE_B64 PAYLOAD_B64   # prints true or false; exit status 0 or 1
package main

import (
	"fmt"
	"os"

	"github.com/palisade-webhooks/palisade-webhooks/bindings-go/palisade"
)

// VerifyWebhook reports whether signatureB64 (base64 DER ECDSA P-256 / SHA-256) signs
// payloadB64 (the envelope's payload string, exactly as received) under publicKeyB64 (the
// webhook's public key, base64 DER SubjectPublicKeyInfo).
func VerifyWebhook(publicKeyB64, signatureB64, payloadB64 string) bool {
	return palisade.VerifyWebhook(publicKeyB64, signatureB64, payloadB64)
}

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: docs_snippet PUBLIC_KEY_B64 SIGNATURE_B64 PAYLOAD_B64")
		os.Exit(2)
	}
	ok := VerifyWebhook(os.Args[1], os.Args[2], os.Args[3])
	fmt.Println(ok)
	if !ok {
		os.Exit(1)
	}
}
