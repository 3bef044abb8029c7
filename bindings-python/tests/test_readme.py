"""The README's Python examples, run as written (with a test key standing in for the real one)."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path
from typing import Any

import palisade_webhooks as pw
from palisade_webhooks.testing import TestSigner

from conftest import REPO, redis_url

README = (REPO / "bindings-python" / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```python\n(.*?)```", README, re.S)
SIGNER = TestSigner.from_seed(77)
WALLET = {"id": "w-1", "updatedAt": "2025-04-08T11:48:56Z"}


def block(marker: str) -> str:
    found = [b for b in BLOCKS if marker in b]
    assert len(found) == 1, marker
    return found[0]


def run(code: str, **names: Any) -> tuple[dict[str, Any], str]:
    namespace: dict[str, Any] = {"__name__": "readme_example", **names}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "README.md", "exec"), namespace)
    return namespace, out.getvalue()


def test_every_block_is_tested() -> None:
    assert len(BLOCKS) == 8


def test_quick_start() -> None:
    raw_body, headers = SIGNER.delivery("WALLET", WALLET)
    ns, _ = run(block("webhook = Webhook(PUBLIC_KEY)  "), PUBLIC_KEY=SIGNER.public_key_b64,
                raw_body=raw_body, headers=headers)
    assert isinstance(ns["event"], pw.Event)
    assert ns["event"].idempotency_key == "WALLET/w-1/2025-04-08T11:48:56Z"


def test_try_it_offline() -> None:
    _, out = run(block("TestSigner.generate()"))
    assert out.strip() == "TRANSACTION CONFIRMED 1.5"


def test_flask_example() -> None:
    ns, _ = run(block("from flask import Flask"), PUBLIC_KEY=SIGNER.public_key_b64)
    client = ns["app"].test_client()
    body, headers = SIGNER.delivery("WALLET", WALLET)
    first = client.post("/webhooks/palisade", data=body, headers=headers)
    assert (first.status_code, first.json) == (200, {"status": "processed"})
    again = client.post("/webhooks/palisade", data=body, headers=headers)
    assert (again.status_code, again.json) == (200, {"status": "duplicate"})
    assert client.post("/webhooks/palisade", data=body).status_code == 401


def test_fastapi_example() -> None:
    from fastapi.testclient import TestClient

    ns, _ = run(block("from fastapi import FastAPI"), PUBLIC_KEY=SIGNER.public_key_b64)
    client = TestClient(ns["app"])
    body, headers = SIGNER.delivery("WALLET", WALLET)
    first = client.post("/webhooks/palisade", content=body, headers=headers)
    assert (first.status_code, first.json()) == (200, {"status": "processed"})
    again = client.post("/webhooks/palisade", content=body, headers=headers)
    assert (again.status_code, again.json()) == (200, {"status": "duplicate"})
    refused = client.post("/webhooks/palisade", content=body)
    assert (refused.status_code, refused.json()["error"]) == (401, "ERR_MISSING_SIGNATURE")


def test_django_example() -> None:
    import test_django  # noqa: F401 - configures Django settings for this process
    from django.test import RequestFactory

    ns, _ = run(block("palisade_webhooks.django"), PUBLIC_KEY=SIGNER.public_key_b64)
    view = ns["palisade_events"]
    body, headers = SIGNER.delivery("WALLET", WALLET)
    factory = RequestFactory()
    request = factory.post(
        "/webhooks/palisade",
        data=body,
        content_type="application/json",
        headers={"Signature": headers["Signature"]},
    )
    assert view(request).status_code == 200
    assert view(factory.get("/webhooks/palisade")).status_code == 405


def test_errors_example() -> None:
    raw_body, _ = SIGNER.delivery("WALLET", WALLET)
    _, out = run(block("except InvalidSignatureError"), webhook=pw.Webhook(SIGNER.public_key_b64),
                 raw_body=raw_body)
    assert out.startswith("refused: ERR_MALFORMED_SIGNATURE")


def test_dedup_example() -> None:
    event = pw.Webhook(SIGNER.public_key_b64).verify(*SIGNER.delivery("WALLET", WALLET))
    ns, out = run(block("dedup.claim(event)"), event=event)
    assert out.strip() == "process it once"
    assert ns["dedup"].claim(event).status == "duplicate"


def test_choosing_a_store_example(tmp_path: Path) -> None:
    ns, _ = run(block("SqliteStore(DATA_DIR"), DATA_DIR=tmp_path, REDIS_URL=redis_url())
    assert isinstance(ns["dedup"].store, pw.RedisStore)
    assert ns["dedup"].store.prefix == "payments:idem:"
    assert (tmp_path / "palisade-idempotency.sqlite3").exists()
    key = f"readme-{tmp_path.name}"
    with ns["dedup"].claim(key) as claim:
        assert claim.status == "new"
    assert ns["dedup"].claim(key).status == "duplicate"
