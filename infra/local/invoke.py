"""Call a function's handler in-process with the very event the local gateway would build.

Unit tests and benchmarks use this instead of HTTP: same event shape as `make run`, no server.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from types import ModuleType
from typing import Any
from urllib.parse import urlencode

from infra.local.gateway import Route, build_event
from infra.local.template import ApiEvent


class LambdaContext:
    """A Lambda context with a generous deadline, for handlers called outside the stack."""

    function_name = "passaparola-local"
    function_version = "$LATEST"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:passaparola-local"
    aws_request_id = "local-request"

    def get_remaining_time_in_millis(self) -> int:
        return 15000


def api_event(
    method: str,
    path: str,
    resource: str,
    body: Any = None,
    headers: dict[str, str] | None = None,
    query: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The API Gateway proxy event for `method path` routed to the template route `resource`."""
    route = Route.of(ApiEvent("local", resource, method))
    params = route.match([p for p in path.strip("/").split("/") if p]) or {}
    raw = body.encode() if isinstance(body, str) else b"" if body is None else json.dumps(body).encode()
    return build_event(
        method=method,
        raw_path=path + (f"?{urlencode(query)}" if query else ""),
        headers=[("Content-Type", "application/json"), *(headers or {}).items()],
        body=raw,
        route=route,
        path_params=params,
        source_ip="127.0.0.1",
        stage="local",
    )


@dataclass
class Reply:
    status: int
    body: Any
    headers: dict[str, str]


def call(module: ModuleType, event: dict[str, Any]) -> Reply:
    """Invoke `module.lambda_handler` and decode its proxy response (JSON bodies parsed)."""
    result = module.lambda_handler(event, LambdaContext())
    headers = dict(result.get("headers") or {})
    headers |= {k: v[0] for k, v in (result.get("multiValueHeaders") or {}).items() if v}
    try:
        body = json.loads(result["body"])
    except (TypeError, ValueError):
        body = result["body"]
    return Reply(result["statusCode"], body, headers)


def reset_containers() -> None:
    """Forget what a warm Lambda container keeps between requests (settings, clients, caches)."""
    from passaparola import keyring
    from passaparola.api import console_tokens, idempotency, keys
    from passaparola.data import (
        campaigns,
        cognito,
        coupons,
        customers,
        models,
        queues,
        secrets,
        shards,
        stats,
        webhooks,
    )
    from passaparola.passes import config as passes_config
    from passaparola.referrals import links
    from passaparola.settings import get_settings

    get_settings.cache_clear()
    models.bind()
    idempotency._runner.cache_clear()
    queues._sqs.cache_clear()
    keys._cache.clear()
    console_tokens._jwks.clear()
    cognito._client.cache_clear()
    keyring.forget()
    passes_config.forget()
    secrets._client.cache_clear()
    coupons._CAMPAIGN_OF_CODE.clear()
    shards.forget_reads()
    campaigns._CACHE.clear()
    customers._cache.clear()
    stats._shop_ready = False
    webhooks._sqs.cache_clear()
    links._MARKED.clear()
