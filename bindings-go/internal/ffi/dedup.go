package ffi

/*
#include "palisade_webhooks.h"
*/
import "C"

import (
	"runtime"
	"sync"
	"time"
)

// Claim outcomes.
const (
	ClaimNew        = int(C.PW_CLAIM_NEW)
	ClaimDuplicate  = int(C.PW_CLAIM_DUPLICATE)
	ClaimInProgress = int(C.PW_CLAIM_IN_PROGRESS)
)

// Dedup is a deduplicator handle.
type Dedup struct {
	g guard
	p *C.PwDedup
}

// NewDedup builds a deduplicator over store (0 = default lease / retention).
func NewDedup(store *Store, lease, retention time.Duration) (*Dedup, *Error) {
	if lease < 0 || retention < 0 {
		return nil, &Error{Code: ErrInvalidArgument, Message: "lease and retention must not be negative"}
	}
	if !store.g.acquire() {
		return nil, closed("store")
	}
	defer store.done()
	var p *C.PwDedup
	var e C.PwError
	status := C.pw_dedup_new(store.p, C.uint64_t(lease), C.uint64_t(retention), &p, &e)
	if status != C.PW_OK {
		return nil, takeError(status, &e)
	}
	d := &Dedup{p: p}
	runtime.SetFinalizer(d, (*Dedup).Close)
	return d, nil
}

// Close frees the deduplicator once no call or open claim uses it.
func (d *Dedup) Close() {
	if d.g.close() {
		C.pw_dedup_free(d.p)
	}
}

func (d *Dedup) done() {
	if d.g.release() {
		C.pw_dedup_free(d.p)
	}
}

// Claim is an open claim; it holds a reference on its deduplicator until Finish.
type Claim struct {
	mu sync.Mutex // Finish from two goroutines at once settles once
	d  *Dedup
	p  *C.PwClaim
}

// Claim claims key. For ClaimNew the returned claim must be passed to Finish.
func (d *Dedup) Claim(key string) (int, *Claim, *Error) {
	if !d.g.acquire() {
		return 0, nil, closed("deduplicator")
	}
	k, klen := strArg(key)
	var outcome C.int32_t
	var c *C.PwClaim
	var e C.PwError
	status := C.pw_dedup_claim(d.p, k, klen, &outcome, &c, &e)
	runtime.KeepAlive(key)
	if status != C.PW_OK {
		d.done()
		return 0, nil, takeError(status, &e)
	}
	if int(outcome) != ClaimNew || c == nil {
		d.done()
		return int(outcome), nil, nil
	}
	return ClaimNew, &Claim{d: d, p: c}, nil // the reference is kept until Finish
}

// Finish completes (success) or releases the claim, frees it and drops its reference. It
// reports whether the store still attributed the key to this claim. A claim settles once: a
// second Finish fails with ErrTicketSettled and changes nothing, as a receiver's ticket does.
func (c *Claim) Finish(success bool) (bool, *Error) {
	if c == nil {
		return false, &Error{Code: ErrInvalidArgument, Message: "nil claim"}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.p == nil {
		return false, settled()
	}
	d := c.d
	var kept C.bool
	var e C.PwError
	var status C.PwStatus
	if success {
		status = C.pw_dedup_complete(d.p, c.p, &kept, &e)
	} else {
		status = C.pw_dedup_release(d.p, c.p, &kept, &e)
	}
	C.pw_claim_free(c.p)
	c.p = nil
	d.done()
	if status != C.PW_OK {
		return false, takeError(status, &e)
	}
	return bool(kept), nil
}
