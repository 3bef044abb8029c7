#!/usr/bin/env python3
"""Side-by-side benchmark driver for `make bench`.

Runs every figure in rounds, interleaved (so background load hits every contender alike),
takes the median of the rounds, prints one table of throughput and ratios, and writes the same
figures to bench/results.json. Each contender is a small program that prints one JSON object per
round; this script only schedules them and does the arithmetic.

Machines here are shared and noisy: compare ratios within one run, never absolute numbers
across runs.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parent.parent


def run_json(cmd: list[str], env: dict[str, str] | None = None) -> dict[str, Any]:
    """Runs one round of a contender and parses the last JSON line it prints."""
    proc = subprocess.run(
        cmd, cwd=ROOT, env={**os.environ, **(env or {})}, capture_output=True, text=True
    )
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{proc.stdout}\n{proc.stderr}")
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise SystemExit(f"{' '.join(cmd)} printed no JSON:\n{proc.stdout}\n{proc.stderr}")
    return json.loads(lines[-1])


def openssl_verify_us(seconds: int) -> dict[str, Any]:
    """`openssl speed ecdsap256`: verifications per second of a prehashed message, one core."""
    proc = subprocess.run(
        ["openssl", "speed", "-seconds", str(seconds), "ecdsap256"],
        capture_output=True,
        text=True,
        check=True,
    )
    match = re.search(r"256 bits ecdsa \(nistp256\)\s+\S+\s+\S+\s+([\d.]+)\s+([\d.]+)", proc.stdout)
    if not match:
        raise SystemExit(f"cannot read openssl speed output:\n{proc.stdout}")
    return {"verify_us": 1e6 / float(match.group(2))}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=1.0, help="per figure per round")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results.json"))
    parser.add_argument(
        "--contenders",
        default="rust,python,node,go",
        help="comma-separated subset of rust,python,node,go",
    )
    args = parser.parse_args()
    wanted = set(args.contenders.split(","))
    secs = str(args.seconds)

    contenders: dict[str, Callable[[], dict[str, Any]]] = {
        "openssl": lambda: openssl_verify_us(max(1, round(args.seconds))),
    }
    if "rust" in wanted:
        contenders["rust"] = lambda: run_json(
            [str(ROOT / "target" / "release" / "examples" / "bench"), secs]
        )
    if "python" in wanted:
        python = str(ROOT / "bindings-python" / ".venv" / "bin" / "python")
        contenders["python"] = lambda: run_json([python, "bench/python_bench.py", secs])
    if "node" in wanted:
        contenders["node"] = lambda: run_json(["node", "bench/node_bench.js", secs])
    if "go" in wanted:
        contenders["go"] = lambda: run_json(
            [str(ROOT / "target" / "bench" / "go_bench"), secs]
        )

    rounds: dict[str, list[dict[str, Any]]] = {name: [] for name in contenders}
    for r in range(args.rounds):
        for name, run in contenders.items():
            print(f"round {r + 1}/{args.rounds}: {name}", file=sys.stderr, flush=True)
            rounds[name].append(run())

    def median(name: str, key: str) -> float:
        return statistics.median(float(x[key]) for x in rounds[name])

    results: dict[str, Any] = {"rounds": args.rounds, "seconds_per_figure": args.seconds}
    rows: list[tuple[str, float, str, float, str]] = []
    ossl = median("openssl", "verify_us")
    results["openssl_verify_us"] = ossl

    if "rust" in contenders:
        rust = {k: median("rust", k) for k in rounds["rust"][0]}
        results["rust"] = rust
        rows.append(("Rust core, full delivery (fast)", rust["verify_fast_us"], "OpenSSL verify", ossl, ">= 2.5"))
        rows.append(("Rust core, full delivery (p256 reference)", rust["verify_reference_us"], "OpenSSL verify", ossl, ""))
    for lang, best_key, best_label, target in (
        ("python", "cryptography_us", "Python cryptography, key loaded once", ">= 2.0"),
        ("node", "crypto_keyobject_us", "Node crypto.verify, cached KeyObject", ">= 2.0"),
        ("go", "crypto_ecdsa_us", "Go crypto/ecdsa, key parsed once", ">= 2.0"),
    ):
        if lang not in contenders:
            continue
        figures = {k: median(lang, k) for k in rounds[lang][0]}
        results[lang] = figures
        rows.append((f"{lang} binding, full delivery", figures["sdk_verify_us"], best_label, figures[best_key], target))
        for key, label in figures.get("_labels", {}).items() if isinstance(figures.get("_labels"), dict) else []:
            rows.append((label, figures[key], "", 0.0, ""))

    print()
    print(f"{'contender':<46} {'µs/verify':>10} {'verifies/s':>11}   {'vs':<40} {'ratio':>6}  target")
    print(f"{'OpenSSL 3 speed ecdsap256 (one core)':<46} {ossl:>10.1f} {1e6 / ossl:>11.0f}")
    for label, us, vs_label, vs_us, target in rows:
        ratio = f"{vs_us / us:.2f}x" if vs_us else ""
        print(f"{label:<46} {us:>10.1f} {1e6 / us:>11.0f}   {vs_label:<40} {ratio:>6}  {target}")
        if vs_us:
            results.setdefault("ratios", {})[label] = vs_us / us
    if "rust" in contenders:
        rust = results["rust"]
        print()
        print(f"2-thread scaling (one shared Webhook): {rust['two_thread_scaling']:.2f}x   (target >= 1.9)")
        print(f"per-key table memory: {rust['table_bytes'] / 1024:.0f} KiB   (target <= 300 KB)")
        print(f"key preparation: {rust['key_prep_ms']:.2f} ms   (target <= 5 ms)")
        print(f"signature check alone: {rust['signature_only_us']:.1f} µs of {rust['verify_fast_us']:.1f} µs full delivery")
        for store in ("memory", "sqlite", "redis"):
            key = f"store_{store}_ops"
            if key in rust:
                print(f"Deduplicator claim+complete, {store} store: {rust[key]:,.0f} ops/s")

    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
