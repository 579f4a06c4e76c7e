"""The local push recorder: where the functions' APNs and Google Wallet calls go locally (APNS_URL,
GOOGLE_WALLET_API_URL, GOOGLE_OAUTH_URL point under `/local/push/`), so that what a change sent can be inspected.

Any request under `/local/push/<service>/...` is recorded (`{"id", "at", "service", "method", "path", "headers",
"body"}`) and answered the way the real service would for a well-formed call:
- `oauth/...`: an access token (`{"access_token", "token_type", "expires_in"}`);
- `google/walletobjects/v1/loyaltyObject[/<id>]`: a small Google Wallet — POST inserts (409 when the id exists),
  PATCH and GET answer 404 for an object never inserted;
- `apns/3/device/<token>`: 200 with an `apns-id`, except 410 `{"reason": "Unregistered"}` for a token starting
  with `gone` (how a test makes APNs give a device up).
`GET /local/push` (the stack's secret key as bearer) lists the calls, newest first (`?service=`, `?limit=`);
`DELETE /local/push` forgets them and the objects. In memory, the newest `KEPT` only.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections import deque
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, unquote

from infra.local.gateway import HttpResponse, error_response, json_response, recorder_listing, secret_key_refusal

KEPT = 2000
DEFAULT_LIMIT, MAX_LIMIT = 200, 1000
PREFIX = "/local/push/"
OBJECTS = "walletobjects/v1/loyaltyObject"

_lock = threading.Lock()
_calls: deque[dict[str, Any]] = deque(maxlen=KEPT)
_objects: dict[str, Any] = {}


def calls(service: str | None = None, limit: int = DEFAULT_LIMIT) -> list[dict[str, Any]]:
    with _lock:
        items = list(reversed(_calls))
    if service:
        items = [c for c in items if c["service"] == service]
    return items[:limit]


def clear() -> None:
    with _lock:
        _calls.clear()
        _objects.clear()


def push_http(
    method: str, path: str, headers: list[tuple[str, str]], body: bytes, query: str, secret_key: str
) -> HttpResponse:
    if path.rstrip("/") == "/local/push":
        return _listing(method, headers, query, secret_key)
    rest = path[len(PREFIX) :]
    service, _, sub = rest.partition("/")
    record = {
        "id": uuid.uuid4().hex,
        "at": _now(),
        "service": service,
        "method": method,
        "path": "/" + sub,
        "headers": {k.lower(): v for k, v in headers},
        "body": _body(body),
    }
    with _lock:
        _calls.append(record)
    if service == "oauth":
        return json_response(200, {"access_token": "local-access-token", "token_type": "Bearer", "expires_in": 3600})
    if service == "google":
        return _google(method, sub, record["body"])
    if service == "apns":
        token = sub.rsplit("/", 1)[-1]
        if token.startswith("gone"):
            return json_response(410, {"reason": "Unregistered", "timestamp": int(datetime.now(UTC).timestamp())})
        return HttpResponse(200, [("apns-id", str(uuid.uuid4()))], b"")
    return json_response(200, {})


def _google(method: str, sub: str, body: Any) -> HttpResponse:
    if not sub.startswith(OBJECTS):
        return error_response(404, "not_found", "Only loyalty objects are emulated.")
    object_id = unquote(sub[len(OBJECTS) :].strip("/"))
    with _lock:
        if method == "POST" and not object_id:
            new_id = str((body or {}).get("id") or "") if isinstance(body, dict) else ""
            if not new_id:
                return json_response(400, {"error": {"code": 400, "message": "id is required"}})
            if new_id in _objects:
                return json_response(409, {"error": {"code": 409, "message": "already exists"}})
            _objects[new_id] = body
            return json_response(200, body)
        if object_id not in _objects:
            return json_response(404, {"error": {"code": 404, "message": "not found"}})
        if method == "PATCH" and isinstance(body, dict):
            _objects[object_id] = {**_objects[object_id], **body}
        return json_response(200, _objects[object_id])


def _listing(method: str, headers: list[tuple[str, str]], query: str, secret_key: str) -> HttpResponse:
    return recorder_listing(
        method,
        query,
        allowed=secret_key_refusal(headers, secret_key, "the push recorder"),
        key="calls",
        filter_param="service",
        read=calls,
        clear=clear,
        limits=(DEFAULT_LIMIT, MAX_LIMIT),
    )


def _body(raw: bytes) -> Any:
    text = raw.decode("utf-8", "replace")
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        pairs = parse_qs(text)
        return {k: v[0] for k, v in pairs.items()} if pairs else text


def _now() -> str:
    try:
        from passaparola import clock

        return clock.iso(clock.now())
    except ImportError:
        return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
