//! The bodies of the fuzz targets (each `fuzz_targets/*.rs` is one line calling into here), so
//! the targets share their fixtures, input reader and invariants.
//!
//! Every target checks more than "does not crash": each states what must hold for any input
//! (typed errors only, with the codes the entry point documents; round trips; agreement between
//! two implementations) and panics, which libFuzzer reports as a crash, when it does not.

use std::sync::OnceLock;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use p256::ecdsa::{Signature, VerifyingKey};
use p256::elliptic_curve::bigint::{ArrayEncoding, U256};
use p256::elliptic_curve::ops::Reduce;
use p256::elliptic_curve::point::{AffineCoordinates, DecompressPoint};
use p256::elliptic_curve::sec1::ToEncodedPoint;
use p256::elliptic_curve::subtle::Choice;
use p256::elliptic_curve::Field;
use p256::{AffinePoint, FieldBytes, ProjectivePoint, Scalar};
use palisade_webhooks::diagnose::diagnose;
use palisade_webhooks::testing::TestSigner;
use palisade_webhooks::{
    idempotency_key, parse_signature, Backend, Error, ErrorCode, Event, PublicKey, Webhook,
    WebhookOptions, MAX_MESSAGE_CHARS, TRUNCATION_MARK,
};

/// Reads a fuzz input front to back; past the end it yields zeros, so every input is usable.
pub struct Input<'a> {
    data: &'a [u8],
}

impl<'a> Input<'a> {
    /// Wraps the raw fuzz input.
    pub fn new(data: &'a [u8]) -> Self {
        Input { data }
    }

    /// The next byte (0 past the end).
    pub fn byte(&mut self) -> u8 {
        match self.data.split_first() {
            Some((b, rest)) => {
                self.data = rest;
                *b
            }
            None => 0,
        }
    }

    /// The next `N` bytes, zero-padded past the end.
    pub fn array<const N: usize>(&mut self) -> [u8; N] {
        let mut out = [0u8; N];
        let n = N.min(self.data.len());
        out[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        out
    }

    /// Everything not read yet.
    pub fn rest(self) -> &'a [u8] {
        self.data
    }
}

/// Error codes `Webhook::verify` may return (no store, no `max_age`, body given as bytes).
const VERIFY_CODES: [ErrorCode; 6] = [
    ErrorCode::BodyTooLarge,
    ErrorCode::MissingSignature,
    ErrorCode::MalformedEnvelope,
    ErrorCode::MalformedSignature,
    ErrorCode::InvalidSignature,
    ErrorCode::MalformedPayload,
];

struct EnvelopeFixture {
    /// Signs re-signed deliveries (the conformance vectors' primary key, seed 1).
    signer: TestSigner,
    /// Its public key as the console shows it.
    primary_b64: String,
    /// Primary and secondary (seed 2) keys, fast backend: the conformance vectors' rotation set.
    fast: Webhook,
    /// The same keys on the reference backend.
    reference: Webhook,
    /// The primary key alone, default options: what `diagnose` compares itself with.
    primary_only: Webhook,
}

fn envelope_fixture() -> &'static EnvelopeFixture {
    static FIXTURE: OnceLock<EnvelopeFixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let signer = TestSigner::from_seed(1);
        let keys = [
            signer.public_key_b64(),
            TestSigner::from_seed(2).public_key_b64(),
        ];
        let build = |keys: &[String], backend| {
            Webhook::from_keys(keys, WebhookOptions::default().backend(backend))
                .expect("fixture keys are valid")
        };
        EnvelopeFixture {
            primary_b64: keys[0].clone(),
            fast: build(&keys, Backend::Fast),
            reference: build(&keys, Backend::Reference),
            primary_only: build(&keys[..1], Backend::Fast),
            signer,
        }
    })
}

fn same_result(
    what: &str,
    a: &palisade_webhooks::Result<Event>,
    b: &palisade_webhooks::Result<Event>,
) {
    match (a, b) {
        (Ok(x), Ok(y)) => assert_eq!(x, y, "{what}: events differ"),
        (Err(x), Err(y)) => assert_eq!(x, y, "{what}: errors differ"),
        _ => panic!("{what}: one verified, the other did not: {a:?} / {b:?}"),
    }
}

