//go:build !palisade_ldflags

package ffi

// The static library is linked by path from the Cargo workspace's target directory, where
// `make go-lib` (cargo build --release -p palisade-webhooks-ffi) puts it. To link a library
// from elsewhere, build with `-tags palisade_ldflags` and set CGO_LDFLAGS yourself, e.g.
// CGO_LDFLAGS="/path/to/libpalisade_webhooks_ffi.a -lgcc_s -lutil -lrt -lpthread -lm -ldl".

/*
#cgo LDFLAGS: ${SRCDIR}/../../../target/release/libpalisade_webhooks_ffi.a -lgcc_s -lutil -lrt -lpthread -lm -ldl
*/
import "C"
