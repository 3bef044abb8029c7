//! Typed models of the three event domains (docs/protocol.md, "The resources").
//!
//! Payloads are protobuf-JSON: lowerCamelCase names, enums as strings, 64-bit integers and
//! decimal quantities as strings, zero values possibly omitted. So every field is optional except
//! `id`, enum values this SDK does not know are kept as [`Other`](TransactionStatus::Other)
//! strings, numbers that protobuf-JSON may send either way are accepted either way (and kept as
//! text, so no digit is ever lost), and fields whose shape the documentation does not pin down are
//! kept as raw [`serde_json::Value`]s. Fields not modelled here are not dropped: the whole payload
//! stays available as `Event::raw`.
//!
//! These definitions are the one source of the resource types of every language: with the
//! `schema` feature each model also derives its JSON Schema (and records its serde field order,
//! `x-field-order`), which the code generators read through `crate::schema`.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;
use serde_json::Value;

use crate::envelope::describe_json_error;
use crate::error::{clip, err, Error, Result};
use crate::event::{is_json_whitespace, json_depth_exceeds, Domain, MAX_PAYLOAD_DEPTH};

/// Declares a string-valued enum that keeps unknown values instead of failing.
macro_rules! string_enum {
    ($(#[doc = $doc:literal])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal,)+ }) => {
        $(#[doc = $doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $($(#[$vmeta])* #[doc = concat!("`", $text, "`")] $variant,)+
            /// A value this version of the SDK does not know, kept verbatim.
            Other(String),
        }

        impl $name {
            /// The wire string.
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $text,)+
                    $name::Other(s) => s,
                }
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                match s {
                    $($text => $name::$variant,)+
                    other => $name::Other(other.to_string()),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = std::borrow::Cow::<'de, str>::deserialize(d)?;
                Ok($name::from(s.as_ref()))
            }
        }

        /// An open set: the known values, or any other string (kept as `Other`).
        #[cfg(feature = "schema")]
        impl schemars::JsonSchema for $name {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }

            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!({
                    "description": concat!($($doc, "\n",)*).trim(),
                    "anyOf": [{ "enum": [$($text,)+] }, { "type": "string" }],
                })
            }
        }
    };
}

string_enum!(
    /// A transaction's lifecycle status.
    TransactionStatus {
        Requested => "REQUESTED",
        PolicyCheckPending => "POLICY_CHECK_PENDING",
        PolicyCheckPassed => "POLICY_CHECK_PASSED",
        ApprovalCheckPending => "APPROVAL_CHECK_PENDING",
        ApprovalCheckPassed => "APPROVAL_CHECK_PASSED",
        CompilationPending => "COMPILATION_PENDING",
        Compiled => "COMPILED",
        SignaturePending => "SIGNATURE_PENDING",
        Signed => "SIGNED",
        PublishPending => "PUBLISH_PENDING",
        Published => "PUBLISHED",
        ConfirmationPending => "CONFIRMATION_PENDING",
        Confirmed => "CONFIRMED",
        Rejected => "REJECTED",
        Failed => "FAILED",
    }
);

impl TransactionStatus {
    /// `CONFIRMED`, `REJECTED` and `FAILED` are final: no later status follows them.
    pub fn is_terminal(&self) -> bool {
        matches!(
            self,
            TransactionStatus::Confirmed | TransactionStatus::Rejected | TransactionStatus::Failed
        )
    }
}

string_enum!(
    /// What a transaction does.
    TransactionAction {
        Deposit => "DEPOSIT",
        Withdrawal => "WITHDRAWAL",
        Web3Raw => "WEB3_RAW",
        Web3Sign => "WEB3_SIGN",
        PasskeyRaw => "PASSKEY_RAW",
        PasskeySign => "PASSKEY_SIGN",
        PalisadeTransfer => "PALISADE_TRANSFER",
        PalisadeRaw => "PALISADE_RAW",
        PalisadeManaged => "PALISADE_MANAGED",
        PalisadeSignPlaintext => "PALISADE_SIGN_PLAINTEXT",
        PalisadeSweep => "PALISADE_SWEEP",
    }
);

