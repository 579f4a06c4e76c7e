"""Load and invoke Lambda handlers in-process, the way the Lambda runtime would.

Every function folder has an `app.py`, so each is imported under its own module name. A powertools
resolver keeps the current event on itself, so one module instance must never serve two invocations at
once: like Lambda, each function gets a pool of "containers" (module instances), one invocation each.
"""

from __future__ import annotations

import importlib.util
import sys
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

from infra.local import iam_record
from infra.local.template import ACCOUNT_ID, DEFAULT_REGION, FunctionSpec

REPO_ROOT = Path(__file__).resolve().parents[2]
LAYER_PATHS = [REPO_ROOT / "layers" / "passaparola"]


def add_layers(paths: list[Path] | None = None) -> None:
    """Put the domain layer first on sys.path, as /opt/python is in Lambda."""
    for path in reversed(paths or LAYER_PATHS):
        p = str(path)
        if p in sys.path:
            sys.path.remove(p)
        sys.path.insert(0, p)


def load_module(spec: FunctionSpec, suffix: str = "") -> ModuleType:
    """Import `<CodeUri>/<module>.py` under a unique name (e.g. passaparola_fn_coupons)."""
    module_file, _, _ = spec.handler.rpartition(".")
    path = spec.code_dir / (module_file.replace(".", "/") + ".py")
    name = spec.module_name + suffix
    mspec = importlib.util.spec_from_file_location(name, path)
    if mspec is None or mspec.loader is None:
        raise ImportError(f"{spec.logical_id}: cannot load {path}")
    module = importlib.util.module_from_spec(mspec)
    sys.modules[name] = module  # pydantic/dataclasses look their module up while the body runs
    try:
        mspec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    return module


def handler_of(spec: FunctionSpec, module: ModuleType) -> Callable[[Any, Any], Any]:
    fn = getattr(module, spec.handler.rpartition(".")[2], None)
    if not callable(fn):
        raise ImportError(f"{spec.logical_id}: {spec.handler} is not a callable")
    return fn  # type: ignore[no-any-return]


class LambdaContext:
    """The attributes and method of the Lambda runtime's context object that code commonly uses."""

    def __init__(self, spec: FunctionSpec, region: str = DEFAULT_REGION, account_id: str = ACCOUNT_ID) -> None:
        self.function_name = f"passaparola-local-{spec.logical_id}"
        self.function_version = "$LATEST"
        self.invoked_function_arn = f"arn:aws:lambda:{region}:{account_id}:function:{self.function_name}"
        self.memory_limit_in_mb = spec.memory
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{self.function_name}"
        self.log_stream_name = f"local/{self.aws_request_id}"
        self.identity = None
        self.client_context = None
        self.tenant_id = None
        self._deadline = time.monotonic() + spec.timeout

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


class _PerThread:
    """A data descriptor whose value is per thread (one in-flight invocation per thread)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __get__(self, obj: Any, owner: Any = None) -> Any:
        return getattr(_invocation, self.name, None)

    def __set__(self, obj: Any, value: Any) -> None:
        setattr(_invocation, self.name, value)


_invocation = threading.local()
_isolated = False


def isolate_event_handlers() -> None:
    """Make powertools' resolvers safe for concurrent invocations in one process.

    `resolve()` stores the event as a class attribute (`BaseRouter.current_event = ...`): in Lambda a
    process serves one event at a time, but the local stack serves each invocation on its own thread, so a
    concurrent request of any function would overwrite it and a handler could read another request's event
    (two orders answered with one redemption). Here both the class-level and instance-level attribute
    resolve to a per-thread value, which is exactly Lambda's one-event-per-process model.
    """
    global _isolated
    if _isolated:
        return
    from aws_lambda_powertools.event_handler.api_gateway import BaseRouter

    names = ("current_event", "lambda_context")
    for name in names:
        setattr(BaseRouter, name, _PerThread(name))  # instance access: the descriptor in the class
    meta = type(BaseRouter)
    BaseRouter.__class__ = type(  # type: ignore[assignment]
        "PerThreadRouterMeta", (meta,), {name: _PerThread(name) for name in names}
    )  # class access (`BaseRouter.current_event = ...`): the metaclass's data descriptor wins
    _isolated = True


class FunctionPool:
    """Module instances of one function, each serving one invocation at a time (Lambda's concurrency model)."""

    def __init__(self, spec: FunctionSpec) -> None:
        isolate_event_handlers()
        self.spec = spec
        # `make iam-check`'s recording: the calls of template.yaml's functions (not of the tests' fixture stacks)
        self.recorded_as = "" if spec.code_dir.is_relative_to(REPO_ROOT / "tests") else spec.logical_id
        self._idle: list[ModuleType] = []
        self._lock = threading.Lock()
        self.size = 0
        self.first = self._new()  # import errors surface at start-up, not on the first request
        self._idle.append(self.first)

    def _new(self) -> ModuleType:
        self.size += 1
        with iam_record.function(self.recorded_as):
            return load_module(self.spec, "" if self.size == 1 else f"__{self.size}")

    def invoke(self, event: Any) -> Any:
        with self._lock:
            module = self._idle.pop() if self._idle else None
        if module is None:
            with _IMPORT_LOCK:  # imports are not re-entrant across threads for the same name
                module = self._new()
        try:
            with iam_record.function(self.recorded_as):
                return handler_of(self.spec, module)(event, LambdaContext(self.spec))
        finally:
            with self._lock:
                self._idle.append(module)


_IMPORT_LOCK = threading.Lock()
