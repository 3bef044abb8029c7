package palisade_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/palisade-webhooks/palisade-webhooks/bindings-go/palisade"
)

// An event whose data outgrows the buffer sized from its body (hundreds of one-letter
// attributes: the resource's compact form is larger than its JSON) comes back through the
// library's own buffer, whole: from Verify, from a Receiver and from ParseEvent.
func TestEventLargerThanItsBuffer(t *testing.T) {
	s := newSigner(t, 96)
	wh := newWebhook(t, []string{s.PublicKey()})
	attrs := make([]string, 400)
	for i := range attrs {
		attrs[i] = fmt.Sprintf(`"%c%d":"%c"`, 'a'+i%26, i/26, 'a'+i%26)
	}
	resource := `{"id":"tx-big","status":"CONFIRMED","updatedAt":"2025-05-08T14:15:36Z","attributes":{` +
		strings.Join(attrs, ",") + `}}`
	d := delivery(t, s, "TRANSACTION", resource)
	check := func(what string, e *palisade.Event) {
		t.Helper()
		tx, ok := e.Transaction()
		if !ok || tx.ID != "tx-big" || len(tx.Attributes) != 400 || tx.Attributes["z0"] != "z" ||
			e.IdempotencyKey != "TRANSACTION/tx-big/2025-05-08T14:15:36Z" || e.Status != "CONFIRMED" ||
			string(e.Raw) != resource || e.Payload != d.Payload || len(e.KeyFingerprint) != 16 {
			t.Fatalf("%s: %+v", what, e)
		}
	}
	e, err := wh.Verify(d.Body, d.Header)
	if err != nil {
		t.Fatal(err)
	}
	check("Verify", e)
	data, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	back, err := palisade.ParseEvent(data)
	if err != nil {
		t.Fatal(err)
	}
	check("ParseEvent", back)
	rcv, err := palisade.NewReceiver(wh, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer rcv.Close()
	begun, err := rcv.Begin("POST", int64(len(d.Body)), d.Body, d.Header)
	if err != nil || begun.Ticket == nil {
		t.Fatalf("Begin: %+v %v", begun, err)
	}
	check("Receiver", begun.Event)
	if _, err := begun.Ticket.FinishOK(); err != nil {
		t.Fatal(err)
	}
}
