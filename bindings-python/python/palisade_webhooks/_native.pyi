"""Type stubs of the native module ``palisade_webhooks._native`` (import ``palisade_webhooks``)."""

from collections.abc import Coroutine, Iterable, Mapping, Sequence
from os import PathLike
from datetime import timedelta
from types import TracebackType
from typing import Any, ClassVar, Literal, Protocol, final

from typing_extensions import disjoint_base

__all__ = [
    "Answer",
    "Approval",
    "Asset",
    "Check",
    "Claim",
    "DEFAULT_MAX_BODY_BYTES",
    "Deduplicator",
    "Diagnosis",
    "Event",
    "FaultyStore",
    "MemoryStore",
    "Processing",
    "Receiver",
    "RedisStore",
    "SqliteStore",
    "Store",
    "TestSigner",
    "Ticket",
    "Transaction",
    "TransferParty",
    "UnknownResource",
    "Wallet",
    "WalletSettings",
    "Webhook",
    "__version__",
    "http_status",
    "verify_webhook",
]

__version__: str
DEFAULT_MAX_BODY_BYTES: int

class _HasItems(Protocol):
    """A header object with ``items()``: Werkzeug ``Headers``, Starlette ``Headers``, Django
    ``HttpHeaders`` and other mappings."""

    def items(self) -> Iterable[tuple[str, str]]: ...

_Headers = (
    Mapping[str, str]
    | _HasItems
    | Iterable[tuple[str, str]]
    | Iterable[tuple[bytes, bytes]]
    | Iterable[Sequence[str]]
)
"""Anything ``Webhook.verify`` accepts as headers."""

_RawBody = bytes | bytearray | memoryview | str
"""The raw request body."""

@final
class Webhook:
    """A webhook endpoint's verifier: its public key(s) and options. Build it once and share it.

    ``public_key`` is the key shown in the Palisade console (base64 DER), PEM, or a SEC1 point;
    or a sequence of keys during a rotation. Raises ``InvalidPublicKeyError`` for a key that is
    not a P-256 public key and ``ValueError`` for an unknown digest or a negative ``max_age``.
    """

    def __new__(
        cls,
        public_key: str | Sequence[str],
        *,
        max_body_bytes: int = 1_048_576,
        digest: Literal["sha256", "sha256-double"] | str = "sha256",
        max_age: float | timedelta | None = None,
    ) -> Webhook: ...
    def verify(self, body: _RawBody, headers: _Headers) -> Event:
        """Verify a delivery (the raw body and the request headers) and return its event.

        Raises a ``WebhookError`` subclass for every bad delivery (``BodyNotRawError`` for a
        parsed ``dict``/``list`` body) and ``TypeError`` when ``headers`` is not a header
        container."""
    def verify_signature(self, payload_b64: str, signature_b64: str) -> str:
        """Check ``signature_b64`` over ``payload_b64`` (the envelope's ``payload`` string);
        return the verifying key's fingerprint or raise a ``WebhookError`` subclass (whose
        message says so when the two arguments look swapped)."""
    def diagnose(self, body: _RawBody, headers: _Headers) -> Diagnosis:
        """Explain what is wrong with a captured delivery (what the CLI's ``doctor`` prints).
        For debugging only: it costs several verifications."""
    @property
    def max_body_bytes(self) -> int:
        """Bodies longer than this many bytes are refused."""
    @property
    def digest(self) -> str:
        """``"sha256"`` or ``"sha256-double"``."""
    @property
    def max_age(self) -> float | None:
        """The freshness bound in seconds, or ``None``."""
    @property
    def key_fingerprints(self) -> list[str]:
        """Fingerprints of the keys, in the order they are tried."""

_Base64 = str | bytes | bytearray | memoryview
"""Base64 text, as ``str`` or bytes."""

def verify_webhook(public_key_b64: _Base64, signature_b64: _Base64, payload_b64: _Base64) -> bool:
    """The documentation's function: ``True`` when ``signature_b64`` signs ``payload_b64``
    under ``public_key_b64``; ``False`` for every verification failure. Raises ``TypeError``
    for an argument that is neither ``str`` nor bytes.

    The 8 most recently used keys are remembered: a key's second call prepares the fast
    verifier (about 1 ms, once) and later calls reuse it. At most ~2.1 MB (262 KB per key)."""

