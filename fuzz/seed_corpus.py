#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpora from the shared test vectors.

    python3 fuzz/seed_corpus.py [OUT_DIR]      (default: fuzz/corpus)

Reads tests/vectors/conformance.json and the Wycheproof ECDSA P-256 / SHA-256 file, and writes
one file per distinct seed into OUT_DIR/<target>/seed-<sha1 of content>, in each target's input
format (see fuzz/src/lib.rs). Generated at run time, never committed; files the fuzzer added to
the same directories are left alone. Standard library only.
"""

import base64
import hashlib
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VECTORS = os.path.join(ROOT, "tests", "vectors")

# The fixed keys of verify_differential (order matters: the selector byte indexes this list).
FIXED_KEY_COUNT = 6
N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def signature_header(headers):
    for name, value in headers:
        if name.strip().lower() == "signature":
            return value
    return None


def be32(value):
    return (value % (1 << 256)).to_bytes(32, "big")


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "fuzz", "corpus")
    conformance = load(os.path.join(VECTORS, "conformance.json"))
    wycheproof = load(
        os.path.join(VECTORS, "wycheproof", "ecdsa_secp256r1_sha256_test.json")
    )
    seeds = {t: set() for t in ("envelope", "keys", "signature", "verify_differential", "event_json")}

    def text(target, value):
        seeds[target].add(value.encode("utf-8"))

    # Conformance cases.
    for case in conformance["cases"]:
        body = base64.b64decode(case["body_b64"])
        sig = signature_header(case["headers"])
        if sig is None:
            envelope = body if b"\n" not in body else b"\n" + body
        else:
            envelope = sig.encode("utf-8") + b"\n" + body
        seeds["envelope"].add(envelope)
        for key in case["keys"]:
            text("keys", key)
        if sig is not None:
            text("signature", sig)
        expect = case["expect"]
        if expect.get("ok"):
            envelope_json = json.loads(body)
            payload = envelope_json["payload"]
            raw = base64.b64decode(payload + "=" * (-len(payload) % 4)).decode("utf-8")
            fields = [
                ("domain", expect["domain"]),
                ("timestamp", expect.get("timestamp")),
                ("idempotency_key", expect["idempotency_key"]),
                ("resource_id", expect.get("resource_id")),
                ("updated_at", expect.get("updated_at")),
                ("status", expect.get("status")),
                ("payload", payload),
                ("key_fingerprint", expect["key_fingerprint"]),
            ]
            event = "{" + ",".join(f"{json.dumps(k)}:{json.dumps(v)}" for k, v in fields)
            text("event_json", event + ',"raw":' + raw + "}")
            # Mode 0 of verify_differential on fixed key 0 (the vectors' primary key).
            if sig is not None and case["keys"] == [conformance["keys"]["primary"]["public_key"]]:
                digest = hashlib.sha256(payload.encode("ascii")).digest()
                seeds["verify_differential"].add(
                    bytes([0, 0]) + digest + base64.b64decode(sig)
                )
    for case in conformance["verify_webhook_cases"]:
        text("keys", case["public_key"])
        text("signature", case["signature"])
        body = json.dumps({"domain": "TRANSACTION", "payload": case["payload"]})
        seeds["envelope"].add(case["signature"].encode("utf-8") + b"\n" + body.encode("utf-8"))
    for entry in conformance["keys"].values():
        text("keys", entry["public_key"])

    # Wycheproof: keys in three formats, signatures, and digest-level differential seeds.
    for group in wycheproof["testGroups"]:
        der = bytes.fromhex(group["publicKeyDer"])
        point = bytes.fromhex(group["publicKey"]["uncompressed"])
        text("keys", base64.b64encode(der).decode("ascii"))
        text("keys", group["publicKeyPem"])
        text("keys", point.hex())
        for test in group["tests"]:
            sig = bytes.fromhex(test["sig"])
            text("signature", base64.b64encode(sig).decode("ascii"))
            digest = hashlib.sha256(bytes.fromhex(test["msg"])).digest()
            # Mode 0, selector 0x80: a 65-byte SEC1 key follows.
            seeds["verify_differential"].add(bytes([0, 0x80]) + point + digest + sig)

    # Modes 2 and 3 of verify_differential: every fixed key with edge and ordinary scalars.
    scalars = [0, 1, 2, N - 1, N - 2, 1 << 128, (1 << 255) + 12345, 0x80 * sum(256**i for i in range(32))]
    for key in range(FIXED_KEY_COUNT):
        for i, a in enumerate(scalars):
            b = scalars[(i * 3 + 1) % len(scalars)]
            ops = bytes([5, 0, 1, 0]) if i % 2 else bytes([0, 0, 6, 0])
            seeds["verify_differential"].add(bytes([2, key]) + be32(a) + be32(b) + ops)
            # u1 = u2: with Q = ±G the same table entries meet (doubling and cancelling sums).
            seeds["verify_differential"].add(bytes([2, key]) + be32(a) + be32(a) + ops)
    for i, a in enumerate(scalars):
        offset = (i * 0x1234567) .to_bytes(16, "big")
        seeds["verify_differential"].add(
            bytes([3]) + offset + bytes([i & 1]) + be32(a) + be32(scalars[-1 - i]) + bytes([i & 1, 5, 0])
        )

    for target, items in seeds.items():
        directory = os.path.join(out, target)
        os.makedirs(directory, exist_ok=True)
        for item in items:
            name = "seed-" + hashlib.sha1(item).hexdigest()
            with open(os.path.join(directory, name), "wb") as f:
                f.write(item)
        print(f"{target}: {len(items)} seeds")


if __name__ == "__main__":
    main()
