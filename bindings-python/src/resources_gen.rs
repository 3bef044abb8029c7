// Generated from the Rust core by core/examples/codegen_python.rs: do not edit. Regenerate with
// PALISADE_UPDATE_CODEGEN=1 over bindings-python/tests/test_codegen.py (see that file).
//
// The resources' Python classes, one getter per field of the core's models. Included by
// event.rs, which defines the macros and conversions used here.

use palisade_webhooks::{
    Approval,
    ApprovalStatus,
    Asset,
    Blockchain,
    KeyAlgorithm,
    Keystore,
    Transaction,
    TransactionAction,
    TransactionStatus,
    TransferParty,
    Wallet,
    WalletSettings,
    WalletStatus,
};

// The string enums are `str` in Python.
to_py_as_str!(
    TransactionStatus,
    TransactionAction,
    Blockchain,
    Keystore,
    WalletStatus,
    KeyAlgorithm,
    ApprovalStatus,
);

resource_class! {
    /// A TRANSACTION event's resource: fired when a transaction's status changes.
    ///
    /// Every attribute except `id` may be `None`; enums are strings (values this SDK does not
    /// know are kept as they are); the whole payload is in `raw`.
    PyTransaction as "Transaction" wraps Transaction, variant Transaction {
        /// Transaction id (required).
        id as id,
        /// Wallet the transaction belongs to.
        wallet_id as wallet_id,
        /// Vault the wallet belongs to.
        vault_id as vault_id,
        /// User or API credential that created it.
        created_by as created_by,
        /// RFC 3339 creation time.
        created_at as created_at,
        /// RFC 3339 time of this change (signed: used for idempotency and freshness).
        updated_at as updated_at,
        /// Lifecycle status.
        status as status,
        /// What the transaction does.
        action as action,
        /// Your own reference, if you set one.
        external_id as external_id,
        /// Correlation id, if set.
        correlation_id as correlation_id,
        /// Free-form string attributes.
        attributes as attributes,
        /// Asset moved.
        asset as asset,
        /// Asset the fee is paid in.
        fee_asset as fee_asset,
        /// Network.
        blockchain as blockchain,
        /// Where the value comes from.
        origin as origin,
        /// Where the value goes.
        destination as destination,
        /// Origin address.
        origin_address as origin_address,
        /// Destination address.
        destination_address as destination_address,
        /// Quantity, a decimal string (never a float).
        qty as qty,
        /// Fee quantity, a decimal string.
        fee_qty as fee_qty,
        /// Fee limit, a decimal string.
        fee_qty_limit as fee_qty_limit,
        /// Sequence number (uint64, kept as a string so no digit is lost).
        sequence as sequence,
        /// On-chain transaction hash.
        hash as hash,
        /// Signature, as produced by the signer.
        signature as signature,
        /// Canonical form of the signature.
        canonical_signature as canonical_signature,
        /// The signed transaction.
        signed_transaction as signed_transaction,
        /// The encoded, unsigned transaction.
        encoded_transaction as encoded_transaction,
        /// Chain-specific transaction type.
        transaction_type as transaction_type,
        /// Whether the transaction is only signed, not published.
        sign_only as sign_only,
        /// Transaction configuration (shape not pinned down: kept raw).
        config as config,
        /// Signing payloads (kept raw).
        signing_payloads as signing_payloads,
        /// Freeze information (kept raw).
        freeze_info as freeze_info,
        /// Proposed asset changes (kept raw).
        proposed_asset_changes as proposed_asset_changes,
        /// Confirmed asset changes (kept raw).
        confirmed_asset_changes as confirmed_asset_changes,
        /// Problems reported (kept raw).
        problems as problems,
        /// Reasons for the current status (kept raw).
        reasons as reasons,
        /// RFC 3339 expiry time.
        expires_at as expires_at,
    }
}

nested_class! {
    /// An asset (coin or token) referenced by a transaction.
    ///
    /// Every attribute may be `None`; enums are strings (values this SDK does not know are kept
    /// as they are).
    PyAsset as "Asset" wraps Asset {
        /// Asset id.
        id as id,
        /// Ticker symbol, e.g. `"ETH"`.
        symbol as symbol,
        /// Display name.
        name as name,
        /// Network the asset lives on.
        blockchain as blockchain,
        /// Number of decimal places of the smallest unit.
        decimals as decimals,
        /// Token contract address, for tokens.
        contract as contract,
    }
}

