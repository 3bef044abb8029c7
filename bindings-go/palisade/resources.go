package palisade

import "encoding/json"

// The typed resources (docs/protocol.md describes the payloads). Payloads are protobuf-JSON: zero values may be left out, so
// an absent field reads as its zero value. Enum types are strings: values this SDK does not
// know are kept as they are, never an error. Decimal quantities and 64-bit integers stay
// strings (no digit is ever lost). Fields whose shape is not pinned down are json.RawMessage;
// everything else in the payload is still in Event.Raw.

// TransactionStatus is a transaction's lifecycle status.
type TransactionStatus string

// Transaction statuses.
const (
	TransactionRequested            TransactionStatus = "REQUESTED"
	TransactionPolicyCheckPending   TransactionStatus = "POLICY_CHECK_PENDING"
	TransactionPolicyCheckPassed    TransactionStatus = "POLICY_CHECK_PASSED"
	TransactionApprovalCheckPending TransactionStatus = "APPROVAL_CHECK_PENDING"
	TransactionApprovalCheckPassed  TransactionStatus = "APPROVAL_CHECK_PASSED"
	TransactionCompilationPending   TransactionStatus = "COMPILATION_PENDING"
	TransactionCompiled             TransactionStatus = "COMPILED"
	TransactionSignaturePending     TransactionStatus = "SIGNATURE_PENDING"
	TransactionSigned               TransactionStatus = "SIGNED"
	TransactionPublishPending       TransactionStatus = "PUBLISH_PENDING"
	TransactionPublished            TransactionStatus = "PUBLISHED"
	TransactionConfirmationPending  TransactionStatus = "CONFIRMATION_PENDING"
	TransactionConfirmed            TransactionStatus = "CONFIRMED"
	TransactionRejected             TransactionStatus = "REJECTED"
	TransactionFailed               TransactionStatus = "FAILED"
)

// IsTerminal reports whether no later status follows (CONFIRMED, REJECTED, FAILED).
func (s TransactionStatus) IsTerminal() bool {
	return s == TransactionConfirmed || s == TransactionRejected || s == TransactionFailed
}

// TransactionAction is what a transaction does ("DEPOSIT", "WITHDRAWAL", "WEB3_RAW", ...).
type TransactionAction string

// Common transaction actions.
const (
	ActionDeposit          TransactionAction = "DEPOSIT"
	ActionWithdrawal       TransactionAction = "WITHDRAWAL"
	ActionPalisadeTransfer TransactionAction = "PALISADE_TRANSFER"
)

// Blockchain is a network ("ETHEREUM", "XRP_LEDGER", "SOLANA", ...).
type Blockchain string

// WalletStatus is a wallet's provisioning status ("CREATED", ..., "PROVISIONED").
type WalletStatus string

// Wallet statuses.
const (
	WalletCreated                WalletStatus = "CREATED"
	WalletProvisioning           WalletStatus = "PROVISIONING"
	WalletProvisionedWallet      WalletStatus = "PROVISIONED_WALLET"
	WalletProvisioningPolicy     WalletStatus = "PROVISIONING_POLICY"
	WalletProvisioningCompliance WalletStatus = "PROVISIONING_COMPLIANCE"
	WalletProvisionedCompliance  WalletStatus = "PROVISIONED_COMPLIANCE"
	WalletProvisioned            WalletStatus = "PROVISIONED"
	WalletProvisioningFailed     WalletStatus = "PROVISIONING_FAILED"
)

// ApprovalStatus is an approval's status.
type ApprovalStatus string

// Approval statuses.
const (
	ApprovalProcessing ApprovalStatus = "PROCESSING"
	ApprovalApproved   ApprovalStatus = "APPROVED"
	ApprovalRejected   ApprovalStatus = "REJECTED"
)

// Asset is a coin or token referenced by a transaction.
type Asset struct {
	ID         string     `json:"id,omitempty"`
	Symbol     string     `json:"symbol,omitempty"`
	Name       string     `json:"name,omitempty"`
	Blockchain Blockchain `json:"blockchain,omitempty"`
	Decimals   uint32     `json:"decimals,omitempty"`
	Contract   string     `json:"contract,omitempty"`
}

// TransferParty is one side (origin or destination) of a transfer.
type TransferParty struct {
	ID             string `json:"id,omitempty"`
	Type           string `json:"type,omitempty"`
	Address        string `json:"address,omitempty"`
	VaultID        string `json:"vaultId,omitempty"`
	CounterpartyID string `json:"counterpartyId,omitempty"`
}

