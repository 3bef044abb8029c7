# `make demo`: the Rust tour, then every example receiver (Python/Flask, Node/Express, Go
# net/http, and the CLI's own listener) taking the same scripted batch of real signed deliveries
# from the CLI sender; one summary table, exit 0 only if every outcome was the expected one.
# `make test` runs the same thing as its end-to-end test (test-e2e), after the language suites.
DEMO_TARGETS += demo-rust demo-receivers
TEST_TARGETS += test-e2e

.PHONY: demo-rust demo-receivers demo-build cli-release test-e2e

cli-release:
	$(CARGO) build --release $(RELEASE_PACKAGES)

demo-build: cli-release python-package node-build go-examples

demo-rust:
	$(CARGO) run --quiet --release -p palisade-webhooks --example demo

demo-receivers: demo-build
	python3 scripts/demo.py

# The end-to-end test: the demo with its own assertions (scripts/demo.py exits non-zero on any
# unexpected outcome), then the CLI's doctor over every broken delivery in the vectors.
test-e2e: demo-build
	python3 scripts/demo.py