string_enum!(
    /// A blockchain network.
    Blockchain {
        Avalanche => "AVALANCHE",
        Ethereum => "ETHEREUM",
        XrpLedger => "XRP_LEDGER",
        Polygon => "POLYGON",
        Bnbchain => "BNBCHAIN",
        Base => "BASE",
        Hedera => "HEDERA",
        Arbitrum => "ARBITRUM",
        OneMoney => "ONE_MONEY",
        Solana => "SOLANA",
        Tron => "TRON",
        Bitcoin => "BITCOIN",
    }
);

string_enum!(
    /// A wallet's provisioning status.
    WalletStatus {
        Created => "CREATED",
        Provisioning => "PROVISIONING",
        ProvisionedWallet => "PROVISIONED_WALLET",
        ProvisioningPolicy => "PROVISIONING_POLICY",
        ProvisioningCompliance => "PROVISIONING_COMPLIANCE",
        ProvisionedCompliance => "PROVISIONED_COMPLIANCE",
        Provisioned => "PROVISIONED",
        ProvisioningFailed => "PROVISIONING_FAILED",
    }
);

string_enum!(
    /// Where a wallet's key lives.
    Keystore {
        Hsm => "HSM",
        Mpc => "MPC",
    }
);

string_enum!(
    /// A wallet key's algorithm.
    KeyAlgorithm {
        Secp256k1 => "SECP256K1",
        Ed25519 => "ED25519",
    }
);

string_enum!(
    /// An approval's status.
    ApprovalStatus {
        Processing => "PROCESSING",
        Approved => "APPROVED",
        Rejected => "REJECTED",
    }
);

/// Accepts a JSON string or number and keeps its text: protobuf-JSON writes 64-bit integers and
/// decimals as strings, but some encoders write numbers, and going through a float would lose
/// digits. A number is kept exactly as written (its raw JSON text).
fn opt_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    use serde::de::Error as _;
    let Some(raw) = Option::<Box<serde_json::value::RawValue>>::deserialize(d)? else {
        return Ok(None);
    };
    let text = raw.get();
    match text.as_bytes().first() {
        Some(b'"') => serde_json::from_str::<String>(text)
            .map(Some)
            .map_err(D::Error::custom),
        Some(b'-' | b'0'..=b'9') => Ok(Some(text.to_string())),
        Some(b'n') => Ok(None),
        _ => Err(D::Error::custom("expected a string or a number")),
    }
}

/// Accepts a small integer written as a JSON number or a decimal string.
fn opt_u32<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    match opt_text(d)? {
        None => Ok(None),
        Some(s) => s
            .parse()
            .map(Some)
            .map_err(|_| serde::de::Error::custom("expected a non-negative 32-bit integer")),
    }
}

/// An asset (coin or token) referenced by a transaction.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("x-field-order" = crate::resources::wire_fields::<Self>())))]
pub struct Asset {
    /// Asset id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Ticker symbol, e.g. `"ETH"`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub symbol: Option<String>,
    /// Display name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Network the asset lives on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub blockchain: Option<Blockchain>,
    /// Number of decimal places of the smallest unit.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(default, deserialize_with = "opt_u32")]
    pub decimals: Option<u32>,
    /// Token contract address, for tokens.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contract: Option<String>,
}

/// One side (origin or destination) of a transfer.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("x-field-order" = crate::resources::wire_fields::<Self>())))]
pub struct TransferParty {
    /// Id of the wallet, address book entry or counterparty.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Kind of party (`type` on the wire), e.g. `"WALLET"` or `"ADDRESS"`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(rename = "type")]
    #[cfg_attr(feature = "schema", schemars(extend("x-rust-name" = "kind")))]
    pub kind: Option<String>,
    /// On-chain address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// Vault of the wallet, when the party is a wallet.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vault_id: Option<String>,
    /// Counterparty id, when the party is a counterparty.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub counterparty_id: Option<String>,
}

