//! Variable-time inversion modulo the group order n, for the public value s of a signature.
//!
//! `p256` 0.13 offers a constant-time Fermat inversion (~23 µs here) and a bit-by-bit
//! variable-time binary GCD (~5 µs), both large next to a ~20 µs verification; `crypto-bigint`'s
//! variable-time "safegcd" took ~2.6 µs, about 13 % of a full delivery in `perf`. This is the
//! same algorithm (Bernstein–Yang, "Fast constant-time gcd computation and modular
//! inversion", 2019, in its variable-time form), specialised to one 256-bit modulus: numbers
//! are five signed 62-bit limbs, and each round runs 62 division steps on the low 64 bits of
//! f and g alone, several steps at a time (a whole run of zero bits is one shift, and up to six
//! low bits of g are cancelled with one multiplication), collecting them in a 2×2 matrix that
//! is then applied once to the full-size numbers (measured in the README's Performance section:
//! about 21k instructions per inverse before, 5k now).
//!
//! Variable time is fine: s is part of the signature, which is public.
//!
//! Defence in depth: [`invert`] multiplies the result back (one scalar multiplication) and falls
//! back to `p256`'s own inversion if the product is not 1, so a fault in the fast path could cost
//! speed but never correctness; the tests check that the fast path itself succeeds.

use p256::elliptic_curve::ops::Invert;
use p256::elliptic_curve::PrimeField;
use p256::{FieldBytes, Scalar};

/// The low 62 bits.
const M62: u64 = u64::MAX >> 2;

/// The group order n of P-256, little-endian 64-bit words.
const N: [u64; 4] = [
    0xF3B9_CAC2_FC63_2551,
    0xBCE6_FAAD_A717_9E84,
    0xFFFF_FFFF_FFFF_FFFF,
    0xFFFF_FFFF_0000_0000,
];

/// n in signed 62-bit limbs.
const N62: [i64; 5] = signed62(N);

/// n⁻¹ mod 2⁶², which makes a number divisible by 2⁶² by adding a multiple of n.
const N_INV62: u64 = inverse_mod_2_62(N[0]);

/// Rounds before giving up (the fallback then answers). A round is 62 division steps, and a
/// 256-bit inverse needs about 9 (~530 steps); the bound only keeps a fault from looping.
const MAX_ROUNDS: usize = 24;

/// A number as 62-bit limbs, least significant first: the low four limbs in 0..2⁶², the top one
/// signed, so the value is Σ limbᵢ·2⁶²ⁱ.
type Signed62 = [i64; 5];

/// Four 64-bit words as 62-bit limbs (a 256-bit value leaves 8 bits in the top limb).
const fn signed62(w: [u64; 4]) -> Signed62 {
    [
        (w[0] & M62) as i64,
        ((w[0] >> 62 | w[1] << 2) & M62) as i64,
        ((w[1] >> 60 | w[2] << 4) & M62) as i64,
        ((w[2] >> 58 | w[3] << 6) & M62) as i64,
        (w[3] >> 56) as i64,
    ]
}

/// The inverse of an odd number modulo 2⁶², by Newton's iteration (each step doubles the
/// number of correct low bits; an odd x is its own inverse modulo 8).
const fn inverse_mod_2_62(x: u64) -> u64 {
    let mut inv = x;
    let mut i = 0;
    while i < 5 {
        inv = inv.wrapping_mul(2u64.wrapping_sub(x.wrapping_mul(inv)));
        i += 1;
    }
    inv & M62
}

/// What 62 division steps do to (f, g): (f', g') = (u·f + v·g, q·f + r·g) / 2⁶².
struct Transition {
    u: i64,
    v: i64,
    q: i64,
    r: i64,
}

