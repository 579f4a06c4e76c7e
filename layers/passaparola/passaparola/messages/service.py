"""What the API does with messages: the log per customer and per campaign, previews, and the one-click unsubscribe."""

import json
from dataclasses import dataclass
from typing import Any

from passaparola import clock
from passaparola.campaigns.models import ReengagementCampaign
from passaparola.customers.record import Change
from passaparola.customers.service import mutate
from passaparola.data import campaigns as campaign_store
from passaparola.data import customers as customer_store
from passaparola.data import messages as store
from passaparola.data.transactions import Transaction
from passaparola.errors import CampaignTypeMismatch, InvalidRequest, NotFound
from passaparola.messages import consent as opt_in
from passaparola.messages import render, rules
from passaparola.messages import unsubscribe as tokens
from passaparola.messages.models import (
    CampaignMessages,
    Channel,
    ConsentConfirmed,
    MessagePage,
    MessagePreview,
    MessagePreviewRequest,
    Messages,
    MessageSummary,
    ReengagementProgram,
    Unsubscribed,
    WelcomeTrigger,
)
from passaparola.settings import get_settings


def for_customer(customer_id: str, limit: int, cursor: str | None) -> MessagePage:
    items, next_cursor = store.for_customer(customer_id, limit, cursor)
    return MessagePage(items=items, next_cursor=next_cursor)


def for_campaign(campaign_id: str, status: str | None, limit: int, cursor: str | None) -> CampaignMessages:
    campaign = campaign_store.get(campaign_id)
    if not isinstance(campaign, ReengagementCampaign):
        raise CampaignTypeMismatch("Messages belong to re-engagement campaigns.", {"campaign_id": campaign_id})
    items, next_cursor = store.for_campaign(campaign_id, status, limit, cursor)
    variants = [v.name for v in campaign.variants]
    summary = MessageSummary(
        by_status=store.by_status(campaign_id, variants), variants=store.results(campaign_id, variants)
    )
    return CampaignMessages(items=items, next_cursor=next_cursor, summary=summary)


def preview(request: MessagePreviewRequest, base_url: str) -> MessagePreview:
    """A message rendered as the sender renders it (same templates, variables and unsubscribe line), for a sample
    customer or a real one, without sending, issuing a code or creating a referral link: the coupon, the referral
    link and the occasion are sample values, the unsubscribe link is not signed."""
    program, messages = _preview_source(request)
    templates = messages.email if request.channel == "email" else messages.sms
    locale = rules.pick_locale(request.locale, None, set(templates))
    if locale is None:
        raise InvalidRequest(
            f"No {request.channel} template for '{request.locale}' or its language.",
            {"field": "locale", "available": sorted(templates)},
        )
    template = templates[locale]
    sample = render.sample_context(program)
    try:
        render.render(template, sample, strict=True)
    except Exception as exc:  # any error a template can raise (syntax, undefined, sandbox)
        raise InvalidRequest(
            f"The {request.channel} template for '{locale}' does not render: {exc}",
            {"field": f"messages.{request.channel}.{locale}"},
        ) from exc
    context = _preview_context(request, sample, base_url)
    try:
        rendered = render.render(template, context, locale=locale)
    except Exception as exc:  # fine for the sample, failing for this customer (e.g. a division by their balance)
        raise InvalidRequest(
            f"The {request.channel} template for '{locale}' does not render for this customer: {exc}",
            {"field": f"messages.{request.channel}.{locale}", "customer_id": request.customer_id},
        ) from exc
    if request.channel == "sms":
        return MessagePreview(text=rendered.body, channel="sms", locale=locale, customer_id=request.customer_id)
    code = (context.get("coupon") or {}).get("code")
    return MessagePreview(
        subject=rendered.subject,
        html=render.inline_qr(rendered.body, code) if code else rendered.body,
        text=rendered.text or "",
        channel="email",
        locale=locale,
        customer_id=request.customer_id,
    )


