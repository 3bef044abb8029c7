"""The Flask adapter: every receiver vector over real HTTP (Werkzeug's server on 127.0.0.1,
chunked bodies included) and through Flask's test client, plus what the vectors do not show."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from flask import Flask

import palisade_webhooks as pw
from palisade_webhooks.flask import METHODS, palisade_webhook
from palisade_webhooks.testing import TestSigner

from receiver_vectors import (
    CASES,
    CLIENT_CASE_IDS,
    CLIENT_CASES,
    Reply,
    Request,
    Route,
    http_sender,
    replay,
    replay_all,
    routes,
    unfinished_chunked_reply,
    wsgi_server,
)

WALLET = {"id": "w-1", "updatedAt": "2025-04-08T11:48:56Z", "status": "PROVISIONED"}


def app_for(table: dict[str, Route]) -> Flask:
    app = Flask(__name__)
    for name, route in table.items():
        view = palisade_webhook(route.receiver)(route.handler)
        app.add_url_rule(route.path, endpoint=name, view_func=view, methods=METHODS)
    return app


def test_every_vector_over_http() -> None:
    table = routes(CASES)
    with wsgi_server(app_for(table)) as port:
        replay_all(table, http_sender(port))


@pytest.mark.parametrize("case", CLIENT_CASES, ids=CLIENT_CASE_IDS)
def test_vector_through_the_test_client(case: dict[str, Any]) -> None:
    table = routes([case])
    client = app_for(table).test_client()

    def send(path: str, request: Request) -> Reply:
        response = client.open(
            path, method=request.method, data=request.body, headers=request.headers
        )
        return Reply(response.status_code, response.data, {k.lower(): v for k, v in response.headers})

    replay(case, table[case["name"]], send)


def test_an_unfinished_chunked_body_is_read_bounded() -> None:
    case = next(c for c in CASES if c["name"] == "oversize_chunked")
    table = routes([case])
    request = Request.of(case["steps"][0])
    with wsgi_server(app_for(table)) as port:
        reply = unfinished_chunked_reply(port, "/oversize_chunked", request, extra=1 << 20)
    assert (reply.status, reply.body) == (413, case["steps"][0]["expect"]["body"].encode())
    assert table["oversize_chunked"].handler.runs == 0


def test_view_args_logging_and_ignored_return(caplog: pytest.LogCaptureFixture) -> None:
    signer = TestSigner.from_seed(3)
    receiver = pw.Receiver(pw.Webhook(signer.public_key_b64), pw.Deduplicator())
    app = Flask(__name__)
    seen: list[tuple[str, str]] = []

    @app.route("/hooks/<tenant>", methods=METHODS)
    @palisade_webhook(receiver)
    def on_event(event: pw.Event, tenant: str) -> tuple[str, int]:
        seen.append((tenant, event.resource_id or ""))
        if tenant == "broken":
            raise ValueError("no such tenant")
        return "ignored", 202

    client = app.test_client()
    body, headers = signer.delivery("WALLET", WALLET)
    with caplog.at_level(logging.INFO, logger="palisade_webhooks"):
        failed = client.post("/hooks/broken", data=body, headers=headers)
        processed = client.post("/hooks/acme", data=body, headers=headers)
        refused = client.post("/hooks/acme", data=body, headers={})
    assert on_event.__name__ == "on_event"
    assert seen == [("broken", "w-1"), ("acme", "w-1")]
    assert failed.status_code == 500 and failed.json == {
        "error": "ERR_HANDLER_FAILED",
        "message": "the handler failed; the delivery will be retried",
    }
    assert (processed.status_code, processed.data) == (200, b'{"status":"processed"}')
    assert refused.status_code == 401
    ours = [r for r in caplog.records if r.name == "palisade_webhooks"]
    records = [(r.levelno, r.getMessage().split()[0]) for r in ours]
    assert records == [
        (logging.ERROR, "failed"),
        (logging.INFO, "processed"),
        (logging.WARNING, "rejected"),
    ]
    failure = ours[0]
    assert "ValueError: no such tenant" in failure.getMessage()
    assert failure.exc_info is not None and failure.exc_info[0] is ValueError


def test_a_webhook_and_a_deduplicator_or_a_receiver() -> None:
    webhook = pw.Webhook(TestSigner.from_seed(3).public_key_b64)
    with pytest.raises(TypeError, match="Receiver"):
        palisade_webhook(pw.Receiver(webhook), dedup=pw.Deduplicator())
    with pytest.raises(TypeError, match="Webhook or a Receiver"):
        palisade_webhook("key")  # type: ignore[arg-type]
