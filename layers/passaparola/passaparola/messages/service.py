"""What the API does with messages: the log per customer and per campaign, and the one-click unsubscribe."""

import json
from dataclasses import dataclass

from passaparola import clock
from passaparola.campaigns.models import ReengagementCampaign
from passaparola.customers.record import Change
from passaparola.customers.service import mutate
from passaparola.data import campaigns as campaign_store
from passaparola.data import messages as store
from passaparola.data.transactions import Transaction
from passaparola.errors import CampaignTypeMismatch
from passaparola.messages import unsubscribe as tokens
from passaparola.messages.models import CampaignMessages, MessagePage, MessageSummary, Unsubscribed


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
