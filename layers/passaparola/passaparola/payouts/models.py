"""Payout shapes: one payout per referrer, month and currency."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from passaparola.coupons.models import Strict

YEAR = r"[12]\d{3}"  # 1000-2999: a month whose start and end are datetimes (no alternation: fuzzers choke on it)
PERIOD_PATTERN = rf"^{YEAR}-(0[1-9]|1[0-2])$"
Period = Annotated[str, Field(pattern=PERIOD_PATTERN, description="A UTC month, `YYYY-MM`.")]
PAYOUT_ID_PATTERN = rf"^po_{YEAR}-(0[1-9]|1[0-2])_[0-9a-f]{{16}}_[A-Z]{{3}}$"


class Payout(BaseModel):
    """What a referrer is owed in one currency for the cash rewards released in one month (less clawbacks)."""

    id: str = Field(description="`po_<period>_<hash of the referrer's id>_<currency>`: stable.")
    period: str
    customer_id: str
    email: str | None = None
    currency: str
    amount: int = Field(description="Minor units: rewards less clawbacks (negative when clawbacks exceed them).")
    rewards: int = Field(description="Cash rewards released in the period.")
    clawbacks: int = Field(0, description="Paid rewards of earlier periods refunded since (negative lines).")
    status: Literal["open", "paid"]
    paid_at: datetime | None = None
    reference: str | None = None


class PayoutTotal(BaseModel):
    currency: str
    amount: int
    rewards: int
    payouts: int


class PayoutList(BaseModel):
    period: str
    items: list[Payout]
    totals: list[PayoutTotal] = Field(description="Per currency, over every payout of the period.")


class PaidRequest(Strict):
    reference: str = Field(min_length=1, max_length=200, description="The bank transfer's or the batch's reference.")
