"""Points records in the rewards table: what an order or event earned (the ledger lines are written by the
customer change that moves the balance)."""

from pynamodb.exceptions import DoesNotExist

from passaparola.data.models.loyalty import EarnModel, LoyaltyRedemptionModel


def earn_of(customer_id: str, source: str) -> EarnModel | None:
    try:
        return EarnModel.get(customer_id, f"EARN#{source}", consistent_read=True)
    except DoesNotExist:
        return None


def redemptions_of(customer_id: str, limit: int) -> list[LoyaltyRedemptionModel]:
    """The rewards a customer bought with points (`sk=REDEEM#<id>`), up to `limit`."""
    query = LoyaltyRedemptionModel.query(customer_id, LoyaltyRedemptionModel.sk.startswith("REDEEM#"), limit=limit)
    return list(query)
