"""Cold start, as issue 16 defines it: a fresh process imports a function's handler from the built bundle and serves
its first request, against a fresh process that imports boto3, creates its client and makes the same DynamoDB calls
with bare boto3 (so moving an import into the first request is no win).

Both run under the Lambda runtime's Python (3.13: `PY313=...`, else pyenv's) from the x86_64 build of
`make build-check` (`.aws-sam/build-x86-py313`, `--build` for another): the handler's process has the function's
artifact and its layers' `python/` on `sys.path` (`-I -S`: no site-packages), as /var/task and /opt/python; the
bare process has the deps layer only (its boto3, as the handler's). Both talk to one moto server started here, with
the template's tables and the data the first request needs (API keys, a campaign and its code, a referral link).

The calls are the handler's own: one extra, untimed process per case serves the same request with a botocore hook
that records each AWS operation and its parameters, and the bare process replays the DynamoDB ones in order (a call whose
condition fails on the replay, e.g. an item the handler created, is counted: the round trip is made all the same).
Timed in each process from just before the first import to the answer (interpreter start-up, equal for both, is
excluded); median of `--repeat` fresh processes each, handler and bare interleaved. The same spans are also given
in the process's CPU time (a second line, not held to the target): on a machine shared by busy neighbours the
wall-clock figures also measure the waits for a core. The bundle's bytecode counts:
the coupons, redirects and conversions cold starts are timed again from a copy of the layers without `__pycache__`
(`-B`), interleaved with the bundle's, which is what precompiling (layers/*/Makefile) buys.
"""

from __future__ import annotations

import argparse
import contextlib
import glob
import json
import logging
import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.common import PUBLISHABLE, ROOT, SECRET, median, ms, record

BUILD = ROOT / ".aws-sam" / "build-x86-py313"
CHECKOUT_TARGET, OTHER_TARGET = 1.5, 2.0
NO_PYC_CASES = ("CouponsFunction", "RedirectsFunction", "ConversionsFunction")  # also timed without bytecode
UNIQUE = "COLDUNIQUE"  # replaced in each sample's request (and in the replayed calls) by a fresh value

# Runs under the runtime's Python with only the standard library and the bundle on sys.path.
HANDLER_PROBE = r"""
import base64, json, sys, time
spec = json.loads(sys.stdin.read())
out = sys.stdout
sys.stdout = sys.stderr  # powertools' metrics and logs
calls = []
if spec["record"]:
    sys.path[:0] = spec["layers"]
    from botocore.client import BaseClient
    original = BaseClient._make_api_call
    def plain(v):
        if isinstance(v, (bytes, bytearray)):
            return {"__bytes__": base64.b64encode(bytes(v)).decode()}
        if isinstance(v, dict):
            return {k: plain(x) for k, x in v.items()}
        if isinstance(v, (list, tuple, set)):
            return [plain(x) for x in v]
        return v
    def hooked(client, operation, params):
        calls.append([client.meta.service_model.service_name, operation, plain(params)])
        return original(client, operation, params)
    BaseClient._make_api_call = hooked
t0, c0 = time.perf_counter(), time.process_time()
sys.path[:0] = [spec["code_dir"], *spec["layers"]]
module = __import__(spec["module"])
t1, c1 = time.perf_counter(), time.process_time()
loaded = set(sys.modules)
class Context:
    function_name = spec["function_name"]
    function_version = "$LATEST"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:" + spec["function_name"]
    aws_request_id = "cold-start"
    def get_remaining_time_in_millis(self):
        return 15000
reply = getattr(module, spec["handler"])(spec["event"], Context())
t2, c2 = time.perf_counter(), time.process_time()
body = reply.get("body") or ""
later = sorted(set(sys.modules) - loaded)
print(json.dumps({"import": t1 - t0, "total": t2 - t0, "cpu_import": c1 - c0, "cpu_total": c2 - c0,
                  "status": reply.get("statusCode"), "body": body[:500],
                  "calls": calls, "modules": len(loaded), "later": later}), file=out)
"""

