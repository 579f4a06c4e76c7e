"""Customer use cases: the profile, engagement events, the right to be forgotten, joining the loyalty program."""

import json
import re
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from aws_lambda_powertools.metrics import MetricUnit
from pynamodb.exceptions import DoesNotExist, TransactWriteError, UpdateError

from passaparola import clock
from passaparola.campaigns.models import LoyaltyCampaign
from passaparola.clock import iso
from passaparola.coupons.models import CUSTOMER_ID_PATTERN, RESERVED_CUSTOMER_IDS
from passaparola.customers import rules as segment_rules
from passaparola.customers.models import (
    Basket,
    Birthday,
    Consent,
    Customer,
    CustomerFacts,
    CustomerPut,
    CustomerSearch,
    CustomerSummary,
    EngagementEventIn,
    Erasure,
    EventOutcome,
    LoyaltyStatus,
)
from passaparola.customers.record import Change, parse
from passaparola.data import campaigns as campaign_store
from passaparola.data import conversions as referral_links
from passaparola.data import coupons as code_store
from passaparola.data import customers as store
from passaparola.data import messages as message_store
from passaparola.data import passes as pass_store
from passaparola.data import stats, transactions
from passaparola.data.models.customers import CustomerModel, ReferralMirrorModel
from passaparola.data.models.orders import OrderModel
from passaparola.data.models.referrals import LinkFriendModel, LinkModel, LinkOwnerModel, TouchModel
from passaparola.data.transactions import Transaction
from passaparola.errors import Conflict, NotFound
from passaparola.events import outbox
from passaparola.events.types import CustomerErased
from passaparola.loyalty import rules as loyalty_rules
from passaparola.observability import metrics
from passaparola.referrals import identity

ATTEMPTS = 10
T = TypeVar("T")


def program() -> LoyaltyCampaign | None:
    return campaign_store.loyalty_program()


def mutate(customer_id: str, do: Callable[[Change, Transaction], T], reason: str = "change") -> tuple[Change, T]:
    """Read the record, apply `do`, write it all in one transaction; a concurrent change → read and redo."""
    loyalty = program()
    for attempt in range(ATTEMPTS):
        transactions.backoff(attempt)  # let the concurrent change land
        record, now = store.read(customer_id), clock.now()
        done: list[tuple[Change, T]] = []

        def build(
            tx: Transaction,
            record: CustomerModel | None = record,
            now: datetime = now,
            done: list[tuple[Change, T]] = done,
        ) -> None:
            change = Change(customer_id, record, now, loyalty)  # fresh at each try of the transaction
            change.reason = reason
            done.clear()
            done.append((change, do(change, tx)))
            change.write(tx)

        try:
            transactions.write(build)
        except TransactWriteError as exc:
            if transactions.failed_items(exc):
                continue
            raise
        change, result = done[-1]
        for hook in change.effects.after_commit:
            hook()
        return change, result
    raise Conflict("The customer kept changing concurrently; retry.")


# --------------------------------------------------------------------------------------------- profile


def put(customer_id: str, body: CustomerPut) -> tuple[Customer, bool]:
    def do(change: Change, tx: Transaction) -> bool:
        now, r = change.now, change.record
        created = r is None or r.profile_at is None
        change.put("email", body.email)
        change.put("email_hash", identity.email_hash(body.email) if body.email else None)
        change.put("phone", body.phone)
        change.put("name", body.name)
        change.put("country", body.country)
        change.put("locale", body.locale)
        change.put("attributes", json.dumps(body.attributes) if body.attributes else None)
        change.put("consent", _consent(body, r, now))
        birthday = _birthday_text(body.birthday)
        if birthday != (r.birthday if r else None):
            change.put("birthday", birthday)
            change.put("birthday_set_at", iso(now) if birthday else None)
            if body.birthday:
                change.set_birthday_timer(body.birthday.month, body.birthday.day)
            else:
                change.clear_timer(store.timer_sk("birthday"))
        if body.created_at:
            change.signed_up_at = body.created_at
            change.put("signed_up_at", iso(body.created_at))
        change.seen(now)
        change.put("profile_at", r.profile_at if r and r.profile_at else iso(now))
        change.put("updated_at", iso(now))
        change.put("erased_at", None)
        return created

    _, created = mutate(customer_id, do, "profile")
    return get(customer_id), created


