"""The pages a person opens from a message's link (unsubscribe, consent confirmation): small, self-contained and
in the person's language; no script, no image, only their own style (allowed by its hash) and their own form."""

import base64
import hashlib
import html

STYLE = (
    "body{font:16px/1.5 system-ui,-apple-system,'Segoe UI',sans-serif;color:#1f2328;background:#fff;"
    "max-width:32rem;margin:3rem auto;padding:0 1rem}h1{font-size:1.5rem;line-height:1.25}"
    "button{font:inherit;font-weight:600;padding:.6rem 1.4rem;border:0;border-radius:6px;background:#2f5d50;"
    "color:#fff;cursor:pointer}button:focus-visible{outline:3px solid #1f6feb;outline-offset:2px}"
)
CSP = (
    "default-src 'none'; style-src 'sha256-"
    + base64.b64encode(hashlib.sha256(STYLE.encode()).digest()).decode()
    + "'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


def page_html(lang: str, title: str, inner: str) -> str:
    """`inner` is HTML the caller escaped; the title is escaped here."""
    return (
        f"<!doctype html><html lang='{lang}'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        "<meta name='robots' content='noindex'>"
        f"<title>{html.escape(title)}</title><style>{STYLE}</style></head>"
        f"<body><h1>{html.escape(title)}</h1>{inner}</body></html>"
    )
