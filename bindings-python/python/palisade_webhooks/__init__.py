"""Verify, parse and deduplicate Palisade webhook deliveries, on a native Rust core.

Quick start::

    from palisade_webhooks import Webhook

    webhook = Webhook(PUBLIC_KEY)                      # the key shown in the Palisade console
    event = webhook.verify(raw_body, request_headers)  # raises a WebhookError subclass if bad

Deduplication: :class:`Deduplicator` over a :class:`MemoryStore` (one process), a
:class:`SqliteStore` (one host) or a :class:`RedisStore` (many instances).

Receiving: a :class:`Receiver` (a webhook and an optional deduplicator) decides every answer;
the framework adapters :mod:`palisade_webhooks.flask`, :mod:`palisade_webhooks.fastapi` and
:mod:`palisade_webhooks.django` are I/O around it. Test deliveries and a store that fails on
purpose: :mod:`palisade_webhooks.testing`.
"""

from __future__ import annotations

from typing import Literal, Protocol

from ._errors import (
    ERROR_CODES,
    RECEIVER_CODES,
    TICKET_SETTLED,
    BodyNotRawError,
    BodyTooLargeError,
    InvalidPublicKeyError,
    InvalidSignatureError,
    MalformedEnvelopeError,
    MalformedPayloadError,
    MalformedSignatureError,
    MissingSignatureError,
    StaleEventError,
    StoreUnavailableError,
    TicketSettledError,
    WebhookError,
)
from ._native import (
    DEFAULT_MAX_BODY_BYTES,
    Answer,
    Approval,
    Asset,
    Check,
    Claim,
    Deduplicator,
    Diagnosis,
    Event,
    MemoryStore,
    Processing,
    Receiver,
    RedisStore,
    SqliteStore,
    Store,
    Ticket,
    Transaction,
    TransferParty,
    UnknownResource,
    Wallet,
    WalletSettings,
    Webhook,
    __version__,
    http_status,
    verify_webhook,
)


class IdempotencyStore(Protocol):
    """What a custom store implemented in Python provides (pass it to :class:`Deduplicator`).

    Each method must be one atomic step with respect to every other caller of the same store.
    Any exception it raises becomes :class:`StoreUnavailableError`.
    """

    def claim(
        self, key: str, token: str, lease_seconds: float
    ) -> Literal["claimed", "completed", "held"]:
        """Claim ``key`` for ``token`` for ``lease_seconds`` unless it is completed
        (``"completed"``) or held under an unexpired lease by another token (``"held"``)."""
        ...

    def complete(self, key: str, token: str, retain_seconds: float) -> bool:
        """Mark ``key`` completed for ``retain_seconds`` if ``token`` still holds it (or held it
        and nobody took it over); ``False`` when another worker took it over."""
        ...

    def release(self, key: str, token: str) -> bool:
        """Free ``key`` if ``token`` holds it; ``False`` when it no longer did."""
        ...


__all__ = [
    "DEFAULT_MAX_BODY_BYTES",
    "ERROR_CODES",
    "RECEIVER_CODES",
    "TICKET_SETTLED",
    "Answer",
    "Approval",
    "Asset",
    "BodyNotRawError",
    "BodyTooLargeError",
    "Check",
    "Claim",
    "Deduplicator",
    "Diagnosis",
    "Event",
    "IdempotencyStore",
    "InvalidPublicKeyError",
    "InvalidSignatureError",
    "MalformedEnvelopeError",
    "MalformedPayloadError",
    "MalformedSignatureError",
    "MemoryStore",
    "MissingSignatureError",
    "Processing",
    "Receiver",
    "RedisStore",
    "SqliteStore",
    "StaleEventError",
    "Store",
    "StoreUnavailableError",
    "Ticket",
    "TicketSettledError",
    "Transaction",
    "TransferParty",
    "UnknownResource",
    "Wallet",
    "WalletSettings",
    "Webhook",
    "WebhookError",
    "__version__",
    "http_status",
    "verify_webhook",
]
