"""Every code block of the Python README, run as written (with a test key standing in for the
real one) and type-checked with ``mypy --strict``, so none can rot."""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import palisade_webhooks as pw
from palisade_webhooks.testing import TestSigner

from conftest import REPO, VECTORS, load_json, redis_url

README_PATH = REPO / "bindings-python" / "README.md"
README = README_PATH.read_text(encoding="utf-8")
BLOCKS = re.findall(r"```python\n(.*?)```", README, re.S)
SHELL_BLOCKS = re.findall(r"```sh\n(.*?)```", README, re.S)
SIGNER = TestSigner.from_seed(77)
WALLET = {"id": "w-1", "updatedAt": "2025-04-08T11:48:56Z"}

# What the fragments take as given, with its type (for mypy) and a value (to run them).
PRELUDE = """\
from pathlib import Path
from palisade_webhooks import Event, Webhook

PUBLIC_KEY: str
raw_body: bytes
headers: dict[str, str]
signature_b64: bytes
payload_b64: bytes
webhook: Webhook
event: Event
DATA_DIR: Path
REDIS_URL: str
"""


def run(code: str, **names: Any) -> tuple[dict[str, Any], str]:
    namespace: dict[str, Any] = {"__name__": "readme_example", **names}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "README.md", "exec"), namespace)
    return namespace, out.getvalue()


def delivery() -> tuple[bytes, dict[str, str]]:
    return SIGNER.delivery("WALLET", WALLET)


def key_of(body: bytes, headers: dict[str, str]) -> str:
    return pw.Webhook(SIGNER.public_key_b64).verify(body, headers).idempotency_key


# --- one runner per block, found by a marker only that block contains ---------------------------


def quick_start(code: str) -> None:
    raw_body, headers = delivery()
    ns, _ = run(code, PUBLIC_KEY=SIGNER.public_key_b64, raw_body=raw_body, headers=headers)
    assert isinstance(ns["event"], pw.Event)
    assert ns["event"].idempotency_key == key_of(raw_body, headers)


def try_it_offline(code: str) -> None:
    _, out = run(code)
    assert out.strip() == "TRANSACTION CONFIRMED 1.5"


def drop_in(code: str) -> None:
    body, headers = delivery()
    payload = json.loads(body)["payload"]
    key, signature = SIGNER.public_key_b64, headers["Signature"]
    for args in [(key, signature, payload), (key.encode(), signature.encode(), payload.encode())]:
        _, out = run(code, PUBLIC_KEY=args[0], signature_b64=args[1], payload_b64=args[2])
        assert out.strip() == "genuine"
    _, out = run(code, PUBLIC_KEY=key, signature_b64=signature, payload_b64=payload[:-4] + "AAAA")
    assert out == ""


def flask_adapter(code: str) -> None:
    ns, _ = run(code, PUBLIC_KEY=SIGNER.public_key_b64)
    client = ns["app"].test_client()
    body, headers = delivery()
    first = client.post("/webhooks/palisade", data=body, headers=headers)
    assert (first.status_code, first.data) == (200, b'{"status":"processed"}')
    again = client.post("/webhooks/palisade", data=body, headers=headers)
    assert (again.status_code, again.data) == (200, b'{"status":"duplicate"}')
    assert client.post("/webhooks/palisade", data=body).status_code == 401
    assert client.put("/webhooks/palisade", data=body, headers=headers).status_code == 405


def fastapi_adapter(code: str) -> None:
    from fastapi.testclient import TestClient

    ns, _ = run(code, PUBLIC_KEY=SIGNER.public_key_b64)
    with TestClient(ns["app"]) as client:
        body, headers = delivery()
        first = client.post("/webhooks/palisade", content=body, headers=headers)
        assert (first.status_code, first.content) == (200, b'{"status":"processed"}')
        again = client.post("/webhooks/palisade", content=body, headers=headers)
        assert (again.status_code, again.content) == (200, b'{"status":"duplicate"}')
        refused = client.post("/webhooks/palisade", content=body)
        assert (refused.status_code, refused.json()["error"]) == (401, "ERR_MISSING_SIGNATURE")
        assert client.put("/webhooks/palisade", content=body, headers=headers).status_code == 405


