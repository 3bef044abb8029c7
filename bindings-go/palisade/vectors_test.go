package palisade_test

import (
	"crypto/ecdsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/palisade-webhooks/palisade-webhooks/bindings-go/palisade"
)

var vectorsDir = filepath.Join("..", "..", "tests", "vectors")

type vectorCase struct {
	Name    string     `json:"name"`
	Keys    []string   `json:"keys"`
	BodyB64 string     `json:"body_b64"`
	Headers [][]string `json:"headers"`
	Options struct {
		Digest        *string `json:"digest"`
		MaxBodyBytes  *int64  `json:"max_body_bytes"`
		MaxAgeSeconds *int64  `json:"max_age_seconds"`
	} `json:"options"`
	Expect map[string]any `json:"expect"`
}

type vectorFile struct {
	Cases              []vectorCase `json:"cases"`
	VerifyWebhookCases []struct {
		Name      string `json:"name"`
		PublicKey string `json:"public_key"`
		Signature string `json:"signature"`
		Payload   string `json:"payload"`
		Expect    bool   `json:"expect"`
	} `json:"verify_webhook_cases"`
}

func loadVectors(t testing.TB) vectorFile {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(vectorsDir, "conformance.json"))
	if err != nil {
		t.Fatal(err)
	}
	var v vectorFile
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// rawHeaders keeps each name exactly as the vector spells it (no canonicalisation), so the
// core's case-insensitive lookup is what is being tested.
func rawHeaders(pairs [][]string) http.Header {
	h := http.Header{}
	for _, p := range pairs {
		h[p[0]] = append(h[p[0]], p[1])
	}
	return h
}

func (c *vectorCase) options() []palisade.Option {
	var opts []palisade.Option
	if c.Options.Digest != nil {
		opts = append(opts, palisade.WithDigest(*c.Options.Digest))
	}
	if c.Options.MaxBodyBytes != nil {
		opts = append(opts, palisade.WithMaxBodyBytes(*c.Options.MaxBodyBytes))
	}
	if c.Options.MaxAgeSeconds != nil {
		opts = append(opts, palisade.WithMaxAge(time.Duration(*c.Options.MaxAgeSeconds)*time.Second))
	}
	return opts
}

var sentinels = map[palisade.ErrorCode]error{
	palisade.CodeMissingSignature:   palisade.ErrMissingSignature,
	palisade.CodeMalformedSignature: palisade.ErrMalformedSignature,
	palisade.CodeInvalidSignature:   palisade.ErrInvalidSignature,
	palisade.CodeInvalidPublicKey:   palisade.ErrInvalidPublicKey,
	palisade.CodeBodyNotRaw:         palisade.ErrBodyNotRaw,
	palisade.CodeBodyTooLarge:       palisade.ErrBodyTooLarge,
	palisade.CodeMalformedEnvelope:  palisade.ErrMalformedEnvelope,
	palisade.CodeMalformedPayload:   palisade.ErrMalformedPayload,
	palisade.CodeStaleEvent:         palisade.ErrStaleEvent,
	palisade.CodeStoreUnavailable:   palisade.ErrStoreUnavailable,
}

// checkError asserts err is an *Error with the expected code that matches its sentinel (and
// no other).
func checkError(t *testing.T, name string, err error, want string) {
	t.Helper()
	var perr *palisade.Error
	if !errors.As(err, &perr) {
		t.Errorf("%s: error %v is not a *palisade.Error", name, err)
		return
	}
	if string(perr.Code) != want {
		t.Errorf("%s: code %s, expected %s (%v)", name, perr.Code, want, err)
	}
	for code, sentinel := range sentinels {
		if got := errors.Is(err, sentinel); got != (string(code) == want) {
			t.Errorf("%s: errors.Is(err, %s) = %v", name, code, got)
		}
	}
	if perr.Message == "" {
		t.Errorf("%s: empty message", name)
	}
}

func expectString(m map[string]any, k string) string {
	s, _ := m[k].(string) // null (absent) reads as "", as in the Go Event
	return s
}

