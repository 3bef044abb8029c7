//! What the property-test files share.

use proptest::test_runner::Config;

/// `cases` unless `PROPTEST_CASES` says otherwise; failures are not persisted to files (CI runs
/// from a clean checkout, and a failing case is printed in full anyway).
pub fn config(cases: u32) -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(cases);
    Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    }
}
