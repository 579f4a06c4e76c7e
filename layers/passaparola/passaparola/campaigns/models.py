"""Campaign shapes: what a marketer creates, changes and reads."""

import importlib
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, Field, model_validator

from passaparola.coupons.models import (
    MONEY_DISCOUNTS,
    Code,
    CodeStr,
    CustomerIdStr,
    Discount,
    Rules,
    Strict,
    needs_currency,
)

if TYPE_CHECKING:  # the names `__getattr__` loads, for mypy
    from passaparola.campaigns.loyalty import LoyaltyCampaign as LoyaltyCampaign
    from passaparola.campaigns.loyalty import LoyaltyCampaignCreate as LoyaltyCampaignCreate
    from passaparola.campaigns.programs import TYPE_FIELDS as TYPE_FIELDS
    from passaparola.campaigns.programs import AnyCampaign as AnyCampaign
    from passaparola.campaigns.programs import Campaign as Campaign
    from passaparola.campaigns.programs import CampaignCreate as CampaignCreate
    from passaparola.campaigns.programs import CampaignPage as CampaignPage
    from passaparola.campaigns.programs import CampaignPatch as CampaignPatch
    from passaparola.campaigns.reengagement import ReengagementCampaign as ReengagementCampaign
    from passaparola.campaigns.reengagement import ReengagementCampaignCreate as ReengagementCampaignCreate
    from passaparola.campaigns.referral import ReferralCampaign as ReferralCampaign
    from passaparola.campaigns.referral import ReferralCampaignCreate as ReferralCampaignCreate

LAZY: dict[str, str] = {
    "TYPE_FIELDS": "programs",
    "AnyCampaign": "programs",
    "Campaign": "programs",
    "CampaignCreate": "programs",
    "CampaignPage": "programs",
    "CampaignPatch": "programs",
    "LoyaltyCampaign": "loyalty",
    "LoyaltyCampaignCreate": "loyalty",
    "ReengagementCampaign": "reengagement",
    "ReengagementCampaignCreate": "reengagement",
    "ReferralCampaign": "referral",
    "ReferralCampaignCreate": "referral",
}
"""Name -> the module of `passaparola.campaigns` that defines it, imported at the first use (`__getattr__`)."""


def __getattr__(name: str) -> Any:
    """The program campaigns and the unions of all types, imported and built only by a function that uses them."""
    if name in LAZY:
        module = importlib.import_module(f"passaparola.campaigns.{LAZY[name]}")
        return getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


CampaignType = Literal["discount", "referral", "loyalty", "reengagement"]
METADATA_MAX_KEYS = 50
"""At creation and after every merge patch (which adds keys), so that no campaign grows toward DynamoDB's item limit."""


class CampaignBase(Strict):
    name: str = Field(min_length=1, max_length=200)
    description: str | None = Field(None, max_length=2000)
    enabled: bool = True
    metadata: dict[str, str] = Field(default_factory=dict, max_length=METADATA_MAX_KEYS)

    @model_validator(mode="after")
    def _money_needs_currency(self) -> "CampaignBase":
        for field, message in missing_currencies(self):
            raise ValueError(f"{field}: {message}")
        return self


class DiscountCampaignCreate(CampaignBase):
    type: Literal["discount"]
    discount: Discount
    rules: Rules = Field(default_factory=Rules)  # type: ignore[arg-type]
    open_to_support: bool = Field(
        False,
        description="Console support agents may issue a customer-bound code from it. Set only by an owner or a key.",
    )


def _merged(what: str) -> Any:
    return Field(None, description=f"A JSON Merge Patch of {what}: members merged, `null` clears one.")


def merge_patch(target: Any, patch: Any, kind: str | None = None) -> Any:
    """RFC 7396 JSON Merge Patch of `target` by `patch` (neither is changed).

    With `kind` (e.g. "type"), an object patch whose `kind` member differs from the target's replaces the
    target instead of merging into it. Recursion is bounded: request bodies nest at most 32 levels.
    """
    if not isinstance(patch, dict):
        return patch
    if not isinstance(target, dict) or (kind is not None and kind in patch and patch[kind] != target.get(kind)):
        target = {}
    merged = dict(target)
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = merge_patch(merged.get(key), value, kind)
    return merged


