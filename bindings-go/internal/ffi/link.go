//go:build cgo && !palisade_ldflags

package ffi

// The static library is linked by path from this directory, where it has one name per
// platform. The published module carries libpalisade_webhooks_ffi_linux_amd64.a, built by
// `make dist` (no Rust toolchain needed to use it). In a checkout of the repository that name is
// a symbolic link to the library cargo builds in the workspace (`make go-lib`), so development
// links the code being worked on. Platforms without a library stop at
// unsupported_platform.go; to link a library built elsewhere, build with
// `-tags palisade_ldflags` and set CGO_LDFLAGS yourself, e.g.
// CGO_LDFLAGS="/path/to/libpalisade_webhooks_ffi.a -lgcc_s -lutil -lrt -lpthread -lm -ldl".

/*
#cgo linux,amd64 LDFLAGS: ${SRCDIR}/libpalisade_webhooks_ffi_linux_amd64.a -lgcc_s -lutil -lrt -lpthread -lm -ldl
*/
import "C"