/// Runs 62 division steps on the low 64 bits of f (odd) and g, starting from `eta` (minus the
/// "delta" of the paper). Returns the new eta and the transition matrix.
///
/// Kept invariant: u·f₀ + v·g₀ = f·2⁶²⁻ⁱ and q·f₀ + r·g₀ = g·2⁶²⁻ⁱ with i the steps left, all
/// modulo 2⁶⁴ (the matrix entries end within ±2⁶², so the wrapped values are the true ones).
fn divsteps_62(mut eta: i64, f0: u64, g0: u64) -> (i64, Transition) {
    let (mut u, mut v, mut q, mut r) = (1u64, 0u64, 0u64, 1u64);
    let (mut f, mut g) = (f0, g0);
    let mut i: u32 = 62;
    loop {
        // A run of zero bits in g: each is one step that halves g. The sentinel bits above i
        // stop the count at the steps left.
        let zeros = (g | (u64::MAX << i)).trailing_zeros();
        g >>= zeros;
        u <<= zeros;
        v <<= zeros;
        eta -= i64::from(zeros);
        i -= zeros;
        if i == 0 {
            break;
        }
        // g is odd. A step with eta < 0 swaps the roles: (f, g) becomes (g, -f).
        let (limit, w);
        if eta < 0 {
            eta = -eta;
            (f, g) = (g, f.wrapping_neg());
            (u, q) = (q, u.wrapping_neg());
            (v, r) = (r, v.wrapping_neg());
            // Cancel up to 6 low bits of g with a multiple of f: no more than the steps left,
            // and no more than eta + 1 (eta's sign flips after that). -f⁻¹ mod 64 is
            // f·(f² - 2) (Newton's step from f, its own inverse mod 8).
            limit = (eta + 1).min(i64::from(i)) as u32;
            let mask = (u64::MAX >> (64 - limit)) & 63;
            w = f
                .wrapping_mul(g)
                .wrapping_mul(f.wrapping_mul(f).wrapping_sub(2))
                & mask;
        } else {
            // Here eta tends to be small: 4 bits, with f⁻¹ mod 16 = f + ((f + 1) & 4)·2.
            limit = (eta + 1).min(i64::from(i)) as u32;
            let mask = (u64::MAX >> (64 - limit)) & 15;
            let inv = f.wrapping_add(((f.wrapping_add(1)) & 4) << 1);
            w = inv.wrapping_neg().wrapping_mul(g) & mask;
        }
        g = g.wrapping_add(f.wrapping_mul(w));
        q = q.wrapping_add(u.wrapping_mul(w));
        r = r.wrapping_add(v.wrapping_mul(w));
    }
    let t = Transition {
        u: u as i64,
        v: v as i64,
        q: q as i64,
        r: r as i64,
    };
    (eta, t)
}

/// (a, b) ← (u·a + v·b, q·a + r·b) / 2⁶² modulo n: each sum gets the multiple of n (0..2⁶²)
/// that makes it divisible by 2⁶². For (f, g) that multiple is 0 (the matrix cleared their low
/// 62 bits), so the division is exact; for (d, e) the magnitudes grow by at most n per round
/// (|u| + |v| ≤ 2⁶²), far from overflowing five limbs in [`MAX_ROUNDS`], and [`reduce`] brings
/// the result into range.
fn apply(t: &Transition, a: &mut Signed62, b: &mut Signed62) {
    let (u, v, q, r) = (
        i128::from(t.u),
        i128::from(t.v),
        i128::from(t.q),
        i128::from(t.r),
    );
    let mut ca = u * i128::from(a[0]) + v * i128::from(b[0]);
    let mut cb = q * i128::from(a[0]) + r * i128::from(b[0]);
    let ma = i128::from((ca as u64).wrapping_mul(N_INV62).wrapping_neg() & M62);
    let mb = i128::from((cb as u64).wrapping_mul(N_INV62).wrapping_neg() & M62);
    ca += ma * i128::from(N62[0]);
    cb += mb * i128::from(N62[0]);
    debug_assert!(ca as u64 & M62 == 0 && cb as u64 & M62 == 0);
    ca >>= 62;
    cb >>= 62;
    for k in 1..5 {
        ca += u * i128::from(a[k]) + v * i128::from(b[k]) + ma * i128::from(N62[k]);
        cb += q * i128::from(a[k]) + r * i128::from(b[k]) + mb * i128::from(N62[k]);
        a[k - 1] = (ca as u64 & M62) as i64;
        b[k - 1] = (cb as u64 & M62) as i64;
        ca >>= 62;
        cb >>= 62;
    }
    a[4] = ca as i64;
    b[4] = cb as i64;
}

/// a + k·n, limbs normalised (low four in 0..2⁶²).
fn add_n(a: &mut Signed62, k: i64) {
    let mut c: i128 = 0;
    for i in 0..4 {
        c += i128::from(a[i]) + i128::from(k) * i128::from(N62[i]);
        a[i] = (c as u64 & M62) as i64;
        c >>= 62;
    }
    a[4] = (c + i128::from(a[4]) + i128::from(k) * i128::from(N62[4])) as i64;
}

/// Whether a ≥ n (both normalised).
fn at_least_n(a: &Signed62) -> bool {
    for i in (0..5).rev() {
        if a[i] != N62[i] {
            return a[i] > N62[i];
        }
    }
    true
}

/// a mod n, for |a| below a few dozen n (limbs in any range that does not overflow), as four
/// 64-bit words.
fn reduce(mut a: Signed62) -> [u64; 4] {
    add_n(&mut a, 0); // normalise: the sign is then the top limb's
    while a[4] < 0 {
        add_n(&mut a, 1);
    }
    while at_least_n(&a) {
        add_n(&mut a, -1);
    }
    let l = a.map(|x| x as u64);
    [
        l[0] | l[1] << 62,
        l[1] >> 2 | l[2] << 60,
        l[2] >> 4 | l[3] << 58,
        l[3] >> 6 | l[4] << 56,
    ]
}

