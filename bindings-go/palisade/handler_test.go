package palisade_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/palisade-webhooks/palisade-webhooks/bindings-go/palisade"
)

type recorded struct {
	mu       sync.Mutex
	outcomes []palisade.Outcome
}

func (r *recorded) hook(_ *http.Request, o palisade.Outcome) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.outcomes = append(r.outcomes, o)
}

func (r *recorded) last() palisade.Outcome {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.outcomes[len(r.outcomes)-1]
}

func serve(h http.Handler, req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func errorCode(t *testing.T, rec *httptest.ResponseRecorder) string {
	t.Helper()
	var body map[string]string
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatalf("response body %q: %v", rec.Body.String(), err)
	}
	return body["error"]
}

func TestHandlerStatusCodes(t *testing.T) {
	s := newSigner(t, 60)
	wh := newWebhook(t, []string{s.PublicKey()}, palisade.WithMaxBodyBytes(4096))
	var got []*palisade.Event
	var rec recorded
	h := palisade.Handler(wh, func(w http.ResponseWriter, r *http.Request, e *palisade.Event) error {
		got = append(got, e)
		return nil
	}, palisade.WithOutcomeHook(rec.hook))

	d := delivery(t, s, "TRANSACTION", `{"id":"t1","updatedAt":"u1","status":"SIGNED"}`)
	if res := serve(h, d.Request("/hook")); res.Code != http.StatusOK || len(got) != 1 || got[0].IdempotencyKey != "TRANSACTION/t1/u1" {
		t.Fatalf("valid: %d %v", res.Code, got)
	}
	if o := rec.last(); o.HTTPStatus != 200 || o.Event == nil || o.Err != nil {
		t.Fatalf("outcome: %+v", o)
	}

	missing := d.Request("/hook")
	missing.Header.Del("Signature")
	foreign := d.Request("/hook")
	foreign.Header.Set("Signature", newSigner(t, 61).Sign(d.Payload))
	malformedSig := d.Request("/hook")
	malformedSig.Header.Set("Signature", "not base64!")
	notJSON := httptest.NewRequest(http.MethodPost, "/hook", strings.NewReader("hello"))
	notJSON.Header.Set("Signature", d.Signature)
	badPayload := httptest.NewRequest(http.MethodPost, "/hook", strings.NewReader(`{"domain":"WALLET","payload":"!!"}`))
	badPayload.Header.Set("Signature", s.Sign("!!"))
	tooLarge := httptest.NewRequest(http.MethodPost, "/hook", bytes.NewReader(make([]byte, 5000)))
	tooLarge.Header.Set("Signature", d.Signature)
	get := httptest.NewRequest(http.MethodGet, "/hook", nil)

	cases := []struct {
		name   string
		req    *http.Request
		status int
		code   string
	}{
		{"missing signature", missing, 401, "ERR_MISSING_SIGNATURE"},
		{"foreign signature", foreign, 401, "ERR_INVALID_SIGNATURE"},
		{"malformed signature", malformedSig, 401, "ERR_MALFORMED_SIGNATURE"},
		{"not json", notJSON, 400, "ERR_MALFORMED_ENVELOPE"},
		{"bad payload", badPayload, 400, "ERR_MALFORMED_PAYLOAD"},
		{"too large", tooLarge, 413, "ERR_BODY_TOO_LARGE"},
		{"GET", get, 405, "METHOD_NOT_ALLOWED"},
	}
	for _, c := range cases {
		res := serve(h, c.req)
		if res.Code != c.status || errorCode(t, res) != c.code {
			t.Errorf("%s: %d %s, expected %d %s", c.name, res.Code, res.Body.String(), c.status, c.code)
		}
		if o := rec.last(); o.HTTPStatus != c.status || o.Event != nil {
			t.Errorf("%s: outcome %+v", c.name, o)
		}
	}
	if len(got) != 1 {
		t.Fatalf("handler called for rejected deliveries: %d", len(got))
	}

	// Without dedupe, a handler error answers 500; a handler that wrote its own answer keeps it.
	failing := palisade.Handler(wh, func(w http.ResponseWriter, r *http.Request, e *palisade.Event) error {
		return errors.New("db down")
	})
	if res := serve(failing, d.Request("/hook")); res.Code != 500 || errorCode(t, res) != "HANDLER_FAILED" {
		t.Fatalf("handler error: %d", res.Code)
	}
	custom := palisade.Handler(wh, func(w http.ResponseWriter, r *http.Request, e *palisade.Event) error {
		w.WriteHeader(http.StatusAccepted)
		return nil
	})
	if res := serve(custom, d.Request("/hook")); res.Code != http.StatusAccepted {
		t.Fatalf("custom status: %d", res.Code)
	}

	// A closed webhook answers 503 so Palisade retries elsewhere or later.
	closedWh := newWebhook(t, []string{s.PublicKey()})
	closedWh.Close()
	if res := serve(palisade.Handler(closedWh, nil), d.Request("/hook")); res.Code != 503 {
		t.Fatalf("closed webhook: %d", res.Code)
	}
}

