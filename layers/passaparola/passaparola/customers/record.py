"""One change to one customer, written once: facts, engagement, points, tier and segments together.

Every capability that changes a customer (an order, a refund, an event, a profile, a reward bought, the daily
job) reads the customer record, describes what happened on a `Change`, and adds the change to its own
transaction. `Change.write` derives what follows — the engagement score, the points ledger lines, the tier,
the segments entered and left, the timers of the daily job — and guards it all with the record's `version`,
so two concurrent changes of one customer never overwrite each other: the loser re-reads and re-applies.
"""

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action

from passaparola.campaigns.models import LoyaltyCampaign
from passaparola.clock import iso
from passaparola.customers import rules as segment_rules
from passaparola.customers.models import EngagementConfig, SegmentCreate
from passaparola.data import coupons as code_store
from passaparola.data import customers as store
from passaparola.data import notifications, stats
from passaparola.data import rewards as reward_store
from passaparola.data.models.customers import CustomerModel, LotModel, TimerModel
from passaparola.data.models.loyalty import EarnModel
from passaparola.data.models.rewards import PointsLedgerModel
from passaparola.data.transactions import Transaction
from passaparola.events import outbox
from passaparola.events.types import LoyaltyEnrolled
from passaparola.ids import new_sortable_id
from passaparola.loyalty import rules as loyalty
from passaparola.loyalty.models import ORDER_EVENT, LoyaltyTier
from passaparola.referrals.rewards import code_for
from passaparola.reports import shop_rules as report_rules
from passaparola.settings import get_settings

BASKETS_KEPT = 6
CATEGORIES_KEPT = 50
SHARE_SIGNALS = frozenset({"social_share"})
LEDGER_EVENTS = {
    "earn": "points.earned",
    "pend": "points.earned",
    "release": "points.released",
    "spend": "points.spent",
    "adjustment": "points.adjusted",
    "expire": "points.expired",
    "reverse": "points.reversed",
}
"""The event each kind of points ledger line reports (docs/integrations.md, "Events")."""


