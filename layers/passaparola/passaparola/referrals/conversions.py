"""Conversion tracking: an order (or a custom event) comes in; attribute it, decide it, pay or hold rewards.

Round trips: one read of the order, the friend and the named link; one read of the program, the referrer
and the fraud counters; one transaction writing everything. An Idempotency-Key costs none of its own: its record
is read in the first read round (an order with a coupon: with the order, before the coupon is redeemed) and written
in the order's transaction, the one that commits the answer (the coupon's redemption, a transaction of its own
before it, is idempotent on code and order by itself, and checks the key is not another body's; if another body
takes the key after it, it is rolled back). A failed condition in that transaction means
the world changed since the read (a concurrent order of the same friend, the referrer's cap filled, the
program switched off): read again and decide again, so the answer is always true to the stored state.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from aws_lambda_powertools.metrics import MetricUnit
from pynamodb.expressions.condition import Condition, size
from pynamodb.expressions.update import Action

from passaparola import clock
from passaparola.campaigns.models import ReferralCampaign
from passaparola.coupons import service as coupons
from passaparola.coupons.models import Order, OrderItem, RedeemRequest, normalize_code
from passaparola.customers import service as customers
from passaparola.customers.record import Change
from passaparola.data import campaigns as campaign_store
from passaparola.data import conversions as store
from passaparola.data import idempotency, stats, transactions
from passaparola.data import links as link_store
from passaparola.data.campaigns import to_campaign
from passaparola.data.models.campaigns import CampaignModel
from passaparola.data.models.customers import CustomerModel
from passaparola.data.models.orders import OrderModel
from passaparola.data.models.referrals import IdentityModel, LinkModel
from passaparola.data.transactions import Transaction
from passaparola.errors import Conflict, CouponRejected, DomainError, IdempotencyConflict, NotFound
from passaparola.events import outbox
from passaparola.ids import new_sortable_id
from passaparola.loyalty import rules as loyalty_rules
from passaparola.observability import logger, metrics
from passaparola.referrals import funnel, identity, rewards, rules
from passaparola.referrals.models import (
    Conversion,
    CouponOutcome,
    EventConversionRequest,
    IssuedReward,
    OrderOutcome,
    OrderRequest,
    ReferralOutcome,
)

ATTEMPTS = 12
IP_COUNTER_TTL = timedelta(days=2)
HOUR_COUNTER_TTL = timedelta(days=2)


@dataclass(frozen=True)
class Incoming:
    """An order or a custom event, as the conversion logic sees it."""

    key: str
    id: str
    kind: str
    event: str
    customer_id: str
    email: str | None
    amount: int
    currency: str
    referral_code: str | None
    ip: str | None
    user_agent: str | None
    at: datetime
    gross: int = 0
    lines: tuple[loyalty_rules.Line, ...] = ()
    with_coupon: bool = False
    friend_coupon: str | None = None
    """The friend coupon this order redeemed (its referral is `referral_code`): the referee's reward, used."""
    friend_coupon_issuer: str | None = None
    """The campaign that issued `friend_coupon`: its terms are the referee's reward, whatever the program says now."""

    @property
    def email_hash(self) -> str | None:
        return identity.email_hash(self.email) if self.email else None

    @property
    def is_order(self) -> bool:
        return self.kind == "order"


def record_order(request: OrderRequest) -> tuple[OrderOutcome, bool]:
    """Report an order. Returns its outcome and whether it is new (False: a replay of the first answer)."""
    at = request.created_at or clock.now()
    coupon = None
    line_discounts: dict[str, int] = {}
    created = False  # whether this call made the coupon's redemption (not the order's earlier one)
    if request.coupon_code:
        replayed = store.first_read_order(request.id)  # a replay must not touch the coupon again
        if replayed is not None:
            return OrderOutcome.model_validate_json(replayed.outcome), False
        coupon, line_discounts, friend_of, issuer, created = _redeem(request)
    paid = request.amount - (coupon.discount_amount or 0 if coupon and coupon.redeemed else 0)
    friend_coupon = coupon.code if coupon and coupon.redeemed and friend_of else None
    incoming = Incoming(
        key=request.id,
        id=request.id,
        kind="order",
        event="first_order",
        customer_id=request.customer_id,
        email=request.email,
        amount=paid,
        currency=request.currency,
        referral_code=friend_of if friend_coupon else request.referral_code,
        ip=request.ip,
        user_agent=request.user_agent,
        at=at,
        gross=paid if line_discounts else request.amount,
        lines=_paid_lines(request, line_discounts),
        with_coupon=bool(coupon and coupon.redeemed),
        friend_coupon=friend_coupon,
        friend_coupon_issuer=issuer if friend_coupon else None,
    )
    try:
        return _record(incoming, coupon)
    except IdempotencyConflict:
        if coupon is not None and coupon.redemption_id and created:
            _give_back(request.id, coupon.redemption_id)
        raise


