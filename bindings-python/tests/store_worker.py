"""The body of a receiver process for the multi-process tests (imported by spawned children,
so it stays small and free of pytest)."""

from __future__ import annotations

from typing import Any

import palisade_webhooks as pw


def open_store(kind: str, target: str, prefix: str) -> pw.Store:
    """A store handle of ``kind`` opened by this process: ``target`` is the SQLite file or
    the Redis URL."""
    if kind == "sqlite":
        return pw.SqliteStore(target)
    if kind == "redis":
        return pw.RedisStore(target, prefix=prefix)
    raise ValueError(f"no shared store of kind {kind!r}")


def claim_all(kind: str, target: str, prefix: str, keys: list[str], barrier: Any, out: Any) -> None:
    """Claims every key (completing the new ones) right after the other process is ready,
    and reports ``{key: status}``."""
    dedup = pw.Deduplicator(open_store(kind, target, prefix))
    barrier.wait()
    statuses: dict[str, str] = {}
    for key in keys:
        with dedup.claim(key) as claim:
            statuses[key] = claim.status
    out.put(statuses)
