"""Test-only: record every AWS call a function's code makes, by the function's LogicalId in template.yaml.

Off unless PASSAPAROLA_IAM_RECORD=<directory> is set (`make test` sets it). Then `install()` wraps botocore's
`BaseClient._make_api_call` (as the benches do), and each call made while a function runs (`function(lid)`, set
by the local stack around each invocation and by the unit tests around each handler) is written once per
process to `<directory>/calls-<pid>.jsonl` as {function, service, operation, action, resource}: the IAM action
the call needs and the resource it names, an ARN whose names are the template's LogicalIds (a table name, a
queue URL, a topic ARN or a secret id is mapped back through the function's environment variables, which
template.yaml sets from `!Ref`/`!GetAtt`). `make iam-check` (infra/tools/iam_check.py) compares them with the
policies. Nothing here is packaged: functions/ and layers/ never import it.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import os
import re
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from functools import cache, lru_cache
from pathlib import Path
from types import ModuleType
from typing import Any

ENV = "PASSAPAROLA_IAM_RECORD"
ROOT = Path(__file__).resolve().parents[2]
REGION, ACCOUNT = "us-east-1", "123456789012"  # recorded ARNs are canonical: the check resolves policies alike

_current: contextvars.ContextVar[str] = contextvars.ContextVar("passaparola_iam_function", default="")
_lock = threading.Lock()
_seen: set[tuple[str, ...]] = set()
_state: dict[str, Any] = {"dir": None, "file": None, "installed": False, "echoes": False}

# IAM service prefix of a botocore service name, where they differ
_PREFIX = {"sesv2": "ses"}
# operations whose IAM action has another name (batch forms need the single action)
_ACTION = {
    ("sqs", "SendMessageBatch"): "SendMessage",
    ("sqs", "DeleteMessageBatch"): "DeleteMessage",
    ("sqs", "ChangeMessageVisibilityBatch"): "ChangeMessageVisibility",
    ("sns", "PublishBatch"): "Publish",
}
_TRANSACT = {"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem", "ConditionCheck": "ConditionCheckItem"}


def enabled() -> bool:
    return bool(_state["installed"])


def install(directory: str | Path | None = None) -> bool:
    """Start recording into `directory` (default: $PASSAPAROLA_IAM_RECORD); False when recording is off."""
    directory = directory or os.environ.get(ENV, "")
    if not directory:
        return False
    with _lock:
        if _state["installed"]:
            return True
        path = Path(directory)
        path.mkdir(parents=True, exist_ok=True)
        _state["dir"] = path
        _environment_targets()  # the template is parsed once, now: not by every thread of a burst of first calls
        _patch_botocore()
        _patch_executor()
        _state["installed"] = True
    return True


@contextlib.contextmanager
def function(logical_id: str) -> Iterator[None]:
    """Calls made inside are the function `logical_id`'s (a no-op when not recording)."""
    if not _state["installed"]:
        yield
        return
    if not _state["echoes"]:
        _echo_cached_reads()
    token = _current.set(logical_id)
    try:
        yield
    finally:
        _current.reset(token)


def attribute(module: ModuleType, logical_id: str, handler: str = "lambda_handler") -> None:
    """Wrap `module.<handler>` so that its calls are `logical_id`'s (unit tests load handlers themselves)."""
    inner = getattr(module, handler, None)
    if not _state["installed"] or not callable(inner):
        return

    def wrapped(event: Any, context: Any) -> Any:
        with function(logical_id):
            return inner(event, context)

    setattr(module, handler, wrapped)


@cache
def folder_functions() -> dict[str, str]:
    """functions/<folder> -> the LogicalId whose CodeUri it is."""
    out: dict[str, str] = {}
    for lid, res in _template_resources().items():
        if res.get("Type") == "AWS::Serverless::Function":
            code = str((res.get("Properties") or {}).get("CodeUri") or "")
            out[Path(code).name] = lid
    return out


# ------------------------------------------------------------------------------------------------ hooks
def _patch_botocore() -> None:
    from botocore.client import BaseClient

    original = getattr(BaseClient, "_make_api_call")  # noqa: B009 - private in the stubs

    def _make_api_call(client: Any, operation_name: str, api_params: dict[str, Any]) -> Any:
        lid = _current.get()
        if lid:
            try:
                _record(lid, client.meta.service_model.service_name, operation_name, api_params)
            except Exception:  # noqa: BLE001 - recording never changes what the code under test sees
                _write({"function": lid, "operation": operation_name, "error": "unrecorded"})
        return original(client, operation_name, api_params)

    setattr(BaseClient, "_make_api_call", _make_api_call)  # noqa: B010


