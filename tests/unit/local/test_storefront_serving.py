"""The local stack serves the storefront script (/passaparola.js), its demo page (/demo) and the sample shop (/shop)."""

from __future__ import annotations

import requests

from infra.local.stack import REPO_ROOT, Stack

STOREFRONT = REPO_ROOT / "infra" / "storefront"


def test_script_is_served_as_javascript_without_caching(local_stack: Stack) -> None:
    resp = requests.get(f"{local_stack.url}/passaparola.js", timeout=5)
    assert resp.status_code == 200
    assert resp.headers["Content-Type"] == "application/javascript; charset=utf-8"
    assert resp.headers["Cache-Control"] == "no-cache"
    assert resp.content == (STOREFRONT / "passaparola.js").read_bytes()
    head = requests.head(f"{local_stack.url}/passaparola.js", timeout=5)
    assert head.status_code == 200 and head.content == b""


def test_demo_page_points_the_tag_at_its_own_origin_and_key(local_stack: Stack) -> None:
    resp = requests.get(f"{local_stack.url}/demo", timeout=5)
    assert resp.status_code == 200
    assert resp.headers["Content-Type"] == "text/html; charset=utf-8"
    assert resp.headers["Cache-Control"] == "no-cache"
    page = resp.text
    assert '<script src="/passaparola.js"' in page
    assert f'data-api="{local_stack.url}"' in page  # the Host the page was asked from
    assert 'data-key="pk_test_local"' in page  # the stack's publishable key (pk_local_dev by default)
    assert 'id="checkout-ref"' in page


def test_demo_ignores_a_malformed_host_header(local_stack: Stack) -> None:
    resp = requests.get(f"{local_stack.url}/demo", headers={"Host": 'evil"><script>'}, timeout=5)
    assert resp.status_code == 200
    assert f'data-api="{local_stack.url}"' in resp.text and "evil" not in resp.text


def test_other_methods_are_not_served(local_stack: Stack) -> None:
    resp = requests.post(f"{local_stack.url}/passaparola.js", timeout=5)
    assert resp.status_code in (404, 405)


def test_sample_shop_carries_the_tag_and_no_token_for_a_guest(local_stack: Stack) -> None:
    resp = requests.get(f"{local_stack.url}/shop", timeout=5)
    assert resp.status_code == 200
    assert resp.headers["Content-Type"] == "text/html; charset=utf-8"
    page = resp.text
    assert f'data-api="{local_stack.url}"' in page and 'data-key="pk_test_local"' in page
    assert 'data-customer-token=""' in page and "data-panel" not in page
    assert 'id="coupon-form"' in page


def test_sample_shop_mints_no_token_for_a_malformed_customer_id(local_stack: Stack) -> None:
    """(The token for a sane id is the browser tests' business: tests/browser/test_panel.py signs members in so.)"""
    bad = requests.get(f"{local_stack.url}/shop", params={"customer": 'x"><script>'}, timeout=5).text
    assert 'data-customer-token=""' in bad and "<script>'" not in bad and 'x"><' not in bad
