"""A local API Gateway (REST, Lambda proxy integration) for the routes template.yaml declares.

Each HTTP request becomes an API Gateway v1 proxy event for the matching function; the function's proxy
response becomes the HTTP response. Authentication is the functions' business: headers pass unchanged.
Local-only endpoints (/health, /openapi.json, /docs, /local/jobs/<id>, /local/clock) are answered here, never
deployed.
"""

from __future__ import annotations

import base64
import gzip
import hmac
import json
import logging
import re
import threading
import time
import traceback
import uuid
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, parse_qsl, unquote, urlsplit

from infra.local.template import ACCOUNT_ID, ApiEvent

if TYPE_CHECKING:
    from infra.local.stack import Stack

log = logging.getLogger("infra.local")
access_log = logging.getLogger("infra.local.access")

CORS_HEADERS = "Authorization,Content-Type,X-Publishable-Key,Idempotency-Key,X-Customer-Token"
HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")


# ------------------------------------------------------------------------------------------ routing
@dataclass
class Route:
    event: ApiEvent
    segments: list[tuple[str, str]]  # (kind, text): kind is "lit", "param" or "greedy"

    @classmethod
    def of(cls, event: ApiEvent) -> Route:
        segs: list[tuple[str, str]] = []
        for part in [p for p in event.path.strip("/").split("/") if p]:
            m = re.fullmatch(r"\{(\w+)(\+?)\}", part)
            segs.append(("greedy" if m.group(2) else "param", m.group(1)) if m else ("lit", part))
        return cls(event, segs)

    @property
    def rank(self) -> tuple[int, ...]:
        """API Gateway prefers literal segments over {param} over {proxy+}, left to right."""
        return tuple({"lit": 0, "param": 1, "greedy": 2}[k] for k, _ in self.segments)

    def match(self, parts: list[str]) -> dict[str, str] | None:
        params: dict[str, str] = {}
        for i, (kind, text) in enumerate(self.segments):
            if kind == "greedy":
                if i >= len(parts):
                    return None
                params[text] = "/".join(parts[i:])
                return params
            if i >= len(parts):
                return None
            if kind == "lit" and parts[i] != text:
                return None
            if kind == "param":
                params[text] = parts[i]
        return params if len(parts) == len(self.segments) else None


class Router:
    def __init__(self, events: list[ApiEvent]) -> None:
        self.routes = [Route.of(e) for e in events]

    def candidates(self, path: str) -> list[tuple[Route, dict[str, str]]]:
        parts = [unquote(p) for p in path.strip("/").split("/") if p]
        found = [(r, p) for r in self.routes if (p := r.match(parts)) is not None]
        return sorted(found, key=lambda rp: rp[0].rank)

    def resolve(self, method: str, path: str) -> tuple[Route | None, dict[str, str], list[str]]:
        """(route, path parameters, allowed methods); route None with methods [] → 404, else → 405."""
        found = self.candidates(path)
        if not found:
            return None, {}, []
        best_rank = found[0][0].rank
        same = [(r, p) for r, p in found if r.rank == best_rank] + [(r, p) for r, p in found if r.rank != best_rank]
        for route, params in same:
            if route.event.method in (method, "ANY"):
                return route, params, []
        allowed = sorted({r.event.method for r, _ in found})
        return None, {}, allowed


