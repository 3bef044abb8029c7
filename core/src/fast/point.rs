//! Variable-time P-256 point arithmetic on top of this module's field arithmetic (`field.rs`).
//!
//! Everything here handles public data only (public keys, signatures, the generator), so it
//! branches freely on values. It is *not* suitable for secret scalars.
//!
//! Curve: y² = x³ − 3x + b over GF(p). Every point other than the identity has prime order n
//! (the cofactor is 1), which the table construction relies on (see `table.rs`).

use super::field::Fe;

/// An affine point (x, y), never the identity.
///
/// Aligned to 64 bytes so that one table entry is exactly one cache line: a table lookup is one
/// memory access, and the precomputed tables are accessed at random positions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(C, align(64))]
pub(super) struct Affine {
    pub(super) x: Fe,
    pub(super) y: Fe,
}

impl Affine {
    /// −P = (x, −y).
    #[inline]
    pub(super) fn neg(&self) -> Self {
        Affine {
            x: self.x,
            y: self.y.neg(),
        }
    }
}

/// A point in Jacobian coordinates: (X, Y, Z) represents (X/Z², Y/Z³).
///
/// The identity cannot be written in that form, so it is carried by an explicit flag
/// (`infinity`), and every operation checks it first. Keeping the flag explicit (rather than a
/// `Z == 0` convention) makes the exceptional cases easy to see and to test.
#[derive(Clone, Copy, Debug)]
pub(super) struct Jacobian {
    pub(super) x: Fe,
    pub(super) y: Fe,
    pub(super) z: Fe,
    pub(super) infinity: bool,
}

impl Jacobian {
    /// The point at infinity (the group identity).
    pub(super) const IDENTITY: Self = Jacobian {
        x: Fe::ONE,
        y: Fe::ONE,
        z: Fe::ZERO,
        infinity: true,
    };

    /// Lifts an affine point (Z = 1).
    #[inline]
    pub(super) fn from_affine(p: &Affine) -> Self {
        Jacobian {
            x: p.x,
            y: p.y,
            z: Fe::ONE,
            infinity: false,
        }
    }

    /// Returns 2·self.
    ///
    /// "dbl-2001-b" (Bernstein–Lange EFD), valid for a = −3: 3M + 5S.
    pub(super) fn double(&self) -> Self {
        // A point with Y = 0 has order 2; P-256 has none (prime order), but the formula would
        // silently produce Z = 0, so map it to the identity explicitly.
        if self.infinity || self.y.is_zero() {
            return Self::IDENTITY;
        }
        let delta = self.z.square();
        let gamma = self.y.square();
        let beta = self.x.mul(&gamma);
        // alpha = 3·(X − delta)·(X + delta) = 3X² − 3Z⁴ = 3X² + a·Z⁴ with a = −3.
        let t = self.x.sub(&delta).mul(&self.x.add(&delta));
        let alpha = t.double().add(&t);
        let beta4 = beta.double().double();
        let x3 = alpha.square().sub(&beta4.double());
        let z3 = self.y.add(&self.z).square().sub(&gamma).sub(&delta);
        let gamma2_8 = gamma.square().double().double().double();
        let y3 = alpha.mul(&beta4.sub(&x3)).sub(&gamma2_8);
        Jacobian {
            x: x3,
            y: y3,
            z: z3,
            infinity: false,
        }
    }

    /// Returns self + q for an affine q (a "mixed" addition).
    ///
    /// "madd-2004-hmv" (Hankerson–Menezes–Vanstone, as listed in the EFD): 8M + 3S and only
    /// 7 additions/subtractions.
    ///
    /// The formula is *incomplete*: it divides by zero (silently yields Z = 0) when
    /// self = ±q. Those cases are rare for honest inputs but an attacker chooses u1, u2 (through
    /// r, s and the digest) and can steer an intermediate sum onto ±(table entry) — e.g. a
    /// signature whose R is the point at infinity makes the very last addition hit self = −q.
    /// So they are detected (H = 0) and handled exactly: self = q → doubling, self = −q → the
    /// identity. The identity on the left is handled too (the result is q).
    #[inline]
    pub(super) fn add_affine(&self, q: &Affine) -> Self {
        if self.infinity {
            return Self::from_affine(q);
        }
        let z1z1 = self.z.square();
        let z1z1z1 = z1z1.mul(&self.z);
        let u2 = q.x.mul(&z1z1); // x(q) scaled to self's Z
        let s2 = q.y.mul(&z1z1z1); // y(q) scaled to self's Z
        let h = u2.sub(&self.x);
        let r = s2.sub(&self.y);
        if h.is_zero() {
            // Same x: q = self (then r = 0) or q = −self.
            return if r.is_zero() {
                self.double()
            } else {
                Self::IDENTITY
            };
        }
        let z3 = self.z.mul(&h);
        let hh = h.square();
        let hhh = hh.mul(&h);
        let v = hh.mul(&self.x);
        let x3 = r.square().sub(&hhh).sub(&v.double());
        let y3 = r.mul(&v.sub(&x3)).sub(&hhh.mul(&self.y));
        Jacobian {
            x: x3,
            y: y3,
            z: z3,
            infinity: false,
        }
    }

