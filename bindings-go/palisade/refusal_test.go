package palisade_test

// Refusal messages never quote unauthenticated input: for each error code, hostile input
// carrying a marker (often hundreds of kilobytes of it) gives a message of at most 200
// characters that does not contain the marker.

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/palisade-webhooks/palisade-webhooks/bindings-go/palisade"
)

const (
	marker          = "PWNMARKER"
	maxMessageChars = 200
)

func huge(size int) string { return strings.Repeat(marker, size/len(marker)+1) }

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// checkRefusal checks an error's code and message, and returns the message.
func checkRefusal(t *testing.T, code palisade.ErrorCode, err error) string {
	t.Helper()
	var perr *palisade.Error
	if !errors.As(err, &perr) {
		t.Fatalf("expected %s, got %v", code, err)
	}
	m := perr.Message
	short := m
	if len(short) > 300 {
		short = short[:300]
	}
	if perr.Code != code {
		t.Fatalf("expected %s, got %s: %s", code, perr.Code, short)
	}
	if n := utf8.RuneCountInString(m); n == 0 || n > maxMessageChars {
		t.Errorf("%s: %d characters: %s", code, n, short)
	}
	if strings.Contains(m, marker) {
		t.Errorf("%s quotes the input: %s", code, short)
	}
	if strings.HasSuffix(m, "…") {
		t.Errorf("%s: cut by the backstop, not short as written: %s", code, m)
	}
	return m
}

// signedEnvelope is an envelope around any payload string, signed by s.
func signedEnvelope(t *testing.T, domain, payload string) ([]byte, http.Header) {
	t.Helper()
	s := newSigner(t, 61)
	body, err := json.Marshal(map[string]string{"domain": domain, "payload": payload})
	if err != nil {
		t.Fatal(err)
	}
	return body, http.Header{"Signature": {s.Sign(payload)}}
}

var refusalCodes = map[palisade.ErrorCode]bool{}

func refusalTest(t *testing.T, code palisade.ErrorCode, fn func(t *testing.T)) {
	refusalCodes[code] = true
	t.Run(string(code), fn)
}

