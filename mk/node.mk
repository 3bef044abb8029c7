# The Node.js SDK (bindings-node): npm ci, native build from source, node --test (under a
# throwaway redis-server for the RedisStore tests: see mk/redis.mk; it also runs every README
# block and checks lib/codes.* and lib/resources.d.ts against `cargo run --example codegen_node`),
# tsc over the typed layer and examples/node. `make bench-node` runs bench/node_bench.js on its own.
TEST_TARGETS += test-node

NODE_DIR := $(ROOT)/bindings-node

.PHONY: test-node node-toolchain node-build bench-node

node-toolchain:
	@if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then \
		apt-get update && apt-get install -y nodejs npm; \
	fi
	@node -e 'const [major] = process.versions.node.split(".").map(Number); if (major < 18) { console.error(`Node.js >= 18 is required, found ${process.version}`); process.exit(1) }'

node-build: node-toolchain
	cd $(NODE_DIR) && npm ci --no-audit --no-fund && npm run build

test-node: node-build redis-server
	cd $(NODE_DIR) && $(WITH_REDIS) npm test && npm run typecheck

bench-node: node-build
	node $(ROOT)/bench/node_bench.js $(or $(NODE_BENCH_SECONDS),2)
