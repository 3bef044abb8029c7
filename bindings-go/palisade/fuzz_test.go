package palisade_test

// Hostile input: whatever the body, the Signature header and the keys, the SDK returns a value
// or one of its typed errors, never a panic, a crash or another error type. `go test` runs the
// seeds (every conformance vector); `make test-go` also fuzzes each target for a short fixed
// time, and `go test -run '^$' -fuzz '^FuzzVerify$' ./palisade` fuzzes for as long as you like.

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/palisade-webhooks/palisade-webhooks/bindings-go/palisade"
)

// The codes Verify may return with default options (no max age, so never stale; keys were
// checked when the Webhook was built; the body is always raw bytes in Go).
var verifyCodes = map[palisade.ErrorCode]bool{
	palisade.CodeMissingSignature:   true,
	palisade.CodeMalformedSignature: true,
	palisade.CodeInvalidSignature:   true,
	palisade.CodeBodyTooLarge:       true,
	palisade.CodeMalformedEnvelope:  true,
	palisade.CodeMalformedPayload:   true,
}

// typedError fails unless err is a *palisade.Error with one of the allowed codes, a message,
// and a match for its own sentinel only.
func typedError(t *testing.T, what string, err error, allowed map[palisade.ErrorCode]bool) {
	t.Helper()
	var perr *palisade.Error
	if !errors.As(err, &perr) {
		t.Fatalf("%s: %T %v is not a *palisade.Error", what, err, err)
	}
	if !allowed[perr.Code] {
		t.Fatalf("%s: unexpected code %s (%v)", what, perr.Code, err)
	}
	if perr.Message == "" {
		t.Fatalf("%s: empty message", what)
	}
	for code, sentinel := range sentinels {
		if errors.Is(err, sentinel) != (code == perr.Code) {
			t.Fatalf("%s: errors.Is(err, %s) is wrong for %s", what, code, perr.Code)
		}
	}
}

// checkEvent checks what every verified event must satisfy.
func checkEvent(t *testing.T, e *palisade.Event) {
	t.Helper()
	if e == nil || e.IdempotencyKey == "" || e.Payload == "" || len(e.KeyFingerprint) != 16 {
		t.Fatalf("incomplete event: %+v", e)
	}
	if !json.Valid(e.Raw) || !strings.HasPrefix(strings.TrimSpace(string(e.Raw)), "{") {
		t.Fatalf("raw is not a JSON object: %q", e.Raw)
	}
	// The core decodes standard base64 with or without padding.
	decoded, err := base64.RawStdEncoding.DecodeString(strings.TrimRight(e.Payload, "="))
	if err != nil || string(decoded) != string(e.Raw) {
		t.Fatalf("raw is not the decoded payload: %v", err)
	}
	// The typed accessors answer for the event's domain only, and never panic.
	var data []byte
	_, tx := e.Transaction()
	_, w := e.Wallet()
	_, a := e.Approval()
	if (tx && e.Domain != palisade.DomainTransaction) || (w && e.Domain != palisade.DomainWallet) ||
		(a && e.Domain != palisade.DomainApproval) {
		t.Fatalf("accessor for the wrong domain %q", e.Domain)
	}
	if tx != (e.Domain == palisade.DomainTransaction) || w != (e.Domain == palisade.DomainWallet) ||
		a != (e.Domain == palisade.DomainApproval) {
		t.Fatalf("a verified %s event has no typed resource", e.Domain)
	}
	// The event survives its JSON form.
	data, err = json.Marshal(e)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	back, err := palisade.ParseEvent(data)
	if err != nil {
		t.Fatalf("ParseEvent of a verified event: %v", err)
	}
	if back.IdempotencyKey != e.IdempotencyKey || back.Payload != e.Payload || back.Domain != e.Domain ||
		back.ResourceID != e.ResourceID || back.Status != e.Status || back.Timestamp != e.Timestamp {
		t.Fatalf("round trip changed the event: %+v -> %+v", e, back)
	}
}

// webhooks caches one Webhook per fuzzed key (key preparation is the slow part), bounded.
var webhooks = struct {
	sync.Mutex
	m map[string]*palisade.Webhook
}{m: map[string]*palisade.Webhook{}}

func webhookFor(t *testing.T, key string) (*palisade.Webhook, error) {
	webhooks.Lock()
	wh, ok := webhooks.m[key]
	webhooks.Unlock()
	if ok {
		return wh, nil
	}
	wh, err := palisade.NewWebhook([]string{key})
	if err != nil {
		typedError(t, "NewWebhook", err, map[palisade.ErrorCode]bool{palisade.CodeInvalidPublicKey: true})
		return nil, err
	}
	webhooks.Lock()
	if len(webhooks.m) < 64 {
		webhooks.m[key] = wh
	}
	webhooks.Unlock()
	return wh, nil
}