func TestRefusalMessages(t *testing.T) {
	s := newSigner(t, 61)
	wh := newWebhook(t, []string{s.PublicKey()})

	refusalTest(t, palisade.CodeMissingSignature, func(t *testing.T) {
		body, _ := json.Marshal(map[string]string{"payload": huge(1000), "domain": huge(300_000)})
		for _, h := range []http.Header{{}, {"Signature": {"  "}}, {huge(10_000): {huge(10_000)}}} {
			_, err := wh.Verify(body, h)
			checkRefusal(t, palisade.CodeMissingSignature, err)
		}
	})

	refusalTest(t, palisade.CodeMalformedSignature, func(t *testing.T) {
		body, _ := signedEnvelope(t, "WALLET", b64(`{"id":"w"}`))
		for _, sig := range []string{huge(400_000), marker + "$", marker + "-_", b64(huge(60))} {
			_, err := wh.Verify(body, http.Header{"Signature": {sig}})
			checkRefusal(t, palisade.CodeMalformedSignature, err)
		}
	})

	refusalTest(t, palisade.CodeInvalidSignature, func(t *testing.T) {
		_, h := signedEnvelope(t, "WALLET", "e30=")
		body, _ := json.Marshal(map[string]string{"domain": huge(300_000), "payload": b64(huge(300_000))})
		_, err := wh.Verify(body, h)
		checkRefusal(t, palisade.CodeInvalidSignature, err)
		var keys []string
		for i := 0; i < 12; i++ {
			keys = append(keys, newSigner(t, uint64(100+i)).PublicKey())
		}
		_, err = newWebhook(t, keys).Verify(body, h)
		if m := checkRefusal(t, palisade.CodeInvalidSignature, err); !strings.Contains(m, "and 9 more") {
			t.Errorf("rotation list: %s", m)
		}
	})

	refusalTest(t, palisade.CodeInvalidPublicKey, func(t *testing.T) {
		label := fmt.Sprintf("-----BEGIN %s-----\nAAAA\n-----END %s-----\n", huge(10_000), huge(10_000))
		for _, key := range []string{huge(400_000), marker + "!", label} {
			_, err := palisade.NewWebhook([]string{key})
			checkRefusal(t, palisade.CodeInvalidPublicKey, err)
			_, err = palisade.NewWebhook([]string{s.PublicKey(), key})
			if m := checkRefusal(t, palisade.CodeInvalidPublicKey, err); !strings.HasPrefix(m, "key #2: ") {
				t.Errorf("position not named: %s", m)
			}
		}
	})

	// Go hands the SDK raw bytes only, so nothing can cause ERR_BODY_NOT_RAW here: the code
	// exists for errors.Is (its sentinel, generated from the core, matches by code and carries
	// no message of its own); the core's own test covers the message rule for this code.
	refusalTest(t, palisade.CodeBodyNotRaw, func(t *testing.T) {
		err := &palisade.Error{Code: palisade.CodeBodyNotRaw, Message: "the body was not raw bytes"}
		if !errors.Is(err, palisade.ErrBodyNotRaw) {
			t.Fatalf("errors.Is does not match %v with ErrBodyNotRaw", err)
		}
		if n := utf8.RuneCountInString(palisade.ErrBodyNotRaw.Error()); n == 0 || n > maxMessageChars {
			t.Errorf("ErrBodyNotRaw.Error() has %d characters", n)
		}
	})

	refusalTest(t, palisade.CodeBodyTooLarge, func(t *testing.T) {
		small := newWebhook(t, []string{s.PublicKey()}, palisade.WithMaxBodyBytes(1000))
		_, err := small.Verify([]byte(huge(100_000)), http.Header{"Signature": {huge(1000)}})
		checkRefusal(t, palisade.CodeBodyTooLarge, err)
		// Through the Handler: the 413 answer's message, from the size-limited read.
		rcv, err := palisade.NewReceiver(small, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer rcv.Close()
		h := palisade.Handler(rcv, func(*http.Request, *palisade.Event) error { return nil })
		req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader([]byte(huge(100_000))))
		rec := serve(h, req)
		var answer struct{ Error, Message string }
		if err := json.Unmarshal(rec.Body.Bytes(), &answer); err != nil || rec.Code != http.StatusRequestEntityTooLarge {
			t.Fatalf("handler: %d %v", rec.Code, err)
		}
		checkRefusal(t, palisade.CodeBodyTooLarge, &palisade.Error{Code: palisade.ErrorCode(answer.Error), Message: answer.Message})
	})

	refusalTest(t, palisade.CodeMalformedEnvelope, func(t *testing.T) {
		key := huge(400_000)
		_, h := signedEnvelope(t, "WALLET", "e30=")
		for _, body := range []string{
			// A 400 KB key given twice, before any signature check.
			`{"` + key + `":1,"payload":"e30=","` + key + `":2}`,
			`{"payload":"e30=","payload":"` + key + `"}`,
			`{"payload":5,"` + key + `":1}`,
			`{"domain":["` + key + `"],"payload":"e30="}`,
			`{"` + key + `":1}`,
			`["` + key + `"]`,
			`{"payload":"` + key,
			`{"payload":"e30=","x":"` + key + "\xff\"}",
		} {
			_, err := wh.Verify([]byte(body), h)
			checkRefusal(t, palisade.CodeMalformedEnvelope, err)
		}
	})

	refusalTest(t, palisade.CodeMalformedPayload, func(t *testing.T) {
		m := huge(100_000)
		for _, payload := range []string{
			marker + "!!",
			b64(m),
			b64(`["` + m + `"]`),
			b64(`{"id":{"` + m + `":1}}`),
			b64(`{"id":"x","asset":"` + m + `, expected ` + m + ` at line 1"}`),
			b64(`{"id":"x","qty":["` + m + `"]}`),
			b64(`{"` + m + `":1}`),
		} {
			body, h := signedEnvelope(t, "TRANSACTION", payload)
			_, err := wh.Verify(body, h)
			checkRefusal(t, palisade.CodeMalformedPayload, err)
		}
		_, err := palisade.ParseEvent([]byte(`{"` + m + `":1}`))
		checkRefusal(t, palisade.CodeMalformedPayload, err)
	})

	refusalTest(t, palisade.CodeStaleEvent, func(t *testing.T) {
		strict := newWebhook(t, []string{s.PublicKey()}, palisade.WithMaxAge(time.Minute))
		m := huge(100_000)
		for _, resource := range []map[string]string{
			{"id": m, "updatedAt": m},
			{"id": m, "updatedAt": "2020-01-01T00:00:00Z", "x": m},
			{"id": m},
		} {
			d := delivery(t, s, "WALLET", resource)
			_, err := strict.Verify(d.Body, d.Header)
			checkRefusal(t, palisade.CodeStaleEvent, err)
		}
	})

	refusalTest(t, palisade.CodeStoreUnavailable, func(t *testing.T) {
		// A closed port, with a password in the URL: the URL is never quoted.
		url := fmt.Sprintf("redis://user:%s@127.0.0.1:%d/0", huge(300), closedPort(t))
		_, err := palisade.NewRedisStore(url, palisade.WithConnectTimeout(300*time.Millisecond))
		checkRefusal(t, palisade.CodeStoreUnavailable, err)
		_, err = palisade.NewRedisStore("redis://" + huge(300) + "[/")
		checkRefusal(t, palisade.CodeStoreUnavailable, err)

		// A server that goes away after the store connected: the key claimed is not quoted.
		redisURL(t)
		srv := &redisServer{bin: os.Getenv("PALISADE_TEST_REDIS_SERVER"), dir: t.TempDir(), port: closedPort(t)}
		srv.start(t)
		defer srv.stop()
		store, err := palisade.NewRedisStore(fmt.Sprintf("redis://127.0.0.1:%d/0", srv.port),
			palisade.WithTimeout(300*time.Millisecond), palisade.WithConnectTimeout(300*time.Millisecond))
		if err != nil {
			t.Fatal(err)
		}
		dedup := newDedup(t, store)
		store.Close()
		srv.stop()
		e := verifiedEvent(t, s, wh, huge(100_000))
		_, err = dedup.Process(context.Background(), e, func(context.Context) error { return nil })
		checkRefusal(t, palisade.CodeStoreUnavailable, err)
	})

	var covered []string
	for code := range refusalCodes {
		covered = append(covered, string(code))
	}
	sort.Strings(covered)
	want := []string{}
	for _, code := range []palisade.ErrorCode{palisade.CodeMissingSignature, palisade.CodeMalformedSignature,
		palisade.CodeInvalidSignature, palisade.CodeInvalidPublicKey, palisade.CodeBodyNotRaw,
		palisade.CodeBodyTooLarge, palisade.CodeMalformedEnvelope, palisade.CodeMalformedPayload,
		palisade.CodeStaleEvent, palisade.CodeStoreUnavailable} {
		want = append(want, string(code))
	}
	sort.Strings(want)
	if strings.Join(covered, ",") != strings.Join(want, ",") {
		t.Fatalf("codes covered: %v, want %v", covered, want)
	}
}
