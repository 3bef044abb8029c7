"""The idempotency stores of the native core, against real components: a MemoryStore, SQLite
files in a temporary directory, and the Redis server of the test run (plus servers this file
starts and stops itself to simulate an outage)."""

from __future__ import annotations

import multiprocessing
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

import palisade_webhooks as pw
from palisade_webhooks.flask import palisade_webhook
from palisade_webhooks.testing import TestSigner

import store_worker
from conftest import Stores, redis_url

WALLET = {"id": "w-1", "updatedAt": "2025-04-08T11:48:56Z", "status": "PROVISIONED"}


# --- the same scenario over every store --------------------------------------------------------


def test_dedupe_scenario(stores: Stores, signer: TestSigner, webhook: pw.Webhook) -> None:
    store = stores.new()
    assert isinstance(store, pw.Store)
    dedup = pw.Deduplicator(store)
    assert dedup.store is store
    event = webhook.verify(*signer.delivery("WALLET", WALLET))

    # First delivery: new; while it is held, another worker sees it in progress.
    with dedup.claim(event) as claim:
        assert claim.status == "new"
        assert claim.key == "WALLET/w-1/2025-04-08T11:48:56Z"
        assert dedup.claim(event).status == "in_progress"
    # Completed: every redelivery (a new body object, the same signed payload) is a duplicate,
    # also through another handle on the same records (another process would open one).
    assert dedup.claim(webhook.verify(*signer.delivery("WALLET", WALLET))).status == "duplicate"
    other = pw.Deduplicator(stores.again(store))
    assert other.claim(event).status == "duplicate"

    # A handler that raises releases the claim: the retry processes the event again.
    with pytest.raises(RuntimeError):
        with dedup.claim("k-fail") as claim:
            assert claim.status == "new"
            raise RuntimeError("handler failed")
    with other.claim("k-fail") as retry:
        assert retry.status == "new"
    assert dedup.claim("k-fail").status == "duplicate"

    # Explicit complete and release.
    claim = dedup.claim("k-explicit")
    assert claim.complete() is True
    with pytest.raises(pw.TicketSettledError):
        claim.release()
    claim = dedup.claim("k-release")
    assert claim.release() is True
    assert dedup.claim("k-release").status == "new"
    # Keys are independent.
    assert dedup.claim("k-other").status == "new"


def test_lease_and_retention_reach_the_store() -> None:
    """The core's store contract covers expiry for every store; this checks the wiring: the
    deduplicator's lease and retention are the ones the store applies."""
    short_lease = pw.Deduplicator(pw.MemoryStore(), lease_seconds=0.05)
    crashed = short_lease.claim("k")
    assert crashed.status == "new"
    time.sleep(0.3)  # the crashed worker's lease runs out
    taken_over = short_lease.claim("k")
    assert taken_over.status == "new"
    assert taken_over.complete() is True
    assert crashed.complete() is False  # the first holder lost the key
    assert short_lease.claim("k").status == "duplicate"

    short_retention = pw.Deduplicator(pw.MemoryStore(), retain_seconds=0.05)
    assert short_retention.claim("k").complete() is True
    assert short_retention.claim("k").status == "duplicate"
    time.sleep(0.3)  # forgotten after the retention period
    assert short_retention.claim("k").status == "new"


def test_threads_claiming_one_key_get_one_new(stores: Stores) -> None:
    store = stores.new()
    deduplicators = [pw.Deduplicator(store), pw.Deduplicator(stores.again(store))]
    barrier = threading.Barrier(8)
    statuses: list[str] = []
    lock = threading.Lock()

    def worker(n: int) -> None:
        barrier.wait()
        status = deduplicators[n % 2].claim("shared").status
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == ["in_progress"] * 7 + ["new"]


# --- two processes over one SQLite file / one Redis server --------------------------------------


@pytest.mark.parametrize("kind", ["sqlite", "redis"])
def test_two_processes_claim_each_key_once(kind: str, tmp_path: Path) -> None:
    target = str(tmp_path / "shared.sqlite3") if kind == "sqlite" else redis_url()
    prefix = f"test:{uuid.uuid4().hex}:"
    keys = [f"tx-{i}:2025-05-08T14:15:37Z" for i in range(300)]
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(2)
    out = ctx.Queue()
    # Opposite orders, so the two processes meet on the same keys.
    workers = [
        ctx.Process(target=store_worker.claim_all, args=(kind, target, prefix, order, barrier, out))
        for order in (keys, keys[::-1])
    ]
    for w in workers:
        w.start()
    results = [out.get(timeout=120) for _ in workers]
    for w in workers:
        w.join(timeout=60)
        assert w.exitcode == 0
    for key in keys:
        statuses = sorted(r[key] for r in results)
        assert statuses.count("new") == 1, (key, statuses)
        assert set(statuses) <= {"new", "duplicate", "in_progress"}
    # The records hold: a third handle sees every key as processed.
    dedup = pw.Deduplicator(store_worker.open_store(kind, target, prefix))
    assert {dedup.claim(key).status for key in keys} == {"duplicate"}


