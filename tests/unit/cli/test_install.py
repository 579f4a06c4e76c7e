"""`make venv` installs `.venv/bin/passaparola`: once, idempotently, runnable from anywhere."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs make")


def test_make_installs_the_cli_script_once(tmp_path: Path) -> None:
    venv = tmp_path / ".venv"
    (venv / "bin").mkdir(parents=True)
    (venv / ".requirements-dev.stamp").touch()  # a venv whose requirements are installed: pip is not run
    make = ["make", "--no-print-directory", "-C", str(ROOT), f"VENV={venv}", "venv"]
    first = subprocess.run(make, capture_output=True, text=True, check=True)
    assert "install -m 755 infra/cli/passaparola" in first.stdout
    script = venv / "bin" / "passaparola"
    assert script.read_bytes() == (ROOT / "infra/cli/passaparola").read_bytes()
    assert os.access(script, os.X_OK)
    second = subprocess.run(make, capture_output=True, text=True, check=True)
    assert "Nothing to be done" in second.stdout


def test_the_script_runs_the_cli_of_its_checkout_from_any_directory(tmp_path: Path) -> None:
    checkout = tmp_path / "checkout"
    (checkout / ".venv" / "bin").mkdir(parents=True)
    (checkout / "infra").symlink_to(ROOT / "infra")
    script = checkout / ".venv" / "bin" / "passaparola"
    shutil.copy2(ROOT / "infra/cli/passaparola", script)
    (checkout / ".venv" / "bin" / "python").symlink_to(sys.executable)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "pp").symlink_to(script)  # a symlink to the script (~/bin/passaparola) is followed
    env = {k: v for k, v in os.environ.items() if not k.startswith("PASSAPAROLA_")}
    env["PASSAPAROLA_PROFILES"] = str(tmp_path / "no-profiles.toml")
    for argv in ([str(script), "--help"], ["./pp", "keys", "--help"]):
        done = subprocess.run(argv, cwd=elsewhere, env=env, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        assert "usage: passaparola" in done.stdout
    missing_key = subprocess.run(["./pp", "keys", "list"], cwd=elsewhere, env=env, capture_output=True, text=True)
    assert missing_key.returncode == 2
    assert missing_key.stderr.startswith("passaparola: ")
