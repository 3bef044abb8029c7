package main

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/palisade-webhooks/palisade-webhooks/bindings-go/palisade/palisadetest"
)

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestReceiver(t *testing.T) {
	signer, err := palisadetest.Generate()
	if err != nil {
		t.Fatal(err)
	}
	defer signer.Close()
	stranger, _ := palisadetest.Generate()
	defer stranger.Close()
	var out syncBuffer
	h, closeAll, err := newHandler(splitKeys(" "+signer.PublicKey()+" , "), &out)
	if err != nil {
		t.Fatal(err)
	}
	defer closeAll()
	srv := httptest.NewServer(h)
	defer srv.Close()

	post := func(body []byte, header http.Header) int {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/webhooks/palisade", bytes.NewReader(body))
		req.Header = header
		res, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	tx, _ := signer.Delivery("TRANSACTION", `{"id":"tx-1","updatedAt":"2025-05-08T14:15:36Z","status":"CONFIRMED","qty":"1.5"}`)
	forged, _ := stranger.Delivery("WALLET", `{"id":"w-1"}`)
	if got := post(tx.Body, tx.Header); got != 200 {
		t.Fatalf("valid: %d", got)
	}
	if got := post(tx.Body, tx.Header); got != 200 {
		t.Fatalf("duplicate: %d", got)
	}
	if got := post(forged.Body, forged.Header); got != 401 {
		t.Fatalf("forged: %d", got)
	}
	if got := post(tx.Body, http.Header{}); got != 401 {
		t.Fatalf("unsigned: %d", got)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	want := []string{
		"info processed 200 TRANSACTION TRANSACTION/tx-1/2025-05-08T14:15:36Z",
		"info duplicate 200 TRANSACTION TRANSACTION/tx-1/2025-05-08T14:15:36Z",
		"warning rejected 401 ERR_INVALID_SIGNATURE: ",
		"warning rejected 401 ERR_MISSING_SIGNATURE: ",
	}
	if len(lines) != len(want) {
		t.Fatalf("output:\n%s", out.String())
	}
	for i := range want {
		if !strings.HasPrefix(lines[i], want[i]) {
			t.Errorf("line %d: %q, expected prefix %q", i, lines[i], want[i])
		}
	}
	if _, _, err := newHandler([]string{"not a key"}, &out); err == nil || !strings.Contains(err.Error(), "ERR_INVALID_PUBLIC_KEY") {
		t.Fatalf("bad key: %v", err)
	}
}

// With PALISADE_SQLITE_PATH the receiver deduplicates across restarts.
func TestReceiverSqliteSurvivesRestart(t *testing.T) {
	t.Setenv("PALISADE_REDIS_URL", "")
	t.Setenv("PALISADE_SQLITE_PATH", filepath.Join(t.TempDir(), "idem.sqlite3"))
	signer, err := palisadetest.Generate()
	if err != nil {
		t.Fatal(err)
	}
	defer signer.Close()
	tx, err := signer.Delivery("TRANSACTION", `{"id":"tx-9","updatedAt":"2025-05-08T14:15:36Z"}`)
	if err != nil {
		t.Fatal(err)
	}
	for run, want := range []string{"info processed 200", "info duplicate 200"} {
		var out syncBuffer
		h, closeAll, err := newHandler([]string{signer.PublicKey()}, &out)
		if err != nil {
			t.Fatal(err)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, tx.Request("/"))
		closeAll() // the process "restarts"
		if rec.Code != 200 || !strings.HasPrefix(out.String(), want) {
			t.Fatalf("run %d: %d %q", run, rec.Code, out.String())
		}
	}
	t.Setenv("PALISADE_SQLITE_PATH", filepath.Join(t.TempDir(), "missing", "idem.sqlite3"))
	if _, _, err := newHandler([]string{signer.PublicKey()}, io.Discard); err == nil || !strings.Contains(err.Error(), "PALISADE_SQLITE_PATH") {
		t.Fatalf("unopenable store: %v", err)
	}
}