/// A TRANSACTION event's resource: fired when a transaction's status changes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("x-field-order" = crate::resources::wire_fields::<Self>())))]
pub struct Transaction {
    /// Transaction id (required).
    pub id: String,
    /// Wallet the transaction belongs to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wallet_id: Option<String>,
    /// Vault the wallet belongs to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vault_id: Option<String>,
    /// User or API credential that created it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
    /// RFC 3339 creation time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// RFC 3339 time of this change (signed: used for idempotency and freshness).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    /// Lifecycle status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<TransactionStatus>,
    /// What the transaction does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<TransactionAction>,
    /// Your own reference, if you set one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// Correlation id, if set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub correlation_id: Option<String>,
    /// Free-form string attributes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attributes: Option<BTreeMap<String, String>>,
    /// Asset moved.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub asset: Option<Asset>,
    /// Asset the fee is paid in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fee_asset: Option<Asset>,
    /// Network.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub blockchain: Option<Blockchain>,
    /// Where the value comes from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<TransferParty>,
    /// Where the value goes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub destination: Option<TransferParty>,
    /// Origin address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin_address: Option<String>,
    /// Destination address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub destination_address: Option<String>,
    /// Quantity, a decimal string (never a float).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(default, deserialize_with = "opt_text")]
    pub qty: Option<String>,
    /// Fee quantity, a decimal string.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(default, deserialize_with = "opt_text")]
    pub fee_qty: Option<String>,
    /// Fee limit, a decimal string.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(default, deserialize_with = "opt_text")]
    pub fee_qty_limit: Option<String>,
    /// Sequence number (uint64, kept as a string so no digit is lost).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(default, deserialize_with = "opt_text")]
    pub sequence: Option<String>,
    /// On-chain transaction hash.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hash: Option<String>,
    /// Signature, as produced by the signer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
    /// Canonical form of the signature.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub canonical_signature: Option<String>,
    /// The signed transaction.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signed_transaction: Option<String>,
    /// The encoded, unsigned transaction.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoded_transaction: Option<String>,
    /// Chain-specific transaction type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transaction_type: Option<String>,
    /// Whether the transaction is only signed, not published.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sign_only: Option<bool>,
    /// Transaction configuration (shape not pinned down: kept raw).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config: Option<Value>,
    /// Signing payloads (kept raw).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signing_payloads: Option<Value>,
    /// Freeze information (kept raw).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub freeze_info: Option<Value>,
    /// Proposed asset changes (kept raw).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proposed_asset_changes: Option<Value>,
    /// Confirmed asset changes (kept raw).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confirmed_asset_changes: Option<Value>,
    /// Problems reported (kept raw).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problems: Option<Value>,
    /// Reasons for the current status (kept raw).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reasons: Option<Value>,
    /// RFC 3339 expiry time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
}

/// A wallet's settings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("x-field-order" = crate::resources::wire_fields::<Self>())))]
pub struct WalletSettings {
    /// Whether the wallet is enabled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// Whether raw signing is enabled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub raw_signing_enabled: Option<bool>,
    /// Whether sweeping is enabled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sweeping_enabled: Option<bool>,
    /// Whether new deposits are frozen by default.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_freeze_enabled: Option<bool>,
}

/// A WALLET event's resource: fired when a wallet's status changes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("x-field-order" = crate::resources::wire_fields::<Self>())))]
pub struct Wallet {
    /// Wallet id (required).
    pub id: String,
    /// Vault the wallet belongs to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vault_id: Option<String>,
    /// Organisation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<String>,
    /// Quorum governing the wallet.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quorum_id: Option<String>,
    /// Creator.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
    /// RFC 3339 creation time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// RFC 3339 time of this change.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    /// Display name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// On-chain address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// The wallet's public key (hex).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_key: Option<String>,
    /// Where the key lives.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub keystore: Option<Keystore>,
    /// Network.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub blockchain: Option<Blockchain>,
    /// Settings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub settings: Option<WalletSettings>,
    /// Provisioning status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<WalletStatus>,
    /// Reasons for the current status (kept raw).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reasons: Option<Value>,
    /// Alias.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alias: Option<String>,
    /// Your own reference, if you set one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// Correlation id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub correlation_id: Option<String>,
    /// Key algorithm.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_algorithm: Option<KeyAlgorithm>,
    /// Wallet type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wallet_type: Option<String>,
}

/// An APPROVAL event's resource: fired when an approval request is created or updated.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("x-field-order" = crate::resources::wire_fields::<Self>())))]
pub struct Approval {
    /// Approval id (required).
    pub id: String,
    /// Approval set this approval belongs to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approval_set_id: Option<String>,
    /// User asked to approve.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// Organisation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<String>,
    /// RFC 3339 creation time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// RFC 3339 time of this change.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    /// The approver's signature, once given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
    /// Reasons (kept raw).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reasons: Option<Value>,
    /// Status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<ApprovalStatus>,
}

