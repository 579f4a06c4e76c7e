"""`python -m infra.local.job <LogicalId>`: run a scheduled function once.

Against the running stack at $PORT if it answers (so it sees that stack's data), else in a throw-away
in-process stack.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import urllib.error
import urllib.request
from typing import Any

from infra.local.stack import Stack, StackConfig


def running_url(port: int) -> str | None:
    url = f"http://127.0.0.1:{port}"
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=2) as resp:  # noqa: S310 - loopback only
            return url if resp.status == 200 else None
    except (OSError, urllib.error.URLError):
        return None


def run_remote(url: str, job: str, secret_key: str) -> tuple[int, Any]:
    req = urllib.request.Request(  # noqa: S310 - loopback only
        f"{url}/local/jobs/{job}", data=b"", method="POST", headers={"Authorization": f"Bearer {secret_key}"}
    )
    try:
        with urllib.request.urlopen(req, timeout=900) as resp:  # noqa: S310
            return resp.status, json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"null")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.local.job")
    parser.add_argument("logical_id", help="the scheduled function's logical id in template.yaml")
    args = parser.parse_args(argv)
    config = StackConfig.from_env()
    url = running_url(config.port)
    if url:
        status, body = run_remote(url, args.logical_id, config.secret_key)
        print(json.dumps(body, indent=2, default=str))
        return 0 if status == 200 else 1
    logging.basicConfig(level=os.environ.get("LOG_LEVEL_LOCAL", "WARNING"))
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    print(f"no stack at {config.port}; running {args.logical_id} in a throw-away in-process stack", file=sys.stderr)
    config.port, config.schedules = 0, False
    stack = Stack(config).start(serve_http=False)
    try:
        if args.logical_id not in stack.jobs():
            print(f"unknown job {args.logical_id!r}; jobs: {sorted(stack.jobs())}", file=sys.stderr)
            return 1
        print(json.dumps(stack.run_job(args.logical_id), indent=2, default=str))
        return 0
    finally:
        stack.stop()


if __name__ == "__main__":
    sys.exit(main())
