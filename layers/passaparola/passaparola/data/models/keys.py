"""API keys (api keys table)."""

from pynamodb.attributes import UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.models import Model

from passaparola.data.models import register


class ApiKeyModel(Model):
    class Meta:
        table_name = "passaparola-api-keys"

    id = UnicodeAttribute(hash_key=True)
    kind = UnicodeAttribute()
    name = UnicodeAttribute()
    prefix = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    revoked_at = UTCDateTimeAttribute(null=True)


register(ApiKeyModel, "api_keys_table")
