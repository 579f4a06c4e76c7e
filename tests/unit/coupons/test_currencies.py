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