def parse(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _map(attr: Any) -> dict[str, Any]:
    return dict(attr.as_dict()) if attr is not None and hasattr(attr, "as_dict") else dict(attr or {})


@dataclass
class Effects:
    """What a change did, for the caller's answer."""

    points: int = 0
    expired: int = 0
    reversed: int = 0
    entered: list[str] = field(default_factory=list)
    exited: list[str] = field(default_factory=list)
    after_commit: list[Callable[[], None]] = field(default_factory=list)


def local_key(kind: str, at: datetime) -> str:
    """`<kind>#<YYYY-MM-DD>` of the shop-local day: re-engagement's jobs count days as the shop does."""
    return f"{kind}#{at.astimezone(ZoneInfo(get_settings().shop_timezone)).date().isoformat()}"


def consent_counts(consent: dict[str, Any] | None) -> bool:
    """Consent counts when granted and not awaiting confirmation."""
    return bool(consent and consent.get("granted") and consent.get("confirmed") is not False)


class Change:
    """A customer's record as read, and everything one call does to it."""

    def __init__(
        self,
        customer_id: str,
        record: CustomerModel | None,
        now: datetime,
        program: LoyaltyCampaign | None,
        config: EngagementConfig | None = None,
        customs: Sequence[SegmentCreate] | None = None,
    ) -> None:
        self.customer_id, self.record, self.now, self.program = customer_id, record, now, program
        self.config = config or store.engagement_config()
        self.customs = list(customs if customs is not None else store.custom_segments())
        r = record or CustomerModel(customer_id, "facts")
        self.sets: dict[str, Any] = {}
        self.removes: set[str] = set()
        self.extra: list[Callable[[Transaction], None]] = []
        self.effects = Effects()
        self.reason = "change"
        # working state (what the record will be)
        self.balance = int(r.balance or 0)
        self.pending = int(r.pending or 0)
        self.earned_total = int(r.earned_total or 0)
        self.lifetime = int(r.lifetime_earned or 0)
        self.consumed = int(r.consumed or 0)
        self.months: dict[str, int] = {k: int(v) for k, v in _map(r.months).items()}
        self.caps: dict[str, int] = {k: int(v) for k, v in _map(r.caps).items()}
        self.tier: str | None = r.tier
        self.tiers_reached = set(r.tiers_reached or set())
        self.order_count = int(r.order_count or 0)
        self.spent: dict[str, int] = {k: int(v) for k, v in _map(r.spent).items()}
        self.baskets: list[list[Any]] = json.loads(r.baskets) if r.baskets else []
        self.coupon_orders = int(r.coupon_orders or 0)
        self.engagement = float(r.engagement or 0)
        self.engagement_at = parse(r.engagement_at)
        self.signals: dict[str, int] = {k: int(v) for k, v in _map(r.signals).items()}
        self.referrals_converted = int(r.referrals_converted or 0)
        self.loyalty_redemptions = int(r.loyalty_redemptions or 0)
        self.enrolled_at = parse(r.enrolled_at)
        self.last_order_at = parse(r.last_order_at)
        self.signed_up_at = parse(r.signed_up_at)
        self._r = r
        self._ledger_seq = 0
        self._timer_ops: dict[str, tuple[str, dict[str, Any], Condition | None]] = {}
        self.daily: dict[str, int] = {}
        """The loyalty program's counters of the day (points issued, spent), moved with the ledger lines."""
        self.events: list[tuple[str, dict[str, Any]]] = []
        """The facts this change reports (points moved, tier, segments), recorded in its transaction by `write`."""

    # ------------------------------------------------------------------------------------- state

    @property
    def dirty(self) -> bool:
        """Something to write (a change that did nothing leaves the record and its version alone)."""
        return bool(self.sets or self.removes or self.extra or self._timer_ops)

    @property
    def member(self) -> bool:
        return self.enrolled_at is not None

    def account(self) -> loyalty.Account:
        return loyalty.Account(
            balance=self.balance,
            pending=self.pending,
            earned_total=self.earned_total,
            consumed=self.consumed,
            months=dict(self.months),
            caps=dict(self.caps),
            tier=self.tier,
            tier_since=parse(self.value("tier_since")),
            signup_earned=bool(self.value("signup_earned")),
            birthday_year=int(year) if (year := self.value("birthday_year")) else None,
            tiers_reached=frozenset(self.tiers_reached),
        )

    def value(self, name: str) -> Any:
        """An attribute as this change leaves it (set, removed, or as read)."""
        if name in self.removes:
            return None
        return self.sets.get(name, getattr(self._r, name, None))

    def state(self) -> segment_rules.CustomerState:
        r = self._r
        consent = json.loads(self.value("consent") or "{}")
        attributes = json.loads(self.value("attributes") or "{}")
        tiers = [t.name for t in self.program.sorted_tiers()] if self.program else []
        return segment_rules.CustomerState(
            now=self.now,
            signed_up_at=self.signed_up_at,
            order_count=self.order_count,
            last_order_at=self.last_order_at,
            baskets=tuple((int(a), str(c)) for a, c in self.baskets),
            total_spent=dict(self.spent),
            coupon_orders=self.coupon_orders,
            engagement=self.score_now(),
            referrals_converted=self.referrals_converted,
            loyalty_member=self.member,
            loyalty_redemptions=self.loyalty_redemptions,
            points_balance=self.balance,
            tier=self.tier,
            tier_rank=tiers.index(self.tier) if self.tier in tiers else None,
            country=self.value("country"),
            locale=self.value("locale"),
            attributes=attributes,
            consent_email=consent_counts(consent.get("email")),
            consent_sms=consent_counts(consent.get("sms")),
            referred=bool(r.referred_by),
            tier_ranks={name: rank for rank, name in enumerate(tiers)},
        )

    def score_now(self) -> float:
        return segment_rules.decayed(self.engagement, self.engagement_at, self.now, self.config.half_life_days)

    # ------------------------------------------------------------------------------------ profile

    def revoke_tokens(self) -> int:
        """Raise the token epoch: every customer token issued before answers `token_revoked`."""
        epoch = int(self.value("token_epoch") or 0) + 1
        self.put("token_epoch", epoch)
        return epoch

    def put(self, name: str, value: Any) -> None:
        if value is None:
            self.removes.add(name)
            self.sets.pop(name, None)
        else:
            self.sets[name] = value
            self.removes.discard(name)

    def seen(self, at: datetime) -> None:
        """The first time this customer is known counts as their sign-up unless the profile says otherwise."""
        if self.signed_up_at is None:
            self.signed_up_at = at
            self.put("signed_up_at", iso(at))

    # ------------------------------------------------------------------------------------- signals

    def signal(self, name: str, at: datetime, **value: Any) -> None:
        weight = segment_rules.signal_weight(self.config, name, **value)
        self.engagement, self.engagement_at = segment_rules.add_signal(
            self.engagement, self.engagement_at, at, weight, self.config.half_life_days
        )
        self.signals[name] = self.signals.get(name, 0) + 1
        self.put("engagement", self.engagement)
        self.put("engagement_at", iso(self.engagement_at))
        self.put("signals", dict(self.signals))
        if name in SHARE_SIGNALS:
            self.put("last_shared_at", iso(at))
            self.mark("shared", local_key("shared", at))

    # -------------------------------------------------------------------------------------- orders

    def order(
        self,
        order_id: str,
        paid: int,
        currency: str,
        at: datetime,
        with_coupon: bool,
        lines: Sequence[loyalty.Line] = (),
    ) -> None:
        self.seen(at)
        self._categories(lines)
        skus = {line.sku for line in lines}
        categories = {c for line in lines for c in line.categories}
        self.mark(f"ordered#{order_id}", local_key("ordered", at), skus=skus or None, categories=categories or None)
        self.order_count += 1
        self.spent[currency] = self.spent.get(currency, 0) + paid
        self.baskets = [*self.baskets, [paid, currency]][-BASKETS_KEPT:]
        if with_coupon:
            self.coupon_orders += 1
        if self.last_order_at is None or at >= self.last_order_at:
            self.last_order_at = at
        self.put("order_count", self.order_count)
        self.put("spent", dict(self.spent))
        self.put("baskets", json.dumps(self.baskets))
        self.put("coupon_orders", self.coupon_orders)
        self.signal("order", at)
        self.month_mark("active", at)

    def _categories(self, lines: Sequence[loyalty.Line]) -> None:
        if not lines:
            return
        counts = {k: int(v) for k, v in _map(self._r.categories).items()}
        for line in lines:
            for category in line.categories:
                counts[category] = counts.get(category, 0) + line.quantity
        kept = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:CATEGORIES_KEPT]
        self.put("categories", dict(kept))

    def refund(self, currency: str, amount: int) -> None:
        self.spent[currency] = max(self.spent.get(currency, 0) - amount, 0)
        self.put("spent", dict(self.spent))

    def referral_converted(self, at: datetime) -> None:
        self.referrals_converted += 1
        self.put("referrals_converted", self.referrals_converted)
        self.signal("referral", at)
        self.month_mark("brought", at)

    def month_mark(self, kind: str, at: datetime) -> None:
        """The referral rate's distinct mark of the month (docs/reports.md), counted with this change."""
        month = stats.month_of(at)
        moves = report_rules.mark_moves(kind, month, {k: self.value(f"{k}_month") for k in report_rules.MARKS})
        if moves is None:
            return
        self.put(f"{kind}_month", month)
        in_month, ever = moves
        self.extra.append(lambda tx: stats.months(tx, month, in_month, ever))

    def referral_voided(self) -> None:
        """A converted referral was refunded: it no longer counts (ambassadors, top_referrers follow)."""
        self.referrals_converted = max(self.referrals_converted - 1, 0)
        self.put("referrals_converted", self.referrals_converted)

    # ------------------------------------------------------------------------------------- loyalty

    def earns(self) -> bool:
        return self.program is not None and self.program.enabled and (self.member or self.program.auto_enroll)

    def enroll(self, at: datetime) -> bool:
        """Join the program; False when already a member."""
        if self.member:
            return False
        self.enrolled_at = at
        self.put("enrolled_at", iso(at))
        self.seen(at)
        self.signal("loyalty_enrolled", at)
        self._tiers()
        self.extra.append(self._enrolled_event)
        return True

    def _enrolled_event(self, tx: Transaction) -> None:
        """`loyalty.enrolled`, written with the record (tier and points as this change leaves them)."""
        data = LoyaltyEnrolled(tier=self.tier, points=max(self.effects.points, 0))
        outbox.record(tx, "loyalty.enrolled", data, customer_id=self.customer_id, at=self.enrolled_at)

    def _auto_enroll(self, at: datetime) -> None:
        if not self.member and self.program and self.program.auto_enroll:
            self.enroll(at)

    def earn_order(
        self, order_id: str, lines: Sequence[loyalty.Line], amount: int, paid: int, currency: str, at: datetime
    ) -> int:
        """Order points: pending for `pending_days` (released by the daily job), or at once with 0 days."""
        if not self.earns() or self.program is None:
            return 0
        # rules (windows, caps) are judged when Passaparola receives the order: a late report cannot reopen a
        # past day's cap; the pending period still runs from the order's own time
        result = loyalty.earn(
            self.program,
            ORDER_EVENT,
            self.now,
            self.account(),
            lines=lines,
            amount=amount,
            paid=paid,
            currency=currency,
        )
        if result.points <= 0:
            return 0
        self._auto_enroll(at)
        self.caps = dict(result.caps)
        self.put("caps", dict(self.caps))
        release_at = at + timedelta(days=self.program.pending_days)
        source = f"order#{order_id}"
        if release_at <= self.now:
            self._earn_record(source, result.points, "released", paid, at)
            self.credit(result.points, "order_paid", source, kind="earn")
            return result.points
        self.pending += result.points
        self.put("pending", self.pending)
        self._earn_record(source, result.points, "pending", paid, at)
        self._ledger("pend", result.points, "order_paid", source)
        self.set_timer("release", release_at, ref=order_id, points=result.points)
        return result.points

    def earn_event(self, event: str, at: datetime, source: str, birthday_set_at: datetime | None = None) -> int:
        """Fixed points for an event (review, nps_answer, signup, birthday, referral, custom:<name>...)."""
        if not self.earns() or self.program is None:
            return 0
        # judged when Passaparola learns of it: a late or back-dated event cannot reopen a past day's cap
        result = loyalty.earn(self.program, event, self.now, self.account(), birthday_set_at=birthday_set_at)
        if result.points <= 0:
            return 0
        self._auto_enroll(at)
        self.caps = dict(result.caps)
        self.put("caps", dict(self.caps))
        if event == "signup":
            self.put("signup_earned", True)
        if event == "birthday":
            self.put("birthday_year", at.year)
        if event == "referral":  # kept so that a refund of the friend's order can take them back
            self._earn_record(source, result.points, "released", 0, at)
        self.credit(result.points, event, source, kind="earn")
        return result.points

    def release(self, order_id: str, points: int) -> None:
        """Pending order points become spendable (the refund window ended)."""
        source = f"order#{order_id}"
        self.pending = max(self.pending - points, 0)
        self.put("pending", self.pending)
        self.extra.append(
            lambda tx: tx.update(
                EarnModel(self.customer_id, f"EARN#{source}"),
                actions=[EarnModel.status.set("released"), EarnModel.month.set(iso(self.now)[:7])],
                condition=EarnModel.status == "pending",
            )
        )
        self.credit(points, "order_paid", source, kind="release")

    def credit(self, points: int, reason: str, source: str | None, kind: str = "earn") -> None:
        """Points into the balance (paying a points debt first): a lot (for fixed expiry), the tier window, maybe a
        new tier. The lot is numbered after the points the debt consumed, so FIFO lets it keep only the rest."""
        assert self.program is not None
        self.balance, _settled = loyalty.settle(self.balance, points)
        self.put("balance", self.balance)
        cum_before = self.earned_total
        self.earned_total += points
        self.put("earned_total", self.earned_total)
        self.lifetime += points
        self.put("lifetime_earned", self.lifetime)
        self.months = loyalty.add_month(self.months, self.now, points)
        self.put("months", dict(self.months))
        self._ledger(kind, points, reason, source)
        self.effects.points += points
        self._count("points_issued", points)
        self._activity()
        expiry = self.program.expiry
        if expiry.policy == "fixed" and expiry.days:
            expires = self.now + timedelta(days=expiry.days)
            lot_sk = f"lot#{iso(self.now)}#{new_sortable_id('lot', int(self.now.timestamp() * 1000))}"
            self.extra.append(
                lambda tx: tx.save(
                    LotModel(
                        self.customer_id,
                        lot_sk,
                        points=points,
                        cum_before=cum_before,
                        expires_at=iso(expires),
                        due=store.day_key("expire", expires),
                    )
                )
            )
        self._tiers()

    def credit_reward(self, points: int, reason: str, source: str) -> bool:
        """Points won elsewhere (a referral program's points reward): credited when the shop has a program."""
        if self.program is None:
            return False
        if not self.member:
            self.enroll(self.now)
        self.credit(points, reason, source, kind="earn")
        return True

    def take(self, points: int, kind: str, reason: str, source: str | None) -> int:
        """Points out of the balance (spend, expire), never below zero; returns what was taken."""
        taken = min(points, self.balance)
        if taken <= 0:
            return 0
        self.balance -= taken
        self.consumed += taken
        self.put("balance", self.balance)
        self.put("consumed", self.consumed)
        self._ledger(kind, -taken, reason, source)
        if kind == "spend":
            self._count("points_spent", taken)
        if kind == "adjustment":
            self._count("points_issued", -taken)  # taken back by hand: issued net of corrections, like refunds
        if kind == "expire":
            self.effects.expired += taken
        return taken

    def reverse(self, points: int, reason: str, source: str | None) -> int:
        """A refund takes released points back in full: what the balance cannot cover becomes a points debt
        (a negative balance), settled first by the next earnings (docs/loyalty.md). Returns the debt created."""
        if points <= 0:
            return 0
        self.balance, owed = loyalty.take_back(self.balance, points)
        self.consumed += points
        self.put("balance", self.balance)
        self.put("consumed", self.consumed)
        self._ledger("reverse", -points, reason, source)
        self.effects.reversed += points
        self._count("points_issued", -points)  # released points taken back: issued net of refunds
        return owed

    def spend(self, points: int, reason: str, source: str) -> None:
        self.take(points, "spend", reason, source)
        self.loyalty_redemptions += 1
        self.put("loyalty_redemptions", self.loyalty_redemptions)
        self._activity()

    def void_pending(self, points: int, reason: str, source: str) -> None:
        self.pending = max(self.pending - points, 0)
        self.put("pending", self.pending)
        self._ledger("reverse", -points, reason, source, pending=True)

    def unearn_month(self, month: str, points: int) -> None:
        self.months[month] = self.months.get(month, 0) - points
        self.months = {k: v for k, v in self.months.items() if v}
        self.put("months", dict(self.months))

    def _activity(self) -> None:
        self.put("last_activity_at", iso(self.now))
        if self.program and self.program.expiry.policy == "inactivity" and self.program.expiry.days:
            at = self.now + timedelta(days=self.program.expiry.days)
            self.set_timer("inactive", at)

    def _tiers(self) -> None:
        if not self.program or not self.program.tiers:
            return
        previous = self.tier
        tier, entered = loyalty.after_earn(self.program, self.account(), self.months, self.now)
        if tier != previous and tier is not None:
            self.tier = tier
            self.put("tier", tier)
            self.put("tier_since", iso(self.now))
            review = loyalty.next_review(self.program, self.now)
            self.put("tier_review_at", iso(review))
            self.set_timer("tier", review)
        for t in entered:
            self.tiers_reached.add(t.name)
        if entered:
            self.put("tiers_reached", set(self.tiers_reached))
        for t in entered:
            self._entry_reward(t)

    def _entry_reward(self, tier: LoyaltyTier) -> None:
        """A tier's entry reward, given once: bonus points, a code, or a note and a message to the team."""
        reward = tier.entry_reward
        if reward is None:
            return
        if reward.type == "points":
            self.credit(reward.points, f"tier_entry:{tier.name}", None, kind="earn")
        elif reward.type == "recognition":
            message = {"type": "tier_entry", "customer_id": self.customer_id, "tier": tier.name, "note": reward.note}
            self.effects.after_commit.append(lambda: notifications.team(f"New {tier.name} member", message))
        else:

            def issue(tx: Transaction) -> None:
                issued = code_for(reward, self.customer_id, self.now)
                if issued:
                    code_store.put_code(tx, issued[0], issued[1], "loyalty")

            self.extra.append(issue)

    def set_tier(self, tier: str | None) -> None:
        """A review changed the status (the daily job)."""
        assert self.program is not None
        self.tier = tier
        self.put("tier", tier)
        self.put("tier_since", iso(self.now))
        review = loyalty.next_review(self.program, self.now)
        self.put("tier_review_at", iso(review))
        self.set_timer("tier", review)

    def _earn_record(self, source: str, points: int, status: str, paid: int, at: datetime) -> None:
        month = iso(self.now)[:7]
        self.extra.append(
            lambda tx: tx.save(
                EarnModel(
                    self.customer_id,
                    f"EARN#{source}",
                    points=points,
                    status=status,
                    paid=paid,
                    reversed=0,
                    month=month,
                    at=iso(at),
                ),
                condition=EarnModel.sk.does_not_exist(),
            )
        )

    def _count(self, name: str, points: int) -> None:
        self.daily[name] = self.daily.get(name, 0) + points

    def _ledger(self, kind: str, points: int, reason: str, source: str | None, pending: bool = False) -> None:
        """An append-only line (and its event); `pend` and the reversal of pending points (`pending`) move
        `pending`, not the balance."""
        self._ledger_seq += 1
        stamp, day = iso(self.now), reward_store.day_key("points", self.now)
        line_id = new_sortable_id("pts", int(self.now.timestamp() * 1000))
        balance_after, pending_after = self.balance, self.pending
        version = int(self._r.version or 0) + 1 if self.record is not None else 1
        sk = f"POINTS#{version:010d}#{self._ledger_seq:03d}#{line_id}"  # commit order: the record's version
        self.events.append(
            (
                LEDGER_EVENTS[kind],
                {
                    "points": points if kind == "adjustment" else abs(points),
                    "balance": balance_after,
                    "reason": reason,
                    "ref": source,
                    "pending": pending or kind == "pend",
                },
            )
        )
        self.extra.append(
            lambda tx: tx.save(
                PointsLedgerModel(
                    self.customer_id,
                    sk,
                    id=line_id,
                    type=kind,
                    points=points,
                    balance_after=balance_after,
                    pending_after=pending_after,
                    reason=reason,
                    source_id=source,
                    at=stamp,
                    day=day,
                )
            )
        )

    # --------------------------------------------------------------------------------------- write

    def segments_after(self) -> set[str]:
        return segment_rules.segments(self.state(), self.config, self.customs)

    def write(
        self, tx: Transaction, condition: Condition | None = None, extra_actions: Sequence[Action] = ()
    ) -> Effects:
        """Add the record's update (guarded by its version) and everything derived to the transaction."""
        before = set(self._r.segments or set()) if self.record is not None else set()
        after = self.segments_after()
        entered, exited = segment_rules.diff(before, after)
        self.effects.entered, self.effects.exited = entered, exited
        if entered or exited:
            self.put("segments", after or None)
            store.membership_changes(tx, self.customer_id, entered, exited, self.now, self.reason)
        self._timers()
        self._markers(entered)
        if self.last_order_at is not None:
            self.put("last_order_at", iso(self.last_order_at))
        version = int(self._r.version or 0) if self.record is not None else 0
        actions: list[Action] = [CustomerModel.version.set(version + 1), *extra_actions]
        for name, value in self.sets.items():
            attr = getattr(CustomerModel, name)
            if isinstance(value, set) and not value:
                actions.append(attr.remove())
            else:
                actions.append(attr.set(value))
        for name in self.removes:
            actions.append(getattr(CustomerModel, name).remove())
        guard = store.version_condition(self.record)
        tx.update(
            CustomerModel(self.customer_id, "facts"),
            actions=actions,
            condition=guard & condition if condition is not None else guard,
        )
        for build in self.extra:
            build(tx)
        if self.program is not None:
            stats.daily(tx, self.program.id, self.daily, at=self.now)
        self._write_timers(tx)
        self._record_events(tx, entered, exited)
        return self.effects

    def _record_events(self, tx: Transaction, entered: list[str], exited: list[str]) -> None:
        """The change's facts as events, in its own transaction: every capability that changes a customer reports
        them once, and a change that fails its condition (and is re-read and re-applied) reports nothing."""
        was = self._r.tier if self.record is not None else None
        if self.tier != was:
            self.events.append(("tier.changed", {"from": was, "to": self.tier}))
        self.events += [("segment.entered", {"segment_id": name}) for name in entered]
        self.events += [("segment.exited", {"segment_id": name}) for name in exited]
        for event_type, data in self.events:
            outbox.record(tx, event_type, data, customer_id=self.customer_id, at=self.now)

    def _timers(self) -> None:
        """The instants at which time alone changes a built-in segment (new customers leave, lapsed enter)."""
        due = segment_rules.timers(self.state(), self.config)
        current = {"new_customers": "new", "lapsed_180d": "lapse"}
        for segment, kind in current.items():
            if segment in due:
                self.set_timer(kind, due[segment])

    def _markers(self, entered: list[str]) -> None:
        """Where re-engagement's daily job finds this customer: signup anniversary, last order, quiet sharer."""
        if "signed_up_at" in self.sets and self.signed_up_at is not None:
            self.mark("signup", "signup#" + local_key("signup", self.signed_up_at)[-5:])
        previous = parse(self._r.last_order_at)
        if self.last_order_at is not None and self.last_order_at != previous:
            self.mark("last_order", local_key("last_order", self.last_order_at))
        if "ambassadors" in entered and self.value("last_shared_at") is None:
            self.mark("shared", local_key("shared", self.now))

    # ------------------------------------------------------------------------------------ timers

    def mark(self, name: str, due: str, **fields: Any) -> None:
        """A re-engagement marker (`sk=timer#<name>`, `due=<key>`): put, replacing the previous one."""
        self._timer_ops[store.timer_sk(name)] = ("put", {"due": due, **fields}, None)

    def set_timer(self, kind: str, at: datetime, ref: str | None = None, points: int | None = None) -> None:
        """Schedule (or move) a timer; the last decision of a change about one timer is the one written."""
        sk = store.timer_sk(kind, ref)
        previous = self._timer_ops.get(sk)
        condition = previous[2] if previous else None
        fields = {"due": store.day_key(kind, at), "at": iso(at), "ref": ref, "points": points}
        self._timer_ops[sk] = ("put", fields, condition)

    def set_birthday_timer(self, month: int, day: int) -> None:
        self._timer_ops[store.timer_sk("birthday")] = ("put", {"due": f"birthday#{month:02d}-{day:02d}"}, None)

    def clear_timer(self, sk: str, condition: Condition | None = None) -> None:
        """Remove a timer (on `condition`, e.g. still due on the key the job read)."""
        self._timer_ops[sk] = ("delete", {}, condition)

    def _write_timers(self, tx: Transaction) -> None:
        for sk, (op, fields, condition) in self._timer_ops.items():
            if op == "put":
                tx.save(TimerModel(self.customer_id, sk, **fields), condition=condition)
            else:
                tx.delete(TimerModel(self.customer_id, sk), condition=condition)
