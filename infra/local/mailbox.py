"""The local mailbox: every email and SMS the emulated SES and SNS accepted, as the customer would see it.

`GET /local/mailbox` → `{"messages": [...]}`, newest first: an email is `{"type": "email", "id", "at", "from",
"to", "subject", "text", "html"}` (inline `cid:` images, the coupon's QR, as `data:` URIs so a browser shows
them), an SMS `{"type": "sms", "id", "at", "to", "text"}`. `?to=<address or phone>` keeps one recipient's,
`?limit=` (1-1000, default 200) the newest ones. `DELETE /local/mailbox` empties it. Messages to an SNS topic (the
team's) are not customer messages and are left out.

The faults middleware in front of moto (`infra/local/faults.py`) hands every sending call moto accepted to `keep`:
the request says what was sent, moto's answer its message id, the stack's clock (`/local/clock`) when. Kept in
memory, the newest `KEPT` only; a restart empties it, like moto.

Auth: the stack's secret key as bearer, or a console user's token (`console_user`).
"""

from __future__ import annotations

import base64
import hmac
import re
import threading
from collections import deque
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from functools import lru_cache
from typing import Any

from infra.local.gateway import HttpResponse, error_response, recorder_listing

KEPT = 2000
DEFAULT_LIMIT, MAX_LIMIT = 200, 1000
MESSAGE_ID = re.compile(r"<MessageId>([^<]+)</MessageId>")

_lock = threading.Lock()
_messages: deque[dict[str, Any]] = deque(maxlen=KEPT)


def keep(service: str, params: dict[str, list[str]], answer: bytes) -> None:
    """Remember one sending call the emulation accepted (emails and SMS; topic publishes are not kept)."""
    found = MESSAGE_ID.search(answer.decode("utf-8", "replace"))
    message_id = found.group(1) if found else ""
    action = _one(params, "Action")
    if service == "ses" and action == "SendRawEmail":
        item = _raw_email(base64.b64decode(_one(params, "RawMessage.Data")), params)
    elif service == "ses" and action == "SendEmail":
        item = _simple_email(params)
    elif service == "sns" and _one(params, "PhoneNumber"):
        item = {"type": "sms", "to": _one(params, "PhoneNumber"), "text": _one(params, "Message")}
    else:
        return
    with _lock:
        _messages.append({"id": message_id, "at": _now(), **item})


def messages(to: str | None = None, limit: int = DEFAULT_LIMIT) -> list[dict[str, Any]]:
    """Newest first; `to` keeps one recipient's (an email address, case-insensitive, or a phone number)."""
    with _lock:
        items = list(reversed(_messages))
    if to:
        wanted = to.strip().lower()
        items = [m for m in items if wanted in (r.lower() for r in _recipients(m))]
    return items[:limit]


def clear() -> None:
    with _lock:
        _messages.clear()


def console_user(token: str) -> bool:
    """Would the API accept this bearer as a console user? Asked of the API's own authentication
    (`passaparola.api.app.Api._authenticate`, as for `GET /v1/console/me`, a route every role may call), so whatever
    verifies console tokens there (JWT, roles) decides here too; API keys are not people and are refused."""
    try:
        api = _api()
        principal = api._authenticate(
            {
                "httpMethod": "GET",
                "resource": CONSOLE_ROUTE,
                "path": CONSOLE_ROUTE,
                "headers": {"Authorization": f"Bearer {token}"},
            }
        )
    except Exception:  # not importable, or the token refused (401/403): not a console user
        return False
    return principal is not None and principal.kind == "user"


CONSOLE_ROUTE = "/v1/console/me"


@lru_cache(maxsize=1)
def _api() -> Any:
    from passaparola.api.app import Api

    return Api()


def mailbox_http(method: str, headers: list[tuple[str, str]], body: bytes, query: str, secret_key: str) -> HttpResponse:
    """`/local/mailbox`: GET the messages, DELETE to empty it; the secret key or a console user's token."""
    auth = next((v for k, v in headers if k.lower() == "authorization"), "")
    scheme, _, token = auth.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        return error_response(401, "unauthorized", "Send Authorization: Bearer <secret key or console token>.")
    if not hmac.compare_digest(token.encode(), secret_key.encode()) and not console_user(token):
        return error_response(403, "forbidden", "Only the secret key or a console user may read the mailbox.")
    return recorder_listing(
        method,
        query,
        allowed=None,
        key="messages",
        filter_param="to",
        read=messages,
        clear=clear,
        limits=(DEFAULT_LIMIT, MAX_LIMIT),
    )


# --------------------------------------------------------------------------------------------- parsing


def _one(params: dict[str, list[str]], name: str) -> str:
    return (params.get(name) or [""])[0]


def _now() -> str:
    """The stack's clock (frozen by /local/clock like every function's), in the API's ISO format."""
    try:
        from passaparola import clock

        return clock.iso(clock.now())
    except ImportError:
        return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _recipients(message: dict[str, Any]) -> list[str]:
    return [r.strip() for r in str(message["to"]).split(",")]


def _raw_email(raw: bytes, params: dict[str, list[str]]) -> dict[str, Any]:
    msg = message_from_bytes(raw, policy=policy.default)
    assert isinstance(msg, EmailMessage)
    destinations = [v[0] for k, v in sorted(params.items()) if k.startswith("Destinations.member.")]
    html_part = msg.get_body(("html",))
    text_part = msg.get_body(("plain",))
    html = html_part.get_content() if html_part is not None else None
    if html is not None:
        html = _inline_images(html, msg)
    return {
        "type": "email",
        "from": str(msg.get("From") or _one(params, "Source")),
        "to": ", ".join(destinations) or str(msg.get("To") or ""),
        "subject": str(msg.get("Subject") or ""),
        "text": text_part.get_content() if text_part is not None else None,
        "html": html,
    }


def _inline_images(html: str, msg: EmailMessage) -> str:
    """`cid:` references → `data:` URIs of the related parts they name."""
    for part in msg.walk():
        cid = str(part.get("Content-ID") or "").strip().strip("<>")
        if not cid or part.is_multipart():
            continue
        payload = part.get_payload(decode=True)
        data = base64.b64encode(payload if isinstance(payload, bytes) else b"").decode("ascii")
        html = html.replace(f"cid:{cid}", f"data:{part.get_content_type()};base64,{data}")
    return html


def _simple_email(params: dict[str, list[str]]) -> dict[str, Any]:
    to = [v[0] for k, v in sorted(params.items()) if k.startswith("Destination.ToAddresses.member.")]
    return {
        "type": "email",
        "from": _one(params, "Source"),
        "to": ", ".join(to),
        "subject": _one(params, "Message.Subject.Data"),
        "text": _one(params, "Message.Body.Text.Data") or None,
        "html": _one(params, "Message.Body.Html.Data") or None,
    }
