"""The FastAPI adapter: every receiver vector over real HTTP (uvicorn on 127.0.0.1, chunked
bodies included) and through FastAPI's test client, plus what the vectors do not show: the
event loop never waits on the store, and ``install()`` changes nothing."""

from __future__ import annotations

import http.client
import logging
import threading
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

import palisade_webhooks as pw
from palisade_webhooks.fastapi import METHODS, install, palisade_webhook
from palisade_webhooks.testing import TestSigner

from receiver_vectors import (
    CASES,
    CLIENT_CASE_IDS,
    CLIENT_CASES,
    Handler,
    Reply,
    Request,
    Route,
    asgi_server,
    http_sender,
    replay,
    replay_all,
    routes,
    unfinished_chunked_reply,
)

WALLET = {"id": "w-1", "updatedAt": "2025-04-08T11:48:56Z", "status": "PROVISIONED"}


def async_handler(handler: Handler) -> Any:
    async def on_event(event: pw.Event) -> None:
        handler(event)

    return on_event


def app_for(table: dict[str, Route], *, run_async: bool) -> FastAPI:
    """One route per case; the handler is ``async def`` or ``def`` (run in the thread pool)."""
    app = FastAPI()
    for route in table.values():
        handler = async_handler(route.handler) if run_async else route.handler
        endpoint = palisade_webhook(route.receiver)(handler)
        app.api_route(route.path, methods=METHODS)(endpoint)
    return app


def client_sender(client: TestClient) -> Any:
    def send(path: str, request: Request) -> Reply:
        response = client.request(
            request.method, path, content=request.body, headers=request.headers
        )
        return Reply(response.status_code, response.content, dict(response.headers))

    return send


@pytest.mark.parametrize("run_async", [True, False], ids=["async_handler", "sync_handler"])
def test_every_vector_over_http(run_async: bool) -> None:
    table = routes(CASES)
    with asgi_server(app_for(table, run_async=run_async)) as port:
        replay_all(table, http_sender(port))


@pytest.mark.parametrize("case", CLIENT_CASES, ids=CLIENT_CASE_IDS)
def test_vector_through_the_test_client(case: dict[str, Any]) -> None:
    table = routes([case])
    with TestClient(app_for(table, run_async=False)) as client:
        replay(case, table[case["name"]], client_sender(client))


def test_install_changes_no_answer() -> None:
    """Without ``install()`` FastAPI would wrap exceptions in ``{"detail": ...}``; the adapter
    raises none, so both apps answer every vector with the same bytes."""
    table = routes(CLIENT_CASES)
    app = app_for(table, run_async=True)
    install(app)
    with TestClient(app) as client:
        replay_all(table, client_sender(client), CLIENT_CASES)


def test_an_unfinished_chunked_body_is_read_bounded() -> None:
    case = next(c for c in CASES if c["name"] == "oversize_chunked")
    table = routes([case])
    request = Request.of(case["steps"][0])
    with asgi_server(app_for(table, run_async=True)) as port:
        reply = unfinished_chunked_reply(port, "/oversize_chunked", request, extra=1 << 20)
    assert (reply.status, reply.body) == (413, case["steps"][0]["expect"]["body"].encode())
    assert table["oversize_chunked"].handler.runs == 0


class GateStore:
    """A store written in Python whose claim and complete wait at a gate until the test opens
    it: while one request waits there, the event loop must keep serving other requests."""

    def __init__(self) -> None:
        self.inner = pw.Deduplicator()
        self.entered = threading.Event()
        self.gate = threading.Event()
        self.waits: list[str] = []
        self.keys: dict[str, str] = {}

    def wait(self, step: str) -> None:
        self.entered.set()
        opened = self.gate.wait(timeout=60)
        self.waits.append(step if opened else f"{step} (timed out)")

    def claim(self, key: str, token: str, lease_seconds: float) -> str:
        self.wait("claim")
        self.keys[key] = token
        return "claimed"

    def complete(self, key: str, token: str, retain_seconds: float) -> bool:
        self.wait("complete")
        return self.keys.get(key) == token

    def release(self, key: str, token: str) -> bool:
        return self.keys.pop(key, None) == token


def test_the_event_loop_never_waits_on_the_store() -> None:
    signer = TestSigner.from_seed(7)
    store = GateStore()
    receiver = pw.Receiver(pw.Webhook(signer.public_key_b64), pw.Deduplicator(store))
    app = FastAPI()
    app.api_route("/hook", methods=METHODS)(palisade_webhook(receiver)(async_handler(Handler())))

    @app.get("/ping")
    async def ping() -> dict[str, str]:
        return {"pong": "yes"}

    body, headers = signer.delivery("WALLET", WALLET)
    replies: list[Reply] = []
    with asgi_server(app) as port:
        send = http_sender(port)
        request = Request("POST", list(headers.items()), body, True)
        delivery = threading.Thread(target=lambda: replies.append(send("/hook", request)))
        delivery.start()
        for step in ("claim", "complete"):
            assert store.entered.wait(timeout=60), f"the delivery never reached {step}"
            # The delivery is inside the store call: the loop still answers another request.
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            conn.request("GET", "/ping")
            assert conn.getresponse().read() == b'{"pong":"yes"}', step
            conn.close()
            store.entered.clear()
            store.gate.set()
            if step == "claim":
                store.gate.clear()
        delivery.join(timeout=60)
    assert store.waits == ["claim", "complete"]
    assert [(r.status, r.body) for r in replies] == [(200, b'{"status":"processed"}')]


def test_path_params_logging_and_ignored_return(caplog: pytest.LogCaptureFixture) -> None:
    signer = TestSigner.from_seed(4)
    receiver = pw.Receiver(pw.Webhook(signer.public_key_b64))
    app = FastAPI()
    seen: list[tuple[str, str]] = []

    @app.api_route("/hooks/{tenant}", methods=METHODS)
    @palisade_webhook(receiver)
    def on_event(event: pw.Event, tenant: str) -> dict[str, str]:
        """Documented endpoint."""
        seen.append((tenant, event.resource_id or ""))
        if tenant == "broken":
            raise ValueError("no such tenant")
        return {"ignored": "yes"}

    assert (on_event.__name__, on_event.__doc__) == ("on_event", "Documented endpoint.")
    body, headers = signer.delivery("WALLET", WALLET)
    with caplog.at_level(logging.INFO, logger="palisade_webhooks"), TestClient(app) as client:
        failed = client.post("/hooks/broken", content=body, headers=headers)
        processed = client.post("/hooks/acme", content=body, headers=headers)
        refused = client.post("/hooks/acme", content=body)
    assert seen == [("broken", "w-1"), ("acme", "w-1")]
    assert failed.status_code == 500 and failed.json()["error"] == "ERR_HANDLER_FAILED"
    assert (processed.status_code, processed.content) == (200, b'{"status":"processed"}')
    assert refused.status_code == 401 and refused.json()["error"] == "ERR_MISSING_SIGNATURE"
    ours = [r for r in caplog.records if r.name == "palisade_webhooks"]
    records = [(r.levelno, r.getMessage().split()[0]) for r in ours]
    assert records == [
        (logging.ERROR, "failed"),
        (logging.INFO, "processed"),
        (logging.WARNING, "rejected"),
    ]
    assert ours[0].exc_info is not None
    assert ours[0].exc_info[0] is ValueError