def _patch_executor() -> None:
    """Work a function hands to a thread pool is still the function's (contextvars do not cross threads)."""
    original = ThreadPoolExecutor.submit

    def submit(self: ThreadPoolExecutor, fn: Any, /, *args: Any, **kwargs: Any) -> Any:
        if not _current.get():
            return original(self, fn, *args, **kwargs)
        return original(self, contextvars.copy_context().run, fn, *args, **kwargs)

    setattr(ThreadPoolExecutor, "submit", submit)  # noqa: B010


def _echo_cached_reads() -> None:
    """Record the read a cold container makes even when a warm cache answers.

    In Lambda each function has its own process; here every function shares the layer's per-container caches
    (signing keys, API keys, campaigns), so a read another function made first would hide this one's (and a
    missing grant with it). The cached paths are wrapped to record what their cold path calls; nothing else
    changes. Imported here, at the first invocation, when the layer is on sys.path.
    """
    _state["echoes"] = True
    try:
        from passaparola import keyring
        from passaparola.api import keys
        from passaparola.data import campaigns
    except ImportError:
        return

    def echo(module: Any, name: str, call: Any) -> None:
        inner = getattr(module, name)

        def wrapped(*args: Any, **kwargs: Any) -> Any:
            result = inner(*args, **kwargs)
            lid = _current.get()
            if lid:
                service, operation, params = call(*args, **kwargs)
                if all(params.values()):
                    _record(lid, service, operation, params)
            return result

        setattr(module, name, wrapped)

    echo(
        keyring,
        "keys",
        lambda purpose, *_, **__: ("secretsmanager", "GetSecretValue", {"SecretId": keyring._arn(purpose)}),
    )
    echo(keys, "lookup", lambda *_: ("dynamodb", "GetItem", {"TableName": os.environ.get("API_KEYS_TABLE", "")}))
    echo(
        campaigns,
        "get_cached",
        lambda *_, **__: ("dynamodb", "GetItem", {"TableName": os.environ.get("CAMPAIGNS_TABLE", "")}),
    )


# ------------------------------------------------------------------------------------------- recording
def _record(lid: str, service: str, operation: str, params: dict[str, Any]) -> None:
    prefix = _PREFIX.get(service, service)
    for action, resource in _actions(lid, service, operation, params):
        key = (lid, prefix, operation, action, resource)
        if key in _seen:
            continue
        with _lock:
            if key in _seen:
                continue
            _seen.add(key)
        _write(
            {
                "function": lid,
                "service": prefix,
                "operation": operation,
                "action": f"{prefix}:{action}",
                "resource": resource,
            }
        )


def _write(row: dict[str, Any]) -> None:
    with _lock:
        if _state["file"] is None:
            _state["file"] = (_state["dir"] / f"calls-{os.getpid()}.jsonl").open("a", encoding="utf-8", buffering=1)
        _state["file"].write(json.dumps(row, sort_keys=True) + "\n")


def _arn(service: str, rest: str, region: str = REGION, account: str = ACCOUNT) -> str:
    return f"arn:aws:{service}:{region}:{account}:{rest}"


