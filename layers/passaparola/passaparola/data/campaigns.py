"""Campaigns and code batches in the campaigns table."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from pydantic import TypeAdapter
from pynamodb.exceptions import DoesNotExist, PutError, TransactWriteError, UpdateError

from passaparola import currencies
from passaparola.campaigns import models as campaign_models
from passaparola.campaigns.models import CampaignStats, CodeBatch, DiscountCampaign
from passaparola.data import shards, transactions
from passaparola.data.models.campaigns import CampaignModel, CodeBatchModel, CodePatternModel, PointerModel
from passaparola.data.pagination import decode_cursor, encode_cursor
from passaparola.errors import Conflict, LoyaltyProgramExists, NotFound

if TYPE_CHECKING:
    from passaparola.campaigns.models import AnyCampaign, LoyaltyCampaign

CAMPAIGN_CLASSES = {
    "discount": "DiscountCampaign",
    "referral": "ReferralCampaign",
    "loyalty": "LoyaltyCampaign",
    "reengagement": "ReengagementCampaign",
}
"""A stored campaign's type -> its model in `passaparola.campaigns.models` (the union's discriminator, by hand)."""
LOYALTY_POINTER = "program#loyalty"


def to_campaign(item: CampaignModel) -> AnyCampaign:
    fields: dict[str, Any] = json.loads(item.spec) | {
        "id": item.id,
        "type": item.type,
        "enabled": item.enabled,
        "version": int(item.version),
        "created_at": item.created_at,
        "updated_at": item.updated_at,
    }
    if item.type == "discount":
        fields["stats"] = CampaignStats(
            codes_issued=int(item.codes_issued or 0),
            redemptions=int(item.redemptions or 0),
            rolled_back=int(item.rolled_back or 0),
            discount_given={
                k: int(v) for k, v in (item.discount_given.as_dict() if item.discount_given else {}).items()
            },
        )
    kind = CAMPAIGN_CLASSES.get(item.type)
    if kind is None:  # no such type: the union's error, as ever
        return _any_campaign().validate_python(fields, context=currencies.STORED)
    # the model the union's discriminator would pick, without importing and building the other types
    model: type[AnyCampaign] = getattr(campaign_models, kind)
    return model.model_validate(fields, context=currencies.STORED)


@lru_cache(maxsize=1)
def _any_campaign() -> TypeAdapter[AnyCampaign]:
    """The union of every campaign type, built only for a stored type that no model has (to raise its error)."""
    from passaparola.campaigns.models import Campaign

    return TypeAdapter(Campaign)


def _spec(campaign: AnyCampaign) -> str:
    from passaparola.campaigns.models import TYPE_FIELDS

    return campaign.model_dump_json(include=set(TYPE_FIELDS[campaign.type]))


def _hot(campaign: AnyCampaign) -> int:
    """A hot discount campaign's shard count (docs/architecture.md, "Hot codes"); 0 for any other."""
    return (campaign.rules.hot_shards or 0) if isinstance(campaign, DiscountCampaign) else 0


def _item(campaign: AnyCampaign) -> CampaignModel:
    return CampaignModel(
        campaign.id,
        type=campaign.type,
        spec=_spec(campaign),
        enabled=campaign.enabled,
        version=campaign.version,
        created_at=campaign.created_at,
        updated_at=campaign.updated_at,
        discount_given={},
        hot_shards=_hot(campaign) or None,
    )


def create(campaign: AnyCampaign) -> None:
    """A hot campaign is created with its shards, the cap spread over them, in one transaction."""
    if n := _hot(campaign):
        assert isinstance(campaign, DiscountCampaign) and campaign.rules.max_redemptions

        def build(tx: transactions.Transaction) -> None:
            tx.save(_item(campaign), condition=CampaignModel.id.does_not_exist())
            budgets = shards.split(campaign.rules.max_redemptions or 0, n)
            shards.create(tx, campaign.id, campaign.enabled, campaign.version, budgets)

        try:
            transactions.write(build)
        except TransactWriteError as exc:
            raise Conflict("A campaign with this id already exists.") from exc
        return
    try:
        _item(campaign).save(condition=CampaignModel.id.does_not_exist())
    except PutError as exc:
        raise Conflict("A campaign with this id already exists.") from exc


