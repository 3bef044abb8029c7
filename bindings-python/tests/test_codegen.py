"""The generated parts of the package are what ``core/examples/codegen_python.rs`` prints from the
Rust core: ``_errors.py``, the resource classes of ``_native.pyi`` (the region between its
``BEGIN GENERATED`` and ``END GENERATED`` lines) and ``src/resources_gen.rs`` (the PyO3 getters).
Each test fails when the committed text differs; with ``PALISADE_UPDATE_CODEGEN=1`` in the
environment they write the generator's output instead (then rebuild the package).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from palisade_webhooks import _errors

from conftest import REPO

PACKAGE = REPO / "bindings-python/python/palisade_webhooks"
UPDATE = bool(os.environ.get("PALISADE_UPDATE_CODEGEN"))


def generate(kind: str) -> str:
    cargo = shutil.which("cargo")
    assert cargo, "cargo is needed to check the generated code against the core"
    result = subprocess.run(
        [cargo, "run", "-q", "-p", "palisade-webhooks", "--features", "schema"]
        + ["--example", "codegen_python", "--", kind],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def check_file(path: Path, kind: str) -> None:
    generated = generate(kind)
    if UPDATE:
        path.write_text(generated)
    assert path.read_text() == generated, (
        f"{path.relative_to(REPO)} is stale: regenerate it with PALISADE_UPDATE_CODEGEN=1 "
        "(python -m pytest bindings-python/tests/test_codegen.py)"
    )


def test_errors_module_is_current() -> None:
    check_file(PACKAGE / "_errors.py", "errors")
    # The installed package is the one built from this tree.
    assert Path(_errors.__file__).read_text() == (PACKAGE / "_errors.py").read_text()


def test_resource_getters_are_current() -> None:
    check_file(REPO / "bindings-python/src/resources_gen.rs", "rs")


def test_resource_stubs_are_current() -> None:
    path = PACKAGE / "_native.pyi"
    generated = generate("stub")
    begin, end = generated.splitlines(keepends=True)[0], generated.splitlines(keepends=True)[-1]
    text = path.read_text()
    assert text.count(begin) == 1 and text.count(end) == 1, f"{path.name} lost its markers"
    start = text.index(begin)
    stop = text.index(end, start) + len(end)
    if UPDATE:
        text = text[:start] + generated + text[stop:]
        path.write_text(text)
    assert text[start:stop] == generated, (
        f"the generated region of {path.name} is stale: regenerate it with "
        "PALISADE_UPDATE_CODEGEN=1 (python -m pytest bindings-python/tests/test_codegen.py)"
    )
