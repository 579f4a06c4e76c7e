"""`make build-check`: every function's handler imports under the runtime's Python from its built artifact and its
layers alone.

Lambda runs `<LogicalId>/` of `sam build`'s output as /var/task and each layer's `python/` as /opt/python. Here
each function is imported in a fresh interpreter (`-I -S`: no site-packages, no PYTHONPATH, no current directory)
whose sys.path is that artifact, the layers' python/ and the standard library, with the function's environment
from the template. A module found nowhere, a wheel for another Python, or a module loaded from anywhere else
fails the check. Imports made only when a function runs (`import jwt` inside a function, powertools' idempotency)
are not made by importing the handler: every import statement of the passaparola layer and of the functions'
artifacts is read (skipping `if TYPE_CHECKING:` and `try: ... except ImportError:` blocks) and each third-party
module named is imported from the layers alone, so a wheel missing from layers/deps/requirements.txt fails here
rather than at the first console sign-in once deployed. The deployed build is arm64, whose binary wheels cannot load on an x86 machine: the check runs on
the x86_64 variant of the same requirements (`make build-check` builds it for Python 3.13).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from infra.local.build import Bundle, layers_of, load
from infra.local.template import FunctionSpec, Template

# Runs inside the checked interpreter: only the standard library is available there.
PROBE = r"""
import importlib.util, json, os, sys, sysconfig, time
spec = json.loads(sys.argv[1])
allowed = [os.path.realpath(p) for p in [spec["code_dir"], *spec["layers"]]]
stdlib = [os.path.realpath(sysconfig.get_paths()[k]) for k in ("stdlib", "platstdlib")]
sys.path[:0] = [spec["code_dir"], *spec["layers"]]
start = time.perf_counter()
m = importlib.util.spec_from_file_location("app_under_check", spec["module_path"])
module = importlib.util.module_from_spec(m)
sys.modules[m.name] = module
m.loader.exec_module(module)
seconds = time.perf_counter() - start
if not callable(getattr(module, spec["handler"], None)):
    raise SystemExit(f"{spec['handler']} is not a callable of {spec['module_path']}")
strays = sorted(
    os.path.realpath(f) for f in (getattr(mod, "__file__", None) for mod in list(sys.modules.values()))
    if f and not any(os.path.realpath(f).startswith(root + os.sep) for root in allowed + stdlib)
)
print(json.dumps({"python": sys.version.split()[0], "seconds": seconds, "modules": len(sys.modules), "strays": strays}))
"""


# Also only the standard library: every module that an import statement of the bundle's own code names.
IMPORTS_PROBE = r"""
import ast, importlib, json, os, sys, sysconfig
spec = json.loads(sys.argv[1])
allowed = [os.path.realpath(p) for p in spec["layers"]]
stdlib = [os.path.realpath(sysconfig.get_paths()[k]) for k in ("stdlib", "platstdlib")]
sys.path[:0] = spec["layers"]
files = []
for top, local in [*[(os.path.join(l, "passaparola"), None) for l in spec["layers"]], *[(d, d) for d in spec["code_dirs"]]]:
    for folder, _, names in os.walk(top):
        files += [(os.path.join(folder, n), local) for n in sorted(names) if n.endswith(".py")]
wanted = {}
for path, local in files:
    with open(path, "rb") as f:
        tree = ast.parse(f.read())
    skip = set()
    for node in ast.walk(tree):
        guarded = isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        guarded = guarded or isinstance(node, ast.Try) and any(
            h.type is not None and ("ImportError" in ast.unparse(h.type) or "ModuleNotFoundError" in ast.unparse(h.type))
            for h in node.handlers
        )
        if guarded:
            skip.update(id(n) for b in node.body for n in ast.walk(b))
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            names = [node.module]
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            if top in sys.stdlib_module_names or top in ("passaparola", "__future__"):
                continue
            if local and (os.path.exists(os.path.join(local, top)) or os.path.exists(os.path.join(local, top + ".py"))):
                continue
            wanted.setdefault(name, path)
failures = []
for name, where in sorted(wanted.items()):
    try:
        importlib.import_module(name)
    except Exception as e:
        failures.append(f"{name} (imported by {where}): {type(e).__name__}: {e}")
