package palisade

import (
	"bytes"
	"go/format"
	"os"
	"testing"
)

// The generated files are written by core/examples/codegen_go.rs, which emits gofmt's layout
// itself (a Rust test keeps them identical to its output): they must stay gofmt-clean.
func TestGeneratedFilesAreGofmtClean(t *testing.T) {
	for _, name := range []string{"codes_gen.go", "resources_gen.go"} {
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		formatted, err := format.Source(src)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !bytes.Equal(src, formatted) {
			t.Errorf("%s is not gofmt-clean: fix core/examples/codegen_go.rs, then regenerate", name)
		}
	}
}
