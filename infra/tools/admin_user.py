"""Create a console user: `make admin-user EMAIL=... ROLE=owner|marketer|support [PASSWORD=...] [STACK=...]`.

Without STACK, in the running local stack's emulated pool (found at http://127.0.0.1:$PORT/health), password
`passaparola-dev` unless PASSWORD is given. With STACK, in that deployed stack's pool (its ConsoleUserPoolId
output, your AWS credentials): with PASSWORD the password is permanent, without it Cognito emails a temporary
one that the first sign-in replaces. Exits 1 with the reason on failure.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import urllib.request

from botocore.exceptions import BotoCoreError, ClientError

LOCAL_PASSWORD = "passaparola-dev"  # noqa: S105 - the local stack's published dev password
ROLES = ("owner", "marketer", "support")


def local_pool(port: str) -> str:
    """Point the Cognito client at the local stack's moto and return its pool id."""
    url = f"http://127.0.0.1:{port}/health"
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - a fixed local URL
            health = json.loads(response.read())
    except (OSError, ValueError) as exc:
        raise LookupError(f"no local stack answers at {url} ({exc}): start it with `make run`, or give STACK=") from exc
    pool = health.get("console_user_pool")
    if not pool:
        raise LookupError("the local stack has no console user pool (template.yaml declares none)")
    os.environ.update(
        AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER=pool["endpoint"],
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",  # noqa: S105 - moto's dummy credentials
    )
    for variable in ("AWS_PROFILE", "AWS_SESSION_TOKEN"):
        os.environ.pop(variable, None)
    return str(pool["user_pool_id"])


def deployed_pool(stack: str) -> str:
    from infra.tools.storefront import outputs

    pool = outputs(stack).get("ConsoleUserPoolId")
    if not pool:
        raise LookupError(f"stack {stack!r} has no ConsoleUserPoolId output: deploy this version first")
    return pool


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make admin-user", description=__doc__)
    parser.add_argument("--email", required=True)
    parser.add_argument("--role", required=True, choices=ROLES)
    parser.add_argument("--password", default="")
    parser.add_argument("--stack", default="", help="a deployed stack's name; empty: the local stack")
    parser.add_argument("--port", default=os.environ.get("PORT") or "3000")
    args = parser.parse_args(argv)
    email = args.email.strip().lower()
    try:
        pool = deployed_pool(args.stack) if args.stack else local_pool(args.port)
        password = args.password or (None if args.stack else LOCAL_PASSWORD)
        os.environ["CONSOLE_USER_POOL_ID"] = pool
        from passaparola.data import cognito
        from passaparola.errors import DomainError

        try:
            cognito.create_user(email, args.role, password=password)
        except DomainError as exc:
            raise LookupError(exc.message) from exc
    except (LookupError, ClientError, BotoCoreError) as exc:
        print(f"error: {email} was not created: {exc}", file=sys.stderr)
        return 1
    where = f"stack {args.stack}" if args.stack else "the local stack"
    how = f"password {password}" if password and not args.password else "the given password" if password else None
    print(f"created {email} ({args.role}) in {where}'s pool {pool}: " + (how or "Cognito emailed a temporary password"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
