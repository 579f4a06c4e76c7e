"""Coupon use cases: validate, redeem, roll back, create and read codes."""

import csv
import io
from dataclasses import dataclass, replace
from datetime import datetime

from aws_lambda_powertools.metrics import MetricUnit

from passaparola import clock
from passaparola.campaigns.models import CodeBatch, CodesCreated, CreateCodesRequest, DiscountCampaign
from passaparola.coupons import codes, rules
from passaparola.coupons.models import Code, CodeWithUses, CouponError, Redemption, ValidateRequest, Validation
from passaparola.coupons.qr import qr_svg
from passaparola.data import campaigns as campaign_store
from passaparola.data import coupons as store
from passaparola.data import idempotency, queues
from passaparola.errors import (
    CampaignTypeMismatch,
    CodeAlreadyExists,
    Conflict,
    CouponRejected,
    ForbiddenRole,
    NotFound,
)
from passaparola.ids import new_id
from passaparola.loyalty import tokens
from passaparola.observability import logger, metrics
from passaparola.referrals import identity

SYNC_BATCH_MAX = 1000
CHUNK = store.TRANSACTION_MAX_ITEMS - 2
REDEEM_ATTEMPTS = 5


def _email_hash(request: ValidateRequest) -> str | None:
    """The cart's email as friend coupons are bound to it: normalised, keyed hash."""
    return identity.email_hash(request.email) if request.email else None


def _load(request: ValidateRequest) -> tuple[store.Snapshot, str | None]:
    email_hash = _email_hash(request)
    return store.load(request.code, request.customer_id, request.order.id, email_hash), email_hash


def _judge(snapshot: store.Snapshot, request: ValidateRequest, email_hash: str | None) -> rules.Effect:
    if snapshot.code is None or snapshot.campaign is None:
        raise CouponRejected("coupon_not_found", details={"code": request.code})
    return rules.evaluate(
        snapshot.campaign,
        snapshot.code,
        request.customer_id,
        snapshot.customer,
        request.order,
        clock.now(),
        email_hash=email_hash,
    )


def validate(request: ValidateRequest, customer_facts: bool = True, token_epoch: int | None = None) -> Validation:
    """Would this code apply to this cart now? Changes nothing.

    `customer_facts=False` (a browser that did not prove who the customer is) judges the customer as one
    with no history, so the answer cannot reveal anyone's orders or past redemptions. `token_epoch` (a
    browser with a customer token) is checked against the customer record the snapshot reads anyway.
    """
    snapshot, email_hash = _load(request)
    tokens.check_epoch(token_epoch, snapshot.token_epoch)
    if not customer_facts and snapshot.customer is not None:
        snapshot = replace(snapshot, customer=rules.CustomerFacts(order_count=0, campaign_redemptions=0))
    try:
        effect = _judge(snapshot, request, email_hash)
    except CouponRejected as rejected:
        return Validation(
            valid=False, code=request.code, error=CouponError(code=rejected.code, message=rejected.message)
        )
    assert snapshot.campaign is not None
    return Validation(
        valid=True,
        code=request.code,
        campaign_id=snapshot.campaign.id,
        currency=request.order.currency,
        discount_amount=effect.discount_amount,
        order_amount_after=effect.order_amount_after,
        applicable_items=effect.applicable_items,
    )


@dataclass(frozen=True)
class Redeemed:
    redemption: Redemption
    created: bool
    referral_code: str | None = None
    """A friend coupon's referral, read with the code (the order attributes to it without reading it again)."""


