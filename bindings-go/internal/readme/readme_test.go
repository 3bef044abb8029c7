// Package readme runs every Go block of bindings-go/README.md, so that what the README shows
// works as pasted: each block is a complete file, vetted (so compiled) in a module of its own
// that uses this checkout; a block holding tests is run; and the blocks listed in checks get
// behaviour tests of their own, run against the block's code.
package readme

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// check is a behaviour test for the README block that declares `declares`.
type check struct {
	declares string
	test     string
}

const imports = `
import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/palisade-webhooks/palisade-webhooks/bindings-go/palisade"
	"github.com/palisade-webhooks/palisade-webhooks/bindings-go/palisade/palisadetest"
)

var _ = io.EOF

func post(t *testing.T, url string, body io.Reader, length int64, header http.Header) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, body)
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = length
	req.Header = header
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	got, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(got)
}

// chunked is a body of n bytes without a declared length.
func chunked(n int) io.Reader { return io.MultiReader(strings.NewReader(strings.Repeat(" ", n))) }
`

var checks = []check{
	{
		// Verifying by hand: an oversize body, declared or not, is 413 (not a 400).
		declares: "func Receive(wh *palisade.Webhook) http.HandlerFunc",
		test: `package receiver
` + imports + `
func TestReadmeReceive(t *testing.T) {
	signer, _ := palisadetest.FromSeed(1)
	defer signer.Close()
	wh, err := palisade.NewWebhook([]string{signer.PublicKey()}, palisade.WithMaxBodyBytes(1024))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(Receive(wh))
	defer srv.Close()
	d, _ := signer.Delivery("WALLET", ` + "`" + `{"id":"w1","updatedAt":"2025-04-08T11:48:56Z"}` + "`" + `)
	if code, body := post(t, srv.URL, strings.NewReader(string(d.Body)), int64(len(d.Body)), d.Header); code != 200 {
		t.Fatalf("valid: %d %s", code, body)
	}
	for _, length := range []int64{-1, 4096} {
		if code, body := post(t, srv.URL, chunked(4096), length, d.Header); code != 413 || !strings.Contains(body, "ERR_BODY_TOO_LARGE") {
			t.Fatalf("oversize (length %d): %d %s", length, code, body)
		}
	}
	if code, _ := post(t, srv.URL, strings.NewReader(string(d.Body)), -1, http.Header{}); code != 401 {
		t.Fatalf("unsigned: %d", code)
	}
}
`,
	},
	{
		// Your own adapter answers what the receiver decides.
		declares: "func Serve(rcv *palisade.Receiver, process func(*palisade.Event) error) http.HandlerFunc",
		test: `package receiver
` + imports + `
func TestReadmeServe(t *testing.T) {
	signer, _ := palisadetest.FromSeed(2)
	defer signer.Close()
	wh, _ := palisade.NewWebhook([]string{signer.PublicKey()}, palisade.WithMaxBodyBytes(1024))
	dedup, _ := palisade.NewDeduplicator(nil)
	rcv, err := palisade.NewReceiver(wh, dedup)
	if err != nil {
		t.Fatal(err)
	}
	fail := true
	runs := 0
	srv := httptest.NewServer(Serve(rcv, func(e *palisade.Event) error {
		runs++
		if fail {
			fail = false
			return io.ErrUnexpectedEOF
		}
		return nil
	}))
	defer srv.Close()
	d, _ := signer.Delivery("WALLET", ` + "`" + `{"id":"w1","updatedAt":"2025-04-08T11:48:56Z"}` + "`" + `)
	for i, want := range []string{` + "`" + `{"error":"ERR_HANDLER_FAILED","message":"the handler failed; the delivery will be retried"}` + "`" + `,
		` + "`" + `{"status":"processed"}` + "`" + `, ` + "`" + `{"status":"duplicate"}` + "`" + `} {
		if _, body := post(t, srv.URL, strings.NewReader(string(d.Body)), -1, d.Header); body != want {
			t.Fatalf("delivery %d: %s, expected %s", i, body, want)
		}
	}
	if runs != 2 {
		t.Fatalf("the handler ran %d times", runs)
	}
	if code, body := post(t, srv.URL, chunked(4096), -1, d.Header); code != 413 || !strings.Contains(body, "ERR_BODY_TOO_LARGE") {
		t.Fatalf("oversize: %d %s", code, body)
	}
	req, _ := http.NewRequest(http.MethodPut, srv.URL, strings.NewReader(string(d.Body)))
	res, err := http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != 405 || res.Header.Get("Allow") != "POST" {
		t.Fatalf("PUT: %v %v", res, err)
	}
	res.Body.Close()
}
`,
	},
	{
		// The documentation's function: true for a genuine signature, false for anything else.
		declares: "func VerifyWebhook(publicKeyB64, signatureB64, payloadB64 string) bool",
		test: `package receiver
` + imports + `
func TestReadmeVerifyWebhook(t *testing.T) {
	signer, _ := palisadetest.Generate()
	defer signer.Close()
	d, _ := signer.Delivery("TRANSACTION", ` + "`" + `{"id":"tx-1"}` + "`" + `)
	if !VerifyWebhook(signer.PublicKey(), d.Signature, d.Payload) {
		t.Fatal("a genuine delivery was refused")
	}
	if VerifyWebhook(signer.PublicKey(), d.Signature, d.Payload+"x") || VerifyWebhook("not a key", d.Signature, d.Payload) {
		t.Fatal("accepted a tampered payload or a garbage key")
	}
	_ = httptest.NewRecorder
	_ = palisade.Version
}
`,
	},
}

