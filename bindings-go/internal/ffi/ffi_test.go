package ffi

import (
	"strings"
	"sync"
	"testing"
)

func TestPanicBecomesInternalError(t *testing.T) {
	err := TestPanic()
	if err == nil || err.Code != ErrInternal || !strings.Contains(err.Message, "deliberate panic") {
		t.Fatalf("%+v", err)
	}
	if CodeName(ErrInternal) != "INTERNAL" || CodeName(ErrClosed) != "CLOSED" || CodeName(12345) != "" {
		t.Fatal("code names")
	}
}

func TestCodeNamesMatchTheCore(t *testing.T) {
	want := []string{"OK", "ERR_MISSING_SIGNATURE", "ERR_MALFORMED_SIGNATURE", "ERR_INVALID_SIGNATURE",
		"ERR_INVALID_PUBLIC_KEY", "ERR_BODY_NOT_RAW", "ERR_BODY_TOO_LARGE", "ERR_MALFORMED_ENVELOPE",
		"ERR_MALFORMED_PAYLOAD", "ERR_STALE_EVENT", "ERR_STORE_UNAVAILABLE"}
	if CodeName(ErrTicketSettled) != "ERR_TICKET_SETTLED" || HTTPStatusForName("ERR_TICKET_SETTLED") != 500 {
		t.Error("ERR_TICKET_SETTLED")
	}
	for code, name := range want {
		if got := CodeName(int32(code)); got != name {
			t.Errorf("code %d: %q, expected %q", code, got, name)
		}
	}
}

// The guard frees exactly once, never while in use, whatever the interleaving.
func TestGuard(t *testing.T) {
	for round := 0; round < 200; round++ {
		var g guard
		var frees, uses int64
		var mu sync.Mutex
		free := func() { mu.Lock(); frees++; mu.Unlock() }
		var wg sync.WaitGroup
		for i := 0; i < 8; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for j := 0; j < 50; j++ {
					if g.acquire() {
						mu.Lock()
						if frees != 0 {
							t.Error("used after free")
						}
						uses++
						mu.Unlock()
						if g.release() {
							free()
						}
					}
				}
			}()
		}
		if g.close() {
			free()
		}
		if g.close() {
			free()
		}
		wg.Wait()
		if frees != 1 {
			t.Fatalf("round %d: freed %d times", round, frees)
		}
		if g.acquire() {
			t.Fatal("acquired after close")
		}
	}
}

func TestEmptyInputsAreNull(t *testing.T) {
	// Empty strings and slices cross as (NULL, 0), which the library must accept.
	if _, err := NewWebhook(nil, WebhookOptions{}); err == nil || err.Code != ErrInvalidPublicKey {
		t.Fatalf("no keys: %+v", err)
	}
	if _, err := EventFromJSON(nil); err == nil || err.Code != ErrMalformedPayload {
		t.Fatalf("empty json: %+v", err)
	}
	if out, err := ResourceJSON("", []byte("{}")); err != nil || string(out) != "null" {
		t.Fatalf("unknown domain: %q %+v", out, err)
	}
	if _, err := ResourceJSON("", nil); err == nil || err.Code != ErrMalformedPayload {
		t.Fatalf("empty resource: %+v", err)
	}
	if VerifyWebhook("", "", "") {
		t.Fatal("empty VerifyWebhook")
	}
	store, err := NewMemoryStore(0, 0)
	if err != nil {
		t.Fatal(err)
	}
	d, err := NewDedup(store, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	store.Close()
	outcome, claim, err := d.Claim("")
	if err != nil || outcome != ClaimNew {
		t.Fatalf("empty key: %d %+v", outcome, err)
	}
	if kept, err := claim.Finish(true); err != nil || !kept {
		t.Fatalf("finish: %v %+v", kept, err)
	}
	if _, err := claim.Finish(false); err == nil || err.Code != ErrTicketSettled || CodeName(err.Code) != "ERR_TICKET_SETTLED" {
		t.Fatalf("finishing twice: %+v", err)
	}
	d.Close()
}