    /// Returns self + q for a Jacobian q. Only used by tests and table sanity checks, so it is
    /// written for clarity: it converts nothing and handles every exceptional case.
    #[cfg(test)]
    pub(super) fn add(&self, q: &Self) -> Self {
        if self.infinity {
            return *q;
        }
        if q.infinity {
            return *self;
        }
        // "add-2007-bl" without the Z-sum trick (plain 12M + 4S).
        let z1z1 = self.z.square();
        let z2z2 = q.z.square();
        let u1 = self.x.mul(&z2z2);
        let u2 = q.x.mul(&z1z1);
        let s1 = self.y.mul(&q.z).mul(&z2z2);
        let s2 = q.y.mul(&self.z).mul(&z1z1);
        let h = u2.sub(&u1);
        let r = s2.sub(&s1);
        if h.is_zero() {
            return if r.is_zero() {
                self.double()
            } else {
                Self::IDENTITY
            };
        }
        let hh = h.square();
        let hhh = hh.mul(&h);
        let v = u1.mul(&hh);
        let x3 = r.square().sub(&hhh).sub(&v.double());
        let y3 = r.mul(&v.sub(&x3)).sub(&s1.mul(&hhh));
        let z3 = self.z.mul(&q.z).mul(&h);
        Jacobian {
            x: x3,
            y: y3,
            z: z3,
            infinity: false,
        }
    }

    /// Converts to affine, `None` for the identity. Uses a full inversion: only for tests and
    /// one-off conversions, never on the verification path.
    #[cfg(test)]
    pub(super) fn to_affine(self) -> Option<Affine> {
        if self.infinity {
            return None;
        }
        let zinv = self.z.invert()?;
        let zinv2 = zinv.square();
        Some(Affine {
            x: self.x.mul(&zinv2),
            y: self.y.mul(&zinv2).mul(&zinv),
        })
    }
}

/// Replaces every element of `v` by its inverse, with one field inversion and 3 multiplications
/// per element (Montgomery's trick).
///
/// Returns `false` (and leaves `v` unspecified) if any element is zero: then the product is zero
/// and nothing can be inverted. Callers treat that as "could not build", never as a panic.
pub(super) fn batch_invert(v: &mut [Fe]) -> bool {
    if v.is_empty() {
        return true;
    }
    // prefix[i] = v[0]·…·v[i]
    let mut prefix = Vec::with_capacity(v.len());
    let mut acc = Fe::ONE;
    for e in v.iter() {
        acc = acc.mul(e);
        prefix.push(acc);
    }
    let Some(mut inv) = acc.invert() else {
        return false;
    };
    // Walk back: inv = (v[0]·…·v[i])⁻¹, so v[i]⁻¹ = inv·prefix[i−1] and
    // (v[0]·…·v[i−1])⁻¹ = inv·v[i].
    for i in (1..v.len()).rev() {
        let vi_inv = inv.mul(&prefix[i - 1]);
        inv = inv.mul(&v[i]);
        v[i] = vi_inv;
    }
    v[0] = inv;
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::elliptic_curve::sec1::ToEncodedPoint;
    use p256::{AffinePoint, ProjectivePoint, Scalar};

    pub(crate) fn to_ours(p: &AffinePoint) -> Affine {
        let ep = p.to_encoded_point(false);
        Affine {
            x: Fe::from_bytes(&(*ep.x().unwrap()).into()).unwrap(),
            y: Fe::from_bytes(&(*ep.y().unwrap()).into()).unwrap(),
        }
    }

    fn mul_g(k: u64) -> ProjectivePoint {
        ProjectivePoint::GENERATOR * Scalar::from(k)
    }

    fn same(ours: &Jacobian, theirs: &ProjectivePoint) {
        let theirs = theirs.to_affine();
        if bool::from(theirs.is_identity()) {
            assert!(ours.infinity);
        } else {
            assert_eq!(ours.to_affine().unwrap(), to_ours(&theirs));
        }
    }

    #[test]
    fn mixed_addition_matches_p256_including_exceptional_cases() {
        for a in 1..20u64 {
            for b in 1..20u64 {
                let pa = mul_g(a);
                let pb = mul_g(b);
                let ja = Jacobian::from_affine(&to_ours(&pa.to_affine()))
                    .double()
                    .double();
                // ja = 4a·G with Z != 1, so the scaling in the formula is exercised.
                let qb = to_ours(&pb.to_affine());
                same(&ja.add_affine(&qb), &(pa * Scalar::from(4u64) + pb));
                same(&ja.add_affine(&qb.neg()), &(pa * Scalar::from(4u64) - pb));
                same(
                    &ja.add(&Jacobian::from_affine(&qb)),
                    &(pa * Scalar::from(4u64) + pb),
                );
            }
        }
        // P + P (doubling branch), P + (−P) (identity branch), O + P.
        let p = mul_g(7);
        let jp = Jacobian::from_affine(&to_ours(&p.to_affine())).double(); // 14G, Z != 1
        let q14 = to_ours(&mul_g(14).to_affine());
        same(&jp.add_affine(&q14), &mul_g(28));
        assert!(jp.add_affine(&q14.neg()).infinity);
        same(&Jacobian::IDENTITY.add_affine(&q14), &mul_g(14));
        assert!(Jacobian::IDENTITY.double().infinity);
        assert!(jp.add(&Jacobian::IDENTITY).to_affine() == jp.to_affine());
    }

    #[test]
    fn batch_inversion() {
        let mut v: Vec<Fe> = (1..50u64).map(Fe::from_u64).collect();
        let orig = v.clone();
        assert!(batch_invert(&mut v));
        for (a, b) in orig.iter().zip(&v) {
            assert_eq!(a.mul(b), Fe::ONE);
        }
        let mut w = vec![Fe::ONE, Fe::ZERO, Fe::from_u64(3)];
        assert!(!batch_invert(&mut w));
        assert!(batch_invert(&mut []));
    }
}
