# `make bench`: builds every contender, then bench/run.py runs them in interleaved rounds on this
# machine and prints tables of medians and ratios (also written to bench/results.json, and drawn
# as a bar chart in bench/results.svg): the Rust core vs `openssl speed`, each binding vs its
# language's own crypto and the documentation's snippet, the drop-in `verify_webhook` (warm,
# first and second call), each binding over the core, 2-thread scaling in every language,
# per-key memory, key preparation time, and the idempotency stores' throughput.
BENCH_TARGETS += bench-run

.PHONY: bench-run bench-rust-build

bench-rust-build:
	$(CARGO) build --release -p palisade-webhooks --examples

bench-run: bench-rust-build redis-server node-build bench-go-build bench-python-setup
	$(WITH_REDIS) python3 bench/run.py $(BENCH_ARGS)
