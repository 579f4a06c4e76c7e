"""Rewards and the append-only rewards ledger, in each customer's partition of the rewards table.

A reward changes status only in a transaction conditioned on its current status, together with its
ledger line (guarded so each event is written once): running a release twice never pays twice.
"""

import hashlib
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

from pynamodb.exceptions import DoesNotExist
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action

from passaparola.clock import iso
from passaparola.data.models.rewards import (
    LedgerGuardModel,
    LedgerModel,
    PayableLineModel,
    PointsLedgerModel,
    RewardModel,
)
from passaparola.data.pagination import decode_cursor, encode_cursor
from passaparola.data.transactions import Transaction
from passaparola.errors import InvalidRequest, NotFound
from passaparola.referrals.models import IssuedReward, LedgerEntry

DUE = "pending"


def day_key(kind: str, at: datetime) -> str:
    """The by_day index's partition of an item: `<kind>#<UTC day>` (kind: reward or points)."""
    return f"{kind}#{at.astimezone(UTC).date().isoformat()}"


def reward_sk(reward_id: str) -> str:
    return f"REWARD#{reward_id}"


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def to_reward(item: RewardModel) -> IssuedReward:
    return IssuedReward(
        id=item.id,
        customer_id=item.customer_id,
        campaign_id=item.campaign_id,
        referral_code=item.referral_code,
        conversion_id=item.conversion_id,
        order_id=item.order_id,
        role=item.role,  # type: ignore[arg-type]
        type=item.type,  # type: ignore[arg-type]
        status=item.status,  # type: ignore[arg-type]
        held=bool(item.held),
        coupon_code=item.coupon_code,
        amount=None if item.amount is None else int(item.amount),
        currency=item.currency,
        points=None if item.points is None else int(item.points),
        tier=None if item.tier is None else int(item.tier),
        reason=item.reason,
        release_at=_dt(item.release_at),
        created_at=datetime.fromisoformat(item.created_at),
        released_at=_dt(item.released_at),
        voided_at=_dt(item.voided_at),
        reversed_at=_dt(item.reversed_at),
        not_reversed=None if item.not_reversed is None else int(item.not_reversed),
    )


def spec_of(item: RewardModel) -> dict[str, object]:
    loaded: dict[str, object] = json.loads(item.spec)
    return loaded


def payable_period(reward: IssuedReward, at: datetime | None) -> str | None:
    """The month a cash reward released at `at` is paid in; None for any other reward."""
    if reward.type != "cash" or at is None or not reward.currency:
        return None
    return payout_period(at)


def payable_sk(reward_id: str) -> str:
    return f"PAYABLE#{reward_id}"


def payout_day(period: str) -> str:
    """The by_day index's partition of a month's payout lines (no clash with `reward#`/`points#` days)."""
    return f"payout#{period}"


def _payable_line(tx: Transaction, reward: IssuedReward, period: str, at: datetime) -> None:
    """The released cash reward's line in its month's payouts, written in the release's transaction."""
    assert reward.currency and reward.amount is not None, "a cash reward has an amount and a currency"
    sk = payable_sk(reward.id)
    tx.save(
        PayableLineModel(
            reward.customer_id,
            sk,
            day=payout_day(period),
            at=payout_key(reward.customer_id, reward.currency, sk),
            amount=reward.amount,
            currency=reward.currency,
            status="released",
            reward_id=reward.id,
            created_at=at.isoformat(),
        ),
        condition=PayableLineModel.sk.does_not_exist(),
    )


def payout_period(at: datetime) -> str:
    return at.strftime("%Y-%m")


def payee_hash(customer_id: str) -> str:
    """A short stable hash of the referrer's id: payout ids and index keys carry it, not the id itself."""
    return hashlib.sha256(customer_id.encode()).hexdigest()[:16]


def payout_key(customer_id: str, currency: str, sk: str) -> str:
    return f"{payee_hash(customer_id)}#{currency}#{sk}"


def put(tx: Transaction, reward: IssuedReward, spec_json: str) -> None:
    """A new reward; `due` makes a pending, not held reward visible to the release job, `payout_period` a released
    cash reward visible to the payouts."""
    period = payable_period(reward, reward.released_at if reward.status == "released" else None)
    tx.save(
        RewardModel(
            reward.customer_id,
            reward_sk(reward.id),
            id=reward.id,
            campaign_id=reward.campaign_id,
            referral_code=reward.referral_code,
            conversion_id=reward.conversion_id,
            order_id=reward.order_id,
            role=reward.role,
            type=reward.type,
            status=reward.status,
            held=reward.held,
            spec=spec_json,
            coupon_code=reward.coupon_code,
            amount=reward.amount,
            currency=reward.currency,
            points=reward.points,
            tier=reward.tier,
            reason=reward.reason,
            due=DUE if reward.status == "pending" and not reward.held else None,
            release_at=_iso(reward.release_at),
            created_at=reward.created_at.isoformat(),
            released_at=_iso(reward.released_at),
            payout_period=period,
            day=day_key("reward", reward.created_at),
            at=iso(reward.created_at),
        ),
        condition=RewardModel.sk.does_not_exist(),
    )
    if period is not None and reward.released_at is not None:
        _payable_line(tx, reward, period, reward.released_at)