func TestConformanceVectors(t *testing.T) {
	v := loadVectors(t)
	if len(v.Cases) < 40 {
		t.Fatalf("only %d cases", len(v.Cases))
	}
	ran := 0
	for i := range v.Cases {
		c := &v.Cases[i]
		ran++
		body, err := base64.StdEncoding.DecodeString(c.BodyB64)
		if err != nil {
			t.Fatalf("%s: body_b64: %v", c.Name, err)
		}
		wantErr, _ := c.Expect["error"].(string)
		wh, err := palisade.NewWebhook(c.Keys, c.options()...)
		if c.Expect["stage"] == "construct" {
			if err == nil {
				t.Errorf("%s: construction should have failed", c.Name)
				wh.Close()
				continue
			}
			checkError(t, c.Name, err, wantErr)
			continue
		}
		if err != nil {
			t.Errorf("%s: construction failed: %v", c.Name, err)
			continue
		}
		event, err := wh.Verify(body, rawHeaders(c.Headers))
		wh.Close()
		if c.Expect["ok"] != true {
			if err == nil {
				t.Errorf("%s: verified, expected %s", c.Name, wantErr)
				continue
			}
			checkError(t, c.Name, err, wantErr)
			continue
		}
		if err != nil {
			t.Errorf("%s: refused: %v", c.Name, err)
			continue
		}
		got := map[string]string{
			"domain":          string(event.Domain),
			"idempotency_key": event.IdempotencyKey,
			"resource_id":     event.ResourceID,
			"updated_at":      event.UpdatedAt,
			"status":          event.Status,
			"timestamp":       event.Timestamp,
			"key_fingerprint": event.KeyFingerprint,
		}
		for field, value := range got {
			if want := expectString(c.Expect, field); value != want {
				t.Errorf("%s: %s = %q, expected %q", c.Name, field, value, want)
			}
		}
		// The signed payload and the decoded JSON are exactly what the envelope carried.
		var env struct {
			Payload string `json:"payload"`
		}
		if err := json.Unmarshal(body, &env); err != nil || env.Payload != event.Payload {
			t.Errorf("%s: payload differs from the envelope's", c.Name)
		}
		decoded, err := base64.StdEncoding.WithPadding(base64.NoPadding).DecodeString(strings.TrimRight(event.Payload, "="))
		if err != nil || string(decoded) != string(event.Raw) {
			t.Errorf("%s: Raw is not the decoded payload", c.Name)
		}
		// The event survives the shared JSON form.
		data, err := json.Marshal(event)
		if err != nil {
			t.Fatalf("%s: marshal: %v", c.Name, err)
		}
		back, err := palisade.ParseEvent(data)
		if err != nil {
			t.Errorf("%s: ParseEvent: %v", c.Name, err)
			continue
		}
		// encoding/json compacts Raw (its content was checked above); compare the rest, typed
		// resource included.
		if !reflect.DeepEqual(fields(back), fields(event)) || !sameResource(back, event) {
			t.Errorf("%s: event changed through JSON:\n%+v\n%+v", c.Name, back, event)
		}
	}
	t.Logf("%d conformance cases", ran)
}

// fields is an event's exported fields but Raw.
func fields(e *palisade.Event) []any {
	return []any{e.Domain, e.Timestamp, e.IdempotencyKey, e.ResourceID, e.UpdatedAt, e.Status, e.Payload, e.KeyFingerprint}
}

// sameResource compares two events' typed resources.
func sameResource(a, b *palisade.Event) bool {
	ta, oka := a.Transaction()
	tb, okb := b.Transaction()
	wa, _ := a.Wallet()
	wb, _ := b.Wallet()
	aa, _ := a.Approval()
	ab, _ := b.Approval()
	return oka == okb && reflect.DeepEqual(ta, tb) && reflect.DeepEqual(wa, wb) && reflect.DeepEqual(aa, ab)
}

// Two verified vectors share an idempotency key exactly when they share the domain and the
// signed id and updatedAt (or, without those, the payload).
func TestIdempotencyKeysAreDistinctExactlyForDistinctEvents(t *testing.T) {
	v := loadVectors(t)
	identityOf := map[string][3]string{}
	identities := map[[3]string]bool{}
	for i := range v.Cases {
		c := &v.Cases[i]
		if c.Expect["ok"] != true {
			continue
		}
		body, err := base64.StdEncoding.DecodeString(c.BodyB64)
		if err != nil {
			t.Fatal(err)
		}
		wh, err := palisade.NewWebhook(c.Keys, c.options()...)
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		event, err := wh.Verify(body, rawHeaders(c.Headers))
		wh.Close()
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		identity := [3]string{string(event.Domain), event.ResourceID, event.UpdatedAt}
		if event.ResourceID == "" || event.UpdatedAt == "" {
			identity = [3]string{string(event.Domain), "", event.Payload}
		}
		if seen, ok := identityOf[event.IdempotencyKey]; ok && seen != identity {
			t.Errorf("%s: key %q also belongs to %q", c.Name, event.IdempotencyKey, seen)
		}
		identityOf[event.IdempotencyKey] = identity
		identities[identity] = true
	}
	if len(identityOf) != len(identities) || len(identities) < 20 {
		t.Fatalf("%d keys for %d distinct events", len(identityOf), len(identities))
	}
}

