"""`passaparola.data.models`: a domain module imported after a `bind` is bound to the settings that bind was given."""

import pytest
from pynamodb.attributes import UnicodeAttribute
from pynamodb.models import Model

from passaparola.data import models
from passaparola.settings import get_settings


def test_a_model_registered_after_bind_takes_the_settings_bind_was_given(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(models, "_TABLES", list(models._TABLES))
    elsewhere = get_settings().model_copy(
        update={"campaigns_table": "elsewhere-campaigns", "dynamodb_endpoint_url": "http://127.0.0.1:1"}
    )
    models.bind(elsewhere)
    try:

        class LateModel(Model):
            class Meta:
                table_name = "passaparola-campaigns"

            id = UnicodeAttribute(hash_key=True)

        models.register(LateModel, "campaigns_table")
        assert (LateModel.Meta.table_name, LateModel.Meta.host) == ("elsewhere-campaigns", "http://127.0.0.1:1")
        assert models.connection().host == "http://127.0.0.1:1"
    finally:
        models.bind()
    assert LateModel.Meta.table_name == get_settings().campaigns_table


def test_every_model_imports_every_domain_module() -> None:
    names = {model.__name__ for model, _ in models.every_model()}
    assert {"CodeModel", "ShardModel", "LoyaltyRedemptionModel", "MessageModel", "PassModel"} <= names
