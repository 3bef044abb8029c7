package ffi

/*
#include "palisade_webhooks.h"
*/
import "C"

import (
	"runtime"
	"time"
)

// Store is an idempotency store handle.
type Store struct {
	g guard
	p *C.PwStore
}

// NewMemoryStore makes an in-process store (0 = default for either bound).
func NewMemoryStore(maxEntries uint64, ttl time.Duration) (*Store, *Error) {
	if ttl < 0 {
		return nil, &Error{Code: ErrInvalidArgument, Message: "ttl must not be negative"}
	}
	var p *C.PwStore
	var e C.PwError
	status := C.pw_memory_store_new(C.uint64_t(maxEntries), C.uint64_t(ttl), &p, &e)
	if status != C.PW_OK {
		return nil, takeError(status, &e)
	}
	return newStore(p), nil
}

// SqliteOptions mirrors PwSqliteOptions.
type SqliteOptions struct {
	BusyTimeout        time.Duration
	HasBusyTimeout     bool
	SyncEveryCommit    bool
	HasSyncEveryCommit bool
}

// NewSqliteStore opens (creating if needed) a durable store in the SQLite file at path.
func NewSqliteStore(path string, o SqliteOptions) (*Store, *Error) {
	if o.HasBusyTimeout && o.BusyTimeout < 0 {
		return nil, &Error{Code: ErrInvalidArgument, Message: "busy timeout must not be negative"}
	}
	opts := C.PwSqliteOptions{
		has_busy_timeout:      C.bool(o.HasBusyTimeout),
		busy_timeout_ns:       C.uint64_t(max(o.BusyTimeout, 0)),
		has_sync_every_commit: C.bool(o.HasSyncEveryCommit),
		sync_every_commit:     C.bool(o.SyncEveryCommit),
	}
	p, plen := strArg(path)
	var out *C.PwStore
	var e C.PwError
	status := C.pw_sqlite_store_new(p, plen, &opts, &out, &e)
	runtime.KeepAlive(path)
	if status != C.PW_OK {
		return nil, takeError(status, &e)
	}
	return newStore(out), nil
}

// RedisOptions mirrors PwRedisOptions plus the prefix.
type RedisOptions struct {
	Prefix            string
	HasPrefix         bool
	Timeout           time.Duration
	HasTimeout        bool
	ConnectTimeout    time.Duration
	HasConnectTimeout bool
	MaxIdle           int
	HasMaxIdle        bool
	Connections       int
	HasConnections    bool
}

// NewRedisStore connects a shared store to the Redis server at url (checked with a PING).
func NewRedisStore(url string, o RedisOptions) (*Store, *Error) {
	if (o.HasTimeout && o.Timeout < 0) || (o.HasConnectTimeout && o.ConnectTimeout < 0) {
		return nil, &Error{Code: ErrInvalidArgument, Message: "timeouts must not be negative"}
	}
	if o.HasMaxIdle && o.MaxIdle < 0 {
		return nil, &Error{Code: ErrInvalidArgument, Message: "max idle connections must not be negative"}
	}
	opts := C.PwRedisOptions{
		has_prefix:          C.bool(o.HasPrefix),
		has_timeout:         C.bool(o.HasTimeout),
		timeout_ns:          C.uint64_t(max(o.Timeout, 0)),
		has_connect_timeout: C.bool(o.HasConnectTimeout),
		connect_timeout_ns:  C.uint64_t(max(o.ConnectTimeout, 0)),
		has_max_idle:        C.bool(o.HasMaxIdle),
		max_idle:            C.uint64_t(max(o.MaxIdle, 0)),
		has_connections:     C.bool(o.HasConnections),
		connections:         C.int64_t(o.Connections),
	}
	u, ulen := strArg(url)
	pre, prelen := strArg(o.Prefix)
	var out *C.PwStore
	var e C.PwError
	status := C.pw_redis_store_new(u, ulen, pre, prelen, &opts, &out, &e)
	runtime.KeepAlive(url)
	runtime.KeepAlive(o.Prefix)
	if status != C.PW_OK {
		return nil, takeError(status, &e)
	}
	return newStore(out), nil
}

func newStore(p *C.PwStore) *Store {
	s := &Store{p: p}
	runtime.SetFinalizer(s, (*Store).Close)
	return s
}

// Close frees the store handle once unused (deduplicators built on it keep the store alive).
func (s *Store) Close() {
	if s.g.close() {
		C.pw_store_free(s.p)
	}
}

func (s *Store) done() {
	if s.g.release() {
		C.pw_store_free(s.p)
	}
}
