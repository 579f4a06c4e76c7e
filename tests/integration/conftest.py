"""The `stack` fixture: the real local stack (`python -m infra.local`) in a subprocess, once per session.

The background scheduler is off (LOCAL_SCHEDULES=0): tests run scheduled functions on demand with
`stack.run_job(logical_id)`. The stack's log is printed if it fails to start.

DynamoDB is moto's by default. `PASSAPAROLA_TEST_DYNAMODB=local` (`make test-dynamodb-local`) starts AWS
DynamoDB Local in memory on a free port for the session and points the stack at it, so the same suite proves
conditional writes and transactions on Amazon's implementation; a URL there uses that DynamoDB endpoint.

`PASSAPAROLA_STACK_FROM_BUILD=<dir>` (`make test-build`) serves the functions from `sam build`'s output in that
directory (an x86_64 build for this machine, `make build-x86`) instead of the source tree: infra/local/build.py.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests

from infra.local.dynamodb_local import DynamoDBLocal
from infra.local.process import PUBLISHABLE_KEY, SECRET_KEY, StackFailed, running_stack

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 60.0


@dataclass
class LocalStack:
    url: str
    secret_key: str
    publishable_key: str
    log_path: Path
    dynamodb: str  # "moto", or the DynamoDB endpoint the stack uses

    def run_job(self, logical_id: str, event: dict[str, Any] | None = None) -> Any:
        """Run a scheduled function once (POST /local/jobs/<id>, with `event` as its input); returns its JSON return value."""
        resp = requests.post(
            f"{self.url}/local/jobs/{logical_id}",
            json=event,
            headers={"Authorization": f"Bearer {self.secret_key}"},
            timeout=300,
        )
        assert resp.status_code == 200, f"job {logical_id}: {resp.status_code} {resp.text}"
        return resp.json()

    def set_clock(self, when: datetime | str | None) -> dict[str, Any]:
        """Freeze the stack's clock at `when` (every request then sees exactly that time; post again to move it),
        or restore the real clock with None (POST /local/clock). Returns {"now", "frozen"}."""
        if isinstance(when, datetime):
            if when.tzinfo is None:
                raise ValueError("set_clock needs an aware datetime (UTC)")
            when = when.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        resp = requests.post(
            f"{self.url}/local/clock",
            json={"now": when},
            headers={"Authorization": f"Bearer {self.secret_key}"},
            timeout=30,
        )
        assert resp.status_code == 200, f"set_clock {when}: {resp.status_code} {resp.text}"
        return resp.json()

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


@pytest.fixture(scope="session")
def dynamodb_endpoint() -> Iterator[str | None]:
    """The DynamoDB the stack uses: None (moto), DynamoDB Local started here, or a URL (PASSAPAROLA_TEST_DYNAMODB)."""
    wanted = os.environ.get("PASSAPAROLA_TEST_DYNAMODB", "").strip()
    if wanted in ("", "moto"):
        yield None
    elif wanted == "local":
        with tempfile.NamedTemporaryFile(prefix="passaparola-dynamodb-local-", suffix=".log", delete=False) as log:
            db = DynamoDBLocal(log=log).start()
            try:
                yield db.url
            finally:
                db.stop()
    elif wanted.startswith("http"):
        yield wanted
    else:
        raise pytest.UsageError(f"PASSAPAROLA_TEST_DYNAMODB={wanted!r}: use moto (default), local, or a URL")


@pytest.fixture(scope="session")
def stack(dynamodb_endpoint: str | None) -> Iterator[LocalStack]:
    log_file = tempfile.NamedTemporaryFile(prefix="passaparola-stack-", suffix=".log", delete=False)  # noqa: SIM115
    log_path = Path(log_file.name)
    try:
        env = {"DYNAMODB_ENDPOINT_URL": dynamodb_endpoint, "LOCAL_BUILD_DIR": build_dir()}
        with running_stack(log_file, env, START_TIMEOUT) as url:
            yield LocalStack(url, SECRET_KEY, PUBLISHABLE_KEY, log_path, dynamodb_endpoint or "moto")
    except StackFailed as exc:
        pytest.fail(f"{exc}:\n{log_path.read_text(encoding='utf-8', errors='replace')}", pytrace=False)
    finally:
        log_file.close()


def build_dir() -> str | None:
    """The `sam build` output the stack serves (PASSAPAROLA_STACK_FROM_BUILD), absolute; None: the source tree."""
    wanted = os.environ.get("PASSAPAROLA_STACK_FROM_BUILD", "").strip()
    if not wanted:
        return None
    path = (ROOT / wanted).resolve()
    if not (path / "template.yaml").is_file():
        raise pytest.UsageError(f"PASSAPAROLA_STACK_FROM_BUILD={wanted!r}: no template.yaml there (make build-x86)")
    return str(path)


def pytest_report_header() -> list[str]:
    return [
        f"integration DynamoDB: {os.environ.get('PASSAPAROLA_TEST_DYNAMODB') or 'moto'} (PASSAPAROLA_TEST_DYNAMODB)",
        f"integration code: {build_dir() or 'the source tree'} (PASSAPAROLA_STACK_FROM_BUILD)",
    ]
