//! Variable-time inversion modulo the group order n, for the public value s of a signature.
//!
//! `p256` 0.13 offers a constant-time Fermat inversion (~23 µs here) and a bit-by-bit
//! variable-time binary GCD (~5 µs), both large next to a ~20 µs verification. `crypto-bigint`
//! (RustCrypto, the same family as `p256`) ships the Bernstein–Yang "safegcd" inversion in a
//! variable-time form; that is what is used here, rather than a hand-written copy.
//!
//! Variable time is fine: s is part of the signature, which is public.
//!
//! Defence in depth: [`invert`] multiplies the result back (one scalar multiplication) and falls
//! back to `p256`'s own inversion if the product is not 1, so a fault in the fast path could cost
//! speed but never correctness.

use crypto_bigint_07::{Odd, U256};
use p256::elliptic_curve::ops::Invert;
use p256::elliptic_curve::PrimeField;
use p256::{FieldBytes, Scalar};

/// The group order n of P-256.
const N: Odd<U256> =
    Odd::<U256>::from_be_hex("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551");

/// s⁻¹ mod n for a non-zero scalar, in variable time (s is public).
///
/// Checked: the result r satisfies s·r = 1, otherwise `p256`'s own (slower) variable-time
/// inversion is used. For s = 0 (never passed: signatures carry non-zero s) the result is 0.
pub(super) fn invert(s: &Scalar) -> Scalar {
    let value = U256::from_be_slice(&s.to_bytes());
    if let Some(inv) = Option::<U256>::from(value.invert_odd_mod_vartime(&N)) {
        if let Some(inv) = Option::<Scalar>::from(Scalar::from_repr(field_bytes(&inv))) {
            if inv * s == Scalar::ONE {
                return inv;
            }
        }
    }
    Option::<Scalar>::from(s.invert_vartime()).unwrap_or(Scalar::ZERO)
}

fn field_bytes(value: &U256) -> FieldBytes {
    let mut out = FieldBytes::default();
    out.copy_from_slice(value.to_be_bytes().as_ref());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::elliptic_curve::Field;

    fn check(s: Scalar) {
        let value = U256::from_be_slice(&s.to_bytes());
        // The fast path itself must succeed (not just the fallback).
        let inv = Option::<U256>::from(value.invert_odd_mod_vartime(&N)).expect("safegcd failed");
        let inv = Scalar::from_repr(field_bytes(&inv)).unwrap();
        assert_eq!(inv * s, Scalar::ONE, "s = {s:?}");
        assert_eq!(invert(&s), inv);
    }

    #[test]
    fn inverts_edge_and_random_scalars() {
        let n_minus = |k: u64| Scalar::ZERO - Scalar::from(k);
        for k in 1..300u64 {
            check(Scalar::from(k));
            check(n_minus(k));
        }
        for b in 0..256u64 {
            // 2^b mod n, and 2^b ± 1
            let p = Scalar::from(2u64).pow_vartime(&[b]);
            check(p);
            check(p + Scalar::ONE);
            if p != Scalar::ONE {
                check(p - Scalar::ONE);
            }
        }
        let mut rng = rand_core::OsRng;
        for _ in 0..2000 {
            let s = Scalar::random(&mut rng);
            if s != Scalar::ZERO {
                check(s);
            }
        }
        assert_eq!(invert(&Scalar::ZERO), Scalar::ZERO);
    }
}
