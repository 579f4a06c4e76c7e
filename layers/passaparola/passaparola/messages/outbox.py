"""From a due customer to a message intent in the outbox: audience, channel, incentive, texts, one transaction.

The message id is a hash of (campaign, customer, occasion) and is written only if absent, in the same
transaction as the customer's contact item (frequency cap) and the incentive (a unique code, or points): a
job run twice, or two runs at once, queue each message — and issue each code — once.
"""

import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from pynamodb.exceptions import TransactWriteError

from passaparola.campaigns.models import DiscountCampaign, ReengagementCampaign
from passaparola.clock import iso
from passaparola.coupons import codes
from passaparola.coupons.models import Code
from passaparola.customers.record import Change, consent_counts
from passaparola.data import campaigns as campaign_store
from passaparola.data import coupons as code_store
from passaparola.data import customers as customer_store
from passaparola.data import messages as store
from passaparola.data import queues, transactions
from passaparola.data.models.customers import CustomerModel
from passaparola.data.models.messages import ContactModel
from passaparola.data.transactions import Transaction
from passaparola.errors import DomainError
from passaparola.loyalty.rules import lot_remaining
from passaparola.messages import render, rules, unsubscribe
from passaparola.messages.models import JobReport, Message
from passaparola.observability import logger
from passaparola.referrals import links
from passaparola.referrals.models import CreateReferral
from passaparola.settings import get_settings

if TYPE_CHECKING:
    from passaparola.messages.jobs import Candidate

ATTEMPTS = 4


def queue(candidates: Sequence["Candidate"], now: datetime, report: JobReport) -> None:
    """Queue the messages of due customers: one BatchGet per 50 customers, one transaction per message."""
    if not candidates:
        return
    report.candidates += len(candidates)
    ids = [rules.message_id(c.campaign.id, c.customer_id, c.occasion) for c in candidates]
    done = store.existing(ids)
    report.items_read += len(done)
    report.duplicates += sum(1 for i in ids if i in done)
    candidates = [c for c, i in zip(candidates, ids, strict=True) if i not in done]
    if not candidates:
        return
    people = store.customers([c.customer_id for c in candidates])
    report.items_read += sum((r is not None) + (c is not None) for r, c in people.values())
    queued: list[str] = []
    for candidate in candidates:
        record, contact = people[candidate.customer_id]
        outcome, contact = _queue_one(candidate, record, contact, now)
        people[candidate.customer_id] = (record, contact)
        if outcome.startswith("msg_"):
            queued.append(outcome)
            report.queued += 1
        elif outcome == "duplicate":
            report.duplicates += 1
        else:
            report.skip(outcome)
    if queued:
        try:
            queues.send_messages(queued)
        except Exception:  # the watch job re-sends what the outbox still holds
            logger.exception("enqueue failed; the outbox keeps the messages", extra={"count": len(queued)})


def _queue_one(
    candidate: "Candidate", record: CustomerModel | None, contact: ContactModel | None, now: datetime
) -> tuple[str, ContactModel | None]:
    """The message id queued, "duplicate", or the reason for none; and the contact item as it now is."""
    for _ in range(ATTEMPTS):
        why = _not_due(candidate, record, contact)
        if why:
            return why, contact
        assert record is not None
        try:
            return _write(candidate, record, contact, now)
        except _Retry:
            record, contact = customer_store.read(candidate.customer_id), store.contact(candidate.customer_id)
        except DomainError as exc:
            logger.warning("message not queued", extra={"customer_id": candidate.customer_id, "error": exc.code})
            return exc.code, contact
        except Exception:  # one customer's failure (a template error on their data) never stops the run
            logger.exception(
                "message not queued", extra={"customer_id": candidate.customer_id, "campaign_id": candidate.campaign.id}
            )
            return "error", contact
    return "conflict", contact


class _Retry(Exception):
    """The customer's record or contact changed meanwhile (or a code collided): read again and redo."""


