"""The Idempotency-Key header, on top of powertools Idempotency.

A retry with the same key and body gets the first (successful) response again; the same key with another
body gets 409 idempotency_conflict; a retry while the first is still running gets 409
idempotency_in_progress. Keys are scoped by API key and route. Business refusals (4xx) are stored and
replayed like successes, as the first answer; server errors (5xx) are not: a retry may still succeed.
Routes that need no API key (unsubscribe, redirects, public QR) have no scope to keep keys apart and are
idempotent by nature: the header is ignored there. So it is on routes whose answer is a credential (a new API
key, a customer token): a stored answer would keep the secret in the idempotency table for a day, readable by
every function, and hand it out again on a replay; a retry there simply gets a new one.
"""

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.middlewares import NextMiddleware

from passaparola.api.errors import error_response
from passaparola.errors import DomainError, IdempotencyConflict, IdempotencyInProgress, InvalidRequest
from passaparola.settings import get_settings

Run = Callable[..., dict[str, Any]]


@lru_cache(maxsize=1)
def _runner() -> tuple[Run, Any]:
    """Built on first use: powertools' idempotency package imports boto3, which most requests never need."""
    import boto3
    from aws_lambda_powertools.utilities.idempotency import (
        DynamoDBPersistenceLayer,
        IdempotencyConfig,
        idempotent_function,
    )

    settings = get_settings()
    client = boto3.client("dynamodb", region_name=settings.aws_region, endpoint_url=settings.dynamodb_endpoint_url)
    store = DynamoDBPersistenceLayer(table_name=settings.idempotency_table, boto3_client=client)
    config = IdempotencyConfig(
        event_key_jmespath="[scope, route, key]",
        payload_validation_jmespath="body",
        expires_after_seconds=settings.idempotency_ttl_seconds,
        response_hook=lambda response, _record: {**response, "replayed": True},
    )

    @idempotent_function(data_keyword_argument="request", persistence_store=store, config=config)
    def run(request: dict[str, Any], call: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        return call()

    return run, config


SECRET_ANSWERS = frozenset(
    {
        "POST /v1/keys",
        "POST /v1/customers/{customer_id}/token",
        "POST /v1/webhooks",
        "POST /v1/webhooks/{webhook_id}/secret/rotate",
    }
)
"""Routes whose answer is a credential: never stored, so the Idempotency-Key header is ignored there."""


def _scope(app: Any, principal: Any) -> str:
    """The API key's id; for a browser call with a customer token, also the customer it vouches for: two
    shoppers of one shop share the publishable key and may send the same key (`/v1/me/...` paths are the same)."""
    if principal.kind != "publishable":
        return str(principal.key_id)
    from passaparola.api.app import customer_token

    try:
        claim = customer_token(app, required=False)
    except DomainError:  # a bad token: the route refuses it if it needs one, under the key's own scope
        return str(principal.key_id)
    return principal.key_id if claim is None else f"{principal.key_id}#{claim.customer_id}"


def idempotency_middleware(app: Any, next_middleware: NextMiddleware) -> Response:
    event = app.current_event
    key = event.headers.get("idempotency-key")
    principal = app.context.get("principal")
    if key is None or principal is None or event.http_method in ("GET", "HEAD", "OPTIONS"):
        return next_middleware(app)
    if f"{event.http_method} {event.resource}" in SECRET_ANSWERS:
        return next_middleware(app)
    if not 1 <= len(key) <= 255 or not key.isprintable() or not key.isascii():
        raise InvalidRequest("Idempotency-Key must be 1-255 printable ASCII characters.", {"field": "Idempotency-Key"})
    run, config = _runner()
    if app.lambda_context is not None:
        config.register_lambda_context(app.lambda_context)
    request = {
        "key": key,
        "scope": _scope(app, principal),
        "route": f"{event.http_method} {event.path}",
        "body": _body(event),
    }

    def call() -> dict[str, Any]:
        try:
            response = next_middleware(app)
        except DomainError as refused:
            if refused.status >= 500:
                raise
            response = error_response(refused)
        body = response.body if isinstance(response.body, str | None) else app._serializer(response.body)
        return {"status": response.status_code, "headers": dict(response.headers), "body": body}

    from aws_lambda_powertools.utilities.idempotency.exceptions import (
        IdempotencyAlreadyInProgressError,
        IdempotencyValidationError,
    )

    try:
        result = run(request=request, call=call)
    except IdempotencyValidationError as exc:
        raise IdempotencyConflict() from exc
    except IdempotencyAlreadyInProgressError as exc:
        raise IdempotencyInProgress() from exc
    headers = result["headers"] | {"Idempotent-Replayed": "true" if result.get("replayed") else "false"}
    return Response(status_code=result["status"], headers=headers, body=result["body"])


def _body(event: Any) -> Any:
    """The JSON body, or the text of a route that takes another type (a CSV import): what a retry must repeat."""
    if not event.body:
        return None
    try:
        return event.json_body
    except ValueError:
        return event.decoded_body
