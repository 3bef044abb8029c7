"""FastAPI adapter: a dependency that reads ``await request.body()`` and yields the verified event.

Example::

    from fastapi import FastAPI
    from palisade_webhooks import Deduplicator, Event, Webhook
    from palisade_webhooks.fastapi import install, palisade_webhook

    app = FastAPI()
    install(app)                      # refusals answer {"error": CODE, "message": ...}
    webhook = Webhook(PUBLIC_KEY)

    @app.post("/webhooks/palisade")
    def on_event(event: Event = palisade_webhook(webhook, dedup=Deduplicator())) -> dict[str, str]:
        ...  # process the verified event
        return {"status": "processed"}

Refusals answer 401/400/413/503 (as :class:`WebhookRejected`, an ``HTTPException``); with a
deduplicator, a duplicate answers ``200 {"status": "duplicate"}`` without running the endpoint,
one in progress elsewhere 409, and an exception in the endpoint releases the claim (FastAPI
answers 500, so Palisade retries). Without :func:`install`, FastAPI's default handler wraps the
same body in ``{"detail": ...}``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse

from . import _http
from ._errors import WebhookError
from ._native import Deduplicator, Event, Webhook

__all__ = ["PalisadeWebhook", "WebhookRejected", "install", "palisade_webhook"]


class WebhookRejected(HTTPException):
    """A delivery answered without running the endpoint: a refusal (``error`` set), a
    duplicate (200) or an event in progress elsewhere (409). ``body`` is the JSON answer."""

    def __init__(self, status_code: int, body: dict[str, Any]) -> None:
        super().__init__(status_code=status_code, detail=body)
        self.body = body


async def _rejected_handler(request: Request, exc: Exception) -> JSONResponse:
    body = exc.body if isinstance(exc, WebhookRejected) else {"error": "unknown"}
    status = exc.status_code if isinstance(exc, WebhookRejected) else 500
    return JSONResponse(body, status_code=status)


def install(app: FastAPI) -> None:
    """Answer :class:`WebhookRejected` with its body as is (``{"error": CODE, ...}`` or
    ``{"status": "duplicate"}``), the same JSON as the other adapters and languages."""
    app.add_exception_handler(WebhookRejected, _rejected_handler)


def _refuse(error: WebhookError) -> WebhookRejected:
    _http.log_refused(error)
    return WebhookRejected(_http.status_for(error), _http.error_body(error))


class PalisadeWebhook:
    """The dependency: ``event: Event = Depends(PalisadeWebhook(webhook, dedup=...))``.

    Prefer :func:`palisade_webhook`, which also completes the claim before the response is
    sent (``scope="function"``) where FastAPI supports it.
    """

    def __init__(self, webhook: Webhook, *, dedup: Deduplicator | None = None) -> None:
        self.webhook = webhook
        self.dedup = dedup

    async def __call__(self, request: Request) -> AsyncIterator[Event]:
        """Reads the raw body, verifies it, claims the event, yields it to the endpoint, then
        completes (or, if the endpoint raised, releases) the claim."""
        try:
            declared = request.headers.get("content-length")
            early = _http.too_large(
                int(declared) if declared and declared.isdigit() else None,
                self.webhook.max_body_bytes,
            )
            if early is not None:
                raise early
            body = await request.body()
            # The ASGI header list (bytes pairs) avoids decoding every header in Python.
            event = self.webhook.verify(body, request.headers.raw)
            claim = self.dedup.claim(event) if self.dedup is not None else None
        except WebhookError as e:
            raise _refuse(e) from None
        if claim is not None and claim.status != "new":
            _http.log_claim(claim.status, event)
            status = 200 if claim.status == "duplicate" else 409
            raise WebhookRejected(status, {"status": claim.status})
        try:
            yield event
        except BaseException as e:
            if claim is not None:
                try:
                    claim.release()
                except WebhookError:
                    pass  # the lease expires anyway; the endpoint's exception matters more
            status = e.status_code if isinstance(e, HTTPException) else 500
            _http.log_failed(event, e, status)
            raise
        if claim is not None:
            try:
                claim.complete()
            except WebhookError as e:
                raise _refuse(e) from None
        _http.log_processed(event)


def palisade_webhook(webhook: Webhook, *, dedup: Deduplicator | None = None) -> Any:
    """``Depends(...)`` for an endpoint parameter: ``event: Event = palisade_webhook(webhook)``.

    Args:
        webhook: the verifier (build it once, at start-up).
        dedup: optional :class:`~palisade_webhooks.Deduplicator`; with it, each event is
            processed once.
    """
    dependency = PalisadeWebhook(webhook, dedup=dedup)
    try:
        # Run the claim's completion when the endpoint returns, before the response is sent.
        return Depends(dependency, scope="function")
    except TypeError:  # FastAPI before 0.121 has no dependency scopes
        return Depends(dependency)
