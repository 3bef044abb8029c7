"""The documentation's ``verify_webhook`` snippet, now one line over the SDK.

Palisade's documentation shows a Python function with this exact signature; existing code that
calls it keeps working, and gets the SDK's native verification. New code should prefer
``Webhook(public_key).verify(raw_body, headers)``, which also parses the event and says why a
delivery was refused.

Run it: ``python docs_snippet.py`` (signs a delivery with a test key and checks it).
"""

from __future__ import annotations

import json

import palisade_webhooks


def verify_webhook(
    public_key_b64: str | bytes, signature_b64: str | bytes, payload_b64: str | bytes
) -> bool:
    """True when ``signature_b64`` (the ``Signature`` header) signs ``payload_b64`` (the
    envelope's ``payload`` string) under ``public_key_b64`` (the webhook's key); each as
    ``str`` or ``bytes``, as the documentation's snippet takes them."""
    return palisade_webhooks.verify_webhook(public_key_b64, signature_b64, payload_b64)


def main() -> None:
    """Verify a test delivery, then a tampered one."""
    from palisade_webhooks.testing import TestSigner

    signer = TestSigner.generate()
    body, headers = signer.delivery("WALLET", {"id": "w-1", "updatedAt": "2025-04-08T11:48:56Z"})
    payload = json.loads(body)["payload"]
    signature = headers["Signature"]

    print("genuine delivery verifies:", verify_webhook(signer.public_key_b64, signature, payload))
    tampered = payload[:-4] + ("AAAA" if not payload.endswith("AAAA") else "BBBB")
    print("tampered payload verifies:", verify_webhook(signer.public_key_b64, signature, tampered))


if __name__ == "__main__":
    main()
