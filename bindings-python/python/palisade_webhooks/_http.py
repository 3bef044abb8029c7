"""What the framework adapters share: bounded body reads, running the handler between
``Receiver.begin`` and ``Ticket.finish_*``, and logging the answer.

The adapters are I/O only: every status, header and body they send is the :class:`Answer` the
core's :class:`Receiver` decided, so every adapter (and the receivers of the other languages)
answers a delivery with the same bytes. One log line per delivery goes to the
``palisade_webhooks`` logger, at the answer's level.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from ._native import Answer, Deduplicator, Event, Processing, Receiver, Webhook

logger = logging.getLogger("palisade_webhooks")

_LEVELS = {"info": logging.INFO, "warning": logging.WARNING, "error": logging.ERROR}

METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
"""Route every method to the receiver, so a wrong one gets the receiver's own answer."""


def receiver_for(target: Webhook | Receiver, dedup: Deduplicator | None) -> Receiver:
    """The adapter's receiver: ``target`` itself, or a new one over a webhook and ``dedup``."""
    if isinstance(target, Receiver):
        if dedup is not None:
            raise TypeError("pass the deduplicator to Receiver(webhook, dedup), not to the adapter")
        return target
    if isinstance(target, Webhook):
        return Receiver(target, dedup)
    raise TypeError(f"expected a Webhook or a Receiver, not {type(target).__name__}")


def declared_length(value: str | None) -> int | None:
    """A ``Content-Length`` header's value, or ``None`` when absent or not a number."""
    if value is None:
        return None
    value = value.strip()
    return int(value) if value.isascii() and value.isdigit() else None


def must_read(receiver: Receiver, declared: int | None) -> bool:
    """Whether the body is worth reading: a declared length over the limit is answered without
    it, so an oversize body is not pulled at all."""
    return declared is None or declared <= receiver.max_body_bytes


def read_bounded(read: Callable[[int], bytes], receiver: Receiver) -> bytes:
    """At most ``max_body_bytes + 1`` bytes from ``read(n)`` (a stream's ``read``), whether or
    not a length was declared: one byte past the limit is enough for the receiver to refuse."""
    limit = receiver.max_body_bytes + 1
    chunks: list[bytes] = []
    size = 0
    while size < limit:
        chunk = read(limit - size)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def failure_reason(error: BaseException) -> str:
    """The reason a failed handler gives its ticket (logged, never sent)."""
    return f"{type(error).__name__}: {error}"


def log_answer(answer: Answer, error: BaseException | None = None) -> None:
    """Logs the answer's line at its level, with the handler's traceback when it raised."""
    logger.log(_LEVELS[answer.log_level], "%s", answer.log_message, exc_info=error)


def respond(
    receiver: Receiver,
    *,
    method: str,
    declared: int | None,
    read: Callable[[int], bytes],
    headers: Any,
    handle: Callable[[Event], object],
) -> Answer:
    """One delivery, synchronously (WSGI frameworks): read, begin, run the handler, finish."""
    body = read_bounded(read, receiver) if must_read(receiver, declared) else b""
    started = receiver.begin(body, headers, method=method, declared_length=declared)
    if not isinstance(started, Processing):
        log_answer(started)
        return started
    try:
        handle(started.event)
    except Exception as e:  # the core answers 500 and releases the claim; Palisade retries
        answer = started.ticket.finish_failed(failure_reason(e))
        log_answer(answer, e)
        return answer
    answer = started.ticket.finish_ok()
    log_answer(answer)
    return answer


async def respond_async(
    receiver: Receiver,
    *,
    method: str,
    declared: int | None,
    body: Callable[[], Awaitable[bytes]],
    headers: Any,
    handle: Callable[[Event], Awaitable[object]],
) -> Answer:
    """One delivery on an event loop (ASGI frameworks): the store is only reached from worker
    threads (``begin_async``, ``finish_*_async``), so the loop never waits on it."""
    read = await body() if must_read(receiver, declared) else b""
    started = await receiver.begin_async(read, headers, method=method, declared_length=declared)
    if not isinstance(started, Processing):
        log_answer(started)
        return started
    try:
        await handle(started.event)
    except Exception as e:  # the core answers 500 and releases the claim; Palisade retries
        answer = await started.ticket.finish_failed_async(failure_reason(e))
        log_answer(answer, e)
        return answer
    answer = await started.ticket.finish_ok_async()
    log_answer(answer)
    return answer
