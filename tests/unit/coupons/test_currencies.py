"""The checked-in ISO 4217 list: codes in use with their minor units, nothing that is not money."""

import pytest
from pydantic import TypeAdapter, ValidationError

from passaparola.coupons.models import Currency
from passaparola.currencies import CODES, MINOR_UNITS

_currency = TypeAdapter(Currency)


def test_the_list_is_iso_4217_in_use_with_minor_units():
    assert 150 <= len(CODES) <= 185
    assert all(len(c) == 3 and c.isalpha() and c.isupper() for c in CODES)
    assert {c: MINOR_UNITS[c] for c in ("EUR", "USD", "JPY", "KRW", "KWD", "BHD", "CLF", "XOF")} == {
        "EUR": 2, "USD": 2, "JPY": 0, "KRW": 0, "KWD": 3, "BHD": 3, "CLF": 4, "XOF": 0,
    }  # fmt: skip
    # not money a shop charges: no currency, testing, precious metals, SDR; withdrawn codes
    assert not CODES & {"XXX", "XTS", "XAU", "XAG", "XDR", "XBA", "HRK", "LTL", "VEF", "ZMK", "DEM"}


@pytest.mark.parametrize("value", ["EUR", "JPY", "GBP", "CHF"])
def test_codes_in_use_pass(value):
    assert _currency.validate_python(value) == value


@pytest.mark.parametrize("value", ["ABC", "XXX", "XTS", "HRK", "eur", "EURO", ""])
def test_anything_else_is_refused(value):
    with pytest.raises(ValidationError):
        _currency.validate_python(value)


def _stored_campaign(currency: str, **spec: object):
    """A campaign as an older release stored it, when any three capital letters passed."""
    import json
    from datetime import UTC, datetime

    from passaparola.data.models.campaigns import CampaignModel

    now = datetime(2026, 3, 1, tzinfo=UTC)
    fields = {"name": "Kuna days", "discount": {"type": "amount", "amount_off": 500}, "rules": {"currency": currency}}
    return CampaignModel(
        "cmp_kuna", type="discount", enabled=True, version=1, created_at=now, updated_at=now,
        spec=json.dumps(fields | spec | {"metadata": {}}),
    )  # fmt: skip


def test_stored_data_with_a_withdrawn_code_still_loads():
    """The ISO list is checked on what a request brings in, never on what is already stored."""
    from passaparola.customers.models import SegmentCreate
    from passaparola.data.campaigns import to_campaign

    assert to_campaign(_stored_campaign("HRK")).rules.currency == "HRK"
    spec = '{"name": "kuna", "conditions": [{"field": "total_spent", "op": "gte", "value": 1, "currency": "HRK"}]}'
    assert SegmentCreate.model_validate_json(spec, context={"stored": True}).conditions[0].currency == "HRK"
    with pytest.raises(ValidationError):
        SegmentCreate.model_validate_json(spec)  # a request


def test_a_request_with_a_withdrawn_code_is_refused():
    from passaparola.campaigns.models import CampaignCreate

    with pytest.raises(ValidationError):
        TypeAdapter(CampaignCreate).validate_python(
            {
                "name": "x",
                "type": "discount",
                "discount": {"type": "amount", "amount_off": 5},
                "rules": {"currency": "HRK"},
            }
        )


def test_a_stored_campaign_with_a_withdrawn_code_can_still_be_patched_but_not_given_one(aws: None) -> None:
    from passaparola.campaigns import service
    from passaparola.campaigns.models import CampaignPatch
    from passaparola.errors import InvalidRequest

    _stored_campaign("HRK").save()
    assert service.update("cmp_kuna", CampaignPatch(name="Kuna days, last week")).rules.currency == "HRK"
    with pytest.raises(InvalidRequest) as refused:
        service.update("cmp_kuna", CampaignPatch(rules={"currency": "LTL"}))
    assert "rules.currency" in str(refused.value.details)
    assert service.update("cmp_kuna", CampaignPatch(rules={"currency": "EUR"})).rules.currency == "EUR"
