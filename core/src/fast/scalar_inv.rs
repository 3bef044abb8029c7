//! Variable-time inversion modulo the group order n, for the public value s of a signature.
//!
//! `p256` 0.13 offers a constant-time Fermat inversion (~23 µs here) and a bit-by-bit
//! variable-time binary GCD (~5 µs), both large next to a ~20 µs verification. This is a port of
//! the variable-time Bernstein–Yang "safegcd" inversion of libsecp256k1
//! (`secp256k1_modinv64_var` in `src/modinv64_impl.h`, MIT licence, by Pieter Wuille and
//! contributors; the algorithm and its bounds are explained in that project's
//! `doc/safegcd_implementation.md`): batches of 62 division steps on 64-bit words, each batch
//! applied to the full-size numbers as a 2×2 matrix.
//!
//! Variable time is fine: s is part of the signature, which is public.
//!
//! Defence in depth: [`invert`] multiplies the result back (one scalar multiplication) and falls
//! back to `p256`'s own inversion if the product is not 1, so a porting mistake could cost speed
//! but never correctness. All integer arithmetic below is wrapping, so it cannot panic either.

use p256::elliptic_curve::ops::Invert;
use p256::elliptic_curve::PrimeField;
use p256::{FieldBytes, Scalar};

/// 2^62 − 1.
const M62: u64 = u64::MAX >> 2;

/// A signed number in base 2^62: value = Σ v[i]·2^(62·i), limbs may be negative.
type Signed62 = [i64; 5];

/// The group order n, little-endian 64-bit words.
const N_WORDS: [u64; 4] =
    [0xF3B9_CAC2_FC63_2551, 0xBCE6_FAAD_A717_9E84, 0xFFFF_FFFF_FFFF_FFFF, 0xFFFF_FFFF_0000_0000];

/// n in signed-62 form.
const N62: Signed62 = to_signed62(&N_WORDS);

/// n⁻¹ mod 2^62.
const N_INV62: u64 = inv_mod_2_62(N_WORDS[0]);

/// x⁻¹ mod 2^62 for odd x by Newton iteration (each step doubles the number of correct bits:
/// 1 → 2 → 4 → … → 64).
const fn inv_mod_2_62(x: u64) -> u64 {
    let mut inv: u64 = 1;
    let mut i = 0;
    while i < 6 {
        inv = inv.wrapping_mul(2u64.wrapping_sub(x.wrapping_mul(inv)));
        i += 1;
    }
    inv & M62
}

const fn to_signed62(w: &[u64; 4]) -> Signed62 {
    [
        (w[0] & M62) as i64,
        ((w[0] >> 62 | w[1] << 2) & M62) as i64,
        ((w[1] >> 60 | w[2] << 4) & M62) as i64,
        ((w[2] >> 58 | w[3] << 6) & M62) as i64,
        (w[3] >> 56) as i64,
    ]
}

/// Inverse of `to_signed62` for normalised input (limbs 0..4 in [0, 2^62), top limb < 2^8).
fn from_signed62(v: &Signed62) -> [u64; 4] {
    let v: [u64; 5] = v.map(|x| x as u64);
    [v[0] | v[1] << 62, v[1] >> 2 | v[2] << 60, v[2] >> 4 | v[3] << 58, v[3] >> 6 | v[4] << 56]
}

/// The 2×2 transition matrix of 62 division steps, scaled by 2^62.
struct Trans2x2 {
    u: i64,
    v: i64,
    q: i64,
    r: i64,
}