def with_shards(campaign: AnyCampaign) -> AnyCampaign:
    """A hot campaign's figures: its item's counters (frozen when it became hot) plus what its shards took, one
    exact total (one BatchGetItem); any other campaign as it is."""
    if not (n := _hot(campaign)):
        return campaign
    assert isinstance(campaign, DiscountCampaign)
    took = shards.totals(campaign.id, n)
    given = dict(campaign.stats.discount_given)
    for currency, amount in took.given.items():
        given[currency] = given.get(currency, 0) + amount
    stats = campaign.stats.model_copy(
        update={
            "redemptions": campaign.stats.redemptions + took.redemptions,
            "rolled_back": campaign.stats.rolled_back + took.rolled_back,
            "discount_given": given,
        }
    )
    return campaign.model_copy(update={"stats": stats})


def create_all(campaigns: Sequence[AnyCampaign]) -> None:
    """Several campaigns at once or none (a referral program and the discount campaigns of its rewards)."""

    def build(tx: transactions.Transaction) -> None:
        for c in campaigns:
            tx.save(_item(c), condition=CampaignModel.id.does_not_exist())

    transactions.write(build)


def create_loyalty(program: AnyCampaign, issuers: Sequence[AnyCampaign]) -> None:
    """The loyalty program, its issuing campaigns and the shop's pointer to it: one per shop (409 otherwise)."""

    def build(tx: transactions.Transaction) -> None:
        tx.save(PointerModel(LOYALTY_POINTER, campaign_id=program.id), condition=PointerModel.id.does_not_exist())
        for c in [*issuers, program]:
            tx.save(_item(c), condition=CampaignModel.id.does_not_exist())

    try:
        transactions.write(build)
    except TransactWriteError as exc:
        if 0 in transactions.failed_items(exc):
            existing = PointerModel.get(LOYALTY_POINTER, consistent_read=True).campaign_id
            raise LoyaltyProgramExists(details={"campaign_id": existing}) from exc
        raise
    _CACHE.pop(LOYALTY_POINTER, None)


def program_exists() -> bool:
    """Does the shop have a loyalty program (a strongly consistent read, not the per-container cache)."""
    try:
        PointerModel.get(LOYALTY_POINTER, consistent_read=True)
    except DoesNotExist:
        return False
    return True


def loyalty_program() -> LoyaltyCampaign | None:
    """The shop's loyalty campaign through its pointer, cached per container like `get_cached`."""
    now = time.monotonic()
    hit = _CACHE.get(LOYALTY_POINTER)
    if hit and hit[0] > now:
        return hit[1]  # type: ignore[return-value]
    try:
        campaign_id = PointerModel.get(LOYALTY_POINTER).campaign_id
    except DoesNotExist:
        _CACHE[LOYALTY_POINTER] = (now + CACHE_SECONDS, None)  # type: ignore[assignment]
        return None
    from passaparola.campaigns.models import LoyaltyCampaign

    program = get_cached(campaign_id)
    assert isinstance(program, LoyaltyCampaign)
    _CACHE[LOYALTY_POINTER] = (now + CACHE_SECONDS, program)
    return program


def get(campaign_id: str) -> AnyCampaign:
    """The campaign as stored; a hot one's figures without its shards' (`with_shards` adds them)."""
    return to_campaign(_get_item(campaign_id))


def _get_item(campaign_id: str) -> CampaignModel:
    try:
        item = CampaignModel.get(campaign_id, consistent_read=True)
    except DoesNotExist as exc:
        raise NotFound("No such campaign.", {"campaign_id": campaign_id}) from exc
    if item.kind != "campaign":
        raise NotFound("No such campaign.", {"campaign_id": campaign_id})
    return item


def list_page(limit: int, cursor: str | None) -> tuple[list[AnyCampaign], str | None]:
    """Campaigns are few (tens to hundreds): a filtered scan page is the honest cost here."""
    result = CampaignModel.scan(
        CampaignModel.kind == "campaign", limit=limit, last_evaluated_key=decode_cursor(cursor, {"id"}), page_size=limit
    )
    items = [to_campaign(i) for i in result]
    return items, encode_cursor(result.last_evaluated_key)


