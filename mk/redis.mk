# Redis for the test run: `redis-server` installs the Debian package when the binary is
# missing; scripts/with-redis.sh CMD... starts a throwaway server (no persistence) on a free
# 127.0.0.1 port, exports PALISADE_TEST_REDIS_URL and PALISADE_TEST_REDIS_SERVER, runs CMD and
# always stops the server. Any suite that needs Redis: depend on `redis-server`, run under
# $(WITH_REDIS).

WITH_REDIS := bash $(ROOT)/scripts/with-redis.sh

.PHONY: redis-server bench-stores

redis-server:
	@if ! command -v redis-server >/dev/null 2>&1; then \
		echo "installing redis-server (Debian package)"; \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get -o DPkg::Lock::Timeout=600 update; \
		apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends redis-server; \
	fi

# The Rust tests of the Redis store need the server.
test-rust: redis-server

# claim + complete throughput of the memory, SQLite and Redis idempotency stores on their own
# (`make bench` includes the same figures in its table).
bench-stores: redis-server
	$(WITH_REDIS) $(CARGO) run --release -p palisade-webhooks --example store_throughput
