"""Smoke test of the installed Python package (run by tests/dist/run.py in a fresh venv).

A TestSigner delivery is verified, a tampered one is refused with its code, and the Flask
adapter answers both over real HTTP on 127.0.0.1. Prints one JSON line of facts the runner checks.
"""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from importlib.metadata import version as installed_version

from flask import Flask
from werkzeug.serving import make_server

import palisade_webhooks
from palisade_webhooks import Event, InvalidSignatureError, Webhook
from palisade_webhooks.flask import palisade_webhook
from palisade_webhooks.testing import TestSigner

signer = TestSigner.generate()
webhook = Webhook(signer.public_key_b64)
body, headers = signer.delivery(
    "TRANSACTION", {"id": "tx-1", "status": "CONFIRMED", "updatedAt": "2025-05-08T14:15:37Z"}
)
other_body, _ = signer.delivery(
    "TRANSACTION", {"id": "tx-2", "status": "CONFIRMED", "updatedAt": "2025-05-08T14:15:37Z"}
)

event = webhook.verify(body, headers)
assert (event.domain, event.idempotency_key) == ("TRANSACTION", "TRANSACTION/tx-1/2025-05-08T14:15:37Z"), event

# Another delivery's body under this one's signature: well-formed, but not what was signed.
try:
    webhook.verify(other_body, headers)
except InvalidSignatureError as e:
    tampered_code = e.code
else:
    raise AssertionError("a tampered delivery was accepted")
assert tampered_code == "ERR_INVALID_SIGNATURE", tampered_code

app = Flask(__name__)
seen: list[str] = []


@app.post("/webhooks/palisade")
@palisade_webhook(webhook)
def on_event(event: Event) -> None:
    seen.append(event.idempotency_key)


server = make_server("127.0.0.1", 0, app, threaded=True)
threading.Thread(target=server.serve_forever, daemon=True).start()
url = f"http://127.0.0.1:{server.server_port}/webhooks/palisade"


def post(data: bytes) -> tuple[int, dict[str, str]]:
    request = urllib.request.Request(url, data=data, headers=dict(headers), method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


try:
    http_ok = post(body)
    http_tampered = post(other_body)
finally:
    server.shutdown()
assert http_ok == (200, {"status": "processed"}), http_ok
assert seen == ["TRANSACTION/tx-1/2025-05-08T14:15:37Z"], seen
assert http_tampered[0] == 401 and http_tampered[1]["error"] == "ERR_INVALID_SIGNATURE", http_tampered

print(
    json.dumps(
        {
            "module_file": palisade_webhooks.__file__,
            "native_file": palisade_webhooks._native.__file__,
            "version": palisade_webhooks.__version__,
            "dist_version": installed_version("palisade-webhooks"),
            "tampered": tampered_code,
            "http": [http_ok[0], http_tampered[0]],
        }
    )
)