/// The wire names of a model's fields in declaration order, exactly as serde's derive lists
/// them (renames applied); empty for a type that does not deserialise as a struct.
///
/// For tooling that must cover every field of a model without restating the list: the code
/// generators (the JSON Schema they read keeps properties sorted, so each model records this
/// order as `x-field-order`) and tests that send every field. Not part of the stable API.
#[doc(hidden)]
pub fn wire_fields<T: for<'de> Deserialize<'de>>() -> &'static [&'static str] {
    let mut probe = FieldProbe(None);
    let _ = T::deserialize(&mut probe);
    probe.0.unwrap_or(&[])
}

/// A deserializer that only records the field list serde's derive hands to `deserialize_struct`.
struct FieldProbe(Option<&'static [&'static str]>);

impl<'de> Deserializer<'de> for &mut FieldProbe {
    type Error = serde::de::value::Error;

    fn deserialize_any<V: serde::de::Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
        Err(serde::de::Error::custom("only structs are probed"))
    }

    fn deserialize_struct<V: serde::de::Visitor<'de>>(
        self,
        _: &'static str,
        fields: &'static [&'static str],
        _: V,
    ) -> Result<V::Value, Self::Error> {
        self.0 = Some(fields);
        Err(serde::de::Error::custom("fields recorded"))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
        ignored_any
    }
}

/// The fields every resource is expected to carry, read leniently for unknown domains.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CommonFields {
    #[serde(default, deserialize_with = "lenient_str")]
    pub id: Option<String>,
    #[serde(default, deserialize_with = "lenient_str")]
    pub updated_at: Option<String>,
    #[serde(default, deserialize_with = "lenient_str")]
    pub status: Option<String>,
}

/// A string, or `None` for any other JSON value (unknown domains must never fail to parse).
fn lenient_str<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) => Some(s),
        _ => None,
    })
}

/// The typed resource of an event, chosen by the envelope's `domain`.
///
/// Serialises as the resource's own canonical JSON (camelCase, absent fields left out: a field
/// the payload sent as `null` is absent too, see [`Resource::parse`]), or `null`
/// for [`Resource::Unknown`] (whose content is only in `Event::raw`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(untagged)]
#[non_exhaustive]
pub enum Resource {
    /// `domain: "TRANSACTION"`.
    Transaction(Box<Transaction>),
    /// `domain: "WALLET"`.
    Wallet(Box<Wallet>),
    /// `domain: "APPROVAL"`.
    Approval(Box<Approval>),
    /// Any other domain: the resource is only available raw (`Event::raw`).
    Unknown,
}

impl Resource {
    /// Parses a resource with the model of `domain`, exactly as [`Webhook::verify`] does for a
    /// delivery's payload (it is the same function): for when you hold the decoded payload JSON
    /// and its domain but no `Event`, e.g. a resource you stored or received some other way.
    ///
    /// - `domain` is the envelope's `domain` string as on the wire (`"TRANSACTION"`, `"WALLET"`,
    ///   `"APPROVAL"`; any other value, `""` included, is an unknown domain).
    /// - `raw` is the decoded payload's JSON text (what `Event::raw.get()` gives), not the
    ///   base64 `payload` string. Text rather than a `serde_json` `RawValue` because this is
    ///   where it is validated: one parse checks the JSON syntax and fits the model at once.
    ///
    /// An unknown domain gives [`Resource::Unknown`] (its content is only in the JSON), whatever
    /// fields the object holds. Text that is not JSON, nests deeper than
    /// [`MAX_PAYLOAD_DEPTH`](crate::MAX_PAYLOAD_DEPTH), is not an object, or does not fit the
    /// domain's model (a missing `id`, a field of the wrong type) is refused with
    /// `ERR_MALFORMED_PAYLOAD` and the message a delivery carrying it gets. A field present as
    /// JSON `null` reads as absent (`None`), like a field left out, so it is never serialised.
    ///
    /// [`Webhook::verify`]: crate::Webhook::verify
    ///
    /// ```
    /// use palisade_webhooks::{ErrorCode, Resource};
    ///
    /// let wallet = Resource::parse("WALLET", r#"{"id":"w1","status":"PROVISIONED","name":null}"#)?;
    /// match &wallet {
    ///     Resource::Wallet(w) => assert_eq!((w.id.as_str(), w.name.as_deref()), ("w1", None)),
    ///     _ => unreachable!(),
    /// }
    /// assert_eq!(serde_json::to_string(&wallet).unwrap(), r#"{"id":"w1","status":"PROVISIONED"}"#);
    ///
    /// assert_eq!(Resource::parse("SOMETHING_NEW", r#"{"anything":1}"#)?, Resource::Unknown);
    /// let e = Resource::parse("WALLET", r#"{"name":"no id"}"#).unwrap_err();
    /// assert_eq!(e.code(), ErrorCode::MalformedPayload);
    /// # Ok::<(), palisade_webhooks::Error>(())
    /// ```
    pub fn parse(domain: &str, raw: &str) -> Result<Resource> {
        Resource::decode(&Domain::from(domain), raw).map(|(resource, _)| resource)
    }

