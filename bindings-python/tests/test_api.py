"""The public API: construction, header and body forms, events, typed data, errors, TestSigner."""

from __future__ import annotations

import base64
import datetime
import json
import pickle
from typing import Any

import pytest

import palisade_webhooks as pw
from palisade_webhooks import _errors
from palisade_webhooks.testing import TestSigner

from conftest import REPO, TX

DOC_KEY = (
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEpHiEkdd/ba5dU4sNCgsWrMOE6fLakHywl0OgF5aVfxkiqNh22oyb"
    "RAREev7jvnwH4jqitHx79KGi6CMwiJjmaw=="
)


# --- errors -----------------------------------------------------------------------------------


def test_one_exception_class_per_core_code() -> None:
    assert set(_errors._BY_CODE) == {*pw.ERROR_CODES, pw.TICKET_SETTLED}
    assert len(pw.ERROR_CODES) == 10
    names = {
        "ERR_MISSING_SIGNATURE": pw.MissingSignatureError,
        "ERR_INVALID_SIGNATURE": pw.InvalidSignatureError,
        "ERR_MALFORMED_SIGNATURE": pw.MalformedSignatureError,
        "ERR_INVALID_PUBLIC_KEY": pw.InvalidPublicKeyError,
        "ERR_BODY_NOT_RAW": pw.BodyNotRawError,
        "ERR_BODY_TOO_LARGE": pw.BodyTooLargeError,
        "ERR_MALFORMED_ENVELOPE": pw.MalformedEnvelopeError,
        "ERR_MALFORMED_PAYLOAD": pw.MalformedPayloadError,
        "ERR_STALE_EVENT": pw.StaleEventError,
        "ERR_STORE_UNAVAILABLE": pw.StoreUnavailableError,
        "ERR_TICKET_SETTLED": pw.TicketSettledError,
    }
    assert names == _errors._BY_CODE
    for code, cls in names.items():
        assert issubclass(cls, pw.WebhookError)
        assert cls.code == code
        assert cls.__doc__ and cls.__module__ == "palisade_webhooks"
        error = cls("what to fix")
        assert error.code == code and error.message == "what to fix"
        assert str(error) == f"{code}: what to fix"
        assert pickle.loads(pickle.dumps(error)).message == "what to fix"
    assert pw.TicketSettledError().message.startswith("this ticket was already finished")


def test_receiver_codes() -> None:
    assert pw.RECEIVER_CODES == (
        "processed",
        "duplicate",
        "in_progress",
        "ERR_HANDLER_FAILED",
        "ERR_METHOD_NOT_ALLOWED",
    )
    assert not set(pw.RECEIVER_CODES) & set(pw.ERROR_CODES)


def test_http_status_comes_from_the_core() -> None:
    expected = {
        "ERR_MISSING_SIGNATURE": 401,
        "ERR_MALFORMED_SIGNATURE": 401,
        "ERR_INVALID_SIGNATURE": 401,
        "ERR_MALFORMED_ENVELOPE": 400,
        "ERR_MALFORMED_PAYLOAD": 400,
        "ERR_STALE_EVENT": 400,
        "ERR_BODY_TOO_LARGE": 413,
        "ERR_STORE_UNAVAILABLE": 503,
        "ERR_INVALID_PUBLIC_KEY": 500,
        "ERR_BODY_NOT_RAW": 500,
    }
    assert {code: pw.http_status(code) for code in pw.ERROR_CODES} == expected
    # Each class documents the status the receivers answer with.
    for code, cls in _errors._BY_CODE.items():
        if code in expected:
            assert f"HTTP status {expected[code]}." in (cls.__doc__ or "")
    with pytest.raises(ValueError, match="ERR_NOPE"):
        pw.http_status("ERR_NOPE")


# --- construction -----------------------------------------------------------------------------


