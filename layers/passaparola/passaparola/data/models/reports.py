"""The aggregates reports read, kept current by the writes (referrals table): stats and leaderboards."""

from typing import Any

from pynamodb.attributes import MapAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from passaparola.data.models import register


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


register(StatsModel, "referrals_table")
register(BoardModel, "referrals_table")
