"""Each function imports the campaign types it uses: the program campaigns load at their first use, and a coupon's or
a redirect's handler never imports the loyalty and messaging models (issue 16)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import TypeAdapter, ValidationError

from bench.loyalty import PROGRAM as LOYALTY
from bench.referrals import PROGRAM as REFERRAL
from passaparola.campaigns import models
from passaparola.data.campaigns import CAMPAIGN_CLASSES, to_campaign
from passaparola.data.models.campaigns import CampaignModel

ROOT = Path(__file__).resolve().parents[3]
HEAVY = (
    "passaparola.campaigns.programs",
    "passaparola.campaigns.loyalty",
    "passaparola.campaigns.reengagement",
    "passaparola.campaigns.referral",
    "passaparola.loyalty.models",
    "passaparola.messages.models",
    "passaparola.referrals.models",
)


@pytest.mark.parametrize("name", sorted(models.LAZY))
def test_every_lazy_name_is_the_defining_modules(name: str) -> None:
    module = __import__(f"passaparola.campaigns.{models.LAZY[name]}", fromlist=[name])
    assert getattr(models, name) is getattr(module, name)


def test_an_unknown_name_is_still_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="NoSuchCampaign"):
        models.NoSuchCampaign  # noqa: B018


def loaded_by(function: str) -> list[str]:
    """The heavy modules a fresh process has after importing the function's handler from the source tree."""
    probe = f"import sys, app; print(__import__('json').dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    env = {**os.environ, "PYTHONPATH": f"{ROOT / 'functions' / function}{os.pathsep}{ROOT / 'layers' / 'passaparola'}"}
    proc = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
    result: list[str] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def test_the_coupons_handler_imports_no_program_campaign() -> None:
    assert loaded_by("coupons") == []


def test_a_redirect_imports_the_referral_campaign_only() -> None:
    assert loaded_by("redirects") == ["passaparola.campaigns.referral", "passaparola.referrals.models"]


def item(kind: str, spec: dict[str, object]) -> CampaignModel:
    at = datetime(2026, 1, 1, tzinfo=UTC)
    return CampaignModel(
        "cmp_1", type=kind, spec=json.dumps(spec), enabled=True, version=1, created_at=at, updated_at=at
    )


SPECS: dict[str, dict[str, object]] = {
    kind: {k: v for k, v in body.items() if k != "type"}
    for kind, body in (
        (
            "discount",
            {"name": "D", "discount": {"type": "percent", "percent_off": 10}, "rules": {"max_redemptions": 5}},
        ),
        ("referral", REFERRAL),
        ("loyalty", LOYALTY),
    )
}


@pytest.mark.parametrize("kind", sorted(SPECS))
def test_a_stored_campaign_is_read_as_the_union_reads_it(kind: str) -> None:
    union: TypeAdapter[models.AnyCampaign] = TypeAdapter(models.Campaign)
    stored = item(kind, SPECS[kind])
    expected = union.validate_python(json.loads(stored.spec) | {
        "id": "cmp_1", "type": kind, "enabled": True, "version": 1,
        "created_at": stored.created_at, "updated_at": stored.updated_at,
    })  # fmt: skip
    read = to_campaign(stored)
    assert type(read).__name__ == CAMPAIGN_CLASSES[kind]
    assert read.model_dump(exclude={"stats"}) == expected.model_dump(exclude={"stats"})


def test_an_unknown_stored_type_fails_as_the_union_does() -> None:
    with pytest.raises(ValidationError, match="union_tag_invalid|does not match any of the expected tags"):
        to_campaign(item("lottery", {"name": "X"}))
