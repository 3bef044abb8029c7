// Package contenders holds what the Go benchmark and the Go profile program both time: the
// benchmark's delivery and the verification a user would write without the SDK.
package contenders

import (
	"crypto/ecdsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/palisade-webhooks/palisade-webhooks/bindings-go/palisade"
	"github.com/palisade-webhooks/palisade-webhooks/bindings-go/palisade/palisadetest"
)

// Fixture is the benchmark's signed delivery, with the SDK's Webhook for its key and the same
// key parsed once with crypto/x509 for the hand-written contender.
type Fixture struct {
	Signer   *palisadetest.Signer
	Delivery *palisadetest.Delivery
	Webhook  *palisade.Webhook
	Key      *ecdsa.PublicKey
}

// NewFixture signs SampleResource with the benchmark's key (seed 42, as in every language).
// Close it when done.
func NewFixture() (*Fixture, error) {
	signer, err := palisadetest.FromSeed(42)
	if err != nil {
		return nil, err
	}
	f := &Fixture{Signer: signer}
	if f.Delivery, err = signer.Delivery("TRANSACTION", SampleResource()); err != nil {
		f.Close()
		return nil, err
	}
	if f.Webhook, err = palisade.NewWebhook([]string{signer.PublicKey()}); err != nil {
		f.Close()
		return nil, err
	}
	der, err := base64.StdEncoding.DecodeString(signer.PublicKey())
	if err != nil {
		f.Close()
		return nil, err
	}
	parsed, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		f.Close()
		return nil, err
	}
	key, ok := parsed.(*ecdsa.PublicKey)
	if !ok {
		f.Close()
		return nil, fmt.Errorf("not an ECDSA key: %T", parsed)
	}
	f.Key = key
	return f, nil
}

// Close releases the signer and the webhook.
func (f *Fixture) Close() {
	if f.Webhook != nil {
		f.Webhook.Close()
	}
	f.Signer.Close()
}

// SampleResource is the same ~2 KB TRANSACTION resource as the Rust core's benchmark
// (core/examples/bench.rs, sample_resource), so every language times the same delivery.
func SampleResource() string {
	attrs := make([]string, 12)
	for i := range attrs {
		attrs[i] = fmt.Sprintf(`"attr%d":"value-%d-0123456789abcdef"`, i, i)
	}
	return `{"id":"0196153b-aaaa-7cd3-b511-354373d28130","walletId":"0196153b-67bc-7cd3-b511-354373d28130","vaultId":"0196152d-5294-739d-9945-2a499f9e3989","createdBy":"a55df9e0-e14a-4410-a983-12afae46662f","createdAt":"2025-05-08T14:15:30.123456Z","updatedAt":"2025-05-08T14:15:36.900490Z","status":"CONFIRMED","action":"WITHDRAWAL","externalId":"order-982734","blockchain":"ETHEREUM","asset":{"id":"usdc-eth","symbol":"USDC","name":"USD Coin","blockchain":"ETHEREUM","decimals":6,"contract":"0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48"},"feeAsset":{"id":"eth","symbol":"ETH","name":"Ether","blockchain":"ETHEREUM","decimals":18},"origin":{"id":"0196153b-67bc-7cd3-b511-354373d28130","type":"WALLET","address":"0x4644320f31D6958Ed8603Eb666044950Aa69702e"},"destination":{"type":"ADDRESS","address":"0x8ba1f109551bD432803012645Ac136ddd64DBA72"},"qty":"1250.000000","feeQty":"0.000421337000000000","sequence":"18446744073709551615","hash":"0x5c504ed432cb51138bcf09aa5e8a410dd4a1e204ef84bfed1be16dfba1b22060","attributes":{` +
		strings.Join(attrs, ",") + `}}`
}

// Envelope is the body as a user would declare it.
type Envelope struct {
	Domain    string `json:"domain"`
	Payload   string `json:"payload"`
	Timestamp string `json:"timestamp"`
}

// VerifyWithCrypto is what a user would write without the SDK (key parsed once, outside).
func VerifyWithCrypto(pub *ecdsa.PublicKey, body []byte, h http.Header) (map[string]any, error) {
	var env Envelope
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, err
	}
	sig, err := base64.StdEncoding.DecodeString(h.Get("Signature"))
	if err != nil {
		return nil, err
	}
	digest := sha256.Sum256([]byte(env.Payload))
	if !ecdsa.VerifyASN1(pub, digest[:], sig) {
		return nil, errors.New("invalid signature")
	}
	return DecodePayload(env.Payload)
}

// DecodePayload is what a user does once the signature checks: base64, then JSON.
func DecodePayload(payloadB64 string) (map[string]any, error) {
	raw, err := base64.StdEncoding.DecodeString(payloadB64)
	if err != nil {
		return nil, err
	}
	var resource map[string]any
	if err := json.Unmarshal(raw, &resource); err != nil {
		return nil, err
	}
	return resource, nil
}