nested_class! {
    /// One side (origin or destination) of a transfer.
    ///
    /// Every attribute may be `None`.
    PyTransferParty as "TransferParty" wraps TransferParty {
        /// Id of the wallet, address book entry or counterparty.
        id as id,
        /// Kind of party (`type` on the wire), e.g. `"WALLET"` or `"ADDRESS"`.
        kind as r#type,
        /// On-chain address.
        address as address,
        /// Vault of the wallet, when the party is a wallet.
        vault_id as vault_id,
        /// Counterparty id, when the party is a counterparty.
        counterparty_id as counterparty_id,
    }
}

resource_class! {
    /// A WALLET event's resource: fired when a wallet's status changes.
    ///
    /// Every attribute except `id` may be `None`; enums are strings (values this SDK does not
    /// know are kept as they are); the whole payload is in `raw`.
    PyWallet as "Wallet" wraps Wallet, variant Wallet {
        /// Wallet id (required).
        id as id,
        /// Vault the wallet belongs to.
        vault_id as vault_id,
        /// Organisation.
        organization_id as organization_id,
        /// Quorum governing the wallet.
        quorum_id as quorum_id,
        /// Creator.
        created_by as created_by,
        /// RFC 3339 creation time.
        created_at as created_at,
        /// RFC 3339 time of this change.
        updated_at as updated_at,
        /// Display name.
        name as name,
        /// Description.
        description as description,
        /// On-chain address.
        address as address,
        /// The wallet's public key (hex).
        public_key as public_key,
        /// Where the key lives.
        keystore as keystore,
        /// Network.
        blockchain as blockchain,
        /// Settings.
        settings as settings,
        /// Provisioning status.
        status as status,
        /// Reasons for the current status (kept raw).
        reasons as reasons,
        /// Alias.
        alias as alias,
        /// Your own reference, if you set one.
        external_id as external_id,
        /// Correlation id.
        correlation_id as correlation_id,
        /// Key algorithm.
        key_algorithm as key_algorithm,
        /// Wallet type.
        wallet_type as wallet_type,
    }
}

nested_class! {
    /// A wallet's settings.
    ///
    /// Every attribute may be `None`.
    PyWalletSettings as "WalletSettings" wraps WalletSettings {
        /// Whether the wallet is enabled.
        enabled as enabled,
        /// Whether raw signing is enabled.
        raw_signing_enabled as raw_signing_enabled,
        /// Whether sweeping is enabled.
        sweeping_enabled as sweeping_enabled,
        /// Whether new deposits are frozen by default.
        default_freeze_enabled as default_freeze_enabled,
    }
}

resource_class! {
    /// An APPROVAL event's resource: fired when an approval request is created or updated.
    ///
    /// Every attribute except `id` may be `None`; enums are strings (values this SDK does not
    /// know are kept as they are); the whole payload is in `raw`.
    PyApproval as "Approval" wraps Approval, variant Approval {
        /// Approval id (required).
        id as id,
        /// Approval set this approval belongs to.
        approval_set_id as approval_set_id,
        /// User asked to approve.
        user_id as user_id,
        /// Organisation.
        organization_id as organization_id,
        /// RFC 3339 creation time.
        created_at as created_at,
        /// RFC 3339 time of this change.
        updated_at as updated_at,
        /// The approver's signature, once given.
        signature as signature,
        /// Reasons (kept raw).
        reasons as reasons,
        /// Status.
        status as status,
    }
}

/// The Python object of an event's typed resource (`UnknownResource` for other domains).
fn resource_object(py: Python<'_>, shared: &Arc<Shared>) -> PyResult<Py<PyAny>> {
    let shared = shared.clone();
    Ok(match &shared.event.data {
        Resource::Transaction(_) => Py::new(py, PyTransaction { shared: shared.clone() })?.into_any(),
        Resource::Wallet(_) => Py::new(py, PyWallet { shared: shared.clone() })?.into_any(),
        Resource::Approval(_) => Py::new(py, PyApproval { shared: shared.clone() })?.into_any(),
        _ => Py::new(py, PyUnknownResource { shared: shared.clone() })?.into_any(),
    })
}

/// Registers the resources' classes with the native module.
pub(crate) fn add_resource_classes(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyTransaction>()?;
    m.add_class::<PyAsset>()?;
    m.add_class::<PyTransferParty>()?;
    m.add_class::<PyWallet>()?;
    m.add_class::<PyWalletSettings>()?;
    m.add_class::<PyApproval>()?;
    m.add_class::<PyUnknownResource>()?;
    Ok(())
}
