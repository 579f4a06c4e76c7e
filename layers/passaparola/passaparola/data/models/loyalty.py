"""Loyalty's own items: what an order earned, catalogue redemptions and their stock, points imports."""

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.models import Model

from passaparola.data.models import register


class EarnModel(Model):
    """What one order or event earned (`sk=EARN#<source>`): the basis of releases and refund reversals."""

    class Meta:
        table_name = "passaparola-rewards"

    customer_id = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    points = NumberAttribute()
    status = UnicodeAttribute()
    """pending | released | voided"""
    paid = NumberAttribute(default=0)
    reversed = NumberAttribute(default=0)
    month = UnicodeAttribute()
    at = UnicodeAttribute()


class LoyaltyRedemptionModel(Model):
    """A catalogue reward bought with points (`sk=REDEEM#<id>`)."""

    class Meta:
        table_name = "passaparola-rewards"

    customer_id = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    spec = UnicodeAttribute()
    """The LoyaltyRedemption as JSON."""


class StockModel(Model):
    """How many of a catalogue reward were redeemed (`id=stock#<campaign>#<reward>` in the campaigns table)."""

    class Meta:
        table_name = "passaparola-campaigns"

    id = UnicodeAttribute(hash_key=True)
    kind = UnicodeAttribute(default="stock")
    redeemed = NumberAttribute(default=0)


class ImportMarkerModel(Model):
    """`sk=IMPORT#<name>`: this customer's row of that points import was applied (the points it added, when)."""

    class Meta:
        table_name = "passaparola-rewards"

    customer_id = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    points = NumberAttribute()
    at = UnicodeAttribute()


register(EarnModel, "rewards_table")
register(LoyaltyRedemptionModel, "rewards_table")
register(StockModel, "campaigns_table")
register(ImportMarkerModel, "rewards_table")