func TestVerifyWebhookCases(t *testing.T) {
	v := loadVectors(t)
	if len(v.VerifyWebhookCases) == 0 {
		t.Fatal("no verify_webhook cases")
	}
	for _, c := range v.VerifyWebhookCases {
		if got := palisade.VerifyWebhook(c.PublicKey, c.Signature, c.Payload); got != c.Expect {
			t.Errorf("%s: VerifyWebhook = %v, expected %v", c.Name, got, c.Expect)
		}
	}
}

type wycheproofFile struct {
	TestGroups []struct {
		PublicKeyDer string `json:"publicKeyDer"`
		Tests        []struct {
			TcID   int    `json:"tcId"`
			Msg    string `json:"msg"`
			Sig    string `json:"sig"`
			Result string `json:"result"`
		} `json:"tests"`
	} `json:"testGroups"`
}

// Every Wycheproof ECDSA P-256 SHA-256 case through the binding, each cross-checked against
// Go's own crypto/ecdsa as an independent oracle.
func TestWycheproof(t *testing.T) {
	const file = "ecdsa_secp256r1_sha256_test.json"
	dir := filepath.Join(vectorsDir, "wycheproof")
	data, err := os.ReadFile(filepath.Join(dir, file))
	if err != nil {
		t.Fatal(err)
	}
	sums, err := os.ReadFile(filepath.Join(dir, "SHA256SUMS"))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	if !strings.Contains(string(sums), hex.EncodeToString(sum[:])+"  "+file) {
		t.Fatal("vendored Wycheproof file does not match SHA256SUMS")
	}
	var w wycheproofFile
	if err := json.Unmarshal(data, &w); err != nil {
		t.Fatal(err)
	}
	valid, invalid := 0, 0
	for _, g := range w.TestGroups {
		der, _ := hex.DecodeString(g.PublicKeyDer)
		wh, err := palisade.NewWebhook([]string{base64.StdEncoding.EncodeToString(der)})
		if err != nil {
			t.Fatalf("key %s: %v", g.PublicKeyDer, err)
		}
		parsed, err := x509.ParsePKIXPublicKey(der)
		if err != nil {
			t.Fatal(err)
		}
		pub := parsed.(*ecdsa.PublicKey)
		for _, tc := range g.Tests {
			msg, _ := hex.DecodeString(tc.Msg)
			sig, _ := hex.DecodeString(tc.Sig)
			sigB64 := base64.StdEncoding.EncodeToString(sig)
			_, err := wh.VerifySignature(string(msg), sigB64)
			digest := sha256.Sum256(msg)
			oracle := ecdsa.VerifyASN1(pub, digest[:], sig)
			if (err == nil) != oracle {
				t.Errorf("tc %d: binding ok=%v, crypto/ecdsa ok=%v", tc.TcID, err == nil, oracle)
			}
			if got := palisade.VerifyWebhook(base64.StdEncoding.EncodeToString(der), sigB64, string(msg)); got != (err == nil) {
				t.Errorf("tc %d: VerifyWebhook disagrees with Webhook.VerifySignature", tc.TcID)
			}
			switch tc.Result {
			case "valid":
				valid++
				if err != nil {
					t.Errorf("tc %d: valid but refused: %v", tc.TcID, err)
				}
			case "invalid":
				invalid++
				switch {
				case err == nil:
					t.Errorf("tc %d: invalid but accepted", tc.TcID)
				case len(sig) == 0:
					checkError(t, "wycheproof empty signature", err, string(palisade.CodeMissingSignature))
				case !errors.Is(err, palisade.ErrInvalidSignature) && !errors.Is(err, palisade.ErrMalformedSignature):
					t.Errorf("tc %d: unexpected error %v", tc.TcID, err)
				}
			default:
				t.Errorf("tc %d: unexpected result %q", tc.TcID, tc.Result)
			}
		}
		wh.Close()
	}
	if valid != 174 || invalid != 310 {
		t.Errorf("ran %d valid and %d invalid cases, expected 174 and 310", valid, invalid)
	}
}
