"""Flask adapter: a view decorator that verifies (and optionally deduplicates) deliveries.

Example::

    from flask import Flask
    from palisade_webhooks import Deduplicator, Event, Webhook
    from palisade_webhooks.flask import palisade_webhook

    app = Flask(__name__)
    webhook = Webhook(PUBLIC_KEY)

    @app.post("/webhooks/palisade")
    @palisade_webhook(webhook, dedup=Deduplicator())
    def on_event(event: Event) -> None:
        ...  # process the verified event

The handler receives the verified :class:`~palisade_webhooks.Event` (plus any URL variables as
keyword arguments). Returning ``None`` answers ``200 {"status": "processed"}``; any other return
value is a normal Flask response. Refusals answer 401/400/413/503 with
``{"error": CODE, "message": ...}``; with a deduplicator, a duplicate answers
``200 {"status": "duplicate"}`` without calling the handler, one in progress elsewhere 409, and a
handler exception releases the claim and propagates (Flask answers 500, so Palisade retries).
"""

from __future__ import annotations

import functools
from typing import Any, Callable, Concatenate, ParamSpec

from flask import jsonify, request

from . import _http
from ._native import Deduplicator, Event, Webhook

__all__ = ["palisade_webhook"]

P = ParamSpec("P")


def palisade_webhook(
    webhook: Webhook, *, dedup: Deduplicator | None = None
) -> Callable[[Callable[Concatenate[Event, P], Any]], Callable[P, Any]]:
    """Decorate a Flask view so it receives verified events.

    Args:
        webhook: the verifier (build it once, at start-up).
        dedup: optional :class:`~palisade_webhooks.Deduplicator`; with it, each event is
            processed once.
    """

    def decorate(handler: Callable[Concatenate[Event, P], Any]) -> Callable[P, Any]:
        @functools.wraps(handler)
        def view(*args: P.args, **kwargs: P.kwargs) -> Any:
            answer = _http.handle(
                webhook,
                dedup,
                request.content_length,
                lambda: request.get_data(cache=True),
                request.headers,
                lambda event: handler(event, *args, **kwargs),
            )
            if answer.handled and answer.result is not None:
                return answer.result
            return jsonify(answer.body), answer.status

        return view

    return decorate