def redeem(request: ValidateRequest, guard: idempotency.Pending | None = None) -> Redeemed:
    """Use a code on an order. Idempotent on (code, order id): the same order gets its first redemption back.

    The write is conditional on every limit; when a condition fails, the state is read again and judged
    again, so the caller gets the real reason (limit reached, switched off...) or a redemption if the
    change did not matter (e.g. a campaign edit that kept the code valid). With an Idempotency-Key on the
    one-transaction path, the key's record is read with the state and written with the redemption
    (passaparola.data.idempotency): the outcome committed is the answer stored. `guard`: an enclosing request's
    key (an order's), set aside: the redemption commits only while that key is free or this body's.
    """
    assert request.order.id
    attempted: set[str] = set()
    for _ in range(REDEEM_ATTEMPTS):
        snapshot, email_hash = _load(request)
        referral_code = snapshot.code.referral_code if snapshot.code else None
        if found := snapshot.redemption_id_for_order:
            # A write reported as failed may have committed (a lost answer, then a retry): still ours, new.
            return Redeemed(store.get_redemption(found), created=found in attempted, referral_code=referral_code)
        effect = _judge(snapshot, request, email_hash)
        assert snapshot.campaign is not None and snapshot.code is not None
        redemption = Redemption(
            id=new_id("red"),
            code=request.code,
            campaign_id=snapshot.campaign.id,
            customer_id=request.customer_id,
            order_id=request.order.id,
            order_amount=request.order.amount,
            currency=request.order.currency,
            discount_amount=effect.discount_amount,
            order_amount_after=effect.order_amount_after,
            applicable_items=effect.applicable_items,
            created_at=clock.now(),
        )
        attempted.add(redemption.id)
        try:
            first = snapshot.customer is not None and snapshot.customer.order_count == 0
            outcome = Redeemed(redemption, created=True, referral_code=referral_code)
            store.commit_redemption(
                redemption,
                snapshot.campaign,
                snapshot.code,
                effect.gift_card_amount,
                first,
                outcome=outcome,
                guard=guard,
            )
        except store.WriteRejected:
            continue
        except store.SoldOut as sold_out:
            limit = {"limit": "campaign", "max_redemptions": snapshot.campaign.rules.max_redemptions}
            raise CouponRejected("redemption_limit_reached", details=limit) from sold_out
        metrics.add_metric(name="Redemptions", unit=MetricUnit.Count, value=1)
        metrics.add_metric(name="DiscountGiven", unit=MetricUnit.Count, value=effect.discount_amount)
        logger.info("redeemed", extra={"redemption_id": redemption.id, "campaign_id": redemption.campaign_id})
        return outcome
    raise Conflict("The coupon kept changing while redeeming; retry.")


def rollback(redemption_id: str) -> Redemption:
    redemption = store.commit_rollback(redemption_id, clock.now())
    metrics.add_metric(name="RedemptionsRolledBack", unit=MetricUnit.Count, value=1)
    return redemption


def get_redemption(redemption_id: str) -> Redemption:
    return store.get_redemption(redemption_id)


def _effective(code: Code, campaign: DiscountCampaign) -> Code:
    """Show when a code stops working under the campaign's current rules (they may change later)."""
    ends = [d for d in (code.expires_at, rules.code_expires_at(campaign.rules, code.issued_at)) if d]
    return code.model_copy(update={"expires_at": min(ends) if ends else None})


def get_code(code: str) -> CodeWithUses:
    found = store.get_code(code)
    campaign = _discount_campaign(found.campaign_id)
    if rules.hot_shards(campaign) and rules.shared_code(found):
        found = found.model_copy(update={"redemptions": store.succeeded_uses(code)})
    shown = _effective(found, campaign)
    return CodeWithUses(**shown.model_dump(), uses=store.uses_of(code))


def code_uses(code: str, limit: int, cursor: str | None) -> tuple[list[Redemption], str | None]:
    """A code's redemptions, newest first, a page at a time (404 for a code that does not exist)."""
    store.get_code(code)
    return store.uses_page(code, limit, cursor)


def campaign_redemptions(campaign_id: str, limit: int, cursor: str | None) -> tuple[list[Redemption], str | None]:
    """A discount campaign's redemptions, newest first, a page at a time."""
    _discount_campaign(campaign_id)
    return store.campaign_redemptions_page(campaign_id, limit, cursor)


