# The Node.js SDK (bindings-node): npm ci, native build from source, node --test, tsc over the
# typed layer and examples/node.
TEST_TARGETS += test-node

NODE_DIR := $(ROOT)/bindings-node

.PHONY: test-node node-toolchain node-build

node-toolchain:
	@if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then \
		apt-get update && apt-get install -y nodejs npm; \
	fi
	@node -e 'const [major] = process.versions.node.split(".").map(Number); if (major < 18) { console.error(`Node.js >= 18 is required, found ${process.version}`); process.exit(1) }'

node-build: node-toolchain
	cd $(NODE_DIR) && npm ci --no-audit --no-fund && npm run build

test-node: node-build
	cd $(NODE_DIR) && npm test && npm run typecheck