# --------------------------------------------------------------------------------------- the event
def build_event(
    *,
    method: str,
    raw_path: str,
    headers: list[tuple[str, str]],
    body: bytes,
    route: Route,
    path_params: dict[str, str],
    source_ip: str,
    stage: str,
    binary_media_types: list[str] | None = None,
) -> dict[str, Any]:
    """An API Gateway REST (v1) Lambda proxy event.

    Like API Gateway, the body is text (invalid UTF-8 replaced) unless the request's Content-Type
    matches one of the API's BinaryMediaTypes: then it is base64 with isBase64Encoded true.
    """
    split = urlsplit(raw_path)
    path = unquote(split.path) or "/"
    single_h: dict[str, str] = {}
    multi_h: dict[str, list[str]] = {}
    for name, value in headers:
        single_h[name] = value
        multi_h.setdefault(name, []).append(value)
    if not any(k.lower() == "x-forwarded-proto" for k in single_h):
        single_h["X-Forwarded-Proto"] = "http"  # API Gateway adds it (https); the local stack speaks http
        multi_h["X-Forwarded-Proto"] = ["http"]
    single_q: dict[str, str] = {}
    multi_q: dict[str, list[str]] = {}
    for name, value in parse_qsl(split.query, keep_blank_values=True):
        single_q[name] = value
        multi_q.setdefault(name, []).append(value)
    text: str | None = None
    lower = {k.lower(): v for k, v in single_h.items()}
    b64 = bool(body) and is_binary(lower.get("content-type", ""), binary_media_types or [])
    if body:
        text = base64.b64encode(body).decode() if b64 else body.decode("utf-8", errors="replace")
    now = datetime.now(UTC)
    request_id = str(uuid.uuid4())
    return {
        "resource": route.event.path,
        "path": path,
        "httpMethod": method,
        "headers": single_h or None,
        "multiValueHeaders": multi_h or None,
        "queryStringParameters": single_q or None,
        "multiValueQueryStringParameters": multi_q or None,
        "pathParameters": path_params or None,
        "stageVariables": None,
        "requestContext": {
            "accountId": ACCOUNT_ID,
            "apiId": "local",
            "resourceId": "local",
            "resourcePath": route.event.path,
            "httpMethod": method,
            "requestId": request_id,
            "extendedRequestId": request_id,
            "requestTime": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "requestTimeEpoch": int(now.timestamp() * 1000),
            "path": path,  # the URL the client used: no stage prefix locally (like a custom domain)
            "protocol": "HTTP/1.1",
            "stage": stage,
            "domainName": lower.get("host", "localhost"),
            "domainPrefix": "local",
            "identity": {
                "sourceIp": source_ip,
                "userAgent": lower.get("user-agent"),
                "accountId": None,
                "apiKey": None,
                "caller": None,
                "user": None,
                "userArn": None,
                "cognitoIdentityId": None,
                "cognitoIdentityPoolId": None,
                "cognitoAuthenticationType": None,
                "cognitoAuthenticationProvider": None,
                "accessKey": None,
            },
        },
        "body": text,
        "isBase64Encoded": b64,
    }


def is_binary(content_type: str, binary_media_types: list[str]) -> bool:
    """Content-Type against BinaryMediaTypes as SAM writes them (`image~1png`, `*~1*`)."""
    ctype = content_type.split(";", 1)[0].strip().lower()
    if not ctype:
        return False
    for pattern in binary_media_types:
        want = pattern.replace("~1", "/").lower()
        main, _, subtype = want.partition("/")
        cmain, _, csub = ctype.partition("/")
        if want in ("*/*", "*") or (main in ("*", cmain) and subtype in ("*", csub)):
            return True
    return False


@dataclass
class HttpResponse:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


def accepts_binary(accept: str | None, binary_media_types: list[str]) -> bool:
    """API Gateway's rule for a proxy response with isBase64Encoded: the bytes are sent only when the request's
    first Accept type matches a binary media type (`*/*` there matches every type); otherwise the base64 text is."""
    first = (accept or "").split(",", 1)[0]
    return is_binary(first, binary_media_types)


def map_response(result: Any, accept: str | None = None, binary_media_types: list[str] | None = None) -> HttpResponse:
    """Lambda proxy response → HTTP; anything malformed is a 502, as API Gateway does. A base64 body is decoded
    as API Gateway does (`accepts_binary`) when the binary media types are given, always otherwise."""
    if not isinstance(result, dict) or not isinstance(result.get("statusCode"), int):
        log.error("malformed Lambda proxy response: %r", result if len(repr(result)) < 500 else repr(result)[:500])
        return error_response(502, "internal_error", "The function returned a malformed proxy response.")
    multi = {k: [str(v) for v in vs] for k, vs in (result.get("multiValueHeaders") or {}).items()}
    headers: list[tuple[str, str]] = [(k, v) for k, vs in multi.items() for v in vs]
    lower_multi = {k.lower() for k in multi}
    headers += [(k, str(v)) for k, v in (result.get("headers") or {}).items() if k.lower() not in lower_multi]
    body = result.get("body")
    if body is None:
        raw = b""
    elif result.get("isBase64Encoded") and (binary_media_types is None or accepts_binary(accept, binary_media_types)):
        raw = base64.b64decode(body)
    else:
        raw = str(body).encode("utf-8")
    return HttpResponse(result["statusCode"], headers, raw)


def accepted_encodings(header: str) -> list[str]:
    """Accept-Encoding's codings the client takes (q > 0), in the client's order of preference."""
    ranked: list[tuple[float, int, str]] = []
    for i, part in enumerate(header.split(",")):
        coding, _, params = part.strip().partition(";")
        q = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if coding and q > 0:
            ranked.append((-q, i, coding.strip().lower()))
    return [coding for _, _, coding in sorted(ranked)]


