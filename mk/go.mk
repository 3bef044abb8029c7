# The Go SDK (bindings-go): the static library with its C ABI, the committed cbindgen header and
# generated codes_gen.go and resources_gen.go (checked, not regenerated), go vet, go test -race
# over the package (vectors, the receiver vectors through net/http over 127.0.0.1, Wycheproof,
# crypto/ecdsa oracle, concurrency, the memory / SQLite / Redis stores against a real
# redis-server, every Go block of the README), short `go test -fuzz` runs, the examples, and a C
# program that exercises every export of the ABI under valgrind memcheck (zero errors, zero
# leaks). Those two sanitised runs link the library built with the system allocator
# (`go-lib-sysalloc`): the one users get allocates with mimalloc, which valgrind and
# AddressSanitizer cannot follow.
# `make bench-go-build` builds the Go benchmark (target/bench/go_bench) that bench/run.py runs.
TEST_TARGETS += test-go

GO ?= $(shell command -v go 2>/dev/null || echo /usr/local/go/bin/go)
GO_DIR := bindings-go
GO_EXAMPLES := examples/go
GO_LIB := $(ROOT)/target/release/libpalisade_webhooks_ffi.a
GO_NATIVE_LIBS := -lgcc_s -lutil -lrt -lpthread -lm -ldl
GO_OUT := $(ROOT)/target/go
# Go does not hash the static library it links, so a rebuilt library would not relink a cached
# test binary or example: stamp the link with the library's digest (computed when used).
go_stamp = -ldflags=-X=github.com/palisade-webhooks/palisade-webhooks/bindings-go/internal/ffi.libStamp=$$(sha256sum $(1) | cut -c1-16)
GO_LDFLAGS = $(call go_stamp,$(GO_LIB))
# The same library with the system allocator, for valgrind and AddressSanitizer.
GO_LIB_SYSALLOC := $(GO_OUT)/sysalloc/libpalisade_webhooks_ffi.a
GO_SYSALLOC_LDFLAGS = $(call go_stamp,$(GO_LIB_SYSALLOC))
# How many times a library defines mimalloc's entry point (0 or 1). The whole listing is counted:
# `grep -q` would stop nm early, a failure under pipefail. nm's stderr is dropped because it
# warns once per LLVM object it cannot list; a broken nm still fails the first check (count 1).
mimalloc_symbols = $$(nm $(1) 2>/dev/null | grep -c ' T mi_malloc$$')

# How long `make test` fuzzes each Go fuzz target (`make go-fuzz GO_FUZZTIME=10m` for longer).
GO_FUZZTIME ?= 10s
GO_FUZZ_TARGETS := FuzzVerify FuzzNewWebhook FuzzTypedResource
GO_BENCH_OUT := $(ROOT)/target/bench

.PHONY: go-asan test-go go-lib go-lib-sysalloc go-toolchain go-header-check go-vet go-unit \
	go-fuzz go-examples go-abi-memcheck bench-go-build

go-toolchain:
	@command -v $(GO) >/dev/null 2>&1 || { echo "installing Go (Debian package)"; \
		export DEBIAN_FRONTEND=noninteractive; apt-get -o DPkg::Lock::Timeout=600 update; \
		apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends golang-go; }
	@command -v cc >/dev/null 2>&1 || { export DEBIAN_FRONTEND=noninteractive; \
		apt-get -o DPkg::Lock::Timeout=600 update; \
		apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends gcc libc6-dev; }

# The static library the Go package links in the checkout, through the symbolic link
# internal/ffi/libpalisade_webhooks_ffi_linux_amd64.a (see bindings-go/README.md); built with the
# CLI (RELEASE_PACKAGES, in the Makefile).
go-lib:
	$(CARGO) build --release $(RELEASE_PACKAGES)

# Without the `mimalloc` feature, copied out of the way; then the default build again, so
# target/release holds the library users get (cargo keeps both builds: each step takes seconds).
go-lib-sysalloc: go-lib
	$(CARGO) build --release $(RELEASE_PACKAGES) --no-default-features \
		--features palisade-webhooks-ffi/sqlite,palisade-webhooks-ffi/redis
	@mkdir -p $(dir $(GO_LIB_SYSALLOC))
	cp $(GO_LIB) $(GO_LIB_SYSALLOC)
	$(CARGO) build --release $(RELEASE_PACKAGES)
	@test "$(call mimalloc_symbols,$(GO_LIB))" = 1 || { echo "$(GO_LIB) lacks mimalloc"; exit 1; }
	@test "$(call mimalloc_symbols,$(GO_LIB_SYSALLOC))" = 0 || { echo "$(GO_LIB_SYSALLOC) holds mimalloc"; exit 1; }

