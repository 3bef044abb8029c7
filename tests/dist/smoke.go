// Smoke test of the Go module as fetched through a module proxy (run by tests/dist/run.py in a
// fresh module). A palisadetest delivery is verified, a tampered one is refused with its code,
// and palisade.Handler answers both over real HTTP on 127.0.0.1. Prints one JSON line of facts
// the runner checks.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"

	"github.com/palisade-webhooks/palisade-webhooks/bindings-go/palisade"
	"github.com/palisade-webhooks/palisade-webhooks/bindings-go/palisade/palisadetest"
)

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "smoke: "+format+"\n", args...)
	os.Exit(1)
}

func main() {
	signer, err := palisadetest.Generate()
	if err != nil {
		fail("Generate: %v", err)
	}
	defer signer.Close()
	wh, err := palisade.NewWebhook([]string{signer.PublicKey()})
	if err != nil {
		fail("NewWebhook: %v", err)
	}
	defer wh.Close()
	resource := func(id string) map[string]any {
		return map[string]any{"id": id, "status": "CONFIRMED", "updatedAt": "2025-05-08T14:15:37Z"}
	}
	good, err := signer.Delivery("TRANSACTION", resource("tx-1"))
	if err != nil {
		fail("Delivery: %v", err)
	}
	other, err := signer.Delivery("TRANSACTION", resource("tx-2"))
	if err != nil {
		fail("Delivery: %v", err)
	}

	event, err := wh.Verify(good.Body, good.Header)
	if err != nil || event.Domain != "TRANSACTION" || event.IdempotencyKey != "TRANSACTION/tx-1/2025-05-08T14:15:37Z" {
		fail("Verify: %+v, %v", event, err)
	}
	// Another delivery's body under this one's signature: well-formed, but not what was signed.
	_, err = wh.Verify(other.Body, good.Header)
	var perr *palisade.Error
	if !errors.Is(err, palisade.ErrInvalidSignature) || !errors.As(err, &perr) {
		fail("tampered delivery: %v", err)
	}

	var seen []string
	rcv, err := palisade.NewReceiver(wh, nil)
	if err != nil {
		fail("receiver: %v", err)
	}
	defer rcv.Close()
	handler := palisade.Handler(rcv, func(r *http.Request, e *palisade.Event) error {
		seen = append(seen, e.IdempotencyKey)
		return nil
	})
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fail("listen: %v", err)
	}
	server := &http.Server{Handler: handler}
	go server.Serve(listener)
	defer server.Close()
	url := "http://" + listener.Addr().String() + "/webhooks/palisade"
	post := func(body []byte) (int, map[string]string) {
		req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
		req.Header = good.Header.Clone()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			fail("POST: %v", err)
		}
		defer resp.Body.Close()
		raw, err := io.ReadAll(resp.Body)
		if err != nil {
			fail("answer: %v", err)
		}
		answer := map[string]string{}
		if err := json.Unmarshal(raw, &answer); err != nil {
			fail("answer %q: %v", raw, err)
		}
		return resp.StatusCode, answer
	}
	okStatus, okBody := post(good.Body)
	badStatus, badBody := post(other.Body)
	if okStatus != 200 || okBody["status"] != "processed" || len(seen) != 1 || seen[0] != event.IdempotencyKey {
		fail("good delivery over HTTP: %d %v (handler saw %v)", okStatus, okBody, seen)
	}
	if badStatus != 401 || badBody["error"] != "ERR_INVALID_SIGNATURE" {
		fail("tampered delivery over HTTP: %d %v", badStatus, badBody)
	}

	out, _ := json.Marshal(map[string]any{
		"version":  palisade.Version(),
		"tampered": perr.Code,
		"http":     []int{okStatus, badStatus},
	})
	fmt.Println(string(out))
}
