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
    """Orders seen with a redemption: a set, so two coupons on one order count one order."""


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


_TABLES: list[tuple[type[Model], str]] = [
    (CampaignModel, "campaigns_table"),
    (CodeBatchModel, "campaigns_table"),
    (CodeModel, "codes_table"),
    (RedemptionModel, "redemptions_table"),
    (OrderLockModel, "redemptions_table"),
    (CustomerModel, "customers_table"),
    (CustomerCampaignModel, "customers_table"),
    (ApiKeyModel, "api_keys_table"),
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
