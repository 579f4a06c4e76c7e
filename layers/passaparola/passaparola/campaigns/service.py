"""Campaign use cases: create, read, change, and the one-click switch."""

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from pydantic import TypeAdapter, ValidationError

from passaparola import clock, currencies
from passaparola.campaigns.models import (
    METADATA_MAX_KEYS,
    OWNER_ROLES,
    TYPE_FIELDS,
    AnyCampaign,
    Campaign,
    CampaignCreate,
    CampaignPatch,
    DiscountCampaign,
    DiscountCampaignCreate,
    LoyaltyCampaign,
    LoyaltyCampaignCreate,
    ReengagementCampaign,
    ReengagementCampaignCreate,
    ReferralCampaign,
    ReferralCampaignCreate,
    merge_patch,
    missing_currencies,
)
from passaparola.customers.rules import BUILT_IN
from passaparola.data import campaigns as store
from passaparola.data import stats
from passaparola.data.customers import custom_segments
from passaparola.errors import CampaignTypeMismatch, DiscountTypeLocked, ForbiddenRole, InvalidRequest, NotFound
from passaparola.ids import new_id
from passaparola.loyalty import program as loyalty_program
from passaparola.messages import render
from passaparola.observability import metrics
from passaparola.referrals import program, share
from passaparola.referrals.models import SharePreview, SharePreviewRequest
from passaparola.referrals.program import get_referral

_campaign: TypeAdapter[AnyCampaign] = TypeAdapter(Campaign)
_create: TypeAdapter[
    DiscountCampaignCreate | ReferralCampaignCreate | LoyaltyCampaignCreate | ReengagementCampaignCreate
] = TypeAdapter(CampaignCreate)


def create(
    request: DiscountCampaignCreate | ReferralCampaignCreate | LoyaltyCampaignCreate | ReengagementCampaignCreate,
    role: str | None = None,
) -> AnyCampaign:
    """`role`: the console role of the person creating it (None for an API key)."""
    if isinstance(request, DiscountCampaignCreate) and request.open_to_support:
        _may_open_to_support(role)
    now = clock.now()
    fields = request.model_dump() | {"id": new_id("cmp"), "version": 1, "created_at": now, "updated_at": now}
    campaign = _campaign.validate_python(fields)
    if isinstance(campaign, ReferralCampaign):
        _check_issuers(campaign)
        campaign, issuers = program.prepare(campaign, now)
        store.create_all([*issuers, campaign])
        stats.ensure_variants(campaign.id, [v.name for v in campaign.variants])
    elif isinstance(campaign, LoyaltyCampaign):
        _check_loyalty(campaign)
        campaign, issuers = loyalty_program.prepare(campaign, now)
        store.create_loyalty(campaign, issuers)
    elif isinstance(campaign, ReengagementCampaign):
        _check_reengagement(campaign)
        store.create(campaign)
    else:
        store.create(campaign)
    metrics.add_metric(name="CampaignsCreated", unit=MetricUnit.Count, value=1)
    return campaign


def share_preview(request: SharePreviewRequest, base_url: str) -> SharePreview:
    """A referral program's share texts for a sample referrer: of the saved program, or of a draft validated as at
    creation (its errors are the create's 400s, under `campaign.`)."""
    if request.campaign_id is not None:
        program = get_referral(request.campaign_id)
    else:
        try:
            draft = _create.validate_python(request.campaign)
        except ValidationError as exc:
            fields = [
                {"field": ".".join(["campaign", *(str(p) for p in e["loc"][1:])]), "message": e["msg"]}
                for e in exc.errors()
            ]
            raise InvalidRequest("The draft campaign is invalid.", {"fields": fields}) from exc
        if not isinstance(draft, ReferralCampaignCreate):
            raise CampaignTypeMismatch("Share texts belong to referral campaigns.", {"field": "campaign.type"})
        now = clock.now()
        stored = draft.model_dump() | {"id": "cmp_preview", "version": 1, "created_at": now, "updated_at": now}
        program = ReferralCampaign.model_validate(stored, context=currencies.STORED)
    return share.preview(program, request.variant, request.name, request.locale, base_url)


def get(campaign_id: str) -> AnyCampaign:
    """With a hot campaign's figures summed over its shards (one exact total)."""
    return store.with_shards(store.get(campaign_id))


def list_page(limit: int, cursor: str | None) -> tuple[list[AnyCampaign], str | None]:
    items, next_cursor = store.list_page(limit, cursor)
    return [store.with_shards(c) for c in items], next_cursor