@final
class Diagnosis:
    """What ``Webhook.diagnose`` concluded about one captured delivery."""

    @property
    def verifies(self) -> bool:
        """Whether the delivery verifies with the default options."""
    @property
    def digest(self) -> Literal["sha256", "sha256-double"] | None:
        """The digest construction the signature matches, or ``None``."""
    @property
    def error(self) -> str | None:
        """The error code a default ``Webhook`` gives, or ``None`` when it verifies."""
    @property
    def cause(self) -> str:
        """The likely cause, in one sentence, with what to do about it."""
    @property
    def checks(self) -> list[Check]:
        """Every check that was run, in order."""

@final
class Check:
    """One step of a ``Diagnosis``."""

    @property
    def name(self) -> str: ...
    @property
    def ok(self) -> bool: ...
    @property
    def detail(self) -> str: ...

def http_status(code: str) -> int:
    """The HTTP status a receiver answers for a refusal with this error code (the same in
    every SDK): 401 missing/malformed/invalid signature; 400 malformed envelope or payload,
    stale event; 413 body too large; 503 store unavailable; 500 invalid public key, body not
    raw. Raises ``ValueError`` for a code not in ``ERROR_CODES``."""

@final
class Event:
    """A verified delivery. ``to_json()``/``Event.from_json()`` round-trip it; it pickles."""

    @property
    def domain(self) -> str:
        """``"TRANSACTION"``, ``"WALLET"``, ``"APPROVAL"`` or another value (unsigned hint)."""
    @property
    def timestamp(self) -> str | None:
        """The envelope's timestamp (unsigned; may be absent)."""
    @property
    def idempotency_key(self) -> str:
        """``"{domain}/{id}/{updatedAt}"`` (``id`` and ``updatedAt`` from the signed payload, each
        part percent-encoded for ``%``, ``/`` and control characters), or
        ``"{domain}/sha256:<hex>"`` of the payload when either is missing. Deduplicate on this."""
    @property
    def resource_id(self) -> str | None:
        """The resource's ``id``."""
    @property
    def updated_at(self) -> str | None:
        """The resource's ``updatedAt``."""
    @property
    def status(self) -> str | None:
        """The resource's ``status``."""
    @property
    def data(self) -> Transaction | Wallet | Approval | UnknownResource:
        """The typed resource."""
    @property
    def raw(self) -> dict[str, Any]:
        """The decoded payload as Python objects (decoded on first access)."""
    @property
    def payload(self) -> str:
        """The signed base64 payload string."""
    @property
    def key_fingerprint(self) -> str:
        """Fingerprint of the key that verified the delivery."""
    def to_json(self) -> str:
        """The event as JSON (the same format in every language)."""
    @classmethod
    def from_json(cls, json: str) -> Event:
        """Restore an event serialised by ``to_json()`` (does not re-verify it)."""

# --- BEGIN GENERATED by core/examples/codegen_python.rs (stub): do not edit ---

