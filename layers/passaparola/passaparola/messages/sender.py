"""Delivery of one queued message: claim it, check it may still go, send it, record what the provider said.

Redelivery never sends twice: only a `queued`/`retrying` message can be claimed (conditional update). A send
whose outcome is unknown — no answer in time, the connection dropped, a provider error that may follow an
acceptance, or a message someone claimed but never settled (a crash mid-call) — is never sent again
automatically: it ends `outcome_unknown` on the dead-letter queue, and a person decides to re-drive it.
"""

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from passaparola import clock
from passaparola.campaigns.models import ReengagementCampaign
from passaparola.customers.record import consent_counts
from passaparola.data import campaigns as campaign_store
from passaparola.data import channels, queues
from passaparola.data import customers as customer_store
from passaparola.data import messages as store
from passaparola.data.models.messages import MessageModel
from passaparola.errors import NotFound
from passaparola.messages import consent as opt_in
from passaparola.messages import render, rules
from passaparola.observability import logger
from passaparola.referrals import identity
from passaparola.settings import get_settings

LEASE = timedelta(seconds=60)
UNKNOWN = "outcome_unknown"
SETTLED = ("sent", "failed", "cancelled", UNKNOWN, "bounced", "complained")
CONFIRMATION = opt_in.TRIGGER


@dataclass(frozen=True)
class Delivery:
    outcome: str
    """sent, retry, failed, unknown (outcome_unknown), cancelled, settled (nothing to do), busy (someone else
    has it), missing."""
    delay: int = 0


def deliver(message_id: str) -> Delivery:
    now = clock.now()
    item = store.get(message_id)
    if item is None:
        logger.warning("no such message", extra={"message_id": message_id})
        return Delivery("missing")
    if item.status in SETTLED:
        return Delivery("settled")
    if item.status == "sending":
        if item.lease_until and datetime.fromisoformat(item.lease_until) > now:
            return Delivery("busy")
        return _unknown(item, "sender_stopped", "A sender claimed it and stopped before recording the result.", now)
    cancel = _cancel_reason(item, now)
    if cancel:
        store.settle(item, "cancelled", cancel, None, now, expect=str(item.status))
        return Delivery("cancelled")
    claimed = store.claim(message_id, now, now + LEASE)
    if claimed is None:
        return Delivery("busy")
    try:
        provider_id = _send(item)
    except channels.ChannelError as exc:
        if rules.ambiguous(exc.code, exc.http_status):
            return _unknown(item, exc.code, exc.message, now)
        attempts = int(claimed.attempts or 1)
        if rules.transient(exc.code) and attempts < rules.MAX_ATTEMPTS:
            delay = rules.backoff_seconds(attempts, get_settings().message_retry_base_seconds)
            store.retry_later(item, exc.code, exc.message, now + timedelta(seconds=delay), now)
            logger.warning("message retried later", extra={"message_id": message_id, "error": exc.code})
            return Delivery("retry", delay)
        return _fail(item, exc.code, exc.message, now)
    store.sent(item, provider_id, now)
    return Delivery("sent")


def _cancel_reason(item: MessageModel, now: datetime) -> str | None:
    """Why a queued message must not go any more: its campaign stopped, or the customer withdrew consent.

    A double opt-in confirmation has no campaign and asks for the consent that does not count yet: it goes
    unless the customer was erased, changed the address, or has nothing left to confirm."""
    if item.channel == "email" and item.to and store.suppressed(identity.email_hash(str(item.to))):
        return "suppressed"  # it hard-bounced or complained (SES feedback): never again, whatever the message
    if item.trigger == CONFIRMATION:
        return _confirmation_cancel_reason(item)
    try:
        campaign = campaign_store.get(str(item.campaign_id))
    except NotFound:
        return "campaign_deleted"
    if not isinstance(campaign, ReengagementCampaign) or not rules.in_window(campaign, campaign.enabled, now):
        return "campaign_disabled" if not campaign.enabled else "campaign_ended"
    record = customer_store.read(str(item.customer_id))
    if record is None or record.erased_at:
        return "customer_erased"
    consent = json.loads(record.consent) if record.consent else {}
    if not consent_counts(consent.get(str(item.channel))):
        return "consent_withdrawn"
    if (record.email if item.channel == "email" else record.phone) != item.to:
        return "address_changed"  # the old address may belong to someone else now
    return None