// Transaction is a TRANSACTION event's resource.
type Transaction struct {
	ID                    string            `json:"id"`
	WalletID              string            `json:"walletId,omitempty"`
	VaultID               string            `json:"vaultId,omitempty"`
	CreatedBy             string            `json:"createdBy,omitempty"`
	CreatedAt             string            `json:"createdAt,omitempty"`
	UpdatedAt             string            `json:"updatedAt,omitempty"`
	Status                TransactionStatus `json:"status,omitempty"`
	Action                TransactionAction `json:"action,omitempty"`
	ExternalID            string            `json:"externalId,omitempty"`
	CorrelationID         string            `json:"correlationId,omitempty"`
	Attributes            map[string]string `json:"attributes,omitempty"`
	Asset                 *Asset            `json:"asset,omitempty"`
	FeeAsset              *Asset            `json:"feeAsset,omitempty"`
	Blockchain            Blockchain        `json:"blockchain,omitempty"`
	Origin                *TransferParty    `json:"origin,omitempty"`
	Destination           *TransferParty    `json:"destination,omitempty"`
	OriginAddress         string            `json:"originAddress,omitempty"`
	DestinationAddress    string            `json:"destinationAddress,omitempty"`
	Qty                   string            `json:"qty,omitempty"`
	FeeQty                string            `json:"feeQty,omitempty"`
	FeeQtyLimit           string            `json:"feeQtyLimit,omitempty"`
	Sequence              string            `json:"sequence,omitempty"`
	Hash                  string            `json:"hash,omitempty"`
	Signature             string            `json:"signature,omitempty"`
	CanonicalSignature    string            `json:"canonicalSignature,omitempty"`
	SignedTransaction     string            `json:"signedTransaction,omitempty"`
	EncodedTransaction    string            `json:"encodedTransaction,omitempty"`
	TransactionType       string            `json:"transactionType,omitempty"`
	SignOnly              bool              `json:"signOnly,omitempty"`
	Config                json.RawMessage   `json:"config,omitempty"`
	SigningPayloads       json.RawMessage   `json:"signingPayloads,omitempty"`
	FreezeInfo            json.RawMessage   `json:"freezeInfo,omitempty"`
	ProposedAssetChanges  json.RawMessage   `json:"proposedAssetChanges,omitempty"`
	ConfirmedAssetChanges json.RawMessage   `json:"confirmedAssetChanges,omitempty"`
	Problems              json.RawMessage   `json:"problems,omitempty"`
	Reasons               json.RawMessage   `json:"reasons,omitempty"`
	ExpiresAt             string            `json:"expiresAt,omitempty"`
}

func (t *Transaction) clearNulls() {
	for _, m := range []*json.RawMessage{&t.Config, &t.SigningPayloads, &t.FreezeInfo,
		&t.ProposedAssetChanges, &t.ConfirmedAssetChanges, &t.Problems, &t.Reasons} {
		*m = nonNull(*m)
	}
}

// WalletSettings are a wallet's settings.
type WalletSettings struct {
	Enabled              bool `json:"enabled,omitempty"`
	RawSigningEnabled    bool `json:"rawSigningEnabled,omitempty"`
	SweepingEnabled      bool `json:"sweepingEnabled,omitempty"`
	DefaultFreezeEnabled bool `json:"defaultFreezeEnabled,omitempty"`
}

// Wallet is a WALLET event's resource.
type Wallet struct {
	ID             string          `json:"id"`
	VaultID        string          `json:"vaultId,omitempty"`
	OrganizationID string          `json:"organizationId,omitempty"`
	QuorumID       string          `json:"quorumId,omitempty"`
	CreatedBy      string          `json:"createdBy,omitempty"`
	CreatedAt      string          `json:"createdAt,omitempty"`
	UpdatedAt      string          `json:"updatedAt,omitempty"`
	Name           string          `json:"name,omitempty"`
	Description    string          `json:"description,omitempty"`
	Address        string          `json:"address,omitempty"`
	PublicKey      string          `json:"publicKey,omitempty"`
	Keystore       string          `json:"keystore,omitempty"`
	Blockchain     Blockchain      `json:"blockchain,omitempty"`
	Settings       *WalletSettings `json:"settings,omitempty"`
	Status         WalletStatus    `json:"status,omitempty"`
	Reasons        json.RawMessage `json:"reasons,omitempty"`
	Alias          string          `json:"alias,omitempty"`
	ExternalID     string          `json:"externalId,omitempty"`
	CorrelationID  string          `json:"correlationId,omitempty"`
	KeyAlgorithm   string          `json:"keyAlgorithm,omitempty"`
	WalletType     string          `json:"walletType,omitempty"`
}

// Approval is an APPROVAL event's resource.
type Approval struct {
	ID             string          `json:"id"`
	ApprovalSetID  string          `json:"approvalSetId,omitempty"`
	UserID         string          `json:"userId,omitempty"`
	OrganizationID string          `json:"organizationId,omitempty"`
	CreatedAt      string          `json:"createdAt,omitempty"`
	UpdatedAt      string          `json:"updatedAt,omitempty"`
	Signature      string          `json:"signature,omitempty"`
	Reasons        json.RawMessage `json:"reasons,omitempty"`
	Status         ApprovalStatus  `json:"status,omitempty"`
}