    /// [`Resource::parse`], also giving the common fields the idempotency key is built from (out
    /// of the same parse: a delivery's payload is parsed once).
    ///
    /// The depth bound is checked first, then ONE typed parse that also validates the whole
    /// text (serde_json checks the syntax of every value, the ones it skips included, and that
    /// nothing follows the object). Only when that parse fails is the text examined again step
    /// by step, as the checks are specified (JSON syntax, an object, then the model), so the
    /// error is exactly the one the first failing check gives; and so a resource of an unknown
    /// domain whose common fields do not parse (a duplicate `id`, a number out of range) is
    /// still accepted, with no common fields.
    pub(crate) fn decode(domain: &Domain, text: &str) -> Result<(Resource, CommonFields)> {
        if json_depth_exceeds(text.as_bytes(), MAX_PAYLOAD_DEPTH) {
            return Err(err!(
                MalformedPayload,
                "the decoded payload nests deeper than {MAX_PAYLOAD_DEPTH} levels"
            ));
        }
        // A typed parse also accepts a JSON array for a struct, so the object check comes first.
        if text.trim_start_matches(is_json_whitespace).starts_with('{') {
            if let Ok(found) = from_model(domain, text, Strictness::Strict) {
                return Ok(found);
            }
        }
        let raw: &RawValue = serde_json::from_str(text).map_err(|e| {
            err!(
                MalformedPayload,
                "the decoded payload {}",
                describe_json_error(&e)
            )
        })?;
        if !raw.get().starts_with('{') {
            return Err(err!(
                MalformedPayload,
                "the decoded payload is JSON but not an object"
            ));
        }
        from_model(domain, raw.get(), Strictness::Lenient)
    }
}

/// How [`from_model`] treats the common fields of an unknown domain's resource.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Strictness {
    /// A parse failure is an error (the caller then re-checks the text step by step).
    Strict,
    /// A parse failure means "no common fields": an unknown domain never fails the event.
    Lenient,
}

/// What the three typed models share: the fields the idempotency key is built from, and the
/// [`Resource`] variant that holds them.
trait Model: for<'de> Deserialize<'de> {
    fn common(&self) -> CommonFields;
    fn into_resource(self) -> Resource;
}

macro_rules! model {
    ($($name:ident),+) => {$(
        impl Model for $name {
            fn common(&self) -> CommonFields {
                CommonFields {
                    id: Some(self.id.clone()),
                    updated_at: self.updated_at.clone(),
                    status: self.status.as_ref().map(|s| s.as_str().to_string()),
                }
            }
            fn into_resource(self) -> Resource {
                Resource::$name(Box::new(self))
            }
        }
    )+};
}

model!(Transaction, Wallet, Approval);

/// The one place a domain picks its model: parses `json` (known to be an object) with it.
pub(crate) fn from_model(
    domain: &Domain,
    json: &str,
    strictness: Strictness,
) -> Result<(Resource, CommonFields)> {
    fn typed<T: Model>(domain: &Domain, json: &str) -> Result<(Resource, CommonFields)> {
        let model: T = serde_json::from_str(json).map_err(|e| model_error(domain, &e))?;
        let common = model.common();
        Ok((model.into_resource(), common))
    }
    Ok(match domain {
        Domain::Transaction => typed::<Transaction>(domain, json)?,
        Domain::Wallet => typed::<Wallet>(domain, json)?,
        Domain::Approval => typed::<Approval>(domain, json)?,
        Domain::Unknown(_) => {
            let common = match serde_json::from_str::<CommonFields>(json) {
                Ok(common) => common,
                Err(e) if strictness == Strictness::Strict => return Err(model_error(domain, &e)),
                Err(_) => CommonFields::default(),
            };
            (Resource::Unknown, common)
        }
    })
}

