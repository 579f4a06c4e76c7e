"""Messages, suppressions, job checkpoints and results (messages table); what messaging keeps per customer
(customers table)."""

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model

from passaparola.data.models import register


class MessagesByCustomerIndex(GlobalSecondaryIndex["MessageModel"]):
    class Meta:
        index_name = "by_customer"
        projection = AllProjection()

    customer_id = UnicodeAttribute(hash_key=True)
    created = UnicodeAttribute(range_key=True)


class MessagesByCampaignIndex(GlobalSecondaryIndex["MessageModel"]):
    class Meta:
        index_name = "by_campaign"
        projection = AllProjection()

    campaign_id = UnicodeAttribute(hash_key=True)
    created = UnicodeAttribute(range_key=True)


class OutboxIndex(GlobalSecondaryIndex["MessageModel"]):
    class Meta:
        index_name = "outbox"
        projection = KeysOnlyProjection()

    outbox = UnicodeAttribute(hash_key=True)
    next_attempt_at = UnicodeAttribute(range_key=True)


class ProviderIdIndex(GlobalSecondaryIndex["MessageModel"]):
    class Meta:
        index_name = "by_provider_id"
        projection = KeysOnlyProjection()

    provider_message_id = UnicodeAttribute(hash_key=True)


class MessageModel(Model):
    """A message intent and its delivery (`id` = hash of campaign, customer and occasion: written once).

    `created` = `<created_at>#<id>` orders the customer's and the campaign's listings. While it still has
    to be delivered it carries `outbox="pending"` and `next_attempt_at`: the sparse index from which lost
    enqueues are re-sent.
    """

    class Meta:
        table_name = "passaparola-messages"

    id = UnicodeAttribute(hash_key=True)
    campaign_id = UnicodeAttribute(null=True)
    customer_id = UnicodeAttribute(null=True)
    created = UnicodeAttribute(null=True)
    trigger = UnicodeAttribute(null=True)
    occasion = UnicodeAttribute(null=True)
    reason = UnicodeAttribute(null=True)
    channel = UnicodeAttribute(null=True)
    locale = UnicodeAttribute(null=True)
    variant = UnicodeAttribute(null=True)
    to = UnicodeAttribute(null=True, attr_name="recipient")
    subject = UnicodeAttribute(null=True)
    body = UnicodeAttribute(null=True)
    text = UnicodeAttribute(null=True)
    coupon_code = UnicodeAttribute(null=True)
    points = NumberAttribute(null=True)
    unsubscribe_url = UnicodeAttribute(null=True)
    status = UnicodeAttribute(null=True)
    attempts = NumberAttribute(null=True)
    provider_message_id = UnicodeAttribute(null=True)
    error_code = UnicodeAttribute(null=True)
    error_message = UnicodeAttribute(null=True)
    lease_until = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute(null=True)
    sent_at = UnicodeAttribute(null=True)
    updated_at = UnicodeAttribute(null=True)
    unsubscribed_at = UnicodeAttribute(null=True)
    outbox = UnicodeAttribute(null=True)
    next_attempt_at = UnicodeAttribute(null=True)
    by_customer = MessagesByCustomerIndex()
    by_campaign = MessagesByCampaignIndex()
    outbox_index = OutboxIndex()
    by_provider_id = ProviderIdIndex()


class SuppressionModel(Model):
    """`id=suppressed#<keyed hash of the address>`: an email address that hard-bounced or complained. The sender
    cancels every later message to it (`suppressed`); written once, the first reason kept."""

    class Meta:
        table_name = "passaparola-messages"

    id = UnicodeAttribute(hash_key=True)
    reason = UnicodeAttribute()
    detail = UnicodeAttribute(null=True)
    message_id = UnicodeAttribute(null=True)
    at = UnicodeAttribute()


class JobStateModel(Model):
    """A re-engagement job's checkpoint (`id=job#<name>`): the last day, or feed position, it completed."""

    class Meta:
        table_name = "passaparola-messages"

    id = UnicodeAttribute(hash_key=True)
    last_day = UnicodeAttribute(null=True)
    feed_after = UnicodeAttribute(null=True)
    updated_at = UnicodeAttribute(null=True)


class MessageStatsModel(Model):
    """A re-engagement campaign's results per variant (`id=stats#<campaign>#<variant>`), moved with ADD."""

    class Meta:
        table_name = "passaparola-messages"

    id = UnicodeAttribute(hash_key=True)
    queued = NumberAttribute(null=True)
    sent = NumberAttribute(null=True)
    failed = NumberAttribute(null=True)
    cancelled = NumberAttribute(null=True)
    outcome_unknown = NumberAttribute(null=True)
    unsubscribed = NumberAttribute(null=True)
    redeemed = NumberAttribute(null=True)


class ContactModel(Model):
    """What messaging keeps about a customer (`sk=contact`): recent sends (frequency cap), welcomed once.

    Beside the record, not in it: a message never conflicts with an order's write of the record.
    """

    class Meta:
        table_name = "passaparola-customers"

    customer_id = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True, default="contact")
    version = NumberAttribute(null=True)
    sent = UnicodeAttribute(null=True)
    """JSON list of the ISO times of the last messages queued, any campaign (newest last, at most 100)."""
    welcomed_at = UnicodeAttribute(null=True)


register(MessageModel, "messages_table")
register(SuppressionModel, "messages_table")
register(JobStateModel, "messages_table")
register(MessageStatsModel, "messages_table")
register(ContactModel, "customers_table")