/// 62 variable-time division steps on the low words of f and g (`secp256k1_modinv64_divsteps_62_var`).
///
/// eta = −delta. Returns the new eta and the matrix t with t·[f0, g0] = 2^62·[f', g'].
fn divsteps_62_var(mut eta: i64, f0: u64, g0: u64) -> (i64, Trans2x2) {
    let (mut u, mut v, mut q, mut r) = (1u64, 0u64, 0u64, 1u64);
    let (mut f, mut g) = (f0, g0);
    let mut i: u32 = 62;
    loop {
        // A sentinel bit caps the zero count at i.
        let zeros = (g | (u64::MAX << i)).trailing_zeros();
        // `zeros` divsteps at once: they all just halve g (and double f's row to keep scale).
        g >>= zeros;
        u <<= zeros;
        v <<= zeros;
        eta = eta.wrapping_sub(i64::from(zeros));
        i -= zeros;
        if i == 0 {
            break;
        }
        // f and g are odd here.
        let w;
        if eta < 0 {
            // Negate eta and replace (f, g) by (g, −f).
            eta = eta.wrapping_neg();
            let tmp = f;
            f = g;
            g = tmp.wrapping_neg();
            let tmp = u;
            u = q;
            q = tmp.wrapping_neg();
            let tmp = v;
            v = r;
            r = tmp.wrapping_neg();
            // Cancel up to 6 bits of g (no more than i, nor than eta + 1).
            let limit = (eta.wrapping_add(1)).min(i64::from(i)) as u32;
            let m = (u64::MAX >> (64 - limit)) & 63;
            w = f.wrapping_mul(g).wrapping_mul(f.wrapping_mul(f).wrapping_sub(2)) & m;
        } else {
            // Cancel up to 4 bits of g.
            let limit = (eta.wrapping_add(1)).min(i64::from(i)) as u32;
            let m = (u64::MAX >> (64 - limit)) & 15;
            let w0 = f.wrapping_add((f.wrapping_add(1) & 4) << 1);
            w = w0.wrapping_neg().wrapping_mul(g) & m;
        }
        g = g.wrapping_add(f.wrapping_mul(w));
        q = q.wrapping_add(u.wrapping_mul(w));
        r = r.wrapping_add(v.wrapping_mul(w));
    }
    (eta, Trans2x2 { u: u as i64, v: v as i64, q: q as i64, r: r as i64 })
}

#[inline]
fn mul_wide(a: i64, b: i64) -> i128 {
    i128::from(a).wrapping_mul(i128::from(b))
}

/// [d, e] ← t·[d, e] / 2^62 (mod n), keeping d, e in (−2n, n) (`secp256k1_modinv64_update_de_62`).
fn update_de_62(d: &mut Signed62, e: &mut Signed62, t: &Trans2x2) {
    let (u, v, q, r) = (t.u, t.v, t.q, t.r);
    // [md, me] start as zero; plus [u, q] if d is negative; plus [v, r] if e is negative.
    let sd = d[4] >> 63;
    let se = e[4] >> 63;
    let mut md = (u & sd).wrapping_add(v & se);
    let mut me = (q & sd).wrapping_add(r & se);
    let mut cd = mul_wide(u, d[0]).wrapping_add(mul_wide(v, e[0]));
    let mut ce = mul_wide(q, d[0]).wrapping_add(mul_wide(r, e[0]));
    // Choose md, me so that t·[d, e] + n·[md, me] has 62 zero low bits.
    md = md.wrapping_sub((N_INV62.wrapping_mul(cd as u64).wrapping_add(md as u64) & M62) as i64);
    me = me.wrapping_sub((N_INV62.wrapping_mul(ce as u64).wrapping_add(me as u64) & M62) as i64);
    cd = cd.wrapping_add(mul_wide(N62[0], md));
    ce = ce.wrapping_add(mul_wide(N62[0], me));
    debug_assert_eq!(cd as u64 & M62, 0);
    debug_assert_eq!(ce as u64 & M62, 0);
    cd >>= 62;
    ce >>= 62;
    for i in 1..5 {
        cd = cd
            .wrapping_add(mul_wide(u, d[i]))
            .wrapping_add(mul_wide(v, e[i]))
            .wrapping_add(mul_wide(N62[i], md));
        ce = ce
            .wrapping_add(mul_wide(q, d[i]))
            .wrapping_add(mul_wide(r, e[i]))
            .wrapping_add(mul_wide(N62[i], me));
        d[i - 1] = (cd as u64 & M62) as i64;
        e[i - 1] = (ce as u64 & M62) as i64;
        cd >>= 62;
        ce >>= 62;
    }
    d[4] = cd as i64;
    e[4] = ce as i64;
}

