"""The columns of each CSV export, and the row of one item: the same items the JSON listing answers."""

import json
from collections.abc import Sequence

from passaparola.coupons.models import Code, Redemption
from passaparola.customers.models import SegmentChange, SegmentMember
from passaparola.customers.record import consent_counts
from passaparola.data.models.customers import CustomerModel
from passaparola.exports.csvfile import Cell
from passaparola.loyalty.models import PointsLedgerEntry
from passaparola.referrals.models import IssuedReward

MEMBER_COLUMNS = (
    "customer_id",
    "email",
    "name",
    "locale",
    "country",
    "consent_email",
    "consent_sms",
    "points",
    "tier",
    "suppressed",
)
CHANGE_COLUMNS = ("customer_id", "segment", "change", "at", "reason")
REDEMPTION_COLUMNS = (
    "id",
    "code",
    "campaign_id",
    "customer_id",
    "order_id",
    "order_amount",
    "currency",
    "discount_amount",
    "order_amount_after",
    "status",
    "created_at",
    "rolled_back_at",
)
CODE_COLUMNS = ("code", "campaign_id", "customer_id", "batch_id", "created_at", "expires_at", "redemptions", "balance")
REWARD_COLUMNS = (
    "id",
    "customer_id",
    "campaign_id",
    "referral_code",
    "order_id",
    "role",
    "type",
    "status",
    "amount",
    "currency",
    "points",
    "coupon_code",
    "created_at",
    "released_at",
    "voided_at",
    "reversed_at",
)
LEDGER_COLUMNS = (
    "id",
    "customer_id",
    "type",
    "points",
    "balance_after",
    "pending_after",
    "reason",
    "source_type",
    "source_id",
    "at",
)


def member(item: SegmentMember, record: CustomerModel | None, suppressed: bool = False) -> Sequence[Cell]:
    """A member with the profile a marketing tool imports; consent `true` only when granted and confirmed, and email
    consent `false` for a suppressed address (hard bounce or complaint: the sender would not mail it either)."""
    if record is None:
        return (item.customer_id, None, None, None, None, False, False, 0, None, False)
    consent = json.loads(record.consent or "{}")
    return (
        item.customer_id,
        record.email,
        record.name,
        record.locale,
        record.country,
        consent_counts(consent.get("email")) and not suppressed,
        consent_counts(consent.get("sms")),
        int(record.balance or 0),
        record.tier,
        suppressed,
    )


def change(item: SegmentChange) -> Sequence[Cell]:
    return (item.customer_id, item.segment, item.change, item.at, item.reason)


def redemption(r: Redemption) -> Sequence[Cell]:
    return (
        r.id,
        r.code,
        r.campaign_id,
        r.customer_id,
        r.order_id,
        r.order_amount,
        r.currency,
        r.discount_amount,
        r.order_amount_after,
        r.status,
        r.created_at,
        r.rolled_back_at,
    )


def code(c: Code) -> Sequence[Cell]:
    return (c.code, c.campaign_id, c.customer_id, c.batch_id, c.created_at, c.expires_at, c.redemptions, c.balance)


def reward(r: IssuedReward) -> Sequence[Cell]:
    return (
        r.id,
        r.customer_id,
        r.campaign_id,
        r.referral_code,
        r.order_id,
        r.role,
        r.type,
        r.status,
        r.amount,
        r.currency,
        r.points,
        r.coupon_code,
        r.created_at,
        r.released_at,
        r.voided_at,
        r.reversed_at,
    )


def ledger_line(e: PointsLedgerEntry) -> Sequence[Cell]:
    return (
        e.id,
        e.customer_id,
        e.type,
        e.points,
        e.balance_after,
        e.pending_after,
        e.reason,
        e.source_type,
        e.source_id,
        e.at,
    )
