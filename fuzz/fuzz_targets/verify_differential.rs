#![no_main]
//! See `palisade_webhooks_fuzz::verify_differential` for the input format and the invariants checked.

libfuzzer_sys::fuzz_target!(|data: &[u8]| palisade_webhooks_fuzz::verify_differential(data));
