package palisade_test

// The idempotency stores against real components: SQLite files in t.TempDir() and a real
// redis-server. `make test-go` runs these tests under scripts/with-redis.sh, which starts a
// throwaway server and exports PALISADE_TEST_REDIS_URL (and PALISADE_TEST_REDIS_SERVER, the
// binary, for the tests that stop and restart a server of their own). Without them the Redis
// tests fail: they are never skipped.

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/palisade-webhooks/palisade-webhooks/bindings-go/palisade"
	"github.com/palisade-webhooks/palisade-webhooks/bindings-go/palisade/palisadetest"
)

func redisURL(t testing.TB) string {
	t.Helper()
	url := os.Getenv("PALISADE_TEST_REDIS_URL")
	if url == "" {
		t.Fatal("PALISADE_TEST_REDIS_URL is not set: run the Go tests under scripts/with-redis.sh " +
			"(make test-go does), which starts a throwaway redis-server")
	}
	return url
}

// uniquePrefix keeps every test's Redis keys apart (the server is shared by the whole run).
func uniquePrefix(t testing.TB) string {
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	return "gotest:" + hex.EncodeToString(b[:]) + ":"
}

// storeKind opens stores of one kind; open(t, shared) returns a new store handle over the same
// underlying data for every call with the same shared name (the same file, the same Redis
// prefix), as two processes would.
type storeKind struct {
	name string
	open func(t *testing.T, shared string) palisade.Store
}

func storeKinds(t *testing.T) []storeKind {
	dir := t.TempDir()
	url := redisURL(t)
	prefix := uniquePrefix(t)
	return []storeKind{
		{"memory", func(t *testing.T, _ string) palisade.Store {
			s, err := palisade.NewMemoryStore()
			if err != nil {
				t.Fatal(err)
			}
			return s
		}},
		{"sqlite", func(t *testing.T, shared string) palisade.Store {
			s, err := palisade.NewSqliteStore(filepath.Join(dir, shared+".sqlite3"),
				palisade.WithSyncEveryCommit(false), palisade.WithBusyTimeout(10*time.Second))
			if err != nil {
				t.Fatal(err)
			}
			return s
		}},
		{"redis", func(t *testing.T, shared string) palisade.Store {
			s, err := palisade.NewRedisStore(url, palisade.WithPrefix(prefix+shared+":"),
				palisade.WithTimeout(5*time.Second), palisade.WithConnections(2))
			if err != nil {
				t.Fatal(err)
			}
			return s
		}},
	}
}