def test_key_formats_and_options(signer: TestSigner) -> None:
    w = pw.Webhook(DOC_KEY)
    assert w.max_body_bytes == pw.DEFAULT_MAX_BODY_BYTES == 1_048_576
    assert w.digest == "sha256"
    assert w.max_age is None
    assert len(w.key_fingerprints) == 1 and len(w.key_fingerprints[0]) == 16
    assert w.key_fingerprints[0] in repr(w)
    w = pw.Webhook(
        signer.public_key_b64, max_body_bytes=10, digest="sha256-double", max_age=60
    )
    assert (w.max_body_bytes, w.digest, w.max_age) == (10, "sha256-double", 60.0)
    assert pw.Webhook(DOC_KEY, max_age=datetime.timedelta(minutes=2)).max_age == 120.0
    assert pw.Webhook(DOC_KEY, max_age=0.5).max_age == 0.5
    # Rotation: a list or a tuple of keys, tried in order.
    both = pw.Webhook([DOC_KEY, signer.public_key_b64])
    assert both.key_fingerprints == [
        pw.Webhook(DOC_KEY).key_fingerprints[0],
        signer.fingerprint,
    ]
    assert pw.Webhook((DOC_KEY,)).key_fingerprints == pw.Webhook(DOC_KEY).key_fingerprints


@pytest.mark.parametrize(
    "key",
    ["", "not a key", "MFkw", DOC_KEY[:-8] + "AAAAAAA=", "-----BEGIN PUBLIC KEY-----\nx\n"],
)
def test_bad_keys_fail_at_construction(key: str) -> None:
    with pytest.raises(pw.InvalidPublicKeyError):
        pw.Webhook(key)


def test_bad_construction_arguments() -> None:
    with pytest.raises(pw.InvalidPublicKeyError):
        pw.Webhook([])
    with pytest.raises(pw.InvalidPublicKeyError, match="key #2"):
        pw.Webhook([DOC_KEY, "nope"])
    with pytest.raises(ValueError, match="digest"):
        pw.Webhook(DOC_KEY, digest="md5")
    with pytest.raises(ValueError):
        pw.Webhook(DOC_KEY, max_age=-1)
    with pytest.raises(ValueError):
        pw.Webhook(DOC_KEY, max_age=float("nan"))
    for bad in (None, 42, DOC_KEY.encode(), [DOC_KEY.encode()], [1]):
        with pytest.raises(TypeError):
            pw.Webhook(bad)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        pw.Webhook(DOC_KEY, max_age="soon")  # type: ignore[arg-type]
    with pytest.raises((OverflowError, TypeError)):
        pw.Webhook(DOC_KEY, max_body_bytes=-1)


# --- verify: bodies and headers ---------------------------------------------------------------


def test_body_forms(webhook: pw.Webhook, delivery: tuple[bytes, dict[str, str]]) -> None:
    body, headers = delivery
    expected = webhook.verify(body, headers)
    for form in (bytearray(body), memoryview(body), body.decode()):
        assert webhook.verify(form, headers) == expected


@pytest.mark.parametrize("parsed", [{"payload": "x"}, [1, 2], (1,), None, 12, 1.5, object()])
def test_parsed_or_wrong_bodies_are_body_not_raw(
    webhook: pw.Webhook, delivery: tuple[bytes, dict[str, str]], parsed: Any
) -> None:
    _, headers = delivery
    with pytest.raises(pw.BodyNotRawError) as info:
        webhook.verify(parsed, headers)
    assert info.value.code == "ERR_BODY_NOT_RAW"
    assert "raw" in info.value.message
    if isinstance(parsed, (dict, list)):
        assert "parsed" in info.value.message


def test_header_forms(webhook: pw.Webhook, delivery: tuple[bytes, dict[str, str]]) -> None:
    body, headers = delivery
    sig = headers["Signature"]
    expected = webhook.verify(body, headers)
    forms: list[Any] = [
        {"signature": sig},
        {"SIGNATURE": sig, "Content-Type": "application/json"},
        [("Content-Type", "application/json"), ("Signature", sig)],
        (("Signature", sig),),
        [["Signature", sig]],
        [(b"signature", sig.encode())],  # ASGI raw headers
        {" Signature ": sig},
        iter([("Signature", sig)]),
    ]
    for form in forms:
        assert webhook.verify(body, form) == expected, form


def test_framework_header_objects(
    webhook: pw.Webhook, delivery: tuple[bytes, dict[str, str]]
) -> None:
    from django.http.request import HttpHeaders
    from starlette.datastructures import Headers as StarletteHeaders
    from werkzeug.datastructures import EnvironHeaders, Headers

    body, headers = delivery
    sig = headers["Signature"]
    expected = webhook.verify(body, headers)
    environ = {"HTTP_SIGNATURE": sig, "CONTENT_TYPE": "application/json"}
    for form in (
        Headers([("Signature", sig)]),
        EnvironHeaders(environ),
        StarletteHeaders(headers={"signature": sig}),
        StarletteHeaders(raw=[(b"signature", sig.encode())]),
        HttpHeaders(environ),
    ):
        assert webhook.verify(body, form) == expected, type(form)


