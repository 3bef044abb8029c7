//go:build cgo && !palisade_ldflags && !(linux && amd64)

package ffi

// The module ships a prebuilt native library for linux/amd64 only (see link.go). On any other
// platform this file stops the build with the message below rather than a linker error. Fix:
// build the library from the repository with Rust (`cargo build --release -p
// palisade-webhooks-ffi`), then build your program with
//
//	CGO_LDFLAGS="/path/to/libpalisade_webhooks_ffi.a -lgcc_s -lutil -lrt -lpthread -lm -ldl" \
//	  go build -tags palisade_ldflags ./...
var _ int = "palisade-webhooks ships a prebuilt library for linux/amd64 only: build libpalisade_webhooks_ffi.a with cargo and use -tags palisade_ldflags (see bindings-go/README.md)"
