"""The overview's answer: every campaign's figures over the last 7, 30 or 90 days, per day and in total."""

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

OVERVIEW_DAYS = (7, 30, 90)


class Figures(BaseModel):
    """Counters of a day or of a window; a campaign only moves those of its type (the others stay 0)."""

    redemptions: int = Field(0, description="Discount campaigns: redemptions, net of rollbacks.")
    discount: dict[str, int] = Field(
        default_factory=dict, description="Discount campaigns: discount given per currency (minor units), net."
    )
    conversions: int = Field(0, description="Referral programs: accepted conversions, net of voids.")
    rewards_cost: dict[str, int] = Field(
        default_factory=dict, description="Referral programs: cost of released rewards per currency (minor units)."
    )
    points_issued: int = Field(0, description="Loyalty: points credited to balances, net of refund reversals.")
    points_spent: int = Field(0, description="Loyalty: points spent on catalogue rewards.")
    messages_sent: int = Field(0, description="Re-engagement: messages the provider accepted.")


class DayFigures(Figures):
    day: date = Field(description="The shop's calendar day (SHOP_TIMEZONE).")


class CampaignFigures(BaseModel):
    id: str
    name: str
    type: Literal["discount", "referral", "loyalty", "reengagement"]
    status: Literal["enabled", "disabled"]
    totals: Figures
    series: list[DayFigures] = Field(description="One entry per day of the window, oldest first (0 when quiet).")


class Overview(BaseModel):
    from_: date = Field(alias="from", description="First day of the window (shop's calendar).")
    to: date = Field(description="Last day of the window: today in the shop's time zone.")
    days: int
    campaigns: list[CampaignFigures]
    totals: Figures = Field(description="Every campaign's totals added up (money per currency).")

    model_config = {"populate_by_name": True, "serialize_by_alias": True}
