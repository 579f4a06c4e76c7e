"""PynamoDB models, one per item type; table names and endpoint come from settings via `bind()`."""

from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.connection import Connection
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from passaparola.settings import Settings, get_settings


class CampaignModel(Model):
    """A campaign; `spec` holds the JSON of what the marketer configured, counters sit beside it."""

    class Meta:
        table_name = "passaparola-campaigns"

    id = UnicodeAttribute(hash_key=True)
    kind = UnicodeAttribute(default="campaign")
    type = UnicodeAttribute()
    spec = UnicodeAttribute()
    enabled = BooleanAttribute()
    version = NumberAttribute()
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    codes_issued = NumberAttribute(default=0)
    redemptions = NumberAttribute(default=0)
    rolled_back = NumberAttribute(default=0)
    discount_given: MapAttribute[str, Any] = MapAttribute(default=dict)


class CodeBatchModel(Model):
    """A background code batch; lives in the campaigns table (`kind=batch`)."""

    class Meta:
        table_name = "passaparola-campaigns"

    id = UnicodeAttribute(hash_key=True)
    kind = UnicodeAttribute(default="batch")
    campaign_id = UnicodeAttribute()
    requested = NumberAttribute()
    created = NumberAttribute(default=0)
    status = UnicodeAttribute()
    pattern = UnicodeAttribute()
    prefix = UnicodeAttribute(default="")
    suffix = UnicodeAttribute(default="")
    created_at = UTCDateTimeAttribute()
    completed_at = UTCDateTimeAttribute(null=True)


class ByCampaignIndex(GlobalSecondaryIndex["CodeModel"]):
    class Meta:
        index_name = "by_campaign"
        projection = AllProjection()

    campaign_id = UnicodeAttribute(hash_key=True)
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
    by_campaign = ByCampaignIndex()


class ByCodeIndex(GlobalSecondaryIndex["RedemptionModel"]):
    class Meta:
        index_name = "by_code"
        projection = AllProjection()

    code = UnicodeAttribute(hash_key=True)
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
    by_code = ByCodeIndex()


class OrderLockModel(Model):
    """Makes a redemption idempotent on (code, order id): created with it, deleted by its rollback."""

    class Meta:
        table_name = "passaparola-redemptions"

    id = UnicodeAttribute(hash_key=True)
    redemption_id = UnicodeAttribute()


class CustomerModel(Model):
    """Per-customer facts the coupon rules need (`sk="facts"`), in the customer's own partition."""

    class Meta:
        table_name = "passaparola-customers"

    customer_id = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True, default="facts")
    order_ids = UnicodeSetAttribute(null=True)
    """Orders seen (reported or redeemed on): a set, so two coupons on one order count one order."""
    first_order_at = UnicodeAttribute(null=True)
    last_order_at = UnicodeAttribute(null=True)
    referred_by = UnicodeAttribute(null=True)
    """The referral code whose conversion this customer was (one per customer, ever)."""
    referred_campaign_id = UnicodeAttribute(null=True)
    referred_variant = UnicodeAttribute(null=True)
    fingerprints = UnicodeSetAttribute(null=True)
    """Hashed IPs and IP+user agents seen on this customer's orders and referral link (fraud rules)."""


class CustomerCampaignModel(Model):
    """How often a customer redeemed one campaign (`sk="campaign#<id>"`): the per-customer limit."""

    class Meta:
        table_name = "passaparola-customers"

    customer_id = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    redemptions = NumberAttribute(default=0)


class ApiKeyModel(Model):
    class Meta:
        table_name = "passaparola-api-keys"

    id = UnicodeAttribute(hash_key=True)
    kind = UnicodeAttribute()
    name = UnicodeAttribute()
    prefix = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    revoked_at = UTCDateTimeAttribute(null=True)


# ----------------------------------------------------------------------------------------- referrals


class LinkModel(Model):
    """A referrer's code in one campaign (`pk=REF#<code>`, `sk=LINK`) with its counters."""

    class Meta:
        table_name = "passaparola-referrals"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True, default="LINK")
    code = UnicodeAttribute()
    campaign_id = UnicodeAttribute()
    customer_id = UnicodeAttribute()
    name = UnicodeAttribute(null=True)
    email_hash = UnicodeAttribute(null=True)
    variant = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    clicks = NumberAttribute(default=0)
    visits = NumberAttribute(default=0)
    signups = NumberAttribute(default=0)
    conversions = NumberAttribute(default=0)
    flagged = NumberAttribute(default=0)
    blocked = NumberAttribute(default=0)
    rewarded = NumberAttribute(default=0)
    last_click_at = UnicodeAttribute(null=True)
    last_click_fp = UnicodeAttribute(null=True)


class LinkOwnerModel(Model):
    """Which code a customer has in a campaign (`pk=CUST#<id>`, `sk=LINK#<campaign>`): one link each."""

    class Meta:
        table_name = "passaparola-referrals"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    code = UnicodeAttribute()