def _birthday_text(b: Birthday | None) -> str | None:
    if b is None:
        return None
    return f"{b.year:04d}-{b.month:02d}-{b.day:02d}" if b.year else f"{b.month:02d}-{b.day:02d}"


def _consent(body: CustomerPut, record: CustomerModel | None, now: datetime) -> str | None:
    """Consent per channel with the time it was given; a channel left out keeps what was recorded."""
    current = json.loads(record.consent) if record and record.consent else {}
    for channel, consent in body.consent.items():
        previous = current.get(channel)
        unchanged = (
            previous
            and previous.get("granted") == consent.granted
            and consent.at is None
            and previous.get("confirmed") is not False  # the shop PUTting it confirms a browser's consent
        )
        current[channel] = (
            previous
            if unchanged
            else {"granted": consent.granted, "at": iso(consent.at or now), "source": consent.source}
        )
    return json.dumps(current) if current else None


def get(customer_id: str) -> Customer:
    part = store.partition(customer_id)
    if part.record is None:
        raise NotFound("No such customer.", {"customer_id": customer_id})
    return to_customer(part.record, part.referrals)


def to_customer(r: CustomerModel, referrals: list[ReferralMirrorModel] | None = None) -> Customer:
    now = clock.now()
    loyalty = program()
    config = store.engagement_config()
    change = Change(r.customer_id, r, now, loyalty, config, [])
    baskets = tuple((int(a), str(c)) for a, c in change.baskets)
    basket = segment_rules.basket(baskets)
    birthday = None
    if r.birthday:
        parts = [int(p) for p in r.birthday.split("-")]
        birthday = (
            Birthday(year=parts[0], month=parts[1], day=parts[2])
            if len(parts) == 3
            else Birthday(month=parts[0], day=parts[1])
        )
    consent = {k: Consent.model_validate(v) for k, v in json.loads(r.consent).items()} if r.consent else {}
    referrer = r.referred_by_customer_id
    return Customer(
        id=r.customer_id,
        email=r.email,
        phone=r.phone,
        name=r.name,
        birthday=birthday,
        country=r.country,
        locale=r.locale,
        consent=consent,
        attributes=json.loads(r.attributes) if r.attributes else {},
        created_at=parse(r.signed_up_at),
        updated_at=parse(r.updated_at),
        erased=bool(r.erased_at),
        facts=CustomerFacts(
            first_order_at=parse(r.first_order_at),
            last_order_at=parse(r.last_order_at),
            order_count=change.order_count,
            total_spent=dict(change.spent),
            basket=Basket.model_validate(basket.model_dump()) if basket else None,
            ltv=dict(change.spent),
            engagement_score=round(change.score_now(), 2),
            signals=dict(change.signals),
            referred=bool(r.referred_by),
            referred_by=r.referred_by,
            referred_by_customer_id=referrer,
            referrals_converted=change.referrals_converted,
            coupon_orders=change.coupon_orders,
            loyalty_redemptions=change.loyalty_redemptions,
        ),
        segments=sorted(r.segments or []),
        loyalty=LoyaltyStatus(
            member=change.member,
            enrolled_at=change.enrolled_at,
            balance=change.balance,
            debt=loyalty_rules.debt(change.balance),
            pending=change.pending,
            tier=change.tier,
        ),
    )


# --------------------------------------------------------------------------------------------- search

SEARCH_MAX = 20


