"""The resolver every API function uses: authentication, validation, errors and idempotency in one place."""

import base64
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from itertools import accumulate
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, CORSConfig, Response, content_types
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from passaparola.api import console_tokens, keys, roles
from passaparola.api.audit import audit_middleware
from passaparola.api.errors import error_body, error_response, invalid_request
from passaparola.api.idempotency import idempotency_middleware
from passaparola.api.openapi import document_conventions
from passaparola.errors import (
    DomainError,
    Forbidden,
    InvalidRequest,
    NotFound,
    Unauthorized,
)
from passaparola.loyalty.tokens import Claim
from passaparola.observability import logger, metrics, tracer
from passaparola.settings import get_settings

ALLOWED_HEADERS = ["Authorization", "Content-Type", "X-Publishable-Key", "Idempotency-Key", "X-Customer-Token"]
EXPOSED_HEADERS = ["X-Next-Cursor"]
"""Response headers a cross-origin browser client may read (CSV pages carry the next cursor there)."""
MAX_JSON_DEPTH = 32
"""Deeper JSON is refused before any parser (json, pydantic, the idempotency hash) recurses into it."""
# A string left open runs to the end of the body: otherwise a failed match restarts at every later quote
# (quadratic, seconds for a 32 KB body sent without a key).
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*(?:"|\\?\Z)', re.S)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_DEPTH_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


class Api(APIGatewayRestResolver):
    """A REST resolver that authenticates before anything else and speaks the project's error format.

    `browser_routes` ("POST /v1/coupons/validate") are the routes a publishable key may call;
    `public_routes` ("GET /r/{code}") need no key at all; every other route needs the secret key or a console
    user's id token (`passaparola.api.console_tokens`) whose role may call it (`passaparola.api.roles`).
    `text_routes` ({"POST /v1/points/imports": "text/csv"}) take a body of that type instead of JSON: passed through
    as sent (read it with `text_body(app)`) and documented as that media type.
    `link_routes` ({"GET /v1/me/pass.pkpass": "t"}) are browser routes that a signed link opens without a key: a
    call carrying that query parameter is not authenticated here, the route verifies the link itself.
    """

    def __init__(
        self,
        browser_routes: Iterable[str] = (),
        public_routes: Iterable[str] = (),
        text_routes: Mapping[str, str] | None = None,
        link_routes: Mapping[str, str] | None = None,
    ) -> None:
        origins = get_settings().origins or ["*"]
        super().__init__(
            enable_validation=True,
            cors=CORSConfig(
                allow_origin=origins[0],
                extra_origins=origins[1:],
                allow_headers=ALLOWED_HEADERS,
                expose_headers=EXPOSED_HEADERS,
                max_age=600,
            ),
        )
        self.browser_routes = frozenset(browser_routes)
        self.public_routes = frozenset(public_routes)
        self.text_routes = dict(text_routes or {})
        self.link_routes = dict(link_routes or {})
        self.in_transaction: dict[str, Callable[[Any], tuple[Any, int]]] = {}
        self.use([idempotency_middleware, audit_middleware])  # audit inside: a replayed answer records nothing
        self.exception_handler(DomainError)(error_response)
        self.exception_handler(RequestValidationError)(lambda exc: error_response(invalid_request(exc)))
        self.not_found()(lambda _: error_response(NotFound("No such route.")))
        self.exception_handler(Exception)(_unexpected)

    def resolve(self, event: Mapping[str, Any], context: LambdaContext) -> dict[str, Any]:
        if event.get("httpMethod") == "OPTIONS":
            return super().resolve(event, context)
        try:
            principal = self._authenticate(event)
            event = _as_text(event)
            body = event.get("body") or ""
            limit = get_settings().max_body_bytes
            if len(body.encode() if isinstance(body, str) else body) > limit:
                raise InvalidRequest("The request body is too large.", {"field": "body", "max_bytes": limit})
            text = f"{event.get('httpMethod', '')} {event.get('resource', '')}" in self.text_routes
            if not text and json_depth(body) > MAX_JSON_DEPTH:
                raise InvalidRequest(
                    "The JSON body is nested too deeply.", {"field": "body", "max_depth": MAX_JSON_DEPTH}
                )
        except DomainError as error:
            return self._early_error(event, error)
        self.append_context(principal=principal)
        return super().resolve(event if text else _as_json(event), context)

    def idempotent_in_transaction(self, route: str, answer: Callable[[Any], tuple[Any, int]]) -> None:
        """Opt a route ("POST /v1/redemptions") into the one-transaction Idempotency-Key path
        (passaparola.api.idempotency): its data layer reads and writes the key's record with its own round trips.
        `answer` turns the domain outcome it commits into what the route returns (a pydantic model, a status)."""
        self.in_transaction[route] = answer

    def get_openapi_json_schema(self, *args: Any, **kwargs: Any) -> str:
        """The generated document, with our error envelope, statuses and key requirements on every route."""
        doc = json.loads(super().get_openapi_json_schema(*args, **kwargs))
        for route, media_type in self.text_routes.items():
            method, path = route.split(" ", 1)
            operation = doc["paths"][path][method.lower()]
            operation["requestBody"] = {"required": True, "content": {media_type: {"schema": {"type": "string"}}}}
        return json.dumps(
            document_conventions(doc, self.browser_routes, self.public_routes, frozenset(self.link_routes)), indent=2
        )

    def _authenticate(self, event: Mapping[str, Any]) -> keys.Principal | None:
        route = f"{event.get('httpMethod', '')} {event.get('resource', '')}"
        link = self.link_routes.get(route)
        if route in self.public_routes or (link and (event.get("queryStringParameters") or {}).get(link)):
            return None
        headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
        bearer = headers.get("authorization", "")
        raw = bearer[7:].strip() if bearer[:7].lower() == "bearer " else headers.get("x-publishable-key", "").strip()
        if bearer and console_tokens.looks_like_jwt(raw):
            user = console_tokens.verify(raw)
            principal: keys.Principal | None = keys.Principal(
                kind="user", key_id="u_" + user.sub[:16], role=user.role, email=user.email
            )
        else:
            principal = keys.lookup(raw) if raw else None
        if principal is None:
            raise Unauthorized()
        if principal.kind == "publishable" and route not in self.browser_routes:
            raise Forbidden("This route needs the secret key; publishable keys are for storefront routes only.")
        roles.check(principal, route)
        return principal

    def _early_error(self, event: Mapping[str, Any], error: DomainError) -> dict[str, Any]:
        """An error found before routing still carries CORS headers, so the browser can read it."""
        headers = {"Content-Type": content_types.APPLICATION_JSON}
        origin = {k.lower(): v for k, v in (event.get("headers") or {}).items()}.get("origin")
        allowed = get_settings().origins
        if "*" in allowed:
            headers["Access-Control-Allow-Origin"] = "*"
        elif origin in allowed:
            headers |= {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}
        return {"statusCode": error.status, "headers": headers, "body": json.dumps(error_body(error))}


def json_depth(body: str | bytes) -> int:
    """How deeply the body's arrays and objects nest, without parsing it (no recursion, linear time).

    Strings are blanked first so that brackets inside them do not count; a body that is not JSON gets a
    number that means nothing, and the parser's own 400 later.
    """
    text = body.decode(errors="replace") if isinstance(body, bytes) else body
    brackets = _NOT_BRACKET.sub("", _JSON_STRING.sub("", text))
    return max(accumulate(map(_DEPTH_STEP.__getitem__, brackets)), default=0)


def _as_text(event: Mapping[str, Any]) -> Mapping[str, Any]:
    """A body API Gateway base64-encoded (its Content-Type matched BinaryMediaTypes) as the text it was sent, so the
    size and depth checks and every reader downstream see the JSON, not its encoding."""
    if not event.get("isBase64Encoded") or not event.get("body"):
        return event
    try:
        text = base64.b64decode(event["body"], validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidRequest("The request body is not UTF-8 text.", {"field": "body"}) from exc
    return {**event, "body": text, "isBase64Encoded": False}


def _as_json(event: Mapping[str, Any]) -> dict[str, Any]:
    """This API speaks JSON only: a body is read as JSON whatever its Content-Type (curl -d says form).

    A body that is not JSON then gets a clear 400 "Invalid JSON" instead of being parsed as a form.
    """
    if not event.get("body"):
        return dict(event)
    headers = {k: v for k, v in (event.get("headers") or {}).items() if k.lower() != "content-type"}
    multi = {k: v for k, v in (event.get("multiValueHeaders") or {}).items() if k.lower() != "content-type"}
    json_type = "application/json"
    return {
        **event,
        "headers": headers | {"Content-Type": json_type},
        "multiValueHeaders": multi | {"Content-Type": [json_type]},
    }


def text_body(app: Api) -> str:
    """The body of a `text_routes` route as text (UTF-8; a byte order mark dropped), base64 or not."""
    return (app.current_event.decoded_body or "").removeprefix("\ufeff")


def _unexpected(exc: Exception) -> Response:
    """A bug or an outage, never the caller's fault: logged with its stack, answered without internals."""
    logger.exception("unhandled error")
    return error_response(DomainError("Internal error; it has been logged."))


def handler(app: Api) -> Callable[[dict[str, Any], LambdaContext], dict[str, Any]]:
    """The Lambda entry point for an API function, with the observability trio wired in."""

    @logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
    @tracer.capture_lambda_handler
    @metrics.log_metrics
    def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        return app.resolve(event, context)

    return lambda_handler


def customer_token(app: Api, required: bool) -> Claim | None:
    """Whom the shop's backend vouched for in `X-Customer-Token` (None when absent and optional).

    The signature and expiry are checked here; the token epoch is compared by the service that reads the
    customer's record anyway (`tokens.check_epoch`), so a revoked token costs no extra read.
    """
    from passaparola import clock
    from passaparola.errors import TokenRequired
    from passaparola.loyalty import tokens

    headers = {k.lower(): v for k, v in (app.current_event.headers or {}).items()}
    raw = headers.get("x-customer-token") or ""
    if not raw.strip():
        if required:
            raise TokenRequired()
        return None
    return tokens.verify(raw, clock.now())


@dataclass(frozen=True)
class Vouched:
    """What a call may see of a customer: their own facts or not, and the token epoch to check on their record."""

    facts: bool
    token_epoch: int | None = None


def customer_vouched(app: Api, customer_id: str | None) -> Vouched:
    """May this call see `customer_id`'s own facts? The secret key may; a browser only with that customer's token.

    A token for another customer is refused (403) rather than silently ignored.
    """
    principal = app.context.get("principal")
    if customer_id is None or principal is None or principal.kind != "publishable":
        return Vouched(facts=True)
    claim = customer_token(app, required=False)
    if claim is None:
        return Vouched(facts=False)
    if claim.customer_id != customer_id:
        raise Forbidden("The customer token is for another customer.", {"field": "customer_id"})
    return Vouched(facts=True, token_epoch=claim.epoch)


def public_base_url(app: Api) -> str:
    """The API's base URL as the client sees it, for links it will share (PUBLIC_API_URL overrides).

    Behind API Gateway the request path includes the stage (`/prod/v1/...`) unless a custom domain maps it;
    `requestContext.path` minus `path` is exactly that prefix in both cases.
    """
    configured = get_settings().public_api_url
    if configured:
        return configured.rstrip("/")
    event = app.current_event
    headers = event.headers
    host = headers.get("host") or event.request_context.domain_name or "localhost"
    proto = headers.get("x-forwarded-proto", "https").split(",")[0].strip()
    full = (event.raw_event.get("requestContext") or {}).get("path") or event.path
    prefix = full[: len(full) - len(event.path)] if full.endswith(event.path) else ""
    return f"{proto}://{host}{prefix}"


def caller_role(app: Api) -> str | None:
    """The console role of the signed-in person (`owner`, `marketer`, `support`), or None for an API key.

    Services take it as an argument and decide there what a role may do; handlers only pass it on.
    """
    principal = app.context.get("principal")
    return principal.role if principal is not None and principal.kind == "user" else None
