"""The local stack served from `sam build`'s output instead of the source tree (`make run-build`).

`sam build` writes `<build dir>/template.yaml` whose CodeUri/ContentUri name the built artifact directories
(`<build dir>/<LogicalId>/`). Served from there, each function's code is its artifact directory and the code it
imports comes from the built layers' `python/` directories, first on sys.path as `/opt/python` is in Lambda; the
repository's `layers/` and `functions/` are taken off sys.path, so a file the packaging left out fails here (an
`ImportError` at start-up, or the request that reads it) instead of after a deployment.

The functions run in one Python, so the stack puts the union of the functions' layers on sys.path (every function
has the same two today; `layers_of` tells when one differs). Third-party modules the stack itself had imported
before the layers (moto needs boto3, pydantic, cryptography, ...) keep the development virtualenv's copy, and the
virtualenv's site-packages stays on sys.path after the layers, so a wheel missing from the deps layer is still found
here: this proves first-party files and data, not third-party wheels. `make build-check` proves those: it imports
every function from its artifact and layers alone, and every third-party module the code imports (lazily too),
under Python 3.13.
"""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass
from pathlib import Path

from infra.local.template import FUNCTION, Template

log = logging.getLogger("infra.local")

REPO_ROOT = Path(__file__).resolve().parents[2]
LAYER = "AWS::Serverless::LayerVersion"
SOURCE_DIRS = (REPO_ROOT / "layers", REPO_ROOT / "functions")


class NotABuild(ValueError):
    """The directory is not the output of `sam build` (no template, or a code location outside it)."""


@dataclass
class Bundle:
    root: Path
    template: Path
    layer_dirs: list[Path]  # each built layer's python/ (what Lambda extracts to /opt/python), in template order

    def describe(self) -> dict[str, object]:
        return {"dir": str(self.root), "layers": [str(p) for p in self.layer_dirs]}


def layers_of(tpl: Template) -> dict[str, list[str]]:
    """Each function's layer logical ids (Globals, then its own), in order."""
    glob = tpl.globals_function().get("Layers") or []
    out: dict[str, list[str]] = {}
    for lid in tpl.of_type(FUNCTION):
        refs = tpl.props(lid).get("Layers", glob) or []
        out[lid] = [r["Ref"] for r in refs if isinstance(r, dict) and "Ref" in r]
    return out


def load(build_dir: Path | str) -> Bundle:
    """Read `<build_dir>/template.yaml` and check every function and layer points inside the build directory."""
    root = Path(build_dir).resolve()
    template = root / "template.yaml"
    if not template.is_file():
        raise NotABuild(f"{template} is missing: run `make build-x86` (sam build) first")
    tpl = Template(template)
    for lid in [*tpl.of_type(FUNCTION), *tpl.of_type(LAYER)]:
        uri = tpl.props(lid).get("CodeUri" if lid in tpl.of_type(FUNCTION) else "ContentUri")
        where = (root / str(uri or ".")).resolve()
        if not isinstance(uri, str) or where.parent != root or not where.is_dir():
            raise NotABuild(f"{lid}: {uri!r} is not an artifact directory of {root} (is this sam build's output?)")
    per_function = layers_of(tpl)
    distinct = {tuple(ids) for ids in per_function.values()}
    if len(distinct) > 1:
        log.warning("functions have different layers; the stack serves them all with their union: %s", distinct)
    ordered = list(dict.fromkeys(lid for ids in per_function.values() for lid in ids))
    layer_dirs = []
    for lid in ordered:
        python = root / str(tpl.props(lid)["ContentUri"]) / "python"
        if not python.is_dir():
            raise NotABuild(f"layer {lid} has no python/ directory in {root}")
        layer_dirs.append(python)
    return Bundle(root=root, template=template, layer_dirs=layer_dirs)


def is_source_path(entry: str) -> bool:
    """A sys.path entry inside the repository's layers/ or functions/ (the source tree the build replaces)."""
    try:
        path = Path(entry or ".").resolve()
    except OSError:
        return False
    return any(path == d or d in path.parents for d in SOURCE_DIRS)


def isolate_sys_path(bundle: Bundle) -> None:
    """sys.path without the source tree's layers/functions, the built layers first (as /opt/python)."""
    sys.path[:] = [p for p in sys.path if not is_source_path(p) and p not in map(str, bundle.layer_dirs)]
    sys.path[:0] = [str(p) for p in bundle.layer_dirs]
    leaked = [name for name, mod in list(sys.modules.items()) if _from_source(mod)]
    if leaked:
        raise RuntimeError(f"modules already imported from the source tree, cannot serve the build: {leaked[:5]}")


def shadowed(bundle: Bundle) -> list[str]:
    """Top-level modules of the built layers already imported from elsewhere (the stack's own dependencies)."""
    names = set()
    for layer in bundle.layer_dirs:
        for entry in layer.iterdir():
            if entry.suffix in ("", ".py") and not entry.name.startswith(("_", ".")) and entry.name != "bin":
                names.add(entry.stem)
    out = []
    for name in sorted(names):
        mod = sys.modules.get(name)
        origin = getattr(mod, "__file__", None)
        if origin and not any(Path(origin).resolve().is_relative_to(d.resolve()) for d in bundle.layer_dirs):
            out.append(name)
    return out


def _from_source(mod: object) -> bool:
    origin = getattr(mod, "__file__", None)
    return bool(origin) and is_source_path(str(Path(str(origin)).parent))
