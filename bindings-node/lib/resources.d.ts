// Generated from the Rust core by core/examples/codegen_node.rs: do not edit.
// Regenerate with `cargo run -q -p palisade-webhooks --features schema --example codegen_node -- resources > bindings-node/lib/resources.d.ts`.

// The typed resources (docs/protocol.md). Every field is optional except `id`; enum values this
// version does not know are kept as strings; 64-bit integers and decimal quantities are strings.

/** A string enum that also accepts values added after this SDK version. */
type Open<T extends string> = T | (string & {})

/** A transaction's lifecycle status. */
export type TransactionStatus = Open<
  | 'REQUESTED'
  | 'POLICY_CHECK_PENDING'
  | 'POLICY_CHECK_PASSED'
  | 'APPROVAL_CHECK_PENDING'
  | 'APPROVAL_CHECK_PASSED'
  | 'COMPILATION_PENDING'
  | 'COMPILED'
  | 'SIGNATURE_PENDING'
  | 'SIGNED'
  | 'PUBLISH_PENDING'
  | 'PUBLISHED'
  | 'CONFIRMATION_PENDING'
  | 'CONFIRMED'
  | 'REJECTED'
  | 'FAILED'
>

/** What a transaction does. */
export type TransactionAction = Open<
  | 'DEPOSIT'
  | 'WITHDRAWAL'
  | 'WEB3_RAW'
  | 'WEB3_SIGN'
  | 'PASSKEY_RAW'
  | 'PASSKEY_SIGN'
  | 'PALISADE_TRANSFER'
  | 'PALISADE_RAW'
  | 'PALISADE_MANAGED'
  | 'PALISADE_SIGN_PLAINTEXT'
  | 'PALISADE_SWEEP'
>

/** A blockchain network. */
export type Blockchain = Open<
  | 'AVALANCHE'
  | 'ETHEREUM'
  | 'XRP_LEDGER'
  | 'POLYGON'
  | 'BNBCHAIN'
  | 'BASE'
  | 'HEDERA'
  | 'ARBITRUM'
  | 'ONE_MONEY'
  | 'SOLANA'
  | 'TRON'
  | 'BITCOIN'
>

/** Where a wallet's key lives. */
export type Keystore = Open<
  | 'HSM'
  | 'MPC'
>

/** A wallet's provisioning status. */
export type WalletStatus = Open<
  | 'CREATED'
  | 'PROVISIONING'
  | 'PROVISIONED_WALLET'
  | 'PROVISIONING_POLICY'
  | 'PROVISIONING_COMPLIANCE'
  | 'PROVISIONED_COMPLIANCE'
  | 'PROVISIONED'
  | 'PROVISIONING_FAILED'
>

/** A wallet key's algorithm. */
export type KeyAlgorithm = Open<
  | 'SECP256K1'
  | 'ED25519'
>

/** An approval's status. */
export type ApprovalStatus = Open<
  | 'PROCESSING'
  | 'APPROVED'
  | 'REJECTED'
>

/** A TRANSACTION event's resource: fired when a transaction's status changes. */
export interface Transaction {
  /** The domain (TRANSACTION), lowercase: switch on `kind` to tell the resources apart. */
  kind: 'transaction'
  /** Transaction id (required). */
  id: string
  /** Wallet the transaction belongs to. */
  walletId?: string
  /** Vault the wallet belongs to. */
  vaultId?: string
  /** User or API credential that created it. */
  createdBy?: string
  /** RFC 3339 creation time. */
  createdAt?: string
  /** RFC 3339 time of this change (signed: used for idempotency and freshness). */
  updatedAt?: string
  /** Lifecycle status. */
  status?: TransactionStatus
  /** What the transaction does. */
  action?: TransactionAction
  /** Your own reference, if you set one. */
  externalId?: string
  /** Correlation id, if set. */
  correlationId?: string
  /** Free-form string attributes. */
  attributes?: Record<string, string>
  /** Asset moved. */
  asset?: Asset
  /** Asset the fee is paid in. */
  feeAsset?: Asset
  /** Network. */
  blockchain?: Blockchain
  /** Where the value comes from. */
  origin?: TransferParty
  /** Where the value goes. */
  destination?: TransferParty
  /** Origin address. */
  originAddress?: string
  /** Destination address. */
  destinationAddress?: string
  /** Quantity, a decimal string (never a float). */
  qty?: string
  /** Fee quantity, a decimal string. */
  feeQty?: string
  /** Fee limit, a decimal string. */
  feeQtyLimit?: string
  /** Sequence number (uint64, kept as a string so no digit is lost). */
  sequence?: string
  /** On-chain transaction hash. */
  hash?: string
  /** Signature, as produced by the signer. */
  signature?: string
  /** Canonical form of the signature. */
  canonicalSignature?: string
  /** The signed transaction. */
  signedTransaction?: string
  /** The encoded, unsigned transaction. */
  encodedTransaction?: string
  /** Chain-specific transaction type. */
  transactionType?: string
  /** Whether the transaction is only signed, not published. */
  signOnly?: boolean
  /** Transaction configuration (shape not pinned down: kept raw). */
  config?: unknown
  /** Signing payloads (kept raw). */
  signingPayloads?: unknown
  /** Freeze information (kept raw). */
  freezeInfo?: unknown
  /** Proposed asset changes (kept raw). */
  proposedAssetChanges?: unknown
  /** Confirmed asset changes (kept raw). */
  confirmedAssetChanges?: unknown
  /** Problems reported (kept raw). */
  problems?: unknown
  /** Reasons for the current status (kept raw). */
  reasons?: unknown
  /** RFC 3339 expiry time. */
  expiresAt?: string
}

