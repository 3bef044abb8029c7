"""The behaviour every framework adapter must show, written once and run through each
framework's own test client (see test_flask.py, test_fastapi.py, test_django.py)."""

from __future__ import annotations

import json
from typing import Any, Callable, Protocol

import palisade_webhooks as pw
from palisade_webhooks.testing import TestSigner

WALLET = {"id": "w-1", "updatedAt": "2025-04-08T11:48:56Z", "status": "PROVISIONED"}


class Response(Protocol):
    status_code: int


class Harness(Protocol):
    """One adapter under test: ``post`` sends a delivery; ``calls`` lists the events the
    handler received; ``fail`` makes the handler raise."""

    calls: list[pw.Event]
    fail: bool

    def post(self, body: bytes, headers: dict[str, str]) -> tuple[int, Any]: ...


def body_of(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return None


def run_all(
    make: Callable[[pw.Webhook, pw.Deduplicator | None], Harness],
    new_store: Callable[[], pw.Store] = pw.MemoryStore,
) -> None:
    """Every behaviour, with the deduplicator over a fresh store from ``new_store``."""
    signer = TestSigner.from_seed(11)
    webhook = pw.Webhook(signer.public_key_b64, max_body_bytes=4096)

    # Without a deduplicator: verified events reach the handler, refusals never do.
    h = make(webhook, None)
    body, headers = signer.delivery("WALLET", WALLET)
    status, answer = h.post(body, headers)
    assert (status, answer) == (200, {"status": "processed"})
    assert [e.idempotency_key for e in h.calls] == ["WALLET/w-1/2025-04-08T11:48:56Z"]
    assert isinstance(h.calls[0].data, pw.Wallet)
    assert h.calls[0].data.status == "PROVISIONED"
    status, _ = h.post(body, headers)
    assert status == 200 and len(h.calls) == 2  # no deduplicator: processed again

    refusals = [
        ({"Content-Type": "application/json"}, body, 401, "ERR_MISSING_SIGNATURE"),
        (TestSigner.from_seed(12).delivery("WALLET", WALLET)[1], body, 401, "ERR_INVALID_SIGNATURE"),
        ({"Signature": "not-base64!"}, body, 401, "ERR_MALFORMED_SIGNATURE"),
        (headers, b'{"domain": "WALLET"}', 400, "ERR_MALFORMED_ENVELOPE"),
        (headers, b"\xff\xfe garbage", 400, "ERR_MALFORMED_ENVELOPE"),
        (headers, b"x" * 5000, 413, "ERR_BODY_TOO_LARGE"),
    ]
    bad_payload = signer.delivery("WALLET", {"name": "no id"})
    refusals.append((bad_payload[1], bad_payload[0], 400, "ERR_MALFORMED_PAYLOAD"))
    for req_headers, req_body, want_status, want_code in refusals:
        status, answer = h.post(req_body, dict(req_headers))
        assert status == want_status == pw.http_status(want_code), (want_code, status, answer)
        assert answer["error"] == want_code, answer
        assert answer["message"]
    assert len(h.calls) == 2

    # With a deduplicator.
    dedup = pw.Deduplicator(new_store())
    h = make(webhook, dedup)
    assert h.post(body, headers) == (200, {"status": "processed"})
    assert h.post(body, headers) == (200, {"status": "duplicate"})
    assert len(h.calls) == 1

    # In progress elsewhere: 409, handler not called.
    body2, headers2 = signer.delivery("WALLET", {**WALLET, "id": "w-2"})
    with dedup.claim("WALLET/w-2/2025-04-08T11:48:56Z") as held:
        assert held.status == "new"
        assert h.post(body2, headers2) == (409, {"status": "in_progress"})
    assert len(h.calls) == 1
    # ...completed by the other worker: now a duplicate.
    assert h.post(body2, headers2) == (200, {"status": "duplicate"})

    # The handler raises: 500 and the claim is released, so the retry processes it.
    body3, headers3 = signer.delivery("WALLET", {**WALLET, "id": "w-3"})
    h.fail = True
    status, _ = h.post(body3, headers3)
    assert status == 500
    assert len(h.calls) == 2
    h.fail = False
    assert h.post(body3, headers3) == (200, {"status": "processed"})
    assert len(h.calls) == 3
    assert h.post(body3, headers3) == (200, {"status": "duplicate"})

    # The store is down: 503, handler not called.
    class DownStore:
        def claim(self, key: str, token: str, lease_seconds: float) -> str:
            raise ConnectionError("store unreachable")

        def complete(self, key: str, token: str, retain_seconds: float) -> bool:
            raise ConnectionError("store unreachable")

        def release(self, key: str, token: str) -> bool:
            raise ConnectionError("store unreachable")

    h = make(webhook, pw.Deduplicator(DownStore()))
    status, answer = h.post(body, headers)
    assert status == 503 and answer["error"] == "ERR_STORE_UNAVAILABLE"
    assert h.calls == []
