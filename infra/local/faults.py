"""Injected provider faults: `POST /local/faults` makes the SES or SNS emulation refuse, or answer late, the next calls.

`{"ses": {"error": "Throttling", "count": 3}}` fails the next 3 SES sending calls with that error code
(`count: -1`: until cleared with `{"ses": null}`); `"sns"` likewise for Publish. The failure is the provider's real
error shape (query protocol XML), so boto3 raises exactly what it would raise against AWS.

`{"ses": {"delay_seconds": 65, "count": 1}}` lets the next SES sending call through (the emulation accepts the
message at once) and holds its answer for 65 seconds: the sender's read timeout fires first, as when SES is slow
to answer a message it did take. Only sending actions are touched, so the stack's own set-up calls are not.

Every sending call the emulation accepted is counted per recipient: `GET /local/faults` answers what is armed and
`accepted` `{"ses": {address: n}, "sns": {phone: n}}` (what a test compares with the message log); what it said is
kept for `GET /local/mailbox` (infra/local/mailbox.py).
"""

from __future__ import annotations

import io
import json
import re
import threading
import time
from collections import Counter
from typing import Any
from urllib.parse import parse_qs

from infra.local import mailbox
from infra.local.gateway import HttpResponse, check_bearer, error_response, json_response

SENDING = {"ses": {"SendEmail", "SendRawEmail", "SendTemplatedEmail"}, "sns": {"Publish"}}
RECIPIENT = {"ses": ("Destinations.member.1", "Destination.ToAddresses.member.1"), "sns": ("PhoneNumber", "TargetArn")}
STATUS = {"Throttling": 400, "ServiceUnavailable": 503, "InternalFailure": 500, "InternalError": 500}
SERVICE = re.compile(r"Credential=[^/]+/[^/]+/[^/]+/(\w+)/aws4_request")
MAX_DELAY = 3600

_lock = threading.Lock()
_armed: dict[str, dict[str, Any]] = {}
_accepted: dict[str, Counter[str]] = {service: Counter() for service in SENDING}


def state() -> dict[str, Any]:
    with _lock:
        out: dict[str, Any] = {k: dict(v) for k, v in _armed.items()}
        out["accepted"] = {service: dict(counts) for service, counts in _accepted.items()}
        return out


def arm(service: str, spec: dict[str, Any] | None) -> None:
    with _lock:
        if spec is None:
            _armed.pop(service, None)
        elif spec.get("delay_seconds") is not None:
            _armed[service] = {"delay_seconds": float(spec["delay_seconds"]), "count": int(spec.get("count", 1))}
        else:
            _armed[service] = {"error": str(spec.get("error") or "Throttling"), "count": int(spec.get("count", 1))}


def _take(service: str) -> dict[str, Any] | None:
    """The fault to apply to this call, if one is armed (and count it)."""
    with _lock:
        spec = _armed.get(service)
        if not spec or spec["count"] == 0:
            return None
        if spec["count"] > 0:
            spec["count"] -= 1
        return dict(spec)


def _count(service: str, params: dict[str, list[str]]) -> None:
    recipient = next((params[k][0] for k in RECIPIENT[service] if params.get(k)), "")
    with _lock:
        _accepted[service][recipient] += 1


def wrap(app: Any) -> Any:
    """WSGI middleware in front of moto: counts accepted sending calls; an armed service's get the armed fault."""

    def wrapped(environ: dict[str, Any], start_response: Any) -> Any:
        match = SERVICE.search(environ.get("HTTP_AUTHORIZATION", ""))
        service = match.group(1) if match else ""
        if service not in SENDING:
            return app(environ, start_response)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        params = parse_qs(body.decode("utf-8", "replace"))
        if (params.get("Action") or [""])[0] not in SENDING[service]:
            return app(environ, start_response)
        fault = _take(service)
        if fault is not None and "error" in fault:
            xml = (
                f"<ErrorResponse><Error><Type>Sender</Type><Code>{fault['error']}</Code>"
                f"<Message>Injected by POST /local/faults</Message></Error><RequestId>local</RequestId></ErrorResponse>"
            ).encode()
            status = STATUS.get(fault["error"], 400)
            start_response(f"{status} Error", [("Content-Type", "text/xml"), ("Content-Length", str(len(xml)))])
            return [xml]
        answer: dict[str, Any] = {}

        def keep(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            answer.update(status=status, headers=headers)
            return lambda data: None

        result = app(environ, keep)
        try:
            content = b"".join(result)
        finally:
            close = getattr(result, "close", None)
            if close:
                close()
        if str(answer.get("status", "")).startswith("2"):
            _count(service, params)
            mailbox.keep(service, params, content)
        if fault is not None:
            time.sleep(min(float(fault["delay_seconds"]), MAX_DELAY))  # accepted; the answer comes late
        start_response(answer["status"], answer["headers"])
        return [content]

    return wrapped


def faults_http(method: str, headers: list[tuple[str, str]], body: bytes, secret_key: str) -> HttpResponse:
    """`/local/faults` (secret key as bearer): GET → what is armed and what was accepted;
    POST {"ses"|"sns": {error, count} | {delay_seconds, count} | null}."""
    denied = check_bearer(headers, secret_key)
    if denied:
        return denied
    if method == "POST":
        try:
            payload = json.loads(body or b"null")
        except ValueError:
            payload = None
        if not _valid(payload):
            return error_response(
                400,
                "invalid_request",
                'Send {"ses": {"error": "Throttling", "count": 3}} or {"ses": {"delay_seconds": 65, "count": 1}}'
                ' (or "sns"; null clears).',
            )
        for service, spec in payload.items():
            arm(service, spec)
    elif method not in ("GET", "HEAD"):
        return error_response(405, "method_not_allowed", "Use GET or POST.")
    return json_response(200, state())


def _valid(payload: Any) -> bool:
    if not isinstance(payload, dict) or not payload or not set(payload) <= set(SENDING):
        return False
    for spec in payload.values():
        if spec is None:
            continue
        if not isinstance(spec, dict) or not isinstance(spec.get("count", 1), int):
            return False
        delay = spec.get("delay_seconds")
        if delay is not None and (not isinstance(delay, int | float) or not 0 <= delay <= MAX_DELAY):
            return False
    return True
