// Package bridge lets palisadetest reach what package palisade keeps unexported (the native
// handle behind a palisade.Store, the mapping of native errors to palisade's error types)
// without making it public API. Package palisade fills the functions when it is initialised,
// which is before any package importing it runs.
package bridge

import "github.com/palisade-webhooks/palisade-webhooks/bindings-go/internal/ffi"

var (
	// StoreHandle is the native store behind a palisade.Store (nil when store is not one).
	StoreHandle func(store any) *ffi.Store
	// WrapStore makes a palisade.Store of a native store.
	WrapStore func(s *ffi.Store) any
	// Error maps a native error to palisade's error types.
	Error func(e *ffi.Error) error
)
