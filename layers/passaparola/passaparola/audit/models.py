"""The shape of one audit entry, as stored and as `GET /v1/audit` answers it."""

from typing import Any, Literal

from pydantic import BaseModel, Field


class AuditActor(BaseModel):
    """Who made the change: a console user (their Cognito-derived id, email and role) or an API key (its id)."""

    type: Literal["user", "key"]
    id: str = Field(description="A user's `u_...` id or a key's non-secret id (the start of its hash).")
    email: str | None = None
    role: str | None = None


class AuditTarget(BaseModel):
    type: str = Field(description="campaign, code, batch, customer, conversion, segment, engagement, key, user.")
    id: str


class AuditEntry(BaseModel):
    """One administrative change, recorded after it succeeded (docs/console.md "Audit log")."""

    id: str = Field(description="The request id: one entry per request, never two.")
    at: str = Field(description="When the request arrived (ISO-8601, UTC).")
    actor: AuditActor
    action: str = Field(description="e.g. campaign.updated, code.issued, customer.erased.")
    target: AuditTarget
    before: Any | None = Field(None, description="The state before the change, where the action keeps one.")
    after: Any | None = Field(None, description="The state after the change, where the action keeps one.")
    truncated: bool = Field(
        False, description="before or after was larger than 32 KB: its largest fields were left out."
    )
    request_id: str


class AuditPage(BaseModel):
    items: list[AuditEntry]
    next_cursor: str | None = None
