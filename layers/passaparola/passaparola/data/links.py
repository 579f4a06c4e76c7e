"""Referral links and tracking: the link with its counters, its owner index, and touches for attribution."""

from dataclasses import dataclass
from datetime import datetime

from pynamodb.exceptions import DoesNotExist, PutError, TransactWriteError, UpdateError
from pynamodb.expressions.condition import Condition

from passaparola.data import stats, transactions
from passaparola.data.models.customers import CustomerModel, ReferralMirrorModel
from passaparola.data.models.referrals import LinkFriendModel, LinkModel, LinkOwnerModel, MarkerModel, TouchModel
from passaparola.data.transactions import Transaction
from passaparola.errors import NotFound
from passaparola.referrals import funnel
from passaparola.referrals.models import ReferralCounts


@dataclass(frozen=True)
class Link:
    code: str
    campaign_id: str
    customer_id: str
    name: str | None
    email_hash: str | None
    variant: str | None
    created_at: datetime
    counts: ReferralCounts


def link_pk(code: str) -> str:
    return f"REF#{code}"


def owner_key(customer_id: str, campaign_id: str) -> tuple[str, str]:
    return f"CUST#{customer_id}", f"LINK#{campaign_id}"


def to_link(item: LinkModel) -> Link:
    return Link(
        code=item.code,
        campaign_id=item.campaign_id,
        customer_id=item.customer_id,
        name=item.name,
        email_hash=item.email_hash,
        variant=item.variant,
        created_at=datetime.fromisoformat(item.created_at),
        counts=ReferralCounts(
            clicks=int(item.clicks or 0),
            visits=int(item.visits or 0),
            signups=int(item.signups or 0),
            conversions=int(item.conversions or 0),
            flagged=int(item.flagged or 0),
            blocked=int(item.blocked or 0),
            rewarded=int(item.rewarded or 0),
        ),
    )


class CodeTaken(Exception):
    """The generated code already exists: draw another."""


class OwnerHasLink(Exception):
    """The customer already has a link in this campaign."""


def create(link: Link, fingerprints: set[str]) -> None:
    """The link, its owner index and the program's referrer count, at once; never two links per customer."""

    def build(tx: Transaction) -> None:
        tx.save(
            LinkModel(
                link_pk(link.code),
                "LINK",
                code=link.code,
                campaign_id=link.campaign_id,
                customer_id=link.customer_id,
                name=link.name,
                email_hash=link.email_hash,
                variant=link.variant,
                created_at=link.created_at.isoformat(),
            ),
            condition=LinkModel.pk.does_not_exist(),
        )
        pk, sk = owner_key(link.customer_id, link.campaign_id)
        tx.save(LinkOwnerModel(pk, sk, code=link.code), condition=LinkOwnerModel.pk.does_not_exist())
        stats.variant(tx, link.campaign_id, link.variant, {"referrers": 1})
        funnel_moved(tx, link.campaign_id, link.variant, link.created_at, None, {})
        tx.save(
            ReferralMirrorModel(
                link.customer_id,
                f"referral#{link.campaign_id}",
                code=link.code,
                campaign_id=link.campaign_id,
                conversions=0,
                rewarded=0,
            )
        )
        if fingerprints:
            tx.update(CustomerModel(link.customer_id, "facts"), actions=[CustomerModel.fingerprints.add(fingerprints)])

    try:
        transactions.write(build)
    except TransactWriteError as exc:
        failed = transactions.failed_items(exc)
        if 1 in failed:
            raise OwnerHasLink() from exc
        if 0 in failed:
            raise CodeTaken() from exc
        raise


def owned_code(customer_id: str, campaign_id: str) -> str | None:
    try:
        return LinkOwnerModel.get(*owner_key(customer_id, campaign_id), consistent_read=True).code
    except DoesNotExist:
        return None


def get(code: str) -> Link:
    try:
        return to_link(LinkModel.get(link_pk(code), "LINK", consistent_read=True))
    except DoesNotExist as exc:
        raise NotFound("No such referral code.", {"code": code}) from exc


def find(code: str) -> Link | None:
    try:
        return get(code)
    except NotFound:
        return None


def count(code: str, field: str, now: datetime, fingerprint: str | None = None) -> Link | None:
    """Add one click, visit or signup to a link in one UpdateItem that also returns the link (None: unknown)."""
    item = LinkModel(link_pk(code), "LINK")
    actions = [getattr(LinkModel, field).add(1)]
    if field == "clicks":
        actions.append(LinkModel.last_click_at.set(now.isoformat()))
        if fingerprint:
            actions.append(LinkModel.last_click_fp.set(fingerprint))
    try:
        item.update(actions=actions, condition=LinkModel.pk.exists())
    except UpdateError as exc:
        if transactions.condition_failed(exc):
            return None
        raise
    return to_link(item)


def first_signup(person_key: str, code: str) -> bool:
    """True the first time this person signs up through this code (a marker makes repeats no-ops)."""
    try:
        MarkerModel(person_key, f"SIGNUP#{code}").save(condition=MarkerModel.pk.does_not_exist())
    except PutError as exc:
        if transactions.condition_failed(exc):
            return False
        raise
    return True


