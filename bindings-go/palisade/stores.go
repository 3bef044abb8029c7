package palisade

import (
	"time"

	"github.com/palisade-webhooks/palisade-webhooks/bindings-go/internal/ffi"
)

// The durable stores. Which one to use:
//
//   - one process, nothing to survive a restart: MemoryStore (the default);
//   - one host, one or several processes: SqliteStore (a file; survives restarts and crashes);
//   - several instances or hosts: RedisStore (one Redis server shared by every instance).
//
// All three have the same claim / complete / release semantics (they are the core's stores),
// and any of them can be passed to NewDeduplicator and so to NewReceiver. When a durable store
// cannot answer, Deduplicator.Process fails with an error matching ErrStoreUnavailable and a
// Receiver answers 503, so Palisade retries the delivery later.

// SqliteOption configures a SqliteStore.
type SqliteOption func(*ffi.SqliteOptions)

// WithBusyTimeout sets how long an operation waits for a write lock held by another connection
// (usually another process) before failing with ErrStoreUnavailable. Default 5 s.
func WithBusyTimeout(d time.Duration) SqliteOption {
	return func(o *ffi.SqliteOptions) { o.BusyTimeout, o.HasBusyTimeout = d, true }
}

// WithSyncEveryCommit chooses durability against speed. true (the default): every claim and
// completion is flushed to disk before it is reported, so it survives a power loss or an OS
// crash. false: several times faster; a record still survives the crash of any process, but
// the last few may be lost if the whole machine goes down (those events may then be processed
// again).
func WithSyncEveryCommit(sync bool) SqliteOption {
	return func(o *ffi.SqliteOptions) { o.SyncEveryCommit, o.HasSyncEveryCommit = sync, true }
}

// SqliteStore is a durable idempotency store in one SQLite file (WAL mode), shared by every
// process on the host that opens the same file, and kept across restarts. Each operation is one
// transaction, so a key is claimed by exactly one caller across goroutines and processes; a
// lease held by a worker that died expires and another worker takes the key over. Do not put
// the file on a network file system. Safe for concurrent use.
type SqliteStore struct {
	s    *ffi.Store
	path string
}

// NewSqliteStore opens (creating if needed) the store in the SQLite file at path. It fails with
// ErrStoreUnavailable when the file cannot be opened or created (missing directory,
// permissions, not a database) or stays locked beyond the busy timeout.
func NewSqliteStore(path string, opts ...SqliteOption) (*SqliteStore, error) {
	var o ffi.SqliteOptions
	for _, opt := range opts {
		opt(&o)
	}
	s, err := ffi.NewSqliteStore(path, o)
	if err != nil {
		return nil, errorFrom(err)
	}
	return &SqliteStore{s: s, path: path}, nil
}

// Path is the store's file.
func (s *SqliteStore) Path() string { return s.path }

// Close frees the store handle (deduplicators built on it keep the store open until they are
// closed themselves).
func (s *SqliteStore) Close() error {
	s.s.Close()
	return nil
}

func (s *SqliteStore) handle() *ffi.Store { return s.s }

// RedisOption configures a RedisStore.
type RedisOption func(*ffi.RedisOptions)

// WithPrefix sets the prefix of every key the store writes (default "palisade:idem:"). Give
// each application sharing a Redis database its own prefix; every instance of one application
// must use the same.
func WithPrefix(prefix string) RedisOption {
	return func(o *ffi.RedisOptions) { o.Prefix, o.HasPrefix = prefix, true }
}

// WithTimeout bounds one command (sending it and reading the answer); past it the call fails
// with ErrStoreUnavailable. Default 2 s; at least 1 ms.
func WithTimeout(d time.Duration) RedisOption {
	return func(o *ffi.RedisOptions) { o.Timeout, o.HasTimeout = d, true }
}

// WithConnectTimeout bounds opening a connection. Default 2 s; at least 1 ms.
func WithConnectTimeout(d time.Duration) RedisOption {
	return func(o *ffi.RedisOptions) { o.ConnectTimeout, o.HasConnectTimeout = d, true }
}

// WithConnections bounds the connections one process opens to the server: 1 to 64, default
// 4. Concurrent calls each take a connection nobody is using, opened the first time it is
// needed; beyond n they share one, their commands pipelined. A process that calls the store
// from one goroutine at a time opens one.
func WithConnections(n int) RedisOption {
	return func(o *ffi.RedisOptions) { o.Connections, o.HasConnections = n, true }
}

// WithMaxIdle is accepted for compatibility and has no effect (use WithConnections). n must be
// at least 1.
//
// Deprecated: no longer needed.
func WithMaxIdle(n int) RedisOption {
	return func(o *ffi.RedisOptions) { o.MaxIdle, o.HasMaxIdle = n, true }
}

// RedisStore is an idempotency store on one Redis server, shared by every receiver instance
// connected to it. Claims are atomic server-side steps (one SET NX PX GET); only the holder of
// a claim can complete or release it; leases and retention are Redis expiries.
// Every command has a timeout: an unreachable or slow server gives ErrStoreUnavailable, never
// a hang. Completed keys live in Redis memory: use persistence (AOF or RDB) and a noeviction or
// volatile-* policy if deduplication must survive a Redis restart. Works with redis:// and
// redis+unix:// URLs (no TLS), one server (not Redis Cluster). Safe for concurrent use.
type RedisStore struct {
	s *ffi.Store
}

// NewRedisStore connects to the Redis server at url (redis://[user:password@]host[:port][/db])
// and checks that it answers. It fails with ErrStoreUnavailable when the URL is invalid or the
// server cannot be reached within the connect timeout.
func NewRedisStore(url string, opts ...RedisOption) (*RedisStore, error) {
	var o ffi.RedisOptions
	for _, opt := range opts {
		opt(&o)
	}
	s, err := ffi.NewRedisStore(url, o)
	if err != nil {
		return nil, errorFrom(err)
	}
	return &RedisStore{s: s}, nil
}

// Close frees the store handle (deduplicators built on it keep their connections until they are
// closed themselves).
func (r *RedisStore) Close() error {
	r.s.Close()
	return nil
}

func (r *RedisStore) handle() *ffi.Store { return r.s }