/// [f, g] ← t·[f, g] / 2^62 on the first `len` limbs (`secp256k1_modinv64_update_fg_62_var`).
fn update_fg_62_var(len: usize, f: &mut Signed62, g: &mut Signed62, t: &Trans2x2) {
    let (u, v, q, r) = (t.u, t.v, t.q, t.r);
    let mut cf = mul_wide(u, f[0]).wrapping_add(mul_wide(v, g[0]));
    let mut cg = mul_wide(q, f[0]).wrapping_add(mul_wide(r, g[0]));
    debug_assert_eq!(cf as u64 & M62, 0);
    debug_assert_eq!(cg as u64 & M62, 0);
    cf >>= 62;
    cg >>= 62;
    for i in 1..len {
        let (fi, gi) = (f[i], g[i]);
        cf = cf.wrapping_add(mul_wide(u, fi)).wrapping_add(mul_wide(v, gi));
        cg = cg.wrapping_add(mul_wide(q, fi)).wrapping_add(mul_wide(r, gi));
        f[i - 1] = (cf as u64 & M62) as i64;
        g[i - 1] = (cg as u64 & M62) as i64;
        cf >>= 62;
        cg >>= 62;
    }
    f[len - 1] = cf as i64;
    g[len - 1] = cg as i64;
}

/// Brings r from (−2n, n) to [0, n), negating it first if `sign` < 0
/// (`secp256k1_modinv64_normalize_62`).
fn normalize_62(r: &mut Signed62, sign: i64) {
    let m62 = M62 as i64;
    // Add n if negative: (−2n, n) → (−n, n).
    let cond_add = r[4] >> 63;
    for (ri, ni) in r.iter_mut().zip(N62) {
        *ri = ri.wrapping_add(ni & cond_add);
    }
    // Negate if requested.
    let cond_negate = sign >> 63;
    for ri in r.iter_mut() {
        *ri = (*ri ^ cond_negate).wrapping_sub(cond_negate);
    }
    let propagate = |r: &mut Signed62| {
        for i in 0..4 {
            r[i + 1] = r[i + 1].wrapping_add(r[i] >> 62);
            r[i] &= m62;
        }
    };
    propagate(r);
    // Add n again if still negative: → [0, n).
    let cond_add = r[4] >> 63;
    for (ri, ni) in r.iter_mut().zip(N62) {
        *ri = ri.wrapping_add(ni & cond_add);
    }
    propagate(r);
}

/// x⁻¹ mod n for x ∈ [1, n−1] given as little-endian words, or `None` if the loop does not
/// converge within its proven bound (it always does for such x; the bound only guards against
/// a bug turning into an endless loop).
fn invert_words(x: &[u64; 4]) -> Option<[u64; 4]> {
    let mut d: Signed62 = [0; 5];
    let mut e: Signed62 = [1, 0, 0, 0, 0];
    let mut f: Signed62 = N62;
    let mut g: Signed62 = to_signed62(x);
    let mut len = 5usize;
    let mut eta: i64 = -1; // eta = −delta, delta starts at 1
    // At most 12·62 divsteps are needed for 256-bit inputs (libsecp256k1's bound); allow slack.
    let mut batches = 0;
    loop {
        let (new_eta, t) = divsteps_62_var(eta, f[0] as u64, g[0] as u64);
        eta = new_eta;
        update_de_62(&mut d, &mut e, &t);
        update_fg_62_var(len, &mut f, &mut g, &t);
        if g[..len].iter().all(|&x| x == 0) {
            break;
        }
        // If the top limbs of f and g are both 0 or −1, fold them into the limb below and
        // shorten (f and g only shrink).
        let fnn = f[len - 1];
        let gn = g[len - 1];
        let cond = ((len as i64) - 2) >> 63 | (fnn ^ (fnn >> 63)) | (gn ^ (gn >> 63));
        if cond == 0 {
            f[len - 2] |= ((fnn as u64) << 62) as i64;
            g[len - 2] |= ((gn as u64) << 62) as i64;
            len -= 1;
        }
        batches += 1;
        if batches > 24 {
            return None;
        }
    }
    // Now g = 0 and f = ±gcd(x, n) = ±1; d·x ≡ f (mod n).
    // Limbs below the top one are kept in [0, 2^62), so −1 reads [2^62 − 1, …, 2^62 − 1, −1].
    let top = f[len - 1];
    let is_one = f[0] == 1 && f[1..len].iter().all(|&x| x == 0);
    let is_minus_one = top == -1 && f[..len - 1].iter().all(|&x| x == M62 as i64);
    if !(is_one || is_minus_one) {
        return None; // x was not invertible (0 or a multiple of n): not reachable here.
    }
    normalize_62(&mut d, top);
    Some(from_signed62(&d))
}