def compress(resp: HttpResponse, accept_encoding: str, minimum: int | None) -> HttpResponse:
    """API Gateway's `MinimumCompressionSize`: a body of at least `minimum` bytes is gzipped (or deflated) for a
    client whose Accept-Encoding takes it; none set, a smaller body, or one already encoded pass unchanged."""
    if minimum is None or len(resp.body) < minimum or resp.status in (204, 304):
        return resp
    if any(k.lower() == "content-encoding" for k, _ in resp.headers):
        return resp
    for coding in accepted_encodings(accept_encoding):
        if coding in ("gzip", "x-gzip", "*"):
            body = gzip.compress(resp.body, mtime=0)
            return HttpResponse(resp.status, [*resp.headers, ("Content-Encoding", "gzip")], body)
        if coding == "deflate":
            return HttpResponse(resp.status, [*resp.headers, ("Content-Encoding", "deflate")], zlib.compress(resp.body))
        if coding == "identity":
            return resp
    return resp


def json_response(status: int, payload: Any, headers: list[tuple[str, str]] | None = None) -> HttpResponse:
    body = json.dumps(payload, default=str).encode()
    return HttpResponse(status, [("Content-Type", "application/json"), *(headers or [])], body)


def error_response(status: int, code: str, message: str, details: dict[str, Any] | None = None) -> HttpResponse:
    return json_response(status, {"error": {"code": code, "message": message, "details": details or {}}})


def recorder_listing(
    method: str,
    query: str,
    *,
    allowed: HttpResponse | None,
    key: str,
    filter_param: str,
    read: Callable[[str | None, int], list[Any]],
    clear: Callable[[], None],
    limits: tuple[int, int] = (200, 1000),
) -> HttpResponse:
    """A local recorder's listing (/local/mailbox, /local/events, /local/push): GET `{key: [...]}` newest first,
    `?limit` and one filter parameter; DELETE empties it. `allowed` is the caller's refusal, if any."""
    if allowed is not None:
        return allowed
    if method == "DELETE":
        clear()
        return json_response(200, {key: []})
    if method not in ("GET", "HEAD"):
        return error_response(405, "method_not_allowed", "Use GET or DELETE.")
    args = parse_qs(query)
    default, most = limits
    try:
        limit = int((args.get("limit") or [str(default)])[0])
    except ValueError:
        limit = 0
    if not 1 <= limit <= most:
        return error_response(400, "invalid_request", f"limit must be 1-{most}.", {"fields": [{"field": "limit"}]})
    return json_response(200, {key: read((args.get(filter_param) or [""])[0] or None, limit)})


def secret_key_refusal(headers: list[tuple[str, str]], secret_key: str, what: str) -> HttpResponse | None:
    """None when the request carries the secret key as its bearer; else the 401/403 to answer."""
    auth = next((v for k, v in headers if k.lower() == "authorization"), "")
    scheme, _, token = auth.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return error_response(401, "unauthorized", "Send Authorization: Bearer <secret key>.")
    if not hmac.compare_digest(token.strip().encode(), secret_key.encode()):
        return error_response(403, "forbidden", f"Only the secret key may read {what}.")
    return None


