"""The messages table (outbox and delivery log, checkpoints, results per variant) and customers' contact items."""

import json
from collections.abc import Callable, Sequence
from datetime import datetime

from pynamodb.exceptions import DoesNotExist, PutError, TransactWriteError, UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action

from passaparola.clock import iso
from passaparola.data import stats, transactions
from passaparola.data.models.campaigns import CampaignModel
from passaparola.data.models.customers import CustomerModel
from passaparola.data.models.messages import (
    ContactModel,
    JobStateModel,
    MessageModel,
    MessageStatsModel,
    SuppressionModel,
)
from passaparola.data.pagination import decode_cursor, encode_cursor
from passaparola.data.transactions import Transaction
from passaparola.errors import Conflict
from passaparola.events import outbox
from passaparola.messages.models import STATUSES, Message, MessageError, VariantResults
from passaparola.observability import logger

PENDING = "pending"
OPEN_STATUSES = ("queued", "retrying")


# ----------------------------------------------------------------------------------- candidates


def customers(ids: list[str]) -> dict[str, tuple[CustomerModel | None, ContactModel | None]]:
    """Records and contact items of many customers: two BatchGetItems per 100 customers.

    Strongly consistent: a customer who signed up a second ago (a welcome) must be found."""
    unique = list(dict.fromkeys(ids))
    records = {r.customer_id: r for r in CustomerModel.batch_get([(i, "facts") for i in unique], consistent_read=True)}
    contacts = {
        c.customer_id: c for c in ContactModel.batch_get([(i, "contact") for i in unique], consistent_read=True)
    }
    return {i: (records.get(i), contacts.get(i)) for i in unique}


def existing(message_ids: list[str]) -> set[str]:
    """Which of these messages were already queued (a re-run finds them without trying to write)."""
    unique = list(dict.fromkeys(message_ids))
    return {m.id for m in MessageModel.batch_get(unique, attributes_to_get=["id"])}


def contact(customer_id: str) -> ContactModel | None:
    try:
        return ContactModel.get(customer_id, "contact", consistent_read=True)
    except DoesNotExist:
        return None


def recent_sends(item: ContactModel | None) -> tuple[datetime, ...]:
    if item is None or not item.sent:
        return ()
    return tuple(datetime.fromisoformat(t) for t in json.loads(item.sent))


# --------------------------------------------------------------------------------------- outbox


def put_intent(
    tx: Transaction,
    message: Message,
    text: str | None,
    unsubscribe_url: str,
    contact_item: ContactModel | None,
    sends: list[datetime],
    welcomed: bool,
    check_customer: bool = True,
) -> None:
    """The message (written once: its id is deterministic), the contact's recent sends; the campaign must
    still be switched on and (unless the caller's write guards the record) the customer not erased: the
    transaction's first condition checks, in that order."""
    created = iso(message.created_at)
    tx.save(
        MessageModel(
            message.id,
            campaign_id=message.campaign_id,
            customer_id=message.customer_id,
            created=f"{created}#{message.id}",
            trigger=message.trigger,
            occasion=message.occasion,
            reason=message.reason,
            channel=message.channel,
            locale=message.locale,
            variant=message.variant,
            to=message.to,
            subject=message.subject,
            body=message.body,
            text=text,
            unsubscribe_url=unsubscribe_url,
            coupon_code=message.coupon_code,
            points=message.points,
            status="queued",
            attempts=0,
            created_at=created,
            updated_at=created,
            outbox=PENDING,
            next_attempt_at=created,
        ),
        condition=MessageModel.id.does_not_exist(),
    )
    version = int(contact_item.version or 0) if contact_item is not None else 0
    guard = (
        ContactModel.version == version
        if contact_item is not None and contact_item.version is not None
        else ContactModel.version.does_not_exist()
    )
    actions: list[Action] = [
        ContactModel.version.set(version + 1),
        ContactModel.sent.set(json.dumps([iso(t) for t in sends])),
    ]
    if welcomed:
        actions.append(ContactModel.welcomed_at.set(created))
    tx.update(ContactModel(message.customer_id, "contact"), actions=actions, condition=guard)
    tx.condition_check(CampaignModel, message.campaign_id, condition=CampaignModel.enabled == True)  # noqa: E712
    if check_customer:
        guard = CustomerModel.erased_at.does_not_exist()
        tx.condition_check(CustomerModel, message.customer_id, "facts", condition=guard)


