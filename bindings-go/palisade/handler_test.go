package palisade_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/palisade-webhooks/palisade-webhooks/bindings-go/palisade"
	"github.com/palisade-webhooks/palisade-webhooks/bindings-go/palisade/palisadetest"
)

// receiverVectors is tests/vectors/receiver.json: scripted situations and the exact answer
// every receiver gives (its header in core/examples/generate_receiver_vectors.rs documents the
// format).
type receiverVectors struct {
	Keys         []string `json:"keys"`
	MaxBodyBytes int64    `json:"max_body_bytes"`
	Cases        []struct {
		Name         string `json:"name"`
		Deduplicator bool   `json:"deduplicator"`
		StoreFailsAt string `json:"store_fails_at"`
		Steps        []struct {
			Hold    bool `json:"hold"`
			Request struct {
				Method     string      `json:"method"`
				Headers    [][2]string `json:"headers"`
				BodyB64    string      `json:"body_b64"`
				SendLength bool        `json:"send_length"`
			} `json:"request"`
			Handler string `json:"handler"`
			Expect  struct {
				Status      int    `json:"status"`
				Body        string `json:"body"`
				Code        string `json:"code"`
				HandlerRuns bool   `json:"handler_runs"`
			} `json:"expect"`
		} `json:"steps"`
	} `json:"cases"`
}

func loadReceiverVectors(t *testing.T) receiverVectors {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(vectorsDir, "receiver.json"))
	if err != nil {
		t.Fatal(err)
	}
	var v receiverVectors
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	if len(v.Cases) < 15 {
		t.Fatalf("only %d receiver cases", len(v.Cases))
	}
	return v
}

// newReceiver builds a Receiver over wh with, when dedup is true, a deduplicator over a memory
// store that fails at failAt.
func newReceiver(t *testing.T, wh *palisade.Webhook, dedup bool, failAt string) *palisade.Receiver {
	t.Helper()
	var d *palisade.Deduplicator
	if dedup {
		memory, err := palisade.NewMemoryStore()
		if err != nil {
			t.Fatal(err)
		}
		store, err := palisadetest.NewFaultyStore(memory, palisadetest.FailAt(failAt))
		memory.Close()
		if err != nil {
			t.Fatal(err)
		}
		d = newDedup(t, store)
		store.Close()
	}
	rcv, err := palisade.NewReceiver(wh, d)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rcv.Close() })
	return rcv
}

// seen is what the server side of a request saw: the request's declared length and transfer
// encoding, whether the handler ran, and the Handler's outcome.
type seen struct {
	contentLength int64
	chunked       bool
	ran           bool
	outcome       palisade.Outcome
}

