"""Django adapter: a view decorator (CSRF-exempt, POST only) that verifies deliveries.

Example (``views.py``)::

    from palisade_webhooks import Deduplicator, Event, Webhook
    from palisade_webhooks.django import palisade_webhook

    webhook = Webhook(settings.PALISADE_PUBLIC_KEY)

    @palisade_webhook(webhook, dedup=Deduplicator())
    def palisade_events(request, event: Event):
        ...  # process the verified event

The view receives the request and the verified :class:`~palisade_webhooks.Event` (then any URL
arguments). Returning ``None`` answers ``200 {"status": "processed"}``; returning an
``HttpResponse`` sends it. Refusals answer 401/400/413/503 with ``{"error": CODE, "message":
...}``; other methods than POST answer 405. With a deduplicator, a duplicate answers
``200 {"status": "duplicate"}`` without calling the view, one in progress elsewhere 409, and an
exception releases the claim and propagates (Django answers 500, so Palisade retries).
"""

from __future__ import annotations

import functools
from typing import Any, Callable

from django.http import (  # type: ignore[import-untyped]
    HttpRequest,
    HttpResponseBase,
    HttpResponseNotAllowed,
    JsonResponse,
)
from django.views.decorators.csrf import csrf_exempt  # type: ignore[import-untyped]

from . import _http
from ._native import Deduplicator, Event, Webhook

__all__ = ["palisade_webhook"]


def palisade_webhook(
    webhook: Webhook, *, dedup: Deduplicator | None = None
) -> Callable[[Callable[..., HttpResponseBase | None]], Callable[..., HttpResponseBase]]:
    """Decorate a Django view so it receives verified events (CSRF-exempt, POST only).

    Args:
        webhook: the verifier (build it once, at import time).
        dedup: optional :class:`~palisade_webhooks.Deduplicator`; with it, each event is
            processed once.
    """

    def decorate(
        handler: Callable[..., HttpResponseBase | None],
    ) -> Callable[..., HttpResponseBase]:
        @functools.wraps(handler)
        def view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if request.method != "POST":
                return HttpResponseNotAllowed(["POST"])
            answer = _http.handle(
                webhook,
                dedup,
                _content_length(request),
                lambda: request.body,
                request.headers,
                lambda event: handler(request, event, *args, **kwargs),
            )
            if answer.handled and isinstance(answer.result, HttpResponseBase):
                return answer.result
            return JsonResponse(answer.body, status=answer.status)

        exempt: Callable[..., HttpResponseBase] = csrf_exempt(view)
        return exempt

    return decorate


def _content_length(request: HttpRequest) -> int | None:
    try:
        return int(request.META.get("CONTENT_LENGTH") or "")
    except ValueError:
        return None
