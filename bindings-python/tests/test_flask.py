"""The Flask adapter, through Flask's own test client."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from flask import Flask

import palisade_webhooks as pw
from palisade_webhooks.flask import palisade_webhook
from palisade_webhooks.testing import TestSigner

from adapter_cases import WALLET, body_of, run_all
from conftest import Stores


class FlaskHarness:
    def __init__(self, webhook: pw.Webhook, dedup: pw.Deduplicator | None) -> None:
        self.calls: list[pw.Event] = []
        self.fail = False
        app = Flask(__name__)

        @app.post("/webhooks/palisade")
        @palisade_webhook(webhook, dedup=dedup)
        def on_event(event: pw.Event) -> None:
            self.calls.append(event)
            if self.fail:
                raise RuntimeError("handler failed")

        self.client = app.test_client()

    def post(self, body: bytes, headers: dict[str, str]) -> tuple[int, Any]:
        response = self.client.post("/webhooks/palisade", data=body, headers=headers)
        return response.status_code, body_of(response.data)


def test_flask_adapter(stores: Stores) -> None:
    run_all(FlaskHarness, stores.new)


def test_flask_handler_response_and_view_args(caplog: pytest.LogCaptureFixture) -> None:
    signer = TestSigner.from_seed(3)
    webhook = pw.Webhook(signer.public_key_b64)
    app = Flask(__name__)

    @app.post("/hooks/<tenant>")
    @palisade_webhook(webhook)
    def on_event(event: pw.Event, tenant: str) -> tuple[str, int]:
        return f"{tenant}:{event.resource_id}", 202

    body, headers = signer.delivery("WALLET", WALLET)
    with caplog.at_level(logging.INFO, logger="palisade_webhooks"):
        response = app.test_client().post("/hooks/acme", data=body, headers=headers)
        assert (response.status_code, response.data) == (202, b"acme:w-1")
        response = app.test_client().post("/hooks/acme", data=body, headers={})
        assert response.status_code == 401
    assert [r.getMessage().split()[0] for r in caplog.records] == ["processed", "rejected"]
    assert on_event.__name__ == "on_event"
