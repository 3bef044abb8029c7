"""The exceptions of palisade_webhooks: one class per stable error code.

Every failure of a delivery raises a subclass of :class:`WebhookError`; its ``code`` is the same
string in the Python, Node.js, Go and Rust SDKs. ``_BY_CODE`` is the one table from code to class
(the native module raises through it).
"""

from __future__ import annotations

from typing import ClassVar

__all__ = [
    "WebhookError",
    "MissingSignatureError",
    "MalformedSignatureError",
    "InvalidSignatureError",
    "InvalidPublicKeyError",
    "BodyNotRawError",
    "BodyTooLargeError",
    "MalformedEnvelopeError",
    "MalformedPayloadError",
    "StaleEventError",
    "StoreUnavailableError",
]


class WebhookError(Exception):
    """Base class of every SDK error.

    ``code`` is the stable error code (for example ``"ERR_INVALID_SIGNATURE"``) and ``message``
    says what to fix; messages never quote unauthenticated input (body, headers, payload
    contents): they name kinds and positions, in at most 200 characters.
    """

    code: ClassVar[str] = "ERR_WEBHOOK"

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


class MissingSignatureError(WebhookError):
    """No ``Signature`` header (or an empty one)."""

    code = "ERR_MISSING_SIGNATURE"


class MalformedSignatureError(WebhookError):
    """The signature is not base64, not strict DER, or looks like a raw ``r||s`` pair."""

    code = "ERR_MALFORMED_SIGNATURE"


class InvalidSignatureError(WebhookError):
    """The signature is well-formed but no configured key verifies the payload."""

    code = "ERR_INVALID_SIGNATURE"


class InvalidPublicKeyError(WebhookError):
    """A public key could not be parsed as a P-256 key."""

    code = "ERR_INVALID_PUBLIC_KEY"


class BodyNotRawError(WebhookError):
    """The body passed to ``verify`` was not the raw request body (e.g. a parsed ``dict``)."""

    code = "ERR_BODY_NOT_RAW"


class BodyTooLargeError(WebhookError):
    """The body is larger than ``max_body_bytes``."""

    code = "ERR_BODY_TOO_LARGE"


class MalformedEnvelopeError(WebhookError):
    """The body is not a JSON object with a ``payload`` string."""

    code = "ERR_MALFORMED_ENVELOPE"


class MalformedPayloadError(WebhookError):
    """The payload is not base64 of a JSON object, or does not fit its domain's model."""

    code = "ERR_MALFORMED_PAYLOAD"


class StaleEventError(WebhookError):
    """The signed ``updatedAt`` is older than ``max_age`` (or missing while it is set)."""

    code = "ERR_STALE_EVENT"


class StoreUnavailableError(WebhookError):
    """The idempotency store could not be reached or failed."""

    code = "ERR_STORE_UNAVAILABLE"


# Shown (and pickled) under the package that exports them.
for _cls in (WebhookError, *WebhookError.__subclasses__()):
    _cls.__module__ = "palisade_webhooks"
del _cls

_BY_CODE: dict[str, type[WebhookError]] = {
    cls.code: cls
    for cls in (
        MissingSignatureError,
        MalformedSignatureError,
        InvalidSignatureError,
        InvalidPublicKeyError,
        BodyNotRawError,
        BodyTooLargeError,
        MalformedEnvelopeError,
        MalformedPayloadError,
        StaleEventError,
        StoreUnavailableError,
    )
}