def update(campaign_id: str, patch: CampaignPatch, role: str | None = None) -> AnyCampaign:
    """Apply a partial change; it takes effect at the next validation, redemption or conversion.

    `role`: the console role of the person changing it (None for an API key); sending `open_to_support` unchanged
    is allowed to anyone who may change the campaign, so that a form can send every field back.
    """
    current = store.get(campaign_id)
    changes = patch.changes()
    if "open_to_support" in changes and bool(changes["open_to_support"]) != getattr(current, "open_to_support", False):
        _may_open_to_support(role)
    foreign = sorted(set(changes) - TYPE_FIELDS[current.type])
    if foreign:
        message = f"not a field of a {current.type} campaign"
        raise InvalidRequest(
            f"These fields do not apply to a {current.type} campaign: {', '.join(foreign)}.",
            {"fields": [{"field": f, "message": message} for f in foreign]},
        )
    _check_new_currencies(changes)
    merged = _revalidate(merge_patch(current.model_dump(mode="json"), changes, kind="type"))
    if (
        isinstance(current, DiscountCampaign)
        and isinstance(merged, DiscountCampaign)
        and (
            "gift_card" in (current.discount.type, merged.discount.type)
            and current.discount.type != merged.discount.type
        )
    ):
        raise DiscountTypeLocked(details={"from": current.discount.type, "to": merged.discount.type})
    if isinstance(current, DiscountCampaign) and isinstance(merged, DiscountCampaign):
        _check_hot(current, merged)
    if missing := missing_currencies(merged):
        fields = [{"field": field, "message": message} for field, message in missing]
        raise InvalidRequest(f"{missing[0][0]}: {missing[0][1]}.", {"fields": fields})
    if isinstance(merged, ReferralCampaign):
        assert isinstance(current, ReferralCampaign)
        _check_issuers(merged)
        merged, issuers = program.prepare(merged, clock.now(), previous=current)
        if issuers:
            store.create_all(issuers)  # unused if the save below loses the race: harmless, disabled by nobody
    if isinstance(merged, LoyaltyCampaign):
        assert isinstance(current, LoyaltyCampaign)
        _check_loyalty(merged)
        merged, issuers = loyalty_program.prepare(merged, clock.now(), previous=current)
        if issuers:
            store.create_all(issuers)
    if isinstance(merged, ReengagementCampaign):
        _check_reengagement(merged)
    saved = store.save_changes(merged, current.version, clock.now(), previous=current)
    if isinstance(saved, ReferralCampaign):
        stats.ensure_variants(saved.id, [v.name for v in saved.variants])
    return store.with_shards(saved)


def _may_open_to_support(role: str | None) -> None:
    if role not in OWNER_ROLES:
        raise ForbiddenRole(
            "Only an owner (or an API key) may open a campaign to support agents.",
            {"role": role, "field": "open_to_support"},
        )


def _check_new_currencies(changes: Any, path: str = "") -> None:
    """The ISO 4217 list applies to the currencies a patch brings in; the merged campaign is then validated
    as stored data, so that a campaign stored with a since-withdrawn code can still be changed otherwise."""
    if isinstance(changes, list):
        for i, value in enumerate(changes):
            _check_new_currencies(value, f"{path}{i}.")
    elif isinstance(changes, dict):
        for key, value in changes.items():
            if not path and key in ("metadata", "utm"):
                continue  # free text, whatever its keys
            if key == "currency" and isinstance(value, str) and value not in currencies.CODES:
                message = f"'{value}' is not an ISO 4217 currency code in use (e.g. EUR, USD, JPY)"
                raise InvalidRequest(
                    f"{path}{key}: {message}.", {"fields": [{"field": path + key, "message": message}]}
                )
            _check_new_currencies(value, f"{path}{key}.")


def _revalidate(data: dict[str, Any]) -> AnyCampaign:
    """The merged campaign, validated as a whole; merge patch adds keys, so creation's metadata cap is checked here."""
    try:
        merged = _campaign.validate_python(data, context=currencies.STORED)
    except ValidationError as exc:
        fields = [{"field": ".".join(str(p) for p in e["loc"][1:]), "message": e["msg"]} for e in exc.errors()]
        raise InvalidRequest("The changed campaign is invalid.", {"fields": fields}) from exc
    if len(merged.metadata) > METADATA_MAX_KEYS:
        message = f"at most {METADATA_MAX_KEYS} keys once merged; remove some with null"
        raise InvalidRequest(f"metadata: {message}.", {"fields": [{"field": "metadata", "message": message}]})
    return merged


