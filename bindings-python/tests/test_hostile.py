"""Hostile input: whatever arrives, verify answers with an event or a WebhookError subclass
(TypeError only for programming errors such as a header container of the wrong type)."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import palisade_webhooks as pw
from palisade_webhooks.testing import TestSigner

SIGNER = TestSigner.from_seed(31)
WEBHOOK = pw.Webhook(SIGNER.public_key_b64)
BODY, HEADERS = SIGNER.delivery("TRANSACTION", {"id": "t", "updatedAt": "u", "qty": "1"})
SETTINGS = settings(
    max_examples=300,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)
header_text = st.text(max_size=40) | st.binary(max_size=40)


def outcome(body: Any, headers: Any) -> str:
    try:
        WEBHOOK.verify(body, headers)
    except pw.WebhookError as e:
        assert e.code in pw.ERROR_CODES
        assert type(e).code == e.code
        return e.code
    return "ok"


@SETTINGS
@given(st.binary(max_size=4096), st.text(max_size=200))
def test_random_bodies_and_signatures(body: bytes, signature: str) -> None:
    assert outcome(body, {"Signature": signature}) != "ok"


@SETTINGS
@given(st.lists(st.tuples(header_text, header_text), max_size=8))
def test_random_header_lists(headers: list[tuple[Any, Any]]) -> None:
    assert outcome(BODY, headers) in pw.ERROR_CODES


@SETTINGS
@given(st.data())
def test_mutated_deliveries(data: st.DataObject) -> None:
    body = bytearray(BODY)
    for _ in range(data.draw(st.integers(1, 4))):
        i = data.draw(st.integers(0, len(body) - 1))
        body[i] = data.draw(st.integers(0, 255))
    result = outcome(bytes(body), HEADERS)
    if result == "ok":
        # Only the unsigned envelope fields may change without breaking the signature, and an
        # accepted body is always valid UTF-8 JSON.
        original = json.loads(BODY)
        mutated = json.loads(bytes(body).decode("utf-8"))
        assert mutated["payload"] == original["payload"]


@SETTINGS
@given(st.sampled_from(["TRANSACTION", "WALLET", "APPROVAL", "OTHER"]), json_values)
def test_signed_arbitrary_resources(domain: str, resource: Any) -> None:
    text = json.dumps(resource)
    payload = base64.b64encode(text.encode()).decode()
    body = json.dumps({"domain": domain, "payload": payload}).encode()
    headers = {"Signature": SIGNER.sign(payload)}
    result = outcome(body, headers)
    if not isinstance(resource, dict):
        assert result == "ERR_MALFORMED_PAYLOAD"
    elif domain == "OTHER":
        assert result == "ok"  # unknown domains keep the raw resource
    else:
        assert result in ("ok", "ERR_MALFORMED_PAYLOAD")
    if result == "ok":
        event = WEBHOOK.verify(body, headers)
        assert event.raw == resource
        assert event.data.raw is event.raw
        assert pw.Event.from_json(event.to_json()) == event


@SETTINGS
@given(st.text(max_size=300))
def test_random_keys(key: str) -> None:
    try:
        pw.Webhook(key)
    except pw.InvalidPublicKeyError:
        pass


@SETTINGS
@given(st.text(max_size=300))
def test_random_serialised_events(text: str) -> None:
    with pytest.raises(pw.MalformedPayloadError):
        pw.Event.from_json(text)


@SETTINGS
@given(st.text(max_size=100), st.text(max_size=100), st.text(max_size=100))
def test_verify_webhook_random(key: str, signature: str, payload: str) -> None:
    assert pw.verify_webhook(key, signature, payload) is False


def test_huge_bodies() -> None:
    huge = b"{" + b" " * (64 * 1024 * 1024) + b"}"
    for body in (huge, bytearray(huge), memoryview(huge), huge.decode()):
        with pytest.raises(pw.BodyTooLargeError):
            WEBHOOK.verify(body, HEADERS)


def test_deeply_nested_payload() -> None:
    text = '{"id":"x","a":' + "[" * 100_000 + "]" * 100_000 + "}"
    payload = base64.b64encode(text.encode()).decode()
    body = json.dumps({"domain": "WALLET", "payload": payload}).encode()
    webhook = pw.Webhook(SIGNER.public_key_b64, max_body_bytes=len(body))
    with pytest.raises(pw.MalformedPayloadError):
        webhook.verify(body, {"Signature": SIGNER.sign(payload)})
    deep_envelope = b'{"payload":' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    with pytest.raises(pw.MalformedEnvelopeError):
        pw.Webhook(SIGNER.public_key_b64, max_body_bytes=len(deep_envelope)).verify(
            deep_envelope, HEADERS
        )


def test_strings_that_are_not_unicode() -> None:
    with pytest.raises(pw.MalformedEnvelopeError):
        WEBHOOK.verify("\ud800", HEADERS)
    with pytest.raises(pw.WebhookError):
        WEBHOOK.verify(BODY, {"Signature": "\udcff"})
    with pytest.raises(pw.WebhookError):
        WEBHOOK.verify(BODY, {"\ud800": "x"})


class ExplodingHeaders:
    def items(self) -> Any:
        raise RuntimeError("header object broke")


class EvilBody(bytes):
    pass


def test_objects_that_misbehave() -> None:
    with pytest.raises(RuntimeError):
        WEBHOOK.verify(BODY, ExplodingHeaders())
    # A bytes subclass is still raw bytes.
    assert WEBHOOK.verify(EvilBody(BODY), HEADERS).resource_id == "t"


RECEIVER = pw.Receiver(pw.Webhook(SIGNER.public_key_b64, max_body_bytes=1024), pw.Deduplicator())


@SETTINGS
@given(
    st.binary(max_size=2048),
    st.lists(st.tuples(header_text, header_text), max_size=6),
    st.text(max_size=12),
    st.none() | st.integers(min_value=0, max_value=2**64 - 1),
)
def test_the_receiver_answers_whatever_arrives(
    body: bytes, headers: list[tuple[Any, Any]], method: str, declared: int | None
) -> None:
    """Any request gets an answer from the closed set (or a delivery to process), never a
    crash; an answer's body is always the JSON it claims to be."""
    started = RECEIVER.begin(body, headers, method=method, declared_length=declared)
    if isinstance(started, pw.Processing):  # only a genuine delivery gets this far
        started.ticket.finish_failed("hostile test")
        return
    assert started.code in pw.ERROR_CODES or started.code in pw.RECEIVER_CODES
    answer = json.loads(started.body)
    assert answer.get("status", answer.get("error")) == started.code
    assert started.log_level in ("info", "warning", "error")
