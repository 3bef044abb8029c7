package palisade

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/palisade-webhooks/palisade-webhooks/bindings-go/internal/compact"
)

// The typed accessors decode the core's compact form of the resource; the fallback (and the
// reference) is encoding/json over the core's canonical JSON. Both must give the same value,
// field for field, and the compact form must be what the accessors actually use.

// typedResources are resources that exercise every field kind of the models: absent and null
// fields, numbers sent as strings and as numbers, unknown enum values, escapes and non-ASCII
// text, every JSON shape in the shape-free (json.RawMessage) fields, unknown fields.
var typedResources = []struct{ domain, raw string }{
	{"TRANSACTION", `{"id":"t"}`},
	{"TRANSACTION", `{"id":"tx-1", "status":"CONFIRMED", "updatedAt":"2025-05-08T14:15:36Z",
		"qty":"0.000000000000000001", "sequence":18446744073709551615, "feeQty":1.50, "feeQtyLimit":-2e-3,
		"asset":{"symbol":"ETH","decimals":"18","blockchain":"NEWCHAIN"}, "feeAsset":{"decimals":6},
		"origin":{}, "destination":{"type":"WALLET","address":"0x46","vaultId":"v","counterpartyId":"c"},
		"attributes":{"k":"v","":"empty key","\u00e9\u2028":"line\nbreak \"quoted\" \\ \u0001"},
		"action":"TELEPORT", "signOnly":true, "extra":{"deep":[1,{"x":null}]},
		"config":{"x":[1,2.50,"s",true,null,{"z":1e300}],"a":{}}, "signingPayloads":[],
		"freezeInfo":"text \u2028 \ud83d\ude00", "proposedAssetChanges":12345678901234567890123,
		"confirmedAssetChanges":false, "problems":0.1, "reasons":null, "expiresAt":"2030-01-01T00:00:00Z"}`},
	{"TRANSACTION", `{"id":"t","attributes":{},"asset":null,"qty":null,"signOnly":false,"config":null,
		"sequence":"18446744073709551616","hash":"","status":""}`},
	{"TRANSACTION", `{"id":"\ud83d\ude00 \u0000 <&>","walletId":"w","vaultId":"v","createdBy":"c",
		"createdAt":"2025","correlationId":"x","externalId":"e","blockchain":"ETHEREUM",
		"originAddress":"o","destinationAddress":"d","signature":"s","canonicalSignature":"cs",
		"signedTransaction":"st","encodedTransaction":"et","transactionType":"tt"}`},
	{"WALLET", `{"id":"w"}`},
	{"WALLET", `{"id":"w1","status":"PROVISIONED","blockchain":"ARBITRUM","keystore":"HSM","keyAlgorithm":"NEW",
		"settings":{"enabled":true,"rawSigningEnabled":false,"sweepingEnabled":true,"defaultFreezeEnabled":true},
		"reasons":[{"code":1}],"name":"n","description":"d","address":"a","publicKey":"p","alias":"al",
		"organizationId":"o","quorumId":"q","walletType":"wt","externalId":"e","correlationId":"c"}`},
	{"WALLET", `{"id":"w","settings":{},"reasons":"because"}`},
	{"APPROVAL", `{"id":"a"}`},
	{"APPROVAL", `{"id":"a1","status":"APPROVED","userId":"u","reasons":["x"],"approvalSetId":"s",
		"organizationId":"o","createdAt":"c","updatedAt":"u","signature":"sig"}`},
	{"APPROVAL", `{"id":"a","status":"SOMETHING_ELSE","reasons":{"a":[]}}`},
}