def search(query: str) -> CustomerSearch:
    """A customer by exact id, and customers by email (exact, case-insensitive): two key reads, never a scan.

    An email is looked up by its keyed hash (`email_hash`, written with the profile and by enrollment, removed by
    erasure) in the sparse `by_email` index, so the match is on the mailbox the address reaches
    (`identity.normalize_email`: case, and Gmail's dots and `+tags`); exact spelling first. The hash was always
    written, so adding the index (DynamoDB backfills it) finds the records written before it; one without the hash
    is found once its profile is written again.
    """
    query = query.strip()
    ids: list[str] = []
    if re.fullmatch(CUSTOMER_ID_PATTERN, query) and query.lower() not in RESERVED_CUSTOMER_IDS:
        ids.append(query)
    if "@" in query:
        ids += [i for i in store.ids_by_email(identity.email_hash(query), SEARCH_MAX) if i not in ids]
    found = [r for r in (store.read(i) for i in ids) if r is not None]
    exact = query.lower()
    found.sort(key=lambda r: (r.customer_id != query, (r.email or "").lower() != exact))
    return CustomerSearch(customers=[summary(r) for r in found[:SEARCH_MAX]])


def summary(r: CustomerModel) -> CustomerSummary:
    full = to_customer(r)
    return CustomerSummary(
        id=full.id,
        email=full.email,
        phone=full.phone,
        name=full.name,
        country=full.country,
        locale=full.locale,
        created_at=full.created_at,
        erased=full.erased,
        order_count=full.facts.order_count,
        last_order_at=full.facts.last_order_at,
        segments=full.segments,
        loyalty=full.loyalty,
    )


# --------------------------------------------------------------------------------------------- events


def record_event(body: EngagementEventIn) -> tuple[EventOutcome, bool]:
    """An engagement signal: score, points, segments, once per event id (a replay answers the first outcome).

    Round trips: the stored answer (replay?), the customer record, one transaction. Only a retried write
    (a concurrent change of the customer) looks for the stored answer again: the event may have landed.
    """
    key = f"engagement#{body.id}"
    at = body.occurred_at or clock.now()
    tries: list[int] = []

    def do(change: Change, tx: Transaction) -> tuple[EventOutcome, bool]:
        tries.append(1)
        replay = _stored(key) if len(tries) > 1 else None
        if replay is not None:
            return replay, False
        change.seen(at)
        change.signal(body.type, at, score=body.score, rating=body.rating, duration_seconds=body.duration_seconds)
        points = change.earn_event(body.rule_event, at, f"event#{body.id}")
        if body.type == "nps_answer" and body.score is not None:
            answer = {
                segment_rules.nps_group(body.score): 1
            }  # counted on the answer's day, once: a replay returned above
            change.extra.append(lambda t: stats.daily(t, stats.SHOP_DAYS, answer, at=at))
        draft = EventOutcome(
            id=body.id,
            customer_id=body.customer_id,
            type=body.rule_event,
            points=points,
            engagement_score=round(change.score_now(), 2),
            occurred_at=at,
        )
        change.effects.after_commit.append(
            lambda: metrics.add_metric(name="EngagementEvents", unit=MetricUnit.Count, value=1)
        )
        change.extra.append(  # runs in the write, once the segments entered and left are known
            lambda t: t.save(
                OrderModel(
                    key,
                    kind="engagement",
                    customer_id=body.customer_id,
                    amount=0,
                    currency="XXX",
                    outcome=_with_segments(draft, change).model_dump_json(),
                    created_at=iso(at),
                ),
                condition=OrderModel.id.does_not_exist(),
            )
        )
        return draft, True

    stored = _stored(key)
    if stored is not None:
        return stored, False
    change, (outcome, new) = mutate(body.customer_id, do, f"event:{body.type}")
    return (_with_segments(outcome, change) if new else outcome), new


def _with_segments(outcome: EventOutcome, change: Change) -> EventOutcome:
    """The outcome with the segments the written change entered and left."""
    return outcome.model_copy(
        update={"segments_entered": change.effects.entered, "segments_exited": change.effects.exited}
    )


