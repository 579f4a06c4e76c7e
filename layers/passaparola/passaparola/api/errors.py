"""Every error leaves the API as {"error": {"code", "message", "details"}} with its status — mapped here only."""

import json
from typing import Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError

from passaparola.errors import DomainError, InvalidRequest


def error_body(error: DomainError) -> dict[str, Any]:
    return {"error": {"code": error.code, "message": error.message, "details": error.details}}


def error_response(error: DomainError) -> Response:
    return Response(
        status_code=error.status, content_type=content_types.APPLICATION_JSON, body=json.dumps(error_body(error))
    )


def _field(loc: tuple[Any, ...]) -> str:
    where, *path = loc or ("body",)
    dotted = ".".join(str(p) for p in path if not str(p).startswith("function-after"))
    return dotted if where == "body" else f"{where}.{dotted}" if dotted else str(where)


def invalid_request(exc: RequestValidationError) -> InvalidRequest:
    """Translate pydantic's errors into field-level details a developer can act on."""
    fields = []
    for err in exc.errors():
        kind = err.get("type", "")
        message = "Invalid JSON." if kind == "json_invalid" else str(err.get("msg", "invalid"))
        if kind == "extra_forbidden":
            message = "Unknown field."
        field = "body" if kind == "json_invalid" else _field(tuple(err.get("loc", ())))
        fields.append({"field": field, "message": message, "type": kind})
    return InvalidRequest("The request is invalid; see details.fields.", {"fields": fields})