# Fails when include/palisade_webhooks.h differs from what cbindgen generates from src/, or
# palisade/codes_gen.go or resources_gen.go from what core/examples/codegen_go.rs prints (tests
# in bindings-go/tests/; test-rust runs the crate's unit tests). The tests are built as test-rust
# builds them and selected by name: `make test` has built them already, so this takes seconds
# instead of compiling the dependencies again for another feature set (see test-rust in the
# Makefile). The count guards against a renamed test matching nothing.
GO_GENERATED_TESTS := header_is_up_to_date go_codes_are_up_to_date go_resources_are_up_to_date
go-header-check:
	@mkdir -p $(GO_OUT)
	$(CARGO) test $(RUST_TEST_PACKAGES) -- --exact $(GO_GENERATED_TESTS) | tee $(GO_OUT)/generated.log
	@test "$$(grep -c '^test .* \.\.\. ok$$' $(GO_OUT)/generated.log)" = $(words $(GO_GENERATED_TESTS)) \
		|| { echo "expected $(words $(GO_GENERATED_TESTS)) passing tests: $(GO_GENERATED_TESTS)"; exit 1; }

go-vet: go-toolchain go-lib
	cd $(GO_DIR) && $(GO) vet ./...
	cd $(GO_EXAMPLES) && $(GO) vet ./...
	cd bench/go && $(GO) vet ./...

# The store tests need a real Redis: run under with-redis.sh (they fail without it).
go-unit: go-toolchain go-lib redis-server
	cd $(GO_DIR) && $(WITH_REDIS) $(GO) test -race -count=1 $(GO_LDFLAGS) ./...
	cd $(GO_EXAMPLES) && $(GO) test -race -count=1 $(GO_LDFLAGS) ./...

# Hostile input: each fuzz target for a short fixed time (seeds: tests/vectors/conformance.json).
go-fuzz: go-toolchain go-lib
	cd $(GO_DIR) && for target in $(GO_FUZZ_TARGETS); do \
		$(GO) test -count=1 $(GO_LDFLAGS) -run '^$$' -fuzz "^$$target\$$" \
			-fuzztime $(GO_FUZZTIME) ./palisade || exit 1; \
	done

# The example programs, built into target/go/ (make demo runs target/go/receiver).
go-examples: go-toolchain go-lib
	@mkdir -p $(GO_OUT)
	cd $(GO_EXAMPLES) && $(GO) build $(GO_LDFLAGS) -o $(GO_OUT)/receiver ./receiver
	cd $(GO_EXAMPLES) && $(GO) build $(GO_LDFLAGS) -o $(GO_OUT)/docs_snippet .

go-abi-memcheck: go-toolchain go-lib-sysalloc redis-server
	@command -v valgrind >/dev/null 2>&1 || { echo "installing valgrind (Debian package)"; \
		export DEBIAN_FRONTEND=noninteractive; apt-get -o DPkg::Lock::Timeout=600 update; \
		apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends valgrind; }
	@mkdir -p $(GO_OUT)
	cc -std=c11 -Wall -Wextra -Werror -g -O1 -I$(GO_DIR)/include $(GO_DIR)/ctest/abi_check.c \
		$(GO_LIB_SYSALLOC) $(GO_NATIVE_LIBS) -o $(GO_OUT)/abi_check
	RUST_BACKTRACE=0 $(WITH_REDIS) valgrind -q --leak-check=full --show-leak-kinds=definite,indirect,possible \
		--errors-for-leak-kinds=definite,indirect,possible --error-exitcode=1 $(GO_OUT)/abi_check

# The Go benchmark program (not part of `make test`): target/bench/go_bench SECONDS.
bench-go-build: go-toolchain go-lib
	@mkdir -p $(GO_BENCH_OUT)
	cd bench/go && $(GO) build $(GO_LDFLAGS) -o $(GO_BENCH_OUT)/go_bench .

test-go: go-header-check go-vet go-unit go-fuzz go-examples go-abi-memcheck go-asan

# The Go suite again under AddressSanitizer (`go test -asan`: Go, cgo and the Rust allocations it
# reaches through malloc are checked for invalid accesses and, at exit, for leaks), linked with
# the system-allocator library through the package's `palisade_ldflags` tag.
go-asan: go-toolchain go-lib-sysalloc redis-server
	cd $(GO_DIR) && CGO_LDFLAGS="$(GO_LIB_SYSALLOC) $(GO_NATIVE_LIBS)" $(WITH_REDIS) \
		$(GO) test -asan -tags palisade_ldflags -count=1 $(GO_SYSALLOC_LDFLAGS) ./...