@final
class Transaction:
    """A TRANSACTION event's resource: fired when a transaction's status changes.

    Every attribute except ``id`` may be ``None``; enums are strings (values this SDK does not
    know are kept as they are); the whole payload is in ``raw``.
    """

    @property
    def id(self) -> str:
        """Transaction id (required)."""
    @property
    def wallet_id(self) -> str | None:
        """Wallet the transaction belongs to."""
    @property
    def vault_id(self) -> str | None:
        """Vault the wallet belongs to."""
    @property
    def created_by(self) -> str | None:
        """User or API credential that created it."""
    @property
    def created_at(self) -> str | None:
        """RFC 3339 creation time."""
    @property
    def updated_at(self) -> str | None:
        """RFC 3339 time of this change (signed: used for idempotency and freshness)."""
    @property
    def status(self) -> str | None:
        """Lifecycle status."""
    @property
    def action(self) -> str | None:
        """What the transaction does."""
    @property
    def external_id(self) -> str | None:
        """Your own reference, if you set one."""
    @property
    def correlation_id(self) -> str | None:
        """Correlation id, if set."""
    @property
    def attributes(self) -> dict[str, str] | None:
        """Free-form string attributes."""
    @property
    def asset(self) -> Asset | None:
        """Asset moved."""
    @property
    def fee_asset(self) -> Asset | None:
        """Asset the fee is paid in."""
    @property
    def blockchain(self) -> str | None:
        """Network."""
    @property
    def origin(self) -> TransferParty | None:
        """Where the value comes from."""
    @property
    def destination(self) -> TransferParty | None:
        """Where the value goes."""
    @property
    def origin_address(self) -> str | None:
        """Origin address."""
    @property
    def destination_address(self) -> str | None:
        """Destination address."""
    @property
    def qty(self) -> str | None:
        """Quantity, a decimal string (never a float)."""
    @property
    def fee_qty(self) -> str | None:
        """Fee quantity, a decimal string."""
    @property
    def fee_qty_limit(self) -> str | None:
        """Fee limit, a decimal string."""
    @property
    def sequence(self) -> str | None:
        """Sequence number (uint64, kept as a string so no digit is lost)."""
    @property
    def hash(self) -> str | None:
        """On-chain transaction hash."""
    @property
    def signature(self) -> str | None:
        """Signature, as produced by the signer."""
    @property
    def canonical_signature(self) -> str | None:
        """Canonical form of the signature."""
    @property
    def signed_transaction(self) -> str | None:
        """The signed transaction."""
    @property
    def encoded_transaction(self) -> str | None:
        """The encoded, unsigned transaction."""
    @property
    def transaction_type(self) -> str | None:
        """Chain-specific transaction type."""
    @property
    def sign_only(self) -> bool | None:
        """Whether the transaction is only signed, not published."""
    @property
    def config(self) -> Any:
        """Transaction configuration (shape not pinned down: kept raw)."""
    @property
    def signing_payloads(self) -> Any:
        """Signing payloads (kept raw)."""
    @property
    def freeze_info(self) -> Any:
        """Freeze information (kept raw)."""
    @property
    def proposed_asset_changes(self) -> Any:
        """Proposed asset changes (kept raw)."""
    @property
    def confirmed_asset_changes(self) -> Any:
        """Confirmed asset changes (kept raw)."""
    @property
    def problems(self) -> Any:
        """Problems reported (kept raw)."""
    @property
    def reasons(self) -> Any:
        """Reasons for the current status (kept raw)."""
    @property
    def expires_at(self) -> str | None:
        """RFC 3339 expiry time."""
    @property
    def raw(self) -> dict[str, Any]:
        """The decoded payload (the same object as ``Event.raw``)."""

@final
class Asset:
    """An asset (coin or token) referenced by a transaction.

    Every attribute may be ``None``; enums are strings (values this SDK does not know are kept
    as they are).
    """

    @property
    def id(self) -> str | None:
        """Asset id."""
    @property
    def symbol(self) -> str | None:
        """Ticker symbol, e.g. ``"ETH"``."""
    @property
    def name(self) -> str | None:
        """Display name."""
    @property
    def blockchain(self) -> str | None:
        """Network the asset lives on."""
    @property
    def decimals(self) -> int | None:
        """Number of decimal places of the smallest unit."""
    @property
    def contract(self) -> str | None:
        """Token contract address, for tokens."""

@final
class TransferParty:
    """One side (origin or destination) of a transfer.

    Every attribute may be ``None``.
    """

    @property
    def id(self) -> str | None:
        """Id of the wallet, address book entry or counterparty."""
    @property
    def type(self) -> str | None:
        """Kind of party (``type`` on the wire), e.g. ``"WALLET"`` or ``"ADDRESS"``."""
    @property
    def address(self) -> str | None:
        """On-chain address."""
    @property
    def vault_id(self) -> str | None:
        """Vault of the wallet, when the party is a wallet."""
    @property
    def counterparty_id(self) -> str | None:
        """Counterparty id, when the party is a counterparty."""

