"""Exactly-once under faults, end to end.

Thousands of signed deliveries (30 % of them duplicates, some sent at the same time as their
original so that "in progress" happens) go, with Palisade's retry behaviour, to three receivers in
two languages that share one Redis: two of the CLI's `listen` (Rust) and one Flask app on the
Python SDK's adapter. During the run:

- Redis is killed with SIGKILL and restarted on the same port and data directory, with the
  persistence the store documentation recommends for this use (AOF, `appendfsync always`);
- one receiver is killed with SIGKILL while it handles a delivery, and restarted;
- while Redis is down, stores fail at claim (503, retried) and at complete (200: the work is done).

Every receiver records its side effect (the idempotency key, one line per handler run) in a file.
Pass: every event's side effect happened at least once, and exactly once except in the two windows
the documentation names (docs/receiver.md), each counted: a receiver killed after its side effect
and before `complete` (a repeat must be the killed receiver's last record before the kill), and a
completion the store could not record while it was down (the answer is 200, so Palisade does not
retry; but the claim expires with its lease, and a later duplicate delivery of the same event runs
the handler again — a repeat must be an event whose completion a receiver logged as unrecorded).

Run by `make test` (test-chaos) with the package's venv Python:
    python scripts/chaos.py --cli target/release/palisade-webhooks
"""

from __future__ import annotations

import argparse
import collections
import http.client
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from palisade_webhooks import Webhook
from palisade_webhooks.testing import TestSigner

ROOT = Path(__file__).resolve().parent.parent
LEASE_MS = 3000  # short, so claims orphaned by a kill free themselves within the run
HANDLER_DELAY_MS = 2  # long enough for a SIGKILL to land inside a handler
MAX_SECONDS = 600  # the whole run's bound: a stuck delivery fails the test instead of hanging


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_port(port: int, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port}")


