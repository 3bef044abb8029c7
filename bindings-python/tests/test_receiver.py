"""The Receiver, bound 1:1: every receiver vector through ``begin`` / ``finish_*`` directly,
tickets settling once, the awaitable variants, the GIL released around store I/O,
``FaultyStore`` and ``Webhook.diagnose``."""

from __future__ import annotations

import asyncio
import gc
import json
import threading
import time
from pathlib import Path
from typing import Any

import pytest

import palisade_webhooks as pw
from palisade_webhooks.testing import FaultyStore, TestSigner

from receiver_vectors import CASE_IDS, CASES, FAILURE, Request, receiver_for
from test_stores import Locker

WALLET = {"id": "w-1", "updatedAt": "2025-04-08T11:48:56Z"}


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_receiver_vector(case: dict[str, Any]) -> None:
    """The reference replay, as the core's own test does it: no framework in between."""
    receiver = receiver_for(case)
    for i, step in enumerate(case["steps"]):
        request = Request.of(step)
        held = None
        if step["hold"]:
            held = receiver.begin(request.body, request.headers, declared_length=request.declared_length)
            assert isinstance(held, pw.Processing)
        started = receiver.begin(
            request.body,
            request.headers,
            method=request.method,
            declared_length=request.declared_length,
        )
        if isinstance(started, pw.Processing):
            ticket = started.ticket
            answer = ticket.finish_ok() if step["handler"] == "ok" else ticket.finish_failed(FAILURE)
        else:
            answer = started
        if held is not None:
            held.ticket.finish_ok()
        expect = step["expect"]
        where = f"{case['name']}#{i}"
        assert (answer.status, answer.body, answer.code) == (
            expect["status"],
            expect["body"].encode(),
            expect["code"],
        ), where
        assert isinstance(started, pw.Processing) == expect["handler_runs"], where
        assert answer.code in pw.RECEIVER_CODES or answer.code in pw.ERROR_CODES
        assert answer.is_success == (200 <= answer.status < 300)


def the_receiver(dedup: pw.Deduplicator | None = None) -> tuple[TestSigner, pw.Receiver]:
    signer = TestSigner.from_seed(51)
    return signer, pw.Receiver(pw.Webhook(signer.public_key_b64), dedup)


def test_answer_fields() -> None:
    signer, receiver = the_receiver(pw.Deduplicator())
    assert receiver.max_body_bytes == pw.DEFAULT_MAX_BODY_BYTES
    assert isinstance(receiver.webhook, pw.Webhook)
    assert isinstance(receiver.deduplicator, pw.Deduplicator)
    assert "Receiver(Webhook(" in repr(receiver)
    body, headers = signer.delivery("WALLET", WALLET)
    started = receiver.begin(body, headers)
    assert isinstance(started, pw.Processing)
    assert started.event == pw.Webhook(signer.public_key_b64).verify(body, headers)
    assert started.event.idempotency_key in repr(started)
    answer = started.ticket.finish_ok()
    assert (answer.status, answer.body, answer.code) == (200, b'{"status":"processed"}', "processed")
    assert answer.headers == [("Content-Type", "application/json")]
    assert answer.log_level == "info"
    assert answer.log_message.startswith("processed 200 WALLET ")
    assert started.event.idempotency_key in answer.log_message
    assert repr(answer) == "Answer(status=200, code='processed')"

    wrong = receiver.begin(body, headers, method="PUT")
    assert isinstance(wrong, pw.Answer)
    assert wrong.headers == [("Content-Type", "application/json"), ("Allow", "POST")]
    assert (wrong.status, wrong.log_level) == (405, "warning")

    refused = receiver.begin(body, {})
    assert isinstance(refused, pw.Answer)
    assert json.loads(refused.body)["error"] == "ERR_MISSING_SIGNATURE"
    assert not refused.is_success

    declared = receiver.begin(b"", headers, declared_length=receiver.max_body_bytes + 1)
    assert isinstance(declared, pw.Answer) and declared.code == "ERR_BODY_TOO_LARGE"
    assert b"(Content-Length)" in declared.body


def test_a_ticket_settles_once() -> None:
    signer, receiver = the_receiver(pw.Deduplicator())
    body, headers = signer.delivery("WALLET", WALLET)
    started = receiver.begin(body, headers)
    assert isinstance(started, pw.Processing)
    ticket = started.ticket
    assert not ticket.settled and repr(ticket) == "Ticket(settled=False)"
    failed = ticket.finish_failed("boom: a secret detail")
    assert failed.status == 500 and b"secret" not in failed.body
    assert failed.log_level == "error" and "boom: a secret detail" in failed.log_message
    assert ticket.settled
    for again in (ticket.finish_ok, lambda: ticket.finish_failed("again")):
        with pytest.raises(pw.TicketSettledError) as info:
            again()
        assert info.value.code == "ERR_TICKET_SETTLED"
        assert isinstance(info.value, pw.WebhookError)
    # The first settlement stands: released, so the retry is processed.
    assert isinstance(receiver.begin(body, headers), pw.Processing)


