"""Shared fixtures: the repository's conformance vectors, a test signer, a verifier, and the
idempotency stores (memory, a SQLite file, the test run's Redis server)."""

from __future__ import annotations

import itertools
import json
import os
import uuid
from pathlib import Path
from typing import Any

import pytest

from palisade_webhooks import Deduplicator, MemoryStore, RedisStore, SqliteStore, Store, Webhook
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


def redis_url() -> str:
    """The Redis server of this test run. Missing is a failure, never a skip: the Redis store
    must be tested against a real server."""
    url = os.environ.get("PALISADE_TEST_REDIS_URL")
    if not url:
        pytest.fail(
            "PALISADE_TEST_REDIS_URL is not set: the Redis store tests need a real server. Run "
            "`make test-python`, or `bash scripts/with-redis.sh <pytest command>`, which starts "
            "a throwaway redis-server on 127.0.0.1 and sets it.",
            pytrace=False,
        )
    return url


STORE_KINDS = ["memory", "sqlite", "redis"]


class Stores:
    """Fresh stores of one kind: ``new()`` a store with nothing in it; ``again(store)`` another
    handle on the same records (the same object for memory, the same file for SQLite, the same
    server and prefix for Redis), as a second process would open it."""

    def __init__(self, kind: str, tmp_path: Path) -> None:
        self.kind = kind
        self.tmp_path = tmp_path
        self.count = itertools.count()
        self.url = redis_url() if kind == "redis" else ""

    def new(self) -> Store:
        n = next(self.count)
        if self.kind == "memory":
            return MemoryStore()
        if self.kind == "sqlite":
            return SqliteStore(self.tmp_path / f"idempotency-{n}.sqlite3")
        return RedisStore(self.url, prefix=f"test:{uuid.uuid4().hex}:")

    def again(self, store: Store) -> Store:
        if isinstance(store, SqliteStore):
            return SqliteStore(store.path)
        if isinstance(store, RedisStore):
            return RedisStore(self.url, prefix=store.prefix)
        return store


@pytest.fixture(params=STORE_KINDS)
def stores(request: pytest.FixtureRequest, tmp_path: Path) -> Stores:
    return Stores(request.param, tmp_path)
