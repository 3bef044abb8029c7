"""FastAPI adapter: an endpoint decorator that hands each request to a
:class:`~palisade_webhooks.Receiver`, without ever blocking the event loop on the store.

Example::

    from fastapi import FastAPI
    from palisade_webhooks import Deduplicator, Event, Webhook
    from palisade_webhooks.fastapi import METHODS, palisade_webhook

    app = FastAPI()
    webhook = Webhook(PUBLIC_KEY)

    @app.api_route("/webhooks/palisade", methods=METHODS)
    @palisade_webhook(webhook, dedup=Deduplicator())
    async def on_event(event: Event) -> None:
        ...  # process the verified event; raise to have Palisade retry it

The handler receives the verified :class:`~palisade_webhooks.Event` (plus the path parameters
as keyword arguments) and runs only for a delivery to process; its return value is ignored. It
may be ``async def`` (awaited) or ``def`` (run in the thread pool). The response is always the
receiver's answer, the same bytes as every other adapter's (``docs/receiver.md`` lists them):
200 ``{"status":"processed"}`` when the handler returned, 500 ``ERR_HANDLER_FAILED`` when it
raised (the claim is released, so Palisade's retry processes the event again; the traceback is
logged), and the refusals, duplicates and events in progress without calling it. Routing every
method (``METHODS``) lets a wrong method get the receiver's 405 rather than FastAPI's.

The body is read from ``request.stream()``, stopping past ``max_body_bytes`` with or without a
``Content-Length``. Verification and every store call run in worker threads
(``Receiver.begin_async``, ``Ticket.finish_ok_async``), so a slow Redis never stalls the loop.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from . import _http
from ._http import METHODS
from ._native import Deduplicator, Event, Receiver, Webhook

__all__ = ["METHODS", "install", "palisade_webhook"]

Endpoint = Callable[[Request], Awaitable[Response]]


async def _read_bounded(request: Request, receiver: Receiver) -> bytes:
    """At most ``max_body_bytes + 1`` bytes of the body, stopping the stream there."""
    limit = receiver.max_body_bytes + 1
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) >= limit:
            break
    return bytes(body[:limit])


def palisade_webhook(
    receiver: Webhook | Receiver, *, dedup: Deduplicator | None = None
) -> Callable[[Callable[..., Any]], Endpoint]:
    """Decorate a handler into a FastAPI endpoint that receives verified events.

    Args:
        receiver: a :class:`~palisade_webhooks.Receiver`, or the
            :class:`~palisade_webhooks.Webhook` to build one with (build it once, at start-up).
        dedup: with a ``Webhook``: an optional :class:`~palisade_webhooks.Deduplicator`, so
            each event is processed once.
    """
    target = _http.receiver_for(receiver, dedup)

    def decorate(handler: Callable[..., Any]) -> Endpoint:
        is_async = inspect.iscoroutinefunction(handler)

        async def endpoint(request: Request) -> Response:
            async def handle(event: Event) -> object:
                if is_async:
                    return await handler(event, **request.path_params)
                return await run_in_threadpool(handler, event, **request.path_params)

            answer = await _http.respond_async(
                target,
                method=request.method,
                declared=_http.declared_length(request.headers.get("content-length")),
                body=lambda: _read_bounded(request, target),
                # The ASGI header list (bytes pairs) keeps repeated headers apart.
                headers=request.headers.raw,
                handle=handle,
            )
            return Response(answer.body, status_code=answer.status, headers=dict(answer.headers))

        # Not functools.wraps: FastAPI reads the parameters through __wrapped__, and the
        # endpoint's one parameter is the request.
        endpoint.__name__ = getattr(handler, "__name__", endpoint.__name__)
        endpoint.__qualname__ = getattr(handler, "__qualname__", endpoint.__qualname__)
        endpoint.__doc__ = handler.__doc__
        endpoint.__module__ = handler.__module__
        return endpoint

    return decorate


def install(app: FastAPI) -> None:
    """Does nothing, and is kept so code written for earlier versions runs: the endpoint sends
    the receiver's answer itself, so no exception handler is needed."""
    del app