strays = sorted(
    os.path.realpath(f) for f in (getattr(mod, "__file__", None) for mod in list(sys.modules.values()))
    if f and not any(os.path.realpath(f).startswith(root + os.sep) for root in allowed + stdlib)
)
print(json.dumps({"python": sys.version.split()[0], "modules": len(wanted), "failures": failures, "strays": strays}))
"""
IMPORTS = "(third-party imports)"


@dataclass
class Result:
    logical_id: str
    ok: bool
    detail: str
    seconds: float = 0.0


def probe_spec(bundle: Bundle, spec: FunctionSpec, layers: list[Path]) -> dict[str, object]:
    module_file, _, handler = spec.handler.rpartition(".")
    return {
        "code_dir": str(spec.code_dir),
        "layers": [str(p) for p in layers],
        "module_path": str(spec.code_dir / (module_file.replace(".", "/") + ".py")),
        "handler": handler,
    }


def check_one(python: str, bundle: Bundle, spec: FunctionSpec, layers: list[Path]) -> Result:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "AWS_REGION": "eu-west-1",
        "AWS_DEFAULT_REGION": "eu-west-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",  # noqa: S105 - no AWS call is made while importing
        "AWS_LAMBDA_FUNCTION_NAME": spec.logical_id,
        **spec.environment,
    }
    proc = subprocess.run(
        [python, "-I", "-S", "-B", "-c", PROBE, json.dumps(probe_spec(bundle, spec, layers))],
        env=env,
        cwd=spec.code_dir,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if proc.returncode != 0:
        return Result(spec.logical_id, False, (proc.stderr.strip().splitlines() or ["(no output)"])[-1])
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    if report["strays"]:
        return Result(spec.logical_id, False, f"modules from outside the bundle: {report['strays'][:3]}")
    detail = f"Python {report['python']}, {report['modules']} modules"
    return Result(spec.logical_id, True, detail, report["seconds"])


def check_imports(build_dir: Path, python: str) -> Result:
    """Every third-party module the bundle's code imports (at import time or lazily) resolves from the layers."""
    bundle = load(build_dir)
    tpl = Template(bundle.template)
    spec = {
        "layers": [str(p) for p in bundle.layer_dirs],
        "code_dirs": [str(s.code_dir) for s in tpl.functions().values()],
    }
    env = {
        "PATH": os.environ.get("PATH", ""),
        "AWS_REGION": "eu-west-1",
        "AWS_DEFAULT_REGION": "eu-west-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",  # noqa: S105 - no AWS call is made while importing
    }
    proc = subprocess.run(
        [python, "-I", "-S", "-B", "-c", IMPORTS_PROBE, json.dumps(spec)],
        env=env,
        cwd=bundle.root,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if proc.returncode != 0:
        return Result(IMPORTS, False, (proc.stderr.strip().splitlines() or ["(no output)"])[-1])
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    if report["failures"]:
        return Result(IMPORTS, False, f"not importable from the layers: {'; '.join(report['failures'][:3])}")
    if report["strays"]:
        return Result(IMPORTS, False, f"modules from outside the bundle: {report['strays'][:3]}")
    return Result(IMPORTS, True, f"Python {report['python']}, {report['modules']} modules imported by the code")


def check(build_dir: Path, python: str, workers: int = 2, only: list[str] | None = None) -> list[Result]:
    bundle = load(build_dir)
    tpl = Template(bundle.template)
    specs = {lid: spec for lid, spec in tpl.functions().items() if only is None or lid in only}
    layer_ids = layers_of(tpl)
    root = bundle.root

    def layer_dirs(lid: str) -> list[Path]:
        return [root / str(tpl.props(layer)["ContentUri"]) / "python" for layer in layer_ids[lid]]

    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(check_one, python, bundle, spec, layer_dirs(lid)) for lid, spec in specs.items()]
        return [f.result() for f in futures]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("build_dir", type=Path, help="sam build's output (an x86_64 build for this machine)")
    parser.add_argument("--python", required=True, help="the interpreter of the Lambda runtime's version")
    parser.add_argument("--only", nargs="*", help="these functions (logical ids) only")
    args = parser.parse_args(argv)
    results = check(args.build_dir, args.python, only=args.only)
    if results:
        results.append(check_imports(args.build_dir, args.python))
    if not results:
        print("no function to check", file=sys.stderr)
        return 2
    width = max(len(r.logical_id) for r in results)
    for r in sorted(results, key=lambda r: r.logical_id):
        timing = f"  import {r.seconds * 1000:5.0f} ms" if r.ok and r.logical_id != IMPORTS else " " * 16
        print(f"{'ok  ' if r.ok else 'FAIL'}  {r.logical_id:<{width}}{timing}  {r.detail}")
    failed = [r for r in results if not r.ok]
    print(
        f"{len(results) - len(failed)}/{len(results)} checks: functions import from {args.build_dir} under {args.python}"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
