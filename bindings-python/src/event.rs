//! `Event` and the typed resources (`Transaction`, `Wallet`, `Approval`, `UnknownResource`).
//!
//! An `Event` wraps the core's event. Nothing is converted eagerly: string attributes are
//! created on access, the typed `data` object on first access, and `raw` (the decoded payload as
//! Python objects, via `json.loads`) on first access, shared by the event and its `data`.

use std::collections::BTreeMap;
use std::sync::{Arc, LazyLock};

use palisade_webhooks::{
    Approval, ApprovalStatus, Asset, Blockchain, Event, KeyAlgorithm, Keystore, Resource,
    Transaction, TransactionAction, TransactionStatus, TransferParty, Wallet, WalletSettings,
    WalletStatus,
};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyList, PyString};
use pyo3::IntoPyObjectExt;
use serde_json::Value;

use crate::errors::OrRaise;

/// The core event plus the lazily decoded raw payload, shared with the typed resource.
pub(crate) struct Shared {
    event: Event,
    raw: PyOnceLock<Py<PyAny>>,
}

impl Shared {
    fn raw<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        static LOADS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
        let raw = self.raw.get_or_try_init(py, || -> PyResult<Py<PyAny>> {
            let loads = LOADS.import(py, "json", "loads")?;
            Ok(loads.call1((self.event.raw.get(),))?.unbind())
        })?;
        Ok(raw.bind(py).clone())
    }
}

/// Python's `repr()` of an optional string (`'text'` or `None`).
pub(crate) fn repr(py: Python<'_>, text: Option<&str>) -> PyResult<String> {
    Ok(match text {
        Some(t) => PyString::new(py, t).repr()?.to_string(),
        None => "None".to_string(),
    })
}

/// A value of a typed model as a Python object.
trait ToPyField {
    fn to_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>>;
}

impl<T: ToPyField> ToPyField for Option<T> {
    fn to_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        match self {
            Some(v) => v.to_py(py),
            None => Ok(py.None().into_bound(py)),
        }
    }
}

macro_rules! to_py_via_into {
    ($($t:ty),*) => {$(
        impl ToPyField for $t {
            fn to_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
                self.into_bound_py_any(py)
            }
        }
    )*};
}
to_py_via_into!(String, bool, u32, BTreeMap<String, String>);

macro_rules! to_py_as_str {
    ($($t:ty),*) => {$(
        impl ToPyField for $t {
            fn to_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
                Ok(PyString::new(py, self.as_str()).into_any())
            }
        }
    )*};
}
to_py_as_str!(
    TransactionStatus,
    TransactionAction,
    Blockchain,
    WalletStatus,
    Keystore,
    KeyAlgorithm,
    ApprovalStatus
);

impl ToPyField for Value {
    fn to_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        // The core bounds payload nesting (MAX_PAYLOAD_DEPTH), so this recursion is bounded.
        Ok(match self {
            Value::Null => py.None().into_bound(py),
            Value::Bool(b) => b.into_bound_py_any(py)?,
            Value::Number(n) => {
                if let Some(i) = n.as_i64() {
                    i.into_bound_py_any(py)?
                } else if let Some(u) = n.as_u64() {
                    u.into_bound_py_any(py)?
                } else {
                    n.as_f64().unwrap_or(f64::NAN).into_bound_py_any(py)?
                }
            }
            Value::String(s) => PyString::new(py, s).into_any(),
            Value::Array(items) => {
                let list = PyList::empty(py);
                for item in items {
                    list.append(item.to_py(py)?)?;
                }
                list.into_any()
            }
            Value::Object(map) => {
                let dict = PyDict::new(py);
                for (k, v) in map {
                    dict.set_item(k, v.to_py(py)?)?;
                }
                dict.into_any()
            }
        })
    }
}

