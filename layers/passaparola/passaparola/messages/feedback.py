"""SES feedback: bounces and complaints (SES → SNS → SesFeedbackFunction) into the message log and the suppressions.

The notification is SES's own JSON, as an identity's feedback notifications (`notificationType`) or a configuration
set's event destination (`eventType`) publish it. The message it is about is found by SES's message id (what the
sender recorded as `provider_message_id`) and gets status `bounced` or `complained`; a permanent (hard) bounce or a
complaint suppresses the recipient's address, whoever sent to it: the sender then cancels every later message to it
with `suppressed`. A transient (soft) bounce is recorded and suppresses nothing. Repeated deliveries of one
notification change nothing more (conditional writes).
"""

import json
from dataclasses import dataclass, field
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit

from passaparola import clock
from passaparola.data import messages as store
from passaparola.observability import logger, metrics
from passaparola.referrals import identity


@dataclass
class FeedbackOutcome:
    kind: str
    """bounce, complaint, or ignored (a delivery, an open, anything else)."""
    message_id: str | None = None
    status_changed: bool = False
    suppressed: list[str] = field(default_factory=list)
    """The message ids (or `unknown`) whose addresses this notification suppressed now."""


def handle_sns_event(event: dict[str, Any]) -> list[FeedbackOutcome]:
    """Every SNS record of a Lambda event (each carries one SES notification as its `Message`)."""
    outcomes = []
    for record in event.get("Records") or []:
        raw = (record.get("Sns") or {}).get("Message") or "{}"
        try:
            notification = json.loads(raw)
        except ValueError:
            logger.warning("SES feedback: not JSON, ignored", extra={"sns_message": raw[:200]})
            continue
        outcomes.append(handle(notification))
    return outcomes


def handle(notification: dict[str, Any]) -> FeedbackOutcome:
    kind = str(notification.get("notificationType") or notification.get("eventType") or "").lower()
    if kind not in ("bounce", "complaint"):
        return FeedbackOutcome("ignored")
    now = clock.now()
    ses_id = str((notification.get("mail") or {}).get("messageId") or "")
    message = store.by_provider_id(ses_id) if ses_id else None
    outcome = FeedbackOutcome(kind, message.id if message else None)
    if kind == "bounce":
        bounce = notification.get("bounce") or {}
        hard = bounce.get("bounceType") == "Permanent"
        code = f"bounce_{'hard' if hard else 'soft'}"
        detail = f"{bounce.get('bounceType', '')}/{bounce.get('bounceSubType', '')}"
        recipients = [r.get("emailAddress") for r in bounce.get("bouncedRecipients") or []]
        status, reason = "bounced", "hard_bounce" if hard else None
    else:
        complaint = notification.get("complaint") or {}
        code, detail = "complaint", str(complaint.get("complaintFeedbackType") or "abuse")
        recipients = [r.get("emailAddress") for r in complaint.get("complainedRecipients") or []]
        status, reason = "complained", "complaint"
    if message is not None:
        outcome.status_changed = store.feedback(message, status, code, f"SES {kind}: {detail}", now)
    for address in filter(None, recipients):
        if reason and store.suppress(identity.email_hash(str(address)), reason, detail, outcome.message_id, now):
            outcome.suppressed.append(outcome.message_id or "unknown")
    if reason is not None:
        metrics.add_metric(name="EmailsSuppressed", unit=MetricUnit.Count, value=len(outcome.suppressed))
    logger.info(
        "SES feedback",
        extra={"kind": kind, "ses_message_id": ses_id, "message_id": outcome.message_id, "code": code},
    )
    return outcome
