"""Verification runs without holding the GIL: other threads run Python, and verify, meanwhile.

The check is structural, not a timing threshold: while thread A is inside one long native
``verify`` call (a 64 MiB payload to parse and hash), the main thread records timestamps of its
own progress. If ``verify`` held the GIL, the main thread could only run at the edges of A's call
(before A enters native code, after it leaves), never in the middle third of the call.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Iterator

import pytest

import palisade_webhooks as pw
from palisade_webhooks.testing import TestSigner

PAYLOAD_BYTES = 64 * 1024 * 1024


@pytest.fixture()
def short_switch_interval() -> Iterator[None]:
    # The GIL changes hands quickly, so a GIL-holding verify could leak progress only into a
    # tiny edge of its call.
    previous = sys.getswitchinterval()
    sys.setswitchinterval(0.0001)
    yield
    sys.setswitchinterval(previous)


def long_call() -> tuple[pw.Webhook, bytes, dict[str, str]]:
    signer = TestSigner.from_seed(21)
    body = b'{"domain":"WALLET","payload":"' + b"A" * PAYLOAD_BYTES + b'"}'
    webhook = pw.Webhook(signer.public_key_b64, max_body_bytes=len(body))
    # A well-formed signature over something else: the whole payload is parsed and hashed
    # before the signature check refuses it.
    return webhook, body, {"Signature": signer.sign("something else")}


def run_beside_long_verify(
    work: Callable[[], None],
) -> tuple[float, float, list[float], BaseException]:
    webhook, body, headers = long_call()
    done = threading.Event()
    window: dict[str, float] = {}
    outcome: list[BaseException] = []

    def verifier() -> None:
        start = time.perf_counter()
        try:
            webhook.verify(body, headers)
        except BaseException as e:  # noqa: BLE001 - recorded and checked below
            outcome.append(e)
        window["start"], window["end"] = start, time.perf_counter()
        done.set()

    stamps: list[float] = []
    thread = threading.Thread(target=verifier)
    thread.start()
    while not done.is_set():
        work()
        stamps.append(time.perf_counter())
    thread.join()
    return window["start"], window["end"], stamps, outcome[0]


def in_middle_third(start: float, end: float, stamps: list[float]) -> list[float]:
    third = (end - start) / 3
    return [s for s in stamps if start + third < s < end - third]


def test_python_code_runs_while_another_thread_verifies(short_switch_interval: None) -> None:
    counter = [0]

    def spin() -> None:
        for _ in range(1000):
            counter[0] += 1

    start, end, stamps, outcome = run_beside_long_verify(spin)
    assert isinstance(outcome, pw.InvalidSignatureError)
    assert in_middle_third(start, end, stamps), (end - start, len(stamps))


def test_two_threads_verify_in_parallel(short_switch_interval: None) -> None:
    signer = TestSigner.from_seed(22)
    webhook = pw.Webhook(signer.public_key_b64)
    body, headers = signer.delivery("WALLET", {"id": "w", "updatedAt": "2025-01-01T00:00:00Z"})
    verified: list[str] = []

    def verify_one() -> None:
        verified.append(webhook.verify(body, headers).idempotency_key)

    start, end, stamps, outcome = run_beside_long_verify(verify_one)
    assert isinstance(outcome, pw.InvalidSignatureError)
    # Each stamp follows a completed verify on this thread: some completed while the other
    # thread was in the middle of its own verify call.
    assert in_middle_third(start, end, stamps), (end - start, len(stamps))
    assert set(verified) == {"WALLET/w/2025-01-01T00:00:00Z"}


def test_threads_share_one_webhook() -> None:
    signer = TestSigner.from_seed(23)
    webhook = pw.Webhook(signer.public_key_b64)
    deliveries = [
        signer.delivery("TRANSACTION", {"id": f"t{i}", "updatedAt": "u"}) for i in range(40)
    ]
    results: dict[int, list[str]] = {}
    barrier = threading.Barrier(4)

    def worker(n: int) -> None:
        barrier.wait()
        results[n] = [webhook.verify(body, headers).resource_id or "" for body, headers in deliveries]

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    expected = [f"t{i}" for i in range(40)]
    assert results == {n: expected for n in range(4)}