/// Declares a Python class over a nested model (held by value) with one getter per field.
macro_rules! nested_class {
    (
        $(#[$meta:meta])*
        $py:ident as $name:literal wraps $inner:ty {
            $($(#[$fmeta:meta])* $field:ident,)*
        }
        repr($($rfield:ident),*)
        $($extra:tt)*
    ) => {
        $(#[$meta])*
        #[pyclass(frozen, module = "palisade_webhooks", name = $name)]
        pub(crate) struct $py {
            inner: $inner,
        }

        impl ToPyField for $inner {
            fn to_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
                Bound::new(py, $py { inner: self.clone() }).map(Bound::into_any)
            }
        }

        #[pymethods]
        impl $py {
            $(
                $(#[$fmeta])*
                #[getter]
                fn $field<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
                    self.inner.$field.to_py(py)
                }
            )*

            fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
                let parts: Vec<String> = vec![$(
                    format!("{}={}", stringify!($rfield), self.inner.$rfield.to_py(py)?.repr()?),
                )*];
                Ok(format!("{}({})", $name, parts.join(", ")))
            }

            fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
                other
                    .cast::<$py>()
                    .map(|o| o.get().inner == self.inner)
                    .unwrap_or(false)
            }

            $($extra)*
        }
    };
}

nested_class! {
    /// An asset (coin or token) moved by a transaction.
    PyAsset as "Asset" wraps Asset {
        /// Asset id.
        id,
        /// Ticker symbol, e.g. `"ETH"`.
        symbol,
        /// Display name.
        name,
        /// Network the asset lives on (a string such as `"ETHEREUM"`).
        blockchain,
        /// Decimal places of the smallest unit (`int`).
        decimals,
        /// Token contract address, for tokens.
        contract,
    }
    repr(id, symbol, blockchain)
}

nested_class! {
    /// One side (origin or destination) of a transfer.
    PyTransferParty as "TransferParty" wraps TransferParty {
        /// Id of the wallet, address book entry or counterparty.
        id,
        /// On-chain address.
        address,
        /// Vault of the wallet, when the party is a wallet.
        vault_id,
        /// Counterparty id, when the party is a counterparty.
        counterparty_id,
    }
    repr(id, address)

    /// Kind of party (`type` on the wire), e.g. `"WALLET"` or `"ADDRESS"`.
    #[getter(r#type)]
    fn kind<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.inner.kind.to_py(py)
    }
}

nested_class! {
    /// A wallet's settings.
    PyWalletSettings as "WalletSettings" wraps WalletSettings {
        /// Whether the wallet is enabled.
        enabled,
        /// Whether raw signing is enabled.
        raw_signing_enabled,
        /// Whether sweeping is enabled.
        sweeping_enabled,
        /// Whether new deposits are frozen by default.
        default_freeze_enabled,
    }
    repr(enabled, raw_signing_enabled, sweeping_enabled, default_freeze_enabled)
}

