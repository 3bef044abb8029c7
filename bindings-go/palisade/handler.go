package palisade

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
)

// HandlerFunc processes a verified event. Return nil when it was processed; an error (or a
// panic) makes the answer ERR_HANDLER_FAILED and, with a deduplicator, releases the claim so
// Palisade's retry processes the event again. The handler does not write the response: the
// Receiver decides every answer.
type HandlerFunc func(r *http.Request, e *Event) error

// Outcome is what Handler did with one request, for logs and metrics.
type Outcome struct {
	// Answer is what was answered.
	Answer *Answer
	// Event is the event the handler ran with; nil when it did not run (the delivery was
	// refused, a duplicate, or held by another worker).
	Event *Event
	// Err is the handler's error (a panic comes as an error with its stack), when it failed.
	Err error
}

// HandlerOption configures Handler.
type HandlerOption func(*handler)

// WithOutcomeHook calls fn once per answered request with what happened.
func WithOutcomeHook(fn func(r *http.Request, o Outcome)) HandlerOption {
	return func(h *handler) { h.outcome = fn }
}

// WithLogger logs each answer's log line to l at the answer's level (quiet by default).
func WithLogger(l *slog.Logger) HandlerOption {
	return func(h *handler) { h.logger = l }
}

// Handler is net/http middleware for a Palisade webhook endpoint, I/O around rcv: it reads the
// body (at most rcv.MaxBodyBytes()+1 bytes, whether or not a length is declared), begins the
// request, runs fn with the verified event, finishes the ticket, and writes the answer the
// Receiver gives, byte for byte. Mount it for every method: a method other than POST gets the
// Receiver's 405 answer. When the request cannot be answered at all (its body cannot be read,
// the Receiver was closed), the connection is aborted, so Palisade retries.
func Handler(rcv *Receiver, fn HandlerFunc, opts ...HandlerOption) http.Handler {
	if rcv == nil || fn == nil {
		panic("palisade: Handler needs a Receiver and a HandlerFunc")
	}
	h := &handler{rcv: rcv, fn: fn}
	for _, opt := range opts {
		opt(h)
	}
	return h
}

type handler struct {
	rcv     *Receiver
	fn      HandlerFunc
	outcome func(*http.Request, Outcome)
	logger  *slog.Logger
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(r.Body, r.ContentLength, h.rcv.MaxBodyBytes())
	if err != nil {
		panic(http.ErrAbortHandler) // the client is gone or sent a broken body: nothing to answer
	}
	begun, err := h.rcv.Begin(r.Method, r.ContentLength, body, r.Header)
	if err != nil {
		panic(http.ErrAbortHandler) // closed: no decision to write
	}
	o := Outcome{Answer: begun.Answer}
	if begun.Ticket != nil {
		defer begun.Ticket.Close() // releases the claim if fn aborted the request
		o.Event = begun.Event
		o.Err = h.run(r, begun.Event)
		if o.Err == nil {
			o.Answer, err = begun.Ticket.FinishOK()
		} else {
			o.Answer, err = begun.Ticket.FinishFailed(reason(o.Err))
		}
		if err != nil {
			panic(http.ErrAbortHandler) // the library failed to settle (a bug it reported)
		}
	}
	_ = o.Answer.Write(w) // a write error means the client is gone
	if h.logger != nil {
		h.logger.Log(r.Context(), o.Answer.LogLevel.Slog(), o.Answer.LogMessage)
	}
	if h.outcome != nil {
		h.outcome(r, o)
	}
}

// handlerPanic is a handler's panic, as its error.
type handlerPanic struct {
	value any
	stack []byte
}

func (p *handlerPanic) Error() string { return fmt.Sprintf("panic: %v\n%s", p.value, p.stack) }

// reason is what the answer's log line says of a failure (a panic without its stack).
func reason(err error) string {
	if p, ok := err.(*handlerPanic); ok {
		return fmt.Sprintf("panic: %v", p.value)
	}
	return err.Error()
}

// run calls the handler; a panic is its failure (http.ErrAbortHandler still aborts).
func (h *handler) run(r *http.Request, e *Event) (err error) {
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			err = &handlerPanic{value: v, stack: debug.Stack()}
		}
	}()
	return h.fn(r, e)
}

// readBody reads at most limit+1 bytes, so an oversize body is recognised (undeclared or
// chunked included) without being held whole. A declared length over the limit is refused by
// the Receiver from the length alone: nothing is read.
func readBody(body io.Reader, declared, limit int64) ([]byte, error) {
	if body == nil || declared > limit {
		return nil, nil
	}
	size := limit + 1
	if declared >= 0 && declared < size {
		size = declared + 1 // the declared length, plus room to see a longer body end
	}
	buf := make([]byte, 0, min(size, 64<<10))
	r := io.LimitReader(body, limit+1)
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
	}
}
