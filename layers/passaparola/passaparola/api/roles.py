"""What each console role may call: one table of routes (docs/console.md, "Roles"), enforced in `Api` before routing.

Every route has the lowest role that may call it; a higher role may call it too (owner > marketer > support).
A route missing from the table is the owner's only, so a forgotten route is closed rather than open; a unit
test (tests/unit/api/test_roles.py) fails when an app serves a route the table does not decide. The secret key
keeps every route and publishable keys keep their browser routes: roles concern console users only.
"""

from typing import Literal

from passaparola.api.keys import Principal
from passaparola.errors import ForbiddenRole

Role = Literal["owner", "marketer", "support"]
RANK: dict[str, int] = {"support": 1, "marketer": 2, "owner": 3}

OWNER_ONLY = frozenset(
    {
        "GET /v1/keys",
        "POST /v1/keys",
        "POST /v1/keys/{prefix}/revoke",
        "GET /v1/console/users",
        "POST /v1/console/users",
        "PATCH /v1/console/users/{email}",
        "DELETE /v1/customers/{customer_id}",
        "POST /v1/customers/{customer_id}/token",
        "POST /v1/customers/{customer_id}/tokens/revoke",
        "GET /v1/audit",
        "POST /v1/webhooks",
        "GET /v1/webhooks",
        "GET /v1/webhooks/{webhook_id}",
        "PATCH /v1/webhooks/{webhook_id}",
        "DELETE /v1/webhooks/{webhook_id}",
        "POST /v1/webhooks/{webhook_id}/secret/rotate",
        "POST /v1/webhooks/{webhook_id}/test",
        "GET /v1/webhooks/{webhook_id}/deliveries",
        "POST /v1/webhooks/{webhook_id}/replay",
        "GET /v1/payouts",
        "POST /v1/payouts/{payout_id}/paid",
        "POST /v1/points/imports",
        "GET /v1/rewards",
        "GET /v1/points/ledger",
    }
)
"""API keys, console users, erasure, customer tokens, the audit log, webhooks (their secrets, where data goes),
the payouts (money owed to people), points imports (balances of many customers at once) and accounting exports
across customers."""

SUPPORT = frozenset(
    {
        "GET /v1/console/me",
        "GET /v1/customers",
        "GET /v1/customers/{customer_id}",
        "GET /v1/customers/{customer_id}/export",
        "GET /v1/customers/{customer_id}/wallet",
        "GET /v1/customers/{customer_id}/pass.pkpass",
        "GET /v1/customers/{customer_id}/pass/google",
        "GET /v1/customers/{customer_id}/points/ledger",
        "POST /v1/customers/{customer_id}/points/adjustments",
        "GET /v1/customers/{customer_id}/rewards",
        "GET /v1/customers/{customer_id}/rewards/ledger",
        "GET /v1/customers/{customer_id}/messages",
        "GET /v1/campaigns",
        "GET /v1/campaigns/{campaign_id}",
        "GET /v1/program",
        "POST /v1/campaigns/{campaign_id}/codes",
        "GET /v1/codes/{code}",
        "GET /v1/codes/{code}/qr",
        "GET /v1/codes/{code}/redemptions",
    }
)
"""Find a customer and read their facts (and download their wallet pass, to help them add it), read campaigns and
codes, issue a customer-bound code from a campaign open to support (the campaigns service checks both), adjust points
with a reason."""

