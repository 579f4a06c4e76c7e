"""The audit log: every administrative change, newest first (owner or secret key)."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from passaparola.api.app import Api, handler
from passaparola.audit import service
from passaparola.audit.models import AuditPage

app = Api()
Limit = Annotated[int, Query(ge=1, le=200, description="Page size.")]
Cursor = Annotated[str | None, Query(max_length=2048, description="next_cursor of the previous page.")]


@app.get("/v1/audit", summary="Administrative changes, newest first: who, when, what, before and after", tags=["audit"])
def list_audit(limit: Limit = 50, cursor: Cursor = None) -> AuditPage:
    return service.list_page(limit, cursor)


lambda_handler = handler(app)
