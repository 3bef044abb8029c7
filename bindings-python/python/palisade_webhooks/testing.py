"""Test helpers: sign deliveries exactly as Palisade would, to test receivers offline, and
make a store fail on purpose (:class:`FaultyStore`) to test how a receiver answers outages.

Example::

    from palisade_webhooks import Webhook
    from palisade_webhooks.testing import TestSigner

    signer = TestSigner.generate()
    body, headers = signer.delivery("WALLET", {"id": "w1", "updatedAt": "2025-04-08T11:48:56Z"})
    event = Webhook(signer.public_key_b64).verify(body, headers)
"""

from __future__ import annotations

from ._native import FaultyStore, TestSigner

__all__ = ["FaultyStore", "TestSigner"]
