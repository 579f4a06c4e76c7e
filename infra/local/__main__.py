"""`python -m infra.local`: start the whole product on http://127.0.0.1:$PORT (default 3000)."""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading

from infra.local.stack import Stack, StackConfig


def banner(stack: Stack) -> str:
    cfg = stack.config
    url = stack.url
    endpoints = stack.endpoints
    in_memory = endpoints is not None and endpoints.in_memory
    lines = [
        "",
        "  Passaparola local stack is up",
        f"  API            {url}",
        f"  Docs           {url}/docs",
        f"  OpenAPI        {url}/openapi.json",
        f"  Health         {url}/health",
        f"  Secret key     {cfg.secret_key}      (Authorization: Bearer {cfg.secret_key})",
        f"  Publishable    {cfg.publishable_key}      (X-Publishable-Key: {cfg.publishable_key})",
        f"  AWS emulation  moto at {endpoints.moto_url if endpoints else '?'} (SQS, SNS, SES, EventBridge, Cognito)",
        f"  DynamoDB       {endpoints.dynamodb_label if endpoints else '?'}",
        f"  Jobs           {', '.join(sorted(stack.jobs())) or 'none'}"
        f"  (POST {url}/local/jobs/<id>; schedules {'on' if cfg.schedules else 'off'})",
    ]
    if stack.console_pool is not None:
        from infra.local.console_users import DEV_PASSWORD, DEV_USERS

        lines.append(f"  Console        {url}/admin  (Cognito emulated by moto; local-only dev users)")
        lines += [f"    {role:<9} {email:<22} password {DEV_PASSWORD}" for email, role in DEV_USERS.items()]
    if stack.bundle is not None:
        lines.append(f"  Code           the built bundle {stack.bundle.root} (not the source tree)")
    if in_memory:
        lines.append("  Data lives in memory and is gone on restart.")
    for problem in stack.route_problems:
        lines.append(f"  WARNING: {problem}")
    if stack.env_conflicts:
        lines.append(f"  WARNING: functions disagree on environment variables: {stack.env_conflicts}")
    return "\n".join(lines) + "\n"


def main() -> int:
    logging.basicConfig(
        level=os.environ.get("LOG_LEVEL_LOCAL", "INFO"), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    for noisy in ("werkzeug", "pynamodb", "botocore", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    config = StackConfig.from_env()
    if not config.template.exists():
        print(f"no template at {config.template}", file=sys.stderr)
        return 2
    stack = Stack(config)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    try:
        stack.start()
    except OSError as exc:
        print(f"cannot start the local stack on port {config.port}: {exc}", file=sys.stderr)
        stack.stop()
        return 1
    except Exception:
        logging.getLogger("infra.local").exception("the local stack failed to start")
        stack.stop()
        return 1
    print(banner(stack), flush=True)
    stop.wait()
    print("stopping ...", file=sys.stderr, flush=True)
    stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
