//! Signed fixed-window tables: for a point P, a window width W and every window position i, the
//! affine multiples d·2^(W·i)·P for d = 1..=2^(W−1), so that k·P = Σᵢ dᵢ·2^(W·i)·P needs one
//! table lookup and one mixed addition per non-zero digit, and no doubling at all.
//!
//! Layout: a scalar k < 2^256 is recoded (see [`Table::recode`]) into ⌊256/W⌋ signed digits
//! dᵢ ∈ [−2^(W−1)+1, 2^(W−1)] plus a last, non-negative digit for the top 256 mod W bits and the
//! final carry. Full windows hold 2^(W−1) points each, the top window 2^(256 mod W).
//! For W = 8: 32·128 + 1 = 4097 points of 64 bytes = 262,208 bytes.

use super::field::Fe;
use super::point::{batch_invert, Affine, Jacobian};

/// Upper bound on the digit count of any supported window width (⌊256/5⌋ + 1 for W = 5).
pub(super) const MAX_DIGITS: usize = 52;

/// A precomputed fixed-window table for one point, with W-bit windows. Immutable once built.
pub(super) struct Table<const W: usize> {
    /// `points[i·2^(W−1) + (d−1)] = d·2^(W·i)·P`, window by window; the top window is shorter.
    points: Box<[Affine]>,
}

impl<const W: usize> Table<W> {
    /// Compile-time check of the supported widths: window values (≤ 2^W with the carry) must
    /// fit in an `i16`, and there are at most `MAX_DIGITS` digits (52 for W = 5).
    const SUPPORTED: () = assert!(W >= 5 && W <= 14, "window width must be in 5..=14");
    /// Points stored per full window: the multiples 1..=2^(W−1) (negatives are free: (x, −y)).
    const HALF: usize = 1 << (W - 1);
    /// Full W-bit windows in 256 bits.
    const FULL: usize = 256 / W;
    /// Bits left for the top window (0 when W divides 256).
    const TOP_BITS: usize = 256 - Self::FULL * W;
    /// The top digit is (top bits + final carry) ∈ [0, 2^TOP_BITS]: that many points.
    const TOP_ENTRIES: usize = 1 << Self::TOP_BITS;
    /// Number of digits produced by [`Self::recode`].
    pub(super) const DIGITS: usize = Self::FULL + 1;
    /// Points in one table.
    pub(super) const ENTRIES: usize = Self::FULL * Self::HALF + Self::TOP_ENTRIES;

    /// Signed-digit recoding of a scalar k < 2^256 given as 32 big-endian bytes.
    ///
    /// Returns digits d₀..d_FULL (the rest of the array is zero) with k = Σ dᵢ·2^(W·i).
    /// Each W-bit window plus the incoming carry is v ∈ [0, 2^W]; v > 2^(W−1) becomes v − 2^W
    /// with a carry of 1 into the next window, which keeps |dᵢ| ≤ 2^(W−1) so only half the
    /// multiples need storing. The top digit takes the remaining bits plus the carry as is.
    pub(super) fn recode(k_be: &[u8; 32]) -> [i16; MAX_DIGITS] {
        let () = Self::SUPPORTED;
        let mut words = [0u64; 4];
        for (i, w) in words.iter_mut().enumerate() {
            let mut b = [0u8; 8];
            b.copy_from_slice(&k_be[32 - 8 * (i + 1)..32 - 8 * i]);
            *w = u64::from_be_bytes(b);
        }
        // Bits [pos, pos + len) of k, len ≤ 16.
        let bits = |pos: usize, len: usize| -> i16 {
            let (w, sh) = (pos / 64, pos % 64);
            let mut v = words[w] >> sh;
            if sh + len > 64 && w + 1 < 4 {
                v |= words[w + 1] << (64 - sh);
            }
            (v & ((1u64 << len) - 1)) as i16
        };
        let mut digits = [0i16; MAX_DIGITS];
        let mut carry = 0i16;
        for (i, digit) in digits.iter_mut().take(Self::FULL).enumerate() {
            let v = bits(W * i, W) + carry;
            if v > Self::HALF as i16 {
                *digit = v - (1i16 << W);
                carry = 1;
            } else {
                *digit = v;
                carry = 0;
            }
        }
        let top = if Self::TOP_BITS > 0 {
            bits(W * Self::FULL, Self::TOP_BITS)
        } else {
            0
        };
        digits[Self::FULL] = top + carry;
        digits
    }

