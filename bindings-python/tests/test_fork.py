"""Stores built before a fork (the way pre-fork servers load an application): every process
must get exactly-once answers from the store object it inherited. Real SQLite files and the test
run's real Redis server; ``os.fork``, ``multiprocessing`` with the "fork" start method, and a
real gunicorn ``--preload`` with four workers."""

from __future__ import annotations

import http.client
import json
import multiprocessing
import os
import random
import signal
import socket
import subprocess
import sys
import time
import traceback
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

import palisade_webhooks as pw
from conftest import redis_url

TESTS = Path(__file__).resolve().parent
KEYS = 200
CHILDREN = 4
STATUSES = {"new", "duplicate", "in_progress"}


def open_dedup(kind: str, tmp_path: Path) -> pw.Deduplicator:
    if kind == "sqlite":
        return pw.Deduplicator(pw.SqliteStore(tmp_path / "shared.sqlite3", sync_every_commit=False))
    return pw.Deduplicator(pw.RedisStore(redis_url(), prefix=f"test:fork:{uuid.uuid4().hex}:"))


def used_before_fork(dedup: pw.Deduplicator) -> None:
    """Opens the store's connection in the parent, so the children inherit it."""
    with dedup.claim("used-before-the-fork") as claim:
        assert claim.status == "new"


def claim_all(dedup: pw.Deduplicator, keys: list[str], seed: int) -> dict[str, str]:
    """Claims every key in a shuffled order, completing the new ones: ``{key: status}``."""
    order = list(keys)
    random.Random(seed).shuffle(order)
    statuses: dict[str, str] = {}
    for key in order:
        with dedup.claim(key) as claim:
            statuses[key] = claim.status
    return statuses


def write_statuses(dedup: pw.Deduplicator, keys: list[str], seed: int, out: Path) -> None:
    out.write_text(json.dumps(claim_all(dedup, keys, seed)))


def assert_exactly_once(keys: list[str], results: list[dict[str, str]]) -> None:
    assert len(results) == CHILDREN + 1
    for key in keys:
        statuses = [r[key] for r in results]
        assert statuses.count("new") == 1, (key, statuses)
        assert set(statuses) <= STATUSES, (key, statuses)


def after_the_children(dedup: pw.Deduplicator) -> None:
    """The parent's own connection still answers correctly once the children are gone."""
    assert dedup.claim("used-before-the-fork").status == "duplicate"
    with dedup.claim(f"after-{uuid.uuid4().hex}") as claim:
        assert claim.status == "new"


@pytest.mark.parametrize("kind", ["sqlite", "redis"])
def test_os_fork_children_share_the_parents_store(kind: str, tmp_path: Path) -> None:
    dedup = open_dedup(kind, tmp_path)
    used_before_fork(dedup)
    keys = [f"os-fork-{i}" for i in range(KEYS)]
    pids = []
    for n in range(1, CHILDREN + 1):
        pid = os.fork()
        if pid == 0:  # the child: never returns into pytest
            status = 1
            try:
                write_statuses(dedup, keys, n, tmp_path / f"child-{n}.json")
                status = 0
            except BaseException:
                traceback.print_exc()
            finally:
                os._exit(status)
        pids.append(pid)
    results = [claim_all(dedup, keys, 0)]
    for pid in pids:
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0, f"child {pid} failed"
    results += [json.loads((tmp_path / f"child-{n}.json").read_text()) for n in range(1, CHILDREN + 1)]
    assert_exactly_once(keys, results)
    after_the_children(dedup)


@pytest.mark.parametrize("kind", ["sqlite", "redis"])
def test_multiprocessing_fork_workers_share_the_parents_store(kind: str, tmp_path: Path) -> None:
    dedup = open_dedup(kind, tmp_path)
    used_before_fork(dedup)
    keys = [f"mp-fork-{i}" for i in range(KEYS)]
    ctx = multiprocessing.get_context("fork")
    # The "fork" start method passes the deduplicator itself (not a copy made by pickling).
    workers = [
        ctx.Process(target=write_statuses, args=(dedup, keys, n, tmp_path / f"child-{n}.json"))
        for n in range(1, CHILDREN + 1)
    ]
    for w in workers:
        w.start()
    results = [claim_all(dedup, keys, 0)]
    for w in workers:
        w.join(timeout=120)
        assert w.exitcode == 0
    results += [json.loads((tmp_path / f"child-{n}.json").read_text()) for n in range(1, CHILDREN + 1)]
    assert_exactly_once(keys, results)
    after_the_children(dedup)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def get(port: int, path: str) -> dict[str, Any]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        body = response.read()
        assert response.status == 200, (response.status, body[:500])
        answer: dict[str, Any] = json.loads(body)
        return answer
    finally:
        conn.close()


def test_gunicorn_preload_workers_process_each_key_once(tmp_path: Path) -> None:
    """gunicorn --preload imports the app (and builds its stores) in the master, then forks four
    workers. Concurrent requests for the same keys land on different workers; each key must be
    "new" exactly once per store across all of them."""
    port = free_port()
    env = {
        **os.environ,
        "FORK_APP_SQLITE": str(tmp_path / "gunicorn.sqlite3"),
        "FORK_APP_PREFIX": f"test:gunicorn:{uuid.uuid4().hex}:",
        "PALISADE_TEST_REDIS_URL": redis_url(),
    }
    log = (tmp_path / "gunicorn.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--preload", "--workers", str(CHILDREN),
         "--worker-class", "sync", "--bind", f"127.0.0.1:{port}", "--timeout", "120",
         "fork_app:app"],
        cwd=TESTS, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, (tmp_path / "gunicorn.log").read_text()
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "gunicorn did not start listening"
                time.sleep(0.05)

        keys = [f"gunicorn-{i}" for i in range(KEYS)]
        requests = [k for k in keys for _ in range(3)]
        random.Random(1).shuffle(requests)
        with ThreadPoolExecutor(max_workers=16) as pool:
            answers = list(pool.map(lambda k: (k, get(port, "/" + k)), requests))
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
        log.close()

    pids = Counter(a["pid"] for _, a in answers)
    print(f"gunicorn --preload, {CHILDREN} workers: requests per worker {dict(pids)}")
    assert len(pids) >= 2, f"requests all landed on one worker: {pids}"
    assert server.pid not in pids, "the master itself answered"
    for store in ("sqlite", "redis"):
        by_key: dict[str, list[str]] = {k: [] for k in keys}
        for key, answer in answers:
            by_key[key].append(answer[store])
        for key, statuses in by_key.items():
            assert statuses.count("new") == 1, (store, key, statuses)
            assert set(statuses) <= STATUSES, (store, key, statuses)
    # The master's own use of the stores is recorded, and the workers' records are visible to a
    # fresh process.
    for dedup in (
        pw.Deduplicator(pw.SqliteStore(env["FORK_APP_SQLITE"])),
        pw.Deduplicator(pw.RedisStore(redis_url(), prefix=env["FORK_APP_PREFIX"])),
    ):
        assert dedup.claim("built-in-the-master").status == "duplicate"
        assert {dedup.claim(k).status for k in keys} == {"duplicate"}
