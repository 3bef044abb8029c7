"""The WSGI application of the gunicorn ``--preload`` test (loaded by gunicorn, not pytest).

Its stores are built at import time, in the gunicorn master, and used there once, so every
worker forked from the master inherits open connections, as a real application built at import
time would. Each request claims the key in its path in both stores and answers the statuses.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from typing import Any

import palisade_webhooks as pw

SQLITE = pw.Deduplicator(pw.SqliteStore(os.environ["FORK_APP_SQLITE"], sync_every_commit=False))
REDIS = pw.Deduplicator(
    pw.RedisStore(os.environ["PALISADE_TEST_REDIS_URL"], prefix=os.environ["FORK_APP_PREFIX"])
)
for _dedup in (SQLITE, REDIS):
    with _dedup.claim("built-in-the-master") as _claim:
        assert _claim.status == "new", _claim.status


def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    key = environ["PATH_INFO"].lstrip("/")
    answer: dict[str, Any] = {"pid": os.getpid()}
    for name, dedup in (("sqlite", SQLITE), ("redis", REDIS)):
        with dedup.claim(key) as claim:
            answer[name] = claim.status
    body = json.dumps(answer).encode()
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]
