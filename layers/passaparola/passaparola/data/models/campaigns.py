"""The campaigns table's items of the campaigns domain: campaigns, code batches and patterns, the loyalty
pointer, a hot campaign's counter shards (docs/architecture.md, "Hot codes: sharded counters")."""

from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.models import Model

from passaparola.data.models import register


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
    hot_shards = NumberAttribute(null=True)
    """A hot campaign's shard count (its `rules.hot_shards`), so that the switch can require its absence."""


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


class CodePatternModel(Model):
    """How many codes of one pattern a campaign has (`id=<campaign>#pattern#<pattern>`, `kind=pattern`).

    Counted when codes are requested (a batch reserves its whole count up front), so the guessable-code
    check sees every code of the pattern, written or coming, with one conditional update and no scan."""

    class Meta:
        table_name = "passaparola-campaigns"

    id = UnicodeAttribute(hash_key=True)
    kind = UnicodeAttribute(default="pattern")
    campaign_id = UnicodeAttribute()
    codes = NumberAttribute(default=0)


class PointerModel(Model):
    """`id=program#loyalty` → the shop's one loyalty campaign (created with it, conditionally)."""

    class Meta:
        table_name = "passaparola-campaigns"

    id = UnicodeAttribute(hash_key=True)
    kind = UnicodeAttribute(default="pointer")
    campaign_id = UnicodeAttribute()


class ShardModel(Model):
    """One shard of a hot campaign's counters (`id=<campaign>#shard#<i>`, `kind=shard`, campaigns table).

    `left`: the budget of redemptions this shard may still take; `used`, `rolled_back` and `given_<CUR>` (flat,
    so the first amount of a currency needs no map): what it took. `enabled`, `version`: the campaign's, copied
    by every change of it, so a redemption's conditions need not touch the campaign item. `off`: the campaign's
    public codes switched off while it is hot (their own item is not written by a hot redemption)."""

    class Meta:
        table_name = "passaparola-campaigns"

    id = UnicodeAttribute(hash_key=True)
    kind = UnicodeAttribute(default="shard")
    campaign_id = UnicodeAttribute()
    index = NumberAttribute()
    left = NumberAttribute(default=0)
    used = NumberAttribute(default=0)
    rolled_back = NumberAttribute(default=0)
    enabled = BooleanAttribute()
    version = NumberAttribute()
    off = UnicodeSetAttribute(null=True)


register(CampaignModel, "campaigns_table")
register(CodeBatchModel, "campaigns_table")
register(CodePatternModel, "campaigns_table")
register(PointerModel, "campaigns_table")
register(ShardModel, "campaigns_table")
