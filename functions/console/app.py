"""The console web app (`/admin`): static files from `static/`, public (the app signs its user in itself).

A thin file server: the page and its modules under a strict Content-Security-Policy (no inline script),
revalidated by ETag (no build step, so no hashed file names: `no-cache` + 304 keeps deploys visible at once).
Compression is API Gateway's (`MinimumCompressionSize`), not this function's.
"""

import hashlib
import json
import os
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path as PathParam

from passaparola.api.app import Api, handler
from passaparola.api.openapi import media
from passaparola.settings import get_settings

STATIC = Path(__file__).resolve().parent / "static"
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; "
    "font-src 'self'; frame-src blob:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}
TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".txt": "text/plain; charset=utf-8",
    ".md": "text/plain; charset=utf-8",
}
API_BASE_META = b'<meta name="api-base" content="">'


class ConsoleApi(Api):
    """`<proxy>` spans slashes here, as API Gateway's `{proxy+}` does (powertools' parameters stop at `/`)."""

    greedy_parameters = frozenset({"proxy"})

    @staticmethod
    def _compile_regex(rule: str, base_regex: str = "^{}/*$"):  # type: ignore[no-untyped-def]  # noqa: ANN205
        import re

        if rule.endswith("/<proxy>"):
            return re.compile(base_regex.format(re.escape(rule[: -len("<proxy>")]) + "(?P<proxy>.+?)"))
        return Api._compile_regex(rule, base_regex)


app = ConsoleApi(public_routes={"GET /admin", "GET /admin/{proxy+}"})
Proxy = Annotated[str, PathParam(min_length=1, max_length=300)]


def _read(relative: str) -> tuple[bytes, str] | None:
    """The file's bytes and ETag, or None for anything outside static/ or not a known kind of file."""
    parts = PurePosixPath(relative).parts
    if not parts or any(p in ("..", ".", "/") or p.startswith(".") or "\\" in p or "\x00" in p for p in parts):
        return None
    path = STATIC.joinpath(*parts)
    if not Path(os.path.realpath(path)).is_relative_to(os.path.realpath(STATIC)) or path.suffix not in TYPES:
        return None
    if not path.is_file():
        return None
    return _load(path, path.stat().st_mtime_ns)


@lru_cache(maxsize=128)
def _load(path: Path, mtime: int) -> tuple[bytes, str]:
    """Read once per version of the file (the modification time is in the key: `make run` sees edits at once)."""
    body = path.read_bytes()
    return body, '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def _send(body: bytes, content_type: str, etag: str | None = None, status: int = 200) -> Response[str]:
    headers = {**SECURITY_HEADERS, "Cache-Control": "no-cache"}
    if etag:
        headers["ETag"] = etag
        if etag in (app.current_event.headers.get("if-none-match") or ""):
            return Response(304, None, "", headers)
    return Response(status, content_type, body.decode(), headers)


def _stage_prefix() -> str:
    """`/prod` on the execute-api host, empty behind a custom domain or locally (see public_base_url)."""
    event = app.current_event
    full = (event.raw_event.get("requestContext") or {}).get("path") or event.path
    return full[: len(full) - len(event.path)] if full.endswith(event.path) else ""


@app.get(
    "/admin",
    summary="The console (web app)",
    tags=["console"],
    responses={200: media("The console's page.", "text/html")},
)
def index() -> Response[str]:
    if app.current_event.path.endswith("/"):  # relative asset links need /admin, not /admin/
        return Response(
            302, "text/plain", "", {**SECURITY_HEADERS, "Location": "../admin", "Cache-Control": "no-store"}
        )
    found = _read("index.html")
    assert found is not None, "static/index.html ships with the function"
    prefix = json.dumps(_stage_prefix())[1:-1].replace('"', "")
    body = found[0].replace(API_BASE_META, f'<meta name="api-base" content="{prefix}">'.encode())
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    return _send(body, TYPES[".html"], etag)


@app.get(
    "/admin/<proxy>",
    summary="The console's files: /admin/static/... and /admin/config.json",
    tags=["console"],
    responses={
        200: {
            "description": "A static file of the console (its type by its extension), or config.json.",
            "content": {t.split(";")[0]: {"schema": {"type": "string"}} for t in sorted(set(TYPES.values()))},
        },
        404: {  # a page for a browser; a path the router cannot match at all gets the API's JSON error
            "description": "No such file.",
            "content": {
                "text/html": {"schema": {"type": "string"}},
                "application/json": {"schema": {"$ref": "#/components/schemas/Error"}},
            },
        },
    },
)
def asset(proxy: Proxy) -> Response[str]:
    if proxy == "config.json":
        settings = get_settings()
        config = {"stage": settings.stage, "local": settings.stage == "local"}
        return _send(json.dumps(config).encode(), TYPES[".json"])
    found = _read(proxy.removeprefix("static/")) if proxy.startswith("static/") else None
    if found is None:
        page = b"<!doctype html><title>Not found</title><p>No such page. <a href='../admin'>Open the console</a>."
        return _send(page, TYPES[".html"], status=404)
    body, etag = found
    return _send(body, TYPES[PurePosixPath(proxy).suffix], etag)


lambda_handler = handler(app)