BARE_PROBE = r"""
import base64, json, os, sys, time
spec = json.loads(sys.stdin.read())
def typed(v):
    if isinstance(v, dict):
        if set(v) == {"__bytes__"}:
            return base64.b64decode(v["__bytes__"])
        return {k: typed(x) for k, x in v.items()}
    if isinstance(v, list):
        return [typed(x) for x in v]
    return v
calls = [(op, typed(params)) for service, op, params in spec["calls"] if service == "dynamodb"]
t0, c0 = time.perf_counter(), time.process_time()
sys.path[:0] = spec["layers"]
import boto3
from botocore import xform_name
from botocore.exceptions import ClientError
client = boto3.client("dynamodb", endpoint_url=os.environ["DYNAMODB_ENDPOINT_URL"])
t1, c1 = time.perf_counter(), time.process_time()
failed = 0
for op, params in calls:
    try:
        getattr(client, xform_name(op))(**params)
    except ClientError:
        failed += 1
t2, c2 = time.perf_counter(), time.process_time()
print(json.dumps({"import": t1 - t0, "total": t2 - t0, "cpu_import": c1 - c0, "cpu_total": c2 - c0, "failed": failed}))
"""


@dataclass
class Case:
    """A function's first request: `event` is the API Gateway event (UNIQUE in it is made fresh per sample)."""

    name: str
    logical_id: str
    event: dict[str, Any]
    checkout: bool
    expected: int