class TouchModel(Model):
    """A tracked visit/signup of a person (`pk=EMAIL#<hash>` or `CUST#<id>`, `sk=TOUCH#<campaign>`)."""

    class Meta:
        table_name = "passaparola-referrals"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    first_code = UnicodeAttribute()
    first_at = UnicodeAttribute()
    last_code = UnicodeAttribute()
    last_at = UnicodeAttribute()
    first_verified = BooleanAttribute(default=False)
    last_verified = BooleanAttribute(default=False)
    """Reported with the secret key (the shop's backend), not by a browser with the public key."""


class IdentityModel(Model):
    """What is known of an email across customer ids (`pk=EMAIL#<hash>`, `sk=FACTS`): ordered, referred."""

    class Meta:
        table_name = "passaparola-referrals"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True, default="FACTS")
    first_order_id = UnicodeAttribute(null=True)
    referred_by = UnicodeAttribute(null=True)


class ByStatusIndex(GlobalSecondaryIndex["ConversionModel"]):
    class Meta:
        index_name = "by_status"
        projection = AllProjection()

    conv_status = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class ConversionsByCodeIndex(GlobalSecondaryIndex["ConversionModel"]):
    class Meta:
        index_name = "by_code"
        projection = AllProjection()

    code = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class ConversionModel(Model):
    """A conversion (`pk=CONV#<id>`, `sk=CONV`); listed by status (review queue) and by referral code."""

    class Meta:
        table_name = "passaparola-referrals"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True, default="CONV")
    id = UnicodeAttribute()
    campaign_id = UnicodeAttribute()
    code = UnicodeAttribute()
    variant = UnicodeAttribute(null=True)
    referrer_customer_id = UnicodeAttribute()
    customer_id = UnicodeAttribute()
    order_id = UnicodeAttribute()
    event = UnicodeAttribute()
    amount = NumberAttribute()
    currency = UnicodeAttribute()
    conv_status = UnicodeAttribute()
    reasons = UnicodeSetAttribute(null=True)
    source = UnicodeAttribute()
    reward_ids = UnicodeSetAttribute(null=True)
    period_bucket = UnicodeAttribute(null=True)
    """The referrer's limit-period counter this conversion took a place in (given back on void)."""
    boards = UnicodeSetAttribute(null=True)
    """Leaderboard items this conversion counted in (taken back on void)."""
    created_at = UnicodeAttribute()
    decided_at = UnicodeAttribute(null=True)
    by_status = ByStatusIndex()
    by_code = ConversionsByCodeIndex()


class CounterModel(Model):
    """A fraud-rule counter in a time bucket: a referrer's period/hour, an IP's day. Expires by TTL."""

    class Meta:
        table_name = "passaparola-referrals"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    hits = NumberAttribute(default=0)
    expires_at = NumberAttribute(null=True)


class StatsModel(Model):
    """Report aggregates, kept current in the writes that change them (`pk=STATS#<campaign>`).

    `sk=VARIANT#<v>`: written in conversion/reward transactions; `sk=TRAFFIC#<v>`: clicks, visits, signups
    (plain counters, never in a transaction, so the busiest writes never conflict with orders);
    `pk=STATS#shop`, `sk=LTV#referred|LTV#other`: customers and revenue per currency for average LTV.
    """

    class Meta:
        table_name = "passaparola-referrals"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    referrers = NumberAttribute(default=0)
    clicks = NumberAttribute(default=0)
    visits = NumberAttribute(default=0)
    signups = NumberAttribute(default=0)
    conversions = NumberAttribute(default=0)
    flagged = NumberAttribute(default=0)
    blocked = NumberAttribute(default=0)
    rejected = NumberAttribute(default=0)
    refunded = NumberAttribute(default=0)
    rewards_released = NumberAttribute(default=0)
    points_awarded = NumberAttribute(default=0)
    customers: MapAttribute[str, Any] = MapAttribute(null=True)
    revenue: MapAttribute[str, Any] = MapAttribute(null=True)
    ltv_revenue: MapAttribute[str, Any] = MapAttribute(null=True)
    reward_cost: MapAttribute[str, Any] = MapAttribute(null=True)


class BoardByScoreIndex(GlobalSecondaryIndex["BoardModel"]):
    class Meta:
        index_name = "board"
        projection = AllProjection()

    board = UnicodeAttribute(hash_key=True)
    score = NumberAttribute(range_key=True)


class BoardModel(Model):
    """A referrer's line on a leaderboard (`pk=BOARD#<campaign>#<period>`, `sk=REF#<code>`)."""

    class Meta:
        table_name = "passaparola-referrals"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    board = UnicodeAttribute()
    score = NumberAttribute(default=0)
    code = UnicodeAttribute()
    customer_id = UnicodeAttribute()
    name = UnicodeAttribute(null=True)
    by_score = BoardByScoreIndex()


