"""Points import markers: `IMPORT#<name>` in the customer's partition of the rewards table, written once."""

from datetime import datetime

from pynamodb.exceptions import DoesNotExist

from passaparola.data.models.loyalty import ImportMarkerModel
from passaparola.data.transactions import Transaction


def marker_sk(name: str) -> str:
    return f"IMPORT#{name}"


def imported(customer_id: str, name: str) -> bool:
    try:
        ImportMarkerModel.get(customer_id, marker_sk(name), consistent_read=True)
    except DoesNotExist:
        return False
    return True


def mark(tx: Transaction, customer_id: str, name: str, points: int, at: datetime) -> None:
    """In the row's transaction: a concurrent run of the same import makes one of the two fail (and then skip)."""
    tx.save(
        ImportMarkerModel(customer_id, marker_sk(name), points=points, at=at.isoformat()),
        condition=ImportMarkerModel.sk.does_not_exist(),
    )
