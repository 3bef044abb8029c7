package ffi

/*
#include "palisade_webhooks.h"
*/
import "C"

import (
	"encoding/json"
	"net/http"
	"runtime"
	"sync"
	"unsafe"
)

// Receiver is a receiver handle: a webhook, an optional deduplicator and the core's policy.
type Receiver struct {
	g guard
	p *C.PwReceiver
}

// NewReceiver builds a receiver over w and, when d is not nil, d. The native receiver keeps its
// own references to both: closing them afterwards does not affect it.
func NewReceiver(w *Webhook, d *Dedup) (*Receiver, *Error) {
	if !w.g.acquire() {
		return nil, closed("webhook")
	}
	defer w.done()
	var dp *C.PwDedup
	if d != nil {
		if !d.g.acquire() {
			return nil, closed("deduplicator")
		}
		defer d.done()
		dp = d.p
	}
	var p *C.PwReceiver
	var e C.PwError
	if status := C.pw_receiver_new(w.p, dp, &p, &e); status != C.PW_OK {
		return nil, takeError(status, &e)
	}
	r := &Receiver{p: p}
	runtime.SetFinalizer(r, (*Receiver).Close)
	return r, nil
}

// Close frees the handle once no call is using it. Safe to call more than once.
func (r *Receiver) Close() {
	if r.g.close() {
		C.pw_receiver_free(r.p)
	}
}

func (r *Receiver) done() {
	if r.g.release() {
		C.pw_receiver_free(r.p)
	}
}

// MaxBodyBytes is the most body bytes worth reading (0 when closed).
func (r *Receiver) MaxBodyBytes() int64 {
	if !r.g.acquire() {
		return 0
	}
	defer r.done()
	return int64(C.pw_receiver_max_body_bytes(r.p))
}

// Answer is what to answer, copied into Go memory.
type Answer struct {
	Status     int
	Code       string
	Body       []byte
	Headers    [][2]string
	LogLevel   string
	LogMessage string
}

// takeAnswer copies a filled PwAnswer and frees it.
func takeAnswer(a *C.PwAnswer) (*Answer, *Error) {
	defer C.pw_answer_free(a)
	out := &Answer{
		Status:     int(a.status),
		Code:       goStr(a.code),
		LogLevel:   goStr(a.log_level),
		LogMessage: goBuf(a.log_message),
	}
	if a.body.ptr != nil && a.body.len > 0 {
		out.Body = C.GoBytes(unsafe.Pointer(a.body.ptr), C.int(a.body.len))
	}
	if err := json.Unmarshal([]byte(goBuf(a.headers_json)), &out.Headers); err != nil {
		return nil, &Error{Code: ErrInternal, Message: "the answer's headers: " + err.Error()}
	}
	return out, nil
}

// Begin begins one request (declared < 0: no Content-Length). Either the answer is not nil
// (write it; no handler) or the ticket is not nil and the event is the verified event (run the
// handler, then finish the ticket).
func (r *Receiver) Begin(method string, declared int64, body []byte, h http.Header) (*Answer, EventData, *Ticket, *Error) {
	if !r.g.acquire() {
		return nil, EventData{}, nil, closed("receiver")
	}
	defer r.done()
	f := flatHeaders(h)
	defer putFlat(f)
	hdata, hlen, hlens := f.args()
	m, mlen := strArg(method)
	b, blen := bytesArg(body)
	var answer C.PwAnswer
	var ev *C.PwEvent
	var tp *C.PwTicket
	var e C.PwError
	status := C.pw_receiver_begin(r.p, m, mlen, C.bool(declared >= 0), C.uint64_t(max(declared, 0)),
		b, blen, hdata, hlen, hlens, C.size_t(f.pairs), &answer, &ev, &tp, &e)
	runtime.KeepAlive(method)
	runtime.KeepAlive(body)
	if status != C.PW_OK {
		return nil, EventData{}, nil, takeError(status, &e)
	}
	if tp == nil {
		a, err := takeAnswer(&answer)
		return a, EventData{}, nil, err
	}
	t := &Ticket{p: tp}
	runtime.SetFinalizer(t, (*Ticket).Close)
	event, err := takeEvent(ev, eventBufferSize(len(body)))
	if err != nil {
		t.Close()
		return nil, EventData{}, nil, err
	}
	return nil, event, t, nil
}

// Ticket settles one delivery. Its methods serialise on a mutex; the native ticket is freed
// as soon as it is settled.
type Ticket struct {
	mu sync.Mutex
	p  *C.PwTicket
}

// FinishOK settles the delivery as processed; a second finish fails with ErrTicketSettled.
func (t *Ticket) FinishOK() (*Answer, *Error) {
	return t.finish(func(p *C.PwTicket, a *C.PwAnswer, e *C.PwError) C.PwStatus {
		return C.pw_ticket_finish_ok(p, a, e)
	})
}

// FinishFailed settles the delivery as failed, reason saying why (logged, never sent).
func (t *Ticket) FinishFailed(reason string) (*Answer, *Error) {
	return t.finish(func(p *C.PwTicket, a *C.PwAnswer, e *C.PwError) C.PwStatus {
		r, rlen := strArg(reason)
		status := C.pw_ticket_finish_failed(p, r, rlen, a, e)
		runtime.KeepAlive(reason)
		return status
	})
}

func (t *Ticket) finish(call func(*C.PwTicket, *C.PwAnswer, *C.PwError) C.PwStatus) (*Answer, *Error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.p == nil {
		return nil, settled()
	}
	var answer C.PwAnswer
	var e C.PwError
	status := call(t.p, &answer, &e)
	C.pw_ticket_free(t.p) // settled (or unusable): nothing left to hold
	t.p = nil
	runtime.SetFinalizer(t, nil)
	if status != C.PW_OK {
		return nil, takeError(status, &e)
	}
	return takeAnswer(&answer)
}

// Close frees the ticket; an unsettled one releases its claim first (store I/O). Safe to call
// more than once and after a finish.
func (t *Ticket) Close() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.p != nil {
		C.pw_ticket_free(t.p)
		t.p = nil
		runtime.SetFinalizer(t, nil)
	}
}

// Settled reports whether the ticket was finished or closed.
func (t *Ticket) Settled() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.p == nil
}
