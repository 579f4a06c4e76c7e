"""ConsoleFunction: the web app's files under a strict CSP, nothing outside static/, ETag revalidation."""

from __future__ import annotations

import re
from types import ModuleType

import pytest

from tests.unit.functions import ROOT, call, load_function

STATIC = ROOT / "functions" / "console" / "static"


@pytest.fixture(scope="module")
def console() -> ModuleType:
    return load_function("console")


def get(console: ModuleType, path: str, headers: dict[str, str] | None = None):  # noqa: ANN201
    resource = "/admin" if path.rstrip("/") == "/admin" else "/admin/{proxy+}"
    return call(console, "GET", path, resource, key=None, headers=headers)


def test_the_page_needs_no_key_and_carries_a_strict_csp(console: ModuleType) -> None:
    reply = get(console, "/admin")
    assert reply.status == 200
    assert reply.headers["Content-Type"].startswith("text/html")
    csp = reply.headers["Content-Security-Policy"]
    assert "script-src 'self';" in csp and "'unsafe-inline'" not in csp and "frame-ancestors 'none'" in csp
    assert reply.headers["X-Content-Type-Options"] == "nosniff"
    assert reply.headers["Referrer-Policy"] == "no-referrer"
    assert reply.headers["Cache-Control"] == "no-cache"
    assert '<script type="module" src="admin/static/js/app.js"></script>' in reply.body
    assert "<script>" not in reply.body and "style=" not in reply.body  # nothing inline


def test_the_page_tells_the_app_its_stage_prefix(console: ModuleType) -> None:
    from infra.local.invoke import api_event
    from infra.local.invoke import call as invoke

    event = api_event("GET", "/admin", "/admin")
    event["requestContext"]["path"] = "/prod/admin"  # the execute-api host keeps the stage in the URL
    assert '<meta name="api-base" content="/prod">' in invoke(console, event).body
    assert '<meta name="api-base" content="">' in get(console, "/admin").body


def test_a_trailing_slash_goes_back_to_the_page(console: ModuleType) -> None:
    reply = get(console, "/admin/")
    assert (reply.status, reply.headers["Location"]) == (302, "../admin")  # relative: keeps a stage prefix
    assert "Content-Security-Policy" in reply.headers


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/admin/static/js/app.js", "text/javascript; charset=utf-8"),
        ("/admin/static/css/console.css", "text/css; charset=utf-8"),
        ("/admin/static/vendor/uplot/uPlot.iife.min.js", "text/javascript; charset=utf-8"),
        ("/admin/static/img/icon.svg", "image/svg+xml"),
    ],
)
def test_files_are_served_with_their_type(console: ModuleType, path: str, content_type: str) -> None:
    reply = get(console, path)
    assert reply.status == 200, path
    assert reply.headers["Content-Type"] == content_type
    assert reply.body == (STATIC / path.removeprefix("/admin/static/")).read_text()
    assert reply.headers["ETag"].startswith('"')


def test_an_unchanged_file_is_not_sent_again(console: ModuleType) -> None:
    first = get(console, "/admin/static/js/api.js")
    again = get(console, "/admin/static/js/api.js", {"If-None-Match": first.headers["ETag"]})
    assert (again.status, again.body) == (304, "")
    changed = get(console, "/admin/static/js/api.js", {"If-None-Match": '"stale"'})
    assert changed.status == 200


OUTSIDE = str((STATIC / ".." / ".." / ".." / "docs" / "console.md").resolve())
"""A readable file of a served kind (.md) outside static/, by its absolute path."""


@pytest.mark.parametrize(
    "path",
    [
        "/admin/static/../app.py",
        "/admin/static/js/../../app.py",
        "/admin/static/%2e%2e/app.py",
        "/admin/app.py",
        "/admin/static/nope.js",
        "/admin/static/js",
        "/admin/static/.hidden.js",
        "/admin/static/vendor/uplot/LICENSE",  # not a kind of file the app loads
        f"/admin/static/{OUTSIDE}",  # an absolute path (`static//etc/...`) must not leave static/
        f"/admin/static/{OUTSIDE.replace('/', '%2F')}",
    ],
)
def test_nothing_outside_the_static_files(console: ModuleType, path: str) -> None:
    reply = get(console, path)
    assert reply.status == 404, path
    assert reply.headers["Content-Type"].startswith("text/html")
    assert "Content-Security-Policy" in reply.headers


def test_config_says_whether_the_stack_is_local(console: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    from passaparola.settings import get_settings

    reply = get(console, "/admin/config.json")
    assert reply.status == 200
    assert reply.body == {"stage": get_settings().stage, "local": get_settings().stage == "local"}
    monkeypatch.setenv("STAGE", "prod")
    get_settings.cache_clear()
    try:
        assert get(console, "/admin/config.json").body == {"stage": "prod", "local": False}
    finally:
        get_settings.cache_clear()


def test_no_inline_script_or_style_in_any_shipped_file() -> None:
    """The CSP forbids them: an inline handler or style attribute would silently do nothing."""
    for path in STATIC.rglob("*.html"):
        text = path.read_text()
        assert "<script>" not in text, path
        assert not re.search(r"\son[a-z]+=", text), f"{path}: inline event handler"
        assert " style=" not in text, path
        assert "<style" not in text, path
    for path in (STATIC / "js").rglob("*.js"):
        text = path.read_text()
        assert "innerHTML" not in text, f"{path}: build DOM with ui.h (text is text)"
        assert "eval(" not in text and "new Function" not in text, path