def django_adapter(code: str) -> None:
    import django_app  # noqa: F401 - configures Django for this process
    from django.test import RequestFactory

    ns, _ = run(code, PUBLIC_KEY=SIGNER.public_key_b64)
    view = ns["palisade_events"]
    body, headers = delivery()
    factory = RequestFactory()
    request = factory.post(
        "/webhooks/palisade",
        data=body,
        content_type="application/json",
        headers={"Signature": headers["Signature"]},
    )
    response = view(request)
    assert (response.status_code, response.content) == (200, b'{"status":"processed"}')
    assert view(factory.get("/webhooks/palisade")).status_code == 405


def any_framework(code: str) -> None:
    ns, _ = run(code, PUBLIC_KEY=SIGNER.public_key_b64)
    on_request = ns["on_request"]
    body, headers = delivery()
    json_type = [("Content-Type", "application/json")]
    assert on_request("POST", len(body), body, headers) == (200, json_type, b'{"status":"processed"}')
    assert on_request("POST", None, body, headers) == (200, json_type, b'{"status":"duplicate"}')
    status, answer_headers, _ = on_request("GET", None, b"", {})
    assert (status, answer_headers) == (405, [*json_type, ("Allow", "POST")])
    status, _, answer = on_request("POST", None, body, {})
    assert (status, json.loads(answer)["error"]) == (401, "ERR_MISSING_SIGNATURE")


def errors(code: str) -> None:
    webhook = pw.Webhook(SIGNER.public_key_b64)
    raw_body, _ = delivery()
    _, forged_headers = TestSigner.from_seed(78).delivery("WALLET", WALLET)
    _, out = run(code, webhook=webhook, raw_body=raw_body, headers=forged_headers)
    assert out.strip() == "forged or wrong key: ERR_INVALID_SIGNATURE"
    _, out = run(code, webhook=webhook, raw_body=raw_body, headers={})
    assert out.startswith("refused: ERR_MISSING_SIGNATURE no Signature header")


def diagnose(code: str) -> None:
    raw_body, headers = SIGNER.delivery("WALLET", WALLET, digest="sha256-double")
    _, out = run(code, webhook=pw.Webhook(SIGNER.public_key_b64), raw_body=raw_body, headers=headers)
    lines = out.splitlines()
    assert "sha256-double" in lines[0]
    assert lines[1].startswith("ok  public key - a P-256 key")
    assert any(line.startswith("ok  signature match") for line in lines)


def dedup(code: str) -> None:
    event = pw.Webhook(SIGNER.public_key_b64).verify(*delivery())
    ns, out = run(code, event=event)
    assert out.strip() == "process it once"
    assert ns["dedup"].claim(event).status == "duplicate"


def choosing_a_store(code: str, tmp_path: Path) -> None:
    ns, _ = run(code, DATA_DIR=tmp_path, REDIS_URL=redis_url())
    assert isinstance(ns["dedup"].store, pw.RedisStore)
    assert ns["dedup"].store.prefix == "payments:idem:"
    assert (tmp_path / "palisade-idempotency.sqlite3").exists()
    key = f"readme-{tmp_path.name}"
    with ns["dedup"].claim(key) as claim:
        assert claim.status == "new"
    assert ns["dedup"].claim(key).status == "duplicate"


def faulty_store_tools(code: str) -> None:
    ns, out = run(code)
    assert out.strip() == "200 b'{\"status\":\"processed\"}' warning"
    assert ns["store"].fail_at == "complete"


RUNNERS: dict[str, Callable[..., None]] = {
    "webhook = Webhook(PUBLIC_KEY)  ": quick_start,
    "TestSigner.generate()\nraw_body": try_it_offline,
    "verify_webhook(PUBLIC_KEY": drop_in,
    "from flask import Flask": flask_adapter,
    "from fastapi import FastAPI": fastapi_adapter,
    "palisade_webhooks.django": django_adapter,
    "def on_request(": any_framework,
    "except InvalidSignatureError": errors,
    "webhook.diagnose(": diagnose,
    "dedup.claim(event)": dedup,
    "SqliteStore(DATA_DIR": choosing_a_store,
    "FaultyStore(MemoryStore()": faulty_store_tools,
}


