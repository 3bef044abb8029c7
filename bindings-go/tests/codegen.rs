//! The committed `palisade/codes_gen.go` (the Go package's error codes, sentinels, answer codes
//! and log levels) must be what `core/examples/codegen_go.rs` generates from the core.
//! Regenerate it with: `PALISADE_UPDATE_CODEGEN=1 cargo test -p palisade-webhooks-ffi --test codegen`.

use std::path::PathBuf;

#[path = "../../core/examples/codegen_go.rs"]
mod codegen_go;

#[test]
fn go_codes_are_up_to_date() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("palisade/codes_gen.go");
    let generated = codegen_go::render();
    if std::env::var_os("PALISADE_UPDATE_CODEGEN").is_some() {
        std::fs::write(&path, &generated).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "palisade/codes_gen.go is stale: regenerate it with \
         PALISADE_UPDATE_CODEGEN=1 cargo test -p palisade-webhooks-ffi --test codegen"
    );
}