def _give_back(order_id: str, redemption_id: str) -> None:
    """The order's Idempotency-Key was taken by another body after this request redeemed the coupon (the coupon's
    transaction checked the key, but comes first): the order is refused, so the redemption it made is rolled back —
    unless an order with this id got recorded meanwhile (without the key), which then owns it."""
    if store.find_order(order_id) is not None:
        return
    try:
        with idempotency.aside():
            coupons.rollback(redemption_id)
    except DomainError as failed:  # the refusal stands; the redemption is left, for a retry of the order to find
        logger.warning(
            "redemption_not_given_back",
            extra={"order_id": order_id, "redemption_id": redemption_id, "error": failed.code},
        )


def record_event(request: EventConversionRequest) -> tuple[OrderOutcome, bool]:
    """A named custom event, for programs that convert on it; idempotent on the event id."""
    incoming = Incoming(
        key=f"event#{request.id}",
        id=request.id,
        kind="event",
        event=request.event,
        customer_id=request.customer_id,
        email=request.email,
        amount=request.amount,
        currency=request.currency,
        referral_code=request.referral_code,
        ip=request.ip,
        user_agent=request.user_agent,
        at=request.created_at or clock.now(),
    )
    return _record(incoming, None)


def _paid_lines(request: OrderRequest, line_discounts: dict[str, int]) -> tuple[loyalty_rules.Line, ...]:
    """Order lines at what was paid for them: a coupon's discount stays on the lines it applied to, so an
    excluded line (a gift card) never carries part of a discount it did not get."""
    lines = [loyalty_rules.Line(i.sku, tuple(i.categories), i.quantity, i.unit_price) for i in request.items]
    if not line_discounts:
        return tuple(lines)
    left = dict(line_discounts)
    out = []
    for line in lines:
        total = line.quantity * line.unit_price
        off = min(left.pop(line.sku, 0), total)
        out.append(loyalty_rules.Line(line.sku, line.categories, 1, total - off))
    return tuple(out)


def _redeem(request: OrderRequest) -> tuple[CouponOutcome, dict[str, int], str | None, str | None, bool]:
    """Redeem the order's coupon through the coupon engine (idempotent on code and order); a friend coupon's
    referral code comes with it, read with the code, and the campaign that issued it; last, whether this call
    created the redemption (False: the order's earlier one)."""
    assert request.coupon_code
    code = normalize_code(request.coupon_code)
    order = Order(
        id=request.id,
        amount=request.amount,
        currency=request.currency,
        country=request.country,
        shipping_amount=request.shipping_amount,
        items=[OrderItem(**line.model_dump()) for line in request.items],
    )
    try:
        with idempotency.aside() as key:  # its own transaction: the key's record rides the order's, which follows
            result = coupons.redeem(
                RedeemRequest(code=code, customer_id=request.customer_id, email=request.email, order=order), guard=key
            )
    except CouponRejected as rejected:
        outcome = CouponOutcome(code=code, redeemed=False, error={"code": rejected.code, "message": rejected.message})
        return outcome, {}, None, None, False
    r = result.redemption
    per_line: dict[str, int] = {}
    for applied in r.applicable_items:
        per_line[applied.sku] = per_line.get(applied.sku, 0) + applied.discount_amount
    allocated = sum(per_line.values()) == r.discount_amount
    outcome = CouponOutcome(code=code, redeemed=True, redemption_id=r.id, discount_amount=r.discount_amount)
    return outcome, per_line if allocated else {}, result.referral_code, r.campaign_id, result.created