def _preview_source(request: MessagePreviewRequest) -> tuple[ReengagementProgram, Messages]:
    if request.messages is not None:
        program = ReengagementProgram.model_construct(
            trigger=request.trigger or WelcomeTrigger(type="welcome"),
            incentive=request.incentive,
            referral_campaign_id=request.referral_campaign_id,
            messages=request.messages,
            variants=[],
        )
        return program, request.messages
    assert request.campaign_id is not None
    campaign = campaign_store.get(request.campaign_id)
    if not isinstance(campaign, ReengagementCampaign):
        raise CampaignTypeMismatch("Previews are of re-engagement campaigns.", {"campaign_id": request.campaign_id})
    if request.variant is None:
        messages = campaign.all_messages()[0]
    else:
        found = [v.messages for v in campaign.variants if v.name == request.variant]
        if not found:
            names = [v.name for v in campaign.variants]
            raise InvalidRequest(f"No variant '{request.variant}'.", {"field": "variant", "variants": names})
        messages = found[0]
    return campaign, messages


def _preview_context(request: MessagePreviewRequest, sample: dict[str, Any], base_url: str) -> dict[str, Any]:
    context = sample | {
        "unsubscribe_url": f"{base_url}/v1/unsubscribe?token=preview",
        "shop_url": get_settings().shop_url or sample["shop_url"],
    }
    if "coupon" in context:
        context["coupon"] = context["coupon"] | {"qr": render.QR_SRC if request.channel == "email" else ""}
    if request.customer_id is None:
        context["customer"] = sample["customer"] | {"locale": request.locale}
        return context
    record = customer_store.read(request.customer_id)
    if record is None:
        raise NotFound("No such customer.", {"customer_id": request.customer_id})
    categories = {k: int(v) for k, v in (record.categories.as_dict() if record.categories else {}).items()}
    context["customer"] = render.customer_variables(record, rules.favourite(categories))
    return context


@dataclass(frozen=True)
class Unsubscribe:
    answer: Unsubscribed
    locale: str | None
    """The customer's, for the page a person sees."""


def unsubscribe(token: str) -> Unsubscribe:
    """Consent off for the token's channel (idempotent); the message's variant counts one unsubscribe."""
    claims = tokens.verify(token)

    def do(change: Change, tx: Transaction) -> str | None:
        record = change.record
        if record is None or record.erased_at:
            return None
        consent = json.loads(record.consent) if record.consent else {}
        current = consent.get(claims.channel) or {}
        if current.get("granted") is not False:
            consent[claims.channel] = {"granted": False, "at": clock.iso(change.now), "source": "unsubscribe"}
            change.put("consent", json.dumps(consent))
            change.put("updated_at", clock.iso(change.now))
        return record.locale

    _, locale = mutate(claims.customer_id, do, "unsubscribe")
    store.unsubscribed(claims.message_id, clock.now())
    return Unsubscribe(Unsubscribed(channel=claims.channel), locale)


@dataclass(frozen=True)
class ConsentConfirmation:
    answer: ConsentConfirmed
    locale: str | None


def consent_locale(token: str) -> str | None:
    """The language of the page the link opens (the customer's): checks the link, changes nothing."""
    claims = opt_in.verify(token, clock.now())
    record = customer_store.read(claims.customer_id)
    return record.locale if record and not record.erased_at else None


def confirm_consent(token: str) -> ConsentConfirmation:
    """Double opt-in: the link's channel, still granted and at the same address, now counts (idempotent; withdrawn
    consent stays withdrawn)."""
    claims = opt_in.verify(token, clock.now())

    def do(change: Change, tx: Transaction) -> tuple[list[Channel], str | None]:
        record = change.record
        if record is None or record.erased_at:
            return [], None
        before = json.loads(record.consent) if record.consent else {}
        address = record.email if claims.channel == "email" else record.phone
        after, done = opt_in.confirm(json.loads(record.consent or "{}"), claims, address, change.now)
        if after != before:
            change.put("consent", json.dumps(after))
            change.put("updated_at", clock.iso(change.now))
        return done, record.locale

    _, (channels, locale) = mutate(claims.customer_id, do, "consent_confirmed")
    return ConsentConfirmation(ConsentConfirmed(confirmed=bool(channels), channels=channels), locale)
