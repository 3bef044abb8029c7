// Command go_bench times full-delivery verification in Go: the SDK against what a user would
// otherwise write with crypto/ecdsa. Usage: go_bench [SECONDS] (time per figure, default 1).
//
// It prints one JSON line of medians over a few timed batches, in microseconds per delivery on
// one goroutine:
//
//	sdk_verify_us            wh.Verify(body, header) on a ~2 KB TRANSACTION delivery, then
//	                         reading the event's IdempotencyKey and Status
//	sdk_verify_typed_us      the same, then the typed resource: e.Transaction()
//	sdk_signature_only_us    wh.VerifySignature(payload, signature): the signature check alone
//	crypto_ecdsa_us          the hand-written alternative: key parsed once with
//	                         x509.ParsePKIXPublicKey; per delivery json.Unmarshal of the body,
//	                         base64 of the signature, ecdsa.VerifyASN1 over SHA-256(payload),
//	                         base64 of the payload and json.Unmarshal into a map
//	docs_snippet_us          the documentation's snippet in a full delivery: as crypto_ecdsa_us,
//	                         but the key is parsed (x509.ParsePKIXPublicKey) on every call
//	sdk_drop_in_us           palisade.VerifyWebhook(key, signature, payload), the SDK's drop-in,
//	                         warm (its key cache holds the prepared key from the second call on)
//	docs_function_us         the documentation's VerifyWebhook written with crypto/ecdsa (key
//	                         parsed on every call)
//	sdk_drop_in_first_call_us, sdk_drop_in_second_call_us
//	                         the drop-in's first call with a key it has not seen, and its second
//	                         (table preparation): medians over six fresh keys
//	sdk_2goroutines_scaling  throughput of 2 goroutines sharing one Webhook over 1 goroutine
//	crypto_2goroutines_scaling
//	                         the same for crypto_ecdsa_us's alternative: what Go itself gets
//	                         from a second goroutine on this machine
//	body_bytes               the delivery's size
//
// With -paired instead of SECONDS it times slices on request, for the driver's paired comparison
// of each binding with the core (bench/run.py): it reads lines "FIGURE SECONDS" on stdin,
// FIGURE "verify", "verify_typed" or "signature" (sdk_verify_us's, sdk_verify_typed_us's or
// sdk_signature_only_us's work), and answers each with one line {"us": µs per call}, until
// stdin closes.
//
// Before anything is timed, the SDK and crypto/ecdsa must agree that the delivery is valid
// (and on its idempotency key). `make bench-go-build` builds it into target/bench/go_bench;
// bench/run.py runs it as part of `make bench`.
package main

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/palisade-webhooks/palisade-webhooks/bench/go/contenders"
	"github.com/palisade-webhooks/palisade-webhooks/bindings-go/palisade"
	"github.com/palisade-webhooks/palisade-webhooks/bindings-go/palisade/palisadetest"
)

// batches is how many timed batches each figure is the median of.
const batches = 5

// docsVerifyWebhook is the documentation's function written with crypto/ecdsa, as a user would
// copy it: the key is decoded and parsed on every call.
func docsVerifyWebhook(publicKeyB64, signatureB64, payloadB64 string) bool {
	der, err := base64.StdEncoding.DecodeString(publicKeyB64)
	if err != nil {
		return false
	}
	parsed, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		return false
	}
	pub, ok := parsed.(*ecdsa.PublicKey)
	if !ok {
		return false
	}
	sig, err := base64.StdEncoding.DecodeString(signatureB64)
	if err != nil {
		return false
	}
	digest := sha256.Sum256([]byte(payloadB64))
	return ecdsa.VerifyASN1(pub, digest[:], sig)
}

// verifyWithSnippet is a full delivery around the documentation's function: the envelope, the
// snippet (key parsed per call), then the payload decoded as verifyWithCrypto does.
func verifyWithSnippet(publicKeyB64 string, body []byte, h http.Header) (map[string]any, error) {
	var env contenders.Envelope
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, err
	}
	if !docsVerifyWebhook(publicKeyB64, h.Get("Signature"), env.Payload) {
		return nil, errors.New("invalid signature")
	}
	return contenders.DecodePayload(env.Payload)
}

