// Package palisade verifies, parses and deduplicates Palisade webhook deliveries.
//
// It is the Go face of the palisade-webhooks Rust core (the same one behind the Python and
// Node.js packages), linked through cgo: the same checks, the same error codes, the same
// answers, the same speed.
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
// A Receiver (a Webhook plus an optional Deduplicator) owns the receiving policy: it decides
// every answer (status, headers, JSON body, log line), identical in every language's SDK and
// listed in docs/receiver.md. Handler is net/http I/O around it: it reads the body with a size
// cap, runs your HandlerFunc with the verified event and writes the Receiver's answer.
// Deduplicate with a MemoryStore (one process), a SqliteStore (one host, durable) or a
// RedisStore (many instances). A Webhook, a Receiver, a Deduplicator and every store are safe
// for concurrent use; Close frees their native memory (a finalizer is a backstop, not a
// substitute).
package palisade