def test_first_signature_header_wins(
    webhook: pw.Webhook, delivery: tuple[bytes, dict[str, str]]
) -> None:
    body, headers = delivery
    good = headers["Signature"]
    assert webhook.verify(body, [("signature", good), ("Signature", "bad")])
    with pytest.raises(pw.MalformedSignatureError):
        webhook.verify(body, [("Signature", "!!"), ("signature", good)])


@pytest.mark.parametrize("headers", [None, "Signature: x", b"x", 5, [("a",)], [1], [("a", 1)]])
def test_bad_header_containers_are_type_errors(
    webhook: pw.Webhook, delivery: tuple[bytes, dict[str, str]], headers: Any
) -> None:
    body, _ = delivery
    with pytest.raises(TypeError):
        webhook.verify(body, headers)


def test_refusals(webhook: pw.Webhook, signer: TestSigner) -> None:
    body, headers = signer.delivery("WALLET", {"id": "w1"})
    with pytest.raises(pw.MissingSignatureError):
        webhook.verify(body, {})
    with pytest.raises(pw.MissingSignatureError):
        webhook.verify(body, {"Signature": "  "})
    with pytest.raises(pw.MalformedSignatureError):
        webhook.verify(body, {"Signature": "not base64!"})
    other = TestSigner.from_seed(7)
    _, other_headers = other.delivery("WALLET", {"id": "w1"})
    with pytest.raises(pw.InvalidSignatureError) as info:
        webhook.verify(body, other_headers)
    assert webhook.key_fingerprints[0] in info.value.message
    with pytest.raises(pw.MalformedEnvelopeError):
        webhook.verify(b"not json", headers)
    with pytest.raises(pw.BodyTooLargeError):
        pw.Webhook(signer.public_key_b64, max_body_bytes=len(body) - 1).verify(body, headers)
    # The payload is checked against its domain's model after the signature.
    bad_body, bad_headers = signer.delivery("WALLET", {"name": "no id"})
    with pytest.raises(pw.MalformedPayloadError):
        webhook.verify(bad_body, bad_headers)


def test_max_age(signer: TestSigner) -> None:
    now = datetime.datetime.now(datetime.timezone.utc)
    fresh = {"id": "w", "updatedAt": now.strftime("%Y-%m-%dT%H:%M:%SZ")}
    old = {"id": "w", "updatedAt": "2020-01-01T00:00:00Z"}
    w = pw.Webhook(signer.public_key_b64, max_age=datetime.timedelta(hours=1))
    assert w.verify(*signer.delivery("WALLET", fresh)).resource_id == "w"
    with pytest.raises(pw.StaleEventError):
        w.verify(*signer.delivery("WALLET", old))
    # Off by default: old events verify.
    assert pw.Webhook(signer.public_key_b64).verify(*signer.delivery("WALLET", old))


def test_digest_option(signer: TestSigner) -> None:
    body, headers = signer.delivery("WALLET", {"id": "w"}, digest="sha256-double")
    with pytest.raises(pw.InvalidSignatureError):
        pw.Webhook(signer.public_key_b64).verify(body, headers)
    event = pw.Webhook(signer.public_key_b64, digest="sha256-double").verify(body, headers)
    assert event.resource_id == "w"


def test_rotation_records_the_verifying_key(signer: TestSigner) -> None:
    new = TestSigner.from_seed(1000)
    w = pw.Webhook([signer.public_key_b64, new.public_key_b64])
    assert w.verify(*signer.delivery("WALLET", {"id": "a"})).key_fingerprint == signer.fingerprint
    assert w.verify(*new.delivery("WALLET", {"id": "b"})).key_fingerprint == new.fingerprint


# --- events -----------------------------------------------------------------------------------


