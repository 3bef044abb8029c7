package palisade_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand"
	"net/http"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/palisade-webhooks/palisade-webhooks/bindings-go/palisade"
	"github.com/palisade-webhooks/palisade-webhooks/bindings-go/palisade/palisadetest"
)

func newSigner(t testing.TB, seed uint64) *palisadetest.Signer {
	t.Helper()
	s, err := palisadetest.FromSeed(seed)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func newWebhook(t testing.TB, keys []string, opts ...palisade.Option) *palisade.Webhook {
	t.Helper()
	wh, err := palisade.NewWebhook(keys, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { wh.Close() })
	return wh
}

func delivery(t testing.TB, s *palisadetest.Signer, domain string, resource any) *palisadetest.Delivery {
	t.Helper()
	d, err := s.Delivery(domain, resource)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestErrorsIsAndAs(t *testing.T) {
	s := newSigner(t, 1)
	wh := newWebhook(t, []string{s.PublicKey()})
	d := delivery(t, s, "WALLET", `{"id":"w1","updatedAt":"2025-01-01T00:00:00Z"}`)

	_, err := wh.Verify(d.Body, http.Header{})
	if !errors.Is(err, palisade.ErrMissingSignature) || errors.Is(err, palisade.ErrInvalidSignature) {
		t.Fatalf("missing signature: %v", err)
	}
	var perr *palisade.Error
	if !errors.As(err, &perr) || perr.Code != palisade.CodeMissingSignature || perr.Message == "" {
		t.Fatalf("errors.As: %#v", perr)
	}
	if !strings.HasPrefix(err.Error(), "ERR_MISSING_SIGNATURE: ") {
		t.Fatalf("Error(): %q", err.Error())
	}
	wrapped := fmt.Errorf("handling delivery: %w", err)
	if !errors.Is(wrapped, palisade.ErrMissingSignature) {
		t.Fatal("errors.Is through a wrap")
	}

	other := newSigner(t, 2)
	h := d.Header.Clone()
	h.Set("Signature", other.Sign(d.Payload))
	if _, err := wh.Verify(d.Body, h); !errors.Is(err, palisade.ErrInvalidSignature) {
		t.Fatalf("foreign signature: %v", err)
	}
	// The message never echoes the payload.
	if _, err := wh.Verify(d.Body, h); strings.Contains(err.Error(), d.Payload[:20]) {
		t.Fatal("message leaks the payload")
	}

	if _, err := palisade.NewWebhook([]string{"not a key"}); !errors.Is(err, palisade.ErrInvalidPublicKey) {
		t.Fatalf("bad key: %v", err)
	}
	if _, err := palisade.NewWebhook(nil); !errors.Is(err, palisade.ErrInvalidPublicKey) {
		t.Fatalf("no key: %v", err)
	}
	_, err = palisade.NewWebhook([]string{s.PublicKey()}, palisade.WithDigest("md5"))
	if !errors.Is(err, palisade.ErrInvalidArgument) || !strings.Contains(err.Error(), "md5") {
		t.Fatalf("unknown digest: %v", err)
	}
	if errors.As(err, &perr) {
		t.Fatal("a programming error must not be a delivery *Error")
	}
	if _, err := palisade.NewWebhook([]string{s.PublicKey()}, palisade.WithMaxBodyBytes(-1)); !errors.Is(err, palisade.ErrInvalidArgument) {
		t.Fatalf("negative limit: %v", err)
	}
}

func TestVerifyEdgeInputs(t *testing.T) {
	s := newSigner(t, 3)
	wh := newWebhook(t, []string{s.PublicKey()}, palisade.WithMaxBodyBytes(64<<10))
	sig := http.Header{"Signature": {s.Sign("e30=")}}
	cases := map[string]struct {
		body []byte
		h    http.Header
		want error
	}{
		"nil body nil headers":       {nil, nil, palisade.ErrMissingSignature},
		"nil body":                   {nil, sig, palisade.ErrMalformedEnvelope},
		"binary body":                {[]byte{0xff, 0xfe, 0, 1}, sig, palisade.ErrMalformedEnvelope},
		"non-UTF-8 signature":        {[]byte(`{"payload":"e30="}`), http.Header{"Signature": {"\xff\xfe"}}, palisade.ErrMalformedSignature},
		"NUL in header name":         {[]byte(`{"payload":"e30="}`), http.Header{"Sig\x00nature": {"x"}}, palisade.ErrMissingSignature},
		"huge body":                  {make([]byte, 64<<10+1), sig, palisade.ErrBodyTooLarge},
		"deep nesting":               {[]byte(strings.Repeat("[", 60000)), sig, palisade.ErrMalformedEnvelope},
		"empty header value":         {[]byte(`{"payload":"e30="}`), http.Header{"Signature": {""}}, palisade.ErrMissingSignature},
		"many headers, no signature": {[]byte(`{}`), manyHeaders(500), palisade.ErrMissingSignature},
	}
	for name, c := range cases {
		if _, err := wh.Verify(c.body, c.h); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, expected %v", name, err, c.want)
		}
	}
	if _, err := wh.VerifySignature("", ""); !errors.Is(err, palisade.ErrMissingSignature) {
		t.Errorf("empty VerifySignature: %v", err)
	}
	if palisade.VerifyWebhook("", "", "") || palisade.VerifyWebhook("\xff", "\x00", "\xfe") {
		t.Error("VerifyWebhook accepted garbage")
	}
}

func manyHeaders(n int) http.Header {
	h := http.Header{}
	for i := 0; i < n; i++ {
		h.Add(fmt.Sprintf("X-Header-%d", i), strings.Repeat("v", i))
	}
	return h
}

func TestTypedAccessors(t *testing.T) {
	s := newSigner(t, 4)
	wh := newWebhook(t, []string{s.PublicKey()})

	d := delivery(t, s, "TRANSACTION", `{"id":"tx-1", "status":"CONFIRMED", "updatedAt":"2025-05-08T14:15:36Z",
		"qty":"0.000000000000000001", "sequence":18446744073709551615, "feeQty":1.50,
		"asset":{"symbol":"ETH","decimals":"18"}, "destination":{"type":"WALLET","address":"0x46"},
		"attributes":{"k":"v"}, "action":"TELEPORT", "config":{"x":[1,2]}, "signOnly":true, "extra":1}`)
	e, err := wh.Verify(d.Body, d.Header)
	if err != nil {
		t.Fatal(err)
	}
	tx, ok := e.Transaction()
	if !ok {
		t.Fatal("Transaction() not ok")
	}
	if tx.ID != "tx-1" || tx.Status != palisade.TransactionConfirmed || !tx.Status.IsTerminal() ||
		tx.Qty != "0.000000000000000001" || tx.Sequence != "18446744073709551615" || tx.FeeQty != "1.50" ||
		tx.Asset == nil || tx.Asset.Decimals != 18 || tx.Asset.Symbol != "ETH" ||
		tx.Destination == nil || tx.Destination.Address != "0x46" || tx.Attributes["k"] != "v" ||
		tx.Action != "TELEPORT" || string(tx.Config) != `{"x":[1,2]}` || !tx.SignOnly || tx.Reasons != nil {
		t.Fatalf("transaction: %+v", tx)
	}
	if _, ok := e.Wallet(); ok {
		t.Fatal("Wallet() on a transaction")
	}
	if _, ok := e.Approval(); ok {
		t.Fatal("Approval() on a transaction")
	}
	if string(e.Raw) != `{"id":"tx-1", "status":"CONFIRMED", "updatedAt":"2025-05-08T14:15:36Z",
		"qty":"0.000000000000000001", "sequence":18446744073709551615, "feeQty":1.50,
		"asset":{"symbol":"ETH","decimals":"18"}, "destination":{"type":"WALLET","address":"0x46"},
		"attributes":{"k":"v"}, "action":"TELEPORT", "config":{"x":[1,2]}, "signOnly":true, "extra":1}` {
		t.Fatal("Raw is not the signed JSON byte for byte")
	}

	d = delivery(t, s, "WALLET", map[string]any{"id": "w1", "status": "PROVISIONED", "blockchain": "ARBITRUM",
		"settings": map[string]any{"enabled": true}, "keystore": "HSM"})
	e, err = wh.Verify(d.Body, d.Header)
	if err != nil {
		t.Fatal(err)
	}
	w, ok := e.Wallet()
	if !ok || w.ID != "w1" || w.Status != palisade.WalletProvisioned || w.Blockchain != "ARBITRUM" ||
		w.Settings == nil || !w.Settings.Enabled || w.Keystore != "HSM" {
		t.Fatalf("wallet: %+v", w)
	}
	if !regexp.MustCompile(`^WALLET/sha256:[0-9a-f]{64}$`).MatchString(e.IdempotencyKey) {
		t.Fatalf("no updatedAt: key %q", e.IdempotencyKey)
	}

	d = delivery(t, s, "APPROVAL", `{"id":"a1","status":"APPROVED","userId":"u","reasons":["x"]}`)
	e, err = wh.Verify(d.Body, d.Header)
	if err != nil {
		t.Fatal(err)
	}
	a, ok := e.Approval()
	if !ok || a.ID != "a1" || a.Status != palisade.ApprovalApproved || a.UserID != "u" || string(a.Reasons) != `["x"]` {
		t.Fatalf("approval: %+v", a)
	}

	d = delivery(t, s, "SOMETHING_NEW", `{"id":"n1"}`)
	e, err = wh.Verify(d.Body, d.Header)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := e.Transaction(); ok || e.Domain != "SOMETHING_NEW" || e.ResourceID != "n1" {
		t.Fatalf("unknown domain: %+v", e)
	}
	// A hand-built event whose raw does not fit its domain gives ok == false, not a panic.
	bad := &palisade.Event{Domain: palisade.DomainWallet, Raw: []byte(`{"name":"no id"}`)}
	if _, ok := bad.Wallet(); ok {
		t.Fatal("Wallet() on a raw without id")
	}
	var nilEvent *palisade.Event
	if _, ok := nilEvent.Transaction(); ok {
		t.Fatal("nil event")
	}
}

func TestParseEvent(t *testing.T) {
	s := newSigner(t, 5)
	wh := newWebhook(t, []string{s.PublicKey()})
	d, err := s.DeliveryWith("TRANSACTION", `{"id":"t","updatedAt":"u"}`, palisadetest.DeliveryOptions{Timestamp: "2025-05-08T14:15:37Z"})
	if err != nil {
		t.Fatal(err)
	}
	e, err := wh.Verify(d.Body, d.Header)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := json.Marshal(e)
	if !strings.Contains(string(data), `"idempotency_key":"TRANSACTION/t/u"`) || !strings.Contains(string(data), `"timestamp":"2025-05-08T14:15:37Z"`) {
		t.Fatalf("wire form: %s", data)
	}
	back, err := palisade.ParseEvent(data)
	if err != nil || back.IdempotencyKey != "TRANSACTION/t/u" || back.KeyFingerprint != e.KeyFingerprint {
		t.Fatalf("ParseEvent: %+v %v", back, err)
	}
	for _, bad := range []string{"", "{}", "[1]", `{"domain":"WALLET","raw":{"name":"x"},"payload":"","idempotency_key":"k","key_fingerprint":"f"}`} {
		if _, err := palisade.ParseEvent([]byte(bad)); !errors.Is(err, palisade.ErrMalformedPayload) {
			t.Errorf("ParseEvent(%q): %v", bad, err)
		}
	}
}

// Deliveries (valid, tampered, foreign-key, cross-signed) checked by the binding and by Go's
// own crypto/ecdsa over SHA-256 of the payload string: they must agree on every one.
func TestOracleCrypto(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	signers := []*palisadetest.Signer{newSigner(t, 10), newSigner(t, 11), newSigner(t, 12)}
	checked := 0
	for i := 0; i < 150; i++ {
		s := signers[i%len(signers)]
		pubDER, _ := base64.StdEncoding.DecodeString(s.PublicKey())
		parsed, err := x509.ParsePKIXPublicKey(pubDER)
		if err != nil {
			t.Fatal(err)
		}
		pub := parsed.(*ecdsa.PublicKey)
		wh := newWebhook(t, []string{s.PublicKey()})
		resource := fmt.Sprintf(`{"id":"r-%d","updatedAt":"2025-01-01T00:00:%02dZ","qty":"%d.%d"}`, i, i%60, rng.Int(), rng.Int())
		d := delivery(t, s, "TRANSACTION", resource)
		payload, sig := d.Payload, d.Signature
		switch i % 5 {
		case 1: // tampered payload: one character changed
			b := []byte(payload)
			b[rng.Intn(len(b)-2)] ^= 0x01
			payload = string(b)
		case 2: // signed by another key
			sig = signers[(i+1)%len(signers)].Sign(payload)
		case 3: // signature bytes flipped
			der, _ := base64.StdEncoding.DecodeString(sig)
			der[len(der)-1-rng.Intn(20)] ^= byte(1 + rng.Intn(255))
			sig = base64.StdEncoding.EncodeToString(der)
		case 4: // double-hash construction under a default (single-hash) webhook
			sig, _ = s.SignWith(payload, palisade.DigestSHA256Double)
		}
		der, _ := base64.StdEncoding.DecodeString(sig)
		digest := sha256.Sum256([]byte(payload))
		oracle := ecdsa.VerifyASN1(pub, digest[:], der)
		_, err = wh.VerifySignature(payload, sig)
		if (err == nil) != oracle {
			t.Errorf("case %d: binding ok=%v (%v), crypto/ecdsa ok=%v", i, err == nil, err, oracle)
		}
		if i%5 == 0 && !oracle {
			t.Errorf("case %d: the oracle refused an untouched delivery", i)
		}
		// The full delivery path agrees too (body rebuilt around the possibly altered payload).
		body, _ := json.Marshal(map[string]string{"domain": "TRANSACTION", "payload": payload})
		_, verr := wh.Verify(body, http.Header{"Signature": {sig}})
		if oracle != (verr == nil) && !errors.Is(verr, palisade.ErrMalformedPayload) {
			t.Errorf("case %d: Verify ok=%v (%v), crypto/ecdsa ok=%v", i, verr == nil, verr, oracle)
		}
		checked++
	}
	t.Logf("%d deliveries cross-checked against crypto/ecdsa", checked)
}

func TestRotationAndOptions(t *testing.T) {
	oldKey, newKey := newSigner(t, 20), newSigner(t, 21)
	wh := newWebhook(t, []string{oldKey.PublicKey(), newKey.PublicKey()})
	d1 := delivery(t, oldKey, "WALLET", `{"id":"w"}`)
	d2 := delivery(t, newKey, "WALLET", `{"id":"w"}`)
	e1, err1 := wh.Verify(d1.Body, d1.Header)
	e2, err2 := wh.Verify(d2.Body, d2.Header)
	if err1 != nil || err2 != nil || e1.KeyFingerprint == e2.KeyFingerprint {
		t.Fatalf("rotation: %v %v", err1, err2)
	}
	if wh.MaxBodyBytes() != palisade.DefaultMaxBodyBytes {
		t.Fatalf("default limit %d", wh.MaxBodyBytes())
	}
	double := newWebhook(t, []string{oldKey.PublicKey()}, palisade.WithDigest(palisade.DigestSHA256Double))
	d, err := oldKey.DeliveryWith("WALLET", `{"id":"w"}`, palisadetest.DeliveryOptions{Digest: palisade.DigestSHA256Double, OmitTimestamp: true})
	if err != nil {
		t.Fatal(err)
	}
	if e, err := double.Verify(d.Body, d.Header); err != nil || e.Timestamp != "" {
		t.Fatalf("double digest: %v", err)
	}
	if _, err := wh.Verify(d.Body, d.Header); !errors.Is(err, palisade.ErrInvalidSignature) {
		t.Fatalf("double digest under sha256: %v", err)
	}
	fresh := newWebhook(t, []string{oldKey.PublicKey()}, palisade.WithMaxAge(time.Hour))
	stale := delivery(t, oldKey, "WALLET", `{"id":"w","updatedAt":"2020-01-01T00:00:00Z"}`)
	if _, err := fresh.Verify(stale.Body, stale.Header); !errors.Is(err, palisade.ErrStaleEvent) {
		t.Fatalf("stale: %v", err)
	}
	now := delivery(t, oldKey, "WALLET", fmt.Sprintf(`{"id":"w","updatedAt":%q}`, time.Now().UTC().Format(time.RFC3339)))
	if _, err := fresh.Verify(now.Body, now.Header); err != nil {
		t.Fatalf("fresh: %v", err)
	}
}

// Many goroutines share one Webhook, with valid and invalid deliveries mixed, while another
// goroutine closes it half-way: every call returns a result or ErrClosed, never a crash.
func TestConcurrentVerifyAndClose(t *testing.T) {
	s := newSigner(t, 30)
	wh, err := palisade.NewWebhook([]string{s.PublicKey()})
	if err != nil {
		t.Fatal(err)
	}
	var deliveries []*palisadetest.Delivery
	for i := 0; i < 8; i++ {
		deliveries = append(deliveries, delivery(t, s, "TRANSACTION", fmt.Sprintf(`{"id":"t%d","updatedAt":"u"}`, i)))
	}
	bad := http.Header{"Signature": {newSigner(t, 31).Sign(deliveries[0].Payload)}}

	const goroutines, rounds = 32, 160
	var verified, refused, closed atomic.Int64
	var wg sync.WaitGroup
	for g := 0; g < goroutines; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < rounds; i++ {
				d := deliveries[(g+i)%len(deliveries)]
				h := d.Header
				if i%4 == 3 {
					h = bad
				}
				e, err := wh.Verify(d.Body, h)
				switch {
				case err == nil:
					if e.IdempotencyKey != fmt.Sprintf("TRANSACTION/t%d/u", (g+i)%len(deliveries)) {
						t.Errorf("goroutine %d got the wrong event %q", g, e.IdempotencyKey)
					}
					verified.Add(1)
				case errors.Is(err, palisade.ErrInvalidSignature):
					refused.Add(1)
				case errors.Is(err, palisade.ErrClosed):
					closed.Add(1)
				default:
					t.Errorf("unexpected error %v", err)
				}
			}
		}(g)
	}
	wg.Wait()
	if verified.Load() != goroutines*rounds*3/4 || refused.Load() != goroutines*rounds/4 {
		t.Fatalf("verified %d, refused %d", verified.Load(), refused.Load())
	}

	// Now close while goroutines are verifying.
	var wg2 sync.WaitGroup
	start := make(chan struct{})
	for g := 0; g < goroutines; g++ {
		wg2.Add(1)
		go func() {
			defer wg2.Done()
			<-start
			for i := 0; i < rounds; i++ {
				if _, err := wh.Verify(deliveries[0].Body, deliveries[0].Header); err != nil && !errors.Is(err, palisade.ErrClosed) {
					t.Errorf("during close: %v", err)
				}
			}
		}()
	}
	close(start)
	time.Sleep(time.Millisecond)
	wh.Close()
	wg2.Wait()
	wh.Close() // twice is fine
	if _, err := wh.Verify(deliveries[0].Body, deliveries[0].Header); !errors.Is(err, palisade.ErrClosed) {
		t.Fatalf("after Close: %v", err)
	}
	if _, err := wh.VerifySignature("e30=", "x"); !errors.Is(err, palisade.ErrClosed) {
		t.Fatalf("VerifySignature after Close: %v", err)
	}
	if wh.MaxBodyBytes() != 0 {
		t.Fatal("MaxBodyBytes after Close")
	}
}