def _record(incoming: Incoming, coupon: CouponOutcome | None) -> tuple[OrderOutcome, bool]:
    for attempt in range(ATTEMPTS):
        transactions.backoff(attempt)  # let a concurrent change of the customer land
        code = normalize_code(incoming.referral_code) if incoming.referral_code else None
        ctx = store.read_order_and_friend(incoming.key, incoming.customer_id, incoming.email_hash, code)
        if ctx.order is not None:
            return OrderOutcome.model_validate_json(ctx.order.outcome), False
        notes: list[str] = []
        source = "friend_offer" if incoming.friend_coupon else "explicit"
        if code and ctx.link is None:
            notes.append("referral_code_unknown")
        verified = True
        if not code:
            (ctx.link, verified), source = _attributed_link(incoming), "touch"
        try:
            outcome = _decide_and_write(incoming, ctx, source, coupon, notes, verified)
        except store.Rejected:
            continue
        _count(outcome)
        return outcome, True
    raise Conflict("The order kept colliding with concurrent changes; retry.")


def _attributed_link(incoming: Incoming) -> tuple[LinkModel | None, bool]:
    """An earlier touch of this person within its program's window, first or last per the program."""
    best: tuple[datetime, str, bool] | None = None
    found = [t for key in link_store.person_keys(incoming.email_hash, incoming.customer_id) for t in store.touches(key)]
    for touch in found:
        program = campaign_store.get_cached(touch.sk.removeprefix("TOUCH#"))
        if not isinstance(program, ReferralCampaign):
            continue
        window = program.attribution_window
        first_at, last_at = datetime.fromisoformat(touch.first_at), datetime.fromisoformat(touch.last_at)
        chosen: tuple[datetime, str, bool] | None = None
        if program.attribution.model == "first_touch" and rules.in_window(first_at, incoming.at, window):
            chosen = (first_at, touch.first_code, bool(touch.first_verified))
        elif rules.in_window(last_at, incoming.at, window):
            chosen = (last_at, touch.last_code, bool(touch.last_verified))
        if chosen and (best is None or chosen[0] > best[0]):
            best = chosen
    return (store.read_link(best[1]), best[2]) if best else (None, True)


def _counter_keys(program: ReferralCampaign, code: str, incoming: Incoming) -> dict[str, tuple[str, str]]:
    keys = {
        "in_period": (f"REF#{code}", f"LIMIT#{rules.period_bucket(program, incoming.at)}"),
        "this_hour": (f"REF#{code}", f"HOUR#{rules.hour_bucket(incoming.at)}"),
    }
    if incoming.ip:
        ip_hash = identity.keyed_hash("ip:" + incoming.ip.strip())
        keys["from_ip_today"] = (f"IP#{ip_hash}", f"DAY#{rules.day_bucket(incoming.at)}")
    return keys


def _earlier_orders(incoming: Incoming, facts: CustomerModel | None, ident: IdentityModel | None) -> int:
    orders = set(facts.order_ids or set()) if facts else set()
    orders.discard(incoming.id)
    if ident and ident.first_order_id and ident.first_order_id != incoming.id:
        orders.add(ident.first_order_id)
    return len(orders)


def _converted_before(facts: CustomerModel | None, link: LinkModel, source: str) -> bool:
    """A friend this program already converted (this customer id), ordering again through the same link or a
    mere touch: no conversion attempt, only the friend's revenue. Another link's code, or their own, is still
    decided (`already_referred`, `self_referral`: real blocks); so are the same email under another id and a
    second program."""
    if not (facts and facts.referred_by and facts.referred_campaign_id == link.campaign_id):
        return False
    return source == "touch" or facts.referred_by == link.code


