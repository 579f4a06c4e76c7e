"""Webhook endpoints and their deliveries (webhooks table)."""

from pynamodb.attributes import BooleanAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.models import Model

from passaparola.data.models import register


class WebhookModel(Model):
    """A webhook endpoint (`pk=WEBHOOK`, `sk=whk_...`): at most 20, read together by one Query."""

    class Meta:
        table_name = "passaparola-webhooks"

    pk = UnicodeAttribute(hash_key=True, default="WEBHOOK")
    sk = UnicodeAttribute(range_key=True)
    url = UnicodeAttribute()
    events = UnicodeAttribute()
    """JSON list of patterns."""
    description = UnicodeAttribute(null=True)
    enabled = BooleanAttribute()
    secret = UnicodeAttribute()
    previous_secret = UnicodeAttribute(null=True)
    previous_expires_at = UnicodeAttribute(null=True)
    secret_rotated_at = UnicodeAttribute(null=True)
    disabled_reason = UnicodeAttribute(null=True)
    failing_since = UnicodeAttribute(null=True)
    last_success_at = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()


class WebhookDeliveryModel(Model):
    """One event delivered to one endpoint (`pk=DLV#<webhook id>`, `sk=<ISO time>#<event id>[#r<nonce>]`),
    updated at each attempt; read newest first; gone after 30 days (TTL `expires_at`)."""

    class Meta:
        table_name = "passaparola-webhooks"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    id = UnicodeAttribute()
    event_id = UnicodeAttribute()
    event_type = UnicodeAttribute()
    body = UnicodeAttribute()
    """The event JSON exactly as sent (every attempt signs the same bytes)."""
    attempt = NumberAttribute(default=0)
    status = UnicodeAttribute()
    status_code = NumberAttribute(null=True)
    error = UnicodeAttribute(null=True)
    duration_ms = NumberAttribute(null=True)
    at = UnicodeAttribute()
    last_attempt_at = UnicodeAttribute(null=True)
    next_attempt_at = UnicodeAttribute(null=True)
    replay = BooleanAttribute(default=False)
    expires_at = NumberAttribute()


register(WebhookModel, "webhooks_table")
register(WebhookDeliveryModel, "webhooks_table")