class MarkerModel(Model):
    """A fact recorded once (`sk=SIGNUP#<code>` under a person's key): makes a repeated signal count once."""

    class Meta:
        table_name = "passaparola-referrals"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)


# ------------------------------------------------------------------------------------------- rewards


class DueIndex(GlobalSecondaryIndex["RewardModel"]):
    class Meta:
        index_name = "due"
        projection = AllProjection()

    due = UnicodeAttribute(hash_key=True)
    release_at = UnicodeAttribute(range_key=True)


class RewardsByReferralIndex(GlobalSecondaryIndex["RewardModel"]):
    class Meta:
        index_name = "by_referral"
        projection = AllProjection()

    referral_code = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class RewardModel(Model):
    """A reward (`sk=REWARD#<id>`) in its customer's partition; `due` is set only while it awaits release."""

    class Meta:
        table_name = "passaparola-rewards"

    customer_id = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    id = UnicodeAttribute()
    campaign_id = UnicodeAttribute()
    referral_code = UnicodeAttribute()
    conversion_id = UnicodeAttribute(null=True)
    order_id = UnicodeAttribute(null=True)
    role = UnicodeAttribute()
    type = UnicodeAttribute()
    status = UnicodeAttribute()
    held = BooleanAttribute(default=False)
    spec = UnicodeAttribute()
    """The reward's terms (JSON) as they were when it was earned."""
    coupon_code = UnicodeAttribute(null=True)
    amount = NumberAttribute(null=True)
    currency = UnicodeAttribute(null=True)
    points = NumberAttribute(null=True)
    tier = NumberAttribute(null=True)
    reason = UnicodeAttribute()
    due = UnicodeAttribute(null=True)
    release_at = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    released_at = UnicodeAttribute(null=True)
    voided_at = UnicodeAttribute(null=True)
    reversed_at = UnicodeAttribute(null=True)
    not_reversed = NumberAttribute(null=True)
    due_index = DueIndex()
    by_referral = RewardsByReferralIndex()


class LedgerModel(Model):
    """One line of the append-only rewards ledger (`sk=LEDGER#<at>#<reward>#<event>`): never updated."""

    class Meta:
        table_name = "passaparola-rewards"

    customer_id = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    reward_id = UnicodeAttribute()
    event = UnicodeAttribute()
    type = UnicodeAttribute()
    amount = NumberAttribute(null=True)
    currency = UnicodeAttribute(null=True)
    points = NumberAttribute(null=True)
    coupon_code = UnicodeAttribute(null=True)
    reason = UnicodeAttribute()
    at = UnicodeAttribute()


class LedgerGuardModel(Model):
    """`sk=ENTRY#<reward>#<event>`: makes each ledger event happen once whatever the retries."""

    class Meta:
        table_name = "passaparola-rewards"

    customer_id = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)


# -------------------------------------------------------------------------------------------- orders


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
    kind = UnicodeAttribute(default="order")
    outcome = UnicodeAttribute()
    """The JSON answer of the call that reported it, replayed to retries."""
    created_at = UnicodeAttribute()


_TABLES: list[tuple[type[Model], str]] = [
    (CampaignModel, "campaigns_table"),
    (CodeBatchModel, "campaigns_table"),
    (CodeModel, "codes_table"),
    (RedemptionModel, "redemptions_table"),
    (OrderLockModel, "redemptions_table"),
    (CustomerModel, "customers_table"),
    (CustomerCampaignModel, "customers_table"),
    (ApiKeyModel, "api_keys_table"),
    (LinkModel, "referrals_table"),
    (LinkOwnerModel, "referrals_table"),
    (TouchModel, "referrals_table"),
    (IdentityModel, "referrals_table"),
    (ConversionModel, "referrals_table"),
    (CounterModel, "referrals_table"),
    (StatsModel, "referrals_table"),
    (BoardModel, "referrals_table"),
    (MarkerModel, "referrals_table"),
    (RewardModel, "rewards_table"),
    (LedgerModel, "rewards_table"),
    (LedgerGuardModel, "rewards_table"),
    (OrderModel, "orders_table"),
]
_connection: Connection | None = None


def bind(settings: Settings | None = None) -> None:
    """Point every model at the configured tables and endpoint (called at import and by tests)."""
    global _connection
    s = settings or get_settings()
    for model, attr in _TABLES:
        model.Meta.table_name = getattr(s, attr)
        model.Meta.region = s.aws_region
        model.Meta.host = s.dynamodb_endpoint_url
        model.Meta.max_pool_connections = 64
        model._connection = None
    _connection = None


def connection() -> Connection:
    """The connection transactions run on (pynamodb's TransactGet/TransactWrite need one)."""
    global _connection
    if _connection is None:
        s = get_settings()
        _connection = Connection(region=s.aws_region, host=s.dynamodb_endpoint_url, max_pool_connections=64)
    return _connection


bind()