@final
class Wallet:
    """A WALLET event's resource: fired when a wallet's status changes.

    Every attribute except ``id`` may be ``None``; enums are strings (values this SDK does not
    know are kept as they are); the whole payload is in ``raw``.
    """

    @property
    def id(self) -> str:
        """Wallet id (required)."""
    @property
    def vault_id(self) -> str | None:
        """Vault the wallet belongs to."""
    @property
    def organization_id(self) -> str | None:
        """Organisation."""
    @property
    def quorum_id(self) -> str | None:
        """Quorum governing the wallet."""
    @property
    def created_by(self) -> str | None:
        """Creator."""
    @property
    def created_at(self) -> str | None:
        """RFC 3339 creation time."""
    @property
    def updated_at(self) -> str | None:
        """RFC 3339 time of this change."""
    @property
    def name(self) -> str | None:
        """Display name."""
    @property
    def description(self) -> str | None:
        """Description."""
    @property
    def address(self) -> str | None:
        """On-chain address."""
    @property
    def public_key(self) -> str | None:
        """The wallet's public key (hex)."""
    @property
    def keystore(self) -> str | None:
        """Where the key lives."""
    @property
    def blockchain(self) -> str | None:
        """Network."""
    @property
    def settings(self) -> WalletSettings | None:
        """Settings."""
    @property
    def status(self) -> str | None:
        """Provisioning status."""
    @property
    def reasons(self) -> Any:
        """Reasons for the current status (kept raw)."""
    @property
    def alias(self) -> str | None:
        """Alias."""
    @property
    def external_id(self) -> str | None:
        """Your own reference, if you set one."""
    @property
    def correlation_id(self) -> str | None:
        """Correlation id."""
    @property
    def key_algorithm(self) -> str | None:
        """Key algorithm."""
    @property
    def wallet_type(self) -> str | None:
        """Wallet type."""
    @property
    def raw(self) -> dict[str, Any]:
        """The decoded payload (the same object as ``Event.raw``)."""

@final
class WalletSettings:
    """A wallet's settings.

    Every attribute may be ``None``.
    """

    @property
    def enabled(self) -> bool | None:
        """Whether the wallet is enabled."""
    @property
    def raw_signing_enabled(self) -> bool | None:
        """Whether raw signing is enabled."""
    @property
    def sweeping_enabled(self) -> bool | None:
        """Whether sweeping is enabled."""
    @property
    def default_freeze_enabled(self) -> bool | None:
        """Whether new deposits are frozen by default."""

@final
class Approval:
    """An APPROVAL event's resource: fired when an approval request is created or updated.

    Every attribute except ``id`` may be ``None``; enums are strings (values this SDK does not
    know are kept as they are); the whole payload is in ``raw``.
    """

    @property
    def id(self) -> str:
        """Approval id (required)."""
    @property
    def approval_set_id(self) -> str | None:
        """Approval set this approval belongs to."""
    @property
    def user_id(self) -> str | None:
        """User asked to approve."""
    @property
    def organization_id(self) -> str | None:
        """Organisation."""
    @property
    def created_at(self) -> str | None:
        """RFC 3339 creation time."""
    @property
    def updated_at(self) -> str | None:
        """RFC 3339 time of this change."""
    @property
    def signature(self) -> str | None:
        """The approver's signature, once given."""
    @property
    def reasons(self) -> Any:
        """Reasons (kept raw)."""
    @property
    def status(self) -> str | None:
        """Status."""
    @property
    def raw(self) -> dict[str, Any]:
        """The decoded payload (the same object as ``Event.raw``)."""

# --- END GENERATED ---

@final
class UnknownResource:
    """The resource of an event whose domain this SDK does not know."""

    @property
    def domain(self) -> str: ...
    @property
    def id(self) -> str | None: ...
    @property
    def updated_at(self) -> str | None: ...
    @property
    def status(self) -> str | None: ...
    @property
    def raw(self) -> dict[str, Any]:
        """The decoded payload (the same object as ``Event.raw``)."""

@disjoint_base
class Store:
    """Base class of the idempotency stores implemented in the native core."""

@final
class MemoryStore(Store):
    """An in-process store: bounded entries and TTL; forgets on restart."""

    def __new__(cls, max_entries: int = ..., ttl_seconds: float = ...) -> MemoryStore:
        """Defaults (the core's): ``max_entries=100_000``, ``ttl_seconds=86_400.0``.

        Raises ``ValueError`` for ``max_entries`` below 1, or ``ttl_seconds`` below 0.001 or
        above 3650 days."""
    @property
    def max_entries(self) -> int: ...
    @property
    def ttl_seconds(self) -> float: ...
    def __len__(self) -> int: ...