// Every case of receiver.json through Handler over real HTTP on 127.0.0.1 (chunked when the case
// sends no length): the status, the exact body bytes, the code and whether the handler ran
// must be what the core states.
func TestReceiverVectorsOverHTTP(t *testing.T) {
	v := loadReceiverVectors(t)
	wh := newWebhook(t, v.Keys, palisade.WithMaxBodyBytes(v.MaxBodyBytes))
	steps := 0
	for _, c := range v.Cases {
		t.Run(c.Name, func(t *testing.T) {
			rcv := newReceiver(t, wh, c.Deduplicator, c.StoreFailsAt)
			var fail atomic.Bool
			var mu sync.Mutex
			var last seen
			handler := palisade.Handler(rcv, func(r *http.Request, e *palisade.Event) error {
				mu.Lock()
				last.ran = true
				mu.Unlock()
				if e == nil || e.IdempotencyKey == "" {
					t.Error("the handler got no event")
				}
				if fail.Load() {
					return errors.New("the test handler failed")
				}
				return nil
			}, palisade.WithOutcomeHook(func(_ *http.Request, o palisade.Outcome) {
				mu.Lock()
				last.outcome = o
				mu.Unlock()
			}))
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				last.contentLength = r.ContentLength
				last.chunked = len(r.TransferEncoding) > 0 && r.TransferEncoding[0] == "chunked"
				mu.Unlock()
				handler.ServeHTTP(w, r)
			}))
			defer srv.Close()

			for i, step := range c.Steps {
				body, err := base64.StdEncoding.DecodeString(step.Request.BodyB64)
				if err != nil {
					t.Fatal(err)
				}
				header := http.Header{}
				for _, h := range step.Request.Headers {
					header[h[0]] = append(header[h[0]], h[1]) // as spelled, repeated names repeated
				}
				var held *palisade.Ticket
				if step.Hold { // another worker holds the event while this request is answered
					declared := int64(-1)
					if step.Request.SendLength {
						declared = int64(len(body))
					}
					b, err := rcv.Begin(http.MethodPost, declared, body, header)
					if err != nil || b.Ticket == nil {
						t.Fatalf("step %d: the holding delivery was not processed: %+v %v", i, b.Answer, err)
					}
					held = b.Ticket
				}
				fail.Store(step.Handler == "fail")
				mu.Lock()
				last = seen{}
				mu.Unlock()

				req, err := http.NewRequest(step.Request.Method, srv.URL+"/webhooks/palisade", bytes.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				if !step.Request.SendLength {
					req.Body = io.NopCloser(struct{ io.Reader }{bytes.NewReader(body)})
					req.ContentLength = -1
					req.TransferEncoding = []string{"chunked"}
				}
				req.Header = header
				res, err := srv.Client().Do(req)
				if err != nil {
					t.Fatalf("step %d: %v", i, err)
				}
				got, err := io.ReadAll(res.Body)
				res.Body.Close()
				if err != nil {
					t.Fatal(err)
				}
				if held != nil {
					if _, err := held.FinishOK(); err != nil {
						t.Fatal(err)
					}
				}

				mu.Lock()
				s := last
				mu.Unlock()
				want := step.Expect
				if res.StatusCode != want.Status || string(got) != want.Body {
					t.Errorf("step %d: %d %s, expected %d %s", i, res.StatusCode, got, want.Status, want.Body)
				}
				if s.outcome.Answer == nil || string(s.outcome.Answer.Code) != want.Code {
					t.Errorf("step %d: outcome %+v, expected code %s", i, s.outcome, want.Code)
				}
				if s.ran != want.HandlerRuns || (s.outcome.Event != nil) != want.HandlerRuns {
					t.Errorf("step %d: handler ran = %v, expected %v", i, s.ran, want.HandlerRuns)
				}
				if ct := res.Header.Get("Content-Type"); ct != "application/json" {
					t.Errorf("step %d: Content-Type %q", i, ct)
				}
				if want.Status == http.StatusMethodNotAllowed && res.Header.Get("Allow") != http.MethodPost {
					t.Errorf("step %d: 405 without Allow: POST", i)
				}
				if step.Request.SendLength != (s.contentLength >= 0) || !step.Request.SendLength != s.chunked {
					t.Errorf("step %d: sent length=%v, the server saw Content-Length %d, chunked %v",
						i, step.Request.SendLength, s.contentLength, s.chunked)
				}
				steps++
			}
		})
	}
	t.Logf("%d receiver steps over HTTP", steps)
}

// The same answers from Receiver.Begin and the tickets directly, with the answer's headers.
func TestReceiverVectorsDirect(t *testing.T) {
	v := loadReceiverVectors(t)
	wh := newWebhook(t, v.Keys, palisade.WithMaxBodyBytes(v.MaxBodyBytes))
	for _, c := range v.Cases {
		rcv := newReceiver(t, wh, c.Deduplicator, c.StoreFailsAt)
		for i, step := range c.Steps {
			body, _ := base64.StdEncoding.DecodeString(step.Request.BodyB64)
			header := http.Header{}
			for _, h := range step.Request.Headers {
				header[h[0]] = append(header[h[0]], h[1])
			}
			declared := int64(-1)
			if step.Request.SendLength {
				declared = int64(len(body))
			}
			var held palisade.Begin
			if step.Hold {
				held, _ = rcv.Begin(http.MethodPost, declared, body, header)
			}
			b, err := rcv.Begin(step.Request.Method, declared, body, header)
			if err != nil {
				t.Fatalf("%s#%d: %v", c.Name, i, err)
			}
			answer, ran := b.Answer, b.Ticket != nil
			if ran {
				if step.Handler == "fail" {
					answer, err = b.Ticket.FinishFailed("the test handler failed")
				} else {
					answer, err = b.Ticket.FinishOK()
				}
				if err != nil {
					t.Fatal(err)
				}
			}
			if held.Ticket != nil {
				held.Ticket.FinishOK()
			}
			want := step.Expect
			if answer.Status != want.Status || string(answer.Body) != want.Body || string(answer.Code) != want.Code || ran != want.HandlerRuns {
				t.Errorf("%s#%d: %+v ran=%v, expected %+v", c.Name, i, answer, ran, want)
			}
			if answer.Headers[0] != [2]string{"Content-Type", "application/json"} || answer.LogMessage == "" {
				t.Errorf("%s#%d: headers %v, log %q", c.Name, i, answer.Headers, answer.LogMessage)
			}
		}
	}
}

