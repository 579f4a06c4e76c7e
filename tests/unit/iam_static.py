"""Which DynamoDB calls each function's code can make, found by reading the code (no AWS, no import of handlers).

A call site is a pynamodb call on a model named in the source: `XModel.get/query/scan/batch_get/count(...)`,
`XModel.index.query(...)`, `XModel(...).save/update/delete/refresh(...)`, and the transaction helpers
`tx.save/update/delete/condition_check/add/add_money/get/put_serialized(XModel...)`. A function reaches a site when a chain
of references leads from its `app.py` to the enclosing def: module-qualified references (`store.get`) are
resolved through the imports, a bare attribute (`item.update`) to every method of that name. So the result
over-approximates reachability (the test lists the false positives) and misses calls on instances the code
does not name (`item.update()` on a model loaded elsewhere) or made from callbacks stored for later: those
stay covered by the integration suite, and by the grants of tests/unit/test_template.py.

Code the resolver runs around a route rather than the route itself (the audit middleware: its write, and the
read of the state before the change) is reached through `middleware`: function folder -> the defs it runs.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "layers" / "passaparola"

_MODEL_OPS = {
    "get": "GetItem",
    "refresh": "GetItem",
    "batch_get": "BatchGetItem",
    "query": "Query",
    "count": "Query",
    "scan": "Scan",
    "save": "PutItem",
    "update": "UpdateItem",
    "delete": "DeleteItem",
    "batch_write": "BatchWriteItem",
}
_TX_OPS = {
    "get": "GetItem",
    "save": "PutItem",
    "update": "UpdateItem",
    "add": "UpdateItem",
    "add_money": "UpdateItem",
    "delete": "DeleteItem",
    "condition_check": "ConditionCheckItem",
    "put_serialized": "PutItem",
}

Call = tuple[str, str, str]  # (table logical id, action, index name or "")


def _module_name(path: Path) -> str:
    if path.is_relative_to(PACKAGE):
        parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
        return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
    return f"functions.{path.parent.name}.app"


class _Graph:
    """Defs of the package and the function apps, and who references whom."""

    def __init__(self) -> None:
        files = sorted((PACKAGE / "passaparola").rglob("*.py")) + sorted((ROOT / "functions").glob("*/app.py"))
        self.trees = {_module_name(f): (f, ast.parse(f.read_text(encoding="utf-8"))) for f in files}
        self.defs: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = {}
        self.top: dict[str, dict[str, str]] = defaultdict(dict)  # module -> top-level name -> def id
        self.methods: dict[str, set[str]] = defaultdict(set)  # method name -> def ids
        for module, (_, tree) in self.trees.items():
            self._collect(module, tree, [], in_class=False)
        self.callers: dict[str, set[str]] = defaultdict(set)
        for module, (path, tree) in self.trees.items():
            self._link(module, path, tree)

    def _collect(self, module: str, node: ast.AST, stack: list[str], *, in_class: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                def_id = f"{module}:{'.'.join([*stack, child.name])}"
                self.defs[def_id] = child
                if in_class:
                    self.methods[child.name].add(def_id)
                elif not stack:
                    self.top[module][child.name] = def_id
                self._collect(module, child, [*stack, child.name], in_class=False)
            elif isinstance(child, ast.ClassDef):
                self._collect(module, child, [*stack, child.name], in_class=True)
            else:
                self._collect(module, child, stack, in_class=in_class)

    def _link(self, module: str, path: Path, tree: ast.Module) -> None:
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        modules: dict[str, str] = {}  # local alias -> module
        names: dict[str, tuple[str, str]] = {}  # local alias -> (module, name)
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    modules[alias.asname or alias.name.split(".")[0]] = alias.name
            elif isinstance(node, ast.ImportFrom):
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)] if node.level else []
                source = ".".join([*base, node.module] if node.module else base)
                for alias in node.names:
                    full = f"{source}.{alias.name}"
                    if full in self.trees:
                        modules[alias.asname or alias.name] = full
                    else:
                        names[alias.asname or alias.name] = (source, alias.name)
        for def_id, fn in self.defs.items():
            if not def_id.startswith(f"{module}:"):
                continue
            for node in ast.walk(fn):
                targets: set[str] = set()
                if isinstance(node, ast.Attribute):
                    if isinstance(node.value, ast.Name) and node.value.id in modules:
                        target = self.top[modules[node.value.id]].get(node.attr)
                        targets = {target} if target else set()
                    else:
                        targets = self.methods.get(node.attr, set())
                elif isinstance(node, ast.Name):
                    if node.id in names:
                        source, name = names[node.id]
                        target = self.top[source].get(name)
                        targets = {target} if target else set()
                    elif node.id in self.top[module]:
                        targets = {self.top[module][node.id]}
                for target in targets - {def_id}:
                    self.callers[target].add(def_id)

    def functions_reaching(self, def_id: str) -> set[str]:
        """The function folders (functions/<name>) whose app.py reaches `def_id`."""
        seen, todo = {def_id}, [def_id]
        while todo:
            for caller in self.callers[todo.pop()] - seen:
                seen.add(caller)
                todo.append(caller)
        return {d.split(".")[1] for d in seen if d.startswith("functions.")}


def _models(table_of_setting: dict[str, str]) -> tuple[dict[str, str], dict[tuple[str, str], str]]:
    """Model class name -> table logical id; (model, index attribute) -> index name."""
    from pynamodb.indexes import GlobalSecondaryIndex

    from passaparola.data import models

    every = models.every_model()
    tables = {model.__name__: table_of_setting[setting.upper()] for model, setting in every}
    indexes = {
        (model.__name__, attr): value.Meta.index_name
        for model, _ in every
        for attr, value in vars(model).items()
        if isinstance(value, GlobalSecondaryIndex)
    }
    return tables, indexes


def def_id(fn: object) -> str:
    """The graph's id of a def of the package, from the function object (`module:qualname`)."""
    return f"{getattr(fn, '__module__', '')}:{getattr(fn, '__qualname__', '')}"


def data_calls(table_of_setting: dict[str, str], middleware: dict[str, set[str]] | None = None) -> dict[str, set[Call]]:
    """functions/<name> -> the (table, action, index) its code can reach (and the middleware it runs)."""
    graph = _Graph()
    for folder, targets in (middleware or {}).items():
        for target in targets:
            assert target in graph.defs, f"no def {target}"
            graph.callers[target].add(f"functions.{folder}.app:<middleware>")
    tables, indexes = _models(table_of_setting)

    def model_of(node: ast.expr) -> tuple[str | None, str]:
        if isinstance(node, ast.Name) and node.id in tables:
            return node.id, ""
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in tables:
            return node.func.id, ""
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            index = indexes.get((node.value.id, node.attr))
            if index:
                return node.value.id, index
        return None, ""

    calls: dict[str, set[Call]] = defaultdict(set)
    for def_id, fn in graph.defs.items():
        if def_id.startswith("functions."):
            continue
        for node in ast.walk(fn):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            op = node.func.attr
            model, index = model_of(node.func.value)
            if model and op in _MODEL_OPS:
                call = (tables[model], _MODEL_OPS[op], index)
            elif op in _TX_OPS and node.args and (model := model_of(node.args[0])[0]):
                call = (tables[model], _TX_OPS[op], "")
            else:
                continue
            for function in graph.functions_reaching(def_id):
                calls[function].add(call)
    return dict(calls)