def switch_code(code: str, enabled: bool) -> Code:
    """Switch one code off or on again; its campaign and the other codes are untouched.

    A hot campaign's shared code is not written by its redemptions: its state is copied onto the campaign's
    shards too, after its own item and before answering (a redemption committing after this answer fails)."""
    switched = store.switch(code, None if enabled else clock.now())
    campaign = _discount_campaign(switched.campaign_id)
    if (n := rules.hot_shards(campaign)) and rules.shared_code(switched):
        store.switch_on_shards(campaign.id, n, code, off=not enabled)
    logger.info("code switched", extra={"code": code, "enabled": enabled})
    return _effective(switched, campaign)


def code_qr(code: str) -> str:
    """An SVG QR image of the code, for emails and print; only for codes that exist."""
    return qr_svg(store.get_code(code).code)


def _discount_campaign(campaign_id: str) -> DiscountCampaign:
    campaign = campaign_store.get(campaign_id)
    if not isinstance(campaign, DiscountCampaign):
        raise CampaignTypeMismatch("Codes belong to discount campaigns.", {"campaign_id": campaign_id})
    return campaign


def _new_code(
    campaign: DiscountCampaign,
    value: str,
    customer_id: str | None = None,
    batch_id: str | None = None,
    now: datetime | None = None,
) -> Code:
    now = now or clock.now()
    return Code(
        code=value,
        campaign_id=campaign.id,
        customer_id=customer_id,
        batch_id=batch_id,
        created_at=now,
        issued_at=now,
        balance=campaign.discount.balance if campaign.discount.type == "gift_card" else None,
    )


def create_codes(campaign_id: str, request: CreateCodesRequest, role: str | None = None) -> CodesCreated:
    """A public code, a code bound to one customer, or a batch (in the background above 1,000).

    `role` is the console role of the caller (None for an API key): a support agent may only issue one code bound
    to a customer, from a campaign the owner opened to support (`open_to_support`).
    """
    campaign = _discount_campaign(campaign_id)
    if role == "support":
        _support_may_issue(campaign, request)
    if request.code:
        code = _new_code(campaign, request.code, request.customer_id)
        if store.add_codes([code], issuer=campaign):
            raise CodeAlreadyExists(details={"code": code.code})
        metrics.add_metric(name="CodesCreated", unit=MetricUnit.Count, value=1)
        return CodesCreated(created=1, codes=[_effective(code, campaign)])
    pattern = codes.parse_pattern(request.pattern, request.prefix, request.suffix)
    count = request.count or 1
    codes.check_not_guessable(pattern, count)
    live = campaign_store.reserve_codes(campaign.id, str(pattern), count, codes.most_live(pattern))
    if live is not None:
        codes.check_not_guessable(pattern, count, live)
    if count > SYNC_BATCH_MAX:
        batch = CodeBatch(
            id=new_id("bat"),
            campaign_id=campaign.id,
            requested=count,
            created=0,
            status="pending",
            pattern=pattern.prefix + pattern.pattern + pattern.suffix,
            created_at=clock.now(),
        )
        campaign_store.create_batch(batch, pattern.pattern, pattern.prefix, pattern.suffix)
        queues.send_code_batch(batch.id)
        return CodesCreated(created=0, codes=[], batch=batch)
    created = _write_codes(campaign, pattern, count, request.customer_id, None, 0)
    metrics.add_metric(name="CodesCreated", unit=MetricUnit.Count, value=len(created))
    return CodesCreated(created=len(created), codes=[_effective(c, campaign) for c in created])


def _support_may_issue(campaign: DiscountCampaign, request: CreateCodesRequest) -> None:
    if not campaign.open_to_support:
        raise ForbiddenRole(
            "This campaign is not open to support agents; an owner can open it (open_to_support).",
            {"role": "support", "campaign_id": campaign.id},
        )
    if not request.customer_id or (request.count or 1) > 1:
        raise ForbiddenRole(
            "A support agent issues one code bound to a customer (give customer_id, no count).",
            {"role": "support", "field": "customer_id"},
        )
    if request.code or request.pattern or request.prefix or request.suffix:  # codes are global: no squatting names
        raise ForbiddenRole(
            "A support agent's code is drawn by the product; its text cannot be chosen.",
            {"role": "support", "field": "code"},
        )