// conformanceResources are the resources of the conformance vectors' deliveries in the three
// known domains that the models accept.
func conformanceResources(t *testing.T) []struct{ domain, raw string } {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "tests", "vectors", "conformance.json"))
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Cases []struct {
			BodyB64 string `json:"body_b64"`
		} `json:"cases"`
	}
	if err := json.Unmarshal(data, &file); err != nil {
		t.Fatal(err)
	}
	var out []struct{ domain, raw string }
	for _, c := range file.Cases {
		body, err := base64.StdEncoding.DecodeString(c.BodyB64)
		if err != nil {
			continue
		}
		var env struct {
			Domain  string `json:"domain"`
			Payload string `json:"payload"`
		}
		if json.Unmarshal(body, &env) != nil {
			continue
		}
		raw, err := base64.StdEncoding.DecodeString(env.Payload)
		if err != nil || newResource(Domain(env.Domain)) == nil || eventOf(t, env.Domain, string(raw)) == nil {
			continue // not a resource the model accepts (a refusal vector)
		}
		out = append(out, struct{ domain, raw string }{env.Domain, string(raw)})
	}
	if len(out) < 50 {
		t.Fatalf("only %d conformance resources", len(out))
	}
	return out
}

// eventOf is the event restored from its wire form around raw (as ParseEvent gives it), or nil
// when the core's model refuses raw.
func eventOf(t testing.TB, domain, raw string) *Event {
	t.Helper()
	wire, err := json.Marshal(map[string]any{"domain": domain, "idempotency_key": "k", "payload": "",
		"key_fingerprint": "", "raw": json.RawMessage(raw)})
	if err != nil {
		return nil
	}
	e, err := ParseEvent(wire)
	if err != nil {
		return nil
	}
	return e
}

// checkSameResource decodes the event's resource both ways and compares them.
func checkSameResource(t *testing.T, e *Event) {
	t.Helper()
	if e.typed == nil || e.typed.compact == nil {
		t.Fatalf("%s event without the compact form of its resource", e.Domain)
	}
	fast := newResource(e.Domain)
	if err := compact.Decode(e.typed.compact, fast); err != nil {
		t.Fatalf("the compact form did not decode: %v (raw %s)", err, e.Raw)
	}
	slow := decodeCanonical(e.Domain, e.Raw)
	if slow == nil {
		t.Fatalf("the canonical JSON did not decode (raw %s)", e.Raw)
	}
	if !reflect.DeepEqual(fast, slow) {
		t.Fatalf("compact and canonical JSON differ:\n%+v\n%+v\n(raw %s)", fast, slow, e.Raw)
	}
	// And the accessors hand out that value.
	var got any
	switch e.Domain {
	case DomainTransaction:
		got, _ = e.Transaction()
	case DomainWallet:
		got, _ = e.Wallet()
	case DomainApproval:
		got, _ = e.Approval()
	}
	if !reflect.DeepEqual(got, slow) {
		t.Fatalf("the accessor's value differs from the canonical JSON's: %+v", got)
	}
}

func TestCompactResourceMatchesCanonicalJSON(t *testing.T) {
	cases := append(conformanceResources(t), typedResources...)
	for _, c := range cases {
		e := eventOf(t, c.domain, c.raw)
		if e == nil {
			t.Fatalf("the core refused %s %s", c.domain, c.raw)
		}
		checkSameResource(t, e)
	}
	// The strings of the compact form share one buffer, which must not be the event's Raw
	// (which a caller may modify).
	e := eventOf(t, "TRANSACTION", `{"id":"tx-raw","status":"CONFIRMED"}`)
	tx, ok := e.Transaction()
	if !ok || tx.ID != "tx-raw" {
		t.Fatal("no transaction")
	}
	for i := range e.Raw {
		e.Raw[i] = 'x'
	}
	if tx.ID != "tx-raw" || tx.Status != TransactionConfirmed {
		t.Fatalf("writing to Raw changed the typed resource: %+v", tx)
	}
}

// FuzzTypedResource: for any resource the core's model accepts, the compact form decodes, to
// exactly what encoding/json gives from the canonical JSON.
func FuzzTypedResource(f *testing.F) {
	for _, c := range typedResources {
		f.Add(c.domain, c.raw)
	}
	f.Fuzz(func(t *testing.T, domain, raw string) {
		if newResource(Domain(domain)) == nil || !json.Valid([]byte(raw)) ||
			!strings.HasPrefix(strings.TrimSpace(raw), "{") {
			return
		}
		if e := eventOf(t, domain, raw); e != nil {
			checkSameResource(t, e)
		}
	})
}
