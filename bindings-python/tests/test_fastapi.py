"""The FastAPI adapter, through FastAPI's own test client."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

import palisade_webhooks as pw
from palisade_webhooks.fastapi import PalisadeWebhook, install, palisade_webhook
from palisade_webhooks.testing import TestSigner

from adapter_cases import WALLET, body_of, run_all
from conftest import Stores


class FastAPIHarness:
    def __init__(self, webhook: pw.Webhook, dedup: pw.Deduplicator | None) -> None:
        self.calls: list[pw.Event] = []
        self.fail = False
        app = FastAPI()
        install(app)

        @app.post("/webhooks/palisade")
        def on_event(event: pw.Event = palisade_webhook(webhook, dedup=dedup)) -> dict[str, str]:
            self.calls.append(event)
            if self.fail:
                raise RuntimeError("handler failed")
            return {"status": "processed"}

        self.client = TestClient(app, raise_server_exceptions=False)

    def post(self, body: bytes, headers: dict[str, str]) -> tuple[int, Any]:
        response = self.client.post("/webhooks/palisade", content=body, headers=headers)
        return response.status_code, body_of(response.content)


def test_fastapi_adapter(stores: Stores) -> None:
    run_all(FastAPIHarness, stores.new)


def test_async_endpoint_and_plain_depends() -> None:
    from fastapi import Depends

    signer = TestSigner.from_seed(4)
    webhook = pw.Webhook(signer.public_key_b64)
    app = FastAPI()  # no install(): FastAPI's own handler wraps the body in "detail"
    seen: list[str] = []

    @app.post("/hook")
    async def on_event(event: pw.Event = Depends(PalisadeWebhook(webhook))) -> dict[str, str]:
        seen.append(event.idempotency_key)
        return {"id": event.resource_id or ""}

    client = TestClient(app)
    body, headers = signer.delivery("WALLET", WALLET)
    response = client.post("/hook", content=body, headers=headers)
    assert (response.status_code, response.json()) == (200, {"id": "w-1"})
    response = client.post("/hook", content=body, headers={})
    assert response.status_code == 401
    assert response.json()["detail"]["error"] == "ERR_MISSING_SIGNATURE"
    assert seen == ["WALLET/w-1/2025-04-08T11:48:56Z"]


def test_large_declared_body_is_refused_before_reading() -> None:
    signer = TestSigner.from_seed(5)
    webhook = pw.Webhook(signer.public_key_b64, max_body_bytes=100)
    app = FastAPI()
    install(app)

    @app.post("/hook")
    def on_event(event: pw.Event = palisade_webhook(webhook)) -> None:
        raise AssertionError("not reached")

    body, headers = signer.delivery("WALLET", WALLET)
    response = TestClient(app).post("/hook", content=body, headers=headers)
    assert response.status_code == 413
    assert "Content-Length" in response.json()["message"]
