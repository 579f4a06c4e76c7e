"""Shared helpers: paths, statistics, the summary table, an in-process moto AWS and a Lambda-like caller."""

from __future__ import annotations

import contextlib
import importlib.util
import io
import os
import platform
import statistics
import sys
import uuid
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from infra.local.invoke import api_event, call, reset_containers

ROOT = Path(__file__).resolve().parents[1]
LAYER = ROOT / "layers" / "passaparola"
for _p in (str(LAYER), str(ROOT)):
    if _p not in sys.path:
        sys.path.insert(0, _p)

SECRET, PUBLISHABLE = "sk_bench_secret", "pk_bench_publishable"


# ------------------------------------------------------------------------------------------ summary
@dataclass
class Row:
    part: str
    operation: str
    figure: str
    target: str
    met: bool | None  # None: informative, no target


SUMMARY: list[Row] = []


def record(part: str, operation: str, figure: str, target: str = "", met: bool | None = None) -> None:
    SUMMARY.append(Row(part, operation, figure, target, met))


def print_summary() -> None:
    if not SUMMARY:
        return
    print("\n== Summary " + "=" * 90)
    rows = [("part", "operation", "figure", "target", "met")]
    rows += [
        (r.part, r.operation, r.figure, r.target or "-", "-" if r.met is None else ("yes" if r.met else "NO"))
        for r in SUMMARY
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    for i, r in enumerate(rows):
        print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
        if i == 0:
            print("  ".join("-" * w for w in widths))


def machine() -> str:
    return f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"


# ---------------------------------------------------------------------------------------- statistics
def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def median(values: list[float]) -> float:
    return statistics.median(values)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


# ------------------------------------------------------------------------------------- environment
def quiet_powertools() -> None:
    """No INFO log lines for each call in in-process parts (the round trips do not depend on logging)."""
    os.environ["POWERTOOLS_LOG_LEVEL"] = "WARNING"


@contextlib.contextmanager
def in_process_aws(queues: bool = False) -> Iterator[None]:
    """moto in-process with every table of template.yaml (and its queues), the env a function has, two keys."""
    os.environ.setdefault("AWS_REGION", "us-east-1")
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    from moto import mock_aws

    from infra.local import aws
    from infra.local.template import Template, merged_environment

    warnings.filterwarnings("ignore", message="No application metrics to publish")
    saved = dict(os.environ)
    try:
        with mock_aws():
            template = Template(ROOT / "template.yaml")
            aws.create_tables(template, None)
            if queues:
                aws.create_queues(template, None)  # type: ignore[arg-type]  # None: the mocked default endpoint
            environment, _ = merged_environment(template.functions())
            os.environ.update(environment)
            for name in ("DYNAMODB_ENDPOINT_URL", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB"):
                os.environ.pop(name, None)
            quiet_powertools()
            reset_containers()
            from passaparola.api.keys import store_key

            store_key(SECRET, "secret", "bench")
            store_key(PUBLISHABLE, "publishable", "bench")
            yield
            reset_containers()
    finally:
        for name in set(os.environ) - set(saved):
            os.environ.pop(name, None)
        os.environ.update(saved)


def load_function(name: str) -> ModuleType:
    """A fresh "container" of a function: its app.py imported under a unique module name."""
    spec = importlib.util.spec_from_file_location(f"bench_fn_{name}", ROOT / "functions" / name / "app.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def invoke(
    module: ModuleType, method: str, path: str, resource: str, body: Any = None, key: str = SECRET, **kwargs: Any
) -> tuple[int, Any]:
    """Call a function's lambda_handler as API Gateway would; powertools' metric flush is swallowed."""
    auth = {"Authorization": f"Bearer {key}"} if key.startswith("sk_") else {"X-Publishable-Key": key}
    headers = auth | (kwargs.pop("headers", None) or {})
    with contextlib.redirect_stdout(io.StringIO()):
        reply = call(module, api_event(method, path, resource, body, headers, **kwargs))
    return reply.status, reply.body


def ok(reply: tuple[int, Any], *expected: int) -> Any:
    """The body of an `invoke` answer with an expected status; anything else stops the bench."""
    status, body = reply
    if status not in expected:
        raise RuntimeError(f"HTTP {status} {body}")
    return body


def discount_with_code(campaigns_fn: ModuleType, prefix: str) -> tuple[str, str]:
    """Set-up: a 10 % discount campaign that never runs out, and one public code of it: (campaign id, code)."""
    campaign = ok(
        invoke(
            campaigns_fn,
            "POST",
            "/v1/campaigns",
            "/v1/campaigns",
            {
                "name": "bench 10 %",
                "type": "discount",
                "discount": {"type": "percent", "percent_off": 10},
                "rules": {"max_redemptions": 1_000_000, "max_redemptions_per_code": 1_000_000},
            },
        ),
        201,
    )["id"]
    code = prefix + uuid.uuid4().hex[:10].upper()
    ok(
        invoke(
            campaigns_fn, "POST", f"/v1/campaigns/{campaign}/codes", "/v1/campaigns/{campaign_id}/codes", {"code": code}
        ),
        201,
    )
    return campaign, code