def _decide_and_write(
    incoming: Incoming,
    ctx: store.Context,
    source: str,
    coupon: CouponOutcome | None,
    notes: list[str],
    touch_verified: bool = True,
) -> OrderOutcome:
    facts, ident = ctx.friend.facts, ctx.friend.identity
    link = ctx.link
    decision: rules.Decision | None = None
    program: ReferralCampaign | None = None
    if link is not None and not _converted_before(facts, link, source):
        configured = campaign_store.get_cached(link.campaign_id)
        if isinstance(configured, ReferralCampaign):
            keys = _counter_keys(configured, link.code, incoming)
            store.read_referrer_side(ctx, link.campaign_id, link.customer_id, keys)
            fresh = to_campaign(ctx.campaign) if ctx.campaign else None
            if isinstance(fresh, ReferralCampaign):
                program = fresh
                referred_by = (facts.referred_by if facts else None) or (ident.referred_by if ident else None)
                friend = rules.Friend(
                    customer_id=incoming.customer_id,
                    email_hash=incoming.email_hash,
                    email_domain=identity.email_domain(incoming.email) if incoming.email else None,
                    earlier_orders=_earlier_orders(incoming, facts, ident),
                    referred_by=referred_by,
                    fingerprints=frozenset(identity.fingerprints(incoming.ip, incoming.user_agent)),
                )
                referrer = rules.Referrer(
                    customer_id=link.customer_id,
                    code=link.code,
                    email_hash=link.email_hash,
                    fingerprints=frozenset(ctx.referrer.fingerprints or set()) if ctx.referrer else frozenset(),
                )
                counts = rules.Counts(**ctx.counters)
                decision = rules.decide(
                    program,
                    referrer,
                    friend,
                    incoming.event,
                    incoming.amount,
                    incoming.currency,
                    counts,
                    touch_verified=touch_verified,
                )
    writer = _Writer(incoming, ctx, program, link, decision, source, coupon, notes)
    store.write(writer.build, outcome=lambda: (writer.outcome, True))
    if decision and decision.status == "converted" and link and link.customer_id != incoming.customer_id:
        _referrer_converted(link.customer_id, incoming.at)
    if decision and decision.status == "attributed" and program and link:
        _order_touched(incoming, program, link.code)
    return writer.outcome


def _order_touched(incoming: Incoming, program: ReferralCampaign, code: str) -> None:
    """An order that only attributes (the program converts on a custom event) leaves a verified touch for the event.

    After the commit, so a failure here is logged and the order's answer stands: raised, it would answer 500 for an
    order already recorded, whose Idempotency-Key then replays 201. The event can still convert by its own code."""
    try:
        person = link_store.person_keys(incoming.email_hash, incoming.customer_id)
        window_start = incoming.at - program.attribution_window
        link_store.touch(person, program.id, code, incoming.at, window_start, verified=True)
    except Exception:
        logger.exception("order's touch not recorded", extra={"order_id": incoming.id, "code": code})
        metrics.add_metric(name="OrderTouchFailed", unit=MetricUnit.Count, value=1)  # something to alarm on


def _referrer_converted(customer_id: str, at: datetime) -> None:
    """The referrer's facts and segments (ambassadors, top_referrers), right after the conversion's commit.

    Kept out of the conversion's transaction on purpose: a popular referrer's record would otherwise be
    a point of contention for every concurrent friend's order. A failure here is logged; the conversion
    stands (the wallet's counts live with the link).
    """
    try:
        customers.mutate(customer_id, lambda change, tx: change.referral_converted(at), "referral_converted")
    except Exception:
        logger.exception("referrer facts not updated", extra={"customer_id": customer_id})