@final
class SqliteStore(Store):
    """A durable store in one SQLite file, shared by every process on one host that opens it.

    Survives restarts and crashes. ``busy_timeout_seconds`` bounds the wait for another
    process's write lock; ``sync_every_commit=False`` trades durability across a machine crash
    for speed. Raises ``StoreUnavailableError`` when the file cannot be opened or created, and
    ``ValueError`` for a busy timeout below 0.001 s or above one hour. A store opened before a
    fork opens its own connection in each child.
    """

    def __new__(
        cls,
        path: str | PathLike[str],
        *,
        busy_timeout_seconds: float = ...,
        sync_every_commit: bool = ...,
    ) -> SqliteStore:
        """Defaults (the core's): ``busy_timeout_seconds=5.0``, ``sync_every_commit=True``."""
    @property
    def path(self) -> str:
        """The database file, as given."""
    @property
    def busy_timeout_seconds(self) -> float: ...
    @property
    def sync_every_commit(self) -> bool: ...
    def purge_expired(self) -> int:
        """Delete every expired row now; return how many were deleted."""

@final
class RedisStore(Store):
    """A store in Redis, shared by every receiver instance connected to the same server.

    ``prefix`` goes before every key (one per application). Every command is bounded by
    ``timeout_seconds`` (and connecting by ``connect_timeout_seconds``): an unreachable or slow
    server raises ``StoreUnavailableError``, never hangs. Raises ``StoreUnavailableError`` when
    the URL is invalid or the server does not answer, and ``ValueError`` for a timeout below
    0.001 s or above one hour, or ``connections`` below 1 or above 64. Concurrent calls each
    take a connection nobody is using, up to ``connections`` opened as they are needed, then
    share one, pipelined. A store built before a fork opens its own connections in each child.
    """

    def __new__(
        cls,
        url: str,
        *,
        prefix: str = ...,
        timeout_seconds: float = ...,
        connect_timeout_seconds: float = ...,
        connections: int = ...,
    ) -> RedisStore:
        """Defaults (the core's): ``prefix="palisade:idem:"``, ``timeout_seconds=2.0``,
        ``connect_timeout_seconds=2.0``, ``connections=4``."""
    @property
    def prefix(self) -> str: ...
    @property
    def timeout_seconds(self) -> float: ...
    @property
    def connect_timeout_seconds(self) -> float: ...
    @property
    def connections(self) -> int:
        """The most connections one process opens."""
    def ping(self) -> None:
        """Check that the server answers (raises ``StoreUnavailableError`` if not)."""

class _PythonStore(Protocol):
    def claim(self, key: str, token: str, lease_seconds: float, /) -> str: ...
    def complete(self, key: str, token: str, retain_seconds: float, /) -> bool: ...
    def release(self, key: str, token: str, /) -> bool: ...

@final
class Deduplicator:
    """Idempotent processing of at-least-once deliveries, keyed by ``Event.idempotency_key``."""

    def __new__(
        cls,
        store: Store | _PythonStore | None = None,
        *,
        lease_seconds: float = ...,
        retain_seconds: float = ...,
    ) -> Deduplicator:
        """Defaults (the core's): a ``MemoryStore()``, ``lease_seconds=60.0``,
        ``retain_seconds=604_800.0`` (7 days). Raises ``ValueError`` for a lease or retention
        below 0.001 s or above 3650 days."""
    def claim(self, event: Event | str) -> Claim:
        """Claim an event (or a key); use the result as a context manager."""
    @property
    def store(self) -> Store | _PythonStore: ...
    @property
    def lease_seconds(self) -> float: ...
    @property
    def retain_seconds(self) -> float: ...

@final
class Claim:
    """The answer to ``Deduplicator.claim()``; a new claim settles once: completed on normal
    exit, released on error (``TicketSettledError`` when settled a second time)."""

    @property
    def status(self) -> Literal["new", "duplicate", "in_progress"]: ...
    @property
    def key(self) -> str: ...
    @property
    def settled(self) -> bool: ...
    def complete(self) -> bool: ...
    def release(self) -> bool: ...
    def __enter__(self) -> Claim: ...
    def __exit__(
        self,
        exc_type: type[BaseException] | None = None,
        exc_value: BaseException | None = None,
        traceback: TracebackType | None = None,
    ) -> bool: ...

