"""What the example receivers share: configuration from the command line and environment,
and one printed line per delivery outcome.

``PALISADE_IDEMPOTENCY_STORE`` chooses where deliveries are deduplicated: unset or ``memory``
(this process only), ``sqlite:PATH`` (every process on this host opening the file), or a
``redis://`` URL (every instance sharing the server)."""

from __future__ import annotations

import logging
import os
import sys

from palisade_webhooks import (
    Deduplicator,
    MemoryStore,
    RedisStore,
    SqliteStore,
    Store,
    Webhook,
    WebhookError,
)

PATH = "/webhooks/palisade"
HOST = "127.0.0.1"


def configure() -> tuple[Webhook, int]:
    """The verifier (key from ``PALISADE_PUBLIC_KEY``) and the port (first argument, or
    ``PORT``, default 8000). Exits with a clear message when the key is missing or invalid."""
    key = os.environ.get("PALISADE_PUBLIC_KEY", "").strip()
    if not key:
        sys.exit(
            "PALISADE_PUBLIC_KEY is not set: export the webhook's public key (the base64 key "
            "shown in the Palisade console, or a test key from TestSigner) and run again."
        )
    try:
        webhook = Webhook(key)
    except WebhookError as e:
        sys.exit(f"PALISADE_PUBLIC_KEY is not a usable key: {e}")
    raw_port = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("PORT", "8000")
    try:
        port = int(raw_port)
    except ValueError:
        sys.exit(f"the port must be a number, not {raw_port!r}")
    # One line per delivery outcome (the adapters log them), flushed at once.
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(line_buffering=True)
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stdout, force=True)
    return webhook, port


def deduplicator() -> Deduplicator:
    """The deduplicator over the store ``PALISADE_IDEMPOTENCY_STORE`` names. Exits with a clear
    message when the store cannot be opened."""
    spec = os.environ.get("PALISADE_IDEMPOTENCY_STORE", "").strip()
    store: Store
    try:
        if spec in ("", "memory"):
            store = MemoryStore()
        elif spec.startswith("sqlite:"):
            store = SqliteStore(spec.removeprefix("sqlite:"))
        elif spec.startswith(("redis://", "redis+unix://")):
            store = RedisStore(spec)
        else:
            sys.exit(
                f"PALISADE_IDEMPOTENCY_STORE={spec!r} is not a store: use memory, sqlite:PATH "
                "or a redis:// URL"
            )
    except WebhookError as e:
        sys.exit(f"the idempotency store is unavailable: {e}")
    return Deduplicator(store)
