"""Which routes are administrative changes, and what each one records: one table, decided route by route.

`AUDITED` maps "METHOD /resource" (the template's path) to a `Rule`: how to describe the change from the
path parameters, the request and the response, and optionally how to read the state before it (one extra
read, on human-speed routes only). `NOT_AUDITED` lists every other mutating route with the reason: a unit
test reads every app's routes, so a new POST/PUT/PATCH/DELETE route fails CI until it is in one of them.
Plain dataclasses and no domain import at module level: every API function loads this table at its cold start.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Call:
    """What a successful request to an audited route carried."""

    params: Mapping[str, str]
    request: Any
    response: Any
    before: Any = None


@dataclass(frozen=True)
class Target:
    type: str
    id: str


@dataclass(frozen=True)
class Change:
    action: str
    target: Target
    before: Any = None
    after: Any = None


@dataclass(frozen=True)
class Rule:
    describe: Callable[[Call], Change]
    read_before: Callable[[Mapping[str, str]], Any] | None = None


def _field(value: Any, name: str) -> Any:
    return value.get(name) if isinstance(value, dict) else None


def _pick(value: Any, *names: str) -> dict[str, Any]:
    """Only the named fields: what is recorded of a key or a user is chosen, never everything the answer held."""
    return {n: value[n] for n in names if isinstance(value, dict) and n in value}


def campaign_before(params: Mapping[str, str]) -> Any:
    from passaparola.campaigns import service

    return service.get(params["campaign_id"]).model_dump(mode="json")


def engagement_before(params: Mapping[str, str]) -> Any:
    from passaparola.segments import service

    return service.engagement().model_dump(mode="json")


def _campaign(action: str) -> Callable[[Call], Change]:
    def describe(call: Call) -> Change:
        campaign_id = call.params.get("campaign_id") or call.response["id"]
        return Change(action, Target(type="campaign", id=campaign_id), call.before, call.response)

    return describe


def _switch(action: str) -> Callable[[Call], Change]:
    def describe(call: Call) -> Change:
        before = {"enabled": _field(call.before, "enabled")} if call.before is not None else None
        return Change(
            action, Target(type="campaign", id=call.params["campaign_id"]), before, _pick(call.response, "enabled")
        )

    return describe


def _codes(call: Call) -> Change:
    """One code (with the customer it is bound to), a few codes written now, or a background batch."""
    batch = _field(call.response, "batch")
    if batch:
        after = {"campaign_id": call.params["campaign_id"], **_pick(batch, "requested", "pattern")}
        return Change("codes.batch_started", Target(type="batch", id=batch["id"]), after=after)
    codes = _field(call.response, "codes") or []
    if len(codes) == 1:
        after = _pick(codes[0], "code", "campaign_id", "customer_id", "expires_at")
        return Change("code.issued", Target(type="code", id=codes[0]["code"]), after=after)
    after = {"count": len(codes), "codes": [c["code"] for c in codes]}
    return Change("codes.issued", Target(type="campaign", id=call.params["campaign_id"]), after=after)


def _points(call: Call) -> Change:
    """Before/after balance from the answer (`balance_before`/`balance_after`, or `balance` and the points)."""
    points = _field(call.request, "points")
    after_balance = _field(call.response, "balance_after")
    if after_balance is None:
        after_balance = _field(call.response, "balance")
    before_balance = _field(call.response, "balance_before")
    if before_balance is None and isinstance(after_balance, int) and isinstance(points, int):
        before_balance = after_balance - points
    after = {"balance": after_balance, "points": points, "reason": _field(call.request, "reason")}
    target = Target(type="customer", id=call.params["customer_id"])
    return Change("points.adjusted", target, {"balance": before_balance}, after)


def _simple(action: str, target: str, param: str, after: Callable[[Call], Any] | None = None) -> Rule:
    """An action on the resource named by a path parameter, with an optional view of the answer as `after`."""

    def describe(call: Call) -> Change:
        return Change(action, Target(type=target, id=call.params[param]), after=after(call) if after else None)

    return Rule(describe)


def _created(action: str, target: str, field: str, keep: tuple[str, ...] = ()) -> Rule:
    """A resource created by the call: its id is a field of the answer; `keep` the recorded fields (all if empty)."""

    def describe(call: Call) -> Change:
        after = _pick(call.response, *keep) if keep else call.response
        return Change(action, Target(type=target, id=str(call.response[field])), after=after)

    return Rule(describe)


def _status(call: Call) -> Any:
    return _pick(call.response, "status", "campaign_id")


def _conversion(action: str) -> Rule:
    return _simple(action, "conversion", "conversion_id", _status)


USER_FIELDS = ("email", "role", "enabled")
KEY_FIELDS = ("prefix", "name", "kind")  # never the raw key, shown once in the answer
WEBHOOK_FIELDS = ("id", "url", "events", "description", "enabled")  # never the secret

AUDITED: dict[str, Rule] = {
    "POST /v1/campaigns": Rule(_campaign("campaign.created")),
    "PATCH /v1/campaigns/{campaign_id}": Rule(_campaign("campaign.updated"), campaign_before),
    "POST /v1/campaigns/{campaign_id}/enable": Rule(_switch("campaign.enabled"), campaign_before),
    "POST /v1/campaigns/{campaign_id}/disable": Rule(_switch("campaign.disabled"), campaign_before),
    "POST /v1/campaigns/{campaign_id}/codes": Rule(_codes),
    "POST /v1/codes/{code}/disable": _simple("code.disabled", "code", "code"),
    "POST /v1/codes/{code}/enable": _simple("code.enabled", "code", "code"),
    "POST /v1/customers/{customer_id}/points/adjustments": Rule(_points),
    "DELETE /v1/customers/{customer_id}": _simple("customer.erased", "customer", "customer_id"),
    # a read, but a disclosure of everything held about a person: who exported whose data is kept (not the data)
    "GET /v1/customers/{customer_id}/export": _simple("customer.exported", "customer", "customer_id"),
    "POST /v1/customers/{customer_id}/tokens/revoke": _simple(
        "tokens.revoked", "customer", "customer_id", lambda call: _pick(call.response, "token_epoch")
    ),
    "POST /v1/referrals/conversions/{conversion_id}/approve": _conversion("conversion.approved"),
    "POST /v1/referrals/conversions/{conversion_id}/reject": _conversion("conversion.rejected"),
    "POST /v1/segments": _created("segment.created", "segment", "name"),
    "DELETE /v1/segments/{name}": _simple("segment.deleted", "segment", "name"),
    "PUT /v1/engagement": Rule(
        lambda call: Change("engagement.updated", Target(type="engagement", id="settings"), call.before, call.response),
        engagement_before,
    ),
    "POST /v1/keys": _created("key.created", "key", "prefix", KEY_FIELDS),
    "POST /v1/keys/{prefix}/revoke": _simple("key.revoked", "key", "prefix"),
    "POST /v1/payouts/{payout_id}/paid": _simple(
        "payout.paid", "payout", "payout_id", lambda call: _pick(call.response, "amount", "currency", "reference")
    ),
    "POST /v1/points/imports": Rule(
        lambda call: Change(
            "points.imported",
            Target(type="import", id=str(_field(call.response, "name"))),
            after=_pick(call.response, "rows", "imported", "already_imported"),
        )
    ),
    "POST /v1/console/users": _created("user.created", "user", "email", USER_FIELDS),
    "PATCH /v1/console/users/{email}": _simple(
        "user.updated", "user", "email", lambda call: _pick(call.response, *USER_FIELDS)
    ),
    "POST /v1/webhooks": _created("webhook.created", "webhook", "id", WEBHOOK_FIELDS),
    "PATCH /v1/webhooks/{webhook_id}": _simple(
        "webhook.updated", "webhook", "webhook_id", lambda call: _pick(call.response, *WEBHOOK_FIELDS)
    ),
    "DELETE /v1/webhooks/{webhook_id}": _simple("webhook.deleted", "webhook", "webhook_id"),
    "POST /v1/webhooks/{webhook_id}/secret/rotate": _simple(
        "webhook.secret_rotated",
        "webhook",
        "webhook_id",
        lambda call: _pick(call.response, "previous_secret_expires_at"),
    ),
    "POST /v1/webhooks/{webhook_id}/replay": _simple(
        "webhook.replayed",
        "webhook",
        "webhook_id",
        lambda call: {"request": call.request, **_pick(call.response, "queued")},
    ),
}

CHECKOUT = "checkout traffic: its records are the redemptions, orders, conversions and ledgers themselves"

PASSKIT = "Apple Wallet (un)registering a phone for a pass's updates (no key: the pass's own token)"
PASSKIT_REGISTRATION = "{} /v1/passkit/v1/devices/{{device_id}}/registrations/{{pass_type_id}}/{{serial}}"

NOT_AUDITED: dict[str, str] = {
    "POST /v1/coupons/validate": "checkout: reads only",
    "POST /v1/redemptions": CHECKOUT,
    "POST /v1/redemptions/{redemption_id}/rollback": CHECKOUT,
    "POST /v1/orders": CHECKOUT,
    "POST /v1/orders/{order_id}/refund": CHECKOUT,
    "POST /v1/referrals/events": CHECKOUT,
    "POST /v1/referrals": "the shop's backend fetching a customer's referral link (created once per customer)",
    "POST /v1/referrals/track": "storefront tracking of a visit",
    "POST /v1/referrals/{code}/friends": "a referred friend taking their coupon from the storefront (the code records it)",
    "POST /v1/events": "engagement events sent by the shop's backend (kept on the customer's record)",
    "POST /v1/loyalty/enroll": "a shopper joining the program from the storefront (kept on their record)",
    "PUT /v1/customers/{customer_id}": "the shop's backend syncing a profile (personal data; high volume)",
    "POST /v1/customers/{customer_id}/token": "a storefront session token, issued per visit by the shop's backend",
    "POST /v1/customers/{customer_id}/rewards": "a shopper spending points (the points ledger records it)",
    "POST /v1/me/rewards": "a shopper spending points (the points ledger records it)",
    "POST /v1/me/referral": "a shopper fetching their referral link (created once per customer)",
    "POST /v1/unsubscribe": "a customer's own choice from a message link (kept on their record)",
    "POST /v1/console/session": "signing in changes nothing",
    "POST /v1/console/session/refresh": "refreshing a session changes nothing",
    "POST /v1/messages/preview": "renders a message, changes nothing",
    "POST /v1/referrals/preview": "renders share texts, changes nothing",
    PASSKIT_REGISTRATION.format("POST"): PASSKIT,
    PASSKIT_REGISTRATION.format("DELETE"): PASSKIT,
    "POST /v1/passkit/v1/log": "Apple Wallet reporting problems with a pass (logged as warnings)",
    "POST /v1/webhooks/{webhook_id}/test": "a test ping: the delivery log records it",
}

CHANGES_NOTHING = frozenset(
    {
        "POST /v1/console/session",
        "POST /v1/console/session/refresh",
        "POST /v1/coupons/validate",
        "POST /v1/messages/preview",
        "POST /v1/referrals/preview",
    }
)
"""Routes of NOT_AUDITED that change nothing whoever calls them."""


def by_person(route: str) -> Rule | None:
    """A console user calling a route that is not administrative (an order, a redemption, a profile written by hand)
    is still a change made by a person: recorded as `route.called` with the route and its path parameters (never
    the bodies, which may carry personal data). The shop's backend calling the same route is its checkout traffic."""
    if route.split(" ", 1)[0] not in {"POST", "PUT", "PATCH", "DELETE"} or route in CHANGES_NOTHING:
        return None

    def describe(call: Call) -> Change:
        return Change("route.called", Target(type="route", id=route), after={"params": dict(call.params)})

    return Rule(describe)
