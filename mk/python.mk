# The Python SDK (bindings-python): build and install the package into a venv exactly as a user
# would (`pip install ./bindings-python`, maturin fetched by pip as the build backend), then run
# its pytest suite, type-check the examples and the package with mypy --strict, and check the
# native module's stubs against the runtime.
TEST_TARGETS += test-python

PYTHON ?= python3
PY_DIR := bindings-python
PY_VENV := $(PY_DIR)/.venv
PY_BIN := $(PY_VENV)/bin

.PHONY: test-python python-env

# The venv and the pinned test dependencies (re-installed when the pins change).
$(PY_VENV)/.deps-installed: $(PY_DIR)/tests/requirements.txt
	@command -v $(PYTHON) >/dev/null || { apt-get update && apt-get install -y python3 python3-venv; }
	@$(PYTHON) -m venv $(PY_VENV) || { apt-get update && apt-get install -y python3-venv \
	  && rm -rf $(PY_VENV) && $(PYTHON) -m venv $(PY_VENV); }
	$(PY_BIN)/python -m pip install --quiet --disable-pip-version-check -r $(PY_DIR)/tests/requirements.txt
	touch $@

python-env: $(PY_VENV)/.deps-installed

test-python: python-env
	$(PY_BIN)/python -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps ./$(PY_DIR)
	cd $(PY_DIR) && .venv/bin/python -m pytest -q -p no:cacheprovider tests
	MYPY_CACHE_DIR=/dev/null $(PY_BIN)/mypy --strict examples/python/
	MYPY_CACHE_DIR=/dev/null $(PY_BIN)/mypy --strict -p palisade_webhooks
	MYPY_CACHE_DIR=/dev/null $(PY_BIN)/python -m mypy.stubtest palisade_webhooks._native
