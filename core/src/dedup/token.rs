//! Claim tokens: 128 random bits, so only a claim's holder can complete or release it.
//!
//! Asking the operating system for 16 bytes per claim costs more than the whole in-memory claim
//! and complete, so each thread draws a block of randomness at a time. A forked child inherits
//! its parent's unused block: handing out the same tokens in both processes would let one
//! complete the other's claim, so a thread's block is dropped whenever the process id changes.

use std::cell::RefCell;

use rand_core::{OsRng, RngCore};

const TOKEN_BYTES: usize = 16;
/// 256 tokens per request to the operating system.
const BLOCK_BYTES: usize = TOKEN_BYTES * 256;

struct Block {
    pid: u32,
    bytes: [u8; BLOCK_BYTES],
    used: usize,
}

thread_local! {
    static BLOCK: RefCell<Block> = const {
        RefCell::new(Block { pid: 0, bytes: [0; BLOCK_BYTES], used: BLOCK_BYTES })
    };
}

/// A fresh token: 32 lowercase hex characters.
pub(crate) fn new_token() -> String {
    let pid = std::process::id();
    BLOCK.with(|block| {
        let mut block = block.borrow_mut();
        if block.pid != pid || block.used == BLOCK_BYTES {
            OsRng.fill_bytes(&mut block.bytes);
            block.pid = pid;
            block.used = 0;
        }
        let start = block.used;
        block.used += TOKEN_BYTES;
        let token = to_hex(&block.bytes[start..start + TOKEN_BYTES]);
        // Spent randomness is not kept around once handed out.
        block.bytes[start..start + TOKEN_BYTES].fill(0);
        token
    })
}

/// Lowercase hex, written straight into a string of the right size.
fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn hex_is_lowercase_and_complete() {
        assert_eq!(to_hex(&[0x00, 0x9f, 0xa0, 0xff]), "009fa0ff");
        assert_eq!(to_hex(&[0xab; 16]), hex::encode([0xab; 16]));
    }

    #[test]
    fn tokens_are_distinct_across_blocks_and_threads() {
        let mut seen = HashSet::new();
        for _ in 0..(3 * BLOCK_BYTES / TOKEN_BYTES) {
            let t = new_token();
            assert_eq!(t.len(), 32);
            assert!(seen.insert(t));
        }
        let others: Vec<String> = std::thread::spawn(|| (0..300).map(|_| new_token()).collect())
            .join()
            .unwrap();
        for t in others {
            assert!(seen.insert(t));
        }
    }
}
