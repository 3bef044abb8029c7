// Command profile is a fixed amount of Go SDK work for profilers, the Go counterpart of the
// core's core/examples/profile.rs: N full deliveries of the benchmark's TRANSACTION resource.
//
// Timings are noisy on a shared machine; instruction counts are not. Run it under
// `valgrind --tool=callgrind` with N and with 0 and take the difference per delivery, then
// compare with the core's figure from profile.rs (same resource, same key seed). One P and no
// asynchronous preemption: callgrind serialises threads, so idle Ps spin and inflate the count
// many times over, and it cannot deliver the preemption signal (it aborts):
//
//	cd bench/go && go build -o go_profile ./profile
//	export GOMAXPROCS=1 GODEBUG=asyncpreemptoff=1
//	valgrind --tool=callgrind ./go_profile 2000 verify
//	valgrind --tool=callgrind ./go_profile 0 verify
//
// Modes: verify (wh.Verify), typed (wh.Verify then e.Transaction()), crypto (what a user
// writes with crypto/ecdsa + encoding/json, key parsed once), parallel (verify on two
// goroutines, N each, for `perf record`).
package main

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"sync"

	"github.com/palisade-webhooks/palisade-webhooks/bench/go/contenders"
)

var sink int

func run() error {
	n := 1000
	mode := "verify"
	if len(os.Args) > 1 {
		v, err := strconv.Atoi(os.Args[1])
		if err != nil || v < 0 {
			return fmt.Errorf("usage: %s [N] [verify|typed|crypto|parallel]", os.Args[0])
		}
		n = v
	}
	if len(os.Args) > 2 {
		mode = os.Args[2]
	}
	f, err := contenders.NewFixture()
	if err != nil {
		return err
	}
	defer f.Close()
	d, wh, pub := f.Delivery, f.Webhook, f.Key

	verify := func() error {
		e, err := wh.Verify(d.Body, d.Header)
		if err != nil {
			return err
		}
		sink += len(e.IdempotencyKey)
		return nil
	}
	typed := func() error {
		e, err := wh.Verify(d.Body, d.Header)
		if err != nil {
			return err
		}
		tx, ok := e.Transaction()
		if !ok {
			return errors.New("no transaction")
		}
		sink += len(tx.ID)
		return nil
	}
	crypto := func() error {
		r, err := contenders.VerifyWithCrypto(pub, d.Body, d.Header)
		sink += len(r)
		return err
	}
	var op func() error
	switch mode {
	case "verify", "parallel":
		op = verify
	case "typed":
		op = typed
	case "crypto":
		op = crypto
	default:
		return fmt.Errorf("unknown mode %q (verify, typed, crypto, parallel)", mode)
	}
	// Outside the counted loop: the first call (lazy statics, type caches, pools).
	if err := op(); err != nil {
		return err
	}
	workers := 1
	if mode == "parallel" {
		workers = 2
	}
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < n; i++ {
				if err := op(); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	return <-errs
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "profile:", err)
		os.Exit(1)
	}
}
