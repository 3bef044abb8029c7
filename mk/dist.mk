# `make dist`: the packages users install, with no Rust toolchain on their side, written to dist/:
#   dist/python/   abi3 wheel for CPython >= 3.10, manylinux2014 x86_64 (glibc >= 2.17), + sdist
#   dist/npm/      palisade-webhooks (main package) + palisade-webhooks-linux-x64-gnu (its addon)
#   dist/goproxy/  a Go module proxy tree for bindings-go, its zip carrying the linux/amd64
#                  static library (GOPROXY=file://$(ROOT)/dist/goproxy go get ...)
# Built with the `dist` Cargo profile (fat LTO, one codegen unit, stripped), linked by zig for
# glibc 2.17 (maturin --zig for the wheel, cargo-zigbuild for the addon and the Go library; the
# tools come from PyPI into target/dist-tools). `make dist` ends by printing the sizes and fails
# when one is over its budget.
#
# `make test-dist` (part of `make test`) installs each artifact outside the checkout, with no
# cargo or rustc on PATH, using the ecosystem's own command, and runs a smoke program per
# language against the installed package (tests/dist/run.py).
TEST_TARGETS += test-dist

DIST_DIR := $(ROOT)/dist
DIST_TOOLS := $(ROOT)/target/dist-tools/venv
DIST_PATH := $(DIST_TOOLS)/bin:$(PATH)
# glibc 2.17 symbol versions for everything zig links or compiles (the SQLite C code included).
DIST_TRIPLE := x86_64-unknown-linux-gnu
DIST_ZIG_TARGET := $(DIST_TRIPLE).2.17
DIST_NATIVE := $(ROOT)/target/$(DIST_TRIPLE)/dist
DIST_STAGE := $(ROOT)/target/dist-stage
# The wheel has its own target directory: maturin's zig wrapper differs from cargo-zigbuild's,
# and sharing one directory would rebuild every dependency on each switch.
DIST_PY_TARGET := $(ROOT)/target/dist-python

.PHONY: dist dist-tools dist-python dist-npm dist-goproxy test-dist

$(DIST_TOOLS)/.installed: scripts/dist/requirements.txt
	@command -v python3 >/dev/null || { apt-get update && apt-get install -y python3 python3-venv; }
	@python3 -m venv $(DIST_TOOLS) || { apt-get update && apt-get install -y python3-venv \
	  && rm -rf $(DIST_TOOLS) && python3 -m venv $(DIST_TOOLS); }
	$(DIST_TOOLS)/bin/python -m pip install --quiet --disable-pip-version-check -r scripts/dist/requirements.txt
	touch $@

dist-tools: $(DIST_TOOLS)/.installed

dist: dist-python dist-npm dist-goproxy
	python3 scripts/dist/package.py report

dist-python: dist-tools
	rm -rf $(DIST_DIR)/python
	cd bindings-python && PATH=$(DIST_PATH) CARGO_TARGET_DIR=$(DIST_PY_TARGET) maturin build --quiet \
		--profile dist --zig --compatibility manylinux2014 --strip --out $(DIST_DIR)/python
	cd bindings-python && PATH=$(DIST_PATH) maturin sdist --out $(DIST_DIR)/python

dist-npm: dist-tools node-toolchain
	PATH=$(DIST_PATH) cargo-zigbuild zigbuild --profile dist --target $(DIST_ZIG_TARGET) -p palisade-webhooks-node
	python3 scripts/dist/package.py npm \
		--addon linux-x64-gnu=$(DIST_NATIVE)/libpalisade_webhooks_node.so

# The crate is both a staticlib and an rlib; built as a staticlib alone here, so that LTO
# applies to it (with the rlib alongside it does not): 8 MB instead of 30 MB once stripped.
# Debug info is stripped; the symbols stay, the user's linker needs them.
dist-goproxy: dist-tools
	PATH=$(DIST_PATH) cargo-zigbuild rustc --profile dist --target $(DIST_ZIG_TARGET) \
		-p palisade-webhooks-ffi --crate-type staticlib
	@mkdir -p $(DIST_STAGE)
	strip --strip-debug -o $(DIST_STAGE)/libpalisade_webhooks_ffi_linux_amd64.a \
		$(DIST_NATIVE)/libpalisade_webhooks_ffi.a
	python3 scripts/dist/package.py goproxy --lib $(DIST_STAGE)/libpalisade_webhooks_ffi_linux_amd64.a

test-dist: dist go-toolchain node-toolchain python-env
	$(PY_MYPY) --strict scripts/dist/package.py tests/dist/run.py
	python3 tests/dist/run.py
