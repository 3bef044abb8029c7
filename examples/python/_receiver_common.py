"""What the example receivers share: configuration from the command line and environment,
and one printed line per delivery outcome."""

from __future__ import annotations

import logging
import os
import sys

from palisade_webhooks import Webhook, WebhookError

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