def put_confirmation(tx: Transaction, message: Message, text: str | None) -> None:
    """A double opt-in confirmation (no campaign: no switch to check, no frequency cap), written once."""
    created = iso(message.created_at)
    tx.save(
        MessageModel(
            message.id,
            customer_id=message.customer_id,
            created=f"{created}#{message.id}",
            trigger=message.trigger,
            occasion=message.occasion,
            reason=message.reason,
            channel=message.channel,
            locale=message.locale,
            to=message.to,
            subject=message.subject,
            body=message.body,
            text=text,
            status="queued",
            attempts=0,
            created_at=created,
            updated_at=created,
            outbox=PENDING,
            next_attempt_at=created,
        ),
        condition=MessageModel.id.does_not_exist(),
    )


def count(campaign_id: str | None, variant: str | None, field: str, delta: int = 1) -> None:
    """Move a result counter: outside the message's own writes, so that one campaign's busy counter never
    makes a delivery's record fail (best effort: a lost count is logged, a lost status would not be).
    A message of no campaign (a double opt-in confirmation) counts nowhere."""
    if not campaign_id:
        return
    try:
        transactions.retrying(
            lambda: MessageStatsModel(stats_id(campaign_id, variant)).update(
                actions=[getattr(MessageStatsModel, field).add(delta)]
            )
        )
    except Exception:
        logger.exception("result counter not moved", extra={"campaign_id": campaign_id, "field": field})


def stats_id(campaign_id: str, variant: str | None) -> str:
    return f"stats#{campaign_id}#{variant or 'default'}"


def get(message_id: str) -> MessageModel | None:
    try:
        return MessageModel.get(message_id, consistent_read=True)
    except DoesNotExist:
        return None


def pending_before(until: datetime, limit: int = 1000) -> list[str]:
    """Messages still to deliver whose next attempt was due before `until` (their enqueue may be lost)."""
    return [
        m.id for m in MessageModel.outbox_index.query(PENDING, MessageModel.next_attempt_at < iso(until), limit=limit)
    ]


def claim(message_id: str, now: datetime, lease_until: datetime) -> MessageModel | None:
    """queued/retrying → sending (attempts + 1); None when someone else has it or it is settled."""
    return _update(
        message_id,
        [
            MessageModel.status.set("sending"),
            MessageModel.attempts.add(1),
            MessageModel.lease_until.set(iso(lease_until)),
            MessageModel.next_attempt_at.set(iso(lease_until)),
            MessageModel.updated_at.set(iso(now)),
        ],
        MessageModel.status.is_in(*OPEN_STATUSES),
    )


def sent(message: MessageModel, provider_id: str, now: datetime) -> None:
    """Record the provider's acceptance (retried through contention: the email is already out), and count it in
    its campaign's day in the same transaction: a redelivered or retried record never counts twice."""
    actions: list[Action] = [
        MessageModel.status.set("sent"),
        MessageModel.provider_message_id.set(provider_id),
        MessageModel.sent_at.set(iso(now)),
        MessageModel.updated_at.set(iso(now)),
        MessageModel.lease_until.remove(),
        MessageModel.outbox.remove(),
        MessageModel.next_attempt_at.remove(),
        MessageModel.error_code.remove(),
        MessageModel.error_message.remove(),
    ]
    condition = MessageModel.status == "sending"

    def build(tx: Transaction, counted: bool = True) -> None:
        tx.update(MessageModel(message.id), actions=actions, condition=condition)
        _event(tx, "message.sent", message, None, now)
        if message.campaign_id and counted:
            sent_counts = {"messages_sent": 1} | stats.variant_counts(message.variant, {"sent": 1})
            stats.daily(tx, message.campaign_id, sent_counts, at=now)

    try:
        transactions.write(build)
        recorded = True
    except TransactWriteError as exc:
        if not transactions.failed_items(exc):
            raise
        recorded = False
    except Conflict:
        # the campaign's day stayed busy through every retry: the status must not be lost for one count
        logger.warning("send recorded without its day's count", extra={"message_id": message.id})
        recorded = _written(lambda tx: build(tx, counted=False))
    if not recorded:
        logger.warning("sent, but the message had moved on", extra={"message_id": message.id})
        return
    count(message.campaign_id, message.variant, "sent")