# --- SQLite -------------------------------------------------------------------------------------


def test_sqlite_store_options_and_durability(tmp_path: Path) -> None:
    path = tmp_path / "idempotency.sqlite3"
    store = pw.SqliteStore(path)
    assert (store.path, store.busy_timeout_seconds, store.sync_every_commit) == (str(path), 5.0, True)
    assert repr(store) == f"SqliteStore({str(path)!r}, busy_timeout_seconds=5.0, sync_every_commit=True)"
    pw.Deduplicator(store).claim("done").complete()
    del store
    # Reopened (a restart): still remembered.
    fast = pw.SqliteStore(str(path), busy_timeout_seconds=0.5, sync_every_commit=False)
    assert (fast.busy_timeout_seconds, fast.sync_every_commit) == (0.5, False)
    assert pw.Deduplicator(fast).claim("done").status == "duplicate"
    # Expired rows are purged on demand.
    pw.Deduplicator(fast, retain_seconds=0.001).claim("gone").complete()
    time.sleep(0.01)
    assert fast.purge_expired() >= 1
    assert fast.purge_expired() == 0


def test_sqlite_store_cannot_open(tmp_path: Path) -> None:
    with pytest.raises(pw.StoreUnavailableError, match="no-such-dir") as info:
        pw.SqliteStore(tmp_path / "no-such-dir" / "idempotency.sqlite3")
    assert info.value.code == "ERR_STORE_UNAVAILABLE"
    not_a_db = tmp_path / "not-a-db.sqlite3"
    not_a_db.write_bytes(b"this is not a SQLite database, just some bytes " * 100)
    with pytest.raises(pw.StoreUnavailableError):
        pw.SqliteStore(not_a_db)
    for bad in (-1, 0, 3601, 1e19):
        with pytest.raises(ValueError, match="busy_timeout_seconds"):
            pw.SqliteStore(tmp_path / "x.sqlite3", busy_timeout_seconds=bad)
    with pytest.raises(TypeError):
        pw.SqliteStore(42)  # type: ignore[arg-type]