def friend_joined(code: str, person_key: str, at: datetime) -> None:
    """Remember, on the link, that this person signed up through it (once: the first signup's time stays)."""
    try:
        LinkFriendModel(link_pk(code), f"FRIEND#{person_key}", at=at.isoformat()).save(
            condition=LinkFriendModel.pk.does_not_exist()
        )
    except PutError as exc:
        if not transactions.condition_failed(exc):
            raise


def friends(code: str, limit: int = 200) -> dict[str, datetime]:
    """The people who signed up through the link: person key → when (one Query of the link's partition)."""
    found = LinkFriendModel.query(link_pk(code), LinkFriendModel.sk.startswith("FRIEND#"), limit=limit)
    return {item.sk.removeprefix("FRIEND#"): datetime.fromisoformat(item.at) for item in found}


def touch(
    person_keys: list[str], campaign_id: str, code: str, at: datetime, window_start: datetime, verified: bool
) -> None:
    """Remember that this person (email hash, customer id) came through this code: first and last touch.

    A first touch older than the attribution window no longer counts: then this touch becomes the first.
    """
    stamp = at.isoformat()
    for pk in person_keys:
        item = TouchModel(pk, f"TOUCH#{campaign_id}")
        item.update(
            actions=[
                TouchModel.first_code.set(TouchModel.first_code | code),
                TouchModel.first_at.set(TouchModel.first_at | stamp),
                TouchModel.first_verified.set(TouchModel.first_verified | verified),
                TouchModel.last_code.set(code),
                TouchModel.last_at.set(stamp),
                TouchModel.last_verified.set(verified),
            ]
        )
        if item.first_at < window_start.isoformat():
            reset_first_touch(pk, campaign_id, code, at, window_start, verified)


def reset_first_touch(pk: str, campaign_id: str, code: str, at: datetime, older_than: datetime, verified: bool) -> None:
    """Make this touch the first one, if the first is still older than the window (a concurrent touch may
    have reset it already)."""
    item = TouchModel(pk, f"TOUCH#{campaign_id}")
    try:
        item.update(
            actions=[
                TouchModel.first_code.set(code),
                TouchModel.first_at.set(at.isoformat()),
                TouchModel.first_verified.set(verified),
            ],
            condition=TouchModel.first_at < older_than.isoformat(),
        )
    except UpdateError as exc:
        if not transactions.condition_failed(exc):
            raise


def person_keys(email_hash: str | None, customer_id: str | None) -> list[str]:
    keys = [f"EMAIL#{email_hash}"] if email_hash else []
    return keys + ([f"CUST#{customer_id}"] if customer_id else [])


def raw_counts(item: LinkModel | Link) -> dict[str, int]:
    """The counters the funnels are made of (`referrals.funnel.RAW`), from a stored or a read link."""
    if isinstance(item, Link):
        return {name: int(getattr(item.counts, name)) for name in funnel.RAW}
    return {name: int(getattr(item, name) or 0) for name in funnel.RAW}


def as_read(item: LinkModel) -> Condition:
    """The link's funnel counters are those read: the cohort delta (`funnel_moved`) is worked out from them, so
    a write conditioned on this makes a concurrent click or conversion re-read rather than count a step twice."""
    checks = []
    for name in funnel.RAW:
        attribute = getattr(LinkModel, name)
        value = int(getattr(item, name) or 0)
        checks.append((attribute == value) if value else (attribute.does_not_exist() | (attribute == 0)))
    condition = checks[0]
    for check in checks[1:]:
        condition = condition & check
    return condition


def unchanged(tx: Transaction, item: LinkModel) -> None:
    """Condition the transaction's counter update of this link on `as_read`."""
    tx.guard(LinkModel(item.pk, "LINK"), as_read(item))


def funnel_moved(
    tx: Transaction | None,
    campaign_id: str,
    variant: str | None,
    created_at: datetime | str,
    before: dict[str, int] | None,
    after: dict[str, int],
) -> None:
    """Add a change of a link's counters to its cohort's funnels (the daily item of the day it was created)."""
    created = datetime.fromisoformat(created_at) if isinstance(created_at, str) else created_at
    stats.cohort(tx, campaign_id, variant, stats.day_of(created), funnel.moved(before, after))


def count_mirror(tx: Transaction, customer_id: str, campaign_id: str, deltas: dict[str, int]) -> None:
    """Move the wallet's copy of a link's counts (conversions, rewarded) in the referrer's partition."""
    tx.add(ReferralMirrorModel(customer_id, f"referral#{campaign_id}"), deltas)


def owned(customer_id: str) -> list[Link]:
    """Every link the customer owns, one per program (the right of access)."""
    codes = [o.code for o in LinkOwnerModel.query(f"CUST#{customer_id}", LinkOwnerModel.sk.startswith("LINK#"))]
    return [link for link in map(find, codes) if link is not None]
