package palisade

import (
	"github.com/palisade-webhooks/palisade-webhooks/bindings-go/internal/bridge"
	"github.com/palisade-webhooks/palisade-webhooks/bindings-go/internal/ffi"
)

// nativeStore is a palisade.Store made by another package of this module (palisadetest's
// FaultyStore) around a native store.
type nativeStore struct{ s *ffi.Store }

func (n *nativeStore) Close() error {
	n.s.Close()
	return nil
}

func (n *nativeStore) handle() *ffi.Store { return n.s }

func init() {
	bridge.StoreHandle = func(store any) *ffi.Store {
		if s, ok := store.(Store); ok && s != nil {
			return s.handle()
		}
		return nil
	}
	bridge.WrapStore = func(s *ffi.Store) any { return Store(&nativeStore{s: s}) }
	bridge.Error = errorFrom
}
