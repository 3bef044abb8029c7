# Generated from the Rust core by core/examples/codegen_python.rs: do not edit. Regenerate with
# cargo run -q -p palisade-webhooks --features schema --example codegen_python -- errors > bindings-python/python/palisade_webhooks/_errors.py
"""The exceptions of palisade_webhooks, one class per stable error code, and the codes a
receiver answers with.

Every failure of a delivery raises a subclass of :class:`WebhookError`; its ``code`` is the same
string in the Python, Node.js, Go and Rust SDKs. ``_BY_CODE`` is the one table from code to class
(the native module raises through it).
"""

from __future__ import annotations

from typing import ClassVar, Final

__all__ = [
    "ERROR_CODES",
    "RECEIVER_CODES",
    "TICKET_SETTLED",
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
    "TicketSettledError",
]

ERROR_CODES: Final[tuple[str, ...]] = (
    "ERR_MISSING_SIGNATURE",
    "ERR_MALFORMED_SIGNATURE",
    "ERR_INVALID_SIGNATURE",
    "ERR_INVALID_PUBLIC_KEY",
    "ERR_BODY_NOT_RAW",
    "ERR_BODY_TOO_LARGE",
    "ERR_MALFORMED_ENVELOPE",
    "ERR_MALFORMED_PAYLOAD",
    "ERR_STALE_EVENT",
    "ERR_STORE_UNAVAILABLE",
)
"""The delivery error codes, each with its exception class below."""

RECEIVER_CODES: Final[tuple[str, ...]] = (
    "processed",
    "duplicate",
    "in_progress",
    "ERR_HANDLER_FAILED",
    "ERR_METHOD_NOT_ALLOWED",
)
"""The codes a receiver's ``Answer`` carries besides the delivery error codes."""

TICKET_SETTLED: Final = "ERR_TICKET_SETTLED"
"""The code of finishing a ticket (or a claim) twice."""

_TICKET_SETTLED_MESSAGE: Final = (
    "this ticket was already finished: a delivery is settled exactly once"
)


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
    """No ``Signature`` header (or an empty one).

    Answered with HTTP status 401.
    """

    code = "ERR_MISSING_SIGNATURE"


class MalformedSignatureError(WebhookError):
    """The signature is not base64, not strict DER, or looks like a raw ``r||s`` pair.

    Answered with HTTP status 401.
    """

    code = "ERR_MALFORMED_SIGNATURE"


class InvalidSignatureError(WebhookError):
    """The signature is well-formed but no configured key verifies the payload.

    Answered with HTTP status 401.
    """

    code = "ERR_INVALID_SIGNATURE"


class InvalidPublicKeyError(WebhookError):
    """A public key could not be parsed as a P-256 key.

    Answered with HTTP status 500.
    """

    code = "ERR_INVALID_PUBLIC_KEY"


class BodyNotRawError(WebhookError):
    """The body passed to ``verify`` was not the raw request body (e.g. a parsed ``dict``).

    Answered with HTTP status 500.
    """

    code = "ERR_BODY_NOT_RAW"


class BodyTooLargeError(WebhookError):
    """The body is larger than ``max_body_bytes``.

    Answered with HTTP status 413.
    """

    code = "ERR_BODY_TOO_LARGE"


class MalformedEnvelopeError(WebhookError):
    """The body is not a JSON object with a ``payload`` string.

    Answered with HTTP status 400.
    """

    code = "ERR_MALFORMED_ENVELOPE"


class MalformedPayloadError(WebhookError):
    """The payload is not base64 of a JSON object, or does not fit its domain's model.

    Answered with HTTP status 400.
    """

    code = "ERR_MALFORMED_PAYLOAD"


class StaleEventError(WebhookError):
    """The signed ``updatedAt`` is older than ``max_age`` (or missing while it is set).

    Answered with HTTP status 400.
    """

    code = "ERR_STALE_EVENT"


class StoreUnavailableError(WebhookError):
    """The idempotency store could not be reached or failed.

    Answered with HTTP status 503.
    """

    code = "ERR_STORE_UNAVAILABLE"


class TicketSettledError(WebhookError):
    """A ticket (or a claim) was finished a second time: a delivery is settled exactly once,
    and the first settlement stands."""

    code = "ERR_TICKET_SETTLED"

    def __init__(self, message: str = _TICKET_SETTLED_MESSAGE) -> None:
        super().__init__(message)


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
        TicketSettledError,
    )
}
