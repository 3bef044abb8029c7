#!/usr/bin/env python3
"""Python binding benchmark: µs per full delivery, one thread, against what a user would write.

Usage: ``bindings-python/.venv/bin/python bench/python_bench.py [SECONDS]`` (default 1: about
that long per figure). Prints ONE JSON line:

- ``sdk_verify_us``: ``webhook.verify(body, headers)`` on a ~2 KB TRANSACTION delivery (the same
  resource as the Rust core's benchmark), then reading ``event.idempotency_key`` and
  ``event.status``;
- ``sdk_signature_only_us``: ``webhook.verify_signature(payload, signature)``;
- ``cryptography_us``: the same delivery with ``cryptography``, the key loaded once:
  ``json.loads`` of the body, base64 of the signature, ``key.verify(..., ec.ECDSA(SHA256))``
  over the payload string, then ``json.loads(base64.b64decode(payload))`` and the same fields;
- ``docs_snippet_us``: the documentation's ``verify_webhook(public_key_b64, signature_b64,
  payload_b64)`` as written with ``cryptography`` (the key is decoded and loaded on every
  call), plus the same JSON and base64 work;
- ``docs_function_us``: that documentation function alone, one call;
- ``sdk_drop_in_us``: the SDK's drop-in ``palisade_webhooks.verify_webhook(...)``, same
  arguments, warm (its key cache holds the prepared key from the second call on);
- ``sdk_drop_in_first_call_us`` / ``sdk_drop_in_second_call_us``: the drop-in's first call with
  a key it has not seen (parse + reference verify) and its second (table preparation), median
  over six fresh keys;
- ``sdk_2threads_scaling``: throughput of two threads sharing one ``Webhook`` over one thread
  (verification releases the GIL);
- ``cryptography_2threads_scaling``: the same for the ``cryptography`` alternative: what Python
  itself gets from a second thread on this machine.

With ``--paired`` instead of SECONDS it times slices on request, for the driver's paired
comparison of each binding with the core (``bench/run.py``): it reads lines ``FIGURE SECONDS``
on stdin, FIGURE ``verify`` (``sdk_verify_us``'s work) or ``signature``
(``sdk_signature_only_us``'s), and answers each with one line ``{"us": µs per call}``, until
stdin closes.

Each figure is the median of several timed batches, interleaved (so background load hits every
contender alike). Before anything is timed, the SDK and ``cryptography`` must agree that the
delivery is valid and that a tampered one is not. Shared machines are noisy: compare ratios
within one run, never absolute numbers across runs.
"""

from __future__ import annotations

import base64
import json
import statistics
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import load_der_public_key

import palisade_webhooks
from palisade_webhooks import Webhook, WebhookError
from palisade_webhooks.testing import TestSigner

BATCHES = 5


def sample_resource() -> str:
    """The TRANSACTION resource of the Rust core's benchmark (core/examples/bench.rs), as the
    same JSON text."""
    attributes = ",".join(f'"attr{i}":"value-{i}-0123456789abcdef"' for i in range(12))
    return (
        '{"id":"0196153b-aaaa-7cd3-b511-354373d28130",'
        '"walletId":"0196153b-67bc-7cd3-b511-354373d28130",'
        '"vaultId":"0196152d-5294-739d-9945-2a499f9e3989",'
        '"createdBy":"a55df9e0-e14a-4410-a983-12afae46662f",'
        '"createdAt":"2025-05-08T14:15:30.123456Z","updatedAt":"2025-05-08T14:15:36.900490Z",'
        '"status":"CONFIRMED","action":"WITHDRAWAL","externalId":"order-982734",'
        '"blockchain":"ETHEREUM",'
        '"asset":{"id":"usdc-eth","symbol":"USDC","name":"USD Coin","blockchain":"ETHEREUM",'
        '"decimals":6,"contract":"0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48"},'
        '"feeAsset":{"id":"eth","symbol":"ETH","name":"Ether","blockchain":"ETHEREUM",'
        '"decimals":18},'
        '"origin":{"id":"0196153b-67bc-7cd3-b511-354373d28130","type":"WALLET",'
        '"address":"0x4644320f31D6958Ed8603Eb666044950Aa69702e"},'
        '"destination":{"type":"ADDRESS","address":"0x8ba1f109551bD432803012645Ac136ddd64DBA72"},'
        '"qty":"1250.000000","feeQty":"0.000421337000000000","sequence":"18446744073709551615",'
        '"hash":"0x5c504ed432cb51138bcf09aa5e8a410dd4a1e204ef84bfed1be16dfba1b22060",'
        '"attributes":{' + attributes + "}}"
    )


