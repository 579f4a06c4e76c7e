"""The local stack as a child process (`python -m infra.local`) on a free port: the integration tests' `stack`
fixture and `make fuzz` start, await and stop it the same way."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import requests

from infra.local.aws import free_port

ROOT = Path(__file__).resolve().parents[2]
SECRET_KEY = "sk_local_dev"
PUBLISHABLE_KEY = "pk_local_dev"


class StackFailed(RuntimeError):
    """The stack exited or was not healthy in time (its log says why)."""


@contextmanager
def running_stack(log: IO[bytes], env: Mapping[str, str | None], timeout: float) -> Iterator[str]:
    """Yields the URL of a healthy stack with the background scheduler off; `env` adds (or, with None, removes)
    variables of this process's environment."""
    port = free_port()
    child = {
        **os.environ,
        "PORT": str(port),
        "LOCAL_SCHEDULES": "0",
        "PYTHONUNBUFFERED": "1",
        "PASSAPAROLA_SECRET_KEY": SECRET_KEY,
        "PASSAPAROLA_PUBLISHABLE_KEY": PUBLISHABLE_KEY,
    }
    for name, value in env.items():
        if value is None:
            child.pop(name, None)
        else:
            child[name] = value
    proc = subprocess.Popen(
        [sys.executable, "-m", "infra.local"], cwd=ROOT, env=child, stdout=log, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _await_health(proc, url, timeout)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def _await_health(proc: subprocess.Popen[bytes], url: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise StackFailed(f"the local stack exited with {proc.returncode}")
        try:
            if requests.get(f"{url}/health", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        if time.monotonic() > deadline:
            raise StackFailed(f"the local stack was not healthy after {timeout:.0f}s")
        time.sleep(0.2)
