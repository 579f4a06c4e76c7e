"""Customer ids never name one of the engine's own partitions in a table keyed by customer id."""

import re
from pathlib import Path

import pytest
from pydantic import TypeAdapter, ValidationError

import passaparola
from passaparola.coupons.models import RESERVED_CUSTOMER_IDS, CustomerIdStr
from passaparola.data import models

CUSTOMER_KEYED = {
    model.__name__
    for model, table in models._TABLES
    if table in ("customers_table", "rewards_table") and model.__name__ != "MessageModel"
}
_ids = TypeAdapter(CustomerIdStr)


def _literal_partitions() -> set[str]:
    """Every literal first key given to a customer-keyed model anywhere in the package (`Model("x", ...)`,
    `Model.get("x", ...)`), and every `f"name#..."` key of a segment change day."""
    found: set[str] = set()
    names = "|".join(sorted(CUSTOMER_KEYED))
    call = re.compile(rf"\b({names})(?:\.get)?\(\s*f?\"([^\"#{{]+)")
    for path in Path(passaparola.__file__).parent.rglob("*.py"):
        text = path.read_text()
        found |= {m.group(2) for m in call.finditer(text)}
        found |= set(re.findall(r"f\"(segchanges)#", text))
    return found


def test_every_partition_the_engine_writes_by_name_is_reserved():
    literals = _literal_partitions()
    assert {"segments", "config", "segchanges"} <= literals
    assert literals <= RESERVED_CUSTOMER_IDS


@pytest.mark.parametrize("value", sorted(RESERVED_CUSTOMER_IDS) + ["SEGMENTS", "Config", "a#b", "with space", ""])
def test_reserved_or_malformed_ids_are_refused(value):
    with pytest.raises(ValidationError):
        _ids.validate_python(value)


@pytest.mark.parametrize("value", ["c1", "segments2", "config.shop@example.com", "cus_01:ab+x-y", "x" * 128])
def test_ordinary_ids_pass(value):
    assert _ids.validate_python(value) == value
