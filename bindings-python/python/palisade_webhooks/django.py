"""Django adapter: a view decorator (CSRF-exempt) that hands each request to a
:class:`~palisade_webhooks.Receiver`.

Example (``views.py``)::

    from django.http import HttpRequest
    from palisade_webhooks import Deduplicator, Event, Webhook
    from palisade_webhooks.django import palisade_webhook

    webhook = Webhook(settings.PALISADE_PUBLIC_KEY)

    @palisade_webhook(webhook, dedup=Deduplicator())
    def palisade_events(request: HttpRequest, event: Event) -> None:
        ...  # process the verified event; raise to have Palisade retry it

The view receives the request and the verified :class:`~palisade_webhooks.Event` (then any URL
arguments) and runs only for a delivery to process; its return value is ignored. The response
is always the receiver's answer, the same bytes as every other adapter's (``docs/receiver.md``
lists them): 200 ``{"status":"processed"}`` when the view returned, 500 ``ERR_HANDLER_FAILED``
when it raised (the claim is released, so Palisade's retry processes the event again; the
traceback is logged), 405 for another method than POST, and the refusals, duplicates and events
in progress without calling it.

The body is read with ``request.read``, at most ``max_body_bytes + 1`` bytes (so Django's
``DATA_UPLOAD_MAX_MEMORY_SIZE`` does not apply). Django's WSGI request reads nothing without a
``Content-Length``; for a chunked body the adapter reads the server's decoded input stream
(``wsgi.input``, when the server marks it ``wsgi.input_terminated``, as gunicorn and Werkzeug
do), still bounded. Under ASGI, Django itself receives the whole body before the view runs.
"""

from __future__ import annotations

import functools
from typing import Any, Callable

from django.http import HttpRequest, HttpResponse  # type: ignore[import-untyped]
from django.views.decorators.csrf import csrf_exempt  # type: ignore[import-untyped]

from . import _http
from ._native import Deduplicator, Receiver, Webhook

__all__ = ["palisade_webhook"]


def _reader(request: HttpRequest, declared: int | None) -> Callable[[int], bytes]:
    """Where the body is read from: Django's request stream, or, for a chunked body the server
    has decoded, the WSGI input stream itself (Django's would read nothing)."""
    meta = request.META
    if declared is None and meta.get("wsgi.input_terminated") and "wsgi.input" in meta:
        read: Callable[[int], bytes] = meta["wsgi.input"].read
        return read
    return request.read  # type: ignore[no-any-return]


def palisade_webhook(
    receiver: Webhook | Receiver, *, dedup: Deduplicator | None = None
) -> Callable[[Callable[..., object]], Callable[..., HttpResponse]]:
    """Decorate a Django view so it receives verified events (CSRF-exempt).

    Args:
        receiver: a :class:`~palisade_webhooks.Receiver`, or the
            :class:`~palisade_webhooks.Webhook` to build one with (build it once, at import
            time).
        dedup: with a ``Webhook``: an optional :class:`~palisade_webhooks.Deduplicator`, so
            each event is processed once.
    """
    target = _http.receiver_for(receiver, dedup)

    def decorate(handler: Callable[..., object]) -> Callable[..., HttpResponse]:
        @functools.wraps(handler)
        def view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            declared = _http.declared_length(request.META.get("CONTENT_LENGTH"))
            answer = _http.respond(
                target,
                method=request.method,
                declared=declared,
                read=_reader(request, declared),
                headers=request.headers,
                handle=lambda event: handler(request, event, *args, **kwargs),
            )
            return HttpResponse(answer.body, status=answer.status, headers=dict(answer.headers))

        exempt: Callable[..., HttpResponse] = csrf_exempt(view)
        return exempt

    return decorate
