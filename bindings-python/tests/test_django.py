"""The Django adapter: every receiver vector over real HTTP (the WSGI app on Werkzeug's server,
which decodes chunked bodies as gunicorn does, and the ASGI app on uvicorn) and through Django's
test client, plus what the vectors do not show."""

from __future__ import annotations

import logging
from typing import Any

import pytest

import django_app  # configures Django before anything imports its models or test tools

from django.core.handlers.asgi import ASGIHandler  # noqa: E402
from django.core.handlers.wsgi import WSGIHandler  # noqa: E402
from django.http import HttpRequest, HttpResponse  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import path  # noqa: E402

import palisade_webhooks as pw  # noqa: E402
from palisade_webhooks.django import palisade_webhook  # noqa: E402
from palisade_webhooks.testing import TestSigner  # noqa: E402

from receiver_vectors import (  # noqa: E402
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
    wsgi_server,
)

WALLET = {"id": "w-1", "updatedAt": "2025-04-08T11:48:56Z", "status": "PROVISIONED"}


def view_for(handler: Handler) -> Any:
    def view(request: HttpRequest, event: pw.Event) -> None:
        assert isinstance(request, HttpRequest)
        handler(event)

    return view


def mount(table: dict[str, Route]) -> None:
    """One URL per case (the project's URL configuration is this process's)."""
    django_app.urlpatterns[:] = [
        path(route.path.lstrip("/"), palisade_webhook(route.receiver)(view_for(route.handler)))
        for route in table.values()
    ]


def test_every_vector_over_http_wsgi() -> None:
    table = routes(CASES)
    mount(table)
    with wsgi_server(WSGIHandler()) as port:
        replay_all(table, http_sender(port))


def test_every_vector_over_http_asgi() -> None:
    table = routes(CASES)
    mount(table)
    with asgi_server(ASGIHandler()) as port:
        replay_all(table, http_sender(port))


@pytest.mark.parametrize("case", CLIENT_CASES, ids=CLIENT_CASE_IDS)
def test_vector_through_the_test_client(case: dict[str, Any]) -> None:
    table = routes([case])
    mount(table)
    # CSRF checks on, as in production: the adapter must be CSRF-exempt.
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)

    def send(url: str, request: Request) -> Reply:
        # Django's test client takes one value per header: repeated ones are joined, as WSGI
        # servers present them.
        headers = request.joined_headers()
        content_type = headers.pop("Content-Type", "application/octet-stream")
        response = client.generic(
            request.method, url, request.body, content_type=content_type, headers=headers
        )
        return Reply(response.status_code, response.content, {k.lower(): v for k, v in response.items()})

    replay(case, table[case["name"]], send)


def test_an_unfinished_chunked_body_is_read_bounded() -> None:
    case = next(c for c in CASES if c["name"] == "oversize_chunked")
    table = routes([case])
    mount(table)
    request = Request.of(case["steps"][0])
    with wsgi_server(WSGIHandler()) as port:
        reply = unfinished_chunked_reply(port, "/oversize_chunked", request, extra=1 << 20)
    assert (reply.status, reply.body) == (413, case["steps"][0]["expect"]["body"].encode())
    assert table["oversize_chunked"].handler.runs == 0


def test_url_args_logging_and_ignored_return(caplog: pytest.LogCaptureFixture) -> None:
    signer = TestSigner.from_seed(6)
    seen: list[tuple[str, str]] = []

    @palisade_webhook(pw.Webhook(signer.public_key_b64), dedup=pw.Deduplicator())
    def view(request: HttpRequest, event: pw.Event, tenant: str) -> HttpResponse:
        seen.append((tenant, event.resource_id or ""))
        if tenant == "broken":
            raise ValueError("no such tenant")
        return HttpResponse("ignored", status=202)

    django_app.urlpatterns[:] = [path("hooks/<str:tenant>", view)]
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    body, headers = signer.delivery("WALLET", WALLET)
    signature = {"Signature": headers["Signature"]}
    with caplog.at_level(logging.INFO, logger="palisade_webhooks"):
        failed = client.post("/hooks/broken", body, "application/json", headers=signature)
        processed = client.post("/hooks/acme", body, "application/json", headers=signature)
        refused = client.get("/hooks/acme")
    assert seen == [("broken", "w-1"), ("acme", "w-1")]
    assert failed.status_code == 500 and failed.json()["error"] == "ERR_HANDLER_FAILED"
    assert (processed.status_code, processed.content) == (200, b'{"status":"processed"}')
    assert refused.status_code == 405 and refused["Allow"] == "POST"
    ours = [r for r in caplog.records if r.name == "palisade_webhooks"]
    records = [(r.levelno, r.getMessage().split()[0]) for r in ours]
    assert records == [
        (logging.ERROR, "failed"),
        (logging.INFO, "processed"),
        (logging.WARNING, "rejected"),
    ]
    assert ours[0].exc_info is not None
    assert ours[0].exc_info[0] is ValueError