MARKETER = frozenset(
    {
        "POST /v1/campaigns",
        "PATCH /v1/campaigns/{campaign_id}",
        "POST /v1/campaigns/{campaign_id}/enable",
        "POST /v1/campaigns/{campaign_id}/disable",
        "GET /v1/campaigns/{campaign_id}/codes",
        "GET /v1/campaigns/{campaign_id}/codes/export",
        "GET /v1/campaigns/{campaign_id}/batches/{batch_id}",
        "GET /v1/campaigns/{campaign_id}/batches/{batch_id}/codes",
        "GET /v1/campaigns/{campaign_id}/messages",
        "GET /v1/campaigns/{campaign_id}/redemptions",
        "POST /v1/codes/{code}/disable",
        "POST /v1/codes/{code}/enable",
        "POST /v1/coupons/validate",
        "POST /v1/redemptions",
        "GET /v1/redemptions/{redemption_id}",
        "POST /v1/redemptions/{redemption_id}/rollback",
        "GET /v1/events",
        "GET /v1/events/{event_id}",
        "POST /v1/orders",
        "GET /v1/orders/{order_id}",
        "POST /v1/orders/{order_id}/refund",
        "POST /v1/referrals",
        "GET /v1/referrals/{code}",
        "POST /v1/referrals/track",
        "GET /v1/referrals/{code}/offer",
        "POST /v1/referrals/{code}/friends",
        "POST /v1/referrals/events",
        "GET /v1/referrals/conversions",
        "POST /v1/referrals/conversions/{conversion_id}/approve",
        "POST /v1/referrals/conversions/{conversion_id}/reject",
        "GET /v1/reports/leaderboard",
        "GET /v1/reports/funnel",
        "GET /v1/reports/roi",
        "GET /v1/reports/overview",
        "GET /v1/reports/word-of-mouth",
        "GET /v1/reports/coupons",
        "GET /v1/reports/variants",
        "GET /v1/reports/referral-rate",
        "PUT /v1/customers/{customer_id}",
        "POST /v1/customers/{customer_id}/rewards",
        "POST /v1/events",
        "POST /v1/loyalty/enroll",
        "GET /v1/loyalty/enrollment",
        "GET /v1/me/wallet",
        "GET /v1/me/pass.pkpass",
        "POST /v1/me/rewards",
        "GET /v1/me/points/ledger",
        "POST /v1/me/referral",
        "GET /v1/me/pass/google",
        "POST /v1/me/pass/link",
        "GET /v1/engagement",
        "PUT /v1/engagement",
        "GET /v1/segments",
        "POST /v1/segments",
        "GET /v1/segments/changes",
        "GET /v1/segments/sizes",
        "DELETE /v1/segments/{name}",
        "GET /v1/segments/{name}/customers",
        "POST /v1/messages/preview",
        "POST /v1/referrals/preview",
        "GET /v1/unsubscribe",
        "POST /v1/unsubscribe",
    }
)
"""Campaigns, codes, checkout, referrals and their review, reports, segments, messages (beside SUPPORT's)."""

_OWNER: Role = "owner"
_MARKETER: Role = "marketer"
_SUPPORT: Role = "support"
MINIMUM_ROLE: dict[str, Role] = (
    dict.fromkeys(OWNER_ONLY, _OWNER) | dict.fromkeys(MARKETER, _MARKETER) | dict.fromkeys(SUPPORT, _SUPPORT)
)


def may_call(role: str | None, route: str) -> bool:
    """May a console user with `role` call `route` ("PATCH /v1/campaigns/{campaign_id}")?"""
    return RANK.get(role or "", 0) >= RANK[MINIMUM_ROLE.get(route, "owner")]


def permissions(role: str | None) -> list[str]:
    """Every decided route the role may call, sorted (what `GET /v1/console/me` shows the web app)."""
    return sorted(route for route in MINIMUM_ROLE if may_call(role, route))


def check(principal: Principal | None, route: str) -> None:
    """Refuse a console user a route their role may not call (keys and anonymous calls are not concerned)."""
    if principal is not None and principal.kind == "user" and not may_call(principal.role, route):
        raise ForbiddenRole(
            f"The {principal.role} role may not call {route}.", {"role": principal.role, "route": route}
        )


def is_owner(principal: Principal | None) -> bool:
    """The secret key or an owner: who may change owner-only fields (a campaign's `open_to_support`)."""
    return principal is not None and (principal.kind == "secret" or principal.role == "owner")


def require_owner(principal: Principal | None, field: str | None = None) -> None:
    """403 `forbidden_role` unless the secret key or an owner is calling (for owner-only fields in a body)."""
    if not is_owner(principal):
        role = principal.role if principal is not None else None
        details: dict[str, object] = {"role": role}
        if field:
            details["field"] = field
        raise ForbiddenRole("Only the owner may change this.", details)