/// A model mismatch, described by field name and position but never by value.
///
/// serde's texts quote the offending value (`invalid type: string "...", expected ...`), so only
/// the parts that come from the model are kept: the field name of a missing or duplicate field
/// (the model's own names) and what was expected. Both are split off from the *end* of the
/// text, which the model writes, so a value that itself contains ", expected " or " at line "
/// cannot smuggle text through.
fn model_error(domain: &Domain, e: &serde_json::Error) -> Error {
    let text = e.to_string();
    let text = text
        .rsplit_once(" at line ")
        .map_or(text.as_str(), |(t, _)| t);
    let detail = if text.starts_with("missing field") || text.starts_with("duplicate field") {
        clip(text, 60).into_owned()
    } else if let Some((_, expected)) = text.rsplit_once(", expected ") {
        let expected = clip(expected, 60);
        format!("a field has the wrong type (expected {expected})")
    } else if text.starts_with("expected ") {
        // The model's own field parsers (above) say only what they expected.
        format!("a field has the wrong type ({})", clip(text, 60))
    } else {
        // Anything else by category only (the position follows).
        match e.classify() {
            serde_json::error::Category::Syntax => "a value is not valid JSON".to_string(),
            serde_json::error::Category::Eof => "the JSON is truncated".to_string(),
            _ => "a field has the wrong shape".to_string(),
        }
    };
    err!(
        MalformedPayload,
        "the payload does not fit the {domain} model: {detail} (line {}, column {})",
        e.line(),
        e.column()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_enum_values_are_kept() {
        let s: TransactionStatus = serde_json::from_str("\"TELEPORTED\"").unwrap();
        assert_eq!(s, TransactionStatus::Other("TELEPORTED".into()));
        assert_eq!(s.as_str(), "TELEPORTED");
        assert_eq!(serde_json::to_string(&s).unwrap(), "\"TELEPORTED\"");
        assert!(TransactionStatus::from("CONFIRMED").is_terminal());
        assert!(!TransactionStatus::from("SIGNED").is_terminal());
    }

    #[test]
    fn numbers_keep_their_digits() {
        let t: Transaction = serde_json::from_str(
            r#"{"id":"t","qty":"0.000000000000000001","sequence":18446744073709551615,
                "feeQty":1.50,"asset":{"decimals":"18"}}"#,
        )
        .unwrap();
        assert_eq!(t.qty.as_deref(), Some("0.000000000000000001"));
        assert_eq!(t.sequence.as_deref(), Some("18446744073709551615"));
        assert_eq!(t.fee_qty.as_deref(), Some("1.50"));
        assert_eq!(t.asset.unwrap().decimals, Some(18));
    }

    #[test]
    fn canonical_json_leaves_absent_fields_out() {
        let w: Wallet =
            serde_json::from_str(r#"{"id":"w", "status":"PROVISIONED", "x":1}"#).unwrap();
        let json = serde_json::to_string(&Resource::Wallet(Box::new(w))).unwrap();
        assert_eq!(json, r#"{"id":"w","status":"PROVISIONED"}"#);
        assert_eq!(serde_json::to_string(&Resource::Unknown).unwrap(), "null");
    }

    #[test]
    fn big_numbers_are_kept_verbatim() {
        let t: Transaction = serde_json::from_str(
            r#"{"id":"t","qty":0.100000000000000000000000001,"sequence":18446744073709551616,"feeQty":null}"#,
        )
        .unwrap();
        assert_eq!(t.qty.as_deref(), Some("0.100000000000000000000000001"));
        assert_eq!(t.sequence.as_deref(), Some("18446744073709551616"));
        assert_eq!(t.fee_qty, None);
        assert!(serde_json::from_str::<Transaction>(r#"{"id":"t","qty":[1]}"#).is_err());
    }

    #[test]
    fn id_is_required() {
        assert!(serde_json::from_str::<Wallet>(r#"{"name":"w"}"#).is_err());
        assert!(serde_json::from_str::<Wallet>(r#"{"id":"w","extra":{"deep":[1]}}"#).is_ok());
    }
}