/// Declares a Python class over one variant of the event's typed resource.
macro_rules! resource_class {
    (
        $(#[$meta:meta])*
        $py:ident as $name:literal wraps $inner:ty, variant $variant:ident {
            $($(#[$fmeta:meta])* $field:ident,)*
        }
    ) => {
        $(#[$meta])*
        #[pyclass(frozen, module = "palisade_webhooks", name = $name)]
        pub(crate) struct $py {
            shared: Arc<Shared>,
        }

        impl $py {
            fn inner(&self) -> &$inner {
                // Only ever built for its own variant; the fallback keeps this free of panics.
                static EMPTY: LazyLock<$inner> = LazyLock::new(<$inner>::default);
                match &self.shared.event.data {
                    Resource::$variant(inner) => inner,
                    _ => &EMPTY,
                }
            }
        }

        #[pymethods]
        impl $py {
            $(
                $(#[$fmeta])*
                #[getter]
                fn $field<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
                    self.inner().$field.to_py(py)
                }
            )*

            /// The decoded payload as Python objects (`dict`), including fields this SDK does
            /// not model. The same object as `Event.raw`.
            #[getter]
            fn raw<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
                self.shared.raw(py)
            }

            fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
                let inner = self.inner();
                Ok(format!(
                    "{}(id={}, status={})",
                    $name,
                    repr(py, Some(inner.id.as_str()))?,
                    repr(py, inner.status.as_ref().map(|s| s.as_str()))?
                ))
            }

            fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
                other
                    .cast::<$py>()
                    .map(|o| o.get().inner() == self.inner())
                    .unwrap_or(false)
            }
        }
    };
}

resource_class! {
    /// A TRANSACTION event's resource: fired when a transaction's status changes.
    ///
    /// Every attribute except `id` may be `None`. Quantities are decimal strings (never
    /// floats); enums are strings (unknown values are kept as they are).
    PyTransaction as "Transaction" wraps Transaction, variant Transaction {
        /// Transaction id.
        id,
        /// Wallet the transaction belongs to.
        wallet_id,
        /// Vault the wallet belongs to.
        vault_id,
        /// User or API credential that created it.
        created_by,
        /// RFC 3339 creation time.
        created_at,
        /// RFC 3339 time of this change (signed).
        updated_at,
        /// Lifecycle status, e.g. `"CONFIRMED"`.
        status,
        /// What the transaction does, e.g. `"DEPOSIT"`.
        action,
        /// Your own reference, if you set one.
        external_id,
        /// Correlation id, if set.
        correlation_id,
        /// Free-form string attributes (`dict[str, str]`).
        attributes,
        /// The asset moved (`Asset`).
        asset,
        /// The asset the fee is paid in (`Asset`).
        fee_asset,
        /// Network, e.g. `"ETHEREUM"`.
        blockchain,
        /// Where the value comes from (`TransferParty`).
        origin,
        /// Where the value goes (`TransferParty`).
        destination,
        /// Origin address.
        origin_address,
        /// Destination address.
        destination_address,
        /// Quantity, a decimal string.
        qty,
        /// Fee quantity, a decimal string.
        fee_qty,
        /// Fee limit, a decimal string.
        fee_qty_limit,
        /// Sequence number (a uint64 kept as a string).
        sequence,
        /// On-chain transaction hash.
        hash,
        /// Signature, as produced by the signer.
        signature,
        /// Canonical form of the signature.
        canonical_signature,
        /// The signed transaction.
        signed_transaction,
        /// The encoded, unsigned transaction.
        encoded_transaction,
        /// Chain-specific transaction type.
        transaction_type,
        /// Whether the transaction is only signed, not published.
        sign_only,
        /// Transaction configuration (JSON value, kept raw).
        config,
        /// Signing payloads (JSON value, kept raw).
        signing_payloads,
        /// Freeze information (JSON value, kept raw).
        freeze_info,
        /// Proposed asset changes (JSON value, kept raw).
        proposed_asset_changes,
        /// Confirmed asset changes (JSON value, kept raw).
        confirmed_asset_changes,
        /// Problems reported (JSON value, kept raw).
        problems,
        /// Reasons for the current status (JSON value, kept raw).
        reasons,
        /// RFC 3339 expiry time.
        expires_at,
    }
}

resource_class! {
    /// A WALLET event's resource: fired when a wallet's status changes.
    ///
    /// Every attribute except `id` may be `None`; enums are strings.
    PyWallet as "Wallet" wraps Wallet, variant Wallet {
        /// Wallet id.
        id,
        /// Vault the wallet belongs to.
        vault_id,
        /// Organisation.
        organization_id,
        /// Quorum governing the wallet.
        quorum_id,
        /// Creator.
        created_by,
        /// RFC 3339 creation time.
        created_at,
        /// RFC 3339 time of this change (signed).
        updated_at,
        /// Display name.
        name,
        /// Description.
        description,
        /// On-chain address.
        address,
        /// The wallet's public key (hex).
        public_key,
        /// Where the key lives: `"HSM"` or `"MPC"`.
        keystore,
        /// Network, e.g. `"ARBITRUM"`.
        blockchain,
        /// Settings (`WalletSettings`).
        settings,
        /// Provisioning status, e.g. `"PROVISIONED"`.
        status,
        /// Reasons for the current status (JSON value, kept raw).
        reasons,
        /// Alias.
        alias,
        /// Your own reference, if you set one.
        external_id,
        /// Correlation id.
        correlation_id,
        /// Key algorithm: `"SECP256K1"` or `"ED25519"`.
        key_algorithm,
        /// Wallet type.
        wallet_type,
    }
}

resource_class! {
    /// An APPROVAL event's resource: fired when an approval request is created or updated.
    ///
    /// Every attribute except `id` may be `None`; the rest of the payload is in `raw`.
    PyApproval as "Approval" wraps Approval, variant Approval {
        /// Approval id.
        id,
        /// Approval set this approval belongs to.
        approval_set_id,
        /// User asked to approve.
        user_id,
        /// Organisation.
        organization_id,
        /// RFC 3339 creation time.
        created_at,
        /// RFC 3339 time of this change (signed).
        updated_at,
        /// The approver's signature, once given.
        signature,
        /// Reasons (JSON value, kept raw).
        reasons,
        /// Status: `"PROCESSING"`, `"APPROVED"` or `"REJECTED"`.
        status,
    }
}

/// The resource of an event whose `domain` this SDK does not know: only `raw` and the common
/// fields (read leniently: `None` when absent or not a string) are available.
#[pyclass(frozen, module = "palisade_webhooks", name = "UnknownResource")]
pub(crate) struct PyUnknownResource {
    shared: Arc<Shared>,
}

#[pymethods]
impl PyUnknownResource {
    /// The envelope's `domain` (unsigned), as received.
    #[getter]
    fn domain(&self) -> &str {
        self.shared.event.domain.as_str()
    }

    /// The payload's `id`, when it is a string.
    #[getter]
    fn id(&self) -> Option<&str> {
        self.shared.event.resource_id.as_deref()
    }

    /// The payload's `updatedAt`, when it is a string.
    #[getter]
    fn updated_at(&self) -> Option<&str> {
        self.shared.event.updated_at.as_deref()
    }

    /// The payload's `status`, when it is a string.
    #[getter]
    fn status(&self) -> Option<&str> {
        self.shared.event.status.as_deref()
    }

    /// The decoded payload as Python objects (`dict`). The same object as `Event.raw`.
    #[getter]
    fn raw<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.shared.raw(py)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "UnknownResource(domain={}, id={})",
            repr(py, Some(self.shared.event.domain.as_str()))?,
            repr(py, self.shared.event.resource_id.as_deref())?
        ))
    }
}