def retry_later(message: MessageModel, code: str, text: str, at: datetime, now: datetime) -> None:
    _update(
        message.id,
        [
            MessageModel.status.set("retrying"),
            MessageModel.error_code.set(code),
            MessageModel.error_message.set(text[:1000]),
            MessageModel.next_attempt_at.set(iso(at)),
            MessageModel.updated_at.set(iso(now)),
            MessageModel.lease_until.remove(),
        ],
        MessageModel.status == "sending",
    )


def settle(message: MessageModel, status: str, code: str | None, text: str | None, now: datetime, expect: str) -> bool:
    """A final state (failed, cancelled, outcome_unknown) from `expect`; False when the message was no longer in it."""
    actions: list[Action] = [
        MessageModel.status.set(status),
        MessageModel.updated_at.set(iso(now)),
        MessageModel.lease_until.remove(),
        MessageModel.outbox.remove(),
        MessageModel.next_attempt_at.remove(),
    ]
    if code:
        actions += [MessageModel.error_code.set(code), MessageModel.error_message.set((text or code)[:1000])]
    if status == "cancelled" and code == "customer_erased":
        actions += [MessageModel.to.remove(), MessageModel.subject.remove(), MessageModel.body.remove()]
        actions += [MessageModel.text.remove(), MessageModel.unsubscribe_url.remove()]
    if status == "failed":

        def build(tx: Transaction) -> None:
            tx.update(MessageModel(message.id), actions=actions, condition=MessageModel.status == expect)
            _event(tx, "message.failed", message, code, now)

        if not _written(build):
            return False
    elif _update(message.id, actions, MessageModel.status == expect) is None:
        return False
    count(message.campaign_id, message.variant, status)
    return True


def _event(tx: Transaction, event_type: str, message: MessageModel, reason: str | None, at: datetime) -> None:
    """message.sent / failed / bounced / complained, with the status change it reports (ids only: no address, no text)."""
    data = {"message_id": message.id, "campaign_id": message.campaign_id, "channel": message.channel, "reason": reason}
    outbox.record(tx, event_type, data, customer_id=message.customer_id, at=at)


def _written(build: Callable[[Transaction], None]) -> bool:
    """One transaction of a message's status change; False when its condition failed (the message moved on)."""
    try:
        transactions.write(build)
    except TransactWriteError as exc:
        if not transactions.failed_items(exc):
            raise
        return False
    return True


def requeue(message_id: str, now: datetime, include_unknown: bool = False) -> bool:
    """failed (and, when asked, outcome_unknown) → queued with attempts reset (the re-drive); False otherwise."""
    message = get(message_id)
    allowed = ("failed", "outcome_unknown") if include_unknown else ("failed",)
    if message is None or message.status not in allowed:
        return False
    actions = [
        MessageModel.status.set("queued"),
        MessageModel.attempts.set(0),
        MessageModel.outbox.set(PENDING),
        MessageModel.next_attempt_at.set(iso(now)),
        MessageModel.updated_at.set(iso(now)),
    ]
    if _update(message_id, actions, MessageModel.status == str(message.status)) is None:
        return False
    count(message.campaign_id, message.variant, str(message.status), -1)
    return True