def test_transaction_event(webhook: pw.Webhook, signer: TestSigner) -> None:
    resource = {
        **TX,
        "sequence": "18446744073709551615",
        "feeQty": 0.25,
        "origin": {"type": "WALLET", "id": "w-9", "vaultId": "v-1"},
        "destination": {"type": "ADDRESS", "address": "0xabc"},
        "attributes": {"k": "v"},
        "config": {"nested": [1, 2.5, None, True, {"x": "y"}]},
        "signOnly": False,
        "unmodelled": {"kept": True},
        "blockchain": "NEW_CHAIN",
    }
    body, headers = signer.delivery("TRANSACTION", resource, timestamp="2025-05-08T14:15:37Z")
    event = webhook.verify(body, headers)
    assert event.domain == "TRANSACTION"
    assert event.timestamp == "2025-05-08T14:15:37Z"
    assert event.idempotency_key == "TRANSACTION/tx-1/2025-05-08T14:15:37Z"
    assert (event.resource_id, event.updated_at, event.status) == (
        "tx-1",
        "2025-05-08T14:15:37Z",
        "CONFIRMED",
    )
    assert event.key_fingerprint == signer.fingerprint
    assert json.loads(base64.b64decode(event.payload)) == resource
    assert event.payload == json.loads(body)["payload"]
    tx = event.data
    assert isinstance(tx, pw.Transaction)
    assert event.data is tx  # built once
    assert tx.id == "tx-1" and tx.wallet_id == "w-1"
    assert (tx.status, tx.action, tx.qty, tx.fee_qty) == ("CONFIRMED", "DEPOSIT", "1.5", "0.25")
    assert tx.sequence == "18446744073709551615"
    assert tx.blockchain == "NEW_CHAIN"  # unknown enum values are kept
    assert tx.attributes == {"k": "v"}
    assert tx.sign_only is False
    assert tx.config == {"nested": [1, 2.5, None, True, {"x": "y"}]}
    assert tx.hash is None and tx.expires_at is None and tx.reasons is None
    asset = tx.asset
    assert isinstance(asset, pw.Asset)
    assert (asset.id, asset.symbol, asset.blockchain, asset.decimals) == (
        "eth",
        "ETH",
        "ETHEREUM",
        18,
    )
    assert tx.fee_asset is None
    origin, destination = tx.origin, tx.destination
    assert isinstance(origin, pw.TransferParty) and isinstance(destination, pw.TransferParty)
    assert (origin.type, origin.id, origin.vault_id) == ("WALLET", "w-9", "v-1")
    assert (destination.type, destination.address) == ("ADDRESS", "0xabc")
    assert event.raw == resource and tx.raw is event.raw
    assert event.raw["unmodelled"] == {"kept": True}
    assert "tx-1" in repr(event) and "CONFIRMED" in repr(tx) and "ETH" in repr(asset)


def test_wallet_and_approval_events(webhook: pw.Webhook, signer: TestSigner) -> None:
    wallet = {
        "id": "0196153b-67bc-7cd3-b511-354373d28130",
        "vaultId": "v",
        "organizationId": "o",
        "updatedAt": "2025-04-08T11:48:56.900490Z",
        "name": "ewqfew",
        "address": "0x4644",
        "keystore": "HSM",
        "blockchain": "ARBITRUM",
        "settings": {"enabled": True, "rawSigningEnabled": False},
        "status": "PROVISIONED",
        "keyAlgorithm": "SECP256K1",
    }
    w = webhook.verify(*signer.delivery("WALLET", wallet)).data
    assert isinstance(w, pw.Wallet)
    assert (w.id, w.vault_id, w.organization_id, w.name, w.address) == (
        wallet["id"],
        "v",
        "o",
        "ewqfew",
        "0x4644",
    )
    assert (w.keystore, w.blockchain, w.status, w.key_algorithm) == (
        "HSM",
        "ARBITRUM",
        "PROVISIONED",
        "SECP256K1",
    )
    settings = w.settings
    assert isinstance(settings, pw.WalletSettings)
    assert (settings.enabled, settings.raw_signing_enabled, settings.sweeping_enabled) == (
        True,
        False,
        None,
    )
    assert w.description is None and w.reasons is None
    approval = {
        "id": "a1",
        "approvalSetId": "s1",
        "userId": "u1",
        "status": "APPROVED",
        "reasons": ["policy"],
        "updatedAt": "2025-01-01T00:00:00Z",
    }
    a = webhook.verify(*signer.delivery("APPROVAL", approval)).data
    assert isinstance(a, pw.Approval)
    assert (a.id, a.approval_set_id, a.user_id, a.status, a.reasons) == (
        "a1",
        "s1",
        "u1",
        "APPROVED",
        ["policy"],
    )


