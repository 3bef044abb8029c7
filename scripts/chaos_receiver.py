"""The Python receiver of the chaos test (scripts/chaos.py): the Flask adapter over a RedisStore,
served by Werkzeug's threaded server on 127.0.0.1, with a handler whose side effect is one line
(the idempotency key) appended to the file named by CHAOS_RECORD.

Usage: python scripts/chaos_receiver.py PORT   (configuration from the environment)
"""

from __future__ import annotations

import logging
import os
import sys
import time

from flask import Flask
from werkzeug.serving import make_server

from palisade_webhooks import Deduplicator, Event, RedisStore, Webhook
from palisade_webhooks.flask import METHODS, palisade_webhook

# Warnings (e.g. a completion the store could not record) go to stderr, which the test reads.
logging.basicConfig(stream=sys.stderr, level=logging.WARNING, format="%(message)s")
logging.getLogger("werkzeug").setLevel(logging.CRITICAL)

webhook = Webhook(os.environ["PALISADE_PUBLIC_KEY"])
dedup = Deduplicator(
    RedisStore(os.environ["PALISADE_REDIS_URL"]),
    lease_seconds=int(os.environ["CHAOS_LEASE_MS"]) / 1000,
)
delay = int(os.environ["CHAOS_HANDLER_DELAY_MS"]) / 1000
# O_APPEND: each side effect is one whole line even with concurrent handler threads.
record = os.open(os.environ["CHAOS_RECORD"], os.O_WRONLY | os.O_APPEND | os.O_CREAT)

app = Flask(__name__)


@app.route("/", methods=METHODS)
@palisade_webhook(webhook, dedup=dedup)
def on_event(event: Event) -> None:
    time.sleep(delay)
    os.write(record, f"{event.idempotency_key}\n".encode())


if __name__ == "__main__":
    make_server("127.0.0.1", int(sys.argv[1]), app, threaded=True).serve_forever()