class _Writer:
    """Builds the one transaction of a conversion call, and the outcome it stores with the order."""

    def __init__(
        self,
        incoming: Incoming,
        ctx: store.Context,
        program: ReferralCampaign | None,
        link: LinkModel | None,
        decision: rules.Decision | None,
        source: str,
        coupon: CouponOutcome | None,
        notes: list[str],
    ) -> None:
        self.incoming, self.ctx, self.program, self.link = incoming, ctx, program, link
        self.decision, self.source, self.coupon, self.notes = decision, source, coupon, notes
        self.outcome = OrderOutcome(
            order_id=incoming.id,
            customer_id=incoming.customer_id,
            amount=incoming.amount,
            currency=incoming.currency,
            coupon=coupon,
            notes=notes,
            created_at=incoming.at,
        )

    def build(self, tx: Transaction) -> None:
        incoming, decision, program, link = self.incoming, self.decision, self.program, self.link
        now = clock.now()
        facts = self.ctx.friend.facts
        self.loyalty = campaign_store.loyalty_program()
        self.change = Change(incoming.customer_id, facts, now, self.loyalty)
        self.change.reason = incoming.kind
        first_at = facts.first_order_at if facts else None
        self.acquired = stats.day_of(datetime.fromisoformat(first_at) if first_at else incoming.at)
        conversion: Conversion | None = None
        earned: list[IssuedReward] = []
        pays = bool(decision and decision.pays and program and link)
        if decision and program and link:
            conversion = Conversion(
                id=new_sortable_id("cnv", int(now.timestamp() * 1000)),
                campaign_id=program.id,
                code=link.code,
                variant=link.variant,
                referrer_customer_id=link.customer_id,
                customer_id=incoming.customer_id,
                order_id=incoming.id,
                event=incoming.event,
                amount=incoming.amount,
                currency=incoming.currency,
                status="flagged" if decision.status == "flagged" else "converted",
                reasons=decision.reasons,
                source=self.source,  # type: ignore[arg-type]
                created_at=now,
                decided_at=None if decision.status == "flagged" else now,
            )
            if decision.status == "blocked":
                conversion = conversion.model_copy(update={"status": "blocked"})
            if pays:
                earned = self._rewards(tx, program, link, conversion, decision.status == "flagged", now)
                conversion = conversion.model_copy(update={"reward_ids": [r.id for r in earned]})
            if decision.status != "attributed":
                self._conversion(tx, program, link, conversion, decision, now)
            self.outcome.referral = ReferralOutcome(
                code=link.code,
                campaign_id=program.id,
                source=self.source,  # type: ignore[arg-type]
                status=decision.status,
                reasons=decision.reasons,
                conversion_id=conversion.id if decision.status != "attributed" else None,
            )
            self.outcome.rewards = earned
        referred_now = pays and conversion is not None
        already = facts.referred_by if facts else None
        referred = referred_now or bool(already)
        ltv_campaign = program.id if referred_now and program else (facts.referred_campaign_id if facts else None)
        ltv_variant = link.variant if referred_now and link else (facts.referred_variant if facts else None)
        self._friend(tx, referred_now)
        self._order(
            tx,
            conversion if decision and decision.status != "attributed" else None,
            referred,
            ltv_campaign,
            ltv_variant,
        )
        if incoming.is_order:
            stats.ensure_shop()
            # the order's own coupon, redeemed just before, may already have recorded it on the customer
            first_order = not (set(facts.order_ids or ()) - {incoming.id} if facts else set())
            stats.shop_ltv(tx, referred, incoming.currency, incoming.amount, first_order, self.acquired, incoming.at)
            if ltv_campaign and not referred_now:
                revenue = {"ltv_revenue": (incoming.currency, incoming.amount)}
                stats.variant(tx, ltv_campaign, ltv_variant, money=revenue)
                stats.cohort(tx, ltv_campaign, ltv_variant, self.acquired, money={"revenue": revenue["ltv_revenue"]})

    def _rewards(
        self,
        tx: Transaction,
        program: ReferralCampaign,
        link: LinkModel,
        conversion: Conversion,
        held: bool,
        now: datetime,
    ) -> list[IssuedReward]:
        referee_spec, referrer_spec = program.rewards_of(link.variant)
        friend_coupon = self.incoming.friend_coupon
        if friend_coupon and self.incoming.friend_coupon_issuer:
            # the friend's reward was the coupon this order used, whatever the program gives friends now (it may
            # have switched to credit or points since): never a second referee reward
            referee_spec = rewards.coupon_terms(self.incoming.friend_coupon_issuer)
        common = {
            "program": program,
            "code": link.code,
            "now": now,
            "conversion_id": conversion.id,
            "order_id": self.incoming.id,
        }
        referee = rewards.new(
            referee_spec,
            role="referee",
            customer_id=self.incoming.customer_id,
            status="pending",
            held=held,
            reason="referral_converted",
            release_at=now,
            **common,  # type: ignore[arg-type]
        )
        if friend_coupon:
            # the friend's reward was the coupon this order used: released as it is, even when the conversion is
            # held (the discount was given), so that an approval issues nothing more
            referee = referee.model_copy(update={"held": False})
            referee = rewards.grant(
                tx, referee, referee_spec, link.variant, now, "referral_converted", used_coupon=friend_coupon
            )
        elif held or rewards.waits_for_loyalty(referee_spec, self.change.program):
            rewards.record_pending(tx, referee, referee_spec)  # the hourly job releases it (see waits_for_loyalty)
        else:
            referee = rewards.grant(tx, referee, referee_spec, link.variant, now, "referral_converted")
            if referee.points:
                self.change.credit_reward(referee.points, "referral_reward", referee.id)
        referrer = rewards.new(
            referrer_spec,
            role="referrer",
            customer_id=link.customer_id,
            status="pending",
            held=held,
            reason="referral_converted",
            release_at=self.incoming.at + timedelta(days=program.holding_days),
            **common,  # type: ignore[arg-type]
        )
        rewards.record_pending(tx, referrer, referrer_spec)
        return [referee, referrer]

    def _conversion(
        self,
        tx: Transaction,
        program: ReferralCampaign,
        link: LinkModel,
        conversion: Conversion,
        decision: rules.Decision,
        now: datetime,
    ) -> None:
        incoming = self.incoming
        converted = conversion.status == "converted"
        bucket = rules.period_bucket(program, incoming.at) if converted else None
        boards = store.board_keys(program.id, rules.boards(incoming.at)) if converted else []
        tx.save(store.conversion_item(conversion, bucket, boards), condition=store.ConversionModel.pk.does_not_exist())
        report(tx, conversion, now)
        field = {"converted": "conversions", "flagged": "flagged", "blocked": "blocked"}[conversion.status]
        tx.add(LinkModel(link.pk, "LINK"), {field: 1})
        money: dict[str, tuple[str, int]] = {}
        if converted:
            money["revenue"] = (incoming.currency, incoming.amount)
        if decision.pays:
            money["ltv_revenue"] = (incoming.currency, incoming.amount)
            money["customers"] = (incoming.currency, 1)
        stats.variant(tx, program.id, link.variant, {field: 1}, money)
        if converted:
            before = link_store.raw_counts(link)
            after = funnel.plus(before, conversions=1)
            link_store.funnel_moved(tx, program.id, link.variant, link.created_at, before, after)
            link_store.unchanged(tx, link)
        if decision.pays:
            acquired = {"customers": (incoming.currency, 1), "revenue": (incoming.currency, incoming.amount)}
            stats.cohort(tx, program.id, link.variant, self.acquired, money=acquired)
        keys = _counter_keys(program, link.code, incoming)
        if converted:
            link_store.count_mirror(tx, link.customer_id, program.id, {"conversions": 1})
            for board in boards:
                store.board_update(tx, board, link.code, link.customer_id, link.name, 1)
            cap = program.limits.max_rewarded_per_referrer
            store.counter_update(tx, keys["in_period"], 1, None, below=cap)
        if decision.pays:
            expires = int((incoming.at + HOUR_COUNTER_TTL).timestamp())
            store.counter_update(tx, keys["this_hour"], 1, expires)
            if "from_ip_today" in keys:
                store.counter_update(tx, keys["from_ip_today"], 1, int((incoming.at + IP_COUNTER_TTL).timestamp()))
            tx.condition_check(
                CampaignModel,
                program.id,
                condition=(CampaignModel.enabled == True) & (CampaignModel.version == program.version),  # noqa: E712
            )

    def _order(
        self,
        tx: Transaction,
        conversion: Conversion | None,
        referred: bool,
        ltv_campaign: str | None,
        ltv_variant: str | None,
    ) -> None:
        incoming = self.incoming
        tx.save(
            OrderModel(
                incoming.key,
                kind=incoming.kind,
                customer_id=incoming.customer_id,
                email_hash=incoming.email_hash,
                amount=incoming.amount,
                currency=incoming.currency,
                refunded=0,
                conversion_id=conversion.id if conversion else None,
                referral_code=self.link.code if self.link else None,
                campaign_id=self.program.id if self.program else None,
                referred=referred,
                ltv_campaign_id=ltv_campaign,
                ltv_variant=ltv_variant,
                acquired_day=self.acquired,
                outcome=self.outcome.model_dump_json(),
                created_at=incoming.at.isoformat(),
            ),
            condition=OrderModel.id.does_not_exist(),
        )

    def _friend(self, tx: Transaction, referred_now: bool) -> None:
        """The friend's facts (by id and by email): orders seen, fingerprints, and who referred them.

        When the decision relied on "no earlier order" or "not referred yet", the write is conditioned on it
        still being true, so two concurrent first orders of one friend cannot both convert.
        """
        incoming, link, program = self.incoming, self.link, self.program
        first_order_rule = bool(
            referred_now and program and incoming.is_order and program.conversion.event == "first_order"
        )
        change = self.change
        actions: list[Action] = []
        condition: Condition | None = None
        if incoming.is_order:
            actions += [
                CustomerModel.order_ids.add({incoming.id}),
                CustomerModel.first_order_at.set(CustomerModel.first_order_at | incoming.at.isoformat()),
            ]
            change.order(
                incoming.id, incoming.amount, incoming.currency, incoming.at, incoming.with_coupon, incoming.lines
            )
            earned = change.earn_order(
                incoming.id, incoming.lines, incoming.gross, incoming.amount, incoming.currency, incoming.at
            )
            self.outcome.points = earned
        prints = identity.fingerprints(incoming.ip, incoming.user_agent)
        if prints:
            actions.append(CustomerModel.fingerprints.add(prints))
        if referred_now and link and program:
            actions += [
                CustomerModel.referred_by.set(link.code),
                CustomerModel.referred_campaign_id.set(program.id),
                CustomerModel.referred_by_customer_id.set(link.customer_id),
            ]
            if link.variant:
                actions.append(CustomerModel.referred_variant.set(link.variant))
            condition = CustomerModel.referred_by.does_not_exist()
            if first_order_rule:
                # no order yet, or only this one (its coupon, redeemed just before, already recorded it)
                orders = CustomerModel.order_ids
                only_this = (size(orders) == 1) & orders.contains(incoming.id)
                condition &= orders.does_not_exist() | only_this
        change.write(tx, condition=condition, extra_actions=actions)
        if incoming.email_hash and (incoming.is_order or referred_now):
            id_actions: list[Action] = []
            id_condition: Condition | None = None
            if incoming.is_order:
                id_actions.append(IdentityModel.first_order_id.set(IdentityModel.first_order_id | incoming.id))
            if referred_now and link:
                id_actions.append(IdentityModel.referred_by.set(link.code))
                id_condition = IdentityModel.referred_by.does_not_exist()
                if first_order_rule:
                    id_condition &= IdentityModel.first_order_id.does_not_exist()
            tx.update(
                IdentityModel(f"EMAIL#{incoming.email_hash}", "FACTS"), actions=id_actions, condition=id_condition
            )