LOCKER = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.readline()
conn.execute("COMMIT")
conn.close()
print("unlocked", flush=True)
"""


class Locker:
    """Another process holding the SQLite file's write lock until ``unlock()``. (Another
    process, not another connection in this one: SQLite's file locks are per process, and this
    process already links its own copy of SQLite through the SDK.)"""

    def __init__(self, path: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", LOCKER, str(path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None and self.process.stdin is not None
        self.stdin, self.stdout = self.process.stdin, self.process.stdout
        assert self.stdout.readline().strip() == "locked"

    def unlock(self) -> None:
        self.stdin.write("\n")
        self.stdin.flush()
        assert self.stdout.readline().strip() == "unlocked"
        assert self.process.wait(timeout=30) == 0

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def test_sqlite_store_locked_beyond_busy_timeout(tmp_path: Path) -> None:
    path = tmp_path / "idempotency.sqlite3"
    dedup = pw.Deduplicator(pw.SqliteStore(path, busy_timeout_seconds=0.1))
    locker = Locker(path)
    try:
        with pytest.raises(pw.StoreUnavailableError) as info:
            dedup.claim("k")
        assert info.value.code == "ERR_STORE_UNAVAILABLE"
        locker.unlock()
    finally:
        locker.close()
    assert dedup.claim("k").status == "new"  # nothing was recorded by the failed claim


def test_store_calls_release_the_gil(tmp_path: Path) -> None:
    """A claim that waits for SQLite's write lock lets this thread run Python meanwhile: here,
    the very code that has the other process release the lock. (Were the GIL held, the claim
    would wait out its 30 s busy timeout and fail.)"""
    path = tmp_path / "idempotency.sqlite3"
    dedup = pw.Deduplicator(pw.SqliteStore(path, busy_timeout_seconds=30))
    locker = Locker(path)
    about_to_claim = threading.Event()
    outcome: dict[str, Any] = {}

    def claimer() -> None:
        about_to_claim.set()
        outcome["start"] = time.monotonic()
        try:
            outcome["status"] = dedup.claim("k").status
        except pw.WebhookError as e:
            outcome["status"] = e.code
        outcome["end"] = time.monotonic()

    thread = threading.Thread(target=claimer)
    try:
        thread.start()
        about_to_claim.wait()
        time.sleep(0.5)  # the other thread is now inside claim(), waiting for the lock
        unlocked = time.monotonic()
        locker.unlock()
        thread.join()
    finally:
        locker.close()
    assert outcome["status"] == "new"
    assert outcome["start"] < unlocked < outcome["end"]


# --- Redis --------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_redis_store_options() -> None:
    url = redis_url()
    store = pw.RedisStore(url)
    assert (store.prefix, store.timeout_seconds, store.connect_timeout_seconds) == (
        "palisade:idem:",
        2.0,
        2.0,
    )
    store.ping()
    assert store.connections == 4
    custom = pw.RedisStore(
        url, prefix="app-a:", timeout_seconds=0.5, connect_timeout_seconds=0.25, connections=2
    )
    assert (custom.prefix, custom.timeout_seconds, custom.connect_timeout_seconds) == ("app-a:", 0.5, 0.25)
    assert custom.connections == 2
    assert repr(custom) == (
        "RedisStore(prefix='app-a:', timeout_seconds=0.5, connect_timeout_seconds=0.25, connections=2)"
    )
    for n in (0, -1, 65):
        with pytest.raises(ValueError, match=f"^connections must be at least 1 and at most 64, not {n}$"):
            pw.RedisStore(url, connections=n)
    with pytest.raises(TypeError):
        pw.RedisStore(url, connections=2.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        pw.RedisStore(url, timeout_seconds=float("nan"))
    for bad in (0, 0.0005, 3601, 1e19):
        with pytest.raises(ValueError, match="^timeout_seconds must be at least 1 ms and at most 1 h"):
            pw.RedisStore(url, timeout_seconds=bad)
        with pytest.raises(ValueError, match="^connect_timeout_seconds"):
            pw.RedisStore(url, connect_timeout_seconds=bad)


def test_redis_prefixes_keep_applications_apart() -> None:
    url, tag = redis_url(), uuid.uuid4().hex
    a = pw.Deduplicator(pw.RedisStore(url, prefix=f"test:{tag}:a:"))
    b = pw.Deduplicator(pw.RedisStore(url, prefix=f"test:{tag}:b:"))
    a.claim("k").complete()
    assert b.claim("k").status == "new"
    assert a.claim("k").status == "duplicate"


def test_redis_unreachable_or_invalid() -> None:
    closed = free_port()  # nothing listens there
    with pytest.raises(pw.StoreUnavailableError, match=f"127.0.0.1:{closed}") as info:
        pw.RedisStore(f"redis://127.0.0.1:{closed}/0", connect_timeout_seconds=0.5)
    assert info.value.code == "ERR_STORE_UNAVAILABLE"
    with pytest.raises(pw.StoreUnavailableError, match="invalid URL") as invalid:
        pw.RedisStore("http://user:hunter2@127.0.0.1/")
    assert "hunter2" not in str(invalid.value)


class RedisServer:
    """A redis-server of this test's own (the binary the test run found), on a fixed port so
    it can be stopped and started again at the same address."""

    def __init__(self, workdir: Path) -> None:
        binary = os.environ.get("PALISADE_TEST_REDIS_SERVER")
        if not binary:
            pytest.fail("PALISADE_TEST_REDIS_SERVER is not set (run under scripts/with-redis.sh)")
        self.binary = binary
        self.workdir = workdir
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [self.binary, "--bind", "127.0.0.1", "--port", str(self.port), "--save", "",
             "--appendonly", "no", "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert self.process.poll() is None, "redis-server exited"
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        raise AssertionError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)
        self.process = None


@pytest.fixture()
def own_redis(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def test_redis_outage_answers_503_through_flask_then_recovers(own_redis: RedisServer) -> None:
    signer = TestSigner.from_seed(31)
    webhook = pw.Webhook(signer.public_key_b64)
    store = pw.RedisStore(own_redis.url, timeout_seconds=0.5, connect_timeout_seconds=0.5)
    calls: list[str] = []
    app = Flask(__name__)

    @app.post("/webhooks/palisade")
    @palisade_webhook(webhook, dedup=pw.Deduplicator(store))
    def on_event(event: pw.Event) -> None:
        calls.append(event.idempotency_key)

    client = app.test_client()
    first = signer.delivery("WALLET", WALLET)
    second = signer.delivery("WALLET", {**WALLET, "id": "w-2"})
    response = client.post("/webhooks/palisade", data=first[0], headers=first[1])
    assert (response.status_code, response.json) == (200, {"status": "processed"})

    own_redis.stop()  # the port is closed now
    response = client.post("/webhooks/palisade", data=second[0], headers=second[1])
    assert response.status_code == 503
    assert response.json is not None and response.json["error"] == "ERR_STORE_UNAVAILABLE"
    assert calls == ["WALLET/w-1/2025-04-08T11:48:56Z"]  # the handler did not run without a record
    with pytest.raises(pw.StoreUnavailableError):
        store.ping()

    own_redis.start()  # back (empty: the test server keeps nothing on disk)
    store.ping()
    response = client.post("/webhooks/palisade", data=second[0], headers=second[1])
    assert (response.status_code, response.json) == (200, {"status": "processed"})
    response = client.post("/webhooks/palisade", data=second[0], headers=second[1])
    assert (response.status_code, response.json) == (200, {"status": "duplicate"})
    assert calls == ["WALLET/w-1/2025-04-08T11:48:56Z", "WALLET/w-2/2025-04-08T11:48:56Z"]
