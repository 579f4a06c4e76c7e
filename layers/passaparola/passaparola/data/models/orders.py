"""Reported orders (orders table)."""

from pynamodb.attributes import BooleanAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.models import Model

from passaparola.data.models import register


class OrderModel(Model):
    """A reported order: idempotency of `POST /v1/orders` (its outcome) and the state refunds need."""

    class Meta:
        table_name = "passaparola-orders"

    id = UnicodeAttribute(hash_key=True)
    customer_id = UnicodeAttribute()
    email_hash = UnicodeAttribute(null=True)
    amount = NumberAttribute()
    currency = UnicodeAttribute()
    refunded = NumberAttribute(default=0)
    conversion_id = UnicodeAttribute(null=True)
    referral_code = UnicodeAttribute(null=True)
    campaign_id = UnicodeAttribute(null=True)
    referred = BooleanAttribute(default=False)
    """Counted as a referred customer's revenue (LTV) rather than another customer's."""
    ltv_campaign_id = UnicodeAttribute(null=True)
    ltv_variant = UnicodeAttribute(null=True)
    """The program (and variant) whose referred customers' revenue this order counted in."""
    acquired_day = UnicodeAttribute(null=True)
    """The shop day its customer was acquired (first order): the cohort its revenue, and a refund, count in."""
    kind = UnicodeAttribute(default="order")
    outcome = UnicodeAttribute()
    """The JSON answer of the call that reported it, replayed to retries."""
    created_at = UnicodeAttribute()


register(OrderModel, "orders_table")
