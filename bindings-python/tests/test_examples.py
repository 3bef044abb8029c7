"""The runnable examples in examples/python: the documentation's snippet, and the Flask and
FastAPI receivers run as real servers on 127.0.0.1, fed signed deliveries over HTTP."""

from __future__ import annotations

import http.client
import json
import os
import queue
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from palisade_webhooks import Webhook
from palisade_webhooks.testing import TestSigner

from conftest import EXAMPLES, VECTORS, load_json, redis_url

OUTCOME = re.compile(r"^(processed|duplicate|in_progress|rejected|failed) (\d{3})\b")


def test_docs_snippet_runs() -> None:
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / "docs_snippet.py")],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert result.stdout.splitlines() == [
        "genuine delivery verifies: True",
        "tampered payload verifies: False",
    ]


def test_docs_snippet_function_on_the_shared_vectors() -> None:
    sys.path.insert(0, str(EXAMPLES))
    try:
        from docs_snippet import verify_webhook
    finally:
        sys.path.remove(str(EXAMPLES))
    for case in load_json(VECTORS / "conformance.json")["verify_webhook_cases"]:
        args = (case["public_key"], case["signature"], case["payload"])
        assert verify_webhook(*args) is case["expect"], case["name"]
        assert verify_webhook(*(a.encode() for a in args)) is case["expect"], case["name"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    def __init__(self, script: str, key: str, store: str = "") -> None:
        self.port = free_port()
        env = {**os.environ, "PALISADE_PUBLIC_KEY": key, "PYTHONUNBUFFERED": "1"}
        if store:
            env["PALISADE_IDEMPOTENCY_STORE"] = store
        self.process = subprocess.Popen(
            [sys.executable, str(EXAMPLES / script), str(self.port)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def wait_ready(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.process.poll() is None, "the receiver exited"
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.05)
        raise AssertionError("the receiver did not start listening")

    def post(self, body: bytes, headers: dict[str, str]) -> tuple[int, Any]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request("POST", "/webhooks/palisade", body=body, headers=headers)
            response = conn.getresponse()
            return response.status, json.loads(response.read() or b"null")
        finally:
            conn.close()

    def outcome_line(self) -> str:
        while True:
            line = self.lines.get(timeout=30)
            if OUTCOME.match(line):
                return line

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture(params=["flask_receiver.py", "fastapi_receiver.py"])
def receiver(request: pytest.FixtureRequest) -> Iterator[tuple[Server, TestSigner]]:
    signer = TestSigner.from_seed(99)
    server = Server(request.param, signer.public_key_b64)
    try:
        server.wait_ready()
        yield server, signer
    finally:
        server.stop()


def test_receiver_answers_and_prints_one_line_per_delivery(
    receiver: tuple[Server, TestSigner],
) -> None:
    server, signer = receiver
    tx = {"id": "tx-1", "status": "CONFIRMED", "updatedAt": "2025-05-08T14:15:37Z", "qty": "2"}
    body, headers = signer.delivery("TRANSACTION", tx)
    other_body, other_headers = TestSigner.from_seed(100).delivery("TRANSACTION", tx)
    envelope = json.loads(body)
    tampered = json.dumps({**envelope, "payload": envelope["payload"][:-4] + "AAAA"}).encode()
    script = [
        ((body, headers), 200, {"status": "processed"}, "processed 200"),
        ((body, headers), 200, {"status": "duplicate"}, "duplicate 200"),
        ((tampered, headers), 401, "ERR_INVALID_SIGNATURE", "rejected 401"),
        ((body, other_headers), 401, "ERR_INVALID_SIGNATURE", "rejected 401"),
        ((body, {"Content-Type": "application/json"}), 401, "ERR_MISSING_SIGNATURE", "rejected 401"),
        ((b"{}", headers), 400, "ERR_MALFORMED_ENVELOPE", "rejected 400"),
        ((b"x" * 2_000_000, headers), 413, "ERR_BODY_TOO_LARGE", "rejected 413"),
    ]
    for (req_body, req_headers), status, expected, line in script:
        got_status, answer = server.post(req_body, req_headers)
        assert got_status == status, (line, answer)
        if isinstance(expected, dict):
            assert answer == expected
        else:
            assert answer["error"] == expected
        printed = server.outcome_line()
        assert printed.startswith(line), printed
        if status == 200:
            assert Webhook(signer.public_key_b64).verify(body, headers).idempotency_key in printed


@pytest.mark.parametrize("script", ["flask_receiver.py", "fastapi_receiver.py"])
def test_receiver_without_a_key_says_what_to_do(script: str) -> None:
    env = {k: v for k, v in os.environ.items() if k != "PALISADE_PUBLIC_KEY"}
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / script), "0"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode != 0
    assert "PALISADE_PUBLIC_KEY is not set" in result.stderr


@pytest.mark.parametrize("kind", ["sqlite", "redis"])
def test_two_receivers_share_one_store(kind: str, tmp_path: Path) -> None:
    """A Flask and a FastAPI receiver (two processes) over one SQLite file or one Redis: a
    delivery processed by one is a duplicate at the other."""
    if kind == "sqlite":
        store = f"sqlite:{tmp_path / 'idempotency.sqlite3'}"
    else:
        store = redis_url()
    signer = TestSigner.from_seed(101)
    servers = [
        Server(script, signer.public_key_b64, store)
        for script in ("flask_receiver.py", "fastapi_receiver.py")
    ]
    try:
        for server in servers:
            server.wait_ready()
        resource = {"id": f"tx-{kind}-{tmp_path.name}", "updatedAt": "2025-05-08T14:15:37Z"}
        body, headers = signer.delivery("TRANSACTION", resource)
        first, second = servers
        assert first.post(body, headers) == (200, {"status": "processed"})
        assert first.outcome_line().startswith("processed 200")
        assert second.post(body, headers) == (200, {"status": "duplicate"})
        assert second.outcome_line().startswith("duplicate 200")
    finally:
        for server in servers:
            server.stop()


def test_receiver_with_an_unusable_store_says_so(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "PALISADE_PUBLIC_KEY": TestSigner.from_seed(102).public_key_b64,
        "PALISADE_IDEMPOTENCY_STORE": f"sqlite:{tmp_path / 'missing-dir' / 'x.sqlite3'}",
    }
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / "flask_receiver.py"), "0"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode != 0
    assert "the idempotency store is unavailable: ERR_STORE_UNAVAILABLE" in result.stderr