COMMON_FIELDS = frozenset({"name", "description", "metadata"})
OWNER_ROLES = frozenset({None, "owner"})
"""Who may open a campaign to support agents: an API key (no role) or an owner."""


def missing_currencies(value: BaseModel, path: str = "") -> list[tuple[str, str]]:
    """Every amount of money in a campaign that names no currency, as (field, message).

    Amounts are integers of minor units: 1000 is ¥1000 in JPY and €10 in EUR. So a money discount, a percent
    discount's `amount_limit` and a referral's `min_order_amount` each need their currency; the campaign's
    codes then refuse carts in another currency (`currency_mismatch`) rather than apply a cap meant for
    another one. Checked when a campaign is created or changed, not when a stored one is read.
    """
    from passaparola.referrals.models import ConversionScenario, CouponReward

    found: list[tuple[str, str]] = []
    discount, rules = getattr(value, "discount", None), getattr(value, "rules", None)
    if isinstance(rules, Rules) and discount is not None and needs_currency(discount) and not rules.currency:
        found.append((f"{path}rules.currency", _needs(discount, "rules.currency")))
    if isinstance(value, CouponReward) and value.discount and needs_currency(value.discount) and not value.currency:
        found.append((f"{path}currency", _needs(value.discount, "a currency")))
    if isinstance(value, ConversionScenario) and value.min_order_amount is not None and not value.currency:
        found.append((f"{path}currency", "min_order_amount needs a currency"))
    for name in type(value).model_fields:
        field = getattr(value, name)
        items = enumerate(field) if isinstance(field, list) else [(None, field)]
        for index, item in items:
            if isinstance(item, BaseModel):
                found += missing_currencies(item, f"{path}{name}." + ("" if index is None else f"{index}."))
    return found


def _needs(discount: Discount, what: str) -> str:
    if discount.type in MONEY_DISCOUNTS:
        return f"a '{discount.type}' discount needs {what}"
    return f"a percent discount's amount_limit needs {what}"


class CampaignStats(BaseModel):
    codes_issued: int = 0
    redemptions: int = Field(0, description="Successful redemptions, net of rollbacks.")
    rolled_back: int = 0
    discount_given: dict[str, int] = Field(default_factory=dict, description="Net discount per currency.")


class CampaignState(BaseModel):
    id: str
    name: str
    description: str | None = None
    enabled: bool
    metadata: dict[str, str] = Field(default_factory=dict)
    version: int
    created_at: datetime
    updated_at: datetime


class DiscountCampaign(CampaignState):
    type: Literal["discount"] = "discount"
    discount: Discount
    rules: Rules = Field(default_factory=Rules)  # type: ignore[arg-type]
    open_to_support: bool = Field(
        False,
        description="Console support agents may issue a customer-bound code from it. Set only by an owner or a key.",
    )
    stats: CampaignStats = Field(default_factory=CampaignStats)


class CreateCodesRequest(Strict):
    """One of: a public code (`code`), a code bound to a customer (`customer_id`), or a batch (`count`)."""

    code: CodeStr | None = None
    customer_id: CustomerIdStr | None = None
    count: int | None = Field(None, ge=1, le=1_000_000)
    pattern: str | None = Field(
        None,
        min_length=1,
        max_length=64,
        description="'#' digit, '?' letter, '*' any character of the charset; anything else is literal. "
        "Default '********' (8 characters from the charset).",
    )
    prefix: str | None = Field(None, max_length=20, pattern=r"^[A-Za-z0-9_-]*$")
    suffix: str | None = Field(None, max_length=20, pattern=r"^[A-Za-z0-9_-]*$")

    @model_validator(mode="after")
    def _one_kind(self) -> "CreateCodesRequest":
        if self.code and (self.count or self.pattern):
            raise ValueError("give either a code or a count with a pattern, not both")
        if self.count and self.count > 1 and self.customer_id:
            raise ValueError("a customer-bound code is created one at a time")
        return self


class CodeBatch(BaseModel):
    id: str
    campaign_id: str
    requested: int
    created: int
    status: Literal["pending", "running", "completed", "failed"]
    pattern: str
    created_at: datetime
    completed_at: datetime | None = None


class CodesCreated(BaseModel):
    """Codes written now, or (above 1,000) the background batch that will write them."""

    created: int
    codes: list[Code]
    batch: CodeBatch | None = None


class CodePage(BaseModel):
    items: list[Code]
    next_cursor: str | None = None
