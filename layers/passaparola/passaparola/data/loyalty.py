"""Points records in the rewards table: what an order or event earned (the ledger lines are written by the
customer change that moves the balance)."""

from pynamodb.exceptions import DoesNotExist

from passaparola.data.campaigns import LOYALTY_POINTER
from passaparola.data.models import EarnModel, PointerModel


def earn_of(customer_id: str, source: str) -> EarnModel | None:
    try:
        return EarnModel.get(customer_id, f"EARN#{source}", consistent_read=True)
    except DoesNotExist:
        return None


def program_exists() -> bool:
    """Does the shop have a loyalty program (a strongly consistent read, not the per-container cache)."""
    try:
        PointerModel.get(LOYALTY_POINTER, consistent_read=True)
    except DoesNotExist:
        return False
    return True
