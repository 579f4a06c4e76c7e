"""The CLI's HTTP client: the standard library's urllib, so the CLI needs nothing beyond Python itself.

Every failure becomes one of two exceptions the entry point turns into one line and an exit code: `ApiError`
(the API answered with an error: exit 1) and `NetworkError` (no answer: exit 3).
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.message import Message
from typing import Any

from infra.cli.config import Config

USER_AGENT = "passaparola-cli/1"
RETRY_STATUSES = frozenset({429, 502, 503, 504})
RETRY_DELAYS = (0.5, 1.0, 2.0)  # seconds before the 2nd, 3rd and 4th attempt of a request safe to repeat


class ApiError(Exception):
    """The API answered with an error envelope `{"error": {"code", "message", "details"}}` (or something else)."""

    def __init__(self, status: int, code: str, message: str, details: Any = None) -> None:
        super().__init__(f"{code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.details = details

    @classmethod
    def from_answer(cls, status: int, body: bytes) -> ApiError:
        try:
            error = json.loads(body)["error"]
            code, message = str(error["code"]), str(error.get("message") or "")
            details = error.get("details")
        except (ValueError, KeyError, TypeError):
            text = " ".join(body.decode("utf-8", "replace").split())[:200]
            return cls(status, f"http_{status}", text or f"HTTP {status}")
        return cls(status, code, _with_fields(message, details), details)


def _with_fields(message: str, details: Any) -> str:
    """`invalid_request` names its fields in details.fields: worth the same line."""
    fields = details.get("fields") if isinstance(details, dict) else None
    if not isinstance(fields, list) or not fields:
        return message
    named = [f"{f.get('field')}: {f.get('message')}" for f in fields if isinstance(f, dict)]
    return f"{message} ({'; '.join(named)})" if named else message


class NetworkError(Exception):
    """No HTTP answer: refused, unreachable, timed out, TLS failure."""


@dataclass
class Answer:
    status: int
    body: bytes
    headers: Mapping[str, str] = field(default_factory=dict)

    def json(self) -> Any:
        try:
            return json.loads(self.body) if self.body else None
        except ValueError:
            raise ApiError(self.status, "bad_answer", "the API answered something that is not JSON") from None

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


def _headers(message: Message) -> dict[str, str]:
    return {k.lower(): v for k, v in message.items()}


def segment(value: str) -> str:
    """One path segment, percent-encoded (customer ids may hold `|`, `/`, `@`...)."""
    return urllib.parse.quote(value, safe="")


class Client:
    def __init__(self, config: Config, *, sleep: Any = time.sleep) -> None:
        self.config = config
        self._sleep = sleep

    def url(self, path: str, query: Mapping[str, Any] | None = None) -> str:
        url = self.config.url + path
        params = {k: v for k, v in (query or {}).items() if v is not None}
        return f"{url}?{urllib.parse.urlencode(params)}" if params else url

    def request(
        self,
        method: str,
        path: str,
        *,
        query: Mapping[str, Any] | None = None,
        json_body: Any = None,
        body: bytes | None = None,
        content_type: str | None = None,
        headers: Mapping[str, str] | None = None,
        retry: bool | None = None,
    ) -> Answer:
        """One call; repeated on 429/502/503/504 or a network failure when safe (GET, or `retry=True`)."""
        data = body
        sent = {"Authorization": f"Bearer {self.config.key}", "User-Agent": USER_AGENT, "Accept": "*/*"}
        if json_body is not None:
            data = json.dumps(json_body).encode()
            sent["Content-Type"] = "application/json"
        elif content_type:
            sent["Content-Type"] = content_type
        sent.update(headers or {})
        safe = method == "GET" if retry is None else retry
        url = self.url(path, query)
        attempts = len(RETRY_DELAYS) + 1 if safe else 1
        for attempt in range(attempts):
            last = attempt == attempts - 1
            try:
                answer = self._once(method, url, data, sent)
            except NetworkError:
                if last:
                    raise
            else:
                if answer.status < 400:
                    return answer
                if last or answer.status not in RETRY_STATUSES:
                    raise ApiError.from_answer(answer.status, answer.body)
            self._sleep(RETRY_DELAYS[attempt])
        raise AssertionError("unreachable")

    def _once(self, method: str, url: str, data: bytes | None, headers: Mapping[str, str]) -> Answer:
        req = urllib.request.Request(url, data=data, method=method, headers=dict(headers))
        try:
            with urllib.request.urlopen(req, timeout=self.config.timeout) as resp:  # noqa: S310 (http/https checked)
                return Answer(resp.status, resp.read(), _headers(resp.headers))
        except urllib.error.HTTPError as exc:
            with exc:
                return Answer(exc.code, exc.read(), _headers(exc.headers))
        except urllib.error.URLError as exc:
            raise NetworkError(f"{url.split('?')[0]}: {_reason(exc.reason)}") from None
        except TimeoutError:
            raise NetworkError(f"{url.split('?')[0]}: no answer within {self.config.timeout:g} s") from None
        except OSError as exc:
            raise NetworkError(f"{url.split('?')[0]}: {_reason(exc)}") from None

    def get(self, path: str, **query: Any) -> Any:
        return self.request("GET", path, query=query).json()

    def post(self, path: str, body: Any = None, *, retry: bool | None = None, **query: Any) -> Any:
        return self.request("POST", path, query=query, json_body={} if body is None else body, retry=retry).json()


def _reason(reason: object) -> str:
    if isinstance(reason, TimeoutError):
        return "timed out"
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror.lower()
    return str(reason) or type(reason).__name__
