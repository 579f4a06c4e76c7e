"""A fake API on a real socket (http.server in a thread): the CLI's requests, answers chosen per test."""

from __future__ import annotations

import json
import threading
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from infra.cli import http as cli_http
from infra.cli import main as cli_main

KEY = "sk_test_cli_unit_0000"


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


Reply = tuple[int, dict[str, str], bytes]
Handler = Callable[[Seen], Reply]


def reply_json(status: int, obj: Any, headers: dict[str, str] | None = None) -> Reply:
    return status, {"Content-Type": "application/json", **(headers or {})}, json.dumps(obj).encode()


def reply_error(status: int, code: str, message: str, details: Any = None) -> Reply:
    return reply_json(status, {"error": {"code": code, "message": message, "details": details}})


def reply_csv(text: str, next_cursor: str | None = None) -> Reply:
    headers = {"Content-Type": "text/csv; charset=utf-8"}
    if next_cursor:
        headers["X-Next-Cursor"] = next_cursor
    return 200, headers, text.encode()


@dataclass
class FakeApi:
    url: str
    routes: dict[tuple[str, str], Handler] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)

    def on(self, method: str, path: str, handler: Handler | Reply) -> None:
        self.routes[(method, path)] = handler if callable(handler) else (lambda _s, r=handler: r)

    def answer(self, seen: Seen) -> Reply:
        self.seen.append(seen)
        handler = self.routes.get((seen.method, seen.path))
        if handler is None:
            return reply_error(404, "not_found", f"no fake route {seen.method} {seen.path}")
        return handler(seen)


@pytest.fixture
def fake_api() -> Iterator[FakeApi]:
    api = FakeApi(url="")

    class Handler(BaseHTTPRequestHandler):
        def _any(self) -> None:
            parts = urllib.parse.urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            seen = Seen(
                self.command,
                urllib.parse.unquote(parts.path),
                dict(urllib.parse.parse_qsl(parts.query)),
                {k.lower(): v for k, v in self.headers.items()},
                self.rfile.read(length) if length else b"",
            )
            status, headers, body = api.answer(seen)
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_PATCH = do_DELETE = _any

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - http.server's signature
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    api.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield api
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    """No profile file, variable or retry delay of the machine running the tests leaks in."""
    for name in ("PASSAPAROLA_URL", "PASSAPAROLA_SECRET_KEY", "PASSAPAROLA_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PASSAPAROLA_PROFILES", str(tmp_path / "no-profiles.toml"))
    monkeypatch.setattr(cli_http, "RETRY_DELAYS", (0.0, 0.0, 0.0))
    monkeypatch.setattr(cli_main, "POLL_SECONDS", 0.0)


@pytest.fixture
def run(fake_api: FakeApi, capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, str, str]]:
    """`run("keys", "list")` → (exit code, stdout, stderr), against the fake API with a key."""

    def _run(*argv: str, connect: bool = True) -> tuple[int, str, str]:
        extra = ["--url", fake_api.url, "--key", KEY] if connect else []
        code = cli_main.main([*argv, *extra])
        out, err = capsys.readouterr()
        return code, out, err

    return _run
