"""An in-process local stack over a small fixture template (fixtures/), shared by the module's tests.

The stack rewrites os.environ (endpoints, credentials): the snapshot is restored afterwards so the
other unit tests (moto in-process) are not pointed at a stopped server.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from infra.local.stack import Stack, StackConfig

FIXTURES = Path(__file__).parent / "fixtures"
TEMPLATE = FIXTURES / "template.yaml"


@pytest.fixture(scope="package")
def stored_keys() -> list[tuple[str, str, str]]:
    return []


@pytest.fixture(scope="package")
def local_stack(stored_keys: list[tuple[str, str, str]]) -> Iterator[Stack]:
    saved_env = dict(os.environ)
    saved_path = list(sys.path)
    config = StackConfig(
        template=TEMPLATE,
        port=0,
        schedules=False,
        pollers=True,
        layer_paths=[],
        key_store=lambda raw, kind, name: stored_keys.append((raw, kind, name)),
        secret_key="sk_test_local",
        publishable_key="pk_test_local",
    )
    stack = Stack(config).start()
    try:
        yield stack
    finally:
        stack.stop()
        os.environ.clear()
        os.environ.update(saved_env)
        sys.path[:] = saved_path
        settings = sys.modules.get("passaparola.settings")
        if settings is not None:
            settings.get_settings.cache_clear()
