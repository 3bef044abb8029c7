"""A FastAPI receiver for Palisade webhooks: verified, typed and deduplicated in a few lines.

Run it::

    export PALISADE_PUBLIC_KEY=MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE...   # the console's key
    python fastapi_receiver.py 8000      # listens on http://127.0.0.1:8000/webhooks/palisade

Deduplication is in memory unless ``PALISADE_IDEMPOTENCY_STORE`` names a shared store
(``sqlite:/var/lib/app/idempotency.sqlite3`` on one host, ``redis://127.0.0.1:6379/0`` across
instances).

It prints one line per delivery: processed / duplicate / in_progress / rejected, with the
status code it answered.
"""

from __future__ import annotations

from collections import Counter

import uvicorn
from fastapi import FastAPI

from palisade_webhooks import Event, Transaction, Wallet
from palisade_webhooks.fastapi import METHODS, palisade_webhook

from _receiver_common import HOST, PATH, configure, deduplicator

webhook, port = configure()
dedup = deduplicator()  # PALISADE_IDEMPOTENCY_STORE: memory, sqlite:PATH or redis://...
app = FastAPI()
seen: Counter[str] = Counter()


@app.api_route(PATH, methods=METHODS)  # every method: a wrong one gets the receiver's 405
@palisade_webhook(webhook, dedup=dedup)
async def on_event(event: Event) -> None:
    """Runs once per verified, new event; raising makes Palisade retry."""
    seen[event.domain] += 1
    data = event.data
    if isinstance(data, Transaction) and data.status == "CONFIRMED":
        pass  # e.g. credit data.qty of data.asset to the customer
    elif isinstance(data, Wallet):
        pass  # e.g. record data.address


if __name__ == "__main__":
    print(f"fastapi receiver listening on http://{HOST}:{port}{PATH}")
    uvicorn.run(app, host=HOST, port=port, access_log=False, log_level="warning")