def test_unknown_domain_keeps_the_raw_resource(webhook: pw.Webhook, signer: TestSigner) -> None:
    event = webhook.verify(*signer.delivery("POLICY", {"id": "p1", "updatedAt": "t", "x": [1]}))
    assert event.domain == "POLICY"
    data = event.data
    assert isinstance(data, pw.UnknownResource)
    assert (data.domain, data.id, data.updated_at, data.status) == ("POLICY", "p1", "t", None)
    assert data.raw == {"id": "p1", "updatedAt": "t", "x": [1]}
    assert event.idempotency_key == "POLICY/p1/t"


def test_idempotency_key_falls_back_to_payload_hash(
    webhook: pw.Webhook, signer: TestSigner
) -> None:
    event = webhook.verify(*signer.delivery("WALLET", {"id": "w"}))
    import hashlib

    assert event.idempotency_key == "WALLET/sha256:" + hashlib.sha256(event.payload.encode()).hexdigest()


def test_event_serialisation(webhook: pw.Webhook, delivery: tuple[bytes, dict[str, str]]) -> None:
    event = webhook.verify(*delivery)
    text = event.to_json()
    wire = json.loads(text)
    assert wire["idempotency_key"] == event.idempotency_key
    assert wire["raw"] == event.raw
    back = pw.Event.from_json(text)
    assert back == event and back is not event
    assert back.data.id == "tx-1"  # type: ignore[union-attr]
    assert pickle.loads(pickle.dumps(event)) == event
    assert event != "not an event"
    with pytest.raises(pw.MalformedPayloadError):
        pw.Event.from_json("{}")
    with pytest.raises(pw.MalformedPayloadError):
        pw.Event.from_json("not json")


def test_raw_is_decoded_lazily_once(
    webhook: pw.Webhook, delivery: tuple[bytes, dict[str, str]]
) -> None:
    event = webhook.verify(*delivery)
    assert event.raw is event.raw
    assert event.data.raw is event.raw


# --- verify_signature / verify_webhook ---------------------------------------------------------


def test_verify_signature(webhook: pw.Webhook, signer: TestSigner) -> None:
    payload = base64.b64encode(b'{"id":"x"}').decode()
    signature = signer.sign(payload)
    assert webhook.verify_signature(payload, signature) == signer.fingerprint
    with pytest.raises(pw.InvalidSignatureError):
        webhook.verify_signature(payload + "=", signature)
    with pytest.raises(pw.MalformedSignatureError) as bad:
        webhook.verify_signature(payload, "AAAA")
    assert "swapped" not in bad.value.message
    with pytest.raises(TypeError):
        webhook.verify_signature(b"x", signature)  # type: ignore[arg-type]


def test_swapped_verify_signature_arguments_say_so(
    webhook: pw.Webhook, delivery: tuple[bytes, dict[str, str]]
) -> None:
    body, headers = delivery
    payload = json.loads(body)["payload"]
    with pytest.raises(pw.MalformedSignatureError, match="arguments swapped"):
        webhook.verify_signature(headers["Signature"], payload)


def test_verify_webhook_takes_str_or_bytes(signer: TestSigner) -> None:
    payload = base64.b64encode(b'{"id":"x"}').decode()
    signature = signer.sign(payload)
    key = signer.public_key_b64
    assert pw.verify_webhook(key, signature, payload) is True
    # What the documentation's snippet passes to base64 may be bytes as well as str.
    assert pw.verify_webhook(key.encode(), signature.encode(), payload.encode()) is True
    assert pw.verify_webhook(bytearray(key.encode()), memoryview(signature.encode()), payload) is True
    assert pw.verify_webhook(key.encode(), signature.encode(), payload.encode() + b"=") is False
    assert pw.verify_webhook(DOC_KEY, signature, payload) is False
    assert pw.verify_webhook("garbage", signature, payload) is False
    assert pw.verify_webhook(key, "garbage", payload) is False
    assert pw.verify_webhook(key, "", payload) is False
    assert pw.verify_webhook(key, signature, "\ud800") is False
    assert pw.verify_webhook(b"\xff\xfe", signature, payload) is False
    for args in [(None, signature, payload), (key, 2, payload), (key, signature, ["p"])]:
        with pytest.raises(TypeError, match="str or bytes"):
            pw.verify_webhook(*args)  # type: ignore[arg-type]


