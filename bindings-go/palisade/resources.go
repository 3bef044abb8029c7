package palisade

// The typed resources (docs/protocol.md describes the payloads) are generated from the Rust
// core's models into resources_gen.go: the structs, the string enum types and every value the
// core knows. Payloads are protobuf-JSON: zero values may be left out, so an absent field reads
// as its zero value. Enum types are strings: values this SDK does not know are kept as they are,
// never an error. Decimal quantities and 64-bit integers stay strings (no digit is ever lost).
// Fields whose shape is not pinned down are json.RawMessage; everything else in the payload is
// still in Event.Raw. The methods below are written by hand.

// IsTerminal reports whether no later status follows (CONFIRMED, REJECTED, FAILED).
func (s TransactionStatus) IsTerminal() bool {
	return s == TransactionConfirmed || s == TransactionRejected || s == TransactionFailed
}
