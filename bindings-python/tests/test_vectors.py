"""Every shared conformance vector and every Wycheproof case, through the binding."""

from __future__ import annotations

import base64
import hashlib
import pickle
from typing import Any

import pytest

import palisade_webhooks as pw
from palisade_webhooks import _errors

from conftest import VECTORS, load_json

CONFORMANCE = load_json(VECTORS / "conformance.json")
CASES = CONFORMANCE["cases"]
EVENT_FIELDS = (
    "domain",
    "idempotency_key",
    "resource_id",
    "updated_at",
    "status",
    "timestamp",
    "key_fingerprint",
)
DATA_CLASS = {
    "TRANSACTION": pw.Transaction,
    "WALLET": pw.Wallet,
    "APPROVAL": pw.Approval,
}


def build(case: dict[str, Any]) -> pw.Webhook:
    options = case["options"]
    kwargs: dict[str, Any] = {}
    if options.get("max_body_bytes") is not None:
        kwargs["max_body_bytes"] = options["max_body_bytes"]
    if options.get("digest") is not None:
        kwargs["digest"] = options["digest"]
    if options.get("max_age_seconds") is not None:
        kwargs["max_age"] = options["max_age_seconds"]
    keys = case["keys"]
    # One key as a plain str (the common call), several as a list (a rotation).
    return pw.Webhook(keys[0] if len(keys) == 1 else keys, **kwargs)


def check_error(error: pw.WebhookError, code: str) -> None:
    assert error.code == code
    assert type(error) is _errors._BY_CODE[code]
    assert str(error).startswith(code + ": ")


def check_event(event: pw.Event, expect: dict[str, Any]) -> None:
    for field in EVENT_FIELDS:
        assert getattr(event, field) == expect[field], field
    data = event.data
    expected_class = DATA_CLASS.get(expect["domain"], pw.UnknownResource)
    assert type(data) is expected_class
    assert data.raw is event.raw
    assert isinstance(event.raw, dict)
    if expected_class is not pw.UnknownResource:
        assert data.id == expect["resource_id"] == event.raw["id"]
    assert getattr(data, "updated_at") == expect["updated_at"]
    assert getattr(data, "status") == expect["status"]
    assert event.payload and isinstance(event.payload, str)
    back = pw.Event.from_json(event.to_json())
    assert back == event
    assert pickle.loads(pickle.dumps(event)) == event


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_conformance_case(case: dict[str, Any]) -> None:
    expect = case["expect"]
    body = base64.b64decode(case["body_b64"])
    headers = [(name, value) for name, value in case["headers"]]
    if expect["stage"] == "construct":
        with pytest.raises(pw.WebhookError) as info:
            build(case)
        check_error(info.value, expect["error"])
        return
    webhook = build(case)
    # The header list as given (order and duplicates matter), then the same headers as a dict
    # when that loses nothing.
    header_forms: list[Any] = [headers]
    if len({name for name, _ in headers}) == len(headers):
        header_forms.append(dict(headers))
    for form in header_forms:
        if expect["ok"]:
            check_event(webhook.verify(body, form), expect)
        else:
            with pytest.raises(pw.WebhookError) as info:
                webhook.verify(body, form)
            check_error(info.value, expect["error"])


def test_idempotency_keys_are_distinct_exactly_for_distinct_events() -> None:
    """Over every verified vector: two events share a key exactly when they share the domain
    and the signed id and updatedAt (or, without those, the payload)."""
    identity_of: dict[str, Any] = {}
    identities = set()
    for case in CASES:
        if not case["expect"]["ok"]:
            continue
        headers = [(name, value) for name, value in case["headers"]]
        event = build(case).verify(base64.b64decode(case["body_b64"]), headers)
        fields = (event.resource_id, event.updated_at)
        identity = (event.domain, fields if all(fields) else event.payload)
        assert identity_of.setdefault(event.idempotency_key, identity) == identity, case["name"]
        identities.add(identity)
    assert len(identity_of) == len(identities) >= 20


def test_every_code_an_input_can_cause_is_covered() -> None:
    seen = {c["expect"]["error"] for c in CASES if c["expect"]["error"]}
    # These two cannot be written as bytes on the wire; test_api/test_dedup cover them.
    assert seen | {"ERR_BODY_NOT_RAW", "ERR_STORE_UNAVAILABLE"} == set(pw.ERROR_CODES)
    assert len(CASES) >= 70


@pytest.mark.parametrize(
    "case",
    CONFORMANCE["verify_webhook_cases"],
    ids=[c["name"] for c in CONFORMANCE["verify_webhook_cases"]],
)
def test_verify_webhook_case(case: dict[str, Any]) -> None:
    got = pw.verify_webhook(case["public_key"], case["signature"], case["payload"])
    assert got is case["expect"]


WYCHEPROOF = VECTORS / "wycheproof" / "ecdsa_secp256r1_sha256_test.json"


def test_wycheproof_file_is_the_pinned_one() -> None:
    sums = (VECTORS / "wycheproof" / "SHA256SUMS").read_text().splitlines()
    pinned = next(line.split()[0] for line in sums if line.endswith(WYCHEPROOF.name))
    assert hashlib.sha256(WYCHEPROOF.read_bytes()).hexdigest() == pinned


def wycheproof_groups() -> list[Any]:
    return list(load_json(WYCHEPROOF)["testGroups"])


@pytest.mark.parametrize("group_index", range(len(wycheproof_groups())))
def test_wycheproof_group(group_index: int) -> None:
    group = wycheproof_groups()[group_index]
    key = base64.b64encode(bytes.fromhex(group["publicKeyDer"])).decode()
    webhook = pw.Webhook(key)
    for test in group["tests"]:
        message = bytes.fromhex(test["msg"]).decode("ascii")
        signature = base64.b64encode(bytes.fromhex(test["sig"])).decode()
        label = f"tcId {test['tcId']}"
        assert test["result"] in ("valid", "invalid"), label
        if test["result"] == "valid":
            assert webhook.verify_signature(message, signature) == webhook.key_fingerprints[0]
            assert pw.verify_webhook(key, signature, message) is True, label
        else:
            with pytest.raises(pw.WebhookError) as info:
                webhook.verify_signature(message, signature)
            allowed = (
                {"ERR_MISSING_SIGNATURE"}
                if not signature
                else {"ERR_INVALID_SIGNATURE", "ERR_MALFORMED_SIGNATURE"}
            )
            assert info.value.code in allowed, label
            assert pw.verify_webhook(key, signature, message) is False, label


def test_wycheproof_counts() -> None:
    results = [t["result"] for g in wycheproof_groups() for t in g["tests"]]
    assert (results.count("valid"), results.count("invalid")) == (174, 310)
