"""The data layer's models, one module per domain (`models/coupons.py`, `models/loyalty.py`...), and what they share.

A function imports only the domains it uses: a redirect builds the referral models, not loyalty's or messaging's.
Each domain module `register`s its models when it is imported; table names and endpoint come from the settings
`bind()` was last given (or `get_settings()`), so a module first imported after a test's `bind` is bound alike.
"""

import threading
from typing import Any

import botocore.session
import pynamodb.connection.base
from pynamodb.connection import Connection
from pynamodb.models import Model

from passaparola.settings import Settings, get_settings

_TABLES: list[tuple[type[Model], str]] = []
"""Every imported model with the setting that names its table (`campaigns_table`...)."""
_settings: Settings | None = None
_connection: Connection | None = None


_sessions = threading.local()


def _shared_session(env_vars: dict[str, tuple[Any, Any, Any, Any]] | None = None) -> botocore.session.Session:
    """One botocore session per thread for every model's connection.

    pynamodb gives each model's connection its own session, so the first request of a cold container built one
    session per table it touched, each parsing botocore's DynamoDB model and endpoint files again (a cold order:
    8 sessions). Clients made from one session share its loaded files. Per thread, as pynamodb's own sessions are:
    creating clients from one session is not thread-safe, and the local stack serves requests on threads.
    """
    session = getattr(_sessions, "session", None)
    if session is None:
        session = _sessions.session = botocore.session.get_session(env_vars)
    return session


pynamodb.connection.base.get_session = _shared_session


def _current() -> Settings:
    return _settings or get_settings()


def bind(settings: Settings | None = None) -> None:
    """Point every model imported so far, and every one registered later, at these settings' tables and endpoint.

    Only settings given explicitly are kept for the models registered later; without them, later ones follow
    `get_settings()` as it is then (a test may clear its cache and change the environment)."""
    global _connection, _settings
    _settings = settings
    current = _current()
    for model, attr in _TABLES:
        _bind_one(model, attr, current)
    _connection = None


def _bind_one(model: type[Model], attr: str, s: Settings) -> None:
    model.Meta.table_name = getattr(s, attr)
    model.Meta.region = s.aws_region
    model.Meta.host = s.dynamodb_endpoint_url
    model.Meta.max_pool_connections = 64
    model._connection = None


def register(model: type[Model], attr: str) -> None:
    """A domain module's model (its table: the setting `attr`): bound now and by every later `bind`."""
    _TABLES.append((model, attr))
    _bind_one(model, attr, _current())


def every_model() -> list[tuple[type[Model], str]]:
    """Every domain module imported, then every model with its table setting: for the checks that walk them all
    (the template's keys, the static IAM check), never on a request's path."""
    import importlib
    import pkgutil

    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")
    return list(_TABLES)


def connection() -> Connection:
    """The connection transactions run on (pynamodb's TransactGet/TransactWrite need one)."""
    global _connection
    if _connection is None:
        s = _current()
        _connection = Connection(region=s.aws_region, host=s.dynamodb_endpoint_url, max_pool_connections=64)
    return _connection
