// Package palisade verifies, parses and deduplicates Palisade webhook deliveries.
//
// It is the Go face of the palisade-webhooks Rust core (the same one behind the Python and
// Node.js packages), linked through cgo: the same checks, the same error codes, the same speed.
//
//	wh, err := palisade.NewWebhook([]string{publicKeyFromConsole})
//	if err != nil { ... }
//	defer wh.Close()
//	event, err := wh.Verify(body, r.Header) // raw body bytes, request headers
//	switch {
//	case errors.Is(err, palisade.ErrInvalidSignature): ...
//	case err != nil: ...
//	}
//	if tx, ok := event.Transaction(); ok { fmt.Println(tx.Status, tx.Qty) }
//
// For net/http, Handler does all of it (raw body with a size cap, verification, optional
// deduplication, status codes). Deduplicate with a MemoryStore (one process), a SqliteStore
// (one host, durable) or a RedisStore (many instances). A Webhook, a Deduplicator and every
// store are safe for concurrent use; Close frees their native memory (a finalizer is a
// backstop, not a substitute).
package palisade
