#![no_main]
//! See `palisade_webhooks_fuzz::keys` for the input format and the invariants checked.

libfuzzer_sys::fuzz_target!(|data: &[u8]| palisade_webhooks_fuzz::keys(data));