    /// Builds the table for an affine point `p` of order n (any non-identity P-256 point).
    ///
    /// Returns `None` only if an impossible degenerate case shows up (a zero denominator, see
    /// below); callers then fall back to the reference implementation instead of panicking.
    ///
    /// Cost: each point comes from one *affine* addition or doubling whose denominators are
    /// inverted in a handful of batches (Montgomery's trick), i.e. ~6 multiplications per point
    /// instead of ~11 for a Jacobian addition plus ~7 to normalise it afterwards.
    pub(super) fn build(p: &Affine) -> Option<Self> {
        let () = Self::SUPPORTED;
        // 1. Window bases Bᵢ = 2^(W·i)·P by repeated doubling, normalised together.
        let windows = Self::DIGITS;
        let mut bases = Vec::with_capacity(windows);
        let mut b = Jacobian::from_affine(p);
        bases.push(b);
        for _ in 1..windows {
            for _ in 0..W {
                b = b.double();
            }
            bases.push(b);
        }
        if bases.iter().any(|b| b.infinity) {
            return None; // P would have order dividing a power of two: impossible on P-256.
        }
        let mut zinv: Vec<Fe> = bases.iter().map(|b| b.z).collect();
        if !batch_invert(&mut zinv) {
            return None;
        }

        let placeholder = Affine {
            x: Fe::ZERO,
            y: Fe::ZERO,
        };
        let mut points = vec![placeholder; Self::ENTRIES].into_boxed_slice();
        for (i, (b, zi)) in bases.iter().zip(&zinv).enumerate() {
            let zi2 = zi.square();
            points[i * Self::HALF] = Affine {
                x: b.x.mul(&zi2),
                y: b.y.mul(&zi2).mul(zi),
            };
        }
        let count = |window: usize| {
            if window < Self::FULL {
                Self::HALF
            } else {
                Self::TOP_ENTRIES
            }
        };

        // 2. Layer k fills d ∈ (2^k, 2^(k+1)] in every window at once (window sizes are powers
        //    of two): d·B = d'·B + 2^k·B with d' = d − 2^k ∈ [1, 2^k]; d' = 2^k is a doubling.
        //    All denominators of a layer share one inversion.
        //
        //    Why no denominator can be zero: B has prime order n. For d' < 2^k, x(d'·B) =
        //    x(2^k·B) would need d' ≡ ±2^k (mod n), impossible since 0 < d' < 2^k and
        //    d' + 2^k ≤ 2^15 < n. For the doubling, y(2^k·B) = 0 would mean order 2. Still,
        //    `batch_invert` reports a zero rather than trusting this argument blindly.
        let mut denoms: Vec<Fe> = Vec::with_capacity(Self::ENTRIES / 2);
        let mut step = 1;
        while step < Self::HALF {
            denoms.clear();
            for w in (0..windows).filter(|&w| step < count(w)) {
                let base = w * Self::HALF;
                let t = points[base + step - 1]; // 2^k·B
                for dp in 1..=step {
                    let a = points[base + dp - 1]; // d'·B
                    denoms.push(if dp == step {
                        t.y.double()
                    } else {
                        t.x.sub(&a.x)
                    });
                }
            }
            if !batch_invert(&mut denoms) {
                return None;
            }
            let mut inv = denoms.iter();
            for w in (0..windows).filter(|&w| step < count(w)) {
                let base = w * Self::HALF;
                let t = points[base + step - 1];
                for dp in 1..=step {
                    let a = points[base + dp - 1];
                    let inv = inv.next()?;
                    let sum = if dp == step {
                        // λ = (3x² + a)/(2y) with a = −3.
                        let x2 = t.x.square();
                        let num = x2.double().add(&x2).sub(&Fe::from_u64(3));
                        let lambda = num.mul(inv);
                        let x3 = lambda.square().sub(&t.x.double());
                        let y3 = lambda.mul(&t.x.sub(&x3)).sub(&t.y);
                        Affine { x: x3, y: y3 }
                    } else {
                        // λ = (y_t − y_a)/(x_t − x_a)
                        let lambda = t.y.sub(&a.y).mul(inv);
                        let x3 = lambda.square().sub(&a.x).sub(&t.x);
                        let y3 = lambda.mul(&a.x.sub(&x3)).sub(&a.y);
                        Affine { x: x3, y: y3 }
                    };
                    points[base + step + dp - 1] = sum;
                }
            }
            step *= 2;
        }
        Some(Table { points })
    }