def report(tx: Transaction, conversion: Conversion, at: datetime, status: str | None = None) -> None:
    """referral.converted, .flagged or .blocked (the friend's), in the conversion's transaction."""
    data: dict[str, object] = {
        "referral_code": conversion.code,
        "campaign_id": conversion.campaign_id,
        "conversion_id": conversion.id,
        "referrer_id": conversion.referrer_customer_id,
        "order_id": conversion.order_id,
    }
    if conversion.status == "converted":
        data["status"] = status or "converted"
    else:
        data["reasons"] = list(conversion.reasons)
    outbox.record(tx, f"referral.{conversion.status}", data, customer_id=conversion.customer_id, at=at)


def _count(outcome: OrderOutcome) -> None:
    metrics.add_metric(name="OrdersReported", unit=MetricUnit.Count, value=1)
    if outcome.referral:
        name = {"converted": "Conversions", "flagged": "ConversionsFlagged", "blocked": "ConversionsBlocked"}
        if metric := name.get(outcome.referral.status):
            metrics.add_metric(name=metric, unit=MetricUnit.Count, value=1)
        logger.info(
            "conversion",
            extra={
                "order_id": outcome.order_id,
                "status": outcome.referral.status,
                "reasons": outcome.referral.reasons,
            },
        )


def get_order(order_id: str) -> OrderOutcome:
    item = store.get_order(order_id)
    if item.kind != "order":
        raise NotFound("No such order.", {"order_id": order_id})
    return OrderOutcome.model_validate_json(item.outcome)
