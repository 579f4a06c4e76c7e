"""Make the generated OpenAPI document tell the truth about our conventions.

powertools documents every validated route with a 422 `HTTPValidationError`; this API answers bad input
with 400 and the project's error envelope instead, needs a key on every route, and uses 422 for business
rules. This rewrites each operation's error responses and security once, for every function.

Every operation documents the statuses any route can answer (`ERRORS`: bad input, auth, not found, conflicts,
business rules, API Gateway's throttling and 5xx); a route adds its own with `error_responses(...)` (e.g. 401 on
a public route that checks a signed token) and non-JSON bodies with `media(...)`, in its `responses=`.
"""

import json
from typing import Any

from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from pydantic import BaseModel, Field

ERROR_REF = "#/components/schemas/Error"
DESCRIPTIONS = {
    400: "invalid_request: malformed JSON, wrong types, unknown fields (details.fields lists them).",
    401: "unauthorized: no key, an unknown key or a revoked key (or token_required, invalid_token, token_expired).",
    403: "forbidden: a publishable key on a route that needs the secret key (or tier_required).",
    404: "not_found (or coupon_not_found, reward_not_found, no_loyalty_program).",
    409: "A conflict: already_rolled_back, code_already_exists, idempotency_conflict, idempotency_in_progress, ...",
    422: "A business rule refused the request; error.code says which (see the README's list).",
    429: "rate_limited: API Gateway's throttling or the WAF; retry later.",
    500: "internal_error: a bug or an outage (logged); API Gateway's own 5xx answer in the same envelope.",
}
ERRORS = {"400": DESCRIPTIONS[400], "401": DESCRIPTIONS[401], "403": DESCRIPTIONS[403], "404": DESCRIPTIONS[404]}
ERRORS |= {"409": DESCRIPTIONS[409], "422": DESCRIPTIONS[422], "429": DESCRIPTIONS[429], "5XX": DESCRIPTIONS[500]}
KEY_ERRORS = ("401", "403")
METHODS = ("get", "post", "put", "patch", "delete")


class ErrorDetail(BaseModel):
    code: str = Field(description="A stable, documented error code.")
    message: str
    details: dict[str, Any] = Field(default_factory=dict)


class Error(BaseModel):
    error: ErrorDetail


def _error(description: str) -> OpenAPIResponse:
    return {"description": description, "content": {"application/json": {"schema": {"$ref": ERROR_REF}}}}


def error_responses(*statuses: int) -> dict[int, OpenAPIResponse]:
    """A route's own error statuses, for `responses=`: those every route has are added anyway."""
    return {status: _error(DESCRIPTIONS.get(status, "An error; error.code says which.")) for status in statuses}


def media(description: str, content_type: str, schema: dict[str, Any] | None = None) -> OpenAPIResponse:
    """A response whose body is not JSON (an SVG, a CSV, an empty redirect), for `responses=`."""
    return {"description": description, "content": {content_type: {"schema": schema or {"type": "string"}}}}


def document_conventions(
    doc: dict[str, Any],
    browser_routes: frozenset[str],
    public_routes: frozenset[str] = frozenset(),
    link_routes: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    for name, schema in Error.model_json_schema(ref_template="#/components/schemas/{model}")["$defs"].items():
        schemas[name] = schema
    schemas["Error"] = {
        k: v for k, v in Error.model_json_schema(ref_template="#/components/schemas/{model}").items() if k != "$defs"
    }
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    for path, item in doc.get("paths", {}).items():
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            responses = operation.setdefault("responses", {})
            declared = {status for status, response in responses.items() if ERROR_REF in json.dumps(response)}
            # an error status a route answers in another media type on purpose (the console's HTML 404 page)
            declared |= {s for s, r in responses.items() if r.get("content") and "application/json" not in r["content"]}
            for status, description in ERRORS.items():
                if status not in declared:
                    responses[status] = dict(_error(description))
            route = f"{method.upper()} {path}"
            if route in public_routes:
                operation["security"] = []
                for status in KEY_ERRORS:
                    if status not in declared:
                        responses.pop(status, None)
                continue
            browser = route in browser_routes
            operation["security"] = [{"secretKey": []}, {"publishableKey": []}] if browser else [{"secretKey": []}]
            if route in link_routes:
                operation["security"].append({})  # a signed link in the query needs no key
    return doc