def ledger(tx: Transaction, reward: IssuedReward, event: str, reason: str, at: datetime) -> None:
    """Append the ledger line for this reward event, once: the guard item refuses a second one."""
    tx.save(
        LedgerGuardModel(reward.customer_id, f"ENTRY#{reward.id}#{event}"),
        condition=LedgerGuardModel.sk.does_not_exist(),
    )
    tx.save(
        LedgerModel(
            reward.customer_id,
            f"LEDGER#{at.isoformat()}#{reward.id}#{event}",
            reward_id=reward.id,
            event=event,
            type=reward.type,
            amount=reward.amount,
            currency=reward.currency,
            points=reward.points,
            coupon_code=reward.coupon_code,
            reason=reason,
            at=at.isoformat(),
        )
    )


def mark_released(tx: Transaction, reward: IssuedReward, coupon_code: str | None, at: datetime) -> None:
    actions: list[Action] = [
        RewardModel.status.set("released"),
        RewardModel.released_at.set(at.isoformat()),
        RewardModel.held.set(False),
        RewardModel.reason.set(reward.reason),
        RewardModel.due.remove(),
    ]
    if coupon_code:
        actions.append(RewardModel.coupon_code.set(coupon_code))
    period = payable_period(reward, at)
    if period is not None:
        actions.append(RewardModel.payout_period.set(period))
    tx.update(
        RewardModel(reward.customer_id, reward_sk(reward.id)),
        actions=actions,
        condition=RewardModel.status == "pending",
    )
    if period is not None:
        _payable_line(tx, reward, period, at)


def mark_voided(tx: Transaction, reward: IssuedReward, reason: str, at: datetime) -> None:
    tx.update(
        RewardModel(reward.customer_id, reward_sk(reward.id)),
        actions=[
            RewardModel.status.set("voided"),
            RewardModel.voided_at.set(at.isoformat()),
            RewardModel.reason.set(reason),
            RewardModel.due.remove(),
        ],
        condition=RewardModel.status == "pending",
    )


def mark_reversed(
    tx: Transaction,
    reward: IssuedReward,
    not_reversed: int | None,
    reason: str,
    at: datetime,
    out_of_payout: bool = False,
) -> None:
    """`out_of_payout`: a cash reward not paid yet leaves its payout (a paid one stays in it: its clawback goes in a
    later one)."""
    actions: list[Action] = [
        RewardModel.status.set("reversed"),
        RewardModel.reversed_at.set(at.isoformat()),
        RewardModel.reason.set(reason),
    ]
    if not_reversed:
        actions.append(RewardModel.not_reversed.set(not_reversed))
    if out_of_payout:
        actions.append(RewardModel.payout_period.remove())
    tx.update(
        RewardModel(reward.customer_id, reward_sk(reward.id)),
        actions=actions,
        condition=RewardModel.status == "released",
    )
    if out_of_payout:  # the line leaves the index (an update, not a delete: no destructive grant for it)
        tx.update(
            PayableLineModel(reward.customer_id, payable_sk(reward.id)),
            actions=[
                PayableLineModel.day.remove(),
                PayableLineModel.at.remove(),
                PayableLineModel.status.set("reversed"),
            ],
        )


def mark_not_reversible(tx: Transaction, reward: IssuedReward, amount: int | None) -> None:
    tx.update(
        RewardModel(reward.customer_id, reward_sk(reward.id)),
        actions=[RewardModel.not_reversed.set(amount or 0)],
        condition=RewardModel.status == "released",
    )


def unhold(tx: Transaction, reward: IssuedReward) -> None:
    """An approved conversion's pending reward becomes due at its release time."""
    tx.update(
        RewardModel(reward.customer_id, reward_sk(reward.id)),
        actions=[RewardModel.held.set(False), RewardModel.due.set(DUE)],
        condition=(RewardModel.status == "pending") & (RewardModel.held == True),  # noqa: E712
    )


def get_item(customer_id: str, reward_id: str) -> RewardModel:
    try:
        return RewardModel.get(customer_id, reward_sk(reward_id), consistent_read=True)
    except DoesNotExist as exc:
        raise NotFound("No such reward.", {"reward_id": reward_id}) from exc


def items(keys: list[tuple[str, str]]) -> list[RewardModel]:
    if not keys:
        return []
    found = {i.id: i for i in RewardModel.batch_get([(c, reward_sk(r)) for c, r in keys], consistent_read=True)}
    return [found[r] for r in dict.fromkeys(r for _, r in keys) if r in found]


def due(now: datetime, page_size: int = 200) -> Iterator[RewardModel]:
    """Pending, not held rewards whose release time has come, oldest first (sparse index: never the others).

    Read lazily page by page, each page continuing after the last key of the previous one."""
    return iter(RewardModel.due_index.query(DUE, RewardModel.release_at <= now.isoformat(), page_size=page_size))