/// A refusal's message fits the bound as written: it is not one the backstop in `Error::new`
/// had to cut (which would mean it quotes something of unbounded length).
fn check_message(e: &Error) {
    let message = e.message();
    assert!(message.chars().count() <= MAX_MESSAGE_CHARS, "{e}");
    assert!(!message.ends_with(TRUNCATION_MARK), "a message cut to the bound: {e}");
}

/// A verified event: its idempotency key is the documented function of its fields.
fn check_verified(event: &Event) {
    assert_eq!(
        event.idempotency_key,
        idempotency_key(
            event.domain.as_str(),
            event.resource_id.as_deref(),
            event.updated_at.as_deref(),
            &event.payload
        ),
        "the idempotency key is not the documented function of the event"
    );
    check_event(event);
}

fn check_event(event: &Event) {
    let json = event.to_json();
    let back = Event::from_json(&json).expect("a verified event's JSON must restore");
    assert_eq!(&back, event, "event JSON round trip");
}

/// `envelope`: input = `<Signature header value>\n<body>` (no newline: the whole input is the
/// body and the header is absent). Runs `Webhook::verify` with the conformance keys on both
/// backends; then signs whatever `payload` string the body carries with the primary key and
/// verifies again, so the fuzzer also explores everything after a successful signature check
/// (payload base64, JSON, typed models, depth bound); and checks `diagnose` agrees on whether
/// the delivery verifies.
pub fn envelope(data: &[u8]) {
    let fx = envelope_fixture();
    let (signature, body) = match data.iter().position(|&b| b == b'\n') {
        Some(i) => (
            Some(String::from_utf8_lossy(&data[..i]).into_owned()),
            &data[i + 1..],
        ),
        None => (None, data),
    };
    let mut headers = vec![("Content-Type".to_string(), "application/json".to_string())];
    if let Some(sig) = &signature {
        headers.push(("sIgNaTuRe".to_string(), sig.clone()));
    }

    let fast = fx.fast.verify(body, &headers);
    let reference = fx.reference.verify(body, &headers);
    same_result("fast vs reference backend", &fast, &reference);
    let direct = fx.fast.verify_with_signature(body, signature.as_deref());
    same_result("verify vs verify_with_signature", &fast, &direct);
    match &fast {
        Ok(event) => check_verified(event),
        Err(e) => {
            assert!(VERIFY_CODES.contains(&e.code()), "unexpected code: {e}");
            check_message(e);
        }
    }

    let primary = fx
        .primary_only
        .verify_with_signature(body, signature.as_deref());
    let diagnosis = diagnose(&fx.primary_b64, body, signature.as_deref());
    assert_eq!(
        diagnosis.verifies,
        primary.is_ok(),
        "diagnose disagrees with Webhook::verify: {diagnosis:?} / {primary:?}"
    );

    // The body's payload, as a generic JSON parser sees it, signed with the primary key.
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) else {
        return;
    };
    let Some(payload) = value.get("payload").and_then(|p| p.as_str()) else {
        return;
    };
    let good = fx.signer.sign(payload);
    match fx.fast.verify_with_signature(body, Some(&good)) {
        Ok(event) => {
            assert_eq!(event.payload, payload, "verified payload differs");
            check_verified(&event);
        }
        // Bodies a generic parser accepts but the strict envelope parser refuses (duplicate
        // keys), over the size limit, or whose payload does not decode to a fitting object.
        Err(e) => {
            assert!(
                matches!(
                    e.code(),
                    ErrorCode::MalformedEnvelope
                        | ErrorCode::MalformedPayload
                        | ErrorCode::BodyTooLarge
                ),
                "a correctly signed payload was refused with {e}"
            );
            check_message(&e);
        }
    }
}