/// A verified delivery.
///
/// Everything except `domain` and `timestamp` comes from the signed payload. `to_json()` and
/// `Event.from_json()` let a receiver enqueue the event and answer 2xx at once; events also
/// pickle.
#[pyclass(frozen, module = "palisade_webhooks", name = "Event")]
pub(crate) struct PyEvent {
    shared: Arc<Shared>,
    data: PyOnceLock<Py<PyAny>>,
}

impl PyEvent {
    pub(crate) fn new(event: Event) -> Self {
        PyEvent {
            shared: Arc::new(Shared {
                event,
                raw: PyOnceLock::new(),
            }),
            data: PyOnceLock::new(),
        }
    }

    /// The idempotency key (used by the deduplicator).
    pub(crate) fn idempotency_key_str(&self) -> &str {
        &self.shared.event.idempotency_key
    }
}

#[pymethods]
impl PyEvent {
    /// The envelope's domain: `"TRANSACTION"`, `"WALLET"`, `"APPROVAL"` or any other value
    /// as received. Not signed: a routing hint only.
    #[getter]
    fn domain(&self) -> &str {
        self.shared.event.domain.as_str()
    }

    /// The envelope's timestamp (not signed; `None` in older deliveries).
    #[getter]
    fn timestamp(&self) -> Option<&str> {
        self.shared.event.timestamp.as_deref()
    }

    /// `"{domain}/{id}/{updatedAt}"` (`id` and `updatedAt` from the signed payload, each part
    /// percent-encoded for `%`, `/` and control characters), or `"{domain}/sha256:<hex>"` of the
    /// payload when either is missing. Deduplicate on this.
    #[getter]
    fn idempotency_key(&self) -> &str {
        &self.shared.event.idempotency_key
    }

    /// The resource's `id`, when present.
    #[getter]
    fn resource_id(&self) -> Option<&str> {
        self.shared.event.resource_id.as_deref()
    }

    /// The resource's `updatedAt`, when present.
    #[getter]
    fn updated_at(&self) -> Option<&str> {
        self.shared.event.updated_at.as_deref()
    }

    /// The resource's `status`, when present.
    #[getter]
    fn status(&self) -> Option<&str> {
        self.shared.event.status.as_deref()
    }

    /// The typed resource: `Transaction`, `Wallet`, `Approval` or `UnknownResource`.
    #[getter]
    fn data(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let data = self.data.get_or_try_init(py, || -> PyResult<Py<PyAny>> {
            let shared = self.shared.clone();
            Ok(match &self.shared.event.data {
                Resource::Transaction(_) => Py::new(py, PyTransaction { shared })?.into_any(),
                Resource::Wallet(_) => Py::new(py, PyWallet { shared })?.into_any(),
                Resource::Approval(_) => Py::new(py, PyApproval { shared })?.into_any(),
                _ => Py::new(py, PyUnknownResource { shared })?.into_any(),
            })
        })?;
        Ok(data.clone_ref(py))
    }

    /// The decoded payload as Python objects (`dict`), exactly as signed, including fields
    /// this SDK does not model. Decoded on first access.
    #[getter]
    fn raw<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.shared.raw(py)
    }

    /// The signed base64 payload string, exactly as received.
    #[getter]
    fn payload(&self) -> &str {
        &self.shared.event.payload
    }

    /// Fingerprint (16 hex characters) of the key that verified the delivery.
    #[getter]
    fn key_fingerprint(&self) -> &str {
        &self.shared.event.key_fingerprint
    }

    /// The event as JSON (snake_case keys, the same format in every language).
    fn to_json(&self) -> String {
        self.shared.event.to_json()
    }

    /// Restores an event serialised by `to_json()` (in any language). This does not re-verify
    /// anything: only restore events your own receiver verified.
    ///
    /// Raises:
    ///     MalformedPayloadError: the text is not a serialised event.
    #[classmethod]
    fn from_json(
        _cls: &Bound<'_, pyo3::types::PyType>,
        py: Python<'_>,
        json: &str,
    ) -> PyResult<Self> {
        Event::from_json(json).or_raise(py).map(PyEvent::new)
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, (String,))> {
        let from_json = slf.get_type().getattr("from_json")?;
        Ok((from_json, (slf.get().shared.event.to_json(),)))
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .cast::<PyEvent>()
            .map(|o| o.get().shared.event == self.shared.event)
            .unwrap_or(false)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let e = &self.shared.event;
        Ok(format!(
            "Event(domain={}, idempotency_key={}, status={})",
            repr(py, Some(e.domain.as_str()))?,
            repr(py, Some(e.idempotency_key.as_str()))?,
            repr(py, e.status.as_deref())?
        ))
    }
}