// dropInFirstCalls times the drop-in's first and second call with keys it has not seen (six
// fresh keys: its cache keeps eight, so the benchmark's own key stays in); medians in µs.
func dropInFirstCalls(payload string) (first, second float64, err error) {
	var firsts, seconds []float64
	for seed := uint64(1000); seed < 1006; seed++ {
		s, err := palisadetest.FromSeed(seed)
		if err != nil {
			return 0, 0, err
		}
		key, sig := s.PublicKey(), s.Sign(payload)
		s.Close()
		for _, calls := range []*[]float64{&firsts, &seconds} {
			start := time.Now()
			ok := palisade.VerifyWebhook(key, sig, payload)
			*calls = append(*calls, float64(time.Since(start).Nanoseconds())/1e3)
			if !ok {
				return 0, 0, errors.New("a fresh key's delivery must verify")
			}
		}
	}
	return median(firsts), median(seconds), nil
}

var sink atomic.Int64 // keeps results observable so no work is optimised away

// perOp runs op for about budget/batches per batch, after a warm-up, and returns the median
// seconds per operation over the batches.
func perOp(budget time.Duration, op func()) float64 {
	for i := 0; i < 50; i++ {
		op()
	}
	results := make([]float64, 0, batches)
	for b := 0; b < batches; b++ {
		results = append(results, timeFor(budget/batches, op))
	}
	return median(results)
}

// timeFor runs op in chunks of 50 for about d and returns the seconds per operation.
func timeFor(d time.Duration, op func()) float64 {
	n := 0
	start := time.Now()
	for time.Since(start) < d {
		for i := 0; i < 50; i++ {
			op()
		}
		n += 50
	}
	return time.Since(start).Seconds() / float64(n)
}

// rate runs op on g goroutines for d and returns the total operations per second.
func rate(g int, d time.Duration, op func()) float64 {
	var total atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for i := 0; i < g; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n := int64(0)
			for time.Since(start) < d {
				for j := 0; j < 50; j++ {
					op()
				}
				n += 50
			}
			total.Add(n)
		}()
	}
	wg.Wait()
	return float64(total.Load()) / time.Since(start).Seconds()
}

func median(xs []float64) float64 {
	sort.Float64s(xs)
	return xs[len(xs)/2]
}

// serveSlices answers the driver's slice requests (-paired, see the package documentation).
func serveSlices(ops map[string]func()) error {
	lines := bufio.NewScanner(os.Stdin)
	for lines.Scan() {
		figure, secs, _ := strings.Cut(lines.Text(), " ")
		s, err := strconv.ParseFloat(secs, 64)
		op, ok := ops[figure]
		if err != nil || !ok || !(s > 0 && s <= 60) { // NaN and infinity fail too
			return fmt.Errorf("expected a figure and SECONDS (at most 60), got %q", lines.Text())
		}
		for i := 0; i < 20; i++ {
			op()
		}
		out, err := json.Marshal(map[string]float64{"us": timeFor(time.Duration(s*float64(time.Second)), op) * 1e6})
		if err != nil {
			return err
		}
		fmt.Println(string(out))
	}
	return lines.Err()
}

