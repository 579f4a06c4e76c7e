"""Campaign use cases: create, read, change, and the one-click switch."""

from aws_lambda_powertools.metrics import MetricUnit

from passaparola import clock
from passaparola.campaigns.models import Campaign, CampaignCreate, CampaignPatch, check_currency
from passaparola.data import campaigns as store
from passaparola.errors import DiscountTypeLocked, InvalidRequest
from passaparola.ids import new_id
from passaparola.observability import metrics


def create(request: CampaignCreate) -> Campaign:
    now = clock.now()
    campaign = Campaign(**request.model_dump(), id=new_id("cmp"), version=1, created_at=now, updated_at=now)
    store.create(campaign)
    metrics.add_metric(name="CampaignsCreated", unit=MetricUnit.Count, value=1)
    return campaign


def get(campaign_id: str) -> Campaign:
    return store.get(campaign_id)


def list_page(limit: int, cursor: str | None) -> tuple[list[Campaign], str | None]:
    return store.list_page(limit, cursor)


def update(campaign_id: str, patch: CampaignPatch) -> Campaign:
    """Apply a partial change; it takes effect at the next validation or redemption."""
    current = store.get(campaign_id)
    changes = {k: getattr(patch, k) for k in patch.model_fields_set if getattr(patch, k) is not None}
    merged = current.model_copy(update=changes)
    if "gift_card" in (current.discount.type, merged.discount.type) and current.discount.type != merged.discount.type:
        raise DiscountTypeLocked(details={"from": current.discount.type, "to": merged.discount.type})
    try:
        check_currency(merged.discount, merged.rules)
    except ValueError as exc:
        raise InvalidRequest(str(exc), {"fields": [{"field": "rules.currency", "message": str(exc)}]}) from exc
    return store.save_changes(merged, current.version, clock.now())


def set_enabled(campaign_id: str, enabled: bool) -> Campaign:
    return store.set_enabled(campaign_id, enabled, clock.now())
