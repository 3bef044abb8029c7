package palisade

import (
	"log/slog"
	"net/http"
	"runtime"

	"github.com/palisade-webhooks/palisade-webhooks/bindings-go/internal/ffi"
)

// Receiver is the receiving policy of the core: what an endpoint does with a delivery and what
// it answers, decided once for every language. Handler is net/http I/O around it; use a
// Receiver directly to write an adapter of your own:
//
//	b, err := rcv.Begin(r.Method, r.ContentLength, body, r.Header)
//	if err != nil { ... }          // ErrClosed: the receiver was closed
//	if b.Answer != nil {           // refused, duplicate, in progress, too large, wrong method
//		b.Answer.Write(w)
//		return
//	}
//	defer b.Ticket.Close()
//	answer, err := b.Ticket.FinishOK() // or FinishFailed(reason) when the handler failed
//	if err == nil { answer.Write(w) }
//
// The answers (statuses, JSON bodies, log lines) are listed in docs/receiver.md. A Receiver is
// safe for concurrent use.
type Receiver struct {
	r *ffi.Receiver
}

// NewReceiver builds a receiver over wh and, when dedup is not nil, that deduplicator (without
// one, every verified delivery runs the handler). The receiver keeps its own references:
// closing wh or dedup afterwards does not affect it.
func NewReceiver(wh *Webhook, dedup *Deduplicator) (*Receiver, error) {
	var d *ffi.Dedup
	if dedup != nil {
		d = dedup.d
	}
	r, err := ffi.NewReceiver(wh.h, d)
	runtime.KeepAlive(wh)
	runtime.KeepAlive(dedup)
	if err != nil {
		return nil, errorFrom(err) // ErrClosed: wh or dedup was closed
	}
	return &Receiver{r: r}, nil
}

// MaxBodyBytes is the most body bytes worth reading (0 after Close): read at most one byte
// more than this, whether or not the request declared a length, and pass what was read to
// Begin (an oversize body is then recognised without ever being held whole).
func (r *Receiver) MaxBodyBytes() int64 { return r.r.MaxBodyBytes() }

// Close frees the receiver's native memory once no call is using it; tickets it handed out
// stay valid. Later calls return ErrClosed. Safe to call more than once.
func (r *Receiver) Close() error {
	r.r.Close()
	return nil
}

// Begin is what Receiver.Begin decided: Answer is set (write it; the handler must not run), or
// Event and Ticket are (run the handler with the event, then finish the ticket and write the
// answer that gives).
type Begin struct {
	// Answer is what to answer at once: a refused delivery, a duplicate, an event another
	// worker holds, a body too large, a method other than POST.
	Answer *Answer
	// Event is the verified event to process.
	Event *Event
	// Ticket settles the delivery once the handler has run.
	Ticket *Ticket
}

// Begin starts receiving one request: method as received; declaredLength the request's
// Content-Length, or a negative number when it declared none (pass r.ContentLength); body the
// bytes read, at most MaxBodyBytes()+1 (a declared length over the limit is refused without
// looking at the body, so it need not be read); h the request's headers.
//
// Checks run in this order: method (405), size (413), verification (Webhook.Verify's order),
// then the deduplicator's claim (a duplicate answers 200, an event held elsewhere 409, a store
// outage 503). The error is ErrClosed after Close; every delivery outcome is an Answer.
func (r *Receiver) Begin(method string, declaredLength int64, body []byte, h http.Header) (Begin, error) {
	answer, data, ticket, err := r.r.Begin(method, declaredLength, body, h)
	runtime.KeepAlive(r)
	if err != nil {
		return Begin{}, errorFrom(err)
	}
	if ticket == nil {
		return Begin{Answer: answerFrom(answer)}, nil
	}
	return Begin{Event: eventFrom(data), Ticket: &Ticket{t: ticket}}, nil
}

// Ticket is the right and the duty to settle one delivery: finish it once, with the handler's
// outcome. A ticket closed (or garbage-collected) unfinished releases its claim, as a failure
// would, so the event is not blocked until the lease ends. Safe for concurrent use: the first
// finish wins.
type Ticket struct {
	t *ffi.Ticket
}

// FinishOK settles the delivery after the handler succeeded and returns what to answer: 200
// processed (also when the store failed to record it afterwards: answering otherwise would
// make Palisade retry and run the handler again; the answer's log line, at warning level,
// says so). A second finish fails with an error matching ErrTicketSettled and changes nothing.
func (t *Ticket) FinishOK() (*Answer, error) {
	a, err := t.t.FinishOK()
	if err != nil {
		return nil, errorFrom(err)
	}
	return answerFrom(a), nil
}

// FinishFailed settles the delivery after the handler failed, reason saying why (it goes to
// the answer's log line, never to the caller), and returns what to answer: 500
// ERR_HANDLER_FAILED, the claim released so Palisade's retry processes the event again. A
// second finish fails with an error matching ErrTicketSettled and changes nothing.
func (t *Ticket) FinishFailed(reason string) (*Answer, error) {
	a, err := t.t.FinishFailed(reason)
	if err != nil {
		return nil, errorFrom(err)
	}
	return answerFrom(a), nil
}

// Close frees the ticket: an unfinished one releases its claim first (store I/O, bounded by
// the store's timeouts); after a finish it does nothing. Safe to call more than once.
func (t *Ticket) Close() error {
	t.t.Close()
	return nil
}

// AnswerCode is the stable code of an answer: AnswerProcessed, AnswerDuplicate,
// AnswerInProgress, AnswerHandlerFailed, AnswerMethodNotAllowed, or the ErrorCode of a refused
// delivery (AnswerCode(CodeInvalidSignature), ...). The constants are generated from the core.
type AnswerCode string

// LogLevel is the level of an answer's log line: LogInfo, LogWarning or LogError.
type LogLevel string

// Slog is the level as a log/slog level (info for an unknown level).
func (l LogLevel) Slog() slog.Level {
	switch l {
	case LogWarning:
		return slog.LevelWarn
	case LogError:
		return slog.LevelError
	}
	return slog.LevelInfo
}

// Answer is what to answer Palisade, decided by the core: write Status, Headers and Body
// exactly (Write does), and log LogMessage at LogLevel.
type Answer struct {
	// Status is the HTTP status.
	Status int
	// Body is the JSON body, exactly as it goes on the wire.
	Body []byte
	// Code is the answer's stable code.
	Code AnswerCode
	// Headers are the response headers, in order (Content-Type, and Allow on a 405).
	Headers [][2]string
	// LogLevel is the level of LogMessage.
	LogLevel LogLevel
	// LogMessage is one log line: it names the idempotency key and error codes, never payload
	// contents.
	LogMessage string
}

func answerFrom(a *ffi.Answer) *Answer {
	return &Answer{
		Status:     a.Status,
		Body:       a.Body,
		Code:       AnswerCode(a.Code),
		Headers:    a.Headers,
		LogLevel:   LogLevel(a.LogLevel),
		LogMessage: a.LogMessage,
	}
}

// Write writes the answer: its headers (replacing any of the same names already set), its
// status and its body.
func (a *Answer) Write(w http.ResponseWriter) error {
	h := w.Header()
	for _, kv := range a.Headers {
		h.Del(kv[0])
	}
	for _, kv := range a.Headers {
		h.Add(kv[0], kv[1])
	}
	w.WriteHeader(a.Status)
	_, err := w.Write(a.Body)
	return err
}
