"""The shapes of webhook endpoints, deliveries and their requests (docs/integrations.md, "Webhooks")."""

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

DeliveryStatus = Literal["pending", "succeeded", "failed", "dead"]
Pattern = Annotated[str, Field(min_length=1, max_length=64)]


class CreateWebhookRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(min_length=8, max_length=2048, description="https:// (http:// allowed with STAGE=local).")
    events: list[Pattern] = Field(
        min_length=1, max_length=50, description='Event types, `<family>.*` (e.g. "referral.*") or "*".'
    )
    description: str | None = Field(None, max_length=500)


class UpdateWebhookRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str | None = Field(None, min_length=8, max_length=2048)
    events: list[Pattern] | None = Field(None, min_length=1, max_length=50)
    description: str | None = Field(None, max_length=500)
    enabled: bool | None = Field(None, description="true re-enables a disabled endpoint and clears its failures.")


class Webhook(BaseModel):
    id: str = Field(description="whk_...")
    url: str
    events: list[str]
    description: str | None = None
    enabled: bool
    disabled_reason: str | None = Field(None, description="Why the engine switched it off (no success for days).")
    failing_since: str | None = Field(None, description="First failed attempt since the last success.")
    last_success_at: str | None = None
    secret_rotated_at: str | None = None
    previous_secret_expires_at: str | None = Field(
        None, description="Until then deliveries carry a signature with the previous secret too."
    )
    created_at: str
    updated_at: str


class WebhookWithSecret(Webhook):
    secret: str = Field(description="whsec_<base64>: shown when created and when rotated, never again.")


class Webhooks(BaseModel):
    items: list[Webhook]


class RotateSecretRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    expire_previous_in_hours: int = Field(24, ge=0, le=168, description="0: the previous secret stops at once.")


class TestResult(BaseModel):
    event_id: str
    status_code: int | None
    duration_ms: int
    ok: bool
    error: str | None = None


class Delivery(BaseModel):
    id: str = Field(description="dlv_...")
    event_id: str = Field(description="Sent as webhook-id: the same on every retry and replay.")
    event_type: str
    attempt: int = Field(description="Attempts made so far.")
    status: DeliveryStatus
    status_code: int | None = None
    error: str | None = Field(None, description="address_refused, timeout, connection_failed: ..., http_<status>.")
    duration_ms: int | None = None
    at: str = Field(description="When the delivery was queued.")
    last_attempt_at: str | None = None
    next_attempt_at: str | None = None
    replay: bool = False


class DeliveryPage(BaseModel):
    items: list[Delivery]
    next_cursor: str | None = None


class ReplayRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    event_id: str | None = Field(None, min_length=1, max_length=64)
    since: str | None = Field(None, description="ISO-8601 UTC; with until, a range of at most 7 days.")
    until: str | None = None
    types: list[Pattern] | None = Field(None, min_length=1, max_length=50)


class Queued(BaseModel):
    queued: int