def get_loyalty() -> LoyaltyCampaign | None:
    """The shop's loyalty program (cached briefly per container), or None."""
    return store.loyalty_program()


def _check_loyalty(campaign: LoyaltyCampaign) -> None:
    """Coupon rewards naming an existing campaign must name a discount campaign."""
    for item in campaign.rewards:
        reward = item.reward
        if reward.type == "coupon" and reward.campaign_id and not reward.discount:
            _check_issuer_id(reward.campaign_id)
    for tier in campaign.tiers:
        reward = tier.entry_reward  # type: ignore[assignment]
        if reward is not None and reward.type == "coupon" and reward.campaign_id and not reward.discount:
            _check_issuer_id(reward.campaign_id)


def _check_reengagement(campaign: ReengagementCampaign) -> None:
    """Templates render; the incentive names discount campaigns; the referral link a referral program; the
    segment of a segment trigger exists."""
    render.check(campaign)
    if campaign.incentive and campaign.incentive.points and store.loyalty_program() is None:
        raise InvalidRequest("A points incentive needs the shop's loyalty program.", {"field": "incentive.points"})
    if campaign.incentive:
        for campaign_id in campaign.incentive.campaign_ids():
            _check_issuer_id(campaign_id)
    if campaign.referral_campaign_id:
        try:
            referral = store.get(campaign.referral_campaign_id)
        except NotFound as exc:
            raise InvalidRequest(
                "referral_campaign_id names an unknown campaign.", {"campaign_id": campaign.referral_campaign_id}
            ) from exc
        if not isinstance(referral, ReferralCampaign):
            raise InvalidRequest(
                "referral_campaign_id must name a referral campaign.", {"campaign_id": campaign.referral_campaign_id}
            )
    names = [*campaign.audience.segments, *campaign.audience.exclude_segments]
    if campaign.trigger.type in ("segment_entered", "referral_nudge"):
        names.append(campaign.trigger.segment)  # type: ignore[union-attr]
    known = set(BUILT_IN) | {s.name for s in custom_segments()}
    unknown = sorted(set(names) - known)
    if unknown:
        raise InvalidRequest(f"Unknown segments: {', '.join(unknown)}.", {"segments": unknown})


def _check_issuer_id(campaign_id: str) -> None:
    try:
        issuer = store.get(campaign_id)
    except NotFound as exc:
        raise InvalidRequest("A coupon reward names an unknown campaign.", {"campaign_id": campaign_id}) from exc
    if not isinstance(issuer, DiscountCampaign) or issuer.discount.type == "gift_card":
        raise InvalidRequest(
            "A coupon reward must name a discount campaign (not a gift card).", {"campaign_id": campaign_id}
        )


def _check_issuers(campaign: ReferralCampaign) -> None:
    """Share templates must render; a reward that names an existing campaign must name a discount campaign."""
    for templates in [campaign.share, *[v.share for v in campaign.variants if v.share]]:
        share.check_templates(templates)
    for _, reward in program._slots(campaign):
        if reward.type == "coupon" and reward.campaign_id and not reward.discount:
            try:
                issuer = store.get(reward.campaign_id)
            except NotFound as exc:
                raise InvalidRequest(
                    "A coupon reward names an unknown campaign.", {"campaign_id": reward.campaign_id}
                ) from exc
            if not isinstance(issuer, DiscountCampaign) or issuer.discount.type == "gift_card":
                raise InvalidRequest(
                    "A coupon reward must name a discount campaign (not a gift card).",
                    {"campaign_id": reward.campaign_id},
                )


def _check_hot(current: DiscountCampaign, merged: DiscountCampaign) -> None:
    """Shards hold the budget and the figures of a hot campaign: there can be more of them, never fewer."""
    before, after = current.rules.hot_shards or 0, merged.rules.hot_shards or 0
    if after < before:
        message = f"a hot campaign keeps its {before} shards or grows; it cannot shrink or stop being hot"
        raise InvalidRequest(
            f"rules.hot_shards: {message}.", {"fields": [{"field": "rules.hot_shards", "message": message}]}
        )


def set_enabled(campaign_id: str, enabled: bool) -> AnyCampaign:
    return store.with_shards(store.set_enabled(campaign_id, enabled, clock.now()))
