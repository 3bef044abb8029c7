//! Fast ECDSA P-256 verification for one fixed public key, with precomputed per-key tables.
//!
//! # Variable time, on purpose
//!
//! Everything in this module runs in **variable time** (it branches on and indexes memory by
//! the values it processes). That is acceptable here, and only here, because verification
//! handles **public data only**: the public key, the signature and the message digest. No secret
//! ever enters this module; do not reuse it for signing or for anything involving secrets.
//!
//! # How
//!
//! ECDSA verification computes R = u1·G + u2·Q. `p256`'s own verify does this with two
//! constant-time 4-bit-window scalar multiplications (~512 doublings). Here:
//!
//! - for Q (per [`PreparedKey`]), a table holds every d·2^(8i)·Q for d ∈ 1..=128 and each
//!   8-bit window position i, in affine coordinates (~262 KB; all normalised with batched
//!   inversions); for G (static, built once per process) the same with 10-bit windows
//!   (d ∈ 1..=512, ~823 KB, see `G_WINDOW`);
//! - u1 and u2 are recoded into 26 and 33 signed digits, so R is a plain sum of at most 59
//!   table entries: ~58 mixed Jacobian + affine additions and no doubling;
//! - s⁻¹ uses a variable-time safegcd inversion, and the final `x(R) mod n == r` test is done
//!   without converting R to affine coordinates (see `x_matches`).
//!
//! The field arithmetic is this module's own (`field.rs`: variable-time Montgomery arithmetic
//! with P-256's special-form reduction, differentially tested against `p256::FieldElement`),
//! inlined into the point formulas; scalar arithmetic is `p256`'s (`p256::Scalar`).
//!
//! Where the time goes (the benchmark delivery, `perf record` on `core/examples/profile.rs`):
//! the ~58 point additions are about half of a full delivery and ~70 % of the signature check
//! (each is 8 multiplications and 3 squarings); the s⁻¹ inversion is ~7 % of a delivery.
//!
//! # Result
//!
//! [`PreparedKey::verify_prehash`] returns exactly what `p256`'s
//! `VerifyingKey::verify_prehash` returns, for every input (differentially tested, and tested on
//! all Wycheproof ECDSA P-256/SHA-256 vectors, in this module's tests). Every ECDSA check is kept:
//! r, s ∈ [1, n−1] (guaranteed by [`p256::ecdsa::Signature`]), Q valid (guaranteed by
//! [`p256::ecdsa::VerifyingKey`]), R ≠ O, and x(R) ≡ r (mod n). High-S signatures are accepted,
//! as `p256` does.

mod field;
mod point;
mod scalar_inv;
mod table;
#[cfg(test)]
mod tests;

use self::field::Fe;
use self::point::{Affine, Jacobian};
use self::table::Table;
use p256::ecdsa::signature::hazmat::PrehashVerifier;
use p256::ecdsa::{Signature, VerifyingKey};
use p256::elliptic_curve::bigint::ArrayEncoding;
use p256::elliptic_curve::ops::Reduce;
use p256::elliptic_curve::sec1::ToEncodedPoint;
use p256::{AffinePoint, FieldBytes, Scalar, U256};
use std::fmt;
use std::sync::OnceLock;

/// Window width of the per-key table for Q: 8 bits keeps it at 262 KB (9 bits: 460 KB, over
/// the 300 KB per-key budget).
const Q_WINDOW: usize = 8;
/// Window width of the static, shared table for G. Wider windows mean fewer additions but a
/// bigger one-time table, built by the first key preparation in the process. Measured with this
/// module's field arithmetic (2-core Xeon VM, shared; signature check under callgrind, and CPU
/// time relative to W=8 within one run; static table size; first key preparation including the
/// G table, CPU time): W=8: 313.6k instructions, 1.00, 262 KB, 1.5 ms; W=10: 297.4k, 0.92,
/// 823 KB, 2.9 ms; W=11: ~292k, 0.89, 1.5 MB, 4.6 ms. 10 takes most of the gain while the first
/// key preparation stays well under its 5 ms budget (later keys: ~0.6 ms, the Q table only);
/// any W in 5..=14 is supported.
const G_WINDOW: usize = 10;
/// The per-key table type.
type QTable = Table<Q_WINDOW>;
/// The static generator table type.
type GTable = Table<G_WINDOW>;

/// The group order n.
const N: U256 =
    U256::from_be_hex("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551");

/// p − n (a 127-bit number): r + n < p exactly when r < p − n.
const P_MINUS_N: U256 =
    U256::from_be_hex("000000000000000000000000000000004319055358e8617b0c46353d039cdaae");

/// Per-key precomputed tables for fast verification against one public key Q.
///
/// Immutable after construction, `Send + Sync`: share one instance (e.g. behind an `Arc`)
/// between threads. Holds ~262 KB of tables on the heap (see [`PreparedKey::table_bytes`]).
///
/// Variable time: only for public data (see the [module documentation](self)).
pub struct PreparedKey {
    /// The key itself, used as a fallback if the tables could not be built (which cannot
    /// happen for a valid key, but is handled rather than panicking).
    key: VerifyingKey,
    /// Table for Q; `None` only in that impossible case.
    table: Option<QTable>,
}

impl PreparedKey {
    /// Builds the tables for Q (about 0.6 ms in release builds). The first call in a process
    /// also builds the shared table for the generator G (about 2.3 ms more).
    ///
    /// Q comes from an already-validated `p256` [`VerifyingKey`] (on the curve, not the
    /// identity), so it has prime order n, which the table construction relies on.
    pub fn new(key: &VerifyingKey) -> Self {
        // Pay for the static G table now, at key preparation, not on the first verification.
        let _ = generator_table();
        let table = to_affine(key.as_affine()).and_then(|q| QTable::build(&q));
        debug_assert!(table.is_some(), "table construction failed for a valid key");
        PreparedKey { key: *key, table }
    }

