"""`POST /local/ses/feedback` (secret key as bearer): what SES would publish to SesFeedbackTopic, delivered now.

The body is an SES notification as AWS documents it (`{"notificationType": "Bounce", "mail": {...}, "bounce":
{...}}`), or the short form `{"type": "bounce"|"complaint", "ses_message_id", "email", "bounce_type":
"Permanent"|"Transient"}` (the message's `provider_message_id`, as `GET /v1/customers/{id}/messages` shows it).
It is wrapped in an SNS event and SesFeedbackFunction is invoked with it; the answer is the function's.
"""

import json
import uuid
from typing import Any

FUNCTION = "SesFeedbackFunction"


def notification(body: dict[str, Any], now: str) -> dict[str, Any]:
    """The SES notification a short form stands for (a full one is passed as it is)."""
    if "notificationType" in body or "eventType" in body:
        return body
    kind = str(body.get("type") or "bounce").lower()
    if kind not in ("bounce", "complaint"):
        raise ValueError("type is bounce or complaint")
    email = str(body.get("email") or "")
    mail = {"messageId": str(body.get("ses_message_id") or ""), "timestamp": now, "destination": [email]}
    if kind == "bounce":
        bounce_type = str(body.get("bounce_type") or "Permanent")
        return {
            "notificationType": "Bounce",
            "mail": mail,
            "bounce": {
                "bounceType": bounce_type,
                "bounceSubType": "General",
                "bouncedRecipients": [{"emailAddress": email}],
                "timestamp": now,
            },
        }
    return {
        "notificationType": "Complaint",
        "mail": mail,
        "complaint": {
            "complainedRecipients": [{"emailAddress": email}],
            "complaintFeedbackType": "abuse",
            "timestamp": now,
        },
    }


def sns_event(message: dict[str, Any], topic_arn: str, now: str) -> dict[str, Any]:
    return {
        "Records": [
            {
                "EventSource": "aws:sns",
                "EventVersion": "1.0",
                "Sns": {
                    "Type": "Notification",
                    "MessageId": str(uuid.uuid4()),
                    "TopicArn": topic_arn,
                    "Message": json.dumps(message),
                    "Timestamp": now,
                },
            }
        ]
    }
