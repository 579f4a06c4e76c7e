"""The `Idempotency-Key` records (idempotency table)."""

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.models import Model

from passaparola.data.models import register


class IdempotencyModel(Model):
    """An Idempotency-Key's record, in powertools' DynamoDBPersistenceLayer format (passaparola.data.idempotency)."""

    class Meta:
        table_name = "passaparola-idempotency"

    id = UnicodeAttribute(hash_key=True)
    status = UnicodeAttribute()
    expiration = NumberAttribute()
    """Epoch seconds; the table's TTL attribute."""
    in_progress_expiration = NumberAttribute(null=True)
    """Epoch milliseconds, INPROGRESS records only (written by the generic path)."""
    validation = UnicodeAttribute(null=True)
    """The request body's hash: the same key with another body is a conflict."""
    data = UnicodeAttribute(null=True)
    """The stored answer: JSON of {"status", "headers", "body"}."""


register(IdempotencyModel, "idempotency_table")
