package palisade

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/palisade-webhooks/palisade-webhooks/bindings-go/internal/ffi"
)

// ErrorCode is a stable error code, the same string in every language's SDK. The codes and
// their sentinels (ErrMissingSignature, ...) are generated from the Rust core (codes_gen.go).
type ErrorCode string

// Error is the SDK's error: a stable Code plus a Message that says what to fix. Messages never
// quote unauthenticated input (body, headers, payload contents): they name kinds and positions,
// in at most 200 characters. Match a kind with errors.Is(err, palisade.ErrInvalidSignature), or
// get the code and message with errors.As(err, &perr).
type Error struct {
	Code    ErrorCode
	Message string
}

func (e *Error) Error() string {
	if e.Message == "" {
		return string(e.Code)
	}
	return string(e.Code) + ": " + e.Message
}

// Is reports whether target is an *Error with the same code, so that errors.Is(err, sentinel)
// matches every error of the sentinel's kind whatever its message.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t != nil && t.Code == e.Code
}

// ErrClosed is returned by a Webhook, Receiver (or test signer) used after Close.
var ErrClosed = errors.New("palisade: use of a closed handle")

// ErrInvalidArgument wraps programming errors (an unknown digest name, a negative limit): they
// are not delivery errors, so they are not *Error.
var ErrInvalidArgument = errors.New("palisade: invalid argument")

// errorFrom maps an ABI error to the SDK's error types.
func errorFrom(e *ffi.Error) error {
	if e == nil {
		return nil
	}
	switch e.Code {
	case ffi.ErrClosed:
		return ErrClosed
	case ffi.ErrInvalidArgument:
		return fmt.Errorf("%w: %s", ErrInvalidArgument, e.Message)
	case ffi.ErrInternal:
		return fmt.Errorf("palisade: %s", e.Message)
	case ffi.ErrTicketSettled:
		// Detected natively or, once the native ticket is freed, Go-side: the core's message.
		return &Error{Code: CodeTicketSettled, Message: ticketSettledMessage}
	}
	return &Error{Code: ErrorCode(ffi.CodeName(e.Code)), Message: e.Message}
}

// StatusFor is the HTTP status to answer for an error of Verify (or Process), as the core
// defines it for every SDK: 401 for a missing, malformed or invalid signature; 400 for a
// malformed envelope or payload or a stale event; 413 for a body over the limit; 503 for an
// unavailable store (and a closed Webhook or Deduplicator) so that Palisade retries; 500
// otherwise (an invalid public key, a settled ticket or any other error is the receiver's own
// bug). A Receiver gives the whole answer (status and body); this is for code that calls
// Verify itself.
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
