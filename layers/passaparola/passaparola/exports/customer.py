"""`GET /v1/customers/{id}/export`: everything held about a customer, read from where each part lives.

Every part is a Query of the customer's own keys (their partitions, the by_customer / by_code indexes), never a
scan; a part longer than `MAX_ITEMS` is cut there and named in `truncated` (the paged API lists the rest).
"""

from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from passaparola import clock
from passaparola.coupons.models import Code
from passaparola.customers import service as customers
from passaparola.data import conversions as conversion_store
from passaparola.data import coupons as code_store
from passaparola.data import customers as store
from passaparola.data import links as link_store
from passaparola.data import loyalty as loyalty_store
from passaparola.data import messages as message_store
from passaparola.data import passes as pass_store
from passaparola.data import rewards as reward_store
from passaparola.errors import NotFound
from passaparola.exports.models import (
    CustomerExport,
    ExportedCoupon,
    ExportedDevice,
    ExportedLink,
    ExportedLoyalty,
    ExportedMembership,
    ExportedPass,
)
from passaparola.loyalty import service as loyalty
from passaparola.loyalty.models import LoyaltyRedemption
from passaparola.referrals.models import Conversion

MAX_ITEMS = 10_000
PAGE = 1000
T = TypeVar("T")


def _all(name: str, read: Callable[[int, str | None], tuple[list[T], str | None]], truncated: list[str]) -> list[T]:
    """Every page of a listing, up to MAX_ITEMS (then `name` goes into `truncated`)."""
    items: list[T] = []
    cursor: str | None = None
    while True:
        page, cursor = read(min(PAGE, MAX_ITEMS - len(items)), cursor)
        items += page
        if not cursor:
            return items
        if len(items) >= MAX_ITEMS:
            truncated.append(name)
            return items


def export(customer_id: str) -> CustomerExport:
    part = store.partition(customer_id)
    record = part.record
    truncated: list[str] = []

    def ledger_page(limit: int, cursor: str | None) -> tuple[list, str | None]:  # type: ignore[type-arg]
        page = loyalty.ledger(customer_id, limit, cursor)
        return list(page.items), page.next_cursor

    points = _all("loyalty.ledger", ledger_page, truncated)
    bought = [
        LoyaltyRedemption.model_validate_json(i.spec) for i in loyalty_store.redemptions_of(customer_id, MAX_ITEMS)
    ]
    coupons = [_coupon(c.code) for c in part.coupons if c.code]
    links = link_store.owned(customer_id)
    as_referrer = [c for link in links for c in conversion_store.of_code(link.code, MAX_ITEMS)]
    as_friend: list[Conversion] = []
    if record is not None and record.referred_by:
        as_friend = [c for c in conversion_store.of_code(record.referred_by, MAX_ITEMS) if c.customer_id == customer_id]
    rewards = _all("rewards", lambda n, c: reward_store.of_customer(customer_id, None, n, c), truncated)
    rewards_ledger = _all("rewards_ledger", lambda n, c: reward_store.ledger_of(customer_id, n, c), truncated)
    messages = [
        m.model_copy(update={"body": None})
        for m in _all("messages", lambda n, c: message_store.for_customer(customer_id, n, c), truncated)
    ]
    wallet_pass = _pass(record.pass_serial) if record is not None and record.pass_serial else None
    found = [record, points, bought, coupons, links, as_friend, rewards, rewards_ledger, messages, wallet_pass]
    if not any(found):
        raise NotFound("Nothing is held about this customer.", {"customer_id": customer_id})
    return CustomerExport(
        customer_id=customer_id,
        exported_at=clock.now(),
        profile=customers.to_customer(record, part.referrals) if record is not None else None,
        segments=[
            ExportedMembership(segment=m.segment, entered_at=datetime.fromisoformat(m.entered_at))
            for m in part.memberships
        ],
        loyalty=ExportedLoyalty(ledger=points, redemptions=bought),
        coupons=[c for c in coupons if c is not None],
        referral_links=[
            ExportedLink(
                code=link.code,
                campaign_id=link.campaign_id,
                name=link.name,
                variant=link.variant,
                created_at=link.created_at,
                counts=link.counts,
            )
            for link in links
        ],
        conversions_as_referrer=as_referrer,
        conversions_as_friend=as_friend,
        rewards=rewards,
        rewards_ledger=rewards_ledger,
        messages=messages,
        wallet_pass=wallet_pass,
        truncated=truncated,
    )


def _coupon(code: str) -> ExportedCoupon | None:
    try:
        bound: Code = code_store.get_code(code)
    except NotFound:
        return None
    return ExportedCoupon(code=bound, redemptions=code_store.uses_of(code, MAX_ITEMS))


def _pass(serial: str) -> ExportedPass | None:
    item = pass_store.get_pass(serial)
    if item is None:
        return None
    return ExportedPass(
        serial=serial,
        created_at=datetime.fromisoformat(item.created_at),
        updated_at=datetime.fromisoformat(item.updated_at),
        google_object_id=item.google_object_id,
        devices=[
            ExportedDevice(device=r.device, registered_at=datetime.fromisoformat(r.registered_at))
            for r in pass_store.registrations(serial)
        ],
    )