    /// Returns dᵢ·2^(W·i)·P for a non-zero digit produced by [`Self::recode`] (`None` only for
    /// an out-of-range digit, which `recode` never produces).
    #[inline(always)]
    pub(super) fn lookup(&self, window: usize, digit: i16) -> Option<Affine> {
        let magnitude = usize::from(digit.unsigned_abs());
        let limit = if window < Self::FULL {
            Self::HALF
        } else {
            Self::TOP_ENTRIES
        };
        if magnitude == 0 || magnitude > limit {
            return None;
        }
        let p = self.points.get(window * Self::HALF + magnitude - 1)?;
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
            x: Fe::from_bytes(&(*ep.x().unwrap()).into()).unwrap(),
            y: Fe::from_bytes(&(*ep.y().unwrap()).into()).unwrap(),
        }
    }

    /// Recodes k with W-bit windows and checks Σ dᵢ·2^(W·i) = k and the digit ranges.
    fn check_recode<const W: usize>(k: &[u8; 32]) {
        let d = Table::<W>::recode(k);
        let (full, half) = (Table::<W>::FULL, Table::<W>::HALF as i64);
        assert!(d[Table::<W>::DIGITS..].iter().all(|&x| x == 0));
        assert!(d[..full]
            .iter()
            .all(|&x| (-half + 1..=half).contains(&i64::from(x))));
        assert!((0..=Table::<W>::TOP_ENTRIES as i64).contains(&i64::from(d[full])));
        // Carry-propagate the signed digits into plain base-2^W digits, then compare bits.
        let mut acc: Vec<i64> = d[..Table::<W>::DIGITS]
            .iter()
            .map(|&x| i64::from(x))
            .collect();
        acc.push(0);
        for i in 0..acc.len() - 1 {
            let c = acc[i].div_euclid(1 << W);
            acc[i] = acc[i].rem_euclid(1 << W);
            acc[i + 1] += c;
        }
        assert_eq!(*acc.last().unwrap(), 0);
        for bit in 0..256 {
            let expect = (k[31 - bit / 8] >> (bit % 8)) & 1;
            let got = (acc[bit / W] >> (bit % W)) & 1;
            assert_eq!(got as u8, expect, "W={W} bit {bit}");
        }
        assert!(acc[Table::<W>::DIGITS - 1] < (1 << Table::<W>::TOP_BITS.max(1)));
    }

    #[test]
    fn recoding_round_trips() {
        let mut samples = vec![[0u8; 32], [0xff; 32], [0x80; 32], [0x81; 32], [0x7f; 32]];
        let mut k = [0u8; 32];
        for (i, b) in k.iter_mut().enumerate() {
            *b = (i as u8).wrapping_mul(37).wrapping_add(128);
        }
        samples.push(k);
        let mut x = 0x0123_4567_89ab_cdefu64;
        for _ in 0..200 {
            for b in k.iter_mut() {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                *b = x as u8;
            }
            samples.push(k);
        }
        for k in &samples {
            check_recode::<5>(k);
            check_recode::<7>(k);
            check_recode::<8>(k);
            check_recode::<9>(k);
            check_recode::<10>(k);
            check_recode::<11>(k);
            check_recode::<12>(k);
        }
    }

    /// Checks entries against `p256`'s scalar multiplication: every entry of the first and
    /// last windows, and a sample elsewhere.
    fn check_table<const W: usize>(k: u64) {
        let p = ProjectivePoint::GENERATOR * Scalar::from(k);
        let t = Table::<W>::build(&affine_of(&p)).unwrap();
        assert_eq!(t.heap_bytes(), Table::<W>::ENTRIES * 64);
        let step = Scalar::from(1u64 << W);
        let mut base = p;
        for w in 0..Table::<W>::DIGITS {
            let count = if w < Table::<W>::FULL {
                Table::<W>::HALF
            } else {
                Table::<W>::TOP_ENTRIES
            };
            for d in 1..=count as i16 {
                if w < 1 || w + 2 >= Table::<W>::DIGITS || d % 37 == 1 || d as usize == count {
                    let expect = base * Scalar::from(d as u64);
                    assert_eq!(
                        t.lookup(w, d).unwrap(),
                        affine_of(&expect),
                        "W={W} w={w} d={d}"
                    );
                    assert_eq!(t.lookup(w, -d).unwrap(), affine_of(&-expect));
                }
            }
            assert!(t.lookup(w, 0).is_none());
            assert!(t.lookup(w, count as i16 + 1).is_none());
            base *= step;
        }
    }

    #[test]
    fn table_entries_are_the_right_multiples() {
        check_table::<8>(12345);
        assert_eq!(Table::<8>::ENTRIES * 64, 262_208);
        check_table::<10>(987654321);
        check_table::<9>(5);
    }
}
