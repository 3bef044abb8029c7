"""Shared fixtures: the repository's conformance vectors, a test signer, a verifier."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from palisade_webhooks import Deduplicator, Webhook
from palisade_webhooks.testing import TestSigner

REPO = Path(__file__).resolve().parents[2]
VECTORS = REPO / "tests" / "vectors"
EXAMPLES = REPO / "examples" / "python"

TX = {
    "id": "tx-1",
    "walletId": "w-1",
    "status": "CONFIRMED",
    "action": "DEPOSIT",
    "updatedAt": "2025-05-08T14:15:37Z",
    "qty": "1.5",
    "asset": {"id": "eth", "symbol": "ETH", "blockchain": "ETHEREUM", "decimals": 18},
}


def load_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def conformance() -> Any:
    return load_json(VECTORS / "conformance.json")


@pytest.fixture(scope="session")
def signer() -> TestSigner:
    return TestSigner.from_seed(42)


@pytest.fixture(scope="session")
def webhook(signer: TestSigner) -> Webhook:
    return Webhook(signer.public_key_b64)


@pytest.fixture()
def dedup() -> Deduplicator:
    return Deduplicator()


@pytest.fixture()
def delivery(signer: TestSigner) -> tuple[bytes, dict[str, str]]:
    return signer.delivery("TRANSACTION", TX)