func run() error {
	seconds := 1.0
	paired := len(os.Args) > 1 && os.Args[1] == "-paired"
	if len(os.Args) > 1 && !paired {
		s, err := strconv.ParseFloat(os.Args[1], 64)
		if err != nil || s <= 0 {
			return fmt.Errorf("usage: %s [SECONDS] (a positive number)", os.Args[0])
		}
		seconds = s
	}
	budget := time.Duration(seconds * float64(time.Second))

	f, err := contenders.NewFixture()
	if err != nil {
		return err
	}
	defer f.Close()
	signer, d, wh, pub := f.Signer, f.Delivery, f.Webhook, f.Key
	body, header := d.Body, d.Header

	// Both must accept the delivery, and agree on what it is, before anything is timed.
	event, err := wh.Verify(body, header)
	if err != nil {
		return fmt.Errorf("the SDK refused the delivery: %w", err)
	}
	resource, err := contenders.VerifyWithCrypto(pub, body, header)
	if err != nil {
		return fmt.Errorf("crypto/ecdsa refused the delivery: %w", err)
	}
	if key := fmt.Sprintf("TRANSACTION/%v/%v", resource["id"], resource["updatedAt"]); key != event.IdempotencyKey ||
		resource["status"] != event.Status || event.Status != "CONFIRMED" {
		return fmt.Errorf("the SDK and crypto/ecdsa disagree: %q/%q vs %q/%v", event.IdempotencyKey, event.Status, key, resource["status"])
	}
	if _, err := wh.VerifySignature(d.Payload, d.Signature); err != nil {
		return fmt.Errorf("VerifySignature refused the delivery: %w", err)
	}
	if snip, err := verifyWithSnippet(signer.PublicKey(), body, header); err != nil || snip["id"] != resource["id"] {
		return fmt.Errorf("the documentation snippet disagrees: %v", err)
	}
	if !palisade.VerifyWebhook(signer.PublicKey(), d.Signature, d.Payload) ||
		!docsVerifyWebhook(signer.PublicKey(), d.Signature, d.Payload) {
		return errors.New("a VerifyWebhook refused the delivery")
	}
	if palisade.VerifyWebhook(signer.PublicKey(), d.Signature, d.Payload+"x") ||
		docsVerifyWebhook(signer.PublicKey(), d.Signature, d.Payload+"x") {
		return errors.New("a VerifyWebhook accepted a tampered payload")
	}
	if tx, ok := event.Transaction(); !ok || tx.ID != resource["id"] {
		return errors.New("the typed resource disagrees with crypto/ecdsa")
	}
	tampered := append([]byte(nil), body...)
	tampered[len(tampered)/2] ^= 1
	if _, err := wh.Verify(tampered, header); err == nil {
		return errors.New("the SDK accepted a tampered delivery")
	}

	sdk := func() {
		e, err := wh.Verify(body, header)
		if err != nil {
			panic(err)
		}
		sink.Add(int64(len(e.IdempotencyKey) + len(e.Status)))
	}
	typed := func() {
		e, err := wh.Verify(body, header)
		if err != nil {
			panic(err)
		}
		tx, ok := e.Transaction()
		if !ok {
			panic("no typed transaction")
		}
		sink.Add(int64(len(e.IdempotencyKey) + len(tx.ID)))
	}
	signatureOnly := func() {
		fp, err := wh.VerifySignature(d.Payload, d.Signature)
		if err != nil {
			panic(err)
		}
		sink.Add(int64(len(fp)))
	}
	if paired {
		return serveSlices(map[string]func(){"verify": sdk, "verify_typed": typed, "signature": signatureOnly})
	}
	sdkUs := perOp(budget, sdk) * 1e6
	typedUs := perOp(budget, typed) * 1e6
	sigUs := perOp(budget, signatureOnly) * 1e6
	viaCrypto := func() {
		r, err := contenders.VerifyWithCrypto(pub, body, header)
		if err != nil {
			panic(err)
		}
		sink.Add(int64(len(r)))
	}
	cryptoUs := perOp(budget, viaCrypto) * 1e6

	snippetUs := perOp(budget, func() {
		r, err := verifyWithSnippet(signer.PublicKey(), body, header)
		if err != nil {
			panic(err)
		}
		sink.Add(int64(len(r)))
	}) * 1e6
	key := signer.PublicKey()
	dropInUs := perOp(budget, func() {
		if !palisade.VerifyWebhook(key, d.Signature, d.Payload) {
			panic("the drop-in refused the delivery")
		}
	}) * 1e6
	docsUs := perOp(budget, func() {
		if !docsVerifyWebhook(key, d.Signature, d.Payload) {
			panic("the documentation function refused the delivery")
		}
	}) * 1e6
	firstCall, secondCall, err := dropInFirstCalls(d.Payload)
	if err != nil {
		return err
	}

	// 2 goroutines over 1, measured alternately in short rounds (the SDK and crypto/ecdsa in
	// turn, so both see the same machine); median of the ratios.
	round := budget / batches
	ratios := make([]float64, 0, batches)
	cryptoRatios := make([]float64, 0, batches)
	for b := 0; b < batches; b++ {
		one := rate(1, round/4, sdk)
		two := rate(2, round/4, sdk)
		ratios = append(ratios, two/one)
		one = rate(1, round/4, viaCrypto)
		two = rate(2, round/4, viaCrypto)
		cryptoRatios = append(cryptoRatios, two/one)
	}

	out, err := json.Marshal(map[string]float64{
		"sdk_verify_us":              sdkUs,
		"sdk_verify_typed_us":        typedUs,
		"sdk_signature_only_us":      sigUs,
		"crypto_ecdsa_us":            cryptoUs,
		"docs_snippet_us":            snippetUs,
		"sdk_drop_in_us":             dropInUs,
		"docs_function_us":           docsUs,
		"sdk_drop_in_first_call_us":  firstCall,
		"sdk_drop_in_second_call_us": secondCall,
		"sdk_2goroutines_scaling":    median(ratios),
		"crypto_2goroutines_scaling": median(cryptoRatios),
		"body_bytes":                 float64(len(body)),
		"gomaxprocs":                 float64(runtime.GOMAXPROCS(0)),
	})
	if err != nil {
		return err
	}
	fmt.Println(string(out))
	return nil
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "go_bench:", err)
		os.Exit(1)
	}
}
