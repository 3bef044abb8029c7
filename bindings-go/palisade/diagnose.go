package palisade

import (
	"encoding/json"
	"fmt"
	"net/http"
	"runtime"
)

// Diagnosis is the core's explanation of a delivery under one key: what the CLI's doctor
// prints, for your own debugging.
type Diagnosis struct {
	// KeyFingerprint identifies the key this diagnosis is for.
	KeyFingerprint string `json:"key_fingerprint"`
	// Verifies is true when the delivery verifies with the default options.
	Verifies bool `json:"verifies"`
	// Digest is the digest construction the signature matches ("sha256", "sha256-double"), or
	// "" when none does.
	Digest string `json:"digest"`
	// Error is the code a default Webhook gives for the delivery, or "" when it verifies.
	Error ErrorCode `json:"error"`
	// Cause is the likely cause, in one sentence, with what to do about it.
	Cause string `json:"cause"`
	// Checks are the steps run, in order, each with its result.
	Checks []DiagnosisCheck `json:"checks"`
}

// DiagnosisCheck is one step of a diagnosis.
type DiagnosisCheck struct {
	// Name is what was checked ("public key", "signature header", "envelope", ...).
	Name string `json:"name"`
	// OK is whether it passed.
	OK bool `json:"ok"`
	// Detail is what was found.
	Detail string `json:"detail"`
}

// Diagnose explains a delivery (the raw body and the request's headers) under each of the
// webhook's keys, in order: whether it verifies, and if not why (the wrong key, a
// re-encoded signature, a body re-serialised by a framework, another digest construction...).
// It runs several verifications per key: call it to debug a refused delivery, not on every
// request.
func (w *Webhook) Diagnose(body []byte, h http.Header) ([]Diagnosis, error) {
	data, ferr := w.h.Diagnose(body, h)
	runtime.KeepAlive(w)
	if ferr != nil {
		return nil, errorFrom(ferr)
	}
	var out []Diagnosis
	if err := json.Unmarshal(data, &out); err != nil {
		return nil, fmt.Errorf("palisade: the diagnosis could not be read: %w", err)
	}
	return out, nil
}