def _write_codes(
    campaign: DiscountCampaign,
    pattern: codes.CodePattern,
    count: int,
    customer_id: str | None,
    batch_id: str | None,
    already: int,
) -> list[Code]:
    """Write `count` fresh codes in transactions of CHUNK, drawing again for any value that already exists."""
    written: list[Code] = []
    while len(written) < count:
        size = CHUNK // 3 if customer_id else CHUNK  # a bound code also writes its wallet copy and its event
        values = codes.generate(pattern, min(size, count - len(written)))
        first = _new_code(campaign, values[0], customer_id, batch_id, clock.now())  # one transaction, one time
        chunk = [first, *(first.model_copy(update={"code": v}) for v in values[1:])]  # values are ours: no validation
        while taken := store.add_codes(chunk, batch_id, already + len(written), campaign):
            used = {c.code for c in chunk} | taken
            fresh = iter(v for v in codes.generate(pattern, len(taken) * 2 + 8) if v not in used)
            chunk = [c if c.code not in taken else first.model_copy(update={"code": next(fresh)}) for c in chunk]
        written.extend(chunk)
    return written


def run_batch(batch_id: str) -> CodeBatch:
    """Complete a background batch; safe to run again after a crash or a redelivered message.

    Each chunk's transaction advances the batch's progress only from the value this worker last saw, so
    two workers on one batch never write the same chunk twice.
    """
    item = campaign_store.get_batch_item(batch_id)
    if item.status in ("completed", "failed"):
        return campaign_store.to_batch(item)
    campaign = _discount_campaign(item.campaign_id)
    pattern = codes.parse_pattern(item.pattern, item.prefix, item.suffix)
    requested, done = int(item.requested), int(item.created or 0)
    while done < requested:
        step = min(CHUNK, requested - done)
        try:
            _write_codes(campaign, pattern, step, None, batch_id, done)
            done += step
        except store.BatchProgressMoved:
            seen, done = done, int(campaign_store.get_batch_item(batch_id).created or 0)
            if done == seen:
                raise
    campaign_store.finish_batch(batch_id, "completed", clock.now())
    metrics.add_metric(name="CodesCreated", unit=MetricUnit.Count, value=requested)
    return campaign_store.to_batch(campaign_store.get_batch_item(batch_id))


def fail_batch(batch_id: str) -> None:
    """A batch the worker gave up on shows as failed (its message goes to the dead-letter queue)."""
    campaign_store.finish_batch(batch_id, "failed", clock.now())


def codes_page(campaign_id: str, limit: int, cursor: str | None) -> tuple[list[Code], str | None]:
    campaign = _discount_campaign(campaign_id)
    items, next_cursor = store.codes_page(campaign_id, limit, cursor)
    return [_effective(c, campaign) for c in items], next_cursor


def codes_csv(items: list[Code]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["code", "customer_id", "batch_id", "created_at", "expires_at", "redemptions", "balance"])
    for c in items:
        writer.writerow(
            [
                c.code,
                c.customer_id or "",
                c.batch_id or "",
                clock.iso(c.created_at),
                clock.iso(c.expires_at) if c.expires_at else "",
                c.redemptions,
                "" if c.balance is None else c.balance,
            ]
        )
    return out.getvalue()


def batch_codes(campaign_id: str, batch_id: str, limit: int, cursor: str | None) -> tuple[list[Code], str | None]:
    """A batch's codes (of this campaign's batch only), a page at a time."""
    get_batch(campaign_id, batch_id)
    return store.batch_codes_page(batch_id, limit, cursor)


def get_batch(campaign_id: str, batch_id: str) -> CodeBatch:
    batch = campaign_store.to_batch(campaign_store.get_batch_item(batch_id))
    if batch.campaign_id != campaign_id:
        raise NotFound("No such code batch.", {"batch_id": batch_id})
    return batch
