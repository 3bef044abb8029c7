package palisade

import (
	"errors"
	"fmt"

	"github.com/palisade-webhooks/palisade-webhooks/bindings-go/internal/ffi"
)

// ErrorCode is a stable error code, the same string in every language's SDK.
type ErrorCode string

// The error codes (DESIGN.md).
const (
	CodeMissingSignature   ErrorCode = "ERR_MISSING_SIGNATURE"
	CodeMalformedSignature ErrorCode = "ERR_MALFORMED_SIGNATURE"
	CodeInvalidSignature   ErrorCode = "ERR_INVALID_SIGNATURE"
	CodeInvalidPublicKey   ErrorCode = "ERR_INVALID_PUBLIC_KEY"
	CodeBodyNotRaw         ErrorCode = "ERR_BODY_NOT_RAW"
	CodeBodyTooLarge       ErrorCode = "ERR_BODY_TOO_LARGE"
	CodeMalformedEnvelope  ErrorCode = "ERR_MALFORMED_ENVELOPE"
	CodeMalformedPayload   ErrorCode = "ERR_MALFORMED_PAYLOAD"
	CodeStaleEvent         ErrorCode = "ERR_STALE_EVENT"
	CodeStoreUnavailable   ErrorCode = "ERR_STORE_UNAVAILABLE"
)

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

// Sentinels, one per code, for errors.Is.
var (
	ErrMissingSignature   = &Error{Code: CodeMissingSignature, Message: "no Signature header"}
	ErrMalformedSignature = &Error{Code: CodeMalformedSignature, Message: "the signature is not base64 DER"}
	ErrInvalidSignature   = &Error{Code: CodeInvalidSignature, Message: "the signature does not verify"}
	ErrInvalidPublicKey   = &Error{Code: CodeInvalidPublicKey, Message: "not a P-256 public key"}
	ErrBodyNotRaw         = &Error{Code: CodeBodyNotRaw, Message: "the body must be the raw bytes"}
	ErrBodyTooLarge       = &Error{Code: CodeBodyTooLarge, Message: "the body is over the limit"}
	ErrMalformedEnvelope  = &Error{Code: CodeMalformedEnvelope, Message: "the body is not a Palisade envelope"}
	ErrMalformedPayload   = &Error{Code: CodeMalformedPayload, Message: "the payload is not base64 of a JSON resource"}
	ErrStaleEvent         = &Error{Code: CodeStaleEvent, Message: "the event is older than the maximum age"}
	ErrStoreUnavailable   = &Error{Code: CodeStoreUnavailable, Message: "the idempotency store cannot answer"}
)

// ErrClosed is returned by a Webhook (or test signer) used after Close.
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
	}
	return &Error{Code: ErrorCode(ffi.CodeName(e.Code)), Message: e.Message}
}
