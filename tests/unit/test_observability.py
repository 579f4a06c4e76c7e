"""The tracer in Lambda (tracing on): AWS calls are traced from the start, httpx only once a module that uses it asks,
so a function that makes no HTTP call never imports httpx (X-Ray's patch_all imported it, and sqlite3, everywhere)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json, sys
from passaparola import observability
import botocore.client, botocore.httpsession
seen = {"tracing": not observability.tracer.disabled, "httpx": "httpx" in sys.modules, "sqlite3": "sqlite3" in sys.modules,
        "botocore": hasattr(botocore.client, "_xray_enabled"), "pynamodb": hasattr(botocore.httpsession, "_xray_enabled")}
import httpx
seen["httpx_before"] = httpx.Client.__name__
observability.trace_httpx()
observability.trace_httpx()
seen["httpx_after"] = httpx.Client.__name__
print(json.dumps(seen))
"""


def run(env: dict[str, str]) -> dict[str, object]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("POWERTOOLS_", "LAMBDA_", "AWS_SAM"))}
    base["PYTHONPATH"] = str(ROOT / "layers" / "passaparola")
    proc = subprocess.run(
        [sys.executable, "-c", PROBE], env=base | env, capture_output=True, text=True, check=True, timeout=60
    )
    result: dict[str, object] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def test_in_lambda_aws_calls_are_traced_and_httpx_waits_for_its_users(tmp_path: Path) -> None:
    seen = run({"LAMBDA_TASK_ROOT": str(tmp_path), "_X_AMZN_TRACE_ID": "Root=1-5759e988-bd862e3fe1be46a994272793"})

    assert seen["tracing"] and seen["botocore"] and seen["pynamodb"]
    assert not seen["httpx"] and not seen["sqlite3"]
    assert seen["httpx_before"] == "Client" and seen["httpx_after"] == "_InstrumentedClient"


def test_with_tracing_off_nothing_is_patched() -> None:
    seen = run({"POWERTOOLS_TRACE_DISABLED": "true"})

    assert not seen["tracing"] and not seen["botocore"] and not seen["pynamodb"]
    assert seen["httpx_after"] == "Client"
