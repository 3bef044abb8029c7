"""The receiver vectors (tests/vectors/receiver.json) and what replaying them through an
adapter takes: a receiver per case, a handler that succeeds or fails as a step says, real HTTP
servers on 127.0.0.1 (chunked bodies included), and the check of every answer's bytes.

Each adapter's test file builds its framework's app with one route per case (``/<case name>``)
and replays every case through it, over real HTTP and through the framework's test client.
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import palisade_webhooks as pw
from palisade_webhooks.testing import FaultyStore

from conftest import VECTORS, load_json

DOC = load_json(VECTORS / "receiver.json")
CASES: list[dict[str, Any]] = DOC["cases"]
CASE_IDS = [case["name"] for case in CASES]
# The framework test clients send a Content-Length; the chunked cases go over real HTTP.
CLIENT_CASES = [c for c in CASES if all(s["request"]["send_length"] for s in c["steps"])]
CLIENT_CASE_IDS = [case["name"] for case in CLIENT_CASES]
FAILURE = "the test handler failed"


@dataclass(frozen=True)
class Request:
    """One request of a step, as the vectors state it."""

    method: str
    headers: list[tuple[str, str]]
    body: bytes
    send_length: bool

    @staticmethod
    def of(step: dict[str, Any]) -> Request:
        r = step["request"]
        return Request(
            method=r["method"],
            headers=[(name, value) for name, value in r["headers"]],
            body=base64.b64decode(r["body_b64"]),
            send_length=r["send_length"],
        )

    @property
    def declared_length(self) -> int | None:
        return len(self.body) if self.send_length else None

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)

    def joined_headers(self) -> dict[str, str]:
        """The headers as a WSGI server presents them: repeated names joined with commas."""
        joined: dict[str, str] = {}
        for name, value in self.headers:
            joined[name] = f"{joined[name]},{value}" if name in joined else value
        return joined


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes
    headers: dict[str, str]  # lower-case names


Send = Callable[[str, Request], Reply]
"""Sends a request to a path of the app under test and returns the reply."""


class Handler:
    """The user's handler: succeeds or raises as the current step says, and counts its runs."""

    def __init__(self) -> None:
        self.mode = "ok"
        self.runs = 0

    def __call__(self, event: pw.Event, *args: Any, **kwargs: Any) -> None:
        assert isinstance(event, pw.Event)
        self.runs += 1
        if self.mode == "fail":
            raise RuntimeError(FAILURE)


def receiver_for(case: dict[str, Any]) -> pw.Receiver:
    webhook = pw.Webhook(DOC["keys"], max_body_bytes=DOC["max_body_bytes"])
    if not case["deduplicator"]:
        return pw.Receiver(webhook)
    store = FaultyStore(pw.MemoryStore(), case["store_fails_at"])
    return pw.Receiver(webhook, pw.Deduplicator(store))


@dataclass(frozen=True)
class Route:
    """One case's route: its path, receiver and handler."""

    path: str
    receiver: pw.Receiver
    handler: Handler


def routes(cases: list[dict[str, Any]]) -> dict[str, Route]:
    """A fresh route per case (fresh receivers: the vectors start from empty stores)."""
    return {c["name"]: Route(f"/{c['name']}", receiver_for(c), Handler()) for c in cases}


def replay(case: dict[str, Any], route: Route, send: Send) -> None:
    """Every step of ``case`` through ``send``: the status, the exact body bytes, the headers
    and whether the handler ran must be what the vectors state."""
    for i, step in enumerate(case["steps"]):
        where = f"{case['name']}#{i}"
        request = Request.of(step)
        route.handler.mode = step["handler"]
        runs = route.handler.runs
        held = None
        if step["hold"]:  # another worker holds the event while this request is answered
            held = route.receiver.begin(
                request.body, request.headers, declared_length=request.declared_length
            )
            assert isinstance(held, pw.Processing), where
        try:
            reply = send(route.path, request)
        finally:
            if held is not None:
                held.ticket.finish_ok()
        expect = step["expect"]
        assert reply.status == expect["status"], (where, reply)
        assert reply.body == expect["body"].encode(), (where, reply.body)
        answer = json.loads(reply.body)
        assert answer.get("status", answer.get("error")) == expect["code"], where
        assert reply.headers.get("content-type") == "application/json", (where, reply.headers)
        if expect["code"] == "ERR_METHOD_NOT_ALLOWED":
            assert reply.headers.get("allow") == "POST", (where, reply.headers)
        assert (route.handler.runs > runs) == expect["handler_runs"], where


def replay_all(table: dict[str, Route], send: Send, cases: list[dict[str, Any]] = CASES) -> None:
    for case in cases:
        replay(case, table[case["name"]], send)


# --- real HTTP on 127.0.0.1 ----------------------------------------------------------------------


def chunked(body: bytes, size: int = 1000) -> bytes:
    """``body`` in the chunked transfer coding, in chunks of ``size`` bytes."""
    out = bytearray()
    for start in range(0, len(body), size):
        piece = body[start : start + size]
        out += f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
    return bytes(out + b"0\r\n\r\n")


def http_sender(port: int) -> Send:
    """Sends over a fresh connection: a ``Content-Length`` when the step sends one, else the
    body chunked; repeated headers are sent repeated."""

    def send(path: str, request: Request) -> Reply:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            conn.putrequest(request.method, path, skip_accept_encoding=True)
            for name, value in request.headers:
                conn.putheader(name, value)
            if request.send_length:
                conn.putheader("Content-Length", str(len(request.body)))
                conn.endheaders(request.body)
            else:
                conn.putheader("Transfer-Encoding", "chunked")
                conn.endheaders(chunked(request.body))
            response = conn.getresponse()
            body = response.read()
            headers = {k.lower(): v for k, v in response.getheaders()}
            return Reply(response.status, body, headers)
        finally:
            conn.close()

    return send


def free_socket() -> socket.socket:
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@contextlib.contextmanager
def wsgi_server(app: Any) -> Iterator[int]:
    """A WSGI app on Werkzeug's threaded server (it decodes chunked bodies, as gunicorn does);
    yields the port."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.port
    finally:
        server.shutdown()
        thread.join(timeout=30)


@contextlib.contextmanager
def asgi_server(app: Any) -> Iterator[int]:
    """An ASGI app on uvicorn, in a thread; yields the port."""
    import uvicorn

    sock = free_socket()
    port = int(sock.getsockname()[1])
    config = uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 60
        while not server.started:
            assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.01)
        yield port
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()


def unfinished_chunked_reply(port: int, path: str, request: Request, extra: int) -> Reply:
    """Sends ``request`` chunked with ``extra`` bytes more than its body and never ends the
    body: only an adapter that stops reading past the limit can answer (a whole-body read
    would wait for the rest until the client gives up)."""
    with socket.create_connection(("127.0.0.1", port), timeout=60) as s:
        head = [f"{request.method} {path} HTTP/1.1", f"Host: 127.0.0.1:{port}"]
        head += [f"{name}: {value}" for name, value in request.headers]
        head += ["Transfer-Encoding: chunked", "", ""]
        body = request.body + b" " * extra
        s.sendall("\r\n".join(head).encode() + f"{len(body):x}\r\n".encode() + body + b"\r\n")
        response = http.client.HTTPResponse(s)
        response.begin()
        body = response.read()
        return Reply(response.status, body, {k.lower(): v for k, v in response.getheaders()})
