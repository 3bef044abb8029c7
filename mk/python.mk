# The Python SDK (bindings-python): build and install the package into a venv exactly as a user
# would (`pip install ./bindings-python`, maturin fetched by pip as the build backend), then run
# its pytest suite (under a throwaway redis-server, for the Redis store tests), type-check the
# examples, the benchmark (its driver too) and the package with mypy --strict, and check the
# native module's stubs against the runtime. `make bench` gets the same venv and package for
# bench/python_bench.py.
TEST_TARGETS += test-python
BENCH_TARGETS += bench-python-setup

PYTHON ?= python3
PY_DIR := bindings-python
PY_VENV := $(PY_DIR)/.venv
PY_BIN := $(PY_VENV)/bin
PY_MYPY := MYPY_CACHE_DIR=/dev/null $(PY_BIN)/mypy

.PHONY: test-python python-env python-package bench-python-setup

# The venv and the pinned test/bench dependencies (re-installed when the pins change).
$(PY_VENV)/.deps-installed: $(PY_DIR)/tests/requirements.txt
	@command -v $(PYTHON) >/dev/null || { apt-get update && apt-get install -y python3 python3-venv; }
	@$(PYTHON) -m venv $(PY_VENV) || { apt-get update && apt-get install -y python3-venv \
	  && rm -rf $(PY_VENV) && $(PYTHON) -m venv $(PY_VENV); }
	$(PY_BIN)/python -m pip install --quiet --disable-pip-version-check -r $(PY_DIR)/tests/requirements.txt
	touch $@

python-env: $(PY_VENV)/.deps-installed

# The package, built from the working tree (cargo rebuilds only what changed).
python-package: python-env
	$(PY_BIN)/python -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps ./$(PY_DIR)

test-python: python-package redis-server
	cd $(PY_DIR) && $(WITH_REDIS) .venv/bin/python -m pytest -q -p no:cacheprovider tests
	$(PY_MYPY) --strict examples/python/
	$(PY_MYPY) --strict bench/python_bench.py bench/run.py bench/chart.py
	$(PY_MYPY) --strict -p palisade_webhooks
	MYPY_CACHE_DIR=/dev/null $(PY_BIN)/python -m mypy.stubtest palisade_webhooks._native

# What bench/python_bench.py needs: the venv (with cryptography) and the package.
bench-python-setup: python-package
