"""bench/python_bench.py runs and prints its one JSON line (a smoke run: no figure is judged
here, only that every contender agreed on the delivery and was timed)."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import REPO

FIGURES = {
    "sdk_verify_us",
    "sdk_signature_only_us",
    "cryptography_us",
    "docs_snippet_us",
    "sdk_2threads_scaling",
}


def test_bench_prints_one_json_line() -> None:
    result = subprocess.run(
        [sys.executable, str(REPO / "bench" / "python_bench.py"), "0.05"],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    lines = result.stdout.splitlines()
    assert len(lines) == 1, result.stdout
    figures = json.loads(lines[0])
    assert set(figures) == FIGURES
    assert all(isinstance(v, float) and v > 0 for v in figures.values()), figures
