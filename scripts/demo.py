#!/usr/bin/env python3
"""The end-to-end demo: real receivers in every language, real signed deliveries.

Generates a fresh test key pair, starts each example receiver on a free 127.0.0.1 port with the
public key (and its embedded in-memory deduplicator), sends each the same scripted batch with the
CLI's `send --scenario demo` (valid TRANSACTION, WALLET and APPROVAL events, a retry of the first,
a tampered payload, a missing signature, a delivery signed by another key), prints one summary
table, stops the receivers, and exits 0 only if every outcome was the expected one.

`make demo` runs it after building everything; `make test` runs it too, as the end-to-end test.
Standard library only, so it runs before any virtualenv exists.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLI = ROOT / "target" / "release" / "palisade-webhooks"
START_TIMEOUT = 60.0


@dataclass
class Receiver:
    name: str
    command: list[str]
    path: str = "/webhooks/palisade"
    env: dict[str, str] = field(default_factory=dict)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"exited with {proc.returncode}:\n{log.read_text()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"did not listen on {port} within {START_TIMEOUT:.0f} s:\n{log.read_text()}")


def receivers(work: Path, public_key: str) -> list[Receiver]:
    # Node resolves `palisade-webhooks` (the package built from source) and `express` the way an
    # installed app would: through NODE_PATH, with the package linked under its own name.
    node_modules = work / "node_modules"
    node_modules.mkdir()
    (node_modules / "palisade-webhooks").symlink_to(ROOT / "bindings-node")
    node_path = os.pathsep.join([str(node_modules), str(ROOT / "bindings-node" / "node_modules")])
    return [
        Receiver(
            "python (Flask)",
            [str(ROOT / "bindings-python/.venv/bin/python"), "examples/python/flask_receiver.py"],
        ),
        Receiver(
            "node (Express)",
            ["node", "examples/node/express-receiver.js"],
            env={"NODE_PATH": node_path},
        ),
        Receiver("go (net/http)", [str(ROOT / "target/go/receiver")]),
        Receiver(
            "rust (CLI listen)",
            [str(CLI), "listen", "--key", public_key, "--port"],
            path="/",
        ),
    ]


def run_one(receiver: Receiver, key_file: Path, public_key: str, work: Path) -> dict:
    port = free_port()
    log = work / f"{receiver.name.split()[0]}.log"
    env = {**os.environ, "PALISADE_PUBLIC_KEY": public_key, "PORT": str(port), **receiver.env}
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [*receiver.command, str(port)], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        wait_for_port(port, proc, log)
        summary = work / f"{receiver.name.split()[0]}.json"
        send = subprocess.run(
            [
                str(CLI), "send", f"http://127.0.0.1:{port}{receiver.path}",
                "--scenario", "demo", "--key-file", str(key_file),
                "--attempts", "2", "--backoff-ms", "50", "--timeout", "10",
                "--name", receiver.name, "--summary-json", str(summary),
            ],
            cwd=ROOT, capture_output=True, text=True,
        )
        if send.returncode != 0:
            raise RuntimeError(f"send failed:\n{send.stdout}\n{send.stderr}")
        result = json.loads(summary.read_text())
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    result["log"] = log.read_text(errors="replace")
    return result


def main() -> int:
    if not CLI.exists():
        sys.exit(f"{CLI} is missing: run `make demo`, which builds it first")
    with tempfile.TemporaryDirectory(prefix="palisade-demo-") as tmp:
        work = Path(tmp)
        key_file, pub_file = work / "key.pem", work / "key.pub"
        subprocess.run(
            [str(CLI), "keygen", "--out", str(key_file), "--public-out", str(pub_file)],
            check=True, capture_output=True,
        )
        public_key = pub_file.read_text().strip()
        print(f"test key pair generated; receivers get the public key {public_key[:40]}...\n")

        results, failures = [], []
        for receiver in receivers(work, public_key):
            print(f"--> {receiver.name}", flush=True)
            try:
                results.append(run_one(receiver, key_file, public_key, work))
            except RuntimeError as e:
                failures.append(f"{receiver.name}: {e}")
                print(f"    FAILED: {e}")

        deliveries = [r["label"] for r in results[0]["results"]] if results else []
        names = [r["receiver"] for r in results]
        width = max([len(d) for d in deliveries] + [8]) + 2
        col = max([len(n) for n in names] + [30]) + 2
        print("\n" + "delivery".ljust(width) + "expected".ljust(11) + "".join(n.ljust(col) for n in names))
        for i, label in enumerate(deliveries):
            expected = results[0]["results"][i]["expect"] or "-"
            cells = []
            for r in results:
                o = r["results"][i]
                cell = o["outcome"] + (f" {o['error']}" if o["error"] else "")
                if not o["matches"]:
                    cell += "  <-- UNEXPECTED"
                    failures.append(f"{r['receiver']}: {label}: got {cell}, expected {expected}")
                cells.append(cell.ljust(col))
            print(label.ljust(width) + expected.ljust(11) + "".join(cells))
        print()
        for r in results:
            outcomes = [o["outcome"] for o in r["results"]]
            print(
                f"{r['receiver']:<24} verified {outcomes.count('verified')}, "
                f"duplicate {outcomes.count('duplicate')}, rejected {outcomes.count('rejected')}"
            )
        if failures:
            print("\nDEMO FAILED:\n  " + "\n  ".join(failures))
            for r in results:
                print(f"\n--- {r['receiver']} log ---\n{r['log']}")
            return 1
        print(f"\nevery outcome as expected across {len(results)} receivers")
        return 0


if __name__ == "__main__":
    sys.exit(main())
