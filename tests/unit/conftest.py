"""Unit tests run against moto in-process, with tables created from template.yaml (the one source of truth)."""

from collections.abc import Iterator
from types import ModuleType

import pytest
from moto import mock_aws

from infra.local.aws import create_tables
from infra.local.invoke import reset_containers
from infra.local.moto_fixes import apply as fix_moto_transactions
from infra.local.template import Template, merged_environment
from passaparola import clock
from tests.unit.functions import PUBLISHABLE, ROOT, SECRET, load_function

fix_moto_transactions()


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A fresh, empty AWS with every table of template.yaml and the two test keys."""
    with mock_aws():
        template = Template(ROOT / "template.yaml")
        create_tables(template, None)
        environment, _ = merged_environment(template.functions())
        for name, value in environment.items():
            monkeypatch.setenv(name, value)
        monkeypatch.delenv("DYNAMODB_ENDPOINT_URL", raising=False)
        reset_containers()
        from passaparola.api.keys import store_key

        store_key(SECRET, "secret", "unit tests")
        store_key(PUBLISHABLE, "publishable", "unit tests")
        yield
        clock.set_clock(None)
        reset_containers()


@pytest.fixture
def coupons_fn(aws: None) -> ModuleType:
    return load_function("coupons")


@pytest.fixture
def campaigns_fn(aws: None) -> ModuleType:
    return load_function("campaigns")
