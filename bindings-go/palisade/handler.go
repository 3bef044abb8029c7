package palisade

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/palisade-webhooks/palisade-webhooks/bindings-go/internal/ffi"
)

// HandlerFunc handles a verified event. Returning an error answers 500 (unless the function
// already wrote a response) and, with a Deduplicator, releases the claim so Palisade's retry
// processes the event again.
type HandlerFunc func(w http.ResponseWriter, r *http.Request, e *Event) error

// Outcome describes what Handler did with one request, for logging.
type Outcome struct {
	// HTTPStatus is the status answered (200 when the handler succeeded without writing one).
	HTTPStatus int
	// Event is the verified event, nil when verification failed.
	Event *Event
	// Dedup is the deduplication status (0 without a Deduplicator or before it ran).
	Dedup Status
	// Err is the verification, store or handler error; nil on success and for duplicates.
	Err error
}

// HandlerOption configures Handler.
type HandlerOption func(*handlerConfig)

type handlerConfig struct {
	dedup   *Deduplicator
	outcome func(*http.Request, Outcome)
}

// WithDeduplicator deduplicates deliveries: a duplicate answers 200 without calling the
// handler, a delivery being processed elsewhere answers 409, a store failure 503.
func WithDeduplicator(d *Deduplicator) HandlerOption {
	return func(c *handlerConfig) { c.dedup = d }
}

// WithOutcomeHook calls fn once per request with what happened (for logs and metrics).
func WithOutcomeHook(fn func(r *http.Request, o Outcome)) HandlerOption {
	return func(c *handlerConfig) { c.outcome = fn }
}

// StatusFor is the HTTP status Handler answers for an error, as the core defines it for every
// SDK: 401 for a missing, malformed or invalid signature; 400 for a malformed envelope or
// payload or a stale event; 413 for a body over the limit; 503 for an unavailable store (and,
// Go-side, a closed Webhook or Deduplicator) so that Palisade retries; 500 otherwise (an invalid
// public key or a non-raw body is the receiver's own bug, as is any other error).
func StatusFor(err error) int {
	var perr *Error
	if errors.As(err, &perr) {
		if status := ffi.HTTPStatusForName(string(perr.Code)); status != 0 {
			return status
		}
	}
	if errors.Is(err, ErrClosed) {
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// Handler is net/http middleware for a Palisade webhook endpoint: it reads the raw body
// (capped with http.MaxBytesReader at the Webhook's limit), verifies it, optionally
// deduplicates, and calls fn with the event. Failures answer a JSON body
// {"error": code, "message": ...} with the status given by StatusFor.
func Handler(wh *Webhook, fn HandlerFunc, opts ...HandlerOption) http.Handler {
	var c handlerConfig
	for _, opt := range opts {
		opt(&c)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		o := c.serve(wh, fn, w, r)
		if c.outcome != nil {
			c.outcome(r, o)
		}
	})
}

func (c *handlerConfig) serve(wh *Webhook, fn HandlerFunc, w http.ResponseWriter, r *http.Request) Outcome {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "METHOD_NOT_ALLOWED",
			"message": "Palisade delivers webhooks with POST"})
		return Outcome{HTTPStatus: http.StatusMethodNotAllowed}
	}
	limit := wh.MaxBodyBytes()
	if limit <= 0 {
		return reject(w, ErrClosed)
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return reject(w, &Error{Code: CodeBodyTooLarge,
				Message: fmt.Sprintf("the body is over max_body_bytes = %d", limit)})
		}
		return reject(w, &Error{Code: CodeMalformedEnvelope, Message: "the request body could not be read"})
	}
	event, err := wh.Verify(body, r.Header)
	if err != nil {
		return reject(w, err)
	}
	tw := &trackingWriter{ResponseWriter: w}
	if c.dedup == nil {
		if herr := fn(tw, r, event); herr != nil {
			return handlerFailed(tw, event, 0, herr)
		}
		return Outcome{HTTPStatus: tw.statusOr(http.StatusOK), Event: event}
	}
	var herr error
	status, err := c.dedup.Process(r.Context(), event, func(context.Context) error {
		herr = fn(tw, r, event)
		return herr
	})
	switch {
	case herr != nil:
		return handlerFailed(tw, event, status, err)
	case err != nil: // the store failed (claim, or complete after the handler succeeded)
		o := Outcome{HTTPStatus: StatusFor(err), Event: event, Dedup: status, Err: err}
		if !tw.wrote {
			writeError(w, o.HTTPStatus, err)
		} else {
			o.HTTPStatus = tw.statusOr(http.StatusOK)
		}
		return o
	case status == StatusDuplicate:
		writeJSON(w, http.StatusOK, map[string]string{"status": "duplicate"})
		return Outcome{HTTPStatus: http.StatusOK, Event: event, Dedup: status}
	case status == StatusInProgress:
		writeJSON(w, http.StatusConflict, map[string]string{"status": "in_progress",
			"message": "this event is being processed by another worker; retry later"})
		return Outcome{HTTPStatus: http.StatusConflict, Event: event, Dedup: status}
	}
	return Outcome{HTTPStatus: tw.statusOr(http.StatusOK), Event: event, Dedup: status}
}

func reject(w http.ResponseWriter, err error) Outcome {
	status := StatusFor(err)
	writeError(w, status, err)
	return Outcome{HTTPStatus: status, Err: err}
}

func handlerFailed(tw *trackingWriter, event *Event, status Status, err error) Outcome {
	if tw.wrote {
		return Outcome{HTTPStatus: tw.statusOr(http.StatusOK), Event: event, Dedup: status, Err: err}
	}
	writeJSON(tw.ResponseWriter, http.StatusInternalServerError, map[string]string{
		"error": "HANDLER_FAILED", "message": "the handler failed; the delivery will be retried"})
	return Outcome{HTTPStatus: http.StatusInternalServerError, Event: event, Dedup: status, Err: err}
}

func writeError(w http.ResponseWriter, status int, err error) {
	body := map[string]string{"error": "INTERNAL", "message": "internal error"}
	var perr *Error
	switch {
	case errors.As(err, &perr):
		body = map[string]string{"error": string(perr.Code), "message": perr.Message}
	case errors.Is(err, ErrClosed):
		body = map[string]string{"error": "UNAVAILABLE", "message": "the receiver is shutting down"}
	}
	writeJSON(w, status, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// trackingWriter records whether the user's handler wrote a response.
type trackingWriter struct {
	http.ResponseWriter
	wrote  bool
	status int
}

func (t *trackingWriter) WriteHeader(code int) {
	if !t.wrote {
		t.wrote, t.status = true, code
	}
	t.ResponseWriter.WriteHeader(code)
}

func (t *trackingWriter) Write(b []byte) (int, error) {
	if !t.wrote {
		t.wrote, t.status = true, http.StatusOK
	}
	return t.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer (Flush, deadlines, ...).
func (t *trackingWriter) Unwrap() http.ResponseWriter { return t.ResponseWriter }

func (t *trackingWriter) statusOr(def int) int {
	if t.wrote {
		return t.status
	}
	return def
}
