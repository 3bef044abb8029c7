//! The committed generated Go files must be what `core/examples/codegen_go.rs` prints from the
//! core: `palisade/codes_gen.go` (error codes, sentinels, answer codes, log levels) and
//! `palisade/resources_gen.go` (the typed resources and their enums).
//! Regenerate them with: `PALISADE_UPDATE_CODEGEN=1 cargo test -p palisade-webhooks-ffi --test codegen`.

use std::path::PathBuf;

#[path = "../../core/examples/codegen_go.rs"]
mod codegen_go;

/// Writes `generated` to `file` under PALISADE_UPDATE_CODEGEN, else fails when they differ.
fn check(file: &str, generated: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(file);
    if std::env::var_os("PALISADE_UPDATE_CODEGEN").is_some() {
        std::fs::write(&path, generated).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "{file} is stale: regenerate it with \
         PALISADE_UPDATE_CODEGEN=1 cargo test -p palisade-webhooks-ffi --test codegen"
    );
}

#[test]
fn go_codes_are_up_to_date() {
    check("palisade/codes_gen.go", &codegen_go::render_codes());
}

#[test]
fn go_resources_are_up_to_date() {
    check("palisade/resources_gen.go", &codegen_go::render_resources());
}
