"""The audit log (audit table)."""

from pynamodb.attributes import BooleanAttribute, UnicodeAttribute
from pynamodb.models import Model

from passaparola.data.models import register


class AuditModel(Model):
    """One administrative change (`pk=AUDIT`, `sk=<ISO time>#<request id>`): read newest first, written once."""

    class Meta:
        table_name = "passaparola-audit"

    pk = UnicodeAttribute(hash_key=True, default="AUDIT")
    sk = UnicodeAttribute(range_key=True)
    id = UnicodeAttribute()
    at = UnicodeAttribute()
    action = UnicodeAttribute()
    actor = UnicodeAttribute()
    """JSON of {"type", "id", "email"?, "role"?}."""
    target_type = UnicodeAttribute()
    target_id = UnicodeAttribute()
    before = UnicodeAttribute(null=True)
    """JSON, at most AUDIT_MAX_BYTES (passaparola.audit.service)."""
    after = UnicodeAttribute(null=True)
    truncated = BooleanAttribute(default=False)


register(AuditModel, "audit_table")
