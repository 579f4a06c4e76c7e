"""docs/events/ is generated from the types and current; an event as built validates against its type's schema."""

import json

import jsonschema
import pytest

from infra.tools.openapi import REPO_ROOT, _stale_events, event_documents
from passaparola.events import outbox
from passaparola.events.types import TYPES


def test_docs_events_are_current() -> None:
    assert _stale_events(REPO_ROOT / "docs" / "events") == []
    assert set(event_documents()) == {f"{t}.json" for t in TYPES} | {"README.md"}


@pytest.mark.parametrize(
    ("event_type", "data"),
    [
        (
            "coupon.redeemed",
            {"code": "A", "campaign_id": "c", "redemption_id": "r", "order_id": "o", "discount": 5, "currency": "EUR"},
        ),
        ("tier.changed", {"from": None, "to": "gold"}),
        ("customer.erased", {}),
    ],
)
def test_an_event_conforms_to_its_schema(event_type: str, data: dict[str, object]) -> None:
    schema = json.loads((REPO_ROOT / "docs" / "events" / f"{event_type}.json").read_text())
    event = outbox.build(event_type, data, customer_id="cus_1").model_dump(mode="json")
    jsonschema.validate(event, schema, cls=jsonschema.Draft202012Validator)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**event, "type": "other"}, schema, cls=jsonschema.Draft202012Validator)


def test_a_stale_file_is_reported(tmp_path) -> None:
    for name, text in event_documents().items():
        (tmp_path / name).write_text(text)
    (tmp_path / "coupon.melted.json").write_text("{}")
    (tmp_path / "tier.changed.json").write_text("{}")
    assert _stale_events(tmp_path) == ["coupon.melted.json", "tier.changed.json"]