class Redis:
    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.dir = workdir / "redis"
        self.dir.mkdir()
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        binary = os.environ.get("PALISADE_TEST_REDIS_SERVER") or shutil.which("redis-server")
        if not binary:
            raise SystemExit("redis-server not found (make redis-server installs it)")
        self.proc = subprocess.Popen(
            [binary, "--bind", "127.0.0.1", "--port", str(self.port), "--dir", str(self.dir),
             "--appendonly", "yes", "--appendfsync", "always", "--save", "",
             "--protected-mode", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_port(self.port)

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/"


class Receiver:
    """One receiver process on a fixed port; each start records into a new file."""

    def __init__(self, name: str, command: list[str], port: int, workdir: Path,
                 env: dict[str, str] | None = None) -> None:
        self.name = name
        self.command = command
        self.port = port
        self.workdir = workdir
        self.env = env
        self.records: list[Path] = []
        self.logs: list[str] = []
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        record = self.workdir / f"{self.name}-{len(self.records)}.records"
        record.touch()
        self.records.append(record)
        argv = [a.replace("{record}", str(record)) for a in self.command]
        env = dict(os.environ, **(self.env or {}), CHAOS_RECORD=str(record))
        log = open(self.workdir / f"{self.name}-{len(self.records) - 1}.log", "wb")
        self.logs.append(log.name)
        self.proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, env=env)
        log.close()
        wait_port(self.port)

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class Stats:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.statuses: collections.Counter[str] = collections.Counter()
        self.attempts = 0

    def count(self, what: str) -> None:
        with self.lock:
            self.statuses[what] += 1
            self.attempts += 1


def deliver(receivers: list[Receiver], body: bytes, headers: dict[str, str], stats: Stats,
            rng: random.Random, deadline: float) -> None:
    """Palisade's side: retry (with a little backoff) until a 2xx."""
    backoff = 0.01
    while time.monotonic() < deadline:
        target = rng.choice(receivers)
        try:
            conn = http.client.HTTPConnection("127.0.0.1", target.port, timeout=10)
            conn.request("POST", "/", body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            conn.close()
            status = response.status
        except OSError:
            stats.count("connection error")
            status = 0
        if status:
            stats.count(str(status))
        if 200 <= status < 300:
            return
        time.sleep(backoff * (0.5 + rng.random()))
        backoff = min(backoff * 2, 0.5)
    raise RuntimeError("a delivery was never accepted before the deadline")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cli", required=True, help="the palisade-webhooks CLI binary")
    parser.add_argument("--deliveries", type=int, default=10_000)
    parser.add_argument("--duplicates", type=float, default=0.3)
    parser.add_argument("--senders", type=int, default=8)
    parser.add_argument("--seed", type=int, default=20261202)
    args = parser.parse_args()

    rng = random.Random(args.seed)
    signer = TestSigner.generate()
    public_key = signer.public_key_b64
    webhook = Webhook(public_key)
    unique = int(args.deliveries * (1 - args.duplicates))
    events: list[tuple[bytes, dict[str, str]]] = []
    keys: list[str] = []
    for i in range(unique):
        domain = ("TRANSACTION", "WALLET", "APPROVAL")[i % 3]
        resource = (f'{{"id":"chaos-{i}","updatedAt":"2025-05-08T14:15:{i % 60:02d}Z",'
                    f'"status":"CONFIRMED"}}')
        body, headers = signer.delivery(domain, resource)
        events.append((body, headers))
        keys.append(webhook.verify(body, headers).idempotency_key)
    # Duplicates: a third go right next to their original (so both can be in flight at once),
    # the rest anywhere later.
    order: list[int] = list(range(unique))
    rng.shuffle(order)
    plan: list[int] = []
    dup_next: set[int] = set(rng.sample(range(unique), (args.deliveries - unique) // 3))
    later = rng.choices(range(unique), k=args.deliveries - unique - len(dup_next))
    for index in order:
        plan.append(index)
        if index in dup_next:
            plan.append(index)
    for index in later:
        plan.insert(rng.randrange(plan.index(index) + 1, len(plan) + 1), index)

    workdir = Path(tempfile.mkdtemp(prefix="palisade-chaos-"))
    redis = Redis(workdir)
    redis.start()
    cli_command = lambda port: [  # noqa: E731 - a tiny factory
        args.cli, "listen", "--port", str(port), "--quiet", "--key", public_key,
        "--store", redis.url, "--record", "{record}", "--lease-ms", str(LEASE_MS),
        "--handler-delay-ms", str(HANDLER_DELAY_MS),
    ]
    ports = [free_port() for _ in range(3)]
    py_env = {
        "PALISADE_PUBLIC_KEY": public_key,
        "PALISADE_REDIS_URL": redis.url,
        "CHAOS_LEASE_MS": str(LEASE_MS),
        "CHAOS_HANDLER_DELAY_MS": str(HANDLER_DELAY_MS),
    }
    receivers = [
        Receiver("rust-a", cli_command(ports[0]), ports[0], workdir),
        Receiver("rust-b", cli_command(ports[1]), ports[1], workdir),
        Receiver("python", [sys.executable, str(ROOT / "scripts" / "chaos_receiver.py"),
                            str(ports[2])], ports[2], workdir, py_env),
    ]
    stats = Stats()
    started = time.monotonic()
    deadline = started + MAX_SECONDS
    killed_receiver = receivers[0]
    try:
        for r in receivers:
            r.start()
        work = iter(enumerate(plan))
        work_lock = threading.Lock()
        done = [0]
        failures: list[BaseException] = []

        def sender(seed: int) -> None:
            local = random.Random(seed)
            while True:
                with work_lock:
                    item = next(work, None)
                if item is None:
                    return
                _, index = item
                body, headers = events[index]
                try:
                    deliver(receivers, body, headers, stats, local, deadline)
                except BaseException as e:  # noqa: BLE001 - reported below
                    failures.append(e)
                    return
                with work_lock:
                    done[0] += 1

        threads = [threading.Thread(target=sender, args=(args.seed + i,))
                   for i in range(args.senders)]
        for t in threads:
            t.start()

        def wait_progress(fraction: float) -> None:
            while done[0] < fraction * len(plan) and any(t.is_alive() for t in threads):
                time.sleep(0.01)

        wait_progress(0.25)
        redis.kill()
        time.sleep(1.0)
        redis.start()
        wait_progress(0.5)
        killed_receiver.kill()
        time.sleep(0.3)
        killed_receiver.start()
        for t in threads:
            t.join()
        if failures:
            raise failures[0]
    finally:
        for r in receivers:
            r.stop()
        if redis.proc is not None and redis.proc.poll() is None:
            redis.kill()

    runs: collections.Counter[str] = collections.Counter()
    for r in receivers:
        for path in r.records:
            runs.update(line for line in path.read_text().splitlines() if line)
    # The window: what the killed receiver recorded last before the kill (one request at a time
    # per CLI receiver, so at most its last record can lack a completion).
    before_kill = [line for line in killed_receiver.records[0].read_text().splitlines() if line]
    window = set(before_kill[-1:])
    # The second window: the store was down when a handler's completion was to be recorded (the
    # answer is still 200, logged at warning level); the claim then expires with its lease and a
    # later redelivery of the same event runs the handler again.
    unrecorded: set[str] = set()
    for r in receivers:
        for log in r.logs:
            for line in Path(log).read_text(errors="replace").splitlines():
                head, sep, _ = line.partition(" (the store did not record the completion")
                if sep:
                    unrecorded.add(head.rsplit(" ", 1)[-1])
    expected = set(keys)
    repeated = {key: n for key, n in runs.items() if n > 1}
    explained = window | unrecorded
    unexplained = {key: n for key, n in repeated.items() if key not in explained or n > 2}

    print(f"chaos: {len(plan)} deliveries ({unique} events, {len(plan) - unique} duplicates) "
          f"to 3 receivers (2 Rust, 1 Python) sharing Redis, in {time.monotonic() - started:.1f} s")
    print(f"chaos: faults: Redis SIGKILLed at 25 % and restarted (AOF, appendfsync always); "
          f"receiver {killed_receiver.name} SIGKILLed at 50 % and restarted")
    s = stats.statuses
    five_xx = sum(n for code, n in s.items() if code.startswith("5"))
    print(f"chaos: attempts {stats.attempts}: processed/duplicate 200 x{s['200']}, "
          f"in-progress 409 x{s['409']}, 5xx x{five_xx} "
          f"({', '.join(f'{c} x{n}' for c, n in sorted(s.items()) if c.startswith('5'))}), "
          f"connection errors x{s['connection error']}")
    print(f"chaos: side effects {sum(runs.values())} total, {len(runs)} distinct; "
          f"repeated {len(repeated)}: {len(set(repeated) & window)} in the kill window, "
          f"{len(set(repeated) & unrecorded - window)} after a completion the store did not record "
          f"({len(unrecorded)} such completions)")
    ok = True
    if set(runs) != expected:
        print(f"chaos: FAIL: {len(expected - set(runs))} events never processed, "
              f"{len(set(runs) - expected)} unknown keys recorded")
        ok = False
    if unexplained:
        print(f"chaos: FAIL: processed more than once outside the kill window: "
              f"{sorted(unexplained.items())[:10]}")
        ok = False
    if ok:
        print("chaos: every event processed, exactly once outside the two documented windows")
        shutil.rmtree(workdir, ignore_errors=True)
    else:
        print(f"chaos: records kept in {workdir}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
