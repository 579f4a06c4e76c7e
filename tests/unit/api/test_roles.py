"""The roles table decides every route every app serves, and names no route that does not exist."""

from __future__ import annotations

import re

import pytest

from infra.local.functions import load_module
from infra.local.template import Template
from passaparola.api import roles
from passaparola.api.keys import Principal
from passaparola.errors import ForbiddenRole
from tests.unit.functions import ROOT

ADDED_BY_OTHER_BRANCHES = {
    "GET /v1/audit",
    "GET /v1/reports/overview",
    "GET /v1/campaigns/{campaign_id}/redemptions",
    "GET /v1/codes/{code}/redemptions",
    "POST /v1/codes/{code}/disable",
    "POST /v1/codes/{code}/enable",
    "GET /v1/customers",
    "POST /v1/customers/{customer_id}/points/adjustments",
    "GET /v1/customers/{customer_id}/coupons",
    "POST /v1/messages/preview",
}
"""Routes of issue 12 that other branches add (docs/console.md): may be missing until they are merged."""


def served() -> tuple[set[str], set[str]]:
    """(every route the apps serve, the public ones) as "METHOD /template/{path}"."""
    routes, public = set(), set()
    for spec in Template(ROOT / "template.yaml").functions().values():
        app = getattr(load_module(spec, "_roles"), "app", None)
        if app is None:
            continue
        greedy = "|".join(getattr(app, "greedy_parameters", ())) or "$^"  # {proxy+}: the console's files
        for route in app._static_routes + app._dynamic_routes:
            if route.method != "OPTIONS":
                path = re.sub(r"<(\w+)>", r"{\1}", re.sub(rf"<({greedy})>", r"{\1+}", route.path))
                routes.add(route.method + " " + path)
        public |= set(app.public_routes)
    return routes, public


def test_every_served_route_is_decided_and_every_decided_route_is_served() -> None:
    routes, public = served()
    undecided = routes - public - set(roles.MINIMUM_ROLE)
    assert not undecided, f"decide who may call these in passaparola/api/roles.py: {sorted(undecided)}"
    stale = set(roles.MINIMUM_ROLE) - routes - ADDED_BY_OTHER_BRANCHES
    assert not stale, f"roles.py names routes no app serves: {sorted(stale)}"
    assert not (roles.OWNER_ONLY & roles.MARKETER) and not (roles.OWNER_ONLY & roles.SUPPORT)
    assert not (roles.MARKETER & roles.SUPPORT)


@pytest.mark.parametrize(
    ("role", "route", "allowed"),
    [
        ("owner", "GET /v1/keys", True),
        ("owner", "GET /v1/something/new", True),
        ("marketer", "PATCH /v1/campaigns/{campaign_id}", True),
        ("marketer", "DELETE /v1/customers/{customer_id}", False),
        ("marketer", "POST /v1/keys", False),
        ("marketer", "GET /v1/audit", False),
        ("marketer", "GET /v1/customers/{customer_id}", True),
        ("marketer", "GET /v1/something/new", False),
        ("support", "GET /v1/customers/{customer_id}", True),
        ("support", "POST /v1/customers/{customer_id}/points/adjustments", True),
        ("support", "POST /v1/campaigns/{campaign_id}/codes", True),
        ("support", "PATCH /v1/campaigns/{campaign_id}", False),
        ("support", "POST /v1/campaigns/{campaign_id}/disable", False),
        ("support", "GET /v1/reports/roi", False),
        (None, "GET /v1/console/me", False),
    ],
)
def test_may_call(role: str | None, route: str, allowed: bool) -> None:
    assert roles.may_call(role, route) is allowed


def test_check_concerns_console_users_only() -> None:
    route = "DELETE /v1/customers/{customer_id}"
    roles.check(Principal(kind="secret", key_id="k"), route)
    roles.check(None, route)
    with pytest.raises(ForbiddenRole) as refused:
        roles.check(Principal(kind="user", key_id="u_1", role="support", email="s@example.com"), route)
    assert refused.value.details == {"role": "support", "route": route}


def test_require_owner_for_owner_only_fields() -> None:
    roles.require_owner(Principal(kind="secret", key_id="k"))
    roles.require_owner(Principal(kind="user", key_id="u_1", role="owner"))
    for principal in (
        Principal(kind="user", key_id="u_2", role="marketer"),
        Principal(kind="publishable", key_id="p"),
        None,
    ):
        with pytest.raises(ForbiddenRole) as refused:
            roles.require_owner(principal, "open_to_support")
        assert refused.value.details["field"] == "open_to_support"


def test_permissions_are_what_me_shows() -> None:
    support = roles.permissions("support")
    assert "GET /v1/console/me" in support and "PATCH /v1/campaigns/{campaign_id}" not in support
    assert set(roles.permissions("owner")) == set(roles.MINIMUM_ROLE)