def postpone(message_id: str, until: datetime) -> None:
    """A relayed message's next look: later, so the next watch run does not enqueue it again meanwhile."""
    _update(message_id, [MessageModel.next_attempt_at.set(iso(until))], MessageModel.outbox == PENDING)


def unsubscribed(message_id: str, now: datetime) -> None:
    """Count an unsubscribe on the message's variant, once per message."""
    message = get(message_id)
    if message is None or message.unsubscribed_at:
        return
    first = MessageModel.unsubscribed_at.does_not_exist()
    if _update(message_id, [MessageModel.unsubscribed_at.set(iso(now))], first) is None:
        return
    count(message.campaign_id, message.variant, "unsubscribed")


def _update(message_id: str, actions: Sequence[Action], condition: Condition) -> MessageModel | None:
    """One conditional update (contention retried); None when the condition failed: the message moved on."""
    item = MessageModel(message_id)
    try:
        transactions.retrying(lambda: item.update(actions=list(actions), condition=condition))
    except UpdateError as exc:
        if transactions.condition_failed(exc):
            return None
        raise
    return item


# -------------------------------------------------------------------------------------- reading


def to_message(item: MessageModel) -> Message:
    error = MessageError(code=item.error_code, message=item.error_message or "") if item.error_code else None
    return Message(
        id=item.id,
        campaign_id=item.campaign_id or "",
        customer_id=str(item.customer_id),
        trigger=str(item.trigger),
        occasion=str(item.occasion),
        reason=item.reason or "",
        channel=item.channel,  # type: ignore[arg-type]
        locale=str(item.locale),
        variant=item.variant,
        to=item.to,
        subject=item.subject,
        body=item.body,
        coupon_code=item.coupon_code,
        points=int(item.points) if item.points is not None else None,
        status=item.status,  # type: ignore[arg-type]
        attempts=int(item.attempts or 0),
        provider_message_id=item.provider_message_id,
        error=error,
        created_at=datetime.fromisoformat(str(item.created_at)),
        sent_at=datetime.fromisoformat(item.sent_at) if item.sent_at else None,
        updated_at=datetime.fromisoformat(str(item.updated_at or item.created_at)),
    )


def for_customer(customer_id: str, limit: int, cursor: str | None) -> tuple[list[Message], str | None]:
    start = decode_cursor(cursor, {"id", "customer_id", "created"}, {"customer_id": customer_id})
    result = MessageModel.by_customer.query(
        customer_id, scan_index_forward=False, limit=limit, last_evaluated_key=start
    )
    items = [to_message(i) for i in result]
    return items, encode_cursor(result.last_evaluated_key)


def for_campaign(
    campaign_id: str, status: str | None, limit: int, cursor: str | None
) -> tuple[list[Message], str | None]:
    start = decode_cursor(cursor, {"id", "campaign_id", "created"}, {"campaign_id": campaign_id})
    result = MessageModel.by_campaign.query(
        campaign_id,
        filter_condition=MessageModel.status == status if status else None,
        scan_index_forward=False,
        limit=limit,
        last_evaluated_key=start,
    )
    items = [to_message(i) for i in result]
    return items, encode_cursor(result.last_evaluated_key)


def results(campaign_id: str, variants: list[str]) -> dict[str, VariantResults]:
    """Per-variant counters (one BatchGet)."""
    names = variants or ["default"]
    found = {i.id: i for i in MessageStatsModel.batch_get([stats_id(campaign_id, n) for n in names])}
    out: dict[str, VariantResults] = {}
    for name in names:
        item = found.get(stats_id(campaign_id, name))
        fields = {f: int(getattr(item, f) or 0) for f in VariantResults.model_fields} if item else {}
        out[name] = VariantResults(**fields)
    return out


