"""The Django adapter, through Django's own test client."""

from __future__ import annotations

from typing import Any

import django
from django.conf import settings

if not settings.configured:  # pragma: no branch - once per test process
    settings.configure(
        DEBUG=False,
        SECRET_KEY="test-only",
        ALLOWED_HOSTS=["testserver"],
        ROOT_URLCONF=__name__,
        MIDDLEWARE=[
            "django.middleware.common.CommonMiddleware",
            "django.middleware.csrf.CsrfViewMiddleware",
        ],
        INSTALLED_APPS=[],
        LOGGING_CONFIG=None,
    )
django.setup()

from django.http import HttpRequest, HttpResponse  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import path  # noqa: E402

import palisade_webhooks as pw  # noqa: E402
from palisade_webhooks.django import palisade_webhook  # noqa: E402
from palisade_webhooks.testing import TestSigner  # noqa: E402

from adapter_cases import WALLET, body_of, run_all
from conftest import Stores  # noqa: E402

urlpatterns: list[Any] = []


class DjangoHarness:
    def __init__(self, webhook: pw.Webhook, dedup: pw.Deduplicator | None) -> None:
        self.calls: list[pw.Event] = []
        self.fail = False

        @palisade_webhook(webhook, dedup=dedup)
        def view(request: HttpRequest, event: pw.Event) -> None:
            self.calls.append(event)
            if self.fail:
                raise RuntimeError("handler failed")

        urlpatterns[:] = [path("webhooks/palisade", view)]
        # CSRF checks on, as in production: the adapter must be CSRF-exempt.
        self.client = Client(enforce_csrf_checks=True, raise_request_exception=False)

    def post(self, body: bytes, headers: dict[str, str]) -> tuple[int, Any]:
        response = self.client.post(
            "/webhooks/palisade",
            data=body,
            content_type=headers.get("Content-Type", "application/json"),
            headers={k: v for k, v in headers.items() if k.lower() != "content-type"},
        )
        return response.status_code, body_of(response.content)


def test_django_adapter(stores: Stores) -> None:
    run_all(DjangoHarness, stores.new)


def test_django_method_url_args_and_response() -> None:
    signer = TestSigner.from_seed(6)
    webhook = pw.Webhook(signer.public_key_b64)

    @palisade_webhook(webhook)
    def view(request: HttpRequest, event: pw.Event, tenant: str) -> HttpResponse:
        return HttpResponse(f"{tenant}:{event.resource_id}", status=202)

    urlpatterns[:] = [path("hooks/<str:tenant>", view)]
    client = Client(enforce_csrf_checks=True)
    body, headers = signer.delivery("WALLET", WALLET)
    response = client.post(
        "/hooks/acme",
        data=body,
        content_type="application/json",
        headers={"Signature": headers["Signature"]},
    )
    assert (response.status_code, response.content) == (202, b"acme:w-1")
    assert client.get("/hooks/acme").status_code == 405
