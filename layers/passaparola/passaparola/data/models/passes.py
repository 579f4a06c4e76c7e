"""Wallet passes and their device registrations (passes table)."""

from pynamodb.attributes import UnicodeAttribute
from pynamodb.indexes import GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model

from passaparola.data.models import register


class PassModel(Model):
    """A wallet pass (`sk="pass"`): whose it is and when it last changed (the PassKit "updated since" tag)."""

    class Meta:
        table_name = "passaparola-passes"

    serial = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True, default="pass")
    customer_id = UnicodeAttribute()
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    """ISO time with milliseconds: compared as a string with the tag a device sends back."""
    google_object_id = UnicodeAttribute(null=True)


class ByDeviceIndex(GlobalSecondaryIndex["RegistrationModel"]):
    """The passes a device registered (sparse: only registrations carry `device`)."""

    class Meta:
        index_name = "by_device"
        projection = KeysOnlyProjection()

    device = UnicodeAttribute(hash_key=True)
    serial = UnicodeAttribute(range_key=True)


class RegistrationModel(Model):
    """A device registered for a pass's updates (`sk="reg#<device library id>"`), with its APNs push token."""

    class Meta:
        table_name = "passaparola-passes"

    serial = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    device = UnicodeAttribute()
    push_token = UnicodeAttribute()
    registered_at = UnicodeAttribute()
    by_device = ByDeviceIndex()


register(PassModel, "passes_table")
register(RegistrationModel, "passes_table")