/// `keys`: `PublicKey::parse` on arbitrary text. Both backends agree on success and on the exact
/// error; a parsed key round-trips through its SPKI form with the same fingerprint.
pub fn keys(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let reference = PublicKey::parse_with_backend(&text, Backend::Reference);
    let fast = PublicKey::parse(&text);
    match (&reference, &fast) {
        (Ok(r), Ok(f)) => {
            assert_eq!(r, f);
            assert_eq!(r.fingerprint(), f.fingerprint());
            let fp = r.fingerprint();
            assert!(fp.len() == 16 && fp.bytes().all(|b| b.is_ascii_hexdigit()));
            let again = PublicKey::parse_with_backend(&r.to_spki_b64(), Backend::Reference)
                .expect("a parsed key's SPKI must parse");
            assert_eq!(&again, r);
            assert_eq!(again.fingerprint(), fp);
        }
        (Err(r), Err(f)) => {
            assert_eq!(r, f, "backends fail differently");
            assert_eq!(r.code(), ErrorCode::InvalidPublicKey, "{r}");
            check_message(r);
        }
        _ => panic!("backends disagree: {reference:?} / {fast:?}"),
    }
}

fn signature_webhook() -> &'static Webhook {
    static WEBHOOK: OnceLock<Webhook> = OnceLock::new();
    WEBHOOK.get_or_init(|| {
        Webhook::from_keys(
            &[TestSigner::from_seed(1).public_key_b64()],
            WebhookOptions::default(),
        )
        .expect("fixture key")
    })
}

/// `signature`: `parse_signature` on arbitrary text: only `ERR_MISSING_SIGNATURE` (blank) or
/// `ERR_MALFORMED_SIGNATURE`; long values are refused unread; a parsed signature re-encodes to
/// strict DER that parses to the same value, and verifying it gives a typed answer.
pub fn signature(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    match parse_signature(&text) {
        Ok(sig) => {
            assert!(text.trim().len() <= 256, "an over-long header was decoded");
            let der = sig.to_der();
            let again = parse_signature(&STANDARD.encode(der.as_bytes())).expect("re-encoded");
            assert_eq!(again, sig);
            let unpadded = STANDARD.encode(der.as_bytes());
            let again = parse_signature(unpadded.trim_end_matches('=')).expect("unpadded");
            assert_eq!(again, sig);
            // Almost surely not a signature of this payload; either way a typed answer.
            match signature_webhook().verify_signature("e30=", &text) {
                Ok(_) => {}
                Err(e) => assert_eq!(e.code(), ErrorCode::InvalidSignature, "{e}"),
            }
        }
        Err(e) if text.trim().is_empty() => {
            assert_eq!(e.code(), ErrorCode::MissingSignature, "{e}");
            check_message(&e);
        }
        Err(e) => {
            assert_eq!(e.code(), ErrorCode::MalformedSignature, "{e}");
            check_message(&e);
        }
    }
}

