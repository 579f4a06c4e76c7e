"""`make bundle-sizes`: how big the built functions and layers are, zipped and unzipped, and what makes them so.

Lambda's limit that matters is 250 MB unzipped for a function with all its layers (SAM uploads the zips to S3, so
the 50 MB limit of a direct zip upload does not apply); the zipped size is what is uploaded and fetched on a cold
start. Prints Markdown (docs/performance.md, "Deployment package"): one row per artifact, each function's total
with its layers, then the largest top-level entries of each layer's python/ (a package with its .dist-info and
.libs folded in).
"""

from __future__ import annotations

import argparse
import io
import os
import re
import sys
import zipfile
from pathlib import Path

from infra.local.build import layers_of, load
from infra.local.template import Template

LAMBDA_UNZIPPED_LIMIT = 250 * 1024 * 1024
MB = 1024 * 1024


def files_under(root: Path) -> list[Path]:
    return sorted(Path(d) / f for d, _, names in os.walk(root, followlinks=True) for f in names)


def unzipped(root: Path) -> int:
    return sum(p.stat().st_size for p in files_under(root))


def zipped(root: Path) -> int:
    """The size of the zip `sam package` would upload (deflate, default level)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in files_under(root):
            zf.write(path, path.relative_to(root))
    return buf.tell()


def distribution(entry: str) -> str:
    """Fold `foo-1.2.dist-info`, `foo.libs` and `_foo_backend.cpython-...so` into `foo`."""
    name = re.sub(r"-[^-]+\.dist-info$", "", entry)
    name = re.sub(r"\.libs$", "", name)
    name = re.sub(r"\.(cpython|abi3).*$", "", name).removesuffix(".py")
    return name.lower().replace("-", "_")


def contributors(python_dir: Path) -> list[tuple[str, int]]:
    sizes: dict[str, int] = {}
    for entry in python_dir.iterdir():
        size = unzipped(entry) if entry.is_dir() else entry.stat().st_size
        key = distribution(entry.name)
        sizes[key] = sizes.get(key, 0) + size
    return sorted(sizes.items(), key=lambda kv: -kv[1])


def mb(n: int) -> str:
    return f"{n / MB:.2f} MB" if n >= MB else f"{n / 1024:.1f} kB"


def report(build_dir: Path, top: int = 10) -> str:
    bundle = load(build_dir)
    tpl = Template(bundle.template)
    artifacts = sorted(p.name for p in bundle.root.iterdir() if p.is_dir())
    raw = {name: unzipped(bundle.root / name) for name in artifacts}
    packed = {name: zipped(bundle.root / name) for name in artifacts}
    lines = [
        f"Built from `{bundle.root.name}` ({len(artifacts)} artifacts).",
        "",
        "| artifact | unzipped | zipped |",
        "|---|---:|---:|",
    ]
    lines += [f"| {n} | {mb(raw[n])} | {mb(packed[n])} |" for n in sorted(artifacts, key=lambda n: -raw[n])]
    per_function = layers_of(tpl)
    totals = {lid: raw[lid] + sum(raw[layer] for layer in layers) for lid, layers in per_function.items()}
    biggest = max(totals, key=lambda lid: totals[lid])
    lines += [
        "",
        f"Largest function with its layers: {biggest}, {mb(totals[biggest])} unzipped of Lambda's 250 MB"
        f" ({100 * totals[biggest] / LAMBDA_UNZIPPED_LIMIT:.0f} %).",
    ]
    for layer in dict.fromkeys(layer for layers in per_function.values() for layer in layers):
        python = bundle.root / layer / "python"
        lines += [
            "",
            f"Largest in {layer} (python/, unzipped):",
            "",
            "| package | unzipped | share |",
            "|---|---:|---:|",
        ]
        lines += [
            f"| {name} | {mb(size)} | {100 * size / raw[layer]:.0f} % |" for name, size in contributors(python)[:top]
        ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("build_dir", type=Path, nargs="?", default=Path(".aws-sam/build"))
    parser.add_argument("--top", type=int, default=10, help="largest entries listed per layer")
    args = parser.parse_args(argv)
    print(report(args.build_dir, args.top))
    return 0


if __name__ == "__main__":
    sys.exit(main())