# ------------------------------------------------------------------------------------------ server
class GatewayServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024  # bursts of hundreds of concurrent clients
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], stack: Stack) -> None:
        self.stack = stack
        super().__init__(address, GatewayHandler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client hanging up mid-response is normal (curl | head); anything else is logged."""
        import sys

        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        log.exception("error serving %s", client_address)


class GatewayHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # a response larger than the buffer goes out in several writes: no 40 ms stalls
    wbufsize = 64 * 1024
    """Headers and body of a response buffered and sent in one write (handle_one_request flushes after each
    request), not a send for the headers and another for the body."""
    server: GatewayServer
    server_version = "passaparola-local"

    def handle_expect_100(self) -> bool:
        answered = super().handle_expect_100()
        self.wfile.flush()  # the interim 100 Continue goes out before the body is read, not with the response
        return answered

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        log.debug(format, *args)

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _handle(self) -> None:
        started = time.perf_counter()
        method = self.command.upper()
        body = self._read_body()
        try:
            resp = self.server.stack.handle_http(
                method=method,
                raw_path=self.path,
                headers=list(self.headers.items()),
                body=body,
                source_ip=self.client_address[0],
            )
        except Exception:
            log.error("gateway error on %s %s\n%s", method, self.path, traceback.format_exc())
            resp = error_response(500, "internal_error", "The local gateway failed; see the stack log.")
        self._send(resp, head=method == "HEAD")
        access_log.info("%s %s %d %.0fms", method, self.path, resp.status, (time.perf_counter() - started) * 1000)

    def _send(self, resp: HttpResponse, head: bool = False) -> None:
        self.send_response(resp.status)
        for k, v in resp.headers:
            if k.lower() not in ("content-length", "connection", "transfer-encoding"):
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(resp.body)))
        self.end_headers()
        if not head and resp.body:
            self.wfile.write(resp.body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _handle

    def __getattr__(self, name: str) -> Any:
        """Any other method (TRACE, QUERY, ...) is routed too, so it gets the API's 405, not http.server's 501."""
        if name.startswith("do_"):
            return self._handle
        raise AttributeError(name)


def check_bearer(headers: list[tuple[str, str]], secret_key: str) -> HttpResponse | None:
    """Auth for /local/*: the stack's secret key as a bearer token (401 missing, 403 wrong)."""
    auth = next((v for k, v in headers if k.lower() == "authorization"), "")
    scheme, _, token = auth.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return error_response(401, "unauthorized", "Send Authorization: Bearer <secret key>.")
    if not hmac.compare_digest(token.strip().encode(), secret_key.encode()):
        return error_response(403, "forbidden", "This key may not run local jobs.")
    return None


# ------------------------------------------------------------------------------------------ the clock
_clock_lock = threading.Lock()
_frozen_at: datetime | None = None


def _domain_clock() -> Any:
    """`passaparola.clock` as the functions see it: imported by name after the stack put the layer on sys.path,
    so it is the very module object (sys.modules entry) every in-process function reads `now()` from."""
    import importlib

    return importlib.import_module("passaparola.clock")


def parse_instant(value: Any) -> datetime:
    """An ISO-8601 instant with a zone (`Z` or an offset), as UTC; ValueError otherwise."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError("'now' must be an ISO-8601 UTC time (or null)")
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise ValueError("'now' needs a zone: end it with Z (UTC) or an offset")
    return parsed.astimezone(UTC)


def set_frozen_clock(when: datetime | None) -> None:
    """Freeze every function's `passaparola.clock.now()` at `when` (UTC); None restores the real clock."""
    global _frozen_at
    clock = _domain_clock()
    with _clock_lock:
        if when is None:
            clock.set_clock(None)
            _frozen_at = None
        else:
            instant = when.astimezone(UTC)
            clock.set_clock(lambda: instant)
            _frozen_at = instant


def clock_state() -> dict[str, Any]:
    clock = _domain_clock()
    with _clock_lock:
        frozen = _frozen_at is not None
    return {"now": clock.iso(clock.now()), "frozen": frozen}


def clock_http(method: str, headers: list[tuple[str, str]], body: bytes, secret_key: str) -> HttpResponse:
    """`/local/clock` (secret key as bearer): GET → {now, frozen}; POST {"now": iso|null} freezes or restores."""
    denied = check_bearer(headers, secret_key)
    if denied:
        return denied
    if method in ("GET", "HEAD"):
        return json_response(200, clock_state())
    if method != "POST":
        return HttpResponse(
            405,
            [("Content-Type", "application/json"), ("Allow", "GET, POST")],
            json.dumps(
                {"error": {"code": "method_not_allowed", "message": "Use GET or POST.", "details": {}}}
            ).encode(),
        )
    try:
        payload = json.loads(body or b"null")
    except ValueError:
        payload = None
    if not isinstance(payload, dict) or "now" not in payload or set(payload) - {"now"}:
        return error_response(
            400,
            "invalid_request",
            'Send {"now": "<ISO-8601 UTC>"} to freeze the clock or {"now": null} to restore the real one.',
            {"fields": [{"field": "now", "message": "required", "type": "missing"}]},
        )
    when: datetime | None = None
    if payload["now"] is not None:
        try:
            when = parse_instant(payload["now"])
        except ValueError as exc:
            return error_response(
                400, "invalid_request", str(exc), {"fields": [{"field": "now", "message": str(exc), "type": "value"}]}
            )
    set_frozen_clock(when)
    log.info("clock %s", f"frozen at {when.isoformat()}" if when else "restored to real time")
    return json_response(200, clock_state())