def save_changes(
    campaign: AnyCampaign, expected_version: int, now: datetime, previous: AnyCampaign | None = None
) -> AnyCampaign:
    """Write a changed campaign if nobody changed it since it was read (optimistic lock on `version`).

    A hot campaign (or one becoming hot: `previous` is the campaign as read) is written with its shards."""
    if _hot(campaign) or (previous is not None and _hot(previous)):
        return _save_hot(campaign, expected_version, now, previous)
    item = CampaignModel(campaign.id)
    try:
        transactions.retrying(
            lambda: item.update(
                actions=[
                    CampaignModel.spec.set(_spec(campaign)),
                    CampaignModel.enabled.set(campaign.enabled),
                    CampaignModel.version.set(expected_version + 1),
                    CampaignModel.updated_at.set(now),
                ],
                condition=CampaignModel.version == expected_version,
            )
        )
    except UpdateError as exc:
        if transactions.condition_failed(exc):
            raise Conflict("The campaign was changed concurrently; read it again and retry.") from exc
        raise
    forget(campaign.id)
    return to_campaign(item)


HOT_EDIT_ATTEMPTS = 5


def _save_hot(campaign: AnyCampaign, expected_version: int, now: datetime, previous: AnyCampaign | None) -> AnyCampaign:
    """The campaign item and every shard in one transaction: `enabled` and `version` copied, a change of the cap
    moved into or out of the shards' budgets; becoming hot, the shards are created with what is left of the cap,
    conditioned on the `redemptions` read (counted centrally until then)."""
    assert isinstance(campaign, DiscountCampaign)
    n, before = _hot(campaign), (_hot(previous) if previous is not None else 0)
    old_cap = previous.rules.max_redemptions if isinstance(previous, DiscountCampaign) else None
    new_cap, version = campaign.rules.max_redemptions or 0, expected_version + 1
    for attempt in range(HOT_EDIT_ATTEMPTS):
        transactions.backoff(attempt)
        central = int(_get_item(campaign.id).redemptions or 0) if not before else 0
        delta = new_cap - (old_cap or 0)
        read = shards.read_all(campaign.id, before) if before and delta < 0 else None

        def build(
            tx: transactions.Transaction, central: int = central, delta: int = delta, read: list[Any] | None = read
        ) -> None:
            condition = CampaignModel.version == expected_version
            if not before:
                condition &= CampaignModel.redemptions == central
            tx.update(
                CampaignModel(campaign.id),
                actions=[
                    CampaignModel.spec.set(_spec(campaign)),
                    CampaignModel.enabled.set(campaign.enabled),
                    CampaignModel.version.set(version),
                    CampaignModel.updated_at.set(now),
                    CampaignModel.hot_shards.set(n),
                ],
                condition=condition,
            )
            if not before:
                shards.create(tx, campaign.id, campaign.enabled, version, shards.split(new_cap - central, n))
                return
            shards.on_change(tx, campaign.id, before, campaign.enabled, version, delta, read)
            if n > before:
                shards.create(tx, campaign.id, campaign.enabled, version, [0] * (n - before), first=before)

        try:
            transactions.write(build)
        except TransactWriteError as exc:
            if 0 in transactions.failed_items(exc) and int(_get_item(campaign.id).version) != expected_version:
                raise Conflict("The campaign was changed concurrently; read it again and retry.") from exc
            continue  # redemptions moved the counters read: read them again
        forget(campaign.id)
        return get(campaign.id)
    raise Conflict("The campaign's redemptions kept moving; retry.")


def set_enabled(campaign_id: str, enabled: bool, now: datetime) -> AnyCampaign:
    """The one-click switch: a single conditional update, effective for the next request (a hot campaign's: with
    its shards, in one transaction)."""
    item = CampaignModel(campaign_id)
    try:
        transactions.retrying(
            lambda: item.update(
                actions=[
                    CampaignModel.enabled.set(enabled),
                    CampaignModel.version.add(1),
                    CampaignModel.updated_at.set(now),
                ],
                condition=CampaignModel.id.exists()
                & (CampaignModel.kind == "campaign")
                & CampaignModel.hot_shards.does_not_exist(),
            )
        )
    except UpdateError as exc:
        if transactions.condition_failed(exc):
            return _switch_hot(campaign_id, enabled, now)
        raise
    forget(campaign_id)
    return to_campaign(item)