/// s⁻¹ mod n for a non-zero scalar, in variable time (s is public).
///
/// Checked: the result r satisfies s·r = 1, otherwise `p256`'s own (slower) variable-time
/// inversion is used. For s = 0 (never passed: signatures carry non-zero s) the result is 0.
pub(super) fn invert(s: &Scalar) -> Scalar {
    let be = s.to_bytes();
    let mut words = [0u64; 4];
    for (i, w) in words.iter_mut().enumerate() {
        let mut b = [0u8; 8];
        b.copy_from_slice(&be[32 - 8 * (i + 1)..32 - 8 * i]);
        *w = u64::from_be_bytes(b);
    }
    if let Some(inv) = invert_words(&words) {
        let mut out = FieldBytes::default();
        for (i, w) in inv.iter().enumerate() {
            out[32 - 8 * (i + 1)..32 - 8 * i].copy_from_slice(&w.to_be_bytes());
        }
        if let Some(inv) = Option::<Scalar>::from(Scalar::from_repr(out)) {
            if inv * s == Scalar::ONE {
                return inv;
            }
        }
    }
    Option::from(Invert::invert_vartime(s)).unwrap_or(Scalar::ZERO)
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::elliptic_curve::Field;

    #[test]
    fn constants() {
        assert_eq!(N_INV62, 0x332e_3755_11ff_43b1);
        assert_eq!(N62, [0x33b9cac2fc632551, 0x339beab69c5e7a13, 0x3ffffffffffffffb, 0x3fffffc00000003f, 0xff]);
        assert_eq!(from_signed62(&N62), N_WORDS);
        assert_eq!(Scalar::ZERO - Scalar::ONE, Scalar::from_repr(words_to_bytes(&[N_WORDS[0] - 1, N_WORDS[1], N_WORDS[2], N_WORDS[3]])).unwrap());
    }

    fn words_to_bytes(w: &[u64; 4]) -> FieldBytes {
        let mut out = FieldBytes::default();
        for (i, w) in w.iter().enumerate() {
            out[32 - 8 * (i + 1)..32 - 8 * i].copy_from_slice(&w.to_be_bytes());
        }
        out
    }

    fn check(s: Scalar) {
        let words = {
            let be = s.to_bytes();
            let mut w = [0u64; 4];
            for (i, x) in w.iter_mut().enumerate() {
                *x = u64::from_be_bytes(be[32 - 8 * (i + 1)..32 - 8 * i].try_into().unwrap());
            }
            w
        };
        // The fast path itself must succeed (not just the fallback).
        let inv = invert_words(&words).expect("safegcd failed");
        let inv = Scalar::from_repr(words_to_bytes(&inv)).unwrap();
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
        for b in 0..256 {
            // 2^b mod n, and 2^b ± 1
            let p = Scalar::from(2u64).pow_vartime(&[b as u64]);
            check(p);
            check(p + Scalar::ONE);
            if p != Scalar::ONE {
                check(p - Scalar::ONE);
            }
        }
        check(Scalar::from_repr(words_to_bytes(&[u64::MAX, u64::MAX, u64::MAX, 0xFFFF_FFFE_FFFF_FFFF])).unwrap());
        let mut rng = rand_core::OsRng;
        let count = if cfg!(debug_assertions) { 2_000 } else { 100_000 };
        for _ in 0..count {
            let s = Scalar::random(&mut rng);
            if s != Scalar::ZERO {
                check(s);
            }
        }
        assert_eq!(invert(&Scalar::ZERO), Scalar::ZERO);
    }
}