def _not_due(candidate: "Candidate", record: CustomerModel | None, contact: ContactModel | None) -> str | None:
    """Why a trigger's candidate is not due after all, on a closer look at the record."""
    if record is None or record.erased_at:
        return "unknown_customer"
    trigger = candidate.campaign.trigger
    if trigger.type == "welcome" and contact is not None and contact.welcomed_at:
        return "already_welcomed"
    if trigger.type == "signup_anniversary":
        signed = datetime.fromisoformat(record.signed_up_at) if record.signed_up_at else None
        if signed is None or rules.local_day(signed, get_settings().shop_timezone).year >= candidate.details["year"]:
            return "not_a_year_yet"
    if trigger.type == "points_expiring":
        consumed = int(record.consumed or 0)
        left = sum(lot_remaining(cum, points, consumed) for points, cum in candidate.details.get("lots", []))
        if left <= 0:
            return "nothing_expiring"
        candidate.details["points"] = left
    if trigger.type == "referral_nudge" and trigger.segment not in (record.segments or set()):
        return "segment"
    return None


def recipient(record: CustomerModel, contact: ContactModel | None) -> rules.Recipient:
    consent = json.loads(record.consent) if record.consent else {}
    categories = {k: int(v) for k, v in (record.categories.as_dict() if record.categories else {}).items()}
    return rules.Recipient(
        customer_id=record.customer_id,
        email=record.email,
        phone=record.phone,
        country=record.country,
        locale=record.locale,
        consent=frozenset(ch for ch in ("email", "sms") if consent_counts(consent.get(ch))),
        segments=frozenset(record.segments or ()),
        recent=store.recent_sends(contact),
        categories=categories,
    )


def _write(
    candidate: "Candidate", record: CustomerModel, contact: ContactModel | None, now: datetime
) -> tuple[str, ContactModel | None]:
    campaign = candidate.campaign
    who = recipient(record, contact)
    decision = rules.decide(campaign, campaign.id, who, now)
    if isinstance(decision, str):
        return decision, contact
    base = _links_base()
    if not base:
        return "no_public_url", contact
    if decision.channel == "email" and not get_settings().sender_email:
        return "no_sender", contact
    points = campaign.incentive.points if campaign.incentive else None
    program = campaign_store.loyalty_program() if points else None
    if points and program is None:
        return "no_loyalty_program", contact
    message_id = rules.message_id(campaign.id, candidate.customer_id, candidate.occasion)
    coupon, issuer = _coupon(campaign, who, now)
    if coupon is not None:  # its redemptions count on this message's variant
        coupon.message_id = message_id
        coupon._message_stats = store.stats_id(campaign.id, decision.variant)
    if campaign.incentive and not campaign.incentive.points and coupon is None:
        return "no_offer_for_category", contact
    link = unsubscribe.url(base, candidate.customer_id, decision.channel, message_id)
    context = _context(candidate, record, who, decision.channel, coupon, points, link)
    assert decision.template is not None
    rendered = render.render(decision.template, context, locale=decision.locale)
    message = Message(
        id=message_id,
        campaign_id=campaign.id,
        customer_id=candidate.customer_id,
        trigger=campaign.trigger.type,
        occasion=candidate.occasion,
        reason=candidate.reason,
        channel=decision.channel,
        locale=decision.locale,
        variant=decision.variant,
        to=decision.to,
        subject=rendered.subject,
        body=rendered.body,
        coupon_code=coupon.code if coupon else None,
        points=points,
        status="queued",
        created_at=now,
        updated_at=now,
    )
    sends = rules.remember(who.recent, now)
    welcomed = campaign.trigger.type == "welcome"

    changes: list[Change] = []
    where: dict[str, int] = {}

    def build(tx: Transaction) -> None:
        changes.clear()
        # with points the record's own version guard stands for "not erased" (one operation per item)
        store.put_intent(tx, message, rendered.text, link, contact, sends, welcomed, check_customer=not points)
        if coupon is not None and issuer is not None:
            code_store.put_code(tx, coupon, issuer, "reengagement")
        if points and program is not None:
            change = Change(candidate.customer_id, record, now, program)
            change.reason = f"reengagement:{campaign.id}"
            change.credit_reward(points, f"reengagement:{campaign.id}", message_id)
            change.write(tx)
            changes.append(change)
        where.update(message=transactions.position(tx, "put"), campaign=0, customer=1 if not points else -1)

    try:
        transactions.write(build)
    except TransactWriteError as exc:
        failed = transactions.failed_items(exc)
        if where["message"] in failed:
            return "duplicate", contact
        if where["campaign"] in failed:
            return "campaign_disabled", contact
        if where["customer"] in failed:
            return "unknown_customer", contact
        if failed:
            raise _Retry() from exc
        raise
    store.count(campaign.id, decision.variant, "queued")
    for change in changes:
        for hook in change.effects.after_commit:  # e.g. a new tier's message to the team
            hook()
    version = int(contact.version or 0) + 1 if contact is not None and contact.version is not None else 1
    after = ContactModel(candidate.customer_id, "contact", version=version, sent=json.dumps([iso(t) for t in sends]))
    after.welcomed_at = iso(now) if welcomed else (contact.welcomed_at if contact else None)
    return message_id, after