/** An asset (coin or token) referenced by a transaction. */
export interface Asset {
  /** Asset id. */
  id?: string
  /** Ticker symbol, e.g. `"ETH"`. */
  symbol?: string
  /** Display name. */
  name?: string
  /** Network the asset lives on. */
  blockchain?: Blockchain
  /** Number of decimal places of the smallest unit. */
  decimals?: number
  /** Token contract address, for tokens. */
  contract?: string
}

/** One side (origin or destination) of a transfer. */
export interface TransferParty {
  /** Id of the wallet, address book entry or counterparty. */
  id?: string
  /** Kind of party (`type` on the wire), e.g. `"WALLET"` or `"ADDRESS"`. */
  type?: string
  /** On-chain address. */
  address?: string
  /** Vault of the wallet, when the party is a wallet. */
  vaultId?: string
  /** Counterparty id, when the party is a counterparty. */
  counterpartyId?: string
}

/** A WALLET event's resource: fired when a wallet's status changes. */
export interface Wallet {
  /** The domain (WALLET), lowercase: switch on `kind` to tell the resources apart. */
  kind: 'wallet'
  /** Wallet id (required). */
  id: string
  /** Vault the wallet belongs to. */
  vaultId?: string
  /** Organisation. */
  organizationId?: string
  /** Quorum governing the wallet. */
  quorumId?: string
  /** Creator. */
  createdBy?: string
  /** RFC 3339 creation time. */
  createdAt?: string
  /** RFC 3339 time of this change. */
  updatedAt?: string
  /** Display name. */
  name?: string
  /** Description. */
  description?: string
  /** On-chain address. */
  address?: string
  /** The wallet's public key (hex). */
  publicKey?: string
  /** Where the key lives. */
  keystore?: Keystore
  /** Network. */
  blockchain?: Blockchain
  /** Settings. */
  settings?: WalletSettings
  /** Provisioning status. */
  status?: WalletStatus
  /** Reasons for the current status (kept raw). */
  reasons?: unknown
  /** Alias. */
  alias?: string
  /** Your own reference, if you set one. */
  externalId?: string
  /** Correlation id. */
  correlationId?: string
  /** Key algorithm. */
  keyAlgorithm?: KeyAlgorithm
  /** Wallet type. */
  walletType?: string
}

/** A wallet's settings. */
export interface WalletSettings {
  /** Whether the wallet is enabled. */
  enabled?: boolean
  /** Whether raw signing is enabled. */
  rawSigningEnabled?: boolean
  /** Whether sweeping is enabled. */
  sweepingEnabled?: boolean
  /** Whether new deposits are frozen by default. */
  defaultFreezeEnabled?: boolean
}

/** An APPROVAL event's resource: fired when an approval request is created or updated. */
export interface Approval {
  /** The domain (APPROVAL), lowercase: switch on `kind` to tell the resources apart. */
  kind: 'approval'
  /** Approval id (required). */
  id: string
  /** Approval set this approval belongs to. */
  approvalSetId?: string
  /** User asked to approve. */
  userId?: string
  /** Organisation. */
  organizationId?: string
  /** RFC 3339 creation time. */
  createdAt?: string
  /** RFC 3339 time of this change. */
  updatedAt?: string
  /** The approver's signature, once given. */
  signature?: string
  /** Reasons (kept raw). */
  reasons?: unknown
  /** Status. */
  status?: ApprovalStatus
}

/** The resource of a domain this SDK version does not model: the decoded payload's fields. */
export interface UnknownResource {
  kind: 'unknown'
  [field: string]: unknown
}

/** The typed resource of an event: switch on `kind`. */
export type Resource = Transaction | Wallet | Approval | UnknownResource

/** The domains Palisade documents (others may appear: they parse as `UnknownResource`). */
export type Domain = Open<
  | 'TRANSACTION'
  | 'WALLET'
  | 'APPROVAL'
>
