"""Deduplicator, Claim, MemoryStore and stores written in Python."""

from __future__ import annotations

from typing import Any

import pytest

import palisade_webhooks as pw
from palisade_webhooks.testing import TestSigner


def event_for(signer: TestSigner, webhook: pw.Webhook, resource_id: str = "w1") -> pw.Event:
    body, headers = signer.delivery("WALLET", {"id": resource_id, "updatedAt": "2025-01-01T00:00:00Z"})
    return webhook.verify(body, headers)


def test_defaults() -> None:
    d = pw.Deduplicator()
    assert isinstance(d.store, pw.MemoryStore)
    assert (d.lease_seconds, d.retain_seconds) == (60.0, 7 * 86400.0)
    store = pw.MemoryStore()
    assert (store.max_entries, store.ttl_seconds, len(store)) == (100_000, 86_400.0, 0)
    assert isinstance(store, pw.Store)
    d = pw.Deduplicator(store, lease_seconds=5, retain_seconds=10.5)
    assert d.store is store and (d.lease_seconds, d.retain_seconds) == (5.0, 10.5)
    assert "lease_seconds" in repr(d) and "MemoryStore" in repr(store)


def test_new_then_duplicate(signer: TestSigner, webhook: pw.Webhook) -> None:
    dedup = pw.Deduplicator()
    event = event_for(signer, webhook)
    with dedup.claim(event) as claim:
        assert claim.status == "new"
        assert claim.key == event.idempotency_key == "WALLET/w1/2025-01-01T00:00:00Z"
    with dedup.claim(event) as again:
        assert again.status == "duplicate"
    # The same event delivered again (a retry: a new body object, the same signed payload).
    assert dedup.claim(event_for(signer, webhook)).status == "duplicate"
    assert dedup.claim(event_for(signer, webhook, "w2")).status == "new"
    assert "duplicate" in repr(again)


def test_in_progress_while_held(dedup: pw.Deduplicator) -> None:
    with dedup.claim("k") as first:
        assert first.status == "new"
        assert dedup.claim("k").status == "in_progress"
    assert dedup.claim("k").status == "duplicate"


def test_exception_releases_the_claim(dedup: pw.Deduplicator) -> None:
    with pytest.raises(RuntimeError):
        with dedup.claim("k") as claim:
            assert claim.status == "new"
            raise RuntimeError("handler failed")
    # The retry processes it again.
    with dedup.claim("k") as retry:
        assert retry.status == "new"
    assert dedup.claim("k").status == "duplicate"


def test_explicit_complete_and_release(dedup: pw.Deduplicator) -> None:
    claim = dedup.claim("a")
    assert not claim.settled
    assert claim.complete() is True
    assert claim.settled
    # A claim settles once, as a receiver's ticket does: the same error, the first one stands.
    for again in (claim.complete, claim.release):
        with pytest.raises(pw.TicketSettledError) as info:
            again()
        assert info.value.code == "ERR_TICKET_SETTLED"
    assert dedup.claim("a").status == "duplicate"
    claim = dedup.claim("b")
    assert claim.release() is True
    with pytest.raises(pw.TicketSettledError):
        claim.complete()
    assert dedup.claim("b").status == "new"
    # Non-new claims hold nothing to settle.
    dup = dedup.claim("a")
    assert dup.complete() is False and dup.release() is False and not dup.settled


def test_settled_inside_the_block_is_not_settled_again(dedup: pw.Deduplicator) -> None:
    with dedup.claim("k") as claim:
        assert claim.release() is True  # e.g. the handler gave up on purpose
    assert dedup.claim("k").status == "new"
    with pytest.raises(RuntimeError):
        with dedup.claim("j") as claim:
            claim.complete()
            raise RuntimeError("after the work was recorded")
    assert dedup.claim("j").status == "duplicate"


def test_memory_store_is_bounded() -> None:
    store = pw.MemoryStore(max_entries=10)
    dedup = pw.Deduplicator(store)
    for i in range(100):
        dedup.claim(f"k{i}").complete()
    assert len(store) <= 10
    assert dedup.claim("k99").status == "duplicate"
    assert dedup.claim("k0").status == "new"


def test_shared_store_across_deduplicators() -> None:
    store = pw.MemoryStore()
    a, b = pw.Deduplicator(store), pw.Deduplicator(store)
    with a.claim("k"):
        assert b.claim("k").status == "in_progress"
    assert b.claim("k").status == "duplicate"


def test_bad_arguments() -> None:
    with pytest.raises(TypeError):
        pw.Deduplicator(object())  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        pw.Deduplicator(lease_seconds=-1)
    with pytest.raises(ValueError):
        pw.Deduplicator(retain_seconds=float("inf"))
    with pytest.raises(ValueError):
        pw.MemoryStore(ttl_seconds=-5)
    with pytest.raises(TypeError):
        pw.Deduplicator().claim(42)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        pw.Store()  # type: ignore[call-arg]


# Every duration and count is checked when the object is built (the core's ranges): zero would
# turn deduplication off or fail every call, and huge values used to overflow the core's clock.
OUT_OF_RANGE_SECONDS = [0, 0.0, 0.0009, -1, float("nan"), float("inf"), 1e19, 1e300]


