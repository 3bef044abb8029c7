"""Refusal messages never quote unauthenticated input: for each error code, hostile input
carrying a marker (often hundreds of kilobytes of it) gives a message of at most 200 characters
that does not contain the marker."""

from __future__ import annotations

import base64
import json
import socket
from typing import Any, Callable

import pytest

import palisade_webhooks as pw
from palisade_webhooks.testing import TestSigner

MARKER = "PWNMARKER"
MAX_MESSAGE_CHARS = 200


def huge(size: int) -> str:
    return MARKER * (size // len(MARKER) + 1)


def refused(code: str, action: Callable[[], Any]) -> str:
    """Runs ``action``, expects the error class of ``code``, checks its message."""
    with pytest.raises(pw.WebhookError) as info:
        action()
    error = info.value
    assert error.code == code, error
    message = error.message
    assert 0 < len(message) <= MAX_MESSAGE_CHARS, (len(message), message[:300])
    assert MARKER not in message, message[:300]
    assert MARKER not in str(error)
    assert not message.endswith("…"), message  # short as written, not cut by the backstop
    return message


SIGNER = TestSigner.from_seed(61)
WEBHOOK = pw.Webhook(SIGNER.public_key_b64)


def signed(domain: str, payload: str) -> tuple[bytes, dict[str, str]]:
    body = json.dumps({"domain": domain, "payload": payload}).encode()
    return body, {"Signature": SIGNER.sign(payload)}


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def test_every_code_is_covered_here() -> None:
    names = {name for name in globals() if name.startswith("test_err_")}
    assert names == {"test_" + code.lower() for code in pw.ERROR_CODES}


def test_err_missing_signature() -> None:
    body = json.dumps({"payload": huge(1000), "domain": huge(300_000)}).encode()
    refused("ERR_MISSING_SIGNATURE", lambda: WEBHOOK.verify(body, {}))
    refused("ERR_MISSING_SIGNATURE", lambda: WEBHOOK.verify(body, {"Signature": "  "}))
    refused("ERR_MISSING_SIGNATURE", lambda: WEBHOOK.verify(body, {huge(10_000): huge(10_000)}))


def test_err_malformed_signature() -> None:
    body, _ = signed("WALLET", b64('{"id":"w"}'))
    for signature in [huge(400_000), MARKER + "$", MARKER + "-_", b64(huge(60))]:
        refused("ERR_MALFORMED_SIGNATURE", lambda: WEBHOOK.verify(body, {"Signature": signature}))


def test_err_invalid_signature() -> None:
    _, headers = signed("WALLET", "e30=")
    body = json.dumps({"domain": huge(300_000), "payload": b64(huge(300_000))}).encode()
    refused("ERR_INVALID_SIGNATURE", lambda: WEBHOOK.verify(body, headers))
    rotation = pw.Webhook([TestSigner.from_seed(100 + i).public_key_b64 for i in range(12)])
    message = refused("ERR_INVALID_SIGNATURE", lambda: rotation.verify(body, headers))
    assert "and 9 more" in message


def test_err_invalid_public_key() -> None:
    label = f"-----BEGIN {huge(10_000)}-----\nAAAA\n-----END {huge(10_000)}-----\n"
    for key in [huge(400_000), MARKER + "!", label]:
        refused("ERR_INVALID_PUBLIC_KEY", lambda: pw.Webhook(key))
        message = refused("ERR_INVALID_PUBLIC_KEY", lambda: pw.Webhook([SIGNER.public_key_b64, key]))
        assert message.startswith("key #2: ")


def test_err_body_not_raw() -> None:
    _, headers = signed("WALLET", "e30=")
    parsed = {huge(100_000): huge(100_000), "payload": huge(1000)}
    for body in [parsed, [huge(100_000)], (huge(1000),), None, 42]:
        refused("ERR_BODY_NOT_RAW", lambda: WEBHOOK.verify(body, headers))  # type: ignore[arg-type]


def test_err_body_too_large() -> None:
    small = pw.Webhook(SIGNER.public_key_b64, max_body_bytes=1000)
    refused("ERR_BODY_TOO_LARGE", lambda: small.verify(huge(100_000), {"Signature": huge(1000)}))


def test_err_malformed_envelope() -> None:
    key = huge(400_000)
    _, headers = signed("WALLET", "e30=")
    bodies: list[bytes | str] = [
        # A 400 KB key given twice, before any signature check.
        f'{{"{key}":1,"payload":"e30=","{key}":2}}',
        f'{{"payload":"e30=","payload":"{key}"}}',
        f'{{"payload":5,"{key}":1}}',
        f'{{"domain":["{key}"],"payload":"e30="}}',
        f'{{"{key}":1}}',
        f'["{key}"]',
        f'{{"payload":"{key}',
        f'{{"payload":"e30=","x":"{key}'.encode() + b'\xff"}',
        "\ud800" + key,  # a str that cannot be the request text
    ]
    for body in bodies:
        refused("ERR_MALFORMED_ENVELOPE", lambda: WEBHOOK.verify(body, headers))


def test_err_malformed_payload() -> None:
    m = huge(100_000)
    payloads = [
        MARKER + "!!",
        b64(m),
        b64(f'["{m}"]'),
        b64(f'{{"id":{{"{m}":1}}}}'),
        b64(f'{{"id":"x","asset":"{m}, expected {m} at line 1"}}'),
        b64(f'{{"id":"x","qty":["{m}"]}}'),
        b64(f'{{"{m}":1}}'),
    ]
    for payload in payloads:
        body, headers = signed("TRANSACTION", payload)
        refused("ERR_MALFORMED_PAYLOAD", lambda: WEBHOOK.verify(body, headers))
    refused("ERR_MALFORMED_PAYLOAD", lambda: pw.Event.from_json(f'{{"{m}":1}}'))


def test_err_stale_event() -> None:
    strict = pw.Webhook(SIGNER.public_key_b64, max_age=60)
    m = huge(100_000)
    for resource in [
        {"id": m, "updatedAt": m},
        {"id": m, "updatedAt": "2020-01-01T00:00:00Z", "x": m},
        {"id": m},
    ]:
        body, headers = SIGNER.delivery("WALLET", resource)
        refused("ERR_STALE_EVENT", lambda: strict.verify(body, headers))


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_err_store_unavailable() -> None:
    # A closed port, with a password in the URL: the URL is never quoted.
    url = f"redis://user:{huge(300)}@127.0.0.1:{closed_port()}/0"
    refused(
        "ERR_STORE_UNAVAILABLE",
        lambda: pw.RedisStore(url, timeout_seconds=0.3, connect_timeout_seconds=0.3),
    )
    refused("ERR_STORE_UNAVAILABLE", lambda: pw.RedisStore(f"redis://{huge(300)}[/"))

    # A store of the application's own whose exception text is huge: clipped, not quoted whole.
    class Broken:
        def claim(self, key: str, token: str, lease_seconds: float, /) -> str:
            raise RuntimeError("x" * 100_000)

        def complete(self, key: str, token: str, retain_seconds: float, /) -> bool:
            return True

        def release(self, key: str, token: str, /) -> bool:
            return True

    dedup = pw.Deduplicator(Broken())
    refused("ERR_STORE_UNAVAILABLE", lambda: dedup.claim(huge(100_000)))
