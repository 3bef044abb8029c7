//go:build !cgo

package ffi

// Without cgo the native library cannot be linked, and every cgo file of this package is left
// out; this file is compiled instead so the build stops with the message below rather than with
// a list of undefined functions. Fix: build with CGO_ENABLED=1 and a C compiler (gcc or clang)
// on PATH, e.g. `CGO_ENABLED=1 go build ./...` (the default when a C compiler is present).
var _ int = "palisade-webhooks needs cgo: build with CGO_ENABLED=1 and a C compiler (gcc or clang) on PATH"