def block(marker: str) -> str:
    found = [b for b in BLOCKS if marker in b]
    assert len(found) == 1, (marker, len(found))
    return found[0]


def test_every_block_has_exactly_one_runner() -> None:
    for code in BLOCKS:
        markers = [m for m in RUNNERS if m in code]
        assert len(markers) == 1, (markers, code[:80])
    assert len(BLOCKS) == len(RUNNERS)


@pytest.mark.parametrize("marker", list(RUNNERS), ids=[r.__name__ for r in RUNNERS.values()])
def test_block_runs(marker: str, tmp_path: Path) -> None:
    runner = RUNNERS[marker]
    if runner is choosing_a_store:
        runner(block(marker), tmp_path)
    else:
        runner(block(marker))


def test_every_block_type_checks(tmp_path: Path) -> None:
    """``mypy --strict`` over every block, each a module after the names it takes as given
    (Django ships no type information, so its imports are untyped)."""
    files = []
    for i, code in enumerate(BLOCKS):
        line = README[: README.index(code)].count("\n") + 1
        path = tmp_path / f"readme_block_{i}.py"
        path.write_text(f"{PRELUDE}\n# README.md line {line}\n{code}", encoding="utf-8")
        files.append(str(path))
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--disable-error-code=import-untyped", *files],
        capture_output=True,
        text=True,
        env={**os.environ, "MYPY_CACHE_DIR": os.devnull},
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_install_commands_are_the_ones_the_tests_run() -> None:
    """The README's shell blocks are install commands: the registry name (with an extra that
    pyproject.toml declares), or make dist's wheel, which ``make test-dist`` installs into a fresh
    venv outside the checkout; and the from-source command in the text is what ``make
    test-python`` runs before every run."""
    commands = [
        line.split("#")[0].strip()
        for block in SHELL_BLOCKS
        for line in block.splitlines()
        if line.split("#")[0].strip()
    ]
    pyproject = (REPO / "bindings-python" / "pyproject.toml").read_text(encoding="utf-8")
    extras = set(re.findall(r"^(\w+) = \[", pyproject.split("[project.optional-dependencies]")[1], re.M))
    for command in commands:
        if re.fullmatch(r"[A-Z_]+=\S+", command):
            continue  # a shell variable the next line uses
        extra = re.fullmatch(r'pip install "palisade-webhooks\[(\w+)\]"', command)
        assert (
            command in ("pip install palisade-webhooks", 'pip install "$DIST"/python/palisade_webhooks-*.whl')
            or (extra is not None and extra.group(1) in extras)
        ), command
    assert len(commands) >= 3
    assert "`pip install ./bindings-python`" in README
    makefile = (REPO / "mk" / "python.mk").read_text(encoding="utf-8")
    assert re.search(r"pip install [^\n]*\./\$\(PY_DIR\)\n", makefile)
    assert "PY_DIR := bindings-python" in makefile
    dist_test = (REPO / "tests" / "dist" / "run.py").read_text(encoding="utf-8")
    assert 'one("python/*.whl")' in dist_test


def test_the_answer_table_is_the_cores() -> None:
    """Each row of the adapters' table: the exact bodies are answers the receiver vectors
    expect with that status, and the listed error codes have that status."""
    table = README[README.index("| situation | status | body |") :].split("\n\n")[0]
    rows = [r.split("|")[1:-1] for r in table.splitlines()[2:]]
    expected = {
        (s["expect"]["status"], s["expect"]["body"])
        for case in load_json(VECTORS / "receiver.json")["cases"]
        for s in case["steps"]
    }
    codes_seen = set()
    for situation, status, body in rows:
        exact = re.match(r"\s*`(\{[^`]*\})`", body)
        if exact and "…" not in exact.group(1):
            assert (int(status), exact.group(1)) in expected, (situation, status, body)
            codes_seen.add(json.loads(exact.group(1)).get("status") or json.loads(exact.group(1))["error"])
        for code in re.findall(r"`(ERR_[A-Z_]+)`", situation):
            assert pw.http_status(code) == int(status), (code, status)
            codes_seen.add(code)
    assert codes_seen == set(pw.ERROR_CODES) - {"ERR_INVALID_PUBLIC_KEY", "ERR_BODY_NOT_RAW"} | set(
        pw.RECEIVER_CODES
    )