// block is one fenced Go block of the README and the line it starts on.
type block struct {
	line int
	code string
}

func goBlocks(readme string) []block {
	var blocks []block
	var cur *block
	var body []string
	for i, line := range strings.Split(readme, "\n") {
		switch {
		case cur == nil && strings.TrimSpace(line) == "```go":
			cur, body = &block{line: i + 1}, nil
		case cur != nil && strings.TrimSpace(line) == "```":
			cur.code = strings.Join(body, "\n") + "\n"
			blocks = append(blocks, *cur)
			cur = nil
		case cur != nil:
			body = append(body, line)
		}
	}
	return blocks
}

func goTool() string {
	if bin := filepath.Join(runtime.GOROOT(), "bin", "go"); fileExists(bin) {
		return bin
	}
	return "go"
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

func TestReadmeGoBlocks(t *testing.T) {
	module, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile(filepath.Join(module, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	blocks := goBlocks(string(readme))
	if len(blocks) < 8 {
		t.Fatalf("only %d Go blocks in the README", len(blocks))
	}
	var mu sync.Mutex
	used := make([]bool, len(checks))
	t.Run("blocks", func(t *testing.T) {
		for _, b := range blocks {
			t.Run(fmt.Sprintf("line%d", b.line), func(t *testing.T) {
				t.Parallel()
				if !strings.HasPrefix(b.code, "package ") {
					t.Fatalf("README.md:%d: a Go block must be a complete file (package clause, imports), as pasted", b.line)
				}
				dir := t.TempDir()
				gomod := fmt.Sprintf("module readme.example/block\n\ngo 1.22\n\n"+
					"require github.com/palisade-webhooks/palisade-webhooks/bindings-go v0.0.0\n\n"+
					"replace github.com/palisade-webhooks/palisade-webhooks/bindings-go => %s\n", module)
				write(t, filepath.Join(dir, "go.mod"), gomod)
				name, tests := "block.go", false
				if strings.Contains(b.code, "\nfunc Test") {
					name, tests = "block_test.go", true
				}
				write(t, filepath.Join(dir, name), b.code)
				for i, c := range checks {
					if strings.Contains(b.code, c.declares) {
						write(t, filepath.Join(dir, fmt.Sprintf("check%d_test.go", i)), c.test)
						tests = true
						mu.Lock()
						used[i] = true
						mu.Unlock()
					}
				}
				run(t, b, dir, "vet", "./...")
				if tests {
					run(t, b, dir, "test", "-count=1", "./...")
				}
			})
		}
	})
	for i, c := range checks {
		if !used[i] {
			t.Errorf("no README block declares %q any more: update the README or its check", c.declares)
		}
	}
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func run(t *testing.T, b block, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command(goTool(), args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("README.md:%d: go %s: %v\n%s\n--- the block ---\n%s", b.line, strings.Join(args, " "), err, out, b.code)
	}
}
