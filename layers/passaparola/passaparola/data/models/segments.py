"""Segments (customers table): memberships, their changes, definitions and counts."""

from pynamodb.attributes import BooleanAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from passaparola.data.models import register


class BySegmentIndex(GlobalSecondaryIndex["MembershipModel"]):
    class Meta:
        index_name = "by_segment"
        projection = AllProjection()

    segment = UnicodeAttribute(hash_key=True)
    customer_id = UnicodeAttribute(range_key=True)


class MembershipModel(Model):
    """A customer in a segment (`sk=segment#<name>`), listed by segment through the sparse index."""

    class Meta:
        table_name = "passaparola-customers"

    customer_id = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    segment = UnicodeAttribute()
    entered_at = UnicodeAttribute()
    by_segment = BySegmentIndex()


class SegmentChangeModel(Model):
    """An entry or exit (`customer_id=segchanges#<YYYY-MM-DD>`, `sk=<at>#<customer>#<segment>#<change>`)."""

    class Meta:
        table_name = "passaparola-customers"

    customer_id = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    customer = UnicodeAttribute()
    segment = UnicodeAttribute(attr_name="segment_name")
    """Stored as `segment_name`: `segment` is the by_segment index's key, for memberships only."""
    change = UnicodeAttribute()
    at = UnicodeAttribute()
    reason = UnicodeAttribute()
    expires_at = NumberAttribute(null=True)


class SegmentModel(Model):
    """`customer_id=segments`: `sk=count#<name>` members of a segment; `sk=def#<name>` a custom definition."""

    class Meta:
        table_name = "passaparola-customers"

    customer_id = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    members = NumberAttribute(null=True)
    spec = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute(null=True)
    backfilled = BooleanAttribute(null=True)


register(MembershipModel, "customers_table")
register(SegmentChangeModel, "customers_table")
register(SegmentModel, "customers_table")