func TestHandlerWithDedupe(t *testing.T) {
	s := newSigner(t, 70)
	wh := newWebhook(t, []string{s.PublicKey()})
	dedup, err := palisade.NewDeduplicator(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer dedup.Close()

	var mu sync.Mutex
	calls := map[string]int{}
	failNext := true
	entered, release := make(chan struct{}), make(chan struct{})
	var rec recorded
	h := palisade.Handler(wh, func(w http.ResponseWriter, r *http.Request, e *palisade.Event) error {
		mu.Lock()
		calls[e.IdempotencyKey]++
		fail := failNext && e.ResourceID == "t-fail"
		if fail {
			failNext = false
		}
		mu.Unlock()
		if e.ResourceID == "t-slow" {
			close(entered)
			<-release
		}
		if fail {
			return errors.New("transient failure")
		}
		return nil
	}, palisade.WithDeduplicator(dedup), palisade.WithOutcomeHook(rec.hook))

	d := delivery(t, s, "TRANSACTION", `{"id":"t1","updatedAt":"u1"}`)
	if res := serve(h, d.Request("/")); res.Code != 200 {
		t.Fatalf("first: %d", res.Code)
	}
	if o := rec.last(); o.Dedup != palisade.StatusProcessed {
		t.Fatalf("outcome: %+v", o)
	}
	res := serve(h, d.Request("/"))
	if res.Code != 200 || !strings.Contains(res.Body.String(), "duplicate") || calls["TRANSACTION/t1/u1"] != 1 {
		t.Fatalf("duplicate: %d %s calls=%d", res.Code, res.Body.String(), calls["TRANSACTION/t1/u1"])
	}
	if o := rec.last(); o.Dedup != palisade.StatusDuplicate || o.HTTPStatus != 200 {
		t.Fatalf("duplicate outcome: %+v", o)
	}

	// Handler error: 500 and the claim released, so the retry is processed.
	f := delivery(t, s, "TRANSACTION", `{"id":"t-fail","updatedAt":"u"}`)
	if res := serve(h, f.Request("/")); res.Code != 500 {
		t.Fatalf("failing: %d", res.Code)
	}
	if res := serve(h, f.Request("/")); res.Code != 200 || calls["TRANSACTION/t-fail/u"] != 2 {
		t.Fatalf("retry after failure: %d calls=%d", res.Code, calls["TRANSACTION/t-fail/u"])
	}

	// In progress: a second delivery of an event being processed answers 409.
	slow := delivery(t, s, "TRANSACTION", `{"id":"t-slow","updatedAt":"u"}`)
	done := make(chan int)
	go func() { done <- serve(h, slow.Request("/")).Code }()
	<-entered
	if res := serve(h, slow.Request("/")); res.Code != http.StatusConflict {
		t.Fatalf("in progress: %d", res.Code)
	}
	close(release)
	if code := <-done; code != 200 {
		t.Fatalf("slow: %d", code)
	}

	// Store unavailable (the deduplicator is closed): 503, handler not called.
	dedup.Close()
	other := delivery(t, s, "TRANSACTION", `{"id":"t3","updatedAt":"u"}`)
	res = serve(h, other.Request("/"))
	if res.Code != 503 || errorCode(t, res) != "ERR_STORE_UNAVAILABLE" || calls["TRANSACTION/t3/u"] != 0 {
		t.Fatalf("store unavailable: %d %s", res.Code, res.Body.String())
	}
	if o := rec.last(); !errors.Is(o.Err, palisade.ErrStoreUnavailable) {
		t.Fatalf("outcome: %+v", o)
	}
}

func TestHandlerOverHTTP(t *testing.T) {
	s := newSigner(t, 80)
	wh := newWebhook(t, []string{s.PublicKey()})
	srv := httptest.NewServer(palisade.Handler(wh, func(w http.ResponseWriter, r *http.Request, e *palisade.Event) error {
		_, err := w.Write([]byte(e.IdempotencyKey))
		return err
	}))
	defer srv.Close()
	d := delivery(t, s, "WALLET", `{"id":"w1","updatedAt":"u"}`)
	req, _ := http.NewRequest(http.MethodPost, srv.URL, bytes.NewReader(d.Body))
	req.Header = d.Header.Clone()
	req.Header.Set("signature", d.Signature) // any casing: net/http canonicalises it
	res, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var buf bytes.Buffer
	_, _ = buf.ReadFrom(res.Body)
	if res.StatusCode != 200 || buf.String() != "WALLET/w1/u" {
		t.Fatalf("%d %q", res.StatusCode, buf.String())
	}
}