/// `event_json`: `Event::from_json` on arbitrary text: `ERR_MALFORMED_PAYLOAD` or an event whose
/// JSON restores to the same event.
pub fn event_json(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    match Event::from_json(&text) {
        Ok(event) => {
            check_event(&event);
            let json = event.to_json();
            assert_eq!(Event::from_json(&json).map(|e| e.to_json()), Ok(json));
        }
        Err(e) => {
            assert_eq!(e.code(), ErrorCode::MalformedPayload, "{e}");
            check_message(&e);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// verify_differential

/// A key on both backends.
pub struct KeyPair {
    /// Precomputed-table verifier.
    pub fast: PublicKey,
    /// `p256`'s own verify.
    pub reference: PublicKey,
}

impl KeyPair {
    fn from_verifying_key(vk: VerifyingKey) -> Self {
        KeyPair {
            fast: PublicKey::from_verifying_key(vk, Backend::Fast),
            reference: PublicKey::from_verifying_key(vk, Backend::Reference),
        }
    }

    /// Parses SEC1 bytes (as hex) with both backends; they must agree exactly.
    fn parse_sec1(bytes: &[u8]) -> Option<Self> {
        let text = hex::encode(bytes);
        let fast = PublicKey::parse_with_backend(&text, Backend::Fast);
        let reference = PublicKey::parse_with_backend(&text, Backend::Reference);
        match (fast, reference) {
            (Ok(fast), Ok(reference)) => {
                assert_eq!(fast, reference);
                Some(KeyPair { fast, reference })
            }
            (Err(f), Err(r)) => {
                assert_eq!(f, r, "key parse differs between backends");
                assert_eq!(f.code(), ErrorCode::InvalidPublicKey);
                None
            }
            (f, r) => panic!("key parse differs between backends: {f:?} / {r:?}"),
        }
    }

    fn point(&self) -> ProjectivePoint {
        ProjectivePoint::from(*self.reference.verifying_key().as_affine())
    }

    fn sec1_hex(&self) -> String {
        hex::encode(
            self.reference
                .verifying_key()
                .to_encoded_point(true)
                .as_bytes(),
        )
    }
}

fn scalar_from_u128(v: u128) -> Scalar {
    Scalar::from(v as u64) + Scalar::from((v >> 64) as u64) * Scalar::from(1u64 << 32).square()
}

/// Fixed keys, tables built once: the conformance primary key, the documentation's example key,
/// and keys whose tables are degenerate on purpose (Q = G, Q = −G, Q = 2G, Q = 2^128·G), where
/// table entries of Q coincide with those of G.
fn fixed_keys() -> &'static [KeyPair] {
    static KEYS: OnceLock<Vec<KeyPair>> = OnceLock::new();
    KEYS.get_or_init(|| {
        let mut keys = vec![
            TestSigner::from_seed(1).public_key(),
            PublicKey::parse(
                "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEpHiEkdd/ba5dU4sNCgsWrMOE6fLakHywl0OgF5aVfxkiqNh22oybRAREev7jvnwH4jqitHx79KGi6CMwiJjmaw==",
            )
            .expect("documentation key"),
        ]
        .into_iter()
        .map(|k| KeyPair::from_verifying_key(*k.verifying_key()))
        .collect::<Vec<_>>();
        let two_128 = scalar_from_u128(u128::MAX) + Scalar::ONE;
        for d in [Scalar::ONE, -Scalar::ONE, Scalar::from(2u64), two_128] {
            let q = (ProjectivePoint::GENERATOR * d).to_affine();
            let vk = VerifyingKey::from_affine(q).expect("non-identity");
            keys.push(KeyPair::from_verifying_key(vk));
        }
        keys
    })
}

enum KeyChoice {
    Fixed(&'static KeyPair),
    Parsed(KeyPair),
}

impl KeyChoice {
    fn get(&self) -> &KeyPair {
        match self {
            KeyChoice::Fixed(k) => k,
            KeyChoice::Parsed(k) => k,
        }
    }
}

/// Key selector byte: below 0x80 picks a fixed key; otherwise 33 (odd) or 65 (even) raw SEC1
/// bytes follow and are parsed as hex by both backends.
fn read_key(input: &mut Input<'_>) -> Option<KeyChoice> {
    let selector = input.byte();
    if selector < 0x80 {
        let keys = fixed_keys();
        return Some(KeyChoice::Fixed(&keys[selector as usize % keys.len()]));
    }
    let parsed = if selector & 1 == 1 {
        KeyPair::parse_sec1(&input.array::<33>())
    } else {
        KeyPair::parse_sec1(&input.array::<65>())
    };
    parsed.map(KeyChoice::Parsed)
}

fn reduce(bytes: &[u8; 32]) -> Scalar {
    <Scalar as Reduce<U256>>::reduce_bytes(&FieldBytes::from(*bytes))
}

/// Runs both backends; they must agree. Also checks (r, n − s) gets the same answer as (r, s)
/// on both (R and −R share their x coordinate). Returns the common answer.
fn differential(key: &KeyPair, prehash: &[u8; 32], sig: &Signature) -> bool {
    let fast = key.fast.verify_prehash(prehash, sig);
    let reference = key.reference.verify_prehash(prehash, sig);
    let context = || {
        format!(
            "key {} prehash {} signature {}",
            key.sec1_hex(),
            hex::encode(prehash),
            hex::encode(sig.to_der().as_bytes())
        )
    };
    assert_eq!(
        fast,
        reference,
        "fast and reference verify disagree: {}",
        context()
    );
    let (r, s) = sig.split_scalars();
    let negated = Signature::from_scalars(r.to_bytes(), (-*s).to_bytes()).expect("n − s ≠ 0");
    assert_eq!(
        key.fast.verify_prehash(prehash, &negated),
        fast,
        "fast verify differs for (r, n − s): {}",
        context()
    );
    assert_eq!(
        key.reference.verify_prehash(prehash, &negated),
        reference,
        "reference verify differs for (r, n − s): {}",
        context()
    );
    fast
}

/// A signature that is valid by construction, without the private key: for chosen a, b ≠ 0,
/// R = a·G + b·Q, r = x(R) mod n, s = r·b⁻¹ and e = a·s make `verify(e, (r, s))` compute
/// u1 = a and u2 = b. So the fuzzer controls u1 and u2 directly (zero, small, edge scalars).
struct Forged {
    prehash: [u8; 32],
    r: Scalar,
    s: Scalar,
}

fn forge(q: ProjectivePoint, a: Scalar, b: Scalar, r_override: Option<Scalar>) -> Option<Forged> {
    let b = if bool::from(b.is_zero()) {
        Scalar::ONE
    } else {
        b
    };
    let big_r = ProjectivePoint::GENERATOR * a + q * b;
    if big_r == ProjectivePoint::IDENTITY {
        return None;
    }
    let r = r_override
        .unwrap_or_else(|| <Scalar as Reduce<U256>>::reduce_bytes(&big_r.to_affine().x()));
    if bool::from(r.is_zero()) {
        return None;
    }
    let s = r * b.invert().unwrap();
    let e = a * s;
    Some(Forged {
        prehash: e.to_bytes().into(),
        r,
        s,
    })
}

/// Checks that both backends accept the valid signature, then applies up to four of the
/// fuzzer's mutations, comparing the backends after each. While the signature is still known
/// to be valid (only `s → n − s` and no-ops keep it so) both must accept it.
fn mutate_and_check(key: &KeyPair, forged: Forged, input: &mut Input<'_>) {
    let Forged {
        mut prehash,
        mut r,
        mut s,
    } = forged;
    let mut valid = true;
    let sig = |r: Scalar, s: Scalar| Signature::from_scalars(r.to_bytes(), s.to_bytes()).ok();
    let start = sig(r, s).expect("forged r, s are non-zero");
    assert!(
        differential(key, &prehash, &start),
        "a valid signature was refused: key {} prehash {} signature {}",
        key.sec1_hex(),
        hex::encode(prehash),
        hex::encode(start.to_der().as_bytes())
    );
    let mut current_key = key;
    for _ in 0..4 {
        let op = input.byte();
        let arg = input.byte();
        let delta = Scalar::from(u64::from(arg) + 1);
        let (nr, ns) = match op % 11 {
            0 => (r, s),
            1 => (r + delta, s),
            2 => (r - delta, s),
            3 => (r, s + delta),
            4 => (r, s - delta),
            5 => (r, -s),
            6 => (s, r),
            7 => {
                prehash[usize::from(arg / 8) % 32] ^= 1 << (arg % 8);
                valid = false;
                (r, s)
            }
            8 => {
                // An edge value for r or s: 1, 2, n − 1, n − 2, 2^128, ...
                let edge = match arg % 6 {
                    0 => Scalar::ONE,
                    1 => Scalar::from(2u64),
                    2 => -Scalar::ONE,
                    3 => -Scalar::from(2u64),
                    4 => scalar_from_u128(u128::MAX) + Scalar::ONE,
                    _ => Scalar::from(u64::MAX),
                };
                if arg & 0x80 == 0 {
                    (edge, s)
                } else {
                    (r, edge)
                }
            }
            9 => {
                // Flip one bit of the DER encoding; keep it only if it still parses.
                let mut der = sig(r, s)
                    .map(|g| g.to_der().as_bytes().to_vec())
                    .unwrap_or_default();
                if !der.is_empty() {
                    let i = usize::from(arg) % der.len();
                    der[i] ^= 1 << (input.byte() % 8);
                }
                match Signature::from_der(&der) {
                    Ok(g) => {
                        let (gr, gs) = g.split_scalars();
                        (*gr, *gs)
                    }
                    Err(_) => (r, s),
                }
            }
            _ => {
                // The same signature under another (fixed) key.
                let keys = fixed_keys();
                current_key = &keys[usize::from(arg) % keys.len()];
                valid = false;
                (r, s)
            }
        };
        if (nr, ns) == (r, s) {
            // No-op (or only the digest or key changed).
        } else if (nr, ns) == (r, -s) {
            // Still valid: R and −R have the same x coordinate.
        } else {
            valid = false;
        }
        let Some(g) = sig(nr, ns) else { continue };
        r = nr;
        s = ns;
        let ok = differential(current_key, &prehash, &g);
        if valid {
            assert!(ok, "a valid (r, ±s) was refused after mutation");
        }
    }
}

/// `verify_differential`: the fast (precomputed-table) verifier against `p256`'s reference
/// verify; any disagreement panics. First byte: mode.
/// - 0: key, 32-byte digest, arbitrary DER signature bytes;
/// - 1: key, 32-byte digest, 64 raw bytes as (r, s);
/// - 2: key, scalars a, b: a valid signature with u1 = a, u2 = b, then up to 4 mutations;
/// - 3: like 2, but on a key crafted so that x(R) ≥ n (the rare `r + n` case of the final check).
pub fn verify_differential(data: &[u8]) {
    let mut input = Input::new(data);
    match input.byte() % 4 {
        0 => {
            let Some(key) = read_key(&mut input) else {
                return;
            };
            let prehash = input.array::<32>();
            if let Ok(sig) = Signature::from_der(input.rest()) {
                differential(key.get(), &prehash, &sig);
            }
        }
        1 => {
            let Some(key) = read_key(&mut input) else {
                return;
            };
            let prehash = input.array::<32>();
            if let Ok(sig) = Signature::from_slice(&input.array::<64>()) {
                differential(key.get(), &prehash, &sig);
            }
        }
        2 => {
            let Some(key) = read_key(&mut input) else {
                return;
            };
            let a = reduce(&input.array::<32>());
            let b = reduce(&input.array::<32>());
            if let Some(forged) = forge(key.get().point(), a, b, None) {
                mutate_and_check(key.get(), forged, &mut input);
            }
        }
        _ => large_x(&mut input),
    }
}

/// p − n: x(R) ≥ n happens exactly for x(R) in [n, p), an interval of this width.
const P_MINUS_N: u128 = 0x4319055358e8617b0c46353d039cdaae;
/// The group order n.
const N: U256 =
    U256::from_be_hex("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551");

/// Picks a point R with n ≤ x(R) < p, scalars a, b, and the key Q = b⁻¹·(R − a·G): the
/// signature (r = x(R) − n, s = r·b⁻¹) over e = a·s is valid and takes the `x(R) − n` path.
fn large_x(input: &mut Input<'_>) {
    let offset = u128::from_be_bytes(input.array::<16>()) % P_MINUS_N;
    let parity = Choice::from(input.byte() & 1);
    let a = reduce(&input.array::<32>());
    let b = reduce(&input.array::<32>());
    let b = if bool::from(b.is_zero()) {
        Scalar::ONE
    } else {
        b
    };
    // Walk up from n + offset to the next x on the curve (about one in two is); stay below p.
    let mut k = offset;
    let big_r = loop {
        if k == 0 {
            k = 1; // r = x − n must be non-zero
        }
        if k >= P_MINUS_N {
            return;
        }
        let x = N.wrapping_add(&U256::from_u128(k));
        let point = AffinePoint::decompress(&x.to_be_byte_array(), parity);
        if let Some(p) = Option::<AffinePoint>::from(point) {
            break ProjectivePoint::from(p);
        }
        k += 1;
    };
    let q = (big_r - ProjectivePoint::GENERATOR * a) * b.invert().unwrap();
    if q == ProjectivePoint::IDENTITY {
        return;
    }
    // Through the string parser, as a user's key would come.
    let sec1 = q.to_affine().to_encoded_point(input.byte() & 1 == 1);
    let key = KeyPair::parse_sec1(sec1.as_bytes()).expect("a point on the curve parses");
    let r = scalar_from_u128(k);
    let forged = forge(q, a, b, Some(r)).expect("R is not the identity");
    mutate_and_check(&key, forged, input);
}
