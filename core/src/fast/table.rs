//! Signed fixed-window tables: for a point P and every window position i, the affine multiples
//! d·2^(8i)·P for d = 1..=128, so that k·P = Σᵢ dᵢ·2^(8i)·P needs one table lookup and one mixed
//! addition per non-zero digit and no doubling at all.
//!
//! Layout: a scalar k < 2^256 is recoded (see [`recode`]) into 33 signed digits dᵢ ∈ [−127, 128]
//! (the last one, the final carry, is 0 or 1). Windows 0..32 hold 128 points each; window 32
//! holds only 2^256·P. Total 32·128 + 1 = 4097 points of 64 bytes = 262,208 bytes.

use super::point::{batch_invert, Affine, Jacobian};
use p256::FieldElement;

/// Window width in bits. 8 keeps the per-key table under the 300 KB budget (262 KB) while
/// needing only ~2·33 additions per verification; 9 bits would already take 475 KB.
pub(super) const WINDOW_BITS: usize = 8;
/// Points stored per full window: the multiples 1..=2^(W−1) (negatives are free: (x, −y)).
pub(super) const HALF: usize = 1 << (WINDOW_BITS - 1);
/// Full windows covering 256 bits.
pub(super) const FULL_WINDOWS: usize = 256 / WINDOW_BITS;
/// Number of signed digits: one per full window plus the final carry.
pub(super) const DIGITS: usize = FULL_WINDOWS + 1;
/// Points in one table.
pub(super) const ENTRIES: usize = FULL_WINDOWS * HALF + 1;

/// Signed-digit recoding of a 256-bit scalar given as 32 big-endian bytes.
///
/// Returns d₀..d₃₂ with k = Σ dᵢ·2^(8i), dᵢ ∈ [−127, 128] for i < 32 and d₃₂ ∈ {0, 1}.
/// Each byte plus the incoming carry is v ∈ [0, 256]; v > 128 becomes v − 256 with a carry of 1
/// into the next window, which keeps |dᵢ| ≤ 128 so only half the multiples need storing.
pub(super) fn recode(k_be: &[u8; 32]) -> [i16; DIGITS] {
    let mut digits = [0i16; DIGITS];
    let mut carry = 0i16;
    for (i, digit) in digits.iter_mut().take(FULL_WINDOWS).enumerate() {
        let v = i16::from(k_be[31 - i]) + carry;
        if v > HALF as i16 {
            *digit = v - 256;
            carry = 1;
        } else {
            *digit = v;
            carry = 0;
        }
    }
    digits[FULL_WINDOWS] = carry;
    digits
}

/// A precomputed fixed-window table for one point. Immutable once built.
pub(super) struct Table {
    /// `points[i·128 + (d−1)] = d·2^(8i)·P` for windows i < 32; `points[32·128] = 2^256·P`.
    points: Box<[Affine]>,
}

impl Table {
    /// Builds the table for an affine point `p` of order n (any non-identity P-256 point).
    ///
    /// Returns `None` only if an impossible degenerate case shows up (a zero denominator, see
    /// below); callers then fall back to the reference implementation instead of panicking.
    ///
    /// Cost: ~4100 points, each from an *affine* addition or doubling whose denominators are
    /// inverted in 8 batches (Montgomery's trick), i.e. ~6 multiplications per point instead of
    /// ~11 for a Jacobian addition plus ~7 to normalise it afterwards.
    pub(super) fn build(p: &Affine) -> Option<Table> {
        // 1. Window bases Bᵢ = 2^(8i)·P by repeated doubling, normalised together.
        let mut bases = Vec::with_capacity(DIGITS);
        let mut b = Jacobian::from_affine(p);
        bases.push(b);
        for _ in 1..DIGITS {
            for _ in 0..WINDOW_BITS {
                b = b.double();
            }
            bases.push(b);
        }
        if bases.iter().any(|b| b.infinity) {
            return None; // P would have order dividing a power of two: impossible on P-256.
        }
        let mut zinv: Vec<FieldElement> = bases.iter().map(|b| b.z).collect();
        if !batch_invert(&mut zinv) {
            return None;
        }

        let placeholder = Affine { x: FieldElement::ZERO, y: FieldElement::ZERO };
        let mut points = vec![placeholder; ENTRIES].into_boxed_slice();
        for (i, (b, zi)) in bases.iter().zip(&zinv).enumerate() {
            let zi2 = zi.square();
            points[i * HALF] = Affine { x: b.x.multiply(&zi2), y: b.y.multiply(&zi2).multiply(zi) };
        }

        // 2. Layer k = 0..7 fills d ∈ (2^k, 2^(k+1)] in every full window at once:
        //    d·B = d'·B + 2^k·B with d' = d − 2^k ∈ [1, 2^k]; d' = 2^k is a doubling.
        //    All denominators of a layer share one inversion.
        //
        //    Why no denominator can be zero: B has prime order n. For d' < 2^k, x(d'·B) =
        //    x(2^k·B) would need d' ≡ ±2^k (mod n), impossible since 0 < d' < 2^k and
        //    d' + 2^k ≤ 256 < n. For the doubling, y(2^k·B) = 0 would mean order 2. Still,
        //    `batch_invert` reports a zero rather than trusting this argument blindly.
        let mut denoms: Vec<FieldElement> = Vec::with_capacity(FULL_WINDOWS * HALF / 2);
        let mut step = 1;
        while step < HALF {
            denoms.clear();
            for w in 0..FULL_WINDOWS {
                let base = w * HALF;
                let t = points[base + step - 1]; // 2^k·B
                for dp in 1..=step {
                    let a = points[base + dp - 1]; // d'·B
                    denoms.push(if dp == step { t.y.double() } else { t.x.sub(&a.x) });
                }
            }
            if !batch_invert(&mut denoms) {
                return None;
            }
            let mut inv = denoms.iter();
            for w in 0..FULL_WINDOWS {
                let base = w * HALF;
                let t = points[base + step - 1];
                for dp in 1..=step {
                    let a = points[base + dp - 1];
                    let inv = inv.next()?;
                    let sum = if dp == step {
                        // λ = (3x² + a)/(2y) with a = −3, i.e. 3(x − 1)(x + 1)/(2y).
                        let x2 = t.x.square();
                        let num = x2.double().add(&x2).sub(&FieldElement::from_u64(3));
                        let lambda = num.multiply(inv);
                        let x3 = lambda.square().sub(&t.x.double());
                        let y3 = lambda.multiply(&t.x.sub(&x3)).sub(&t.y);
                        Affine { x: x3, y: y3 }
                    } else {
                        // λ = (y_t − y_a)/(x_t − x_a)
                        let lambda = t.y.sub(&a.y).multiply(inv);
                        let x3 = lambda.square().sub(&a.x).sub(&t.x);
                        let y3 = lambda.multiply(&a.x.sub(&x3)).sub(&a.y);
                        Affine { x: x3, y: y3 }
                    };
                    points[base + step + dp - 1] = sum;
                }
            }
            step *= 2;
        }
        Some(Table { points })
    }