@final
class Receiver:
    """A webhook endpoint's whole receiving policy: verification, deduplication, the answers.

    ``begin`` returns the ``Answer`` to send at once, or a ``Processing``: run the handler with
    its ``event``, then send what its ``ticket``'s ``finish_ok()`` / ``finish_failed(reason)``
    returns. The ``*_async`` variants run in a worker thread (the event loop never waits).
    """

    def __new__(cls, webhook: Webhook, deduplicator: Deduplicator | None = None) -> Receiver: ...
    @property
    def webhook(self) -> Webhook: ...
    @property
    def deduplicator(self) -> Deduplicator | None: ...
    @property
    def max_body_bytes(self) -> int:
        """Read at most one byte more than this, with or without a ``Content-Length``."""
    def begin(
        self,
        body: _RawBody,
        headers: _Headers,
        *,
        method: str = "POST",
        declared_length: int | None = None,
    ) -> Answer | Processing:
        """Start receiving one request (the body read, at most ``max_body_bytes + 1`` bytes)."""
    def begin_async(
        self,
        body: _RawBody,
        headers: _Headers,
        *,
        method: str = "POST",
        declared_length: int | None = None,
    ) -> Coroutine[Any, Any, Answer | Processing]:
        """``begin``, awaitable, in a worker thread."""

@final
class Answer:
    """What to send: ``status``, ``headers`` and ``body`` as they are; log ``log_message`` at
    ``log_level``."""

    @property
    def status(self) -> int: ...
    @property
    def body(self) -> bytes:
        """The JSON body, exactly as it goes on the wire."""
    @property
    def code(self) -> str:
        """One of ``RECEIVER_CODES`` or ``ERROR_CODES``."""
    @property
    def headers(self) -> list[tuple[str, str]]: ...
    @property
    def log_level(self) -> Literal["info", "warning", "error"]: ...
    @property
    def log_message(self) -> str: ...
    @property
    def is_success(self) -> bool: ...

@final
class Processing:
    """A verified delivery to process: run the handler with ``event``, then finish ``ticket``."""

    @property
    def event(self) -> Event: ...
    @property
    def ticket(self) -> Ticket: ...

@final
class Ticket:
    """Settles one delivery exactly once (``TicketSettledError`` the second time); dropped
    unsettled, it releases its claim."""

    @property
    def settled(self) -> bool: ...
    def finish_ok(self) -> Answer:
        """The handler succeeded: 200 ``processed``."""
    def finish_failed(self, reason: str) -> Answer:
        """The handler failed (``reason`` is logged, never sent): 500, claim released."""
    def finish_ok_async(self) -> Coroutine[Any, Any, Answer]:
        """``finish_ok``, awaitable, in a worker thread."""
    def finish_failed_async(self, reason: str) -> Coroutine[Any, Any, Answer]:
        """``finish_failed``, awaitable, in a worker thread."""

@final
class FaultyStore(Store):
    """A store failing on purpose at ``fail_at``: ``"claim"``, ``"complete"``, ``"release"``
    or ``"nothing"`` (settable), with ``StoreUnavailableError``, as an outage does."""

    def __new__(
        cls,
        inner: Store | _PythonStore,
        fail_at: Literal["nothing", "claim", "complete", "release"],
    ) -> FaultyStore: ...
    @property
    def inner(self) -> Store | _PythonStore: ...
    @property
    def fail_at(self) -> Literal["nothing", "claim", "complete", "release"]: ...
    @fail_at.setter
    def fail_at(self, fail_at: Literal["nothing", "claim", "complete", "release"]) -> None: ...

@final
class TestSigner:
    """A P-256 key pair standing in for Palisade's signer (for tests)."""

    __test__: ClassVar[bool]
    def __new__(cls) -> TestSigner: ...
    @staticmethod
    def generate() -> TestSigner: ...
    @staticmethod
    def from_seed(seed: int) -> TestSigner: ...
    @staticmethod
    def from_private_key(text: str) -> TestSigner: ...
    @property
    def public_key_b64(self) -> str: ...
    @property
    def fingerprint(self) -> str: ...
    def private_key_pem(self) -> str: ...
    def sign(self, payload_b64: str, *, digest: str = "sha256") -> str: ...
    def delivery(
        self,
        domain: str,
        resource: Mapping[str, Any] | str,
        *,
        timestamp: str | Literal[False] | None = None,
        digest: str = "sha256",
    ) -> tuple[bytes, dict[str, str]]: ...
