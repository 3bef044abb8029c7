// Command profile is a fixed amount of Go SDK work for profilers, the Go counterpart of the
// core's core/examples/profile.rs: N full deliveries of the benchmark's TRANSACTION resource.
//
// Timings are noisy on a shared machine; instruction counts are not. Run it under
// `valgrind --tool=callgrind` with N and with 0 and take the difference per delivery, then
// compare with the core's figure from profile.rs (same resource, same key seed):
//
//	cd bench/go && go build -o /tmp/go_profile ./profile
//	valgrind --tool=callgrind /tmp/go_profile 2000 verify
//	valgrind --tool=callgrind /tmp/go_profile 0 verify
//
// Modes: verify (wh.Verify), typed (wh.Verify then e.Transaction()), crypto (what a user
// writes with crypto/ecdsa + encoding/json, key parsed once), parallel (verify on two
// goroutines, N each, for `perf record`).
package main

import (
	"crypto/ecdsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"

	"github.com/palisade-webhooks/palisade-webhooks/bindings-go/palisade"
	"github.com/palisade-webhooks/palisade-webhooks/bindings-go/palisade/palisadetest"
)

// sampleResource is the core benchmark's resource (core/examples/bench.rs, sample_resource).
func sampleResource() string {
	attrs := make([]string, 12)
	for i := range attrs {
		attrs[i] = fmt.Sprintf(`"attr%d":"value-%d-0123456789abcdef"`, i, i)
	}
	return `{"id":"0196153b-aaaa-7cd3-b511-354373d28130","walletId":"0196153b-67bc-7cd3-b511-354373d28130","vaultId":"0196152d-5294-739d-9945-2a499f9e3989","createdBy":"a55df9e0-e14a-4410-a983-12afae46662f","createdAt":"2025-05-08T14:15:30.123456Z","updatedAt":"2025-05-08T14:15:36.900490Z","status":"CONFIRMED","action":"WITHDRAWAL","externalId":"order-982734","blockchain":"ETHEREUM","asset":{"id":"usdc-eth","symbol":"USDC","name":"USD Coin","blockchain":"ETHEREUM","decimals":6,"contract":"0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48"},"feeAsset":{"id":"eth","symbol":"ETH","name":"Ether","blockchain":"ETHEREUM","decimals":18},"origin":{"id":"0196153b-67bc-7cd3-b511-354373d28130","type":"WALLET","address":"0x4644320f31D6958Ed8603Eb666044950Aa69702e"},"destination":{"type":"ADDRESS","address":"0x8ba1f109551bD432803012645Ac136ddd64DBA72"},"qty":"1250.000000","feeQty":"0.000421337000000000","sequence":"18446744073709551615","hash":"0x5c504ed432cb51138bcf09aa5e8a410dd4a1e204ef84bfed1be16dfba1b22060","attributes":{` +
		strings.Join(attrs, ",") + `}}`
}

var sink int

func run() error {
	n := 1000
	mode := "verify"
	if len(os.Args) > 1 {
		v, err := strconv.Atoi(os.Args[1])
		if err != nil || v < 0 {
			return fmt.Errorf("usage: %s [N] [verify|typed|crypto|parallel]", os.Args[0])
		}
		n = v
	}
	if len(os.Args) > 2 {
		mode = os.Args[2]
	}
	signer, err := palisadetest.FromSeed(42)
	if err != nil {
		return err
	}
	defer signer.Close()
	d, err := signer.Delivery("TRANSACTION", sampleResource())
	if err != nil {
		return err
	}
	wh, err := palisade.NewWebhook([]string{signer.PublicKey()})
	if err != nil {
		return err
	}
	defer wh.Close()
	der, err := base64.StdEncoding.DecodeString(signer.PublicKey())
	if err != nil {
		return err
	}
	parsed, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		return err
	}
	pub := parsed.(*ecdsa.PublicKey)

	verify := func() error {
		e, err := wh.Verify(d.Body, d.Header)
		if err != nil {
			return err
		}
		sink += len(e.IdempotencyKey)
		return nil
	}
	typed := func() error {
		e, err := wh.Verify(d.Body, d.Header)
		if err != nil {
			return err
		}
		tx, ok := e.Transaction()
		if !ok {
			return errors.New("no transaction")
		}
		sink += len(tx.ID)
		return nil
	}
	crypto := func() error {
		r, err := verifyWithCrypto(pub, d.Body, d.Header)
		sink += len(r)
		return err
	}
	var op func() error
	switch mode {
	case "verify", "parallel":
		op = verify
	case "typed":
		op = typed
	case "crypto":
		op = crypto
	default:
		return fmt.Errorf("unknown mode %q (verify, typed, crypto, parallel)", mode)
	}
	// Outside the counted loop: the first call (lazy statics, type caches, pools).
	if err := op(); err != nil {
		return err
	}
	workers := 1
	if mode == "parallel" {
		workers = 2
	}
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < n; i++ {
				if err := op(); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	return <-errs
}

type envelope struct {
	Domain    string `json:"domain"`
	Payload   string `json:"payload"`
	Timestamp string `json:"timestamp"`
}

// verifyWithCrypto is bench/go's hand-written alternative (key parsed once, outside).
func verifyWithCrypto(pub *ecdsa.PublicKey, body []byte, h http.Header) (map[string]any, error) {
	var env envelope
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
	raw, err := base64.StdEncoding.DecodeString(env.Payload)
	if err != nil {
		return nil, err
	}
	var resource map[string]any
	if err := json.Unmarshal(raw, &resource); err != nil {
		return nil, err
	}
	return resource, nil
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "profile:", err)
		os.Exit(1)
	}
}