    /// Standard ECDSA verification of a 32-byte prehash (the SHA-256 digest of the message).
    ///
    /// Same result as `p256`'s `VerifyingKey::verify_prehash` for every input:
    /// z = bits2field(prehash) reduced mod n, w = s⁻¹, u1 = z·w, u2 = r·w, R = u1·G + u2·Q,
    /// accept iff R ≠ O and x(R) mod n = r. High-S signatures are accepted.
    ///
    /// Variable time (public inputs only). Never panics.
    pub fn verify_prehash(&self, prehash: &[u8; 32], signature: &Signature) -> bool {
        match (&self.table, generator_table()) {
            (Some(q), Some(g)) => verify_with_tables(g, q, prehash, signature),
            // Unreachable for valid keys; stay correct anyway.
            _ => self.key.verify_prehash(prehash, signature).is_ok(),
        }
    }

    /// Bytes of heap memory held by this key's tables (262,208 with 8-bit windows). The
    /// generator's table is shared by all keys and not counted here.
    pub fn table_bytes(&self) -> usize {
        self.table.as_ref().map_or(0, QTable::heap_bytes)
    }
}

impl fmt::Debug for PreparedKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PreparedKey")
            .field("key", &self.key)
            .field("table_bytes", &self.table_bytes())
            .finish()
    }
}

/// The static table for the generator G, built on first use and shared by all keys.
/// `None` only if the build failed, which cannot happen (G has prime order).
fn generator_table() -> Option<&'static GTable> {
    static G_TABLE: OnceLock<Option<GTable>> = OnceLock::new();
    G_TABLE
        .get_or_init(|| to_affine(&AffinePoint::GENERATOR).and_then(|g| GTable::build(&g)))
        .as_ref()
}

/// Our affine representation of a `p256` affine point; `None` for the identity.
fn to_affine(p: &AffinePoint) -> Option<Affine> {
    let ep = p.to_encoded_point(false);
    let x = Fe::from_bytes(&(*ep.x()?).into())?;
    let y = Fe::from_bytes(&(*ep.y()?).into())?;
    Some(Affine { x, y })
}

/// The verification proper, given both tables.
fn verify_with_tables(g: &GTable, q: &QTable, prehash: &[u8; 32], sig: &Signature) -> bool {
    // bits2field for a 32-byte digest on a 256-bit curve is the identity; then reduce mod n
    // (a digest ≥ n is legal and must be reduced, exactly as `p256` does).
    let z = <Scalar as Reduce<U256>>::reduce_bytes(&FieldBytes::from(*prehash));
    // r, s ∈ [1, n−1]: enforced by the `Signature` type.
    let (r, s) = sig.split_scalars();
    let w = scalar_inv::invert(&s);
    let u1 = z * w;
    let u2 = *r * w;
    let d1 = GTable::recode(&u1.to_bytes().into());
    let d2 = QTable::recode(&u2.to_bytes().into());

    // R = Σᵢ d1ᵢ·2^(8i)·G + Σᵢ d2ᵢ·2^(8i)·Q. `add_affine` handles the identity and the
    // exceptional cases (acc = ±entry) that attacker-chosen u1, u2 can produce.
    let mut acc = Jacobian::IDENTITY;
    for (i, &digit) in d1.iter().take(GTable::DIGITS).enumerate() {
        if digit != 0 {
            match g.lookup(i, digit) {
                Some(p) => acc = acc.add_affine(&p),
                None => return false, // unreachable: `recode` only yields valid digits
            }
        }
    }
    for (i, &digit) in d2.iter().take(QTable::DIGITS).enumerate() {
        if digit != 0 {
            match q.lookup(i, digit) {
                Some(p) => acc = acc.add_affine(&p),
                None => return false,
            }
        }
    }
    if acc.infinity {
        return false; // R = O: reject (x(O) is undefined; `p256` sees x = 0 ≠ r).
    }
    x_matches(&acc, &r)
}

/// Whether x(R) ≡ r (mod n) for R = (X/Z², Y/Z³), without inverting Z.
///
/// Why this is sound:
/// - R ≠ O, so Z ≠ 0 and x(R) = X·Z⁻² exists; for any c, x(R) = c ⇔ X = c·Z² (mod p),
///   because Z² is invertible mod p.
/// - x(R) is an integer in [0, p) and p < 2n, so x(R) mod n is either x(R) or x(R) − n.
///   With r ∈ [1, n−1]: x(R) mod n = r ⇔ x(R) = r, or x(R) = r + n (only possible when
///   r + n < p, i.e. r < p − n ≈ 2^127).
/// - r < n < p and r + n < p in the second case, so both are already reduced field elements.
fn x_matches(acc: &Jacobian, r: &Scalar) -> bool {
    let r_uint = U256::from(r);
    let Some(r_fe) = Fe::from_bytes(&r_uint.to_be_byte_array().into()) else {
        return false; // unreachable: r < n < p
    };
    let z2 = acc.z.square();
    if acc.x == r_fe.mul(&z2) {
        return true;
    }
    if r_uint < P_MINUS_N {
        let r_plus_n = r_uint.wrapping_add(&N); // < p: no wrap, no reduction needed
        if let Some(c) = Fe::from_bytes(&r_plus_n.to_be_byte_array().into()) {
            return acc.x == c.mul(&z2);
        }
    }
    false
}
