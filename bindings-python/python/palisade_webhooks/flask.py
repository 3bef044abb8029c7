"""Flask adapter: a view decorator that hands each request to a :class:`~palisade_webhooks.Receiver`.

Example::

    from flask import Flask
    from palisade_webhooks import Deduplicator, Event, Webhook
    from palisade_webhooks.flask import METHODS, palisade_webhook

    app = Flask(__name__)
    webhook = Webhook(PUBLIC_KEY)

    @app.route("/webhooks/palisade", methods=METHODS)
    @palisade_webhook(webhook, dedup=Deduplicator())
    def on_event(event: Event) -> None:
        ...  # process the verified event; raise to have Palisade retry it

The handler receives the verified :class:`~palisade_webhooks.Event` (plus any URL variables as
keyword arguments) and runs only for a delivery to process; its return value is ignored. The
response is always the receiver's answer (``docs/receiver.md`` lists them): 200
``{"status":"processed"}`` when the handler returned, 500 ``ERR_HANDLER_FAILED`` when it raised
(the claim is released, so Palisade's retry processes the event again; the traceback is logged),
and the refusals, duplicates and events in progress without calling it. Routing every method
(``METHODS``) lets a wrong method get the receiver's 405 rather than Flask's page.

The body is read from the input stream, at most ``max_body_bytes + 1`` bytes, with or without a
``Content-Length`` (a chunked body needs a server that decodes it, as Werkzeug's and gunicorn
do).
"""

from __future__ import annotations

import functools
from typing import Callable, Concatenate, ParamSpec

from flask import Response, request

from . import _http
from ._http import METHODS
from ._native import Deduplicator, Event, Receiver, Webhook

__all__ = ["METHODS", "palisade_webhook"]

P = ParamSpec("P")


def palisade_webhook(
    receiver: Webhook | Receiver, *, dedup: Deduplicator | None = None
) -> Callable[[Callable[Concatenate[Event, P], object]], Callable[P, Response]]:
    """Decorate a Flask view so it receives verified events.

    Args:
        receiver: a :class:`~palisade_webhooks.Receiver`, or the
            :class:`~palisade_webhooks.Webhook` to build one with (build it once, at start-up).
        dedup: with a ``Webhook``: an optional :class:`~palisade_webhooks.Deduplicator`, so
            each event is processed once.
    """
    target = _http.receiver_for(receiver, dedup)

    def decorate(handler: Callable[Concatenate[Event, P], object]) -> Callable[P, Response]:
        @functools.wraps(handler)
        def view(*args: P.args, **kwargs: P.kwargs) -> Response:
            answer = _http.respond(
                target,
                method=request.method,
                declared=request.content_length,
                read=request.stream.read,
                headers=request.headers,
                handle=lambda event: handler(event, *args, **kwargs),
            )
            return Response(answer.body, status=answer.status, headers=answer.headers)

        return view

    return decorate
