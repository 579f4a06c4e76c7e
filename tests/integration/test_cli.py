"""The `passaparola` CLI against the local stack: `python -m infra.cli ...` in a subprocess, as an admin runs it."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from api import Api

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def api(stack):
    return Api(stack)


@pytest.fixture(scope="module")
def cli(stack, tmp_path_factory):
    """`cli("keys", "list")` → CompletedProcess (text); the stack's URL and key come from the environment."""
    env = {
        **os.environ,
        "PASSAPAROLA_URL": stack.url,
        "PASSAPAROLA_SECRET_KEY": stack.secret_key,
        "PASSAPAROLA_PROFILES": str(tmp_path_factory.mktemp("cli") / "none.toml"),
    }
    env.pop("PASSAPAROLA_PROFILE", None)

    def run(*argv: str, key: str | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        extra = ["--key", key] if key else []
        return subprocess.run(
            [sys.executable, "-m", "infra.cli", *argv, *extra],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    return run


def test_keys_create_list_revoke(cli):
    # When an owner creates a key, the key alone is printed (once)
    made = cli("keys", "create", "--name", "cli integration")
    assert made.returncode == 0, made.stderr
    key = made.stdout.strip()
    assert key.startswith("sk_") and "\n" not in key
    prefix = key[:16]

    # Then the new key works (listing with it) and is listed by its prefix, not revoked
    listed = cli("keys", "list", key=key)
    assert listed.returncode == 0, listed.stderr
    line = next(ln for ln in listed.stdout.splitlines() if ln.startswith(prefix))
    assert line.split()[1] == "secret" and line.rstrip().endswith("-")

    # When it is revoked (by the whole key), then the list shows when
    revoked = cli("keys", "revoke", key)
    assert revoked.returncode == 0, revoked.stderr
    assert revoked.stdout.startswith(f"revoked {prefix} (cli integration) at ")
    line = next(ln for ln in cli("keys", "list").stdout.splitlines() if ln.startswith(prefix))
    assert not line.rstrip().endswith("-")

    # And revoking it again, or an unknown prefix, is the API's error on one line (exit 1)
    unknown = cli("keys", "revoke", "sk_local_NoSuchKey0")
    assert (unknown.returncode, unknown.stdout) == (1, "")
    assert unknown.stderr.startswith("passaparola: not_found: ") and unknown.stderr.count("\n") == 1


def test_codes_generate_2000_follows_the_batch_and_export_matches_it(cli, api, tmp_path):
    campaign = api.create_campaign()

    # When 2,000 codes are generated, the background batch is followed to the end (plain progress lines: no TTY)
    made = cli("codes", "generate", "--campaign", campaign["id"], "--count", "2000", "--prefix", "CLI-")
    assert made.returncode == 0, made.stderr
    batch_id = made.stdout.strip()
    assert batch_id.startswith("bat_")
    assert "codes: 2,000/2,000 (100%), in " in made.stderr
    batch = api.get(f"/v1/campaigns/{campaign['id']}/batches/{batch_id}").json()
    assert (batch["status"], batch["created"]) == ("completed", 2000)

    # Then the export holds exactly the batch's codes, the header once
    target = tmp_path / "codes.csv"
    exported = cli("codes", "export", "--campaign", campaign["id"], "-o", str(target))
    assert exported.returncode == 0, exported.stderr
    assert exported.stderr == f"2,000 rows written to {target}\n"
    text = target.read_text(encoding="utf-8")
    assert text.count("code,customer_id,batch_id") == 1
    rows = list(csv.DictReader(io.StringIO(text)))
    listed = {c["code"] for c in api.list_all(f"/v1/campaigns/{campaign['id']}/codes", limit=1000)}
    assert {r["code"] for r in rows} == listed and len(rows) == 2000
    assert {r["batch_id"] for r in rows} == {batch_id}
    assert all(r["code"].startswith("CLI-") for r in rows)


def test_errors_are_one_line_with_conventional_exit_codes(cli, stack):
    unknown = cli("codes", "generate", "--campaign", "cmp_nosuchcampaign", "--count", "5")
    assert unknown.returncode == 1 and unknown.stdout == ""
    assert unknown.stderr.startswith("passaparola: not_found: ") and unknown.stderr.count("\n") == 1

    wrong_key = cli("keys", "list", key="sk_local_wrong_key_123456")
    assert wrong_key.returncode == 1
    assert wrong_key.stderr.startswith("passaparola: unauthorized: ")

    usage = cli("codes", "generate", "--count", "5")
    assert usage.returncode == 2 and usage.stderr.startswith("passaparola: usage: ")