    /// Returns dᵢ·2^(8i)·P for a non-zero digit produced by [`recode`] (`None` only if the
    /// digit is out of range, which `recode` never produces).
    #[inline(always)]
    pub(super) fn lookup(&self, window: usize, digit: i16) -> Option<Affine> {
        let idx = window * HALF + usize::from(digit.unsigned_abs()).checked_sub(1)?;
        let p = self.points.get(idx)?;
        Some(if digit < 0 { p.neg() } else { *p })
    }

    /// Heap bytes held by the table.
    pub(super) fn heap_bytes(&self) -> usize {
        core::mem::size_of_val(&*self.points)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::elliptic_curve::sec1::ToEncodedPoint;
    use p256::{ProjectivePoint, Scalar};

    fn affine_of(p: &ProjectivePoint) -> Affine {
        let ep = p.to_affine().to_encoded_point(false);
        Affine {
            x: FieldElement::from_bytes(ep.x().unwrap()).unwrap(),
            y: FieldElement::from_bytes(ep.y().unwrap()).unwrap(),
        }
    }

    #[test]
    fn recoding_round_trips() {
        let check = |k: [u8; 32]| {
            let d = recode(&k);
            // Σ dᵢ·256^i, evaluated as a little-endian base-256 number with signed digits.
            let mut acc = [0i32; 34];
            for (i, di) in d.iter().enumerate() {
                acc[i] += i32::from(*di);
            }
            for i in 0..33 {
                let c = acc[i].div_euclid(256);
                acc[i] = acc[i].rem_euclid(256);
                acc[i + 1] += c;
            }
            assert_eq!(acc[32..], [0, 0]);
            for i in 0..32 {
                assert_eq!(acc[i] as u8, k[31 - i]);
            }
            assert!(d[..32].iter().all(|&x| (-127..=128).contains(&x)));
            assert!(d[32] == 0 || d[32] == 1);
        };
        check([0; 32]);
        check([0xff; 32]);
        check([0x80; 32]);
        check([0x81; 32]);
        let mut k = [0u8; 32];
        for i in 0..32 {
            k[i] = (i as u8).wrapping_mul(37).wrapping_add(128);
        }
        check(k);
    }

    #[test]
    fn table_entries_are_the_right_multiples() {
        let g = ProjectivePoint::GENERATOR * Scalar::from(12345u64);
        let t = Table::build(&affine_of(&g)).unwrap();
        assert_eq!(t.heap_bytes(), 262_208);
        let two8 = Scalar::from(256u64);
        let mut base = g;
        for w in 0..DIGITS {
            for d in 1..=HALF as i16 {
                if w == FULL_WINDOWS && d > 1 {
                    break;
                }
                // Check every entry of a few windows and a sample elsewhere.
                if w < 2 || w >= 31 || d % 17 == 1 || d == 128 {
                    let expect = base * Scalar::from(d as u64);
                    assert_eq!(t.lookup(w, d).unwrap(), affine_of(&expect), "w={w} d={d}");
                    assert_eq!(t.lookup(w, -d).unwrap(), affine_of(&-expect));
                }
            }
            base *= two8;
        }
        assert!(t.lookup(0, 0).is_none());
        assert!(t.lookup(FULL_WINDOWS, 2).is_none());
    }
}