def verify_webhook(public_key_b64: str, signature_b64: str, payload_b64: str) -> bool:
    """The documentation's function, written with ``cryptography`` as a user would copy it:
    the key is decoded and loaded on every call; one SHA-256 over the payload string."""
    public_key = load_der_public_key(base64.b64decode(public_key_b64))
    assert isinstance(public_key, ec.EllipticCurvePublicKey)
    signature = base64.b64decode(signature_b64)
    try:
        public_key.verify(signature, payload_b64.encode(), ec.ECDSA(hashes.SHA256()))
        return True
    except InvalidSignature:
        return False


def calibrate(op: Callable[[], object], batch_seconds: float) -> int:
    """How many calls of ``op`` take about ``batch_seconds`` (after a warm-up)."""
    for _ in range(20):
        op()
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < 0.05:
        op()
        n += 1
    per_op = (time.perf_counter() - start) / n
    return max(20, int(batch_seconds / per_op))


def time_batch(op: Callable[[], object], n: int) -> float:
    """µs per call over ``n`` calls."""
    start = time.perf_counter()
    for _ in range(n):
        op()
    return (time.perf_counter() - start) / n * 1e6


def time_for(op: Callable[[], object], seconds: float) -> float:
    """µs per call of ``op`` run for about ``seconds``, after a short warm-up."""
    for _ in range(20):
        op()
    n, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        for _ in range(50):
            op()
        n += 50
    return elapsed / n * 1e6


def serve_slices(figures: dict[str, Callable[[], object]]) -> None:
    """Answers the driver's slice requests (``--paired``, see the module's documentation)."""
    for line in sys.stdin:
        figure, _, text = line.strip().partition(" ")
        try:
            seconds = float(text)
        except ValueError:
            seconds = 0.0
        if figure not in figures or not 0 < seconds < float("inf"):
            raise SystemExit(f"expected a figure ({', '.join(figures)}) and SECONDS, got {line!r}")
        print(json.dumps({"us": time_for(figures[figure], seconds)}), flush=True)


def two_thread_scaling(op: Callable[[], object], n: int) -> float:
    """(throughput of two threads doing ``n`` calls each) / (one thread doing ``n`` calls)."""
    one = time_batch(op, n) * n  # µs for n calls on one thread
    barrier = threading.Barrier(3)

    def worker() -> None:
        barrier.wait()
        for _ in range(n):
            op()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    barrier.wait()
    start = time.perf_counter()
    for t in threads:
        t.join()
    two = (time.perf_counter() - start) * 1e6  # µs for 2n calls on two threads
    return 2 * one / two