/// x⁻¹ mod n for 0 < x < n (four little-endian words); `None` if the rounds run out or x
/// shares a factor with n (only 0 does: n is prime).
fn invert_words(x: [u64; 4]) -> Option<[u64; 4]> {
    // f ≡ d·x and g ≡ e·x (mod n) throughout; when g reaches 0, f = ±gcd(x, n).
    let (mut f, mut g) = (N62, signed62(x));
    let (mut d, mut e): (Signed62, Signed62) = ([0; 5], [1, 0, 0, 0, 0]);
    let mut eta = -1;
    for _ in 0..MAX_ROUNDS {
        let (next, t) = divsteps_62(eta, f[0] as u64, g[0] as u64);
        eta = next;
        apply(&t, &mut d, &mut e);
        apply(&t, &mut f, &mut g);
        if g == [0; 5] {
            return match f {
                [1, 0, 0, 0, 0] => Some(reduce(d)),
                // f = -1: all low limbs 2⁶² - 1, top limb -1.
                [l0, l1, l2, l3, -1] if [l0, l1, l2, l3] == [M62 as i64; 4] => {
                    Some(reduce(d.map(|x| -x)))
                }
                _ => None,
            };
        }
    }
    None
}

/// s⁻¹ mod n for a non-zero scalar, in variable time (s is public).
///
/// Checked: the result r satisfies s·r = 1, otherwise `p256`'s own (slower) variable-time
/// inversion is used. For s = 0 (never passed: signatures carry non-zero s) the result is 0.
pub(super) fn invert(s: &Scalar) -> Scalar {
    if let Some(inv) = fast_invert(s) {
        if inv * s == Scalar::ONE {
            return inv;
        }
    }
    Option::<Scalar>::from(s.invert_vartime()).unwrap_or(Scalar::ZERO)
}

/// The safegcd inverse alone, unchecked.
fn fast_invert(s: &Scalar) -> Option<Scalar> {
    let bytes = s.to_bytes();
    let word = |i: usize| {
        let mut w = [0u8; 8];
        w.copy_from_slice(&bytes[32 - 8 * (i + 1)..32 - 8 * i]);
        u64::from_be_bytes(w)
    };
    let inv = invert_words([word(0), word(1), word(2), word(3)])?;
    let mut out = FieldBytes::default();
    for (i, w) in inv.iter().enumerate() {
        out[32 - 8 * (i + 1)..32 - 8 * i].copy_from_slice(&w.to_be_bytes());
    }
    Option::from(Scalar::from_repr(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::elliptic_curve::Field;

    fn check(s: Scalar) {
        // The fast path itself must succeed (not just the fallback), and agree with p256's
        // constant-time Fermat inversion, which shares no code with it.
        let inv = fast_invert(&s).unwrap_or_else(|| panic!("safegcd failed for {s:?}"));
        assert_eq!(inv * s, Scalar::ONE, "s = {s:?}");
        assert_eq!(Option::<Scalar>::from(s.invert()), Some(inv));
        assert_eq!(invert(&s), inv);
    }

    #[test]
    fn constants_are_those_of_n() {
        assert_eq!(N_INV62.wrapping_mul(N[0]) & M62, 1);
        assert_eq!(
            Scalar::ZERO - Scalar::ONE,
            Scalar::from_repr(FieldBytes::from(reduce_words_for_test(N, -1))).unwrap()
        );
    }

    /// n + k as big-endian bytes, through the limb conversions (checks both directions).
    fn reduce_words_for_test(w: [u64; 4], k: i64) -> [u8; 32] {
        let mut a = signed62(w);
        a[0] += k;
        let words = reduce(a);
        let mut out = [0u8; 32];
        for (i, w) in words.iter().enumerate() {
            out[32 - 8 * (i + 1)..32 - 8 * i].copy_from_slice(&w.to_be_bytes());
        }
        out
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
        // Sparse and dense bit patterns, and values near the limb boundaries.
        for i in 0..256u64 {
            let p = Scalar::from(2u64).pow_vartime(&[i]);
            check(n_minus(1) - p);
            for j in [1u64, 61, 62, 63, 124, 186, 248] {
                let q = Scalar::from(2u64).pow_vartime(&[(i + j) % 256]);
                if p + q != Scalar::ZERO {
                    check(p + q);
                }
            }
        }
        let mut rng = rand_core::OsRng;
        for _ in 0..20_000 {
            let s = Scalar::random(&mut rng);
            if s != Scalar::ZERO {
                check(s);
            }
        }
        assert_eq!(fast_invert(&Scalar::ZERO), None);
        assert_eq!(invert(&Scalar::ZERO), Scalar::ZERO);
    }
}
