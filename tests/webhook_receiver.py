"""A webhook receiver for tests: an HTTP server on 127.0.0.1 (a thread) that verifies each delivery's signatures
with the Standard Webhooks reference algorithm, written here from the specification (not the engine's code)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def reference_signature(secret: str, msg_id: str, timestamp: str, body: bytes) -> str:
    """Standard Webhooks 1.0: base64(HMAC-SHA256(base64decode(secret without whsec_), "id.timestamp.body"))."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    content = msg_id.encode() + b"." + timestamp.encode() + b"." + body
    return base64.b64encode(hmac.new(key, content, hashlib.sha256).digest()).decode()


def verified_by(secret: str, headers: dict[str, str], body: bytes) -> bool:
    expected = reference_signature(secret, headers["webhook-id"], headers["webhook-timestamp"], body)
    passed = [p.split(",", 1)[1] for p in headers["webhook-signature"].split(" ") if p.startswith("v1,")]
    return any(hmac.compare_digest(expected, p) for p in passed)


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    answered: int

    @property
    def event(self) -> dict[str, Any]:
        return json.loads(self.body)  # type: ignore[no-any-return]

    @property
    def id(self) -> str:
        return self.headers["webhook-id"]

    @property
    def signatures(self) -> list[str]:
        return self.headers["webhook-signature"].split(" ")


@dataclass
class Receiver:
    """Answers the statuses of `plan` in turn (then `default`); `down` answers 503 to everything."""

    url: str = ""
    secrets: list[str] = field(default_factory=list)
    """Each one must verify the delivery (both during a rotation)."""
    others: list[str] = field(default_factory=list)
    """Secrets of other endpoints posting here: one of them verifying is enough."""
    plan: list[int] = field(default_factory=list)
    default: int = 200
    received: list[Received] = field(default_factory=list)
    unverified: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def handle(self, headers: dict[str, str], body: bytes) -> int:
        with self.lock:
            status = self.plan.pop(0) if self.plan else self.default
            item = Received(headers, body, status)
            mine = bool(self.secrets) and all(verified_by(s, headers, body) for s in self.secrets)
            if mine or any(verified_by(s, headers, body) for s in self.others):
                self.received.append(item)
            else:
                self.unverified.append(item)
            return status

    def wait(self, predicate: Callable[[list[Received]], bool], timeout: float = 30) -> list[Received]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                got = list(self.received)
            if predicate(got):
                return got
            time.sleep(0.1)
        raise AssertionError(f"receiver: not seen in {timeout} s; got {[r.event['type'] for r in self.received]}")

    def succeeded(self) -> list[Received]:
        with self.lock:
            return [r for r in self.received if 200 <= r.answered < 300]


@contextmanager
def running_receiver() -> Iterator[Receiver]:
    receiver = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            status = receiver.handle({k.lower(): v for k, v in self.headers.items()}, body)
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hooks"
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