def test_racing_finishes_settle_once() -> None:
    signer, receiver = the_receiver(pw.Deduplicator())
    body, headers = signer.delivery("WALLET", WALLET)
    started = receiver.begin(body, headers)
    assert isinstance(started, pw.Processing)
    barrier = threading.Barrier(8)
    outcomes: list[str] = []

    def finish() -> None:
        barrier.wait()
        try:
            outcomes.append(started.ticket.finish_ok().code)
        except pw.TicketSettledError as e:
            outcomes.append(e.code)

    threads = [threading.Thread(target=finish) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ERR_TICKET_SETTLED"] * 7 + ["processed"]


def test_a_dropped_ticket_releases_its_claim() -> None:
    signer, receiver = the_receiver(pw.Deduplicator())
    body, headers = signer.delivery("WALLET", WALLET)
    started = receiver.begin(body, headers)
    assert isinstance(started, pw.Processing)
    held = receiver.begin(body, headers)
    assert isinstance(held, pw.Answer) and held.code == "in_progress"
    del started
    gc.collect()
    assert isinstance(receiver.begin(body, headers), pw.Processing)


def test_bad_arguments() -> None:
    signer, receiver = the_receiver()
    body, headers = signer.delivery("WALLET", WALLET)
    with pytest.raises(pw.BodyNotRawError):
        receiver.begin(json.loads(body), headers)
    with pytest.raises(TypeError):
        receiver.begin(body, 42)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        pw.Receiver("key")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        pw.Receiver(receiver.webhook, pw.MemoryStore())  # type: ignore[arg-type]
    with pytest.raises(OverflowError):
        receiver.begin(body, headers, declared_length=-1)


def test_faulty_store() -> None:
    inner = pw.MemoryStore()
    store = FaultyStore(inner, "claim")
    assert isinstance(store, pw.Store) and store.inner is inner
    assert (store.fail_at, repr(store)) == ("claim", "FaultyStore(fail_at='claim')")
    dedup = pw.Deduplicator(store)
    with pytest.raises(pw.StoreUnavailableError, match="injected"):
        dedup.claim("k")
    store.fail_at = "nothing"
    with dedup.claim("k") as claim:
        assert claim.status == "new"
    assert len(inner) == 1
    with pytest.raises(ValueError, match="nothing, claim, complete, release"):
        store.fail_at = "sometimes"  # type: ignore[assignment]
    with pytest.raises(ValueError):
        FaultyStore(inner, "never")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        FaultyStore(object(), "claim")  # type: ignore[arg-type]


def test_store_failing_at_complete_still_answers_processed() -> None:
    store = FaultyStore(pw.MemoryStore(), "complete")
    signer, receiver = the_receiver(pw.Deduplicator(store))
    started = receiver.begin(*signer.delivery("WALLET", WALLET))
    assert isinstance(started, pw.Processing)
    answer = started.ticket.finish_ok()
    assert (answer.status, answer.code, answer.log_level) == (200, "processed", "warning")
    assert "ERR_STORE_UNAVAILABLE" in answer.log_message


# --- off the event loop ---------------------------------------------------------------------------


class GateStore:
    """A Python store whose claim waits at a gate: proof that the caller is not the loop."""

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.gate = threading.Event()
        self.opened_in_time = False
        self.held: dict[str, str] = {}

    def claim(self, key: str, token: str, lease_seconds: float) -> str:
        self.entered.set()
        self.opened_in_time = self.gate.wait(timeout=60)
        self.held[key] = token
        return "claimed"

    def complete(self, key: str, token: str, retain_seconds: float) -> bool:
        return self.held.get(key) == token

    def release(self, key: str, token: str) -> bool:
        return self.held.pop(key, None) == token


def test_async_variants_leave_the_loop_free() -> None:
    store = GateStore()
    signer, receiver = the_receiver(pw.Deduplicator(store))
    body, headers = signer.delivery("WALLET", WALLET)

    async def open_the_gate() -> None:
        # Runs on the loop while begin_async waits inside the store: were begin running on the
        # loop, this coroutine could not run and the claim would wait out its gate.
        while not store.entered.is_set():
            await asyncio.sleep(0.001)
        store.gate.set()

    async def main() -> tuple[Any, pw.Answer, pw.Answer]:
        started, _ = await asyncio.gather(receiver.begin_async(body, headers), open_the_gate())
        assert isinstance(started, pw.Processing)
        answer = await started.ticket.finish_failed_async("the handler failed")
        with pytest.raises(pw.TicketSettledError):
            await started.ticket.finish_ok_async()
        again = await receiver.begin_async(body, headers, method="POST", declared_length=len(body))
        assert isinstance(again, pw.Processing)
        return started, answer, await again.ticket.finish_ok_async()

    started, failed, processed = asyncio.run(main())
    assert store.opened_in_time
    assert (failed.status, processed.status) == (500, 200)
    refused = asyncio.run(receiver.begin_async(body, {}))
    assert isinstance(refused, pw.Answer) and refused.status == 401
    with pytest.raises(TypeError):
        started.ticket.finish_failed_async(42)  # type: ignore[arg-type]


def test_begin_and_finish_release_the_gil(tmp_path: Path) -> None:
    """While ``begin`` (then ``finish_ok``) waits for SQLite's write lock, this thread runs the
    Python that has the other process release it. Were the GIL held, the call would wait out
    its 30 s busy timeout and answer 503 (or log the completion as failed)."""
    path = tmp_path / "idempotency.sqlite3"
    signer, receiver = the_receiver(pw.Deduplicator(pw.SqliteStore(path, busy_timeout_seconds=30)))
    body, headers = signer.delivery("WALLET", WALLET)
    results: dict[str, Any] = {}

    def call(name: str, fn: Any) -> tuple[threading.Thread, threading.Event]:
        entering = threading.Event()

        def run() -> None:
            entering.set()
            results[f"{name}.start"] = time.monotonic()
            results[name] = fn()
            results[f"{name}.end"] = time.monotonic()

        thread = threading.Thread(target=run)
        thread.start()
        return thread, entering

    for name in ("begin", "finish"):
        locker = Locker(path)
        try:
            if name == "begin":
                thread, entering = call(name, lambda: receiver.begin(body, headers))
            else:
                thread, entering = call(name, results["begin"].ticket.finish_ok)
            entering.wait()
            time.sleep(0.5)  # the other thread is now waiting for the lock
            unlocked = time.monotonic()
            locker.unlock()
            thread.join()
        finally:
            locker.close()
        assert results[f"{name}.start"] < unlocked < results[f"{name}.end"], name
    assert isinstance(results["begin"], pw.Processing)
    assert (results["finish"].code, results["finish"].log_level) == ("processed", "info")


# --- diagnose -------------------------------------------------------------------------------------


def test_diagnose() -> None:
    signer = TestSigner.from_seed(52)
    webhook = pw.Webhook(signer.public_key_b64)
    body, headers = signer.delivery("WALLET", WALLET)

    healthy = webhook.diagnose(body, headers)
    assert (healthy.verifies, healthy.digest, healthy.error) == (True, "sha256", None)
    assert "nothing is wrong" in healthy.cause
    assert [c.name for c in healthy.checks][:2] == ["public key", "envelope"]
    assert all(c.ok for c in healthy.checks)
    assert signer.fingerprint in healthy.checks[0].detail
    assert "verifies=True" in repr(healthy) and "Check(name='public key'" in repr(healthy.checks[0])

    double, double_headers = signer.delivery("WALLET", WALLET, digest="sha256-double")
    found = webhook.diagnose(double, double_headers)
    assert (found.verifies, found.digest, found.error) == (False, "sha256-double", "ERR_INVALID_SIGNATURE")
    assert "sha256-double" in found.cause

    missing = webhook.diagnose(body, {"content-type": "application/json"})
    assert (missing.verifies, missing.error) == (False, "ERR_MISSING_SIGNATURE")
    assert missing.checks[-1].name == "signature header" and not missing.checks[-1].ok

    lower = webhook.diagnose(body, [("signature", headers["Signature"])])
    assert lower.verifies

    # A rotation: the report is about the key the signature matches.
    other = TestSigner.from_seed(53)
    rotating = pw.Webhook([other.public_key_b64, signer.public_key_b64])
    assert rotating.diagnose(body, headers).verifies
    assert signer.fingerprint in rotating.diagnose(body, headers).checks[0].detail
    wrong = pw.Webhook(other.public_key_b64).diagnose(body, headers)
    assert "does not match this key" in wrong.cause

    with pytest.raises(pw.BodyNotRawError):
        webhook.diagnose(json.loads(body), headers)
    with pytest.raises(TypeError):
        webhook.diagnose(body, None)  # type: ignore[arg-type]


def test_adapters_hold_no_status_or_body_of_their_own() -> None:
    """The adapters only move bytes: no HTTP status, answer code or JSON body in their code
    (docstrings aside); every one comes from the core's answer."""
    import ast
    import inspect

    from palisade_webhooks import _http, django, fastapi, flask

    codes = {*pw.ERROR_CODES, *pw.RECEIVER_CODES, pw.TICKET_SETTLED}
    for module in (_http, flask, fastapi, django):
        tree = ast.parse(inspect.getsource(module))
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
            and node.body
            and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)
        }
        for node in ast.walk(tree):
            if not isinstance(node, ast.Constant) or id(node) in docstrings:
                continue
            value = node.value
            where = f"{module.__name__} line {node.lineno}: {value!r}"
            if isinstance(value, int) and not isinstance(value, bool):
                assert not 100 <= value < 600, where
            if isinstance(value, str):
                assert value not in codes and "{" not in value, where