def _actions(lid: str, service: str, operation: str, p: dict[str, Any]) -> list[tuple[str, str]]:  # noqa: C901
    """(IAM action without prefix, resource ARN) pairs one call needs."""
    name = _ACTION.get((service, operation), operation)
    if service == "dynamodb":
        table = lambda raw: _arn("dynamodb", f"table/{_logical(lid, raw, 'passaparola-local-')}")  # noqa: E731
        if operation in ("TransactWriteItems", "TransactGetItems"):
            out = []
            for item in p.get("TransactItems") or []:
                for kind, body in item.items():
                    out.append((_TRANSACT.get(kind, "GetItem" if kind == "Get" else kind), table(body["TableName"])))
            return out
        if operation in ("BatchGetItem", "BatchWriteItem"):
            return [(name, table(t)) for t in p.get("RequestItems") or {}]
        if "TableName" in p:
            index = p.get("IndexName")
            return [(name, table(p["TableName"]) + (f"/index/{index}" if index else ""))]
        return [(name, "*")]
    if service == "sqs":
        url = p.get("QueueUrl") or p.get("QueueName") or ""
        queue = _logical(lid, url, "passaparola-local-") if url else "*"
        return [(name, _arn("sqs", queue) if url else "*")]
    if service == "sns":
        topic = p.get("TopicArn") or p.get("TargetArn")
        if topic:
            return [(name, _arn("sns", _logical(lid, topic, "passaparola-local-")))]
        return [(name, "phone-number" if p.get("PhoneNumber") else "*")]
    if service in ("ses", "sesv2"):
        sender = p.get("Source") or p.get("FromEmailAddress") or p.get("FromArn") or "*"
        sender = re.sub(r"^.*<([^>]+)>.*$", r"\1", str(sender))
        out = [(name, _arn("ses", f"identity/{sender}"))]
        if p.get("ConfigurationSetName"):
            out.append((name, _arn("ses", f"configuration-set/{_logical(lid, p['ConfigurationSetName'])}")))
        return out
    if service == "secretsmanager":
        secret = p.get("SecretId")
        return [(name, _arn("secretsmanager", f"secret:{_logical(lid, secret)}") if secret else "*")]
    if service == "events":
        buses = {e.get("EventBusName") or "default" for e in p.get("Entries") or []} or {"default"}
        return [(name, _arn("events", f"event-bus/{_logical(lid, b)}")) for b in sorted(buses)]
    if service == "cognito-idp":
        pool = p.get("UserPoolId")
        return [(name, _arn("cognito-idp", f"userpool/{_logical(lid, pool)}") if pool else "*")]
    if service == "s3" and p.get("Bucket"):
        return [(name, f"arn:aws:s3:::{_logical(lid, p['Bucket'])}" + (f"/{p['Key']}" if p.get("Key") else ""))]
    return [(name, "*")]


@lru_cache(maxsize=4096)  # names are unique: a name once mapped stays mapped (the per-call cost stays small)
def _logical(lid: str, raw: Any, strip: str = "") -> str:
    """The LogicalId (or Parameter) a physical identifier stands for, through the function's environment; else
    the identifier's last segment without the local stack's name prefix."""
    raw = str(raw)
    for var, target in _environment_targets().get(lid, {}).items():
        if os.environ.get(var) == raw and raw:
            return target
    last = re.split(r"[/:]", raw.rstrip("/"))[-1]
    if strip and last.startswith(strip) and last[len(strip) :] in _template_resources():
        return last[len(strip) :]
    return last


@cache
def _template() -> dict[str, Any]:
    from infra.local.template import load_yaml

    return load_yaml(ROOT / "template.yaml")


def _template_resources() -> dict[str, dict[str, Any]]:
    return _template().get("Resources") or {}


@cache
def _environment_targets() -> dict[str, dict[str, str]]:
    """LogicalId -> {environment variable -> the resource or parameter its template value names}."""
    doc = _template()
    names = set(doc.get("Resources") or {}) | set(doc.get("Parameters") or {})
    glob = (((doc.get("Globals") or {}).get("Function") or {}).get("Environment") or {}).get("Variables") or {}
    out: dict[str, dict[str, str]] = {}
    for lid, res in (doc.get("Resources") or {}).items():
        if res.get("Type") != "AWS::Serverless::Function":
            continue
        own = (((res.get("Properties") or {}).get("Environment") or {}).get("Variables")) or {}
        out[lid] = {var: t for var, value in {**glob, **own}.items() if (t := _named(value, names))}
    return out


def _named(value: Any, names: set[str]) -> str:
    """The first resource/parameter a template value references (`!Ref X`, `!GetAtt X.Attr`, inside `!If`)."""
    if isinstance(value, dict):
        if "Ref" in value and value["Ref"] in names:
            return str(value["Ref"])
        if "Fn::GetAtt" in value:
            target = value["Fn::GetAtt"]
            target = target[0] if isinstance(target, list) else str(target).split(".")[0]
            return str(target) if target in names else ""
        if "Fn::If" in value:
            for branch in value["Fn::If"][1:]:
                if found := _named(branch, names):
                    return found
    return ""
