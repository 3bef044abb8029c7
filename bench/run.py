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

    if "rust" in wanted:
        contenders["stores"] = lambda: run_json(
            [str(ROOT / "target" / "release" / "examples" / "store_throughput")]
        )

    rounds: dict[str, list[dict[str, Any]]] = {name: [] for name in contenders}
    for r in range(args.rounds):
        for name, run in contenders.items():
            print(f"round {r + 1}/{args.rounds}: {name}", file=sys.stderr, flush=True)
            rounds[name].append(run())

    def medians(name: str) -> dict[str, Any]:
        """Median of every numeric figure (one level of nesting) over the rounds."""
        out: dict[str, Any] = {}
        for key, value in rounds[name][0].items():
            if isinstance(value, dict):
                out[key] = {
                    k: statistics.median(float(x[key][k]) for x in rounds[name]) for k in value
                }
            elif isinstance(value, (int, float)):
                out[key] = statistics.median(float(x[key]) for x in rounds[name])
        return out

    results: dict[str, Any] = {
        "rounds": args.rounds,
        "seconds_per_figure": args.seconds,
        "note": "medians of interleaved rounds on one machine; compare ratios, not absolutes",
    }
    ossl = medians("openssl")["verify_us"]
    results["openssl"] = {"verify_us": ossl}
    # (label, µs per delivery, what it is compared with, that one's µs, target ratio)
    rows: list[tuple[str, float, str, float, str]] = []
    rust: dict[str, Any] = {}
    if "rust" in contenders:
        rust = results["rust"] = medians("rust")
        rows.append(("Rust core: full delivery (fast verifier)", rust["verify_fast_us"],
                     "OpenSSL speed ecdsap256 verify", ossl, ">= 2.5x"))
        rows.append(("Rust core: full delivery (p256 reference)", rust["verify_reference_us"],
                     "OpenSSL speed ecdsap256 verify", ossl, ""))
    alternatives = {
        "python": [("cryptography_us", "Python cryptography, key loaded once", ">= 2.0x"),
                   ("docs_snippet_us", "the documentation's Python snippet", "")],
        "node": [("crypto_keyobject_us", "Node crypto.verify, cached KeyObject", ">= 2.0x"),
                 ("crypto_create_per_call_us", "Node crypto, createPublicKey per call", "")],
        "go": [("crypto_ecdsa_us", "Go crypto/ecdsa, key parsed once", ">= 2.0x")],
    }
    for lang, versus in alternatives.items():
        if lang not in contenders:
            continue
        figures = results[lang] = medians(lang)
        for key, label, target in versus:
            rows.append((f"{lang} binding: full delivery", figures["sdk_verify_us"], label,
                         figures[key], target))
        if rust:
            # Binding overhead: the binding's full delivery over the core's, same run.
            figures["overhead_vs_core"] = figures["sdk_verify_us"] / rust["verify_fast_us"] - 1

    print()
    header = f"{'contender':<44} {'µs/delivery':>11} {'per s':>8}   {'compared with':<40} {'speed-up':>8}  target"
    print(header)
    print("-" * len(header))
    print(f"{'OpenSSL 3 speed ecdsap256 (verify only)':<44} {ossl:>11.1f} {1e6 / ossl:>8.0f}")
    ratios: dict[str, float] = {}
    for label, us, vs_label, vs_us, target in rows:
        ratio = vs_us / us
        ratios[f"{label} vs {vs_label}"] = ratio
        print(f"{label:<44} {us:>11.1f} {1e6 / us:>8.0f}   {vs_label:<40} {ratio:>7.2f}x  {target}")
    results["ratios"] = ratios

    print()
    if rust:
        print(f"Rust core, 2 threads sharing one Webhook: {rust['two_thread_scaling']:.2f}x one thread   (target >= 1.9x)")
        print(f"per-key precomputed tables: {rust['table_bytes'] / 1000:.0f} KB   (target <= 300 KB)")
        print(f"key preparation (parse + tables): {rust['key_prep_ms']:.2f} ms   (target <= 5 ms)")
        print(f"signature check alone: {rust['signature_only_us']:.1f} µs of the {rust['verify_fast_us']:.1f} µs full delivery")
    for lang in ("python", "node", "go"):
        figures = results.get(lang)
        if figures and "overhead_vs_core" in figures:
            print(f"{lang} binding overhead over the core's full delivery: {100 * figures['overhead_vs_core']:+.0f} %   (target < 10 %)")
        for key in ("sdk_2threads_scaling", "sdk_2goroutines_scaling", "verify_batch_2threads_scaling"):
            if figures and key in figures:
                print(f"{lang} binding, 2 threads: {figures[key]:.2f}x one thread")
    if "stores" in contenders:
        stores = results["stores"] = medians("stores")["store_events_per_s"]
        print()
        for name, ops in stores.items():
            print(f"Deduplicator claim+complete, {name}: {ops:,.0f} events/s")

    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