@pytest.mark.parametrize("seconds", OUT_OF_RANGE_SECONDS)
def test_out_of_range_durations_are_value_errors(seconds: float) -> None:
    for build, param in [
        (lambda: pw.MemoryStore(ttl_seconds=seconds), "ttl_seconds"),
        (lambda: pw.Deduplicator(lease_seconds=seconds), "lease_seconds"),
        (lambda: pw.Deduplicator(retain_seconds=seconds), "retain_seconds"),
        (lambda: pw.Deduplicator(pw.MemoryStore(), lease_seconds=seconds), "lease_seconds"),
    ]:
        with pytest.raises(ValueError, match=param):
            build()


def test_duration_bounds() -> None:
    ten_years = 3650 * 86400.0
    assert pw.MemoryStore(ttl_seconds=ten_years).ttl_seconds == ten_years
    assert pw.MemoryStore(ttl_seconds=0.001).ttl_seconds == 0.001
    dedup = pw.Deduplicator(lease_seconds=ten_years, retain_seconds=ten_years)
    assert (dedup.lease_seconds, dedup.retain_seconds) == (ten_years, ten_years)
    with pytest.raises(ValueError) as info:
        pw.Deduplicator(lease_seconds=ten_years + 1)
    assert str(info.value) == (
        f"lease_seconds must be at least 1 ms and at most 3650 days, not {ten_years + 1}"
    )
    with pytest.raises(ValueError, match="ttl_seconds must be at least 1 ms"):
        pw.MemoryStore(ttl_seconds=1e19)  # once a PanicException from an overflowing clock


@pytest.mark.parametrize("count", [0, -1, -(2**40)])
def test_out_of_range_max_entries_is_a_value_error(count: int) -> None:
    with pytest.raises(ValueError, match=f"max_entries must be at least 1, not {count}"):
        pw.MemoryStore(max_entries=count)
    assert pw.MemoryStore(max_entries=1).max_entries == 1


class DictStore:
    """A store written in Python (the IdempotencyStore protocol), single-process."""

    def __init__(self) -> None:
        self.entries: dict[str, tuple[str, str]] = {}
        self.calls: list[str] = []

    def claim(self, key: str, token: str, lease_seconds: float) -> str:
        self.calls.append("claim")
        state = self.entries.get(key)
        if state is None:
            self.entries[key] = ("held", token)
            return "claimed"
        return "completed" if state[0] == "completed" else "held"

    def complete(self, key: str, token: str, retain_seconds: float) -> bool:
        self.calls.append("complete")
        if self.entries.get(key) == ("held", token):
            self.entries[key] = ("completed", token)
            return True
        return False

    def release(self, key: str, token: str) -> bool:
        self.calls.append("release")
        if self.entries.get(key) == ("held", token):
            del self.entries[key]
            return True
        return False


def test_python_store() -> None:
    store = DictStore()
    dedup = pw.Deduplicator(store)
    assert dedup.store is store
    with dedup.claim("k") as claim:
        assert claim.status == "new"
        assert dedup.claim("k").status == "in_progress"
    assert dedup.claim("k").status == "duplicate"
    with pytest.raises(KeyError):
        with dedup.claim("j"):
            raise KeyError("boom")
    assert "j" not in store.entries
    assert store.calls == ["claim", "claim", "complete", "claim", "claim", "release"]


class BrokenStore(DictStore):
    def __init__(self, fail: str, answer: Any = None) -> None:
        super().__init__()
        self.fail = fail
        self.answer = answer

    def claim(self, key: str, token: str, lease_seconds: float) -> Any:
        if self.fail == "claim":
            raise ConnectionError("redis is down")
        if self.fail == "answer":
            return self.answer
        return super().claim(key, token, lease_seconds)

    def complete(self, key: str, token: str, retain_seconds: float) -> bool:
        if self.fail == "complete":
            raise TimeoutError("timed out")
        return super().complete(key, token, retain_seconds)

    def release(self, key: str, token: str) -> bool:
        if self.fail == "release":
            raise TimeoutError("timed out")
        return super().release(key, token)


def test_store_failures_are_store_unavailable() -> None:
    with pytest.raises(pw.StoreUnavailableError, match="redis is down") as info:
        pw.Deduplicator(BrokenStore("claim")).claim("k")
    assert info.value.code == "ERR_STORE_UNAVAILABLE"
    for answer in ("maybe", 3, None):
        with pytest.raises(pw.StoreUnavailableError):
            pw.Deduplicator(BrokenStore("answer", answer)).claim("k")
    # A failed completion surfaces on normal exit...
    with pytest.raises(pw.StoreUnavailableError, match="complete"):
        with pw.Deduplicator(BrokenStore("complete")).claim("k"):
            pass
    # ...but a failed release never hides the handler's own exception.
    with pytest.raises(ValueError, match="handler"):
        with pw.Deduplicator(BrokenStore("release")).claim("k"):
            raise ValueError("handler")