func TestTicketSettlesOnce(t *testing.T) {
	s := newSigner(t, 60)
	wh := newWebhook(t, []string{s.PublicKey()})
	rcv := newReceiver(t, wh, true, "nothing")
	d := delivery(t, s, "TRANSACTION", `{"id":"t1","updatedAt":"u1"}`)

	b, err := rcv.Begin(http.MethodPost, int64(len(d.Body)), d.Body, d.Header)
	if err != nil || b.Ticket == nil || b.Event.IdempotencyKey != "TRANSACTION/t1/u1" {
		t.Fatalf("begin: %+v %v", b, err)
	}
	// Many goroutines finish the same ticket: exactly one settles it.
	var ok, settled atomic.Int64
	var wg sync.WaitGroup
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			var err error
			if g%2 == 0 {
				_, err = b.Ticket.FinishOK()
			} else {
				_, err = b.Ticket.FinishFailed("a concurrent failure")
			}
			switch {
			case err == nil:
				ok.Add(1)
			case errors.Is(err, palisade.ErrTicketSettled):
				settled.Add(1)
			default:
				t.Errorf("finish: %v", err)
			}
		}(g)
	}
	wg.Wait()
	if ok.Load() != 1 || settled.Load() != 15 {
		t.Fatalf("%d finishes succeeded, %d were refused", ok.Load(), settled.Load())
	}
	_, err = b.Ticket.FinishOK()
	var perr *palisade.Error
	if !errors.As(err, &perr) || perr.Code != palisade.CodeTicketSettled || perr.Message == "" ||
		!strings.HasPrefix(err.Error(), "ERR_TICKET_SETTLED: ") || errors.Is(err, palisade.ErrInvalidSignature) {
		t.Fatalf("second finish: %#v", err)
	}
	if palisade.StatusFor(err) != http.StatusInternalServerError {
		t.Fatal("a settled ticket is the receiver's own bug")
	}
	b.Ticket.Close()
	b.Ticket.Close()

	// A ticket closed unfinished releases its claim: the retry is processed, not in progress.
	e := delivery(t, s, "TRANSACTION", `{"id":"t2","updatedAt":"u2"}`)
	b, _ = rcv.Begin(http.MethodPost, -1, e.Body, e.Header)
	if b.Ticket == nil {
		t.Fatal("not processed")
	}
	again, _ := rcv.Begin(http.MethodPost, -1, e.Body, e.Header)
	if again.Answer == nil || again.Answer.Code != palisade.AnswerInProgress || again.Answer.Status != http.StatusConflict {
		t.Fatalf("while held: %+v", again)
	}
	b.Ticket.Close()
	if _, err := b.Ticket.FinishOK(); !errors.Is(err, palisade.ErrTicketSettled) {
		t.Fatalf("finish after close: %v", err)
	}
	retry, _ := rcv.Begin(http.MethodPost, -1, e.Body, e.Header)
	if retry.Ticket == nil {
		t.Fatalf("after close: %+v", retry.Answer)
	}
	answer, err := retry.Ticket.FinishOK()
	if err != nil || answer.Code != palisade.AnswerProcessed || answer.LogLevel != palisade.LogInfo {
		t.Fatalf("retry: %+v %v", answer, err)
	}
}

