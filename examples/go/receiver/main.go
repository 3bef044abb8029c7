// A Palisade webhook receiver on net/http: verifies every delivery with the SDK, deduplicates,
// and prints one line per delivery outcome.
//
//	PALISADE_PUBLIC_KEY=MFkwEwYH... go run ./receiver 8080     # or PORT=8080
//
// Deduplication uses an in-process MemoryStore, or a durable store when configured:
// PALISADE_SQLITE_PATH=/var/lib/receiver/idem.sqlite3 (one host, survives restarts) or
// PALISADE_REDIS_URL=redis://host:6379/0 (several instances sharing one Redis).
//
// It listens on 127.0.0.1 and accepts POSTs on any path. PALISADE_PUBLIC_KEY may hold several
// keys separated by commas (during a key rotation). Port 0 picks a free port.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/palisade-webhooks/palisade-webhooks/bindings-go/palisade"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "receiver:", err)
		os.Exit(2)
	}
}

func run() error {
	port := os.Getenv("PORT")
	if len(os.Args) > 1 {
		port = os.Args[1]
	}
	if port == "" {
		port = "8080"
	}
	keys := splitKeys(os.Getenv("PALISADE_PUBLIC_KEY"))
	if len(keys) == 0 {
		return errors.New("PALISADE_PUBLIC_KEY is not set: set it to your webhook's public key " +
			"(base64 DER, as the Palisade console shows it; several keys separated by commas)")
	}
	handler, closeAll, err := newHandler(keys, os.Stdout)
	if err != nil {
		return err
	}
	defer closeAll()

	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", port))
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	fmt.Printf("go receiver listening on http://%s\n", ln.Addr())

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(shutdown)
}

func splitKeys(s string) []string {
	var keys []string
	for _, k := range strings.Split(s, ",") {
		if k = strings.TrimSpace(k); k != "" {
			keys = append(keys, k)
		}
	}
	return keys
}

// openStore picks the idempotency store from the environment: PALISADE_REDIS_URL (several
// instances), PALISADE_SQLITE_PATH (one host), else nil (an in-process MemoryStore).
func openStore() (palisade.Store, error) {
	if url := os.Getenv("PALISADE_REDIS_URL"); url != "" {
		s, err := palisade.NewRedisStore(url)
		if err != nil {
			return nil, fmt.Errorf("PALISADE_REDIS_URL: %w", err)
		}
		return s, nil
	}
	if path := os.Getenv("PALISADE_SQLITE_PATH"); path != "" {
		s, err := palisade.NewSqliteStore(path)
		if err != nil {
			return nil, fmt.Errorf("PALISADE_SQLITE_PATH: %w", err)
		}
		return s, nil
	}
	return nil, nil
}

// newHandler builds the receiver: verification, deduplication, and one printed line per
// request (the answer's log line, at its level). The returned func frees the native handles.
func newHandler(keys []string, out io.Writer) (http.Handler, func(), error) {
	webhook, err := palisade.NewWebhook(keys)
	if err != nil {
		return nil, nil, fmt.Errorf("PALISADE_PUBLIC_KEY: %w", err)
	}
	defer webhook.Close() // the receiver keeps its own reference
	store, err := openStore()
	if err != nil {
		return nil, nil, err
	}
	dedup, err := palisade.NewDeduplicator(store) // nil: an in-process MemoryStore
	if store != nil {
		store.Close() // the deduplicator keeps the store open
	}
	if err != nil {
		return nil, nil, err
	}
	defer dedup.Close() // the receiver keeps its own reference
	receiver, err := palisade.NewReceiver(webhook, dedup)
	if err != nil {
		return nil, nil, err
	}
	var mu sync.Mutex
	process := func(r *http.Request, e *palisade.Event) error {
		// Real work goes here (or onto a queue: answer 2xx fast). The typed resource:
		if tx, ok := e.Transaction(); ok && tx.Status.IsTerminal() {
			_ = tx.Qty // e.g. credit a deposit exactly once
		}
		return nil // an error answers 500 and releases the event for Palisade's retry
	}
	onOutcome := func(r *http.Request, o palisade.Outcome) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(out, "%s %s\n", o.Answer.LogLevel, o.Answer.LogMessage)
	}
	h := palisade.Handler(receiver, process, palisade.WithOutcomeHook(onOutcome))
	return h, func() { receiver.Close() }, nil
}