# --- TestSigner -------------------------------------------------------------------------------


def test_test_signer() -> None:
    a, b = TestSigner.generate(), TestSigner()
    assert a.public_key_b64 != b.public_key_b64
    assert a.public_key_b64.startswith("MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE")
    assert TestSigner.from_seed(5).public_key_b64 == TestSigner.from_seed(5).public_key_b64
    pem = a.private_key_pem()
    assert TestSigner.from_private_key(pem).public_key_b64 == a.public_key_b64
    with pytest.raises(pw.WebhookError):
        TestSigner.from_private_key("nope")
    body, headers = a.delivery("WALLET", json.dumps({"id": "w"}), timestamp=False)
    assert set(headers) == {"Content-Type", "Signature"}
    assert "timestamp" not in json.loads(body)
    body, _ = a.delivery("WALLET", {"id": "w"}, timestamp="2025-01-01T00:00:00Z")
    assert json.loads(body)["timestamp"] == "2025-01-01T00:00:00Z"
    body, _ = a.delivery("WALLET", {"id": "w"})
    assert json.loads(body)["timestamp"].endswith("Z")
    with pytest.raises(pw.MalformedPayloadError):
        a.delivery("WALLET", "[1]")
    with pytest.raises(TypeError):
        a.delivery("WALLET", {"id": object()})
    with pytest.raises(ValueError):
        a.sign("x", digest="md5")
    assert "fingerprint" in repr(a)
    assert TestSigner.__test__ is False


def test_everything_public_is_documented() -> None:
    undocumented = []
    for name in pw.__all__:
        item = getattr(pw, name)
        if not isinstance(item, type) and not callable(item):
            continue
        if not item.__doc__:
            undocumented.append(name)
        if isinstance(item, type) and not issubclass(item, BaseException):
            for attr, value in vars(item).items():
                if attr.startswith("_"):
                    continue
                if callable(value) or hasattr(value, "__get__"):
                    if not getattr(value, "__doc__", None):
                        undocumented.append(f"{name}.{attr}")
    assert undocumented == []


def test_fields_sent_as_null_read_as_absent(webhook: pw.Webhook, signer: TestSigner) -> None:
    """The same payloads as the core's and the other SDKs' tests: a field sent as null is absent
    from the typed resource (the core's model), at the top level and in nested models alike."""
    tx = webhook.verify(
        *signer.delivery(
            "TRANSACTION",
            {
                "id": "tx-null", "walletId": None, "status": "SIGNED", "qty": None, "sequence": None,
                "attributes": None, "config": None, "signingPayloads": None, "problems": None,
                "reasons": None, "signOnly": None, "origin": None,
                "asset": {"symbol": "ETH", "decimals": None, "contract": None, "blockchain": None},
                "feeAsset": {"id": None},
                "destination": {"type": None, "address": "0xabc", "vaultId": None},
                "freezeInfo": {"frozen": None},
            },
        )
    ).data
    assert isinstance(tx, pw.Transaction)
    for name in ("wallet_id", "qty", "sequence", "attributes", "config", "signing_payloads",
                 "problems", "reasons", "sign_only", "origin"):
        assert getattr(tx, name) is None, name
    assert tx.status == "SIGNED"
    assert tx.asset is not None and tx.fee_asset is not None and tx.destination is not None
    assert (tx.asset.symbol, tx.asset.decimals, tx.asset.contract) == ("ETH", None, None)
    assert tx.fee_asset.id is None
    assert (tx.destination.type, tx.destination.address) == (None, "0xabc")
    # A field kept raw holds the payload's own JSON, its nulls included.
    assert tx.freeze_info == {"frozen": None}

    wallet = webhook.verify(
        *signer.delivery("WALLET", {"id": "w-null", "name": None, "keystore": None,
                                    "settings": {"enabled": None, "sweepingEnabled": True}})
    ).data
    assert isinstance(wallet, pw.Wallet)
    assert (wallet.name, wallet.keystore) == (None, None)
    assert wallet.settings is not None
    assert (wallet.settings.enabled, wallet.settings.sweeping_enabled) == (None, True)
