//! The committed C header must match what cbindgen generates from `src/` (`lib.rs` and the
//! modules it declares).
//! Regenerate it with: `PALISADE_UPDATE_HEADER=1 cargo test -p palisade-webhooks-ffi --test header`.

use std::path::PathBuf;

#[test]
fn header_is_up_to_date() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let config = cbindgen::Config::from_file(dir.join("cbindgen.toml")).expect("cbindgen.toml");
    let mut generated = Vec::new();
    cbindgen::Builder::new()
        .with_config(config)
        .with_src(dir.join("src/lib.rs"))
        .generate()
        .expect("cbindgen could not parse src/")
        .write(&mut generated);
    let path = dir.join("include/palisade_webhooks.h");
    if std::env::var_os("PALISADE_UPDATE_HEADER").is_some() {
        std::fs::write(&path, &generated).unwrap();
        return;
    }
    let committed = std::fs::read(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "include/palisade_webhooks.h is stale: regenerate it with \
         PALISADE_UPDATE_HEADER=1 cargo test -p palisade-webhooks-ffi --test header"
    );
}
