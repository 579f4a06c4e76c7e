"""The passes table: a pass issued once per customer, device registrations, the 'updated since' listing."""

from datetime import UTC, datetime, timedelta

import pytest

from passaparola.errors import NotFound

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def data(aws: None):  # type: ignore[no-untyped-def]
    from passaparola.data import models, passes
    from passaparola.data.models.customers import CustomerModel

    models.bind()
    CustomerModel("c1", "facts", version=3).save()
    return passes


def test_issue_pass_creates_the_pass_once_and_marks_the_customer(data) -> None:  # type: ignore[no-untyped-def]
    from passaparola.data import customers

    first = data.issue_pass("c1", "pp-abc", T0)
    again = data.issue_pass("c1", "pp-abc", T0 + timedelta(days=1))
    assert (first.serial, first.customer_id, first.created_at) == ("pp-abc", "c1", "2026-03-01T12:00:00.000Z")
    assert again.created_at == first.created_at
    record = customers.read("c1")
    assert record is not None and record.pass_serial == "pp-abc" and record.version == 3  # version untouched


def test_issue_pass_for_an_unknown_customer_is_404(data) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(NotFound):
        data.issue_pass("nobody", "pp-x", T0)
    assert data.get_pass("pp-x") is None


def test_register_unregister_and_updated_since(data) -> None:  # type: ignore[no-untyped-def]
    data.issue_pass("c1", "pp-abc", T0)
    assert data.register("pp-abc", "dev1", "tok1", T0) is True
    assert data.register("pp-abc", "dev1", "tok2", T0) is False
    assert data.register("pp-abc", "dev2", "tok3", T0) is True
    assert sorted((r.device, r.push_token) for r in data.registrations("pp-abc")) == [
        ("dev1", "tok2"),
        ("dev2", "tok3"),
    ]
    assert [p.serial for p in data.serials_for_device("dev1", None)] == ["pp-abc"]
    tag = data.get_pass("pp-abc").updated_at
    assert data.serials_for_device("dev1", tag) == []
    data.touch("pp-abc", T0 + timedelta(minutes=5))
    assert [p.serial for p in data.serials_for_device("dev1", tag)] == ["pp-abc"]
    data.touch("pp-missing", T0)  # no pass: nothing happens
    assert data.get_pass("pp-missing") is None
    assert data.unregister("pp-abc", "dev1") is True
    assert data.unregister("pp-abc", "dev1") is False
    assert data.serials_for_device("dev1", None) == []
    assert [r.device for r in data.registrations("pp-abc")] == ["dev2"]
