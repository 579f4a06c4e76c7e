"""`make run-build`: the local stack served from `sam build`'s output, so a file the packaging left out fails here.

The build is the x86_64 variant of `make build` (`make build-x86`, .aws-sam/build-x86, or the directory in
PASSAPAROLA_STACK_FROM_BUILD); it is built once for the session when missing. Each test serves a copy of it with one
file removed: the stack must not find that file in the source tree instead.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

from infra.local import build
from infra.local.process import StackFailed, running_stack
from infra.tools import build_check

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def built() -> Path:
    wanted = os.environ.get("PASSAPAROLA_STACK_FROM_BUILD", "").strip()
    path = (ROOT / (wanted or ".aws-sam/build-x86")).resolve()
    if not (path / "template.yaml").is_file():
        assert not wanted, f"PASSAPAROLA_STACK_FROM_BUILD={wanted}: no build there"
        subprocess.run(["make", "--no-print-directory", "build-x86"], cwd=ROOT, check=True, timeout=900)
    return path


def copy_of(built: Path, into: Path) -> Path:
    """The build, copied (the large DepsLayer's python/ linked, not copied: no test changes it)."""
    shutil.copytree(built, into, ignore=lambda d, names: ["python"] if Path(d).name == "DepsLayer" else [])
    (into / "DepsLayer" / "python").symlink_to(built / "DepsLayer" / "python")
    return into


@pytest.fixture()
def bundle_copy(built: Path, tmp_path: Path) -> Path:
    return copy_of(built, tmp_path / "build")


@contextmanager
def start(bundle_dir: Path) -> Iterator[str]:
    log = tempfile.NamedTemporaryFile(prefix="passaparola-run-build-", suffix=".log", delete=False)  # noqa: SIM115
    with log, running_stack(log, {"LOCAL_BUILD_DIR": str(bundle_dir), "LOCAL_SQS": "0"}, 90.0) as url:
        yield url


def test_a_static_file_missing_from_a_function_artifact_is_missing_from_the_served_stack(bundle_copy: Path):
    # Given the console's artifact without one of its scripts (the source tree still has it)
    (bundle_copy / "ConsoleFunction" / "static" / "js" / "i18n.js").unlink()
    assert (ROOT / "functions" / "console" / "static" / "js" / "i18n.js").is_file()

    # When the stack serves that build
    with start(bundle_copy) as url:
        health = requests.get(f"{url}/health", timeout=10).json()
        # Then the code and the layers are the copy's, and the missing script is not found
        assert health["bundle"]["dir"] == str(bundle_copy.resolve())
        assert health["bundle"]["layers"] == [
            str(bundle_copy.resolve() / "DepsLayer" / "python"),
            str(bundle_copy.resolve() / "PassaparolaLayer" / "python"),
        ]
        assert requests.get(f"{url}/admin/static/js/i18n.js", timeout=10).status_code == 404
        assert requests.get(f"{url}/admin/static/js/app.js", timeout=10).status_code == 200


def test_a_module_missing_from_the_built_layer_fails_the_start_even_though_the_source_tree_has_it(bundle_copy: Path):
    (bundle_copy / "PassaparolaLayer" / "python" / "passaparola" / "errors.py").unlink()
    assert (ROOT / "layers" / "passaparola" / "passaparola" / "errors.py").is_file()

    log = tempfile.NamedTemporaryFile(prefix="passaparola-run-build-", suffix=".log", delete=False)  # noqa: SIM115
    with (
        log,
        pytest.raises(StackFailed, match="exited with 1"),
        running_stack(log, {"LOCAL_BUILD_DIR": str(bundle_copy), "LOCAL_SQS": "0"}, 90.0),
    ):
        pass
    assert "No module named 'passaparola.errors'" in Path(log.name).read_text(errors="replace")


def test_a_directory_that_is_not_a_build_is_refused(tmp_path: Path):
    with pytest.raises(build.NotABuild, match="make build-x86"):
        build.load(tmp_path)
    (tmp_path / "template.yaml").write_text((ROOT / "template.yaml").read_text())  # the source template
    with pytest.raises(build.NotABuild, match="not an artifact directory"):
        build.load(tmp_path)


def test_the_source_tree_leaves_sys_path(built: Path):
    # a fresh interpreter: the test process itself has layers/passaparola on its path (pytest's pythonpath)
    code = (
        "import sys; from infra.local import build; b = build.load(sys.argv[1]); build.isolate_sys_path(b);"
        "import passaparola; print(passaparola.__file__);"
        "print(any(build.is_source_path(p) for p in sys.path))"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "layers" / "passaparola")}
    out = subprocess.run(
        [sys.executable, "-c", code, str(built)], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == [str(built / "PassaparolaLayer" / "python" / "passaparola" / "__init__.py"), "False"]


def test_the_import_check_passes_on_the_build_and_fails_on_a_file_missing_from_it(built: Path, tmp_path: Path):
    # the check of `make build-check`, with this interpreter on the x86_64 build made for it
    python = sys.executable
    ok = build_check.check(built, python, only=["CouponsFunction", "ConsoleFunction"])
    assert [(r.logical_id, r.ok) for r in sorted(ok, key=lambda r: r.logical_id)] == [
        ("ConsoleFunction", True),
        ("CouponsFunction", True),
    ], ok

    broken = copy_of(built, tmp_path / "build")
    (broken / "PassaparolaLayer" / "python" / "passaparola" / "errors.py").unlink()
    (failed,) = build_check.check(broken, python, only=["CouponsFunction"])
    assert not failed.ok
    assert "No module named 'passaparola.errors'" in failed.detail


def test_the_import_check_refuses_a_module_loaded_from_outside_the_bundle(built: Path, tmp_path: Path):
    broken = copy_of(built, tmp_path / "build")
    app = broken / "CouponsFunction" / "app.py"
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "stray_module.py").write_text("X = 1\n")
    app.write_text(f"import sys; sys.path.append({str(outside)!r}); import stray_module\n" + app.read_text())

    (failed,) = build_check.check(broken, sys.executable, only=["CouponsFunction"])
    assert not failed.ok
    assert "modules from outside the bundle" in failed.detail and "stray_module.py" in failed.detail


def test_a_wheel_the_code_imports_only_when_it_runs_must_be_in_the_deps_layer(built: Path, tmp_path: Path):
    # `import jwt` is made inside functions only (console sign-in, wallet pushes): importing the handlers misses it.
    # (The linked layer resolves outside the copy, so the per-function check would refuse it for that reason.)
    assert build_check.check_imports(built, sys.executable).ok
    broken = tmp_path / "build"
    shutil.copytree(built, broken, ignore=lambda d, names: ["python"] if Path(d).name == "DepsLayer" else [])
    deps = broken / "DepsLayer" / "python"
    deps.mkdir()
    for entry in (built / "DepsLayer" / "python").iterdir():
        if entry.name != "jwt":  # the deps layer built without pyjwt
            (deps / entry.name).symlink_to(entry)

    failed = build_check.check_imports(broken, sys.executable)
    assert not failed.ok
    assert "jwt (imported by" in failed.detail and "ModuleNotFoundError" in failed.detail