def _switch_hot(campaign_id: str, enabled: bool, now: datetime) -> AnyCampaign:
    for attempt in range(HOT_EDIT_ATTEMPTS):
        transactions.backoff(attempt)
        found = _get_item(campaign_id)  # NotFound for no campaign
        if not found.hot_shards:
            raise Conflict("The campaign was changed concurrently; retry.")
        seen, n = int(found.version), int(found.hot_shards)

        def build(tx: transactions.Transaction, seen: int = seen, n: int = n) -> None:
            tx.update(
                CampaignModel(campaign_id),
                actions=[
                    CampaignModel.enabled.set(enabled),
                    CampaignModel.version.set(seen + 1),
                    CampaignModel.updated_at.set(now),
                ],
                condition=CampaignModel.version == seen,
            )
            shards.on_change(tx, campaign_id, n, enabled, seen + 1, 0)

        try:
            transactions.write(build)
        except TransactWriteError:
            continue
        forget(campaign_id)
        return get(campaign_id)
    raise Conflict("The campaign was changed concurrently; retry.")


def forget(campaign_id: str) -> None:
    """Drop this container's cached copy after a change (other containers see it within CACHE_SECONDS)."""
    _CACHE.pop(campaign_id, None)
    _CACHE.pop(LOYALTY_POINTER, None)
    shards.forget_reads(campaign_id=campaign_id)


def to_batch(item: CodeBatchModel) -> CodeBatch:
    return CodeBatch(
        id=item.id,
        campaign_id=item.campaign_id,
        requested=int(item.requested),
        created=int(item.created or 0),
        status=item.status,  # type: ignore[arg-type]
        pattern=item.prefix + item.pattern + item.suffix,
        created_at=item.created_at,
        completed_at=item.completed_at,
    )


def create_batch(batch: CodeBatch, pattern: str, prefix: str, suffix: str) -> None:
    CodeBatchModel(
        batch.id,
        campaign_id=batch.campaign_id,
        requested=batch.requested,
        created=0,
        status=batch.status,
        pattern=pattern,
        prefix=prefix,
        suffix=suffix,
        created_at=batch.created_at,
    ).save(condition=CodeBatchModel.id.does_not_exist())


def reserve_codes(campaign_id: str, pattern: str, count: int, most: int) -> int | None:
    """Count `count` more codes of `pattern` in the campaign unless it would then have more than `most`.

    One conditional update: concurrent requests can never overshoot together. Returns None when counted,
    else how many the campaign already has (nothing changed then).
    """
    item = CodePatternModel(f"{campaign_id}#pattern#{pattern}")
    try:
        transactions.retrying(
            lambda: item.update(
                actions=[
                    CodePatternModel.codes.add(count),
                    CodePatternModel.kind.set("pattern"),
                    CodePatternModel.campaign_id.set(campaign_id),
                ],
                condition=CodePatternModel.codes.does_not_exist() | (CodePatternModel.codes <= most - count),
            )
        )
    except UpdateError as exc:
        if transactions.condition_failed(exc):
            return int(CodePatternModel.get(item.id, consistent_read=True).codes)
        raise
    return None


def get_batch_item(batch_id: str) -> CodeBatchModel:
    try:
        item = CodeBatchModel.get(batch_id, consistent_read=True)
    except DoesNotExist as exc:
        raise NotFound("No such code batch.", {"batch_id": batch_id}) from exc
    if item.kind != "batch":
        raise NotFound("No such code batch.", {"batch_id": batch_id})
    return item


def finish_batch(batch_id: str, status: str, now: datetime) -> None:
    CodeBatchModel(batch_id).update(
        actions=[CodeBatchModel.status.set(status), CodeBatchModel.completed_at.set(now)],
        condition=CodeBatchModel.id.exists(),
    )


_CACHE: dict[str, tuple[float, AnyCampaign]] = {}
CACHE_SECONDS = 5.0


def get_cached(campaign_id: str, max_age: float = CACHE_SECONDS) -> AnyCampaign:
    """A campaign read at most `max_age` seconds ago by this container: for hot paths (redirects, tracking)
    where a switch-off taking effect within seconds is fine. Conversions re-check `version` when writing."""
    now = time.monotonic()
    hit = _CACHE.get(campaign_id)
    if hit and hit[0] > now:
        return hit[1]
    campaign = get(campaign_id)
    _CACHE[campaign_id] = (now + max_age, campaign)
    return campaign


def enabled_of_type(kind: str) -> list[AnyCampaign]:
    """Every switched-on campaign of a type (the re-engagement jobs' list; campaigns are few, a scan is fine)."""
    condition = (CampaignModel.kind == "campaign") & (CampaignModel.type == kind) & (CampaignModel.enabled == True)  # noqa: E712
    return [to_campaign(item) for item in CampaignModel.scan(condition)]