def main() -> int:
    paired = sys.argv[1:2] == ["--paired"]
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 and not paired else 1.0
    batch_seconds = seconds / BATCHES

    signer = TestSigner.from_seed(42)
    public_key_b64 = signer.public_key_b64
    body, headers = signer.delivery("TRANSACTION", sample_resource())
    signature_b64 = headers["Signature"]
    payload_b64 = json.loads(body)["payload"]
    webhook = Webhook(public_key_b64)
    key = load_der_public_key(base64.b64decode(public_key_b64))
    assert isinstance(key, ec.EllipticCurvePublicKey)

    def sdk() -> tuple[str, str | None]:
        event = webhook.verify(body, headers)
        return event.idempotency_key, event.status

    def sdk_signature_only() -> str:
        return webhook.verify_signature(payload_b64, signature_b64)

    def with_cryptography() -> tuple[str, Any]:
        envelope = json.loads(body)
        payload: str = envelope["payload"]
        signature = base64.b64decode(headers["Signature"])
        key.verify(signature, payload.encode(), ec.ECDSA(hashes.SHA256()))
        data = json.loads(base64.b64decode(payload))
        return f"{envelope['domain']}/{data['id']}/{data['updatedAt']}", data.get("status")

    def docs_snippet() -> tuple[str, Any]:
        envelope = json.loads(body)
        payload: str = envelope["payload"]
        if not verify_webhook(public_key_b64, headers["Signature"], payload):
            raise ValueError("invalid signature")
        data = json.loads(base64.b64decode(payload))
        return f"{envelope['domain']}/{data['id']}/{data['updatedAt']}", data.get("status")

    # Everyone agrees on the delivery before anything is timed.
    expected = (
        "TRANSACTION/0196153b-aaaa-7cd3-b511-354373d28130/2025-05-08T14:15:36.900490Z",
        "CONFIRMED",
    )
    assert sdk() == with_cryptography() == docs_snippet() == expected
    assert sdk_signature_only() == webhook.key_fingerprints[0]
    assert 1800 <= len(body) <= 2600, len(body)
    tampered = payload_b64[:-8] + ("A" * 8 if not payload_b64.endswith("A" * 8) else "B" * 8)
    assert not verify_webhook(public_key_b64, signature_b64, tampered)
    assert not webhook_accepts(webhook, tampered, signature_b64)

    if paired:
        serve_slices({"verify": sdk, "signature": sdk_signature_only})
        return 0

    def sdk_drop_in() -> bool:
        return palisade_webhooks.verify_webhook(public_key_b64, signature_b64, payload_b64)

    def docs_function() -> bool:
        return verify_webhook(public_key_b64, signature_b64, payload_b64)

    assert sdk_drop_in() and docs_function()
    assert not palisade_webhooks.verify_webhook(public_key_b64, signature_b64, tampered)

    figures: dict[str, Callable[[], object]] = {
        "sdk_verify_us": sdk,
        "sdk_signature_only_us": sdk_signature_only,
        "cryptography_us": with_cryptography,
        "docs_snippet_us": docs_snippet,
        "sdk_drop_in_us": sdk_drop_in,
        "docs_function_us": docs_function,
    }
    counts = {name: calibrate(op, batch_seconds) for name, op in figures.items()}
    samples: dict[str, list[float]] = {name: [] for name in figures}
    scaling: list[float] = []
    scaling_cryptography: list[float] = []
    for _ in range(BATCHES):
        for name, op in figures.items():
            samples[name].append(time_batch(op, counts[name]))
        scaling.append(two_thread_scaling(sdk, counts["sdk_verify_us"]))
        scaling_cryptography.append(
            two_thread_scaling(with_cryptography, counts["cryptography_us"])
        )

    result: dict[str, float] = {
        name: round(statistics.median(values), 3) for name, values in samples.items()
    }
    result["sdk_2threads_scaling"] = round(statistics.median(scaling), 3)
    result["cryptography_2threads_scaling"] = round(statistics.median(scaling_cryptography), 3)
    first, second = drop_in_first_calls(payload_b64)
    result["sdk_drop_in_first_call_us"] = round(first, 3)
    result["sdk_drop_in_second_call_us"] = round(second, 3)
    print(json.dumps(result))
    return 0


def drop_in_first_calls(payload_b64: str) -> tuple[float, float]:
    """Median µs of the drop-in's first and second call with a key it has not seen, over six
    fresh keys (its cache keeps eight, so the benchmark's own key stays in)."""
    fresh = []
    for seed in range(1000, 1006):
        signer = TestSigner.from_seed(seed)
        fresh.append((signer.public_key_b64, signer.sign(payload_b64)))
    first: list[float] = []
    second: list[float] = []
    for key, signature in fresh:
        for calls in (first, second):
            start = time.perf_counter()
            ok = palisade_webhooks.verify_webhook(key, signature, payload_b64)
            calls.append((time.perf_counter() - start) * 1e6)
            assert ok, "a fresh key's delivery must verify"
    return statistics.median(first), statistics.median(second)


def webhook_accepts(webhook: Webhook, payload_b64: str, signature_b64: str) -> bool:
    """Whether the SDK accepts ``signature_b64`` over ``payload_b64``."""
    try:
        webhook.verify_signature(payload_b64, signature_b64)
        return True
    except WebhookError:
        return False


if __name__ == "__main__":
    sys.exit(main())
