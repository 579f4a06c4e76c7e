"""Import time of each function's handler module next to `import boto3` alone, in fresh interpreters.

Each sample is a new `python` process timing only the import statement (interpreter start-up excluded),
with the environment a deployed function has (template Globals, table names, AWS_LAMBDA_FUNCTION_NAME so
powertools' Tracer is active and patches botocore as in Lambda) and the layer on the path as /opt/python.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from typing import Any

from bench.common import LAYER, ROOT, median, ms, record

TARGET_RATIO = 1.5
FUNCTIONS = ("coupons", "campaigns", "code_batches")

PROBE = """
import sys, time
sys.path.insert(0, {path!r})
t0 = time.perf_counter()
import {module}
print(time.perf_counter() - t0)
"""


def deployed_env(tracer: bool = True) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "POWERTOOLS_", "DYNAMODB_"))}
    env.pop("PYTHONPATH", None)
    env |= {
        "PYTHONPATH": str(LAYER),
        "PYTHONDONTWRITEBYTECODE": "",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_LAMBDA_FUNCTION_NAME": "passaparola-bench",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512",
        "POWERTOOLS_SERVICE_NAME": "passaparola",
        "POWERTOOLS_METRICS_NAMESPACE": "Passaparola",
        "POWERTOOLS_LOG_LEVEL": "INFO",
        "STAGE": "bench",
        "CAMPAIGNS_TABLE": "passaparola-bench-campaigns",
        "CODES_TABLE": "passaparola-bench-codes",
        "REDEMPTIONS_TABLE": "passaparola-bench-redemptions",
        "CUSTOMERS_TABLE": "passaparola-bench-customers",
        "API_KEYS_TABLE": "passaparola-bench-api-keys",
        "IDEMPOTENCY_TABLE": "passaparola-bench-idempotency",
        "CODE_BATCH_QUEUE_URL": "https://sqs.us-east-1.amazonaws.com/123456789012/passaparola-bench-code-batches",
        "ALLOWED_ORIGINS": "*",
    }
    env.pop("PYTHONDONTWRITEBYTECODE")
    if not tracer:
        env["POWERTOOLS_TRACE_DISABLED"] = "true"
    return env


def _target(name: str) -> tuple[str, str]:
    """(directory to put first on sys.path, module to import)"""
    if name == "boto3":
        return str(ROOT), "boto3"
    return str(ROOT / "functions" / name), "app"


def sample(name: str, env: dict[str, str]) -> float:
    path, module = _target(name)
    out = subprocess.run(
        [sys.executable, "-c", PROBE.format(path=path, module=module)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        raise RuntimeError(f"importing {name} failed:\n{out.stderr[-3000:]}")
    return float(out.stdout.strip().splitlines()[-1])


def importtime(name: str, env: dict[str, str]) -> list[tuple[int, int, str]]:
    """(self µs, cumulative µs, module) from `python -X importtime`."""
    path, module = _target(name)
    code = f"import sys; sys.path.insert(0, {path!r}); import {module}"
    out = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    )
    rows = []
    for line in out.stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)", line)
        if m:
            rows.append((int(m.group(1)), int(m.group(2)), m.group(3)[1:] + m.group(4)))
    return rows


def run(args: argparse.Namespace | None = None) -> dict[str, Any]:
    repeat = getattr(args, "repeat", None) or 7
    print(f"\n== imports: handler module import time vs `import boto3` (median of {repeat} fresh processes) " + "=" * 5)
    env = deployed_env()
    # one throw-away run of each, so every sample reads warm bytecode caches and a warm page cache
    for name in ("boto3", *FUNCTIONS):
        sample(name, env)
    times = {name: [] for name in ("boto3", *FUNCTIONS)}  # type: dict[str, list[float]]
    for _ in range(repeat):
        for name in times:  # interleaved, so drift hits every module alike
            times[name].append(sample(name, env))
    no_tracer = [sample("coupons", deployed_env(tracer=False)) for _ in range(repeat)]
    boto3 = median(times["boto3"])
    boto3_min = min(times["boto3"])
    print(f"  {'module':<34} {'median':>10} {'min':>10} {'max':>10} {'ratio':>6} {'min ratio':>9}")
    print(
        f"  {'import boto3':<34} {ms(boto3):>10} {ms(boto3_min):>10} {ms(max(times['boto3'])):>10} {1:>6.2f} {1:>9.2f}"
    )
    result: dict[str, Any] = {"boto3": boto3}
    for name in FUNCTIONS:
        t = median(times[name])
        result[name] = t
        label = f"functions/{name}/app.py"
        print(
            f"  {label:<34} {ms(t):>10} {ms(min(times[name])):>10} {ms(max(times[name])):>10} {t / boto3:>6.2f} "
            f"{min(times[name]) / boto3_min:>9.2f}"
        )
        record(
            "imports",
            f"{label}: {ms(t)} vs import boto3 {ms(boto3)}",
            f"ratio {t / boto3:.2f}",
            f"≤ {TARGET_RATIO}",
            t / boto3 <= TARGET_RATIO,
        )
    t = median(no_tracer)
    result["coupons_no_tracer"] = t
    print(
        f"  {'coupons, POWERTOOLS_TRACE_DISABLED':<34} {ms(t):>10} {ms(min(no_tracer)):>10} "
        f"{ms(max(no_tracer)):>10} {t / boto3:>6.2f} {min(no_tracer) / boto3_min:>9.2f}"
    )
    record("imports", f"functions/coupons/app.py without X-Ray tracer: {ms(t)}", f"ratio {t / boto3:.2f}")

    rows = importtime("coupons", env)
    print("\n  functions/coupons/app.py, top 10 modules by cumulative import time (python -X importtime):")
    print(f"  {'cumulative':>10} {'self':>9}  module (indentation = nesting)")
    for self_us, cum_us, mod in sorted(rows, key=lambda r: -r[1])[:10]:
        print(f"  {cum_us / 1000:>8.1f}ms {self_us / 1000:>7.1f}ms  {mod}")
    top_level: dict[str, int] = {}
    for self_us, _, mod in rows:
        package = mod.strip().split(".")[0]
        top_level[package] = top_level.get(package, 0) + self_us
    print("\n  the same import, self time summed per top-level package:")
    for package, us in sorted(top_level.items(), key=lambda kv: -kv[1])[:12]:
        print(f"  {us / 1000:>8.1f}ms  {package}")
    result["top_level"] = top_level
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=7)
    run(parser.parse_args())
