//! The root README's code blocks, run: the CLI block as a shell script (with this build of the
//! CLI on PATH and a free port), the Rust blocks as the core's doctests, and each Python, Node.js
//! and Go block checked to be one that the language's own README test runs.

use std::path::Path;
use std::process::Command;

fn readme() -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    std::fs::read_to_string(root.join("README.md")).expect("README.md")
}

/// `(language, code)` of every fenced block.
fn blocks(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if let Some(lang) = line.strip_prefix("```") {
            let code: Vec<&str> = lines.by_ref().take_while(|l| *l != "```").collect();
            out.push((lang.to_string(), code.join("\n") + "\n"));
        }
    }
    out
}

#[test]
fn every_block_is_labelled_and_run_somewhere() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    for (lang, code) in blocks(&readme()) {
        let runner = match lang.as_str() {
            // Run by the core's doctests (core/src/lib.rs includes this README).
            "rust" | "toml" | "text" => continue,
            // Run below.
            "sh" => continue,
            "python" => "bindings-python/README.md",
            "js" | "ts" => "bindings-node/README.md",
            "go" => "bindings-go/README.md",
            other => panic!("a README block has no runner: {other:?} (label it)"),
        };
        let there = std::fs::read_to_string(root.join(runner)).unwrap();
        assert!(
            there.contains(&code),
            "this {lang} block of README.md is not a block of {runner}, whose test runs it:\n{code}"
        );
    }
}

#[test]
fn the_cli_block_runs_as_written() {
    let (_, script) = blocks(&readme())
        .into_iter()
        .find(|(lang, code)| lang == "sh" && code.contains("palisade-webhooks keygen"))
        .expect("the README's CLI block");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    // This build of the CLI stands in for the one `cargo build` makes; a free port for 8787.
    let script: String = script
        .lines()
        .filter(|l| !l.starts_with("cargo "))
        .collect::<Vec<_>>()
        .join("\n")
        .replace("8787", &port.to_string());
    let bin = Path::new(env!("CARGO_BIN_EXE_palisade-webhooks"));
    let dir = tempfile::tempdir().unwrap();
    let path = format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new("bash")
        .args(["-euo", "pipefail", "-c", &script])
        .current_dir(dir.path())
        .env("PATH", path)
        .output()
        .expect("bash");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "the README's CLI block failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("tx-1"), "{stdout}");
}