def by_status(campaign_id: str, variants: list[str]) -> dict[str, int]:
    """Messages now in each status, from the counters: queued ones not yet settled are `queued`."""
    totals = dict.fromkeys(STATUSES, 0)
    for r in results(campaign_id, variants).values():
        totals["sent"] += r.sent
        totals["failed"] += r.failed
        totals["cancelled"] += r.cancelled
        totals["outcome_unknown"] += r.outcome_unknown
        totals["queued"] += r.queued - r.sent - r.failed - r.cancelled - r.outcome_unknown
    return {k: v for k, v in totals.items() if v}


def erase(customer_id: str) -> int:
    """Remove the address and texts of a customer's messages (right to be forgotten); returns how many."""
    done = 0
    for item in MessageModel.by_customer.query(customer_id):
        try:
            MessageModel(item.id).update(
                actions=[
                    MessageModel.to.remove(),
                    MessageModel.subject.remove(),
                    MessageModel.body.remove(),
                    MessageModel.text.remove(),
                    MessageModel.unsubscribe_url.remove(),
                    MessageModel.reason.remove(),
                ],
                condition=MessageModel.id.exists(),
            )
        except UpdateError as exc:
            if not transactions.condition_failed(exc):
                raise
            continue  # gone since the index was read: an update would recreate it as a near-empty item
        done += 1
    return done


# ---------------------------------------------------------------------------------- checkpoints


def checkpoint(name: str) -> JobStateModel:
    try:
        return JobStateModel.get(f"job#{name}", consistent_read=True)
    except DoesNotExist:
        return JobStateModel(f"job#{name}")


def save_checkpoint(state: JobStateModel, now: datetime) -> None:
    state.updated_at = iso(now)
    state.save()


# -------------------------------------------------------------------------------------- SES feedback


def by_provider_id(provider_message_id: str) -> MessageModel | None:
    """The message SES accepted under this id (the sparse `by_provider_id` index), read in full."""
    for key in MessageModel.by_provider_id.query(provider_message_id, limit=1):
        return get(key.id)
    return None


def feedback(message: MessageModel, status: str, code: str, text: str, now: datetime) -> bool:
    """A sent message bounced or was complained about (a complaint outranks a bounce, never the other way), with its
    event (message.bounced / message.complained) in the same transaction."""
    allowed = ("sent", "bounced") if status == "complained" else ("sent",)
    actions: list[Action] = [
        MessageModel.status.set(status),
        MessageModel.error_code.set(code),
        MessageModel.error_message.set(text[:1000]),
        MessageModel.updated_at.set(iso(now)),
    ]

    def build(tx: Transaction) -> None:
        tx.update(MessageModel(message.id), actions=actions, condition=MessageModel.status.is_in(*allowed))
        _event(tx, f"message.{status}", message, code, now)

    return _written(build)


def suppression_id(address_hash: str) -> str:
    return f"suppressed#{address_hash}"


def suppress(address_hash: str, reason: str, detail: str | None, message_id: str | None, now: datetime) -> bool:
    """Suppress an address once (the first reason kept); False when it already was."""
    try:
        SuppressionModel(
            suppression_id(address_hash), reason=reason, detail=detail, message_id=message_id, at=iso(now)
        ).save(condition=SuppressionModel.id.does_not_exist())
    except PutError as exc:
        if transactions.condition_failed(exc):
            return False
        raise
    return True


def suppressed_among(address_hashes: list[str]) -> set[str]:
    """Which of these addresses are suppressed, 100 per BatchGetItem (a CSV page of members holds up to 5000)."""
    unique = list(dict.fromkeys(address_hashes))
    found: set[str] = set()
    for start in range(0, len(unique), 100):
        keys = [suppression_id(h) for h in unique[start : start + 100]]
        found |= {item.id.removeprefix("suppressed#") for item in SuppressionModel.batch_get(keys)}
    return found


def suppressed(address_hash: str) -> bool:
    try:
        SuppressionModel.get(suppression_id(address_hash), consistent_read=True)
    except DoesNotExist:
        return False
    return True
