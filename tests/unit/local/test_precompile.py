"""The layers' makefile builds ship bytecode compiled by a Python of LAMBDA_PYTHON's version, and build without it
(one warning) when there is none: `sam build` needs no Python 3.13 (layers/*/Makefile, `precompile`)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
LAYER = ROOT / "layers" / "passaparola"
THIS = f"{sys.version_info[0]}.{sys.version_info[1]}"
TAG = sys.implementation.cache_tag  # cpython-313 under the runtime's Python

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs make")


def build(tmp_path: Path, **variables: str) -> subprocess.CompletedProcess[str]:
    args = [f"{k}={v}" for k, v in {"ARTIFACTS_DIR": str(tmp_path), **variables}.items()]
    return subprocess.run(
        ["make", "--no-print-directory", "build-PassaparolaLayer", *args],
        cwd=LAYER,
        capture_output=True,
        text=True,
        check=False,
    )


def test_bytecode_for_every_module_in_unchecked_hash_mode(tmp_path: Path) -> None:
    proc = build(tmp_path, LAMBDA_PYTHON=THIS, PYC_PYTHON=sys.executable)
    assert proc.returncode == 0, proc.stderr
    sources = list((tmp_path / "python").rglob("*.py"))
    compiled = list((tmp_path / "python").rglob(f"__pycache__/*.{TAG}.pyc"))
    assert sources and len(compiled) == len(sources)
    flags = int.from_bytes(compiled[0].read_bytes()[4:8], "little")
    assert flags == 0b01  # hash-based, check_source off: the .py is never looked at (PEP 552)


def test_found_on_the_path_when_not_named(tmp_path: Path) -> None:
    bindir = tmp_path / "bin"
    bindir.mkdir()
    (bindir / f"python{THIS}").symlink_to(sys.executable)
    env_path = f"{bindir}:/usr/bin:/bin"
    proc = subprocess.run(
        ["make", "--no-print-directory", "build-PassaparolaLayer", f"ARTIFACTS_DIR={tmp_path / 'out'}"],
        cwd=LAYER,
        env={"PATH": env_path, "LAMBDA_PYTHON": THIS},
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert list((tmp_path / "out" / "python").rglob(f"*.{TAG}.pyc"))


def test_no_such_python_builds_without_bytecode_and_warns_once(tmp_path: Path) -> None:
    proc = build(tmp_path, LAMBDA_PYTHON="3.99")
    assert proc.returncode == 0, proc.stderr
    assert not list((tmp_path / "python").rglob("*.pyc"))
    warnings = [line for line in proc.stdout.splitlines() if "WARNING" in line]  # sam shows make's stdout
    assert len(warnings) == 1 and "no Python 3.99" in warnings[0]


def test_a_named_python_of_another_version_fails(tmp_path: Path) -> None:
    proc = build(tmp_path, LAMBDA_PYTHON="3.99", PYC_PYTHON=sys.executable)
    assert proc.returncode != 0
    assert "is not a Python 3.99" in proc.stderr


def test_none_skips(tmp_path: Path) -> None:
    proc = build(tmp_path, LAMBDA_PYTHON=THIS, PYC_PYTHON="none")
    assert proc.returncode == 0, proc.stderr
    assert not list((tmp_path / "python").rglob("*.pyc"))
