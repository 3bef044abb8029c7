# palisade-webhooks: `make demo` (the main job) and `make test` (everything).
# Each target installs what it needs first, so both work on a fresh machine.
# Per-language rules live in mk/*.mk; each adds its targets to TEST_TARGETS / DEMO_TARGETS /
# BENCH_TARGETS.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

ROOT := $(abspath .)
CARGO ?= cargo
export CARGO_TERM_COLOR ?= never

# The release builds that `make test` and `make demo` need, the CLI and the Go package's static
# library, come from one cargo command with the same package list every time: cargo unifies the
# dependencies' features over the packages it is given, so building the two apart would compile
# every shared dependency twice (~90 s on a fresh machine).
RELEASE_PACKAGES := -p palisade-webhooks-cli -p palisade-webhooks-ffi

TEST_TARGETS := test-rust
DEMO_TARGETS :=
BENCH_TARGETS :=

include $(sort $(wildcard mk/*.mk))

.PHONY: help test demo bench test-rust rust-lint
help:
	@echo "make demo   - example receivers verifying real signed deliveries"
	@echo "make test   - every test suite (Rust, Python, Node, Go, end-to-end)"
	@echo "make bench  - side-by-side benchmarks (writes bench/results.json)"
	@echo "make dist   - the packages users install, in dist/ (wheel, npm tarballs, Go module proxy)"

test: $(TEST_TARGETS)
	@echo "all test suites passed"

demo: $(DEMO_TARGETS)

bench: $(BENCH_TARGETS)

# The Rust core: unit, conformance and Wycheproof tests, lints and formatting.
# Property tests draw from a fixed seed in `make test`, so a run is reproducible; vary it
# (`make test-rust PROPTEST_RNG_SEED=...`, or unset it with `cargo test`) to explore further.
export PROPTEST_RNG_SEED ?= 20261129

# The exactly-once tests (the CLI's end-to-end test and the stores' threads/processes/fork
# tests) run on their own so their figures are shown. The second command builds exactly what the
# first did and selects the tests by name: selecting a package (`-p`) or a test target (`--test`)
# would make cargo unify the dependencies' features differently and compile ~30 of them again.
RUST_TEST_PACKAGES := --workspace --exclude palisade-webhooks-python --exclude palisade-webhooks-node
test-rust: rust-lint
	bash $(ROOT)/scripts/with-redis.sh $(CARGO) test $(RUST_TEST_PACKAGES) -- --skip exactly_once
	bash $(ROOT)/scripts/with-redis.sh $(CARGO) test $(RUST_TEST_PACKAGES) -- exactly_once --show-output

rust-lint:
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings
