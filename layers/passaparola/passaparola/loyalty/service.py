"""Loyalty use cases: the wallet, buying a catalogue reward with points, the points ledger, joining."""

import json
from datetime import datetime, timedelta
from urllib.parse import urlencode, urlsplit, urlunsplit

from aws_lambda_powertools.metrics import MetricUnit
from pynamodb.exceptions import DoesNotExist

from passaparola import clock
from passaparola.campaigns.models import LoyaltyCampaign
from passaparola.clock import iso
from passaparola.customers import service as customers
from passaparola.customers.models import EngagementConfig
from passaparola.customers.record import Change, parse
from passaparola.data import coupons as code_store
from passaparola.data import customers as store
from passaparola.data import notifications
from passaparola.data.models.loyalty import LoyaltyRedemptionModel, StockModel
from passaparola.data.models.rewards import PointsLedgerModel
from passaparola.data.pagination import decode_cursor, encode_cursor
from passaparola.data.transactions import Transaction
from passaparola.errors import (
    InsufficientPoints,
    LoyaltyProgramRequired,
    NoLoyaltyProgram,
    NotAMember,
    NotFound,
    OutOfStock,
    PointsDebt,
    RewardNotFound,
    TierRequired,
)
from passaparola.ids import new_sortable_id
from passaparola.loyalty import rules, tokens
from passaparola.loyalty.models import (
    CatalogueItem,
    CustomerToken,
    EnrollmentLink,
    EnrollOutcome,
    EnrollRequest,
    ExpiringPoints,
    LoyaltyRedemption,
    PointsAdjustment,
    PointsLedgerEntry,
    PointsLedgerPage,
    RecognitionReward,
    TokensRevoked,
    Wallet,
    WalletCoupon,
    WalletPoints,
    WalletReferral,
    WalletReward,
    WalletTier,
)
from passaparola.messages import consent as opt_in
from passaparola.observability import logger, metrics
from passaparola.referrals import identity
from passaparola.referrals.rewards import code_for


def _program() -> LoyaltyCampaign:
    program = customers.program()
    if program is None:
        raise NoLoyaltyProgram()
    return program


def _rank(program: LoyaltyCampaign, tier: str | None) -> int:
    names = [t.name for t in program.sorted_tiers()]
    return names.index(tier) if tier in names else -1


# ---------------------------------------------------------------------------------------------- wallet


def wallet(customer_id: str, base_url: str, token_epoch: int | None = None) -> Wallet:
    """Everything a shopper asks ("how many points, what status, what can I get"): one Query.

    `token_epoch` (the shopper's own call, with a customer token) is checked against the record read here.
    """
    now = clock.now()
    program = customers.program()
    part = store.partition(customer_id)
    tokens.check_epoch(token_epoch, part.record.token_epoch if part.record else None)
    change = Change(customer_id, part.record, now, program, EngagementConfig(), [])  # no score shown: no config read
    out = Wallet(customer_id=customer_id, campaign_id=program.id if program else None, member=change.member, as_of=now)
    if program is not None:
        horizon = program.expiry.warn_days
        expiring: list[tuple[int, datetime]] = []
        if program.expiry.policy == "fixed":
            lots = [(int(lot.cum_before), int(lot.points), datetime.fromisoformat(lot.expires_at)) for lot in part.lots]
            expiring = rules.expiring(lots, change.consumed, now, horizon)
        elif program.expiry.policy == "inactivity" and change.balance > 0:
            timer = next((t for t in part.timers if t.sk == "timer#inactive" and t.at), None)
            at = parse(timer.at) if timer else None
            if at and now < at <= now + timedelta(days=horizon):
                expiring = [(change.balance, at)]
        out.points = WalletPoints(
            balance=change.balance,
            debt=rules.debt(change.balance),
            pending=change.pending,
            expiring=[ExpiringPoints(points=p, expires_at=at) for p, at in expiring],
            lifetime_earned=change.lifetime,
        )
        window = rules.window_points(program, change.months, now)
        nxt, missing = rules.progress(program, change.tier, window)
        out.tier = WalletTier(
            name=change.tier,
            next=nxt,
            points_to_next=missing,
            window_points=window,
            multiplier=rules.multiplier(program, change.tier),
            since=parse(part.record.tier_since) if part.record else None,
            review_at=parse(part.record.tier_review_at) if part.record else None,
        )
        rank = _rank(program, change.tier)
        out.rewards = [
            WalletReward(
                id=r.id,
                name=r.name,
                description=r.description,
                cost=r.cost,
                type=r.reward.type,
                affordable=change.balance >= r.cost,
                available=change.balance >= r.cost
                and (not r.min_tier or rank >= _rank(program, r.min_tier))
                and r.stock != 0,
            )
            for r in program.rewards
        ]
    links = [
        WalletReferral(
            campaign_id=m.campaign_id or "",
            code=m.code,
            url=f"{base_url}/r/{m.code}",
            conversions=int(m.conversions or 0),
            rewarded=int(m.rewarded or 0),
        )
        for m in part.referrals
        if m.code
    ]
    out.referrals = links
    out.referral = links[0] if links else None
    out.coupons = [
        WalletCoupon(
            code=m.code,
            campaign_id=m.campaign_id or "",
            expires_at=parse(m.expires_at),
            balance=int(m.balance) if m.balance is not None else None,
            currency=m.currency,
            source=m.source,
        )
        for m in part.coupons
        if m.code
        and (parse(m.expires_at) is None or parse(m.expires_at) > now)  # type: ignore[operator]
        and ((int(m.balance) > 0) if m.balance is not None else int(m.uses or 0) == 0)
    ]
    return out


# ------------------------------------------------------------------------------------------ catalogue


def redeem(customer_id: str, reward_id: str, token_epoch: int | None = None) -> LoyaltyRedemption:
    """Spend points on a catalogue reward: balance, stock, ledger line and the reward itself in one transaction.

    `token_epoch` (the shopper's own call, with a customer token) is checked against the record read anyway."""
    program = _program()
    item = next((r for r in program.rewards if r.id == reward_id), None)
    if item is None:
        raise RewardNotFound(details={"reward_id": reward_id})
    stock_key = f"stock#{program.id}#{item.id}"

    def do(change: Change, tx: Transaction) -> LoyaltyRedemption:
        tokens.check_epoch(token_epoch, change.value("token_epoch"))
        if not change.member:
            raise NotAMember(details={"customer_id": customer_id})
        if item.min_tier and _rank(program, change.tier) < _rank(program, item.min_tier):
            raise TierRequired(details={"min_tier": item.min_tier, "tier": change.tier})
        if (owed := rules.debt(change.balance)) > 0:
            raise PointsDebt(details={"debt": owed, "balance": change.balance})
        if change.balance < item.cost:
            raise InsufficientPoints(details={"balance": change.balance, "cost": item.cost})
        if item.stock is not None:
            _reserve_stock(tx, stock_key, item)
        return _issue(change, tx, program, item)

    _, redemption = customers.mutate(customer_id, do, f"reward:{reward_id}")
    metrics.add_metric(name="LoyaltyRewardsRedeemed", unit=MetricUnit.Count, value=1)
    metrics.add_metric(name="PointsSpent", unit=MetricUnit.Count, value=item.cost)
    return redemption


def _reserve_stock(tx: Transaction, key: str, item: CatalogueItem) -> None:
    assert item.stock is not None
    try:
        redeemed = int(StockModel.get(key, consistent_read=True).redeemed or 0)
    except DoesNotExist:
        redeemed = 0
    if redeemed >= item.stock:
        raise OutOfStock(details={"reward_id": item.id, "stock": item.stock})
    tx.update(
        StockModel(key),
        actions=[StockModel.redeemed.add(1), StockModel.kind.set("stock")],
        condition=StockModel.redeemed.does_not_exist() | (StockModel.redeemed < item.stock),
    )


def _issue(change: Change, tx: Transaction, program: LoyaltyCampaign, item: CatalogueItem) -> LoyaltyRedemption:
    now = change.now
    redemption_id = new_sortable_id("lrd", int(now.timestamp() * 1000))
    change.spend(item.cost, f"reward:{item.id}", redemption_id)
    coupon_code, amount, currency, note = None, None, None, None
    spec = item.reward
    if isinstance(spec, RecognitionReward):
        note = spec.note or item.name
        message = {
            "type": "loyalty_recognition",
            "customer_id": change.customer_id,
            "reward_id": item.id,
            "reward": item.name,
            "kind": spec.kind,
            "redemption_id": redemption_id,
            "at": iso(now),
        }
        change.effects.after_commit.append(lambda: notifications.team(f"Loyalty reward: {item.name}", message))
    else:
        issued = code_for(spec, change.customer_id, now)
        assert issued is not None
        code, issuer = issued
        code_store.put_code(tx, code, issuer, "loyalty")
        coupon_code = code.code
        amount = (
            code.balance if code.balance is not None else getattr(getattr(spec, "discount", None), "amount_off", None)
        )
        currency = issuer.rules.currency
    redemption = LoyaltyRedemption(
        id=redemption_id,
        customer_id=change.customer_id,
        campaign_id=program.id,
        reward_id=item.id,
        name=item.name,
        type=spec.type,
        cost=item.cost,
        balance_after=change.balance,
        coupon_code=coupon_code,
        amount=amount,
        currency=currency,
        note=note,
        created_at=now,
    )
    tx.save(
        LoyaltyRedemptionModel(change.customer_id, f"REDEEM#{redemption_id}", spec=redemption.model_dump_json()),
        condition=LoyaltyRedemptionModel.sk.does_not_exist(),
    )
    return redemption


# ------------------------------------------------------------------------------------------ adjustment


def adjust(customer_id: str, points: int, reason: str) -> PointsAdjustment:
    """Points added or taken by hand (support), as one `adjustment` ledger line with its reason.

    Added points count as earned (they pay a debt first, fill the tier window, expire like any other); taken
    points never go below zero: more than the balance is refused (`insufficient_points`), so only refunds make a
    debt (docs/loyalty.md). A customer who had not joined is enrolled by a positive adjustment.
    """
    program = customers.program()
    if program is None:
        raise LoyaltyProgramRequired("Adjusting points needs the shop's loyalty program: create it first.")

    def do(change: Change, tx: Transaction) -> PointsAdjustment:
        if change.record is None:
            raise NotFound("No such customer.", {"customer_id": customer_id})
        before = change.balance
        adjustment_id = new_sortable_id("adj", int(change.now.timestamp() * 1000))
        source = f"adjustment#{adjustment_id}"
        if points > 0:
            if not change.member:
                change.enroll(change.now)
            change.credit(points, reason, source, kind="adjustment")
        else:
            if before < -points:
                raise InsufficientPoints(
                    "The balance does not cover this adjustment.", {"balance": before, "points": points}
                )
            change.take(-points, "adjustment", reason, source)
        return PointsAdjustment(
            id=adjustment_id,
            customer_id=customer_id,
            points=points,
            reason=reason,
            balance_before=before,
            balance_after=change.balance,
            tier=change.tier,
            at=change.now,
        )

    _, adjustment = customers.mutate(customer_id, do, "points_adjusted")
    metrics.add_metric(name="PointsAdjusted", unit=MetricUnit.Count, value=abs(points))
    logger.info("points adjusted", extra={"customer_id": customer_id, "points": points})
    return adjustment


# -------------------------------------------------------------------------------------------- ledger


def ledger(
    customer_id: str, limit: int, cursor: str | None, order: str = "oldest", token_epoch: int | None = None
) -> PointsLedgerPage:
    """The points ledger, oldest or newest first (a cursor continues in the order it was made in).

    `token_epoch` (the shopper's own call) costs one read of the record: a revoked token must not read it."""
    if token_epoch is not None:
        record = store.read(customer_id)
        tokens.check_epoch(token_epoch, record.token_epoch if record else None)
    start = decode_cursor(cursor, {"customer_id", "sk"}, {"customer_id": customer_id})
    result = PointsLedgerModel.query(
        customer_id,
        PointsLedgerModel.sk.startswith("POINTS#"),
        limit=limit,
        last_evaluated_key=start,
        scan_index_forward=order != "newest",
    )
    items = [ledger_entry(i) for i in result]
    return PointsLedgerPage(items=items, next_cursor=encode_cursor(result.last_evaluated_key))


def ledger_entry(i: PointsLedgerModel) -> PointsLedgerEntry:
    return PointsLedgerEntry(
        id=i.id,
        customer_id=i.customer_id,
        type=i.type,  # type: ignore[arg-type]
        points=int(i.points),
        balance_after=int(i.balance_after) if i.balance_after is not None else None,
        pending_after=int(i.pending_after) if i.pending_after is not None else None,
        reason=i.reason,
        source_type=_source(i.source_id)[0],
        source_id=_source(i.source_id)[1],
        at=datetime.fromisoformat(i.at),
    )


def _source(value: str | None) -> tuple[str | None, str | None]:
    """Stored `order#<id>` → ("order", "<id>"); rewards and redemptions are known by their id's prefix."""
    if not value:
        return None, None
    if "#" in value:
        kind, _, rest = value.partition("#")
        return kind, rest
    prefixes = {"lrd": "redemption", "rwd": "reward"}
    return prefixes.get(value.split("_", 1)[0]), value


# ---------------------------------------------------------------------------------------- tokens, join