func TestDeduplicator(t *testing.T) {
	s := newSigner(t, 40)
	wh := newWebhook(t, []string{s.PublicKey()})
	d := delivery(t, s, "TRANSACTION", `{"id":"t1","updatedAt":"u1"}`)
	e, err := wh.Verify(d.Body, d.Header)
	if err != nil {
		t.Fatal(err)
	}
	store, err := palisade.NewMemoryStore(palisade.WithMaxEntries(1000), palisade.WithTTL(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	dedup, err := palisade.NewDeduplicator(store, palisade.WithLease(time.Minute), palisade.WithRetention(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	store.Close() // the deduplicator keeps the store alive
	ctx := context.Background()

	// A failing handler releases the claim: the retry runs again.
	boom := errors.New("boom")
	st, err := dedup.Process(ctx, e, func(context.Context) error { return boom })
	if st != palisade.StatusProcessed || !errors.Is(err, boom) {
		t.Fatalf("failing handler: %v %v", st, err)
	}
	// A panicking handler releases it too.
	func() {
		defer func() {
			if recover() == nil {
				t.Fatal("panic swallowed")
			}
		}()
		_, _ = dedup.Process(ctx, e, func(context.Context) error { panic("handler bug") })
	}()
	runs := 0
	st, err = dedup.Process(ctx, e, func(context.Context) error {
		runs++
		// While held, the same event elsewhere is in progress.
		inner, ierr := dedup.Process(ctx, e, func(context.Context) error { t.Error("ran twice"); return nil })
		if inner != palisade.StatusInProgress || ierr != nil {
			t.Errorf("nested: %v %v", inner, ierr)
		}
		return nil
	})
	if st != palisade.StatusProcessed || err != nil || runs != 1 {
		t.Fatalf("process: %v %v %d", st, err, runs)
	}
	st, err = dedup.Process(ctx, e, func(context.Context) error { t.Error("duplicate ran"); return nil })
	if st != palisade.StatusDuplicate || err != nil || st.String() != "duplicate" {
		t.Fatalf("duplicate: %v %v", st, err)
	}

	// Many goroutines, one new event: exactly one runs it.
	d2 := delivery(t, s, "TRANSACTION", `{"id":"t2","updatedAt":"u2"}`)
	e2, _ := wh.Verify(d2.Body, d2.Header)
	var ran atomic.Int64
	var wg sync.WaitGroup
	for g := 0; g < 32; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st, err := dedup.Process(ctx, e2, func(context.Context) error {
				ran.Add(1)
				time.Sleep(5 * time.Millisecond)
				return nil
			})
			if err != nil || st == 0 {
				t.Errorf("concurrent: %v %v", st, err)
			}
		}()
	}
	wg.Wait()
	if ran.Load() != 1 {
		t.Fatalf("handler ran %d times", ran.Load())
	}

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := dedup.Process(cancelled, e2, func(context.Context) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
	if _, err := dedup.Process(ctx, nil, nil); !errors.Is(err, palisade.ErrInvalidArgument) {
		t.Fatalf("nil event: %v", err)
	}
	dedup.Close()
	if _, err := dedup.Process(ctx, e, func(context.Context) error { return nil }); !errors.Is(err, palisade.ErrStoreUnavailable) {
		t.Fatalf("closed deduplicator: %v", err)
	}
	// Closing a store twice, or a deduplicator twice, is fine; a closed store builds nothing.
	store.Close()
	dedup.Close()
	if _, err := palisade.NewDeduplicator(store); !errors.Is(err, palisade.ErrClosed) {
		t.Fatalf("closed store: %v", err)
	}
	def, err := palisade.NewDeduplicator(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer def.Close()
	if st, err := def.Process(ctx, e, func(context.Context) error { return nil }); st != palisade.StatusProcessed || err != nil {
		t.Fatalf("default store: %v %v", st, err)
	}
}

func TestSigner(t *testing.T) {
	a, b := newSigner(t, 50), newSigner(t, 50)
	if a.PublicKey() != b.PublicKey() || a.Sign("e30=") != b.Sign("e30=") {
		t.Fatal("FromSeed is not reproducible")
	}
	loaded, err := palisadetest.FromPrivateKey(a.PrivateKeyPEM())
	if err != nil || loaded.PublicKey() != a.PublicKey() {
		t.Fatalf("FromPrivateKey: %v", err)
	}
	loaded.Close()
	if _, err := palisadetest.FromPrivateKey("nope"); !errors.Is(err, palisade.ErrInvalidPublicKey) {
		t.Fatalf("bad private key: %v", err)
	}
	g, err := palisadetest.Generate()
	if err != nil || g.PublicKey() == a.PublicKey() || !strings.HasPrefix(g.PublicKey(), "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE") {
		t.Fatalf("Generate: %v", err)
	}
	if _, err := g.SignWith("e30=", "sha1"); !errors.Is(err, palisade.ErrInvalidArgument) {
		t.Fatalf("unknown digest: %v", err)
	}
	if _, err := g.Delivery("WALLET", "[1]"); !errors.Is(err, palisade.ErrMalformedPayload) {
		t.Fatalf("non-object resource: %v", err)
	}
	if _, err := g.Delivery("WALLET", make(chan int)); err == nil {
		t.Fatal("unmarshalable resource")
	}
	g.Close()
	g.Close()
	if g.PublicKey() != "" || g.Sign("e30=") != "" {
		t.Fatal("closed signer still signs")
	}
	if _, err := g.Delivery("WALLET", `{"id":"w"}`); !errors.Is(err, palisade.ErrClosed) {
		t.Fatalf("closed signer: %v", err)
	}
	if palisade.Version() == "" {
		t.Fatal("no version")
	}
}

// The same payloads as the core's, Python's and Node's tests: a field sent as null is absent
// from the typed resource (the core's model), at the top level and in nested models alike.
func TestFieldsSentAsNullReadAsAbsent(t *testing.T) {
	s := newSigner(t, 5)
	wh := newWebhook(t, []string{s.PublicKey()})
	cases := []struct{ domain, resource, want string }{
		{"TRANSACTION", `{"id":"tx-null","walletId":null,"status":"SIGNED","qty":null,"sequence":null,
			"attributes":null,"config":null,"signingPayloads":null,"problems":null,"reasons":null,
			"signOnly":null,"origin":null,
			"asset":{"symbol":"ETH","decimals":null,"contract":null,"blockchain":null},
			"feeAsset":{"id":null},"destination":{"type":null,"address":"0xabc","vaultId":null},
			"freezeInfo":{"frozen":null}}`,
			// A field kept raw holds the payload's own JSON, its nulls included.
			`{"id":"tx-null","status":"SIGNED","asset":{"symbol":"ETH"},"feeAsset":{},
			"destination":{"address":"0xabc"},"freezeInfo":{"frozen":null}}`},
		{"WALLET", `{"id":"w-null","name":null,"keystore":null,"reasons":null,
			"settings":{"enabled":null,"sweepingEnabled":true}}`,
			`{"id":"w-null","settings":{"sweepingEnabled":true}}`},
		{"APPROVAL", `{"id":"a-null","signature":null,"reasons":null,"status":null}`, `{"id":"a-null"}`},
	}
	typed := func(e *palisade.Event) any {
		switch e.Domain {
		case palisade.DomainTransaction:
			v, _ := e.Transaction()
			return v
		case palisade.DomainWallet:
			v, _ := e.Wallet()
			return v
		default:
			v, _ := e.Approval()
			return v
		}
	}
	asMap := func(v any) map[string]any {
		t.Helper()
		text, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(text, &m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	for _, c := range cases {
		d := delivery(t, s, c.domain, c.resource)
		e, err := wh.Verify(d.Body, d.Header)
		if err != nil {
			t.Fatal(err)
		}
		var want map[string]any
		if err := json.Unmarshal([]byte(c.want), &want); err != nil {
			t.Fatal(err)
		}
		// From the event's canonical JSON, and from Raw alone (the core parses it again).
		byHand := &palisade.Event{Domain: e.Domain, Raw: e.Raw}
		for _, got := range []any{typed(e), typed(byHand)} {
			if m := asMap(got); !reflect.DeepEqual(m, want) {
				t.Fatalf("%s: got %v, want %v", c.domain, m, want)
			}
		}
	}
}