# ------------------------------------------------------------------------------------------ environment
def find_python(version: str = "3.13") -> str | None:
    """PY313 if set, else pyenv's 3.13.x, else python3.13 on the PATH, checked to be that version."""
    candidates = [os.environ.get("PY313", "")]
    root = (
        subprocess.run(["pyenv", "root"], capture_output=True, text=True, check=False)
        if shutil.which("pyenv")
        else None
    )
    if root and root.returncode == 0:
        candidates += sorted(glob.glob(f"{root.stdout.strip()}/versions/{version}.*/bin/python{version}"))
    candidates.append(shutil.which(f"python{version}") or "")
    for python in filter(None, candidates):
        probe = subprocess.run(
            [python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            check=False,
        )
        if probe.returncode == 0 and probe.stdout.strip() == version:
            return python
    return None


def child_env(function_env: dict[str, str], endpoint: str, logical_id: str, task_root: str) -> dict[str, str]:
    """What a deployed function sees: its template variables, a region, (dummy) credentials and the endpoint.

    LAMBDA_TASK_ROOT and a sampled trace header as in Lambda with `Tracing: Active`: without them powertools'
    Tracer believes it runs outside Lambda, patches nothing and X-Ray's recorder builds a sampling client instead,
    which is not the cold start a deployed function has (tracing on, its libraries patched, a first request traced:
    the default sampling rule's reservoir takes the first request each second).
    """
    return {
        "PATH": os.environ.get("PATH", ""),
        "POWERTOOLS_LOG_LEVEL": "INFO",  # the template's, if it sets one: logging is part of a deployed request
        **function_env,
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_LAMBDA_FUNCTION_NAME": logical_id,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512",
        "LAMBDA_TASK_ROOT": task_root,
        "_X_AMZN_TRACE_ID": "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ENDPOINT_URL_DYNAMODB": endpoint,
        "DYNAMODB_ENDPOINT_URL": endpoint,
    }


@contextlib.contextmanager
def moto_with_data(bundle: Bundle) -> Iterator[tuple[str, dict[str, str]]]:
    """A moto server with the template's tables and secrets, keys, a discount campaign with a code, a loyalty
    program and a referral link; `bundle.specs` then hold the secrets' ARNs.

    Yields (endpoint, {placeholder: value}) for the cases' requests. The set-up runs the product's own code in this
    process (source tree), pointed at the server.
    """
    from bench.common import discount_with_code, invoke, load_function, ok, quiet_powertools
    from bench.referrals import PROGRAM
    from infra.local import aws
    from infra.local.invoke import reset_containers
    from infra.local.template import merged_environment

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # a line per request otherwise
    saved = dict(os.environ)
    server = aws.MotoServer()
    try:
        url = server.start()
        aws.configure_environment(url, None)
        aws.create_tables(bundle.template, url)
        aws.create_secrets(bundle.template, url)
        bundle.specs = bundle.template.functions()
        environment, _ = merged_environment(bundle.specs)
        os.environ.update(environment)
        quiet_powertools()
        reset_containers()
        from passaparola.api.keys import store_key

        store_key(SECRET, "secret", "bench")
        store_key(PUBLISHABLE, "publishable", "bench")
        campaigns_fn = load_function("campaigns")
        campaign, code = discount_with_code(campaigns_fn, "CS")
        program = ok(invoke(campaigns_fn, "POST", "/v1/campaigns", "/v1/campaigns", PROGRAM), 201)["id"]
        from bench.loyalty import PROGRAM as LOYALTY

        ok(invoke(campaigns_fn, "POST", "/v1/campaigns", "/v1/campaigns", LOYALTY), 201)
        referrals_fn = load_function("referrals")
        body = {"customer_id": "anna", "campaign_id": program, "name": "Anna", "email": "anna@shop.example"}
        link = ok(invoke(referrals_fn, "POST", "/v1/referrals", "/v1/referrals", body), 200, 201)["code"]
        reset_containers()
        yield url, {"campaign": campaign, "code": code, "link": link}
    finally:
        server.stop()
        os.environ.clear()
        os.environ.update(saved)
        with contextlib.suppress(Exception):
            from infra.local.invoke import reset_containers as reset

            reset()


def cases(data: dict[str, str]) -> list[Case]:
    from infra.local.invoke import api_event

    secret = {"Authorization": f"Bearer {SECRET}"}
    item = {"sku": "SKU-A", "quantity": 1, "unit_price": 5000}
    order = {"amount": 5000, "currency": "EUR", "items": [item]}
    return [
        Case(
            "coupons: POST /v1/coupons/validate",
            "CouponsFunction",
            api_event(
                "POST", "/v1/coupons/validate", "/v1/coupons/validate", {"code": data["code"], "order": order}, secret
            ),
            True,
            200,
        ),
        Case(
            "redirects: GET /r/{code}",
            "RedirectsFunction",
            api_event("GET", f"/r/{data['link']}", "/r/{code}", headers={"User-Agent": "bench"}),
            True,
            302,
        ),
        Case(
            "conversions: POST /v1/orders",
            "ConversionsFunction",
            api_event(
                "POST",
                "/v1/orders",
                "/v1/orders",
                {"id": f"ord_{UNIQUE}", "customer_id": f"c_{UNIQUE}", **order},
                secret,
            ),
            True,
            201,
        ),
        Case(
            "loyalty: GET /v1/customers/{id}/wallet",
            "LoyaltyFunction",
            api_event("GET", "/v1/customers/anna/wallet", "/v1/customers/{customer_id}/wallet", headers=secret),
            True,
            200,
        ),
        Case(
            "campaigns: GET /v1/campaigns/{id}",
            "CampaignsFunction",
            api_event("GET", f"/v1/campaigns/{data['campaign']}", "/v1/campaigns/{campaign_id}", headers=secret),
            False,
            200,
        ),
    ]


def fresh(value: Any, token: str) -> Any:
    """`value` (JSON-able) with every UNIQUE replaced by `token`."""
    return json.loads(json.dumps(value).replace(UNIQUE, token))


# ---------------------------------------------------------------------------------------------- samples
@dataclass
class Bundle:
    python: str
    layers: list[str]  # each layer's python/ in template order (DepsLayer first)
    deps: str  # the deps layer's python/ (boto3 of the bare process)
    template: Any  # the built template (infra.local.template.Template)
    specs: dict[str, Any]  # logical id -> FunctionSpec of the built template


def load_bundle(build: Path, python: str) -> Bundle:
    from infra.local.build import layers_of, load
    from infra.local.template import Template

    bundle = load(build)
    tpl = Template(bundle.template)
    specs = tpl.functions()
    layer_ids = layers_of(tpl)
    first = next(iter(specs))
    layers = [str(bundle.root / str(tpl.props(lid)["ContentUri"]) / "python") for lid in layer_ids[first]]
    deps = next(p for p in layers if "Deps" in p)
    return Bundle(python, layers, deps, tpl, specs)


def run_probe(
    python: str, probe: str, spec: dict[str, Any], env: dict[str, str], no_pyc: bool = False
) -> dict[str, Any]:
    command = [python, "-I", "-S", *(["-B"] if no_pyc else []), "-c", probe]
    proc = subprocess.run(command, input=json.dumps(spec), env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"probe failed:\n{proc.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def handler_sample(
    bundle: Bundle, case: Case, endpoint: str, record_calls: bool = False, layers: list[str] | None = None
) -> dict[str, Any]:
    spec = bundle.specs[case.logical_id]
    module, _, handler = spec.handler.rpartition(".")
    request = {
        "code_dir": str(spec.code_dir),
        "layers": layers or bundle.layers,
        "module": module,
        "handler": handler,
        "function_name": case.logical_id,
        "event": fresh(case.event, uuid.uuid4().hex[:12]),
        "record": record_calls,
    }
    env = child_env(spec.environment, endpoint, case.logical_id, str(spec.code_dir))
    result = run_probe(bundle.python, HANDLER_PROBE, request, env, no_pyc=layers is not None)
    if result["status"] != case.expected:
        raise RuntimeError(f"{case.name}: HTTP {result['status']} (expected {case.expected}): {result['body']}")
    return result


def bare_sample(bundle: Bundle, case: Case, calls: list[Any], endpoint: str) -> dict[str, Any]:
    spec = bundle.specs[case.logical_id]
    request = {"layers": [bundle.deps], "calls": fresh(calls, uuid.uuid4().hex[:12])}
    return run_probe(
        bundle.python, BARE_PROBE, request, child_env(spec.environment, endpoint, case.logical_id, str(spec.code_dir))
    )


@dataclass
class Figures:
    case: Case
    calls: list[str]
    handler: list[float]
    handler_import: list[float]
    bare: list[float]
    bare_import: list[float]
    failed: int
    modules: int  # loaded by importing the handler
    later: list[str]  # modules first loaded while serving the request
    handler_cpu: list[float] = field(default_factory=list)  # the process's CPU time, same span as `handler`
    handler_cpu_import: list[float] = field(default_factory=list)
    bare_cpu: list[float] = field(default_factory=list)
    bare_cpu_import: list[float] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        return median(self.handler) / median(self.bare)

    @property
    def cpu_ratio(self) -> float:
        """The same spans in CPU time: what a busy machine's waits for a core do not inflate (they exclude the waits
        for moto's answers too, which makes this ratio larger than the wall-clock one on an idle machine)."""
        return median(self.handler_cpu) / median(self.bare_cpu)

    @property
    def target(self) -> float:
        return CHECKOUT_TARGET if self.case.checkout else OTHER_TARGET


def measure(bundle: Bundle, case: Case, endpoint: str, repeat: int) -> Figures:
    first = handler_sample(bundle, case, endpoint, record_calls=True)
    recorded = first["calls"]
    handler_sample(bundle, case, endpoint)  # one throw-away run of each: a warm page cache for every sample
    bare_sample(bundle, case, recorded, endpoint)
    names = [op if service == "dynamodb" else f"{service}.{op} (not replayed)" for service, op, _ in first["calls"]]
    figures = Figures(case, names, [], [], [], [], 0, first["modules"], first["later"])
    for _ in range(repeat):  # interleaved, so drift hits both alike
        h = handler_sample(bundle, case, endpoint)
        b = bare_sample(bundle, case, recorded, endpoint)
        figures.handler.append(h["total"])
        figures.handler_import.append(h["import"])
        figures.bare.append(b["total"])
        figures.bare_import.append(b["import"])
        figures.handler_cpu.append(h["cpu_total"])
        figures.handler_cpu_import.append(h["cpu_import"])
        figures.bare_cpu.append(b["cpu_total"])
        figures.bare_cpu_import.append(b["cpu_import"])
        figures.failed = max(figures.failed, b["failed"])
    return figures


@contextlib.contextmanager
def without_bytecode(layers: list[str]) -> Iterator[list[str]]:
    """Copies of the layers' python/ without __pycache__ (what the bundle was before precompiling)."""
    with tempfile.TemporaryDirectory(prefix="coldstart-") as tmp:
        copies = []
        for i, layer in enumerate(layers):
            target = Path(tmp) / str(i) / "python"
            shutil.copytree(layer, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
            copies.append(str(target))
        yield copies


def has_bytecode(layer: str) -> bool:
    return any(Path(layer).glob("boto3/__pycache__/*.cpython-313.pyc"))


def run(args: argparse.Namespace | None = None) -> dict[str, Any]:
    repeat = getattr(args, "repeat", None) or 7
    build = Path(getattr(args, "build", None) or BUILD)
    wanted = getattr(args, "functions", None)
    print(
        f"\n== coldstart: fresh process, handler import + first request vs bare boto3 (median of {repeat}) " + "=" * 3
    )
    python = find_python()
    if python is None or not (build / "template.yaml").is_file():
        why = "no Python 3.13 (PY313=...)" if python is None else f"no build in {build}: run `make build-check`"
        print(f"  skipped: {why}")
        record(
            "coldstart", "cold start vs bare boto3", f"skipped: {why}", f"≤ {CHECKOUT_TARGET} / {OTHER_TARGET}", False
        )
        return {}
    bundle = load_bundle(build, python)
    if not all(has_bytecode(p) or "Deps" not in p for p in bundle.layers):
        print(f"  note: {build} has no bytecode (.pyc): built without a Python 3.13, see layers/deps/Makefile")
    results: dict[str, Any] = {}
    with moto_with_data(bundle) as (endpoint, data):
        selected = [c for c in cases(data) if not wanted or c.logical_id in wanted]
        print(
            f"  {'function: first request':<38} {'handler':>10} {'(import)':>10} {'bare':>10} {'(import)':>10} {'ratio':>6}  calls"
        )
        for case in selected:
            f = measure(bundle, case, endpoint, repeat)
            results[case.logical_id] = f
            print(
                f"  {case.name:<38} {ms(median(f.handler)):>10} {ms(median(f.handler_import)):>10} "
                f"{ms(median(f.bare)):>10} {ms(median(f.bare_import)):>10} {f.ratio:>6.2f}  {', '.join(f.calls)}"
                + (f" ({f.failed} failed their condition on the replay)" if f.failed else "")
            )
            print(
                f"  {'':<38} CPU time: {ms(median(f.handler_cpu)):>10} {ms(median(f.handler_cpu_import)):>10} "
                f"{ms(median(f.bare_cpu)):>10} {ms(median(f.bare_cpu_import)):>10} {f.cpu_ratio:>6.2f}"
            )
            packages = sorted({m.split(".")[0] for m in f.later})
            print(
                f"  {'':<38} modules: {f.modules} by the import, {len(f.later)} more during the request"
                + (f" ({', '.join(packages[:8])}{', ...' if len(packages) > 8 else ''})" if packages else "")
            )
            record(
                "coldstart",
                f"{case.name}, CPU time: {ms(median(f.handler_cpu))} vs bare boto3 {ms(median(f.bare_cpu))}",
                f"ratio {f.cpu_ratio:.2f}",
            )
            record(
                "coldstart",
                f"{case.name}: {ms(median(f.handler))} vs bare boto3 {ms(median(f.bare))}",
                f"ratio {f.ratio:.2f}",
                f"≤ {f.target}",
                f.ratio <= f.target,
            )
        compared = [c for c in selected if c.logical_id in NO_PYC_CASES]
        if compared and not getattr(args, "skip_no_pyc", False):
            print(
                "\n  the same cold starts from copies of the layers without __pycache__ (interleaved with the bundle's):"
            )
            with without_bytecode(bundle.layers) as copies:
                for case in compared:
                    handler_sample(bundle, case, endpoint, layers=copies)
                    plain, built = [], []
                    for _ in range(repeat):
                        plain.append(handler_sample(bundle, case, endpoint, layers=copies)["total"])
                        built.append(handler_sample(bundle, case, endpoint)["total"])
                    factor = median(plain) / median(built)
                    results[f"{case.logical_id}_no_pyc"] = (median(plain), median(built))
                    print(
                        f"  {case.name:<38} {ms(median(plain)):>10} without .pyc, {ms(median(built))} with: ×{factor:.2f}"
                    )
                    record(
                        "coldstart",
                        f"{case.name.split(':')[0]} without the bundle's .pyc: {ms(median(plain))} vs {ms(median(built))}",
                        f"×{factor:.2f}",
                    )
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--build", type=Path, default=BUILD)
    parser.add_argument("--functions", nargs="*", help="logical ids (default: every case)")
    parser.add_argument("--skip-no-pyc", action="store_true")
    run(parser.parse_args())
