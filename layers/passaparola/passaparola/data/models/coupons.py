"""Codes (codes table) and their redemptions (redemptions table)."""

from pynamodb.attributes import BooleanAttribute, NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from passaparola.data.models import register


class ByCampaignIndex(GlobalSecondaryIndex["CodeModel"]):
    class Meta:
        index_name = "by_campaign"
        projection = AllProjection()

    campaign_id = UnicodeAttribute(hash_key=True)
    code = UnicodeAttribute(range_key=True)


class ByBatchIndex(GlobalSecondaryIndex["CodeModel"]):
    """Sparse: the codes of a batch (`batch_id` is set only on batch codes, also on those written before it)."""

    class Meta:
        index_name = "by_batch"
        projection = AllProjection()

    batch_id = UnicodeAttribute(hash_key=True)
    code = UnicodeAttribute(range_key=True)


class CodeModel(Model):
    class Meta:
        table_name = "passaparola-codes"

    code = UnicodeAttribute(hash_key=True)
    campaign_id = UnicodeAttribute()
    customer_id = UnicodeAttribute(null=True)
    batch_id = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    issued_at = UTCDateTimeAttribute(null=True)
    expires_at = UTCDateTimeAttribute(null=True)
    redemptions = NumberAttribute(default=0)
    balance = NumberAttribute(null=True)
    message_id = UnicodeAttribute(null=True)
    message_stats = UnicodeAttribute(null=True)
    """The results item of the re-engagement variant whose message issued the code (redemptions count there)."""
    reward_stats = UnicodeAttribute(null=True)
    """A referral program's coupon: the program, variant and expected cost its redemption counts in (JSON)."""
    disabled_at = UTCDateTimeAttribute(null=True)
    """Set when the code can no longer be redeemed (a referral reward whose qualifying order was refunded)."""
    switched_off_at = UTCDateTimeAttribute(null=True)
    """Set while the shop has switched this one code off (POST /v1/codes/{code}/disable; /enable removes it)."""
    referral_code = UnicodeAttribute(null=True)
    """A friend coupon: the referral it was issued through (POST /v1/referrals/{code}/friends)."""
    bound_email_hash = UnicodeAttribute(null=True)
    """A friend coupon: the keyed hash of the email it is bound to until its first redemption binds a customer."""
    referrer_id = UnicodeAttribute(null=True)
    """A friend coupon: the referrer's customer id, which never redeems it (self-referral refused at the order)."""
    by_campaign = ByCampaignIndex()
    by_batch = ByBatchIndex()


class ByCodeIndex(GlobalSecondaryIndex["RedemptionModel"]):
    class Meta:
        index_name = "by_code"
        projection = AllProjection()

    code = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class RedemptionsByCampaignIndex(GlobalSecondaryIndex["RedemptionModel"]):
    class Meta:
        index_name = "by_campaign"
        projection = AllProjection()

    campaign_id = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class RedemptionModel(Model):
    class Meta:
        table_name = "passaparola-redemptions"

    id = UnicodeAttribute(hash_key=True)
    code = UnicodeAttribute()
    campaign_id = UnicodeAttribute()
    customer_id = UnicodeAttribute(null=True)
    order_id = UnicodeAttribute()
    order_amount = NumberAttribute()
    currency = UnicodeAttribute()
    discount_amount = NumberAttribute()
    order_amount_after = NumberAttribute()
    gift_card_amount = NumberAttribute(default=0)
    applicable_items = UnicodeAttribute(default="[]")
    status = UnicodeAttribute()
    created_at = UnicodeAttribute()
    rolled_back_at = UnicodeAttribute(null=True)
    new_customer = BooleanAttribute(null=True)
    """The order was the customer's first: counted in the campaign's `new_customers` (taken back by a rollback)."""
    refunded = NumberAttribute(null=True)
    """What refunds of the order took back from the campaign's `revenue_<CUR>` (a rollback takes only the rest)."""
    code_facts = UnicodeAttribute(null=True)
    """JSON of what a rollback needs of the code (`owner`, `message_stats`, `reward_stats`: fixed once redeemed),
    so that it reads this item only; absent on redemptions written before it (the rollback then reads the code)."""
    by_code = ByCodeIndex()
    by_campaign = RedemptionsByCampaignIndex()


class OrderLockModel(Model):
    """Makes a redemption idempotent on (code, order id): created with it, deleted by its rollback."""

    class Meta:
        table_name = "passaparola-redemptions"

    id = UnicodeAttribute(hash_key=True)
    redemption_id = UnicodeAttribute()


register(CodeModel, "codes_table")
register(RedemptionModel, "redemptions_table")
register(OrderLockModel, "redemptions_table")
