"""Records every successful administrative change in the audit log (the routes of `passaparola.audit.routes`).

Runs inside the idempotency middleware, so a replayed answer (same Idempotency-Key) records nothing again. The
entry is written after the change, not in its transaction: a failure to write it is logged (`audit entry not
written`) and counted (metric `AuditWriteFailed`) but never turns a change that happened into an error.
"""

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.middlewares import NextMiddleware
from aws_lambda_powertools.metrics import MetricUnit
from pydantic import BaseModel

from passaparola import clock
from passaparola.api.keys import Principal
from passaparola.audit.routes import AUDITED, Call, Rule, by_person
from passaparola.errors import DomainError
from passaparola.observability import logger, metrics

if TYPE_CHECKING:
    from passaparola.audit.models import AuditActor


def audit_middleware(app: Any, next_middleware: NextMiddleware) -> Response:
    event = app.current_event
    route = f"{event.http_method} {event.resource}"
    rule = AUDITED.get(route)
    principal: Principal | None = app.context.get("principal")
    if rule is None and principal is not None and principal.kind == "user":
        rule = by_person(route)
    if rule is None or principal is None or principal.kind == "publishable":
        return next_middleware(app)
    params = dict(event.path_parameters or {})
    before = _read_before(rule, params, route)
    response = next_middleware(app)
    if 200 <= response.status_code < 300:
        _record(app, rule, principal, params, before, response, route)
    return response


def actor(principal: Principal) -> "AuditActor":
    from passaparola.audit.models import AuditActor

    if principal.kind == "user":
        return AuditActor(type="user", id=principal.key_id, email=principal.email, role=principal.role)
    return AuditActor(type="key", id=principal.key_id)


def _read_before(rule: Rule, params: dict[str, str], route: str) -> Any:
    """The state before the change; a refusal (404) is left to the route itself to answer."""
    if rule.read_before is None:
        return None
    try:
        return rule.read_before(params)
    except DomainError:
        return None
    except Exception:
        logger.exception("audit: state before the change not read", extra={"route": route})
        return None


def _record(
    app: Any, rule: Rule, principal: Principal, params: dict[str, str], before: Any, response: Response, route: str
) -> None:
    """Whatever goes wrong here, the change already happened: log and count it, never answer an error."""
    event = app.current_event
    request_id = event.request_context.request_id
    try:
        from passaparola.audit import service  # loaded by the first change, not at every function's cold start

        change = rule.describe(Call(params, _request_body(event), _jsonable(response.body), before))
        service.record(
            request_id,
            _arrived(event.request_context),
            actor(principal),
            change.action,
            change.target,
            change.before,
            change.after,
        )
    except Exception:
        logger.error("audit entry not written", extra={"route": route, "request_id": request_id}, exc_info=True)
        metrics.add_metric(name="AuditWriteFailed", unit=MetricUnit.Count, value=1)


def _arrived(context: Any) -> str:
    """When API Gateway received the request: the same for a retried invocation, so the entry's key is too."""
    epoch = context.raw_event.get("requestTimeEpoch")
    if isinstance(epoch, int | float) and epoch > 0:
        return clock.iso(datetime.fromtimestamp(epoch / 1000, UTC))
    return clock.iso(clock.now())


def _request_body(event: Any) -> Any:
    try:
        return event.json_body if event.body else None
    except ValueError:
        return None


def _jsonable(body: Any) -> Any:
    """The answer as JSON values (the resolver may hold a model, plain values, or the serialized text)."""
    if isinstance(body, BaseModel):
        return body.model_dump(mode="json")
    if isinstance(body, str | bytes):
        try:
            return json.loads(body)
        except ValueError:
            return None
    return json.loads(json.dumps(body, default=str))
