"""Make the generated OpenAPI document tell the truth about our conventions.

powertools documents every validated route with a 422 `HTTPValidationError`; this API answers bad input
with 400 and the project's error envelope instead, needs a key on every route, and uses 422 for business
rules. This rewrites each operation's error responses and security once, for every function.
"""

from typing import Any

from pydantic import BaseModel, Field

ERROR_REF = "#/components/schemas/Error"
ERRORS = {
    "400": "invalid_request: malformed JSON, wrong types, unknown fields (details.fields lists them).",
    "401": "unauthorized: no key, an unknown key or a revoked key.",
    "403": "forbidden: a publishable key on a route that needs the secret key.",
    "404": "not_found (or coupon_not_found).",
    "409": "A conflict: already_rolled_back, code_already_exists, idempotency_conflict, idempotency_in_progress.",
    "422": "A business rule refused the request; error.code says which (see the README's list).",
}
METHODS = ("get", "post", "put", "patch", "delete")


class ErrorDetail(BaseModel):
    code: str = Field(description="A stable, documented error code.")
    message: str
    details: dict[str, Any] = Field(default_factory=dict)


class Error(BaseModel):
    error: ErrorDetail


def document_conventions(
    doc: dict[str, Any], browser_routes: frozenset[str], public_routes: frozenset[str] = frozenset()
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
            for status, description in ERRORS.items():
                responses[status] = {
                    "description": description,
                    "content": {"application/json": {"schema": {"$ref": ERROR_REF}}},
                }
            route = f"{method.upper()} {path}"
            if route in public_routes:
                operation["security"] = []
                responses.pop("401", None)
                responses.pop("403", None)
                continue
            browser = route in browser_routes
            operation["security"] = [{"secretKey": []}, {"publishableKey": []}] if browser else [{"secretKey": []}]
    return doc
