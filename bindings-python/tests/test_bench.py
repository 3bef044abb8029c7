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
    "sdk_drop_in_us",
    "docs_function_us",
    "sdk_drop_in_first_call_us",
    "sdk_drop_in_second_call_us",
    "sdk_2threads_scaling",
    "cryptography_2threads_scaling",
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


def run_paired(requests: str) -> subprocess.CompletedProcess[str]:
    """bench/python_bench.py in `--paired` mode, fed `requests` on stdin."""
    return subprocess.run(
        [sys.executable, str(REPO / "bench" / "python_bench.py"), "--paired"],
        input=requests,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_paired_mode_times_slices_on_request() -> None:
    """`--paired` (the driver's binding-over-core comparison) answers each `verify SECONDS` and
    `signature SECONDS` line with one JSON line, ends cleanly when stdin closes, and refuses a
    figure it lacks."""
    result = run_paired("verify 0.02\nsignature 0.02\nverify 0.01\n")
    assert result.returncode == 0, result.stderr
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(answers) == 3, result.stdout
    assert all(set(a) == {"us"} and a["us"] > 0 for a in answers), answers
    refused = run_paired("typed 0.01\n")
    assert refused.returncode != 0 and "expected a figure (verify, signature)" in refused.stderr


def test_chart_draws_one_bar_group_per_language() -> None:
    """bench/chart.py (the SVG `make bench` draws) has a bar per measured figure, in deliveries
    per second, and says how many times faster the SDK is than each alternative."""
    import importlib.util
    import xml.etree.ElementTree as ET

    spec = importlib.util.spec_from_file_location("chart", REPO / "bench" / "chart.py")
    assert spec is not None and spec.loader is not None
    chart = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(chart)
    results = {
        "rounds": 3,
        "openssl": {"verify_us": 80.0},
        "rust": {"verify_fast_us": 25.0},
        "python": {"sdk_verify_us": 25.0, "cryptography_us": 100.0, "docs_snippet_us": 200.0},
        "node": {"sdk_verify_us": 40.0, "crypto_keyobject_us": 100.0},
        "go": {"sdk_verify_typed_us": 50.0, "crypto_ecdsa_us": 150.0, "docs_snippet_us": 160.0},
    }
    svg = ET.fromstring(chart.bench_chart(results, title_date="2026-01-01"))
    ns = "{http://www.w3.org/2000/svg}"
    colours = {colour for _, colour in chart.SERIES}
    bars = [r for r in svg.iter(f"{ns}rect") if r.get("fill") in colours]
    # Legend swatches are 12 px high; bars are taller. Rust 2, Python 3, Node 2 (a figure is
    # missing), Go 3.
    assert len([b for b in bars if float(b.get("height", "0")) > 12]) == 10
    texts = [t.text or "" for t in svg.iter(f"{ns}text")]
    assert "40.0k" in texts  # 1e6 / 25 µs
    assert "3.2x" in texts  # Rust core vs OpenSSL: 80 / 25
    assert "8.0x" in texts  # Python vs the documentation's snippet: 200 / 25
    assert "2026-01-01" in " ".join(texts)