def token(customer_id: str, ttl_seconds: int, epoch: int | None = None) -> CustomerToken:
    """A token under the customer's current token epoch (read unless given; an unknown customer is at 0)."""
    if epoch is None:
        record = store.read(customer_id)
        epoch = int(record.token_epoch or 0) if record else 0
    value, expires = tokens.issue(customer_id, clock.now(), timedelta(seconds=ttl_seconds), epoch)
    return CustomerToken(token=value, customer_id=customer_id, expires_at=expires)


def revoke_tokens(customer_id: str) -> TokensRevoked:
    """Every token issued to this customer so far answers 401 `token_revoked` from now on.

    Tokens can be issued for any id, record or not, so a customer without a record gets one (at epoch 1): a
    leaked token can always be revoked."""

    def do(change: Change, tx: Transaction) -> int:
        return change.revoke_tokens()

    change, epoch = customers.mutate(customer_id, do, "tokens_revoked")
    logger.info("customer tokens revoked", extra={"customer_id": customer_id, "token_epoch": epoch})
    return TokensRevoked(customer_id=customer_id, token_epoch=epoch, revoked_at=change.now)


def enroll(body: EnrollRequest, vouched: tokens.Claim | None, base_url: str = "") -> tuple[EnrollOutcome, bool]:
    """Join in seconds. The id is the shop's (from a customer token) or derived from the email/phone.

    Consent given without a token is confirmed by the customer (double opt-in): the confirmation message is
    queued in the same transaction — for a new member, or a member whose consent still waits (the first message
    lost), at most once per 24 h — with links to `base_url`."""
    _program()
    contact = identity.normalize_email(body.email) if body.email else (body.phone or "")
    token_customer_id = vouched.customer_id if vouched else None
    customer_id = token_customer_id or f"lp_{identity.keyed_hash('enroll:' + contact)[:24]}"

    def do(change: Change, tx: Transaction) -> tuple[bool, bool]:
        tokens.check_epoch(vouched.epoch if vouched else None, change.value("token_epoch"))
        created = change.record is None
        joined = change.enroll(change.now)
        if joined:
            if body.email and not (change.record and change.record.email):
                change.put("email", body.email)
                change.put("email_hash", identity.email_hash(body.email))
            if body.phone and not (change.record and change.record.phone):
                change.put("phone", body.phone)
            if body.name and not (change.record and change.record.name):
                change.put("name", body.name)
            for name in ("locale", "country"):
                if getattr(body, name) and not getattr(change.record, name, None):
                    change.put(name, getattr(body, name))
            if body.consent:
                change.put("consent", _consent(change, body, vouched=token_customer_id is not None))
            change.earn_event("signup", change.now, f"signup#{customer_id}")
        if token_customer_id is None and base_url and not (change.record and change.record.erased_at):
            opt_in.request(change, tx, base_url)
        return joined, created

    change, (joined, created) = customers.mutate(customer_id, do, "enrolled")
    if joined:
        metrics.add_metric(name="LoyaltyEnrollments", unit=MetricUnit.Count, value=1)
        logger.info("enrolled", extra={"customer_id": customer_id, "source": body.source})
    return (
        EnrollOutcome(
            customer_id=customer_id,
            enrolled=joined,
            points=change.effects.points if joined else 0,
            token=token(customer_id, 3600, int(change.value("token_epoch") or 0))
            if joined and created and not token_customer_id
            else None,
        ),
        joined,
    )


def _consent(change: Change, body: EnrollRequest, vouched: bool) -> str:
    """Consent given while joining; unconfirmed unless the shop's backend vouched for the customer (a token)."""
    current = json.loads(change.record.consent) if change.record and change.record.consent else {}
    for channel, granted in body.consent.items():
        entry = {"granted": granted, "at": iso(change.now), "source": f"enroll:{body.source}"}
        current[channel] = entry if vouched or not granted else entry | {"confirmed": False}
    return json.dumps(current)


def enrollment_link(base_url: str) -> EnrollmentLink:
    program = _program()
    target = program.enrollment_url or ""
    if target:
        parts = urlsplit(target)
        query = (parts.query + "&" if parts.query else "") + urlencode({"utm_source": "store", "utm_medium": "qr"})
        target = urlunsplit(parts._replace(query=query))
    return EnrollmentLink(url=target, qr_url=f"{base_url}/l/{program.id}/qr")


def enrollment_target(campaign_id: str) -> str:
    program = _program()
    if program.id != campaign_id:
        raise NoLoyaltyProgram(details={"campaign_id": campaign_id})
    link = enrollment_link("")
    if not link.url:
        raise NoLoyaltyProgram("The loyalty program has no enrollment_url.", {"campaign_id": campaign_id})
    return link.url
