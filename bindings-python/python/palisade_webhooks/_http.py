"""What the framework adapters share: statuses, response bodies and outcome logging.

Every adapter (and the receivers in the other languages) answers the same way; the status of a
refusal comes from the core (``_native.http_status``), so it cannot drift between languages:

=======================================  ======  ==================================
outcome                                  status  body
=======================================  ======  ==================================
verified, handler returned None          200     ``{"status": "processed"}``
duplicate (already processed)            200     ``{"status": "duplicate"}``
in progress (another worker)             409     ``{"status": "in_progress"}``
missing / malformed / invalid signature  401     ``{"error": CODE, "message": ...}``
malformed envelope or payload, stale     400     ``{"error": CODE, "message": ...}``
body too large                           413     ``{"error": CODE, "message": ...}``
store unavailable                        503     ``{"error": CODE, "message": ...}``
invalid public key, body not raw         500     ``{"error": CODE, "message": ...}``
handler raised                           500     the framework's own error response
=======================================  ======  ==================================

One log line per delivery goes to the ``palisade_webhooks`` logger.
"""

from __future__ import annotations

import logging
from typing import Any, Callable

from ._errors import BodyTooLargeError, WebhookError
from ._native import Deduplicator, Event, Webhook, http_status

logger = logging.getLogger("palisade_webhooks")


def status_for(error: WebhookError) -> int:
    """The HTTP status to answer for a refused delivery (the core's table); 500 for an error
    whose code the core does not know (a ``WebhookError`` raised by the application itself)."""
    try:
        return http_status(error.code)
    except ValueError:
        return 500


def error_body(error: WebhookError) -> dict[str, Any]:
    """The JSON body of a refusal."""
    return {"error": error.code, "message": error.message}


def too_large(content_length: int | None, limit: int) -> WebhookError | None:
    """A ``BodyTooLargeError`` when the declared length already exceeds the limit (so the body
    is not read at all), else ``None``."""
    if content_length is not None and content_length > limit:
        return BodyTooLargeError(
            f"the body is {content_length} bytes (Content-Length), over max_body_bytes = {limit}"
        )
    return None


def log_refused(error: WebhookError) -> None:
    """Logs a refused delivery."""
    logger.warning("rejected %d %s", status_for(error), error)


def log_processed(event: Event) -> None:
    """Logs a delivery whose handler succeeded."""
    logger.info(
        "processed 200 %s %s status=%s",
        event.domain,
        event.idempotency_key,
        event.status,
    )


def log_claim(status: str, event: Event) -> None:
    """Logs a delivery answered from the deduplicator (duplicate or in progress)."""
    code = 200 if status == "duplicate" else 409
    logger.info("%s %d %s %s", status, code, event.domain, event.idempotency_key)


def log_failed(event: Event, error: BaseException, status: int = 500) -> None:
    """Logs a delivery whose handler raised (the claim was released; Palisade will retry)."""
    logger.error(
        "failed %d %s %s: the handler raised %s: %s",
        status,
        event.domain,
        event.idempotency_key,
        type(error).__name__,
        error,
    )


class Answer:
    """What a synchronous adapter answers: ``result`` is the handler's return value when it
    ran (``handled``), else ``status`` and ``body`` describe the JSON answer."""

    __slots__ = ("status", "body", "handled", "result")

    def __init__(
        self, status: int, body: dict[str, Any], handled: bool = False, result: Any = None
    ) -> None:
        self.status = status
        self.body = body
        self.handled = handled
        self.result = result


def handle(
    webhook: Webhook,
    dedup: Deduplicator | None,
    content_length: int | None,
    read_body: Callable[[], bytes],
    headers: Any,
    call: Callable[[Event], Any],
) -> Answer:
    """Verify, deduplicate and dispatch one delivery (Flask and Django share this).

    A handler exception releases the claim, is logged and propagates (the framework answers
    500, so Palisade retries).
    """
    try:
        early = too_large(content_length, webhook.max_body_bytes)
        if early is not None:
            raise early
        event = webhook.verify(read_body(), headers)
        claim = dedup.claim(event) if dedup is not None else None
    except WebhookError as e:
        log_refused(e)
        return Answer(status_for(e), error_body(e))
    if claim is not None and claim.status != "new":
        log_claim(claim.status, event)
        return Answer(200 if claim.status == "duplicate" else 409, {"status": claim.status})
    try:
        result = call(event)
    except BaseException as e:
        if claim is not None:
            try:
                claim.release()
            except WebhookError:
                pass  # the lease expires anyway; the handler's exception matters more
        log_failed(event, e)
        raise
    if claim is not None:
        try:
            claim.complete()
        except WebhookError as e:
            log_refused(e)
            return Answer(status_for(e), error_body(e))
    log_processed(event)
    return Answer(200, {"status": "processed"}, handled=True, result=result)