def _coupon(
    campaign: ReengagementCampaign, who: rules.Recipient, now: datetime
) -> tuple[Code | None, DiscountCampaign | None]:
    """A new code bound to the customer from the incentive's campaign (the favourite category's, if mapped)."""
    incentive = campaign.incentive
    if incentive is None or incentive.points:
        return None, None
    favourite = rules.favourite(who.categories)
    campaign_id = incentive.by_category.get(favourite or "") or incentive.campaign_id
    if not campaign_id:
        return None, None
    issuer = campaign_store.get_cached(campaign_id)
    if not isinstance(issuer, DiscountCampaign) or not issuer.enabled:
        return None, None
    code = Code(
        code=codes.generate(codes.parse_pattern(None, "M-"), 1)[0],
        campaign_id=issuer.id,
        customer_id=who.customer_id,
        created_at=now,
        issued_at=now,
        expires_at=now + timedelta(days=incentive.expires_in_days) if incentive.expires_in_days else None,
        balance=issuer.discount.balance if issuer.discount.type == "gift_card" else None,  # type: ignore[union-attr]
    )
    return code, issuer


def _context(
    candidate: "Candidate",
    record: CustomerModel,
    who: rules.Recipient,
    channel: str,
    coupon: Code | None,
    points: int | None,
    unsubscribe_url: str,
) -> dict[str, Any]:
    campaign = candidate.campaign
    context: dict[str, Any] = {
        "customer": render.customer_variables(record, rules.favourite(who.categories)),
        "occasion": candidate.details,
        "campaign": {"id": campaign.id, "name": campaign.name},
        "unsubscribe_url": unsubscribe_url,
        "shop_url": get_settings().shop_url,
        "points": points or 0,
    }
    if coupon is not None:
        context["coupon"] = {
            "code": coupon.code,
            "qr": render.QR_SRC if channel == "email" else "",
            "expires_at": coupon.expires_at.isoformat() if coupon.expires_at else None,
            "campaign_id": coupon.campaign_id,
        }
    if campaign.referral_campaign_id:
        context["referral"] = _referral(campaign.referral_campaign_id, record)
    return context


def _links_base() -> str:
    """Where links in messages lead: the public API URL (a custom domain), else the API's own."""
    return get_settings().public_api_url or get_settings().message_link_url


def _referral(referral_campaign_id: str, record: CustomerModel) -> dict[str, str]:
    """The customer's referral link (created on first use), or empty values if the program is unavailable."""
    try:
        referral, _ = links.create(
            CreateReferral(
                customer_id=record.customer_id,
                campaign_id=referral_campaign_id,
                name=(record.name or None) and record.name[:100],
            ),
            _links_base(),
        )
    except DomainError:
        return {"code": "", "link": ""}
    return {"code": referral.code, "link": referral.share_url}