def of_customer(
    customer_id: str, status: str | None, limit: int, cursor: str | None
) -> tuple[list[IssuedReward], str | None]:
    start = decode_cursor(cursor, {"customer_id", "sk"}, {"customer_id": customer_id})
    result = RewardModel.query(
        customer_id,
        RewardModel.sk.startswith("REWARD#"),
        filter_condition=(RewardModel.status == status) if status else None,
        limit=limit,
        last_evaluated_key=start,
        scan_index_forward=False,
    )
    found = [to_reward(i) for i in result]
    found.sort(key=lambda r: r.created_at, reverse=True)
    return found, encode_cursor(result.last_evaluated_key)


def of_referral(code: str, limit: int = 100) -> list[IssuedReward]:
    return [to_reward(i) for i in RewardModel.by_referral.query(code, limit=limit, scan_index_forward=False)]


def of_referral_with_terms(code: str, limit: int = 100) -> list[tuple[IssuedReward, dict[str, object]]]:
    """A referral's rewards, newest first, each with its terms as they were when earned (to say it in words)."""
    return [
        (to_reward(i), spec_of(i)) for i in RewardModel.by_referral.query(code, limit=limit, scan_index_forward=False)
    ]


def ledger_of(customer_id: str, limit: int, cursor: str | None) -> tuple[list[LedgerEntry], str | None]:
    start = decode_cursor(cursor, {"customer_id", "sk"}, {"customer_id": customer_id})
    result = LedgerModel.query(customer_id, LedgerModel.sk.startswith("LEDGER#"), limit=limit, last_evaluated_key=start)
    found = [
        LedgerEntry(
            reward_id=i.reward_id,
            customer_id=i.customer_id,
            event=i.event,  # type: ignore[arg-type]
            type=i.type,  # type: ignore[arg-type]
            amount=None if i.amount is None else int(i.amount),
            currency=i.currency,
            points=None if i.points is None else int(i.points),
            coupon_code=i.coupon_code,
            reason=i.reason,
            at=datetime.fromisoformat(i.at),
        )
        for i in result
    ]
    return found, encode_cursor(result.last_evaluated_key)


DAY_KEYS = {"customer_id", "sk", "day", "at"}


def rewards_by_day(
    since: datetime, until: datetime, status: str | None, limit: int, cursor: str | None
) -> tuple[list[RewardModel], str | None]:
    return _across_days("reward", since, until, limit, cursor, status)


def points_by_day(
    since: datetime, until: datetime, limit: int, cursor: str | None
) -> tuple[list[PointsLedgerModel], str | None]:
    return _across_days("points", since, until, limit, cursor, None)


def _across_days(
    kind: str, since: datetime, until: datetime, limit: int, cursor: str | None, status: str | None
) -> tuple[list[Any], str | None]:
    """Rewards (kind `reward`) or points ledger lines (`points`) with `since <= at < until`, day after day.

    One Query of the by_day index per UTC day (empty days cost one empty Query; the caller bounds the range),
    never a scan. The cursor is the index key of the last item answered, so the next page resumes after it."""
    index = RewardModel.by_day if kind == "reward" else PointsLedgerModel.by_day
    at = RewardModel.at if kind == "reward" else PointsLedgerModel.at
    first, last = since.astimezone(UTC).date(), (until - timedelta(microseconds=1)).astimezone(UTC).date()
    start = decode_cursor(cursor, DAY_KEYS)
    day = first
    if start:
        resumed = start["day"]["S"].removeprefix(f"{kind}#")
        try:
            day = date.fromisoformat(resumed)
        except ValueError:
            day = first - timedelta(days=1)
        if not first <= day <= last or start["day"]["S"] != f"{kind}#{resumed}":
            raise InvalidRequest("The cursor is not valid for this listing.", {"field": "cursor"})
    found: list[Any] = []
    # `at` is the index's sort key: bounded in the key condition (DynamoDB refuses it in a filter), inclusive bounds
    # at millisecond precision, the precision `at` is written with
    lower, upper = iso(since), iso(until - timedelta(milliseconds=1))
    filters = RewardModel.status == status if status else None
    while day <= last and len(found) < limit:
        condition: Condition | None = None
        if day == first and day == last:
            condition = at.between(lower, upper)
        elif day == first:
            condition = at >= lower
        elif day == last:
            condition = at <= upper
        found += list(
            index.query(
                day_key(kind, datetime.combine(day, datetime.min.time(), UTC)),
                condition,
                filter_condition=filters,
                limit=limit - len(found),
                last_evaluated_key=start,
            )
        )
        start = None
        if len(found) < limit:
            day += timedelta(days=1)
    if len(found) < limit:
        return found, None
    tail = found[-1]
    return found, encode_cursor({name: {"S": getattr(tail, name)} for name in DAY_KEYS})
