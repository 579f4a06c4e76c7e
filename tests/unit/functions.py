"""Calling API functions in-process from unit tests: the local gateway's own event, with a test key."""

import importlib.util
import threading
from pathlib import Path
from types import ModuleType
from typing import Any

from infra.local import iam_record
from infra.local.invoke import Reply, api_event
from infra.local.invoke import call as invoke

ROOT = Path(__file__).resolve().parents[2]
SECRET, PUBLISHABLE = "sk_test_unit", "pk_test_unit"

__all__ = ["PUBLISHABLE", "ROOT", "SECRET", "Reply", "call", "load_function"]


def load_function(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"unit_fn_{name}", ROOT / "functions" / name / "app.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    logical_id = iam_record.folder_functions().get(name, "") if iam_record.enabled() else ""
    with iam_record.function(logical_id):  # a cold start's calls are the function's too
        spec.loader.exec_module(module)
    iam_record.attribute(module, logical_id)
    return module


def call(
    module: ModuleType,
    method: str,
    path: str,
    resource: str,
    body: Any = None,
    key: str | None = SECRET,
    headers: dict[str, str] | None = None,
    query: dict[str, str] | None = None,
) -> Reply:
    sent = dict(headers or {})
    if key:
        sent |= {"Authorization": f"Bearer {key}"} if key.startswith("sk_") else {"X-Publishable-Key": key}
    return invoke(module, api_event(method, path, resource, body, sent, query))


def run_elsewhere(request: Any) -> None:
    """Another container's whole request, on its own thread (its own stack and context), before going on."""
    thread = threading.Thread(target=request)
    thread.start()
    thread.join()


def interleave(monkeypatch: Any, module: ModuleType, name: str, winner: Any) -> None:
    """The next call of `module.name` (a request's commit) first lets `winner` (another request, run to its end)
    commit: a race with a forced loser."""
    real = getattr(module, name)
    pending = [winner]

    def late(*args: Any, **kwargs: Any) -> Any:
        if pending:
            run_elsewhere(pending.pop())
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, late)