def _confirmation_cancel_reason(item: MessageModel) -> str | None:
    record = customer_store.read(str(item.customer_id))
    if record is None or record.erased_at:
        return "customer_erased"
    if (record.email if item.channel == "email" else record.phone) != item.to:
        return "address_changed"
    if item.channel not in opt_in.pending(json.loads(record.consent) if record.consent else {}):
        return "nothing_to_confirm"
    return None


def _send(item: MessageModel) -> str:
    to = str(item.to or "")
    if item.channel == "sms":
        return channels.send_sms(to, str(item.body))
    sender = get_settings().sender_email
    if not sender:
        raise channels.ChannelError("no_sender", "SENDER_EMAIL is not set: deploy with SenderEmail.")
    texts = render.Rendered(subject=item.subject, body=str(item.body), text=item.text)
    raw = render.mime(sender, to, texts, str(item.unsubscribe_url or ""), item.coupon_code, item.id)
    return channels.send_email(sender, to, raw, get_settings().ses_configuration_set)


def _fail(item: MessageModel, code: str, text: str, now: datetime) -> Delivery:
    """Final: onto the dead-letter queue with the reason, then `failed` (in that order: nothing is lost)."""
    queues.dead_letter(item.id, code, text)
    if store.settle(item, "failed", code, text, now, expect="sending"):
        logger.error("message dead-lettered", extra={"message_id": item.id, "error": code})
    return Delivery("failed")


def _unknown(item: MessageModel, code: str, text: str, now: datetime) -> Delivery:
    """Final until a person decides: it may have arrived, so it is never sent again automatically."""
    queues.dead_letter(item.id, UNKNOWN, f"{code}: {text}")
    if store.settle(item, UNKNOWN, code, text, now, expect="sending"):
        logger.error("message outcome unknown", extra={"message_id": item.id, "error": code})
    return Delivery("unknown")


def redrive(include_unknown: bool = False, limit: int = 10_000) -> dict[str, int]:
    """Dead-lettered messages back onto the message queue (failed ones reset to `queued`), each once per run.

    A message whose outcome is unknown (it may have arrived) stays out unless `include_unknown`: it is kept on
    the dead-letter queue for a person to decide.
    """
    now = clock.now()
    done = {"redriven": 0, "skipped": 0, "kept": 0}
    seen: set[str] = set()
    kept: list[str] = []
    empty = 0
    while sum(done.values()) < limit and empty < 2:
        batch = queues.receive_dead_letters()
        empty = 0 if batch else empty + 1
        for entry in batch:
            try:
                message_id = str(json.loads(entry.get("Body") or "{}")["message_id"])
            except (ValueError, KeyError, TypeError):
                message_id = ""
            item = store.get(message_id) if message_id else None
            legacy = item is not None and item.status == "failed" and item.error_code == UNKNOWN
            if item is not None and (item.status == UNKNOWN or legacy) and not include_unknown:
                done["kept"] += 1
                kept.append(entry["ReceiptHandle"])
                continue  # stays on the queue for a person to decide
            if (
                item is not None
                and message_id not in seen
                and (store.requeue(message_id, now, include_unknown) or item.status in store.OPEN_STATUSES)
            ):
                queues.send_messages([message_id])
                seen.add(message_id)
                done["redriven"] += 1
            else:
                done["skipped"] += 1
            queues.delete_dead_letter(entry["ReceiptHandle"])
    for handle in kept:  # visible again only now: this run does not receive them twice
        queues.release_dead_letter(handle)
    return done
