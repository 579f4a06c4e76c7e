"""New codes' items are built without a pynamodb Model per code (`data.coupons._code_attributes`): they must be
exactly what the model would write, and every code of a chunk must stay conditional on not existing."""

from datetime import UTC, datetime, timedelta, timezone
from types import ModuleType

import boto3
import pytest

from passaparola.campaigns.models import CreateCodesRequest, DiscountCampaign
from passaparola.coupons import codes, service
from passaparola.coupons.models import Code
from passaparola.data import campaigns as campaign_store
from passaparola.data import coupons as store
from passaparola.data.models.campaigns import CampaignModel
from passaparola.data.models.coupons import CodeModel
from passaparola.settings import get_settings
from tests.unit.coupons.test_redemptions import make_campaign

NOW = datetime(2026, 4, 1, 9, 0, 0, 123456, tzinfo=UTC)


def code_with(**fields: object) -> Code:
    stats = fields.pop("stats", None)
    code = Code(**{"code": "SPRING-1", "campaign_id": "cmp_1", "created_at": NOW, **fields})  # type: ignore[arg-type]
    if stats:
        code._message_stats, code._reward_stats = stats, "reward#1"  # type: ignore[assignment]
    return code


SHAPES = [
    code_with(),
    code_with(batch_id="bat_1", issued_at=NOW),
    code_with(customer_id="cus_1", issued_at=NOW, balance=2500, redemptions=3),
    code_with(issued_at=datetime(2026, 4, 1, 11, 0, tzinfo=timezone(timedelta(hours=2))), expires_at=NOW),
    code_with(message_id="msg_1", stats="stats#1"),
    code_with(referral_code="REF-1", bound_email_hash="h" * 64, referrer_id="cus_2", balance=0),
]


@pytest.mark.parametrize("code", SHAPES)
def test_a_new_codes_item_is_what_the_pynamodb_model_serialises(code: Code) -> None:
    memo: dict = {}
    assert store._code_attributes(code, memo) == store._code_item(code).serialize(null_check=True)
    assert store._code_attributes(code, memo) == store._code_item(code).serialize(null_check=True)  # memo's hits


def test_every_code_of_a_chunk_is_conditional_and_written_as_the_model_would(campaigns_fn: ModuleType) -> None:
    campaign = campaign_store.get(make_campaign(campaigns_fn))
    assert isinstance(campaign, DiscountCampaign)
    chunk = [code_with(code=f"CHUNK-{i}", campaign_id=campaign.id, issued_at=NOW) for i in range(5)]
    issued = int(CampaignModel.get(campaign.id).codes_issued or 0)
    CodeModel("CHUNK-3", campaign_id="cmp_other", created_at=NOW).save()

    taken = store.add_codes(chunk, issuer=campaign)

    assert taken == {"CHUNK-3"}
    assert CodeModel.get("CHUNK-3").campaign_id == "cmp_other"
    assert not any(CodeModel.count(c.code) for c in chunk if c.code != "CHUNK-3")
    assert int(CampaignModel.get(campaign.id).codes_issued or 0) == issued

    chunk[3] = chunk[3].model_copy(update={"code": "CHUNK-5"})
    assert store.add_codes(chunk, issuer=campaign) == set()

    table = boto3.client("dynamodb").scan(TableName=get_settings().codes_table)["Items"]
    written = {item["code"]["S"]: item for item in table if item["code"]["S"] != "CHUNK-3"}
    assert written == {c.code: store._code_item(c).serialize(null_check=True) for c in chunk}
    assert int(CampaignModel.get(campaign.id).codes_issued or 0) == issued + 5


def test_a_drawn_value_that_exists_is_drawn_again_into_the_same_chunk_and_time(
    campaigns_fn: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    campaign = campaign_store.get(make_campaign(campaigns_fn))
    assert isinstance(campaign, DiscountCampaign)
    CodeModel("DRAW-TAKEN", campaign_id="cmp_other", created_at=NOW).save()
    draws = iter([["DRAW-1", "DRAW-TAKEN", "DRAW-2"], ["DRAW-TAKEN", "DRAW-3", "DRAW-4"]])
    monkeypatch.setattr(codes, "generate", lambda pattern, count: next(draws)[:count] if count < 8 else next(draws))

    created = service.create_codes(campaign.id, CreateCodesRequest(count=3))

    assert [c.code for c in created.codes] == ["DRAW-1", "DRAW-3", "DRAW-2"]
    assert CodeModel.get("DRAW-TAKEN").campaign_id == "cmp_other"
    items = [CodeModel.get(c.code) for c in created.codes]
    assert {i.campaign_id for i in items} == {campaign.id}
    assert len({(i.created_at, i.issued_at) for i in items}) == 1  # one transaction, one time