func newDedup(t *testing.T, store palisade.Store, opts ...palisade.DedupOption) *palisade.Deduplicator {
	t.Helper()
	d, err := palisade.NewDeduplicator(store, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func verifiedEvent(t *testing.T, s *palisadetest.Signer, wh *palisade.Webhook, id string) *palisade.Event {
	t.Helper()
	d := delivery(t, s, "TRANSACTION", fmt.Sprintf(`{"id":%q,"updatedAt":"2025-05-08T14:15:36Z","status":"CONFIRMED"}`, id))
	e, err := wh.Verify(d.Body, d.Header)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// Every store wired through the binding: a Receiver over it (through Handler) processes a
// delivery once, answers the retry as a duplicate, releases on a handler failure; Process does
// the same; a durable store remembers across handles (a restart). The claim / complete /
// release contract itself is the core's, tested there against the same stores.
func TestStoresWiring(t *testing.T) {
	s := newSigner(t, 200)
	wh := newWebhook(t, []string{s.PublicKey()})
	ctx := context.Background()
	for _, kind := range storeKinds(t) {
		t.Run(kind.name, func(t *testing.T) {
			store := kind.open(t, "wiring")
			dedup := newDedup(t, store)
			store.Close() // the deduplicator keeps the store open
			rcv, err := palisade.NewReceiver(wh, dedup)
			if err != nil {
				t.Fatal(err)
			}
			defer rcv.Close()
			var calls atomic.Int64
			failing := atomic.Bool{}
			h := palisade.Handler(rcv, func(*http.Request, *palisade.Event) error {
				calls.Add(1)
				if failing.Load() {
					return errors.New("transient failure")
				}
				return nil
			})
			d := delivery(t, s, "WALLET", `{"id":"w-handler","updatedAt":"2025-01-01T00:00:00Z"}`)
			failing.Store(true)
			if res := serve(h, d.Request("/")); res.Code != http.StatusInternalServerError {
				t.Fatalf("failing handler: %d %s", res.Code, res.Body.String())
			}
			failing.Store(false)
			for i, want := range []string{`{"status":"processed"}`, `{"status":"duplicate"}`, `{"status":"duplicate"}`} {
				if res := serve(h, d.Request("/")); res.Code != http.StatusOK || res.Body.String() != want {
					t.Fatalf("delivery %d: %d %s", i, res.Code, res.Body.String())
				}
			}
			if calls.Load() != 2 {
				t.Fatalf("handler ran %d times", calls.Load())
			}

			e := verifiedEvent(t, s, wh, "tx-wiring")
			if st, err := dedup.Process(ctx, e, func(context.Context) error { return nil }); st != palisade.StatusProcessed || err != nil {
				t.Fatalf("process: %v %v", st, err)
			}
			if st, err := dedup.Process(ctx, e, func(context.Context) error { t.Error("ran twice"); return nil }); st != palisade.StatusDuplicate || err != nil {
				t.Fatalf("duplicate: %v %v", st, err)
			}

			// Durable stores remember across handles (a restart); memory does not share.
			again := newDedup(t, kind.open(t, "wiring"))
			st, err := again.Process(ctx, e, func(context.Context) error { return nil })
			want := palisade.StatusDuplicate
			if kind.name == "memory" {
				want = palisade.StatusProcessed
			}
			if st != want || err != nil {
				t.Fatalf("new handle over the same store: %v %v (want %v)", st, err, want)
			}
		})
	}
}

// The deduplicator's options cross the binding: a worker stalled past its lease loses the key
// to another, and completed keys are forgotten after the retention.
func TestDedupOptionsReachTheCore(t *testing.T) {
	s := newSigner(t, 204)
	wh := newWebhook(t, []string{s.PublicKey()})
	ctx := context.Background()
	store, err := palisade.NewMemoryStore()
	if err != nil {
		t.Fatal(err)
	}
	dedup := newDedup(t, store)
	short := newDedup(t, store, palisade.WithLease(100*time.Millisecond))
	brief := newDedup(t, store, palisade.WithRetention(100*time.Millisecond))
	store.Close()

	l := verifiedEvent(t, s, wh, "tx-lease")
	takeovers := 0
	st, err := short.Process(ctx, l, func(context.Context) error {
		time.Sleep(400 * time.Millisecond) // well past the lease
		st2, err2 := dedup.Process(ctx, l, func(context.Context) error { takeovers++; return nil })
		if st2 != palisade.StatusProcessed || err2 != nil {
			t.Errorf("takeover after the lease: %v %v", st2, err2)
		}
		return nil
	})
	if st != palisade.StatusProcessed || err != nil || takeovers != 1 {
		t.Fatalf("stalled worker: %v %v takeovers=%d", st, err, takeovers)
	}
	r := verifiedEvent(t, s, wh, "tx-retention")
	for i := 0; i < 2; i++ {
		if st, err := brief.Process(ctx, r, func(context.Context) error { return nil }); st != palisade.StatusProcessed || err != nil {
			t.Fatalf("retention round %d: %v %v", i, st, err)
		}
		time.Sleep(400 * time.Millisecond)
	}
}

// Two deduplicators over one SQLite file / one Redis (as two processes would have), many
// goroutines delivering the same events: exactly one StatusProcessed per event.
func TestStoreContention(t *testing.T) {
	s := newSigner(t, 201)
	wh := newWebhook(t, []string{s.PublicKey()})
	ctx := context.Background()
	for _, kind := range storeKinds(t) {
		if kind.name == "memory" {
			continue // one process only; covered by TestDeduplicator
		}
		t.Run(kind.name, func(t *testing.T) {
			a := newDedup(t, kind.open(t, "contention"))
			b := newDedup(t, kind.open(t, "contention"))
			const events, perDedup = 20, 6
			for i := 0; i < events; i++ {
				e := verifiedEvent(t, s, wh, "tx-race-"+strconv.Itoa(i))
				var processed, ran, others atomic.Int64
				var wg sync.WaitGroup
				start := make(chan struct{})
				for g := 0; g < 2*perDedup; g++ {
					d := a
					if g%2 == 1 {
						d = b
					}
					wg.Add(1)
					go func() {
						defer wg.Done()
						<-start
						st, err := d.Process(ctx, e, func(context.Context) error {
							ran.Add(1)
							time.Sleep(2 * time.Millisecond)
							return nil
						})
						switch {
						case err != nil:
							t.Errorf("event %d: %v", i, err)
						case st == palisade.StatusProcessed:
							processed.Add(1)
						case st == palisade.StatusDuplicate || st == palisade.StatusInProgress:
							others.Add(1)
						default:
							t.Errorf("event %d: status %v", i, st)
						}
					}()
				}
				close(start)
				wg.Wait()
				if processed.Load() != 1 || ran.Load() != 1 || others.Load() != 2*perDedup-1 {
					t.Fatalf("event %d: processed=%d ran=%d others=%d", i, processed.Load(), ran.Load(), others.Load())
				}
			}
		})
	}
}

func TestSqliteStoreErrors(t *testing.T) {
	dir := t.TempDir()
	_, err := palisade.NewSqliteStore(filepath.Join(dir, "missing-dir", "store.sqlite3"))
	var perr *palisade.Error
	if !errors.Is(err, palisade.ErrStoreUnavailable) || !errors.As(err, &perr) || perr.Message == "" {
		t.Fatalf("unopenable path: %v", err)
	}
	garbage := filepath.Join(dir, "garbage.sqlite3")
	junk := make([]byte, 8192)
	for i := range junk {
		junk[i] = 0x5a
	}
	if err := os.WriteFile(garbage, junk, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := palisade.NewSqliteStore(garbage); !errors.Is(err, palisade.ErrStoreUnavailable) {
		t.Fatalf("not a database: %v", err)
	}
	if _, err := palisade.NewSqliteStore(""); !errors.Is(err, palisade.ErrInvalidArgument) {
		t.Fatalf("empty path: %v", err)
	}
	if _, err := palisade.NewSqliteStore(filepath.Join(dir, "x.sqlite3"), palisade.WithBusyTimeout(-time.Second)); !errors.Is(err, palisade.ErrInvalidArgument) {
		t.Fatalf("negative busy timeout: %v", err)
	}
	s, err := palisade.NewSqliteStore(filepath.Join(dir, "ok.sqlite3"))
	if err != nil {
		t.Fatal(err)
	}
	if s.Path() != filepath.Join(dir, "ok.sqlite3") {
		t.Fatalf("path: %q", s.Path())
	}
	s.Close()
	s.Close()
	if _, err := palisade.NewDeduplicator(s); !errors.Is(err, palisade.ErrClosed) {
		t.Fatalf("closed store: %v", err)
	}
}

// closedPort is a 127.0.0.1 port nothing listens on (just released by a listener).
func closedPort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	return port
}

func TestRedisStoreUnreachable(t *testing.T) {
	url := fmt.Sprintf("redis://127.0.0.1:%d/0", closedPort(t))
	_, err := palisade.NewRedisStore(url, palisade.WithConnectTimeout(500*time.Millisecond))
	var perr *palisade.Error
	if !errors.Is(err, palisade.ErrStoreUnavailable) || !errors.As(err, &perr) || perr.Message == "" {
		t.Fatalf("closed port: %v", err)
	}
	if _, err := palisade.NewRedisStore("not a url"); !errors.Is(err, palisade.ErrStoreUnavailable) {
		t.Fatalf("bad URL: %v", err)
	}
	if _, err := palisade.NewRedisStore(redisURL(t), palisade.WithTimeout(-1)); !errors.Is(err, palisade.ErrInvalidArgument) {
		t.Fatalf("negative timeout: %v", err)
	}
	if _, err := palisade.NewRedisStore(redisURL(t), palisade.WithMaxIdle(-1)); !errors.Is(err, palisade.ErrInvalidArgument) {
		t.Fatalf("negative max idle: %v", err)
	}
	// The connection count: 1 to 64, refused with the core's message otherwise.
	for _, n := range []int{0, -1, 65} {
		_, err := palisade.NewRedisStore(redisURL(t), palisade.WithConnections(n))
		want := fmt.Sprintf("connections must be at least 1 and at most 64, not %d", n)
		if !errors.Is(err, palisade.ErrInvalidArgument) || !strings.Contains(err.Error(), want) {
			t.Fatalf("WithConnections(%d): %v", n, err)
		}
	}
	for _, n := range []int{1, 64} {
		s, err := palisade.NewRedisStore(redisURL(t), palisade.WithConnections(n))
		if err != nil {
			t.Fatalf("WithConnections(%d): %v", n, err)
		}
		s.Close()
	}
	// An empty prefix is allowed (keys are then the bare idempotency keys).
	s, err := palisade.NewRedisStore(redisURL(t), palisade.WithPrefix(""))
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
}

// redisServer runs a redis-server of the test's own (the binary with-redis.sh found), so the
// test can stop it and start it again on the same port.
type redisServer struct {
	bin, dir string
	port     int
	cmd      *exec.Cmd
}

func (r *redisServer) start(t *testing.T) {
	t.Helper()
	r.cmd = exec.Command(r.bin, "--bind", "127.0.0.1", "--port", strconv.Itoa(r.port), "--save", "",
		"--appendonly", "no", "--dir", r.dir, "--daemonize", "no", "--logfile", filepath.Join(r.dir, "redis.log"))
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", r.port), 100*time.Millisecond); err == nil {
			c.Close()
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	r.stop()
	t.Fatalf("redis-server did not start on 127.0.0.1:%d", r.port)
}

func (r *redisServer) stop() {
	if r.cmd != nil && r.cmd.Process != nil {
		_ = r.cmd.Process.Kill()
		_ = r.cmd.Wait()
		r.cmd = nil
	}
}

// Redis stopped mid-run: Process fails with ErrStoreUnavailable (never "processed" without a
// record), Handler answers 503 without calling the handler; once the server is back,
// processing resumes.
func TestRedisStoppedMidRun(t *testing.T) {
	redisURL(t)
	bin := os.Getenv("PALISADE_TEST_REDIS_SERVER")
	if bin == "" {
		t.Fatal("PALISADE_TEST_REDIS_SERVER is not set: run the Go tests under scripts/with-redis.sh")
	}
	srv := &redisServer{bin: bin, dir: t.TempDir(), port: closedPort(t)}
	srv.start(t)
	defer srv.stop()

	store, err := palisade.NewRedisStore(fmt.Sprintf("redis://127.0.0.1:%d/0", srv.port),
		palisade.WithTimeout(500*time.Millisecond), palisade.WithConnectTimeout(500*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	dedup := newDedup(t, store)
	store.Close()
	s := newSigner(t, 203)
	wh := newWebhook(t, []string{s.PublicKey()})
	ctx := context.Background()
	rcv, err := palisade.NewReceiver(wh, dedup)
	if err != nil {
		t.Fatal(err)
	}
	defer rcv.Close()
	var calls atomic.Int64
	var rec recorded
	h := palisade.Handler(rcv, func(*http.Request, *palisade.Event) error {
		calls.Add(1)
		return nil
	}, palisade.WithOutcomeHook(rec.hook))

	before := delivery(t, s, "TRANSACTION", `{"id":"tx-before","updatedAt":"u"}`)
	if res := serve(h, before.Request("/")); res.Code != http.StatusOK || calls.Load() != 1 {
		t.Fatalf("before the stop: %d calls=%d", res.Code, calls.Load())
	}

	srv.stop()
	during := delivery(t, s, "TRANSACTION", `{"id":"tx-during","updatedAt":"u"}`)
	e, err := wh.Verify(during.Body, during.Header)
	if err != nil {
		t.Fatal(err)
	}
	if st, err := dedup.Process(ctx, e, func(context.Context) error { t.Error("ran without a record"); return nil }); !errors.Is(err, palisade.ErrStoreUnavailable) || st != 0 {
		t.Fatalf("server stopped: %v %v", st, err)
	}
	res := serve(h, during.Request("/"))
	if res.Code != http.StatusServiceUnavailable || errorCode(t, res) != "ERR_STORE_UNAVAILABLE" || calls.Load() != 1 {
		t.Fatalf("server stopped, through Handler: %d %s calls=%d", res.Code, res.Body.String(), calls.Load())
	}
	if o := rec.last(); o.Answer.Code != palisade.AnswerCode(palisade.CodeStoreUnavailable) || o.Event != nil {
		t.Fatalf("outcome: %+v", o)
	}

	srv.start(t)
	if res := serve(h, during.Request("/")); res.Code != http.StatusOK || calls.Load() != 2 {
		t.Fatalf("after the restart: %d %s calls=%d", res.Code, res.Body.String(), calls.Load())
	}
	if res := serve(h, during.Request("/")); res.Code != http.StatusOK || calls.Load() != 2 {
		t.Fatalf("duplicate after the restart: %d calls=%d", res.Code, calls.Load())
	}
}

// StatusFor follows the core's table.
func TestStatusForFollowsTheCore(t *testing.T) {
	want := map[error]int{
		palisade.ErrMissingSignature:   401,
		palisade.ErrMalformedSignature: 401,
		palisade.ErrInvalidSignature:   401,
		palisade.ErrMalformedEnvelope:  400,
		palisade.ErrMalformedPayload:   400,
		palisade.ErrStaleEvent:         400,
		palisade.ErrBodyTooLarge:       413,
		palisade.ErrStoreUnavailable:   503,
		palisade.ErrInvalidPublicKey:   500,
		palisade.ErrBodyNotRaw:         500,
		palisade.ErrClosed:             503,
		palisade.ErrInvalidArgument:    500,
		errors.New("other"):            500,
		nil:                            500,
		fmt.Errorf("wrapped: %w", palisade.ErrStoreUnavailable): 503,
		&palisade.Error{Code: "ERR_SOMETHING_NEW"}:              500,
	}
	for err, status := range want {
		if got := palisade.StatusFor(err); got != status {
			t.Errorf("StatusFor(%v) = %d, want %d", err, got, status)
		}
	}
}
