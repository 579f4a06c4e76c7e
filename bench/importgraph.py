"""`python -m bench.importgraph`: which of our packages and which third-party packages each function loads when its
handler is imported, from the `make build-check` bundle under the runtime's Python (as bench/coldstart.py runs it:
the artifact and its layers only, `-I -S`), as in Lambda with tracing on (LAMBDA_TASK_ROOT set, so powertools' Tracer
patches what it patches there).

Prints a Markdown table; `--write docs/architecture.md` replaces the table between the `import-graph` markers there,
and `--check` fails when that table is not what the build loads (so the picture stays true). What a first request
adds is measured by `python -m bench coldstart` (its "more during the request" line) for the checkout functions.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from bench.coldstart import BUILD, find_python, load_bundle
from bench.common import ROOT

DOC = ROOT / "docs" / "architecture.md"
START, END = "<!-- import-graph:start -->", "<!-- import-graph:end -->"
ALWAYS = ("api", "data", "errors", "settings", "observability")
"""Our packages (nearly) every function loads: named once in the header, not in each row."""
MODELS = "data.models."
"""The data layer's models, one module per domain: each row names the domains whose models the function builds."""

PROBE = r"""
import json, sys
sys.path[:0] = json.loads(sys.argv[2])
module = __import__(sys.argv[1])
ours, theirs = set(), set()
for name in list(sys.modules):
    top, _, rest = name.partition(".")
    if top == "passaparola":
        if rest:
            ours.add(rest)
    elif top not in sys.stdlib_module_names and not top.startswith("_") and top not in ("app", "__main__"):
        theirs.add(top)
print(json.dumps({"modules": len(sys.modules), "ours": sorted(ours), "theirs": sorted(theirs)}))
"""


def loaded(python: str, paths: list[str], module: str, task_root: str) -> dict[str, Any]:
    env = {"PATH": os.environ.get("PATH", ""), "LAMBDA_TASK_ROOT": task_root, "AWS_REGION": "us-east-1"}
    proc = subprocess.run(
        [python, "-I", "-S", "-c", PROBE, module, json.dumps(paths)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{task_root}: {proc.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def grouped(modules: list[str]) -> list[str]:
    """["coupons.models", "coupons", "loyalty.tokens", "loyalty"] -> ["coupons(models)", "loyalty(tokens)"]."""
    packages: dict[str, list[str]] = {}
    for name in modules:
        top, _, rest = name.partition(".")
        packages.setdefault(top, [])
        if rest:
            packages[top].append(rest)
    return [f"{top}({' '.join(sorted(subs))})" if subs else top for top, subs in sorted(packages.items())]


def table(rows: list[tuple[str, dict[str, Any]]]) -> str:
    lines = [
        "| function | modules | data models (`data/models/`) | our packages (besides "
        + ", ".join(f"`{p}`" for p in ALWAYS)
        + ") | third-party |",
        "|---|---:|---|---|---|",
    ]
    for logical_id, found in rows:
        models = [m.removeprefix(MODELS) for m in found["ours"] if m.startswith(MODELS)]
        ours = [p for p in grouped(found["ours"]) if p.split("(")[0] not in ALWAYS]
        theirs = found["theirs"]
        lines.append(
            f"| {logical_id} | {found['modules']} | {' '.join(models)} | {', '.join(ours)} | {', '.join(theirs)} |"
        )
    return "\n".join(lines)


def generate(build: Path) -> str:
    python = find_python()
    if python is None or not (build / "template.yaml").is_file():
        raise SystemExit("needs Python 3.13 (PY313=...) and the build of `make build-check`")
    bundle = load_bundle(build, python)
    specs = list(bundle.specs.items())

    def one(spec: Any) -> dict[str, Any]:
        module = spec.handler.rpartition(".")[0]
        return loaded(python, [str(spec.code_dir), *bundle.layers], module, str(spec.code_dir))

    with ThreadPoolExecutor(max_workers=1) as pool:
        results = list(pool.map(one, [spec for _, spec in specs]))
    return table([(logical_id, r) for (logical_id, _), r in zip(specs, results, strict=True)])


def replace_block(text: str, block: str) -> str:
    pattern = re.compile(re.escape(START) + r".*?" + re.escape(END), re.S)
    if not pattern.search(text):
        raise SystemExit(f"no {START} ... {END} block in {DOC}")
    return pattern.sub(lambda _: f"{START}\n{block}\n{END}", text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write", type=Path, help="replace the import-graph block of this Markdown file")
    parser.add_argument("--check", action="store_true", help=f"fail if {DOC.relative_to(ROOT)} is out of date")
    parser.add_argument("--build", type=Path, default=BUILD)
    args = parser.parse_args(argv)
    block = generate(args.build)
    if args.check:
        current = DOC.read_text()
        if replace_block(current, block) != current:
            print(f"{DOC.relative_to(ROOT)}: the import graph is out of date; run `make import-graph`", file=sys.stderr)
            return 1
        print("import graph up to date")
        return 0
    if args.write:
        args.write.write_text(replace_block(args.write.read_text(), block))
    print(block)
    return 0


if __name__ == "__main__":
    sys.exit(main())