// signatureHeader is the vector's Signature header value ("" when it has none).
func signatureHeader(pairs [][]string) string {
	for _, p := range pairs {
		if strings.EqualFold(p[0], "signature") {
			return p[1]
		}
	}
	return ""
}

func FuzzVerify(f *testing.F) {
	v := loadVectors(f)
	for _, c := range v.Cases {
		body, err := base64.StdEncoding.DecodeString(c.BodyB64)
		if err != nil {
			f.Fatal(err)
		}
		key := ""
		if len(c.Keys) > 0 {
			key = c.Keys[0]
		}
		f.Add(body, []byte(signatureHeader(c.Headers)), []byte(key))
	}
	for _, c := range v.VerifyWebhookCases {
		f.Add([]byte(c.Payload), []byte(c.Signature), []byte(c.PublicKey))
	}
	f.Add([]byte{}, []byte{}, []byte{})
	f.Add([]byte("\xff\xfe{\"payload\":\"\x00\"}"), []byte("\xff"), []byte("\x00"))
	// Inputs whose key does not parse are verified with the first good vector's key.
	fallbackKey := ""
	for _, c := range v.Cases {
		if ok, _ := c.Expect["ok"].(bool); ok && len(c.Keys) > 0 {
			fallbackKey = c.Keys[0]
			break
		}
	}

	f.Fuzz(func(t *testing.T, body, sig, key []byte) {
		fallback := false
		wh, err := webhookFor(t, string(key))
		if err != nil {
			fallback = true
			if wh, err = webhookFor(t, fallbackKey); err != nil {
				t.Fatalf("fallback key: %v", err)
			}
		}
		for _, h := range []http.Header{
			{"Signature": {string(sig)}},
			{"signature": {string(sig)}, string(key): {string(body)}},
			{"X-Other": {string(sig)}},
		} {
			e, err := wh.Verify(body, h)
			if err != nil {
				if e != nil {
					t.Fatal("an event with an error")
				}
				typedError(t, "Verify", err, verifyCodes)
				continue
			}
			checkEvent(t, e)
		}

		fp, err := wh.VerifySignature(string(body), string(sig))
		if err != nil {
			typedError(t, "VerifySignature", err, map[palisade.ErrorCode]bool{
				palisade.CodeMissingSignature:   true,
				palisade.CodeMalformedSignature: true,
				palisade.CodeInvalidSignature:   true,
			})
		} else if len(fp) != 16 {
			t.Fatalf("fingerprint %q", fp)
		}

		// The documentation's function agrees with the Webhook built from the same key.
		ok := palisade.VerifyWebhook(string(key), string(sig), string(body))
		if ok && (fallback || err != nil) {
			t.Fatalf("VerifyWebhook accepted what the Webhook refused: %v", err)
		}
	})
}

func FuzzNewWebhook(f *testing.F) {
	v := loadVectors(f)
	for _, c := range v.Cases {
		f.Add([]byte(strings.Join(c.Keys, "\x00")))
	}
	for _, c := range v.VerifyWebhookCases {
		f.Add([]byte(c.PublicKey))
	}
	f.Add([]byte{})
	f.Add([]byte("-----BEGIN PUBLIC KEY-----\n\xff\n-----END PUBLIC KEY-----\n"))
	f.Add([]byte("BAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="))

	f.Fuzz(func(t *testing.T, data []byte) {
		keys := strings.Split(string(data), "\x00") // several keys, as during a rotation
		wh, err := palisade.NewWebhook(keys)
		if err != nil {
			if wh != nil {
				t.Fatal("a Webhook with an error")
			}
			typedError(t, "NewWebhook", err, map[palisade.ErrorCode]bool{palisade.CodeInvalidPublicKey: true})
			return
		}
		defer wh.Close()
		if wh.MaxBodyBytes() != palisade.DefaultMaxBodyBytes {
			t.Fatalf("max body bytes %d", wh.MaxBodyBytes())
		}
		// A signature made by no key never verifies; garbage is a typed error.
		const foreign = "MEUCIQDmB0z2Y3v7o5Pq2cc7Zt0Q3Z0wLrRC5JvqzW8wm0n9iwIgFKO3n1vQ3dJ7uV1w1mV5cX1rDq0w6V8X9oT2m0Y3xk8="
		for _, sig := range []string{foreign, "", "!!", string(data)} {
			if _, err := wh.VerifySignature("e30=", sig); err == nil {
				t.Fatalf("signature %q verified", sig)
			} else {
				typedError(t, "VerifySignature", err, map[palisade.ErrorCode]bool{
					palisade.CodeMissingSignature:   true,
					palisade.CodeMalformedSignature: true,
					palisade.CodeInvalidSignature:   true,
				})
			}
		}
		if palisade.VerifyWebhook(keys[0], foreign, "e30=") {
			t.Fatal("VerifyWebhook accepted a foreign signature")
		}
	})
}