def _stored(key: str) -> EventOutcome | None:
    try:
        item = OrderModel.get(key, consistent_read=True)
    except DoesNotExist:
        return None
    return EventOutcome.model_validate_json(item.outcome)


# ---------------------------------------------------------------------------------------------- erase


PERSONAL = [
    "email",
    "email_hash",
    "phone",
    "name",
    "birthday",
    "birthday_set_at",
    "country",
    "locale",
    "consent",
    "attributes",
    "fingerprints",
]


def erase(customer_id: str) -> Erasure:
    """Right to be forgotten: personal data goes; ids, points, orders' amounts and aggregates stay consistent."""
    part = store.partition(customer_id)
    r = part.record
    if r is None:
        raise NotFound("No such customer.", {"customer_id": customer_id})
    erased: list[str] = [p for p in PERSONAL if getattr(r, p, None)]
    email_hash = r.email_hash

    def do(change: Change, tx: Transaction) -> None:
        for name in PERSONAL:
            change.put(name, None)
        change.put("erased_at", iso(change.now))
        change.revoke_tokens()
        change.clear_timer(store.timer_sk("birthday"))
        outbox.record(tx, "customer.erased", CustomerErased(), customer_id=customer_id, at=change.now)

    mutate(customer_id, do, "erased")
    for owner in LinkOwnerModel.query(f"CUST#{customer_id}", LinkOwnerModel.sk.startswith("LINK#")):
        link = referral_links.read_link(owner.code)
        if link is not None and (link.name or link.email_hash):
            link.update(actions=[LinkModel.name.remove(), LinkModel.email_hash.remove()])
            erased.append(f"referral link {link.code}: name and hashed email")
    friend_coupons = [c.code for c in part.coupons if c.source == "friend_offer" and c.code]
    for code in friend_coupons:
        code_store.forget_email(code)
    if friend_coupons:
        erased.append(f"hashed email on {len(friend_coupons)} friend coupons")
    hashed_orders = 0
    for order_id in sorted(r.order_ids or set()):
        try:
            OrderModel(order_id).update(
                actions=[OrderModel.email_hash.remove()],
                condition=OrderModel.id.exists() & OrderModel.email_hash.exists(),
            )
            hashed_orders += 1
        except UpdateError:
            continue  # an order known only through a redemption, or already without one
    if hashed_orders:
        erased.append(f"hashed email on {hashed_orders} orders")
    scrubbed = message_store.erase(customer_id)
    if scrubbed:
        erased.append(f"address and texts of {scrubbed} messages")
    if email_hash:
        for touch in TouchModel.query(f"EMAIL#{email_hash}"):
            if touch.sk.startswith("SIGNUP#"):  # the signup's marker: the link lists them by the same hash
                LinkFriendModel(f"REF#{touch.sk.removeprefix('SIGNUP#')}", f"FRIEND#EMAIL#{email_hash}").delete()
            touch.delete()
        erased.append("referral touches by hashed email")
    joined = 0
    for marker in TouchModel.query(f"CUST#{customer_id}", TouchModel.sk.startswith("SIGNUP#")):
        # a signup tracked by customer id: the referrer's card listed them as a friend who joined
        LinkFriendModel(f"REF#{marker.sk.removeprefix('SIGNUP#')}", f"FRIEND#CUST#{customer_id}").delete()
        joined += 1
    if joined:
        erased.append(f"{joined} referral links' entries of a signup by customer id")
    devices = pass_store.unregister_all(r.pass_serial) if r.pass_serial else 0
    if devices:
        erased.append(f"{devices} phones registered for the wallet pass (device ids, push tokens)")
    return Erasure(
        customer_id=customer_id,
        erased_at=clock.now(),
        erased=erased,
        kept=[
            "customer id",
            "points balance and points ledger",
            "orders (amounts, no personal data)",
            "order facts and aggregates (counts, totals, segments)",
            "referral links, conversions and rewards",
        ],
    )
