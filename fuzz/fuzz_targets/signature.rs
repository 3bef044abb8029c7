#![no_main]
//! See `palisade_webhooks_fuzz::signature` for the input format and the invariants checked.

libfuzzer_sys::fuzz_target!(|data: &[u8]| palisade_webhooks_fuzz::signature(data));