func TestReceiverLifecycle(t *testing.T) {
	s := newSigner(t, 61)
	wh := newWebhook(t, []string{s.PublicKey()}, palisade.WithMaxBodyBytes(1000))
	dedup := newDedup(t, nil)
	rcv, err := palisade.NewReceiver(wh, dedup)
	if err != nil {
		t.Fatal(err)
	}
	// The receiver keeps its own references: closing the webhook and deduplicator is fine.
	wh.Close()
	dedup.Close()
	if rcv.MaxBodyBytes() != 1000 {
		t.Fatalf("max body bytes %d", rcv.MaxBodyBytes())
	}
	d := delivery(t, s, "WALLET", `{"id":"w1","updatedAt":"2025-01-01T00:00:00Z"}`)
	b, err := rcv.Begin(http.MethodPost, -1, d.Body, d.Header)
	if err != nil || b.Ticket == nil {
		t.Fatalf("after closing its parts: %+v %v", b, err)
	}
	// A declared length over the limit is refused without a body.
	big, _ := rcv.Begin(http.MethodPost, 1001, nil, d.Header)
	if big.Answer == nil || big.Answer.Status != http.StatusRequestEntityTooLarge ||
		big.Answer.Code != palisade.AnswerCode(palisade.CodeBodyTooLarge) {
		t.Fatalf("declared too large: %+v", big.Answer)
	}
	rcv.Close()
	rcv.Close()
	if _, err := rcv.Begin(http.MethodPost, -1, d.Body, d.Header); !errors.Is(err, palisade.ErrClosed) {
		t.Fatalf("closed receiver: %v", err)
	}
	if rcv.MaxBodyBytes() != 0 {
		t.Fatal("max body bytes after close")
	}
	// A ticket outlives its receiver.
	if a, err := b.Ticket.FinishOK(); err != nil || a.Status != http.StatusOK {
		t.Fatalf("ticket after the receiver closed: %+v %v", a, err)
	}
	if _, err := palisade.NewReceiver(wh, nil); !errors.Is(err, palisade.ErrClosed) {
		t.Fatalf("closed webhook: %v", err)
	}
}

// Handler is I/O only: what it writes is the Receiver's answer, byte for byte, whatever the
// handler does; a handler's error or panic is the core's 500.
func TestHandlerWritesTheReceiversAnswers(t *testing.T) {
	s := newSigner(t, 62)
	wh := newWebhook(t, []string{s.PublicKey()})
	rcv := newReceiver(t, wh, true, "nothing")
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	var rec recorded
	mode := "ok"
	h := palisade.Handler(rcv, func(r *http.Request, e *palisade.Event) error {
		switch mode {
		case "error":
			return errors.New("db down: secret detail")
		case "panic":
			panic("handler bug")
		}
		return nil
	}, palisade.WithOutcomeHook(rec.hook), palisade.WithLogger(logger))

	d := delivery(t, s, "TRANSACTION", `{"id":"t1","updatedAt":"u1","status":"SIGNED"}`)
	res := serve(h, d.Request("/hook"))
	if res.Code != http.StatusOK || res.Body.String() != `{"status":"processed"}` {
		t.Fatalf("processed: %d %q", res.Code, res.Body.String())
	}
	if o := rec.last(); o.Event == nil || o.Event.IdempotencyKey != "TRANSACTION/t1/u1" || o.Err != nil || o.Answer.Code != palisade.AnswerProcessed {
		t.Fatalf("outcome: %+v", o)
	}
	if !strings.Contains(logs.String(), "level=INFO msg=\"processed 200 TRANSACTION TRANSACTION/t1/u1\"") {
		t.Fatalf("log: %s", logs.String())
	}

	for _, m := range []string{"error", "panic"} {
		mode = m
		f := delivery(t, s, "TRANSACTION", `{"id":"t-`+m+`","updatedAt":"u"}`)
		res := serve(h, f.Request("/hook"))
		if res.Code != http.StatusInternalServerError || !strings.Contains(res.Body.String(), `"error":"ERR_HANDLER_FAILED"`) ||
			strings.Contains(res.Body.String(), "secret") || strings.Contains(res.Body.String(), "bug") {
			t.Fatalf("%s: %d %s", m, res.Code, res.Body.String())
		}
		o := rec.last()
		if o.Err == nil || o.Answer.Code != palisade.AnswerHandlerFailed || o.Answer.LogLevel != palisade.LogError {
			t.Fatalf("%s: outcome %+v", m, o)
		}
		if m == "panic" && (!strings.Contains(o.Err.Error(), "handler bug") || !strings.Contains(o.Err.Error(), "goroutine")) {
			t.Fatalf("a panic's error carries its stack: %v", o.Err)
		}
		// Released: the retry runs the handler again.
		mode = "ok"
		if res := serve(h, f.Request("/hook")); res.Code != http.StatusOK || rec.last().Event == nil {
			t.Fatalf("%s: retry %d", m, res.Code)
		}
	}
	if !strings.Contains(logs.String(), "level=ERROR") || !strings.Contains(logs.String(), "handler bug") {
		t.Fatalf("log: %s", logs.String())
	}

	// Any method reaches the Receiver: 405 with its body and Allow header.
	put := httptest.NewRequest(http.MethodPut, "/hook", bytes.NewReader(d.Body))
	res = serve(h, put)
	if res.Code != http.StatusMethodNotAllowed || res.Header().Get("Allow") != http.MethodPost ||
		!strings.Contains(res.Body.String(), `"error":"ERR_METHOD_NOT_ALLOWED"`) || rec.last().Event != nil {
		t.Fatalf("PUT: %d %v %s", res.Code, res.Header(), res.Body.String())
	}
	// An oversize body without a declared length: 413, only max+1 bytes read.
	huge := &countingReader{r: strings.NewReader(strings.Repeat(" ", 8<<20))}
	req := httptest.NewRequest(http.MethodPost, "/hook", huge)
	req.ContentLength = -1
	req.Header = d.Header.Clone()
	res = serve(h, req)
	if res.Code != http.StatusRequestEntityTooLarge || huge.n > rcv.MaxBodyBytes()+1 {
		t.Fatalf("oversize: %d after reading %d bytes", res.Code, huge.n)
	}

	// A closed receiver cannot decide anything: the connection is aborted (Palisade retries).
	srv := httptest.NewServer(h)
	defer srv.Close()
	rcv.Close()
	if res, err := srv.Client().Post(srv.URL, "application/json", bytes.NewReader(d.Body)); err == nil {
		res.Body.Close()
		t.Fatalf("a closed receiver answered %d", res.StatusCode)
	}
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

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

// In a handler, the event's typed resource is decoded once: later calls cost nothing.
func TestTypedResourceIsDecodedOnce(t *testing.T) {
	s := newSigner(t, 63)
	wh := newWebhook(t, []string{s.PublicKey()})
	d := delivery(t, s, "TRANSACTION", `{"id":"tx-1","updatedAt":"u","qty":"1.5","asset":{"symbol":"ETH"}}`)
	e, err := wh.Verify(d.Body, d.Header)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	results := make([]*palisade.Transaction, 8)
	for g := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[g], _ = e.Transaction()
		}()
	}
	wg.Wait()
	for _, tx := range results {
		if tx == nil || tx != results[0] || tx.Qty != "1.5" || tx.Asset.Symbol != "ETH" {
			t.Fatalf("concurrent first calls: %+v", results)
		}
	}
	if allocs := testing.AllocsPerRun(100, func() {
		if tx, ok := e.Transaction(); !ok || tx.ID != "tx-1" {
			t.Fatal("accessor")
		}
		if _, ok := e.Wallet(); ok {
			t.Fatal("wallet")
		}
	}); allocs != 0 {
		t.Fatalf("an accessor call allocates %.0f times after the first", allocs)
	}
	copied := *e // a copy shares the decoded resource
	if tx, _ := copied.Transaction(); tx != results[0] {
		t.Fatal("a copied event decoded again")
	}
}

