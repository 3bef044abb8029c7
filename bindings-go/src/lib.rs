//! C ABI over the `palisade-webhooks` core, consumed by the Go package `palisade` through cgo.
//!
//! The header `include/palisade_webhooks.h` is generated from this crate by cbindgen (see
//! `tests/header.rs`). The modules follow the core's concepts: [`webhook`] (verification),
//! [`event`] (the verified event and its serialised form), [`dedup`] and [`stores`]
//! (idempotency), [`receiver`] (the receiving policy: answers and tickets), [`diagnose`],
//! [`testing`] (test signer, faulty store), [`status`] (status codes and errors) and
//! [`memory`] (buffers and the helpers every export uses to read and write through pointers).
//!
//! The rules every export follows:
//!
//! * **Status plus message in the same call.** Each fallible function returns a status code
//!   (`PW_OK` = 0, otherwise one of the `PW_ERR_*` codes) and, when its `err` argument is not
//!   NULL, fills that `PwError` with the code and a message. There is no thread-local "last
//!   error". The previous contents of `*err` are overwritten without being freed: pass a zeroed
//!   `PwError`, and free a filled one with `pw_error_free`.
//! * **Inputs are pointer + length.** A NULL pointer is allowed when the length is 0. Text inputs
//!   that are not UTF-8 are decoded lossily (so a bad header or key gives the SDK's typed error,
//!   never a crash). Lists of strings are passed flat: one byte buffer holding every string back
//!   to back, plus an array of lengths (no pointers inside caller memory).
//! * **Whoever allocates frees.** Everything this library returns is allocated by it and freed by
//!   it: opaque handles (`PwWebhook`, `PwEvent`, `PwSigner`, `PwStore`, `PwDedup`, `PwClaim`,
//!   `PwReceiver`, `PwTicket`) by their `*_free`, which accept NULL; owned buffers (`PwBuf`,
//!   NUL-terminated for convenience, `len` excluding the terminator) by `pw_buf_free`; structs
//!   of buffers by their own `*_free` (`pw_error_free`, `pw_delivery_free`, `pw_answer_free`,
//!   `pw_event_data_free`). Views (`PwStr`) borrow from a handle (valid until it is freed) or
//!   from static memory. `PwWebhook`, `PwStore`, `PwDedup` and `PwReceiver` may be used from
//!   many threads at once; a `PwTicket` from one thread at a time; freeing a handle while
//!   another thread uses it is the caller's bug.
//! * **No panic crosses the boundary.** Every export runs inside `catch_unwind`; a panic (a bug)
//!   becomes `PW_ERR_INTERNAL`.

#![deny(unsafe_op_in_unsafe_fn)]

// In the order the header presents them.
mod compact;
pub mod dedup;
pub mod diagnose;
pub mod event;
pub mod memory;
pub mod receiver;
pub mod status;
pub mod stores;
pub mod testing;
pub mod webhook;

pub use dedup::*;
pub use diagnose::*;
pub use event::*;
pub use memory::*;
pub use receiver::*;
pub use status::*;
pub use stores::*;
pub use testing::*;
pub use webhook::*;

/// The library version, NUL-terminated, static.
#[no_mangle]
pub extern "C" fn pw_version() -> *const std::ffi::c_char {
    std::panic::catch_unwind(|| concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast())
        .unwrap_or(std::ptr::null())
}

/// Every allocation of the library's Rust code (the core's included). A Go program calls in
/// from whichever OS thread its goroutine runs on, and each delivery allocates a few large
/// buffers (payload, decoded JSON) between the frees of some sixty small ones (the typed model
/// of the previous event): glibc's malloc then consolidates its fast bins on almost every
/// delivery, and allocation took ~8 % of a Go delivery. mimalloc's per-thread pages avoid
/// both (−4 % instructions per delivery; docs/architecture.md, Performance). Builds that run
/// under valgrind or AddressSanitizer leave it out (feature `mimalloc`), since those tools
/// follow allocations through malloc.
#[cfg(feature = "mimalloc")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
