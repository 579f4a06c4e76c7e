"""Build the one OpenAPI 3.1 document of the API from the functions' powertools resolvers.

Each API function module exposes its `APIGatewayRestResolver` as `app`; their schemas are merged
(paths, components) into "Passaparola API". `--write` refreshes docs/openapi.json, `--check` fails
when the checked-in file is stale (CI). Beside it, docs/events/<type>.json (the JSON schema of each event type's
envelope, from passaparola/events/types.py) and docs/events/README.md (their list) are written and checked too.

    python -m infra.tools.openapi [--write docs/openapi.json | --check docs/openapi.json]
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
TITLE = "Passaparola API"
SECURITY_SCHEMES = {
    "secretKey": {
        "type": "http",
        "scheme": "bearer",
        "description": (
            "Secret API key (`sk_...`), server-side only: `Authorization: Bearer sk_...`. The same header carries"
            " a console user's Cognito id token (`POST /v1/console/session`), limited by their role (docs/console.md)."
        ),
    },
    "publishableKey": {
        "type": "apiKey",
        "in": "header",
        "name": "X-Publishable-Key",
        "description": "Publishable API key (`pk_...`), safe in a browser; limited to public routes.",
    },
}


class MergeError(ValueError):
    pass


def module_schema(module: ModuleType, version: str) -> dict[str, Any]:
    app = getattr(module, "app", None)
    if app is None or not hasattr(app, "get_openapi_json_schema"):
        raise MergeError(f"{module.__name__} has no powertools resolver named `app`")
    return json.loads(app.get_openapi_json_schema(title=TITLE, version=version))  # type: ignore[no-any-return]


def merge(docs: dict[str, dict[str, Any]], version: str) -> dict[str, Any]:
    """Merge per-function documents; the same path+method or a differing same-named component is an error."""
    paths: dict[str, dict[str, Any]] = {}
    owner: dict[tuple[str, str], str] = {}
    components: dict[str, dict[str, Any]] = {}
    comp_owner: dict[tuple[str, str], str] = {}
    tags: dict[str, Any] = {}
    for source, doc in sorted(docs.items()):
        for path, item in (doc.get("paths") or {}).items():
            target = paths.setdefault(path, {})
            for method, op in item.items():
                if method in target and target[method] != op:
                    raise MergeError(f"{method.upper()} {path} is defined by both {owner[(path, method)]} and {source}")
                target[method] = op
                owner[(path, method)] = source
        for section, entries in (doc.get("components") or {}).items():
            if section == "securitySchemes":
                continue
            target = components.setdefault(section, {})
            for name, value in entries.items():
                if name in target and target[name] != value:
                    raise MergeError(
                        f"components.{section}.{name} differs between {comp_owner[(section, name)]} and {source}"
                    )
                target[name] = value
                comp_owner[(section, name)] = source
        for tag in doc.get("tags") or []:
            tags.setdefault(
                tag["name"] if isinstance(tag, dict) else tag, tag if isinstance(tag, dict) else {"name": tag}
            )
    components["securitySchemes"] = SECURITY_SCHEMES
    out: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {
            "title": TITLE,
            "version": version,
            "description": "Coupons, referral codes and campaigns. Authenticate with a secret key "
            "(`Authorization: Bearer sk_...`) or, on public routes, a publishable key (`X-Publishable-Key`).",
        },
        "paths": paths,
        "components": components,
    }
    if tags:
        out["tags"] = [tags[name] for name in sorted(tags)]
    return out


def build_document(modules: dict[str, ModuleType]) -> dict[str, Any]:
    from passaparola import __version__

    return merge({lid: module_schema(m, __version__) for lid, m in modules.items()}, __version__)


def load_api_modules(template: Path) -> dict[str, ModuleType]:
    """Load each API function's module exactly as the local gateway does (no AWS needed)."""
    from infra.local.functions import add_layers, load_module
    from infra.local.template import Template, merged_environment

    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    os.environ.setdefault("AWS_REGION", "us-east-1")
    tpl = Template(template)
    functions = tpl.functions()
    env, _ = merged_environment(functions)
    for key, value in env.items():
        os.environ.setdefault(key, value)
    add_layers()
    return {lid: load_module(spec) for lid, spec in sorted(functions.items()) if spec.api_events}


def render(doc: dict[str, Any]) -> str:
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def event_documents() -> dict[str, str]:
    """docs/events/: one JSON schema per event type, and README.md listing them (names relative to that folder)."""
    from passaparola.events.types import TYPES, envelope_schema

    files = {f"{name}.json": render(envelope_schema(name)) for name in sorted(TYPES)}
    lines = [
        "# Event types",
        "",
        "Generated by `make openapi` from `passaparola/events/types.py` (do not edit). Each file is the JSON schema of",
        "an event of that type: the envelope (`id`, `type`, `version`, `created_at`, `customer_id`) and its `data`.",
        'See docs/integrations.md, "Events".',
        "",
        "| type | version | data |",
        "|---|---|---|",
    ]
    for name in sorted(TYPES):
        version, model = TYPES[name]
        fields = ", ".join(f.alias or n for n, f in model.model_fields.items()) or "(none)"
        lines.append(f"| [`{name}`]({name}.json) | {version} | {fields} |")
    files["README.md"] = "\n".join(lines) + "\n"
    return files


def _stale_events(folder: Path) -> list[str]:
    """Event documents that differ from what would be generated, or should not be there."""
    expected = event_documents()
    present = {p.name for p in folder.glob("*")} if folder.is_dir() else set()
    stale = [
        name
        for name, text in expected.items()
        if not (folder / name).is_file() or (folder / name).read_text(encoding="utf-8") != text
    ]
    return sorted(stale + sorted(present - set(expected)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.tools.openapi", description=__doc__.split("\n")[0])
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--write", metavar="FILE", type=Path, help="write the document to FILE")
    group.add_argument("--check", metavar="FILE", type=Path, help="exit 1 if FILE is not up to date")
    parser.add_argument("--template", type=Path, default=REPO_ROOT / "template.yaml")
    args = parser.parse_args(argv)
    text = render(build_document(load_api_modules(args.template)))
    if args.write:
        args.write.parent.mkdir(parents=True, exist_ok=True)
        args.write.write_text(text, encoding="utf-8")
        events = args.write.parent / "events"
        events.mkdir(exist_ok=True)
        for old in _stale_events(events):
            (events / old).unlink(missing_ok=True)
        for name, content in event_documents().items():
            (events / name).write_text(content, encoding="utf-8")
        print(f"wrote {args.write} and {events}/", file=sys.stderr)
        return 0
    if args.check:
        current = args.check.read_text(encoding="utf-8") if args.check.exists() else ""
        stale = _stale_events(args.check.parent / "events")
        if stale:
            print(f"docs/events/ is out of date ({', '.join(stale)}): run `make openapi`", file=sys.stderr)
            return 1
        if current == text:
            return 0
        diff = list(
            difflib.unified_diff(current.splitlines(), text.splitlines(), str(args.check), "generated", lineterm="")
        )
        print("\n".join(diff[:60]) + ("\n..." if len(diff) > 60 else ""), file=sys.stderr)
        print(f"{args.check} is out of date: run `python -m infra.tools.openapi --write {args.check}`", file=sys.stderr)
        return 1
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