func TestDiagnose(t *testing.T) {
	s, other := newSigner(t, 64), newSigner(t, 65)
	wh := newWebhook(t, []string{other.PublicKey(), s.PublicKey()})
	d := delivery(t, s, "TRANSACTION", `{"id":"tx-1","updatedAt":"u"}`)
	header := http.Header{"signature": {d.Signature}} // any case, as verification finds it
	reports, err := wh.Diagnose(d.Body, header)
	if err != nil || len(reports) != 2 {
		t.Fatalf("%+v %v", reports, err)
	}
	first, second := reports[0], reports[1]
	if first.Verifies || !strings.Contains(first.Cause, "does not match this key") || first.Digest != "" ||
		second.KeyFingerprint == first.KeyFingerprint || len(first.KeyFingerprint) != 16 {
		t.Fatalf("other key: %+v", first)
	}
	if !second.Verifies || second.Digest != "sha256" || second.Error != "" || !strings.Contains(second.Cause, "nothing is wrong") ||
		len(second.Checks) == 0 || !second.Checks[0].OK || second.Checks[0].Name != "public key" {
		t.Fatalf("signing key: %+v", second)
	}
	// The classic mistake: the signature over the whole body.
	wrong := http.Header{"Signature": {s.Sign(string(d.Body))}}
	reports, _ = wh.Diagnose(d.Body, wrong)
	if r := reports[1]; r.Verifies || r.Error != palisade.CodeInvalidSignature || !strings.Contains(r.Cause, "whole body") {
		t.Fatalf("signed over the body: %+v", r)
	}
	reports, _ = wh.Diagnose(d.Body, nil)
	if r := reports[0]; r.Error != palisade.CodeMissingSignature {
		t.Fatalf("no signature: %+v", r)
	}
	wh.Close()
	if _, err := wh.Diagnose(d.Body, header); !errors.Is(err, palisade.ErrClosed) {
		t.Fatalf("closed: %v", err)
	}
}
