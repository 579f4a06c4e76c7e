"""Injected provider failures: `POST /local/faults` makes the SES or SNS emulation refuse the next calls.

`{"ses": {"error": "Throttling", "count": 3}}` fails the next 3 SES sending calls with that error code
(`count: -1`: until cleared with `{"ses": null}`); `"sns"` likewise for Publish. Only sending actions fail,
so the stack's own set-up calls are untouched. The failure is the provider's real error shape (query
protocol XML), so boto3 raises exactly what it would raise against AWS.
"""

from __future__ import annotations

import io
import json
import re
import threading
from typing import Any
from urllib.parse import parse_qs

from infra.local.gateway import HttpResponse, check_bearer, error_response, json_response

SENDING = {"ses": {"SendEmail", "SendRawEmail", "SendTemplatedEmail"}, "sns": {"Publish"}}
STATUS = {"Throttling": 400, "ServiceUnavailable": 503, "InternalFailure": 500, "InternalError": 500}
SERVICE = re.compile(r"Credential=[^/]+/[^/]+/[^/]+/(\w+)/aws4_request")

_lock = threading.Lock()
_armed: dict[str, dict[str, Any]] = {}


def state() -> dict[str, Any]:
    with _lock:
        return {k: dict(v) for k, v in _armed.items()}


def arm(service: str, spec: dict[str, Any] | None) -> None:
    with _lock:
        if spec is None:
            _armed.pop(service, None)
        else:
            _armed[service] = {"error": str(spec.get("error") or "Throttling"), "count": int(spec.get("count", 1))}


def _take(service: str) -> str | None:
    """The error to answer this call with, if one is armed (and count it)."""
    with _lock:
        spec = _armed.get(service)
        if not spec or spec["count"] == 0:
            return None
        if spec["count"] > 0:
            spec["count"] -= 1
        return str(spec["error"])


def wrap(app: Any) -> Any:
    """WSGI middleware in front of moto: sending calls of an armed service get the armed error."""

    def wrapped(environ: dict[str, Any], start_response: Any) -> Any:
        match = SERVICE.search(environ.get("HTTP_AUTHORIZATION", ""))
        service = match.group(1) if match else ""
        if service not in SENDING or not _armed.get(service):
            return app(environ, start_response)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        action = (parse_qs(body.decode("utf-8", "replace")).get("Action") or [""])[0]
        error = _take(service) if action in SENDING[service] else None
        if error is None:
            return app(environ, start_response)
        xml = (
            f"<ErrorResponse><Error><Type>Sender</Type><Code>{error}</Code>"
            f"<Message>Injected by POST /local/faults</Message></Error><RequestId>local</RequestId></ErrorResponse>"
        ).encode()
        status = STATUS.get(error, 400)
        start_response(f"{status} Error", [("Content-Type", "text/xml"), ("Content-Length", str(len(xml)))])
        return [xml]

    return wrapped


def faults_http(method: str, headers: list[tuple[str, str]], body: bytes, secret_key: str) -> HttpResponse:
    """`/local/faults` (secret key as bearer): GET → what is armed; POST {"ses"|"sns": {error, count}|null}."""
    denied = check_bearer(headers, secret_key)
    if denied:
        return denied
    if method == "POST":
        try:
            payload = json.loads(body or b"null")
        except ValueError:
            payload = None
        valid = isinstance(payload, dict) and payload and set(payload) <= set(SENDING)
        if not valid or not all(v is None or isinstance(v, dict) for v in payload.values()):  # type: ignore[union-attr]
            return error_response(
                400, "invalid_request", 'Send {"ses": {"error": "Throttling", "count": 3}} (or "sns"; null clears).'
            )
        for service, spec in payload.items():  # type: ignore[union-attr]
            arm(service, spec)
    elif method not in ("GET", "HEAD"):
        return error_response(405, "method_not_allowed", "Use GET or POST.")
    return json_response(200, state())
