"""The Idempotency-Key header, on top of powertools Idempotency.

A retry with the same key and body gets the first (successful) response again; the same key with another
body gets 409 idempotency_conflict; a retry while the first is still running gets 409
idempotency_in_progress. Keys are scoped by API key and route. Business refusals (4xx) are stored and
replayed like successes, as the first answer; server errors (5xx) are not: a retry may still succeed. Nor is a 409
`conflict` (contention that outlasted the retries) or a 429 `rate_limited` ("slow down"): both say retry, and
stored, either would turn that advice into the key's final answer — an order whose coupon was already redeemed
would never be recorded under the key.
Routes that need no API key (unsubscribe, redirects, public QR) have no scope to keep keys apart and are
idempotent by nature: the header is ignored there. So it is on routes whose answer is a credential (a new API
key, a customer token): a stored answer would keep the secret in the idempotency table for a day, readable by
every function, and hand it out again on a replay; a retry there simply gets a new one.

Two paths. The generic one (powertools) locks the key before the route runs (INPROGRESS) and stores its answer
after (COMPLETED): two round trips on top of the route's. A route whose answer is committed by one DynamoDB
transaction opts into the one-transaction path instead (`Api.idempotent_in_transaction`: `POST /v1/redemptions` and
its rollback, `POST /v1/orders`, its refund and `POST /v1/referrals/events`): no lock; the pending record (key id,
body hash, expiry, how to render the answer) goes to the data layer for this request (passaparola.data.idempotency),
which reads it in the route's first read round — a replay ends there, one round trip — and puts the COMPLETED record
holding the answer in the route's own transaction, conditioned on no live record. Both paths compute the same key
id and write the same record format, so each answers the other's records.

On that path, two concurrent requests with one key do not get 409 idempotency_in_progress: both run, one
transaction commits, the other is cancelled (on the record's condition, or the domain's own: a redemption's order
lock, the order id, a refund's refunded total as read), reads again and answers the winner's stored answer as a
replay — whatever the order of arrival, every answer for the key is the same. Another body with the key still gets
409 idempotency_conflict. An answer no transaction stored (a 4xx refusal, the order's earlier redemption) is stored
by one more PutItem under the same condition; a 5xx is not stored.
"""

import hashlib
import json
import os
import time
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

    @idempotent_function(
        data_keyword_argument="request", persistence_store=store, config=config, key_prefix=_key_prefix()
    )
    def run(request: dict[str, Any], call: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        return call()

    return run, config


def _key_prefix() -> str:
    """powertools' default prefix for `run` above (function name, module, qualified name), spelled out so that the
    one-transaction path finds the records without building powertools (and records written before stay found)."""
    return f"{os.getenv('AWS_LAMBDA_FUNCTION_NAME', 'test-func')}.{__name__}._runner.<locals>.run"


def _hash(value: Any) -> str:
    """powertools' hash of a request part (md5 of its sorted JSON), for key ids and body validation."""
    return hashlib.md5(json.dumps(value, sort_keys=True).encode(), usedforsecurity=False).hexdigest()


def key_id(request: dict[str, Any]) -> str:
    """The record's id powertools gives a request (`[scope, route, key]`)."""
    return f"{_key_prefix()}#{_hash([request['scope'], request['route'], request['key']])}"


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
            if refused.status >= 500 or not refused.stored:
                raise
            response = error_response(refused)
        body = response.body if isinstance(response.body, str | None) else app._serializer(response.body)
        return {"status": response.status_code, "headers": dict(response.headers), "body": body}

    answer = app.in_transaction.get(f"{event.http_method} {event.resource}")
    if answer is not None:
        return _in_transaction(app, request, answer, call)
    run, config = _runner()
    if app.lambda_context is not None:
        config.register_lambda_context(app.lambda_context)

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
    return _respond(result, replayed=bool(result.get("replayed")))


def _respond(answer: dict[str, Any], replayed: bool) -> Response:
    headers = answer["headers"] | {"Idempotent-Replayed": "true" if replayed else "false"}
    return Response(status_code=answer["status"], headers=headers, body=answer["body"])


def _in_transaction(
    app: Any, request: dict[str, Any], answer: Callable[[Any], tuple[Any, int]], call: Callable[[], dict[str, Any]]
) -> Response:
    """The one-transaction path (module docstring): the route's data layer reads and writes the record."""
    from passaparola.data import idempotency as records

    def render(outcome: Any) -> dict[str, Any]:
        model, status = answer(outcome)
        body = app._serializer(model.model_dump(mode="json", by_alias=True))
        return {"status": status, "headers": {"Content-Type": "application/json"}, "body": body}

    pending = records.Pending(
        key_id=key_id(request),
        payload_hash=_hash(request["body"]),
        expires_at=int(time.time()) + get_settings().idempotency_ttl_seconds,
        render=render,
    )
    token = records.PENDING.set(pending)
    try:
        result = call()
        if not pending.written and result["status"] < 500:
            records.keep(pending, result)
    except records.Replay as replay:
        return _respond(replay.answer, replayed=True)
    finally:
        records.PENDING.reset(token)
    return _respond(result, replayed=False)


def _body(event: Any) -> Any:
    """The JSON body, or the text of a route that takes another type (a CSV import): what a retry must repeat."""
    if not event.body:
        return None
    try:
        return event.json_body
    except ValueError:
        return event.decoded_body
