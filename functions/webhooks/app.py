"""Webhook endpoints (owner or secret key): register, change, delete, rotate the secret, test, the log, replay."""

from typing import Annotated, Literal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from passaparola.api.app import Api, handler
from passaparola.api.openapi import error_responses
from passaparola.webhooks import service
from passaparola.webhooks.models import (
    CreateWebhookRequest,
    DeliveryPage,
    Queued,
    ReplayRequest,
    RotateSecretRequest,
    TestResult,
    UpdateWebhookRequest,
    Webhook,
    Webhooks,
    WebhookWithSecret,
)

app = Api()
WebhookId = Annotated[str, Path(min_length=5, max_length=64, pattern=r"^whk_[a-z0-9]+$", description="whk_...")]
Limit = Annotated[int, Query(ge=1, le=200, description="Page size.")]
Cursor = Annotated[str | None, Query(max_length=2048, description="next_cursor of the previous page.")]
Status = Annotated[Literal["pending", "succeeded", "failed", "dead"] | None, Query(description="Only these.")]


@app.post(
    "/v1/webhooks",
    summary="Register an endpoint: the signing secret is in this answer (and a rotation's) only",
    tags=["webhooks"],
    responses={
        201: {"description": "Created.", "content": {"application/json": {"model": WebhookWithSecret}}},
        **error_responses(400, 409),
    },
)
def create(request: CreateWebhookRequest) -> tuple[WebhookWithSecret, int]:
    return service.create(request), 201


@app.get("/v1/webhooks", summary="Webhook endpoints (without secrets)", tags=["webhooks"])
def list_webhooks() -> Webhooks:
    return service.list_all()


@app.get("/v1/webhooks/<webhook_id>", summary="One webhook endpoint", tags=["webhooks"])
def get(webhook_id: WebhookId) -> Webhook:
    return service.get(webhook_id)


@app.patch(
    "/v1/webhooks/<webhook_id>",
    summary="Change an endpoint; enabling a disabled one clears its failures",
    tags=["webhooks"],
    responses=error_responses(400),
)
def update(webhook_id: WebhookId, request: UpdateWebhookRequest) -> Webhook:
    return service.update(webhook_id, request)


@app.delete(
    "/v1/webhooks/<webhook_id>",
    summary="Delete an endpoint; its pending deliveries are dropped",
    tags=["webhooks"],
    responses={204: {"description": "Deleted."}},
)
def delete(webhook_id: WebhookId) -> Response[str]:
    service.delete(webhook_id)
    return Response(204, None, "")


@app.post(
    "/v1/webhooks/<webhook_id>/secret/rotate",
    summary="A new signing secret; the previous one still signs until it expires",
    tags=["webhooks"],
)
def rotate(webhook_id: WebhookId, request: RotateSecretRequest) -> WebhookWithSecret:
    return service.rotate(webhook_id, request)


@app.post(
    "/v1/webhooks/<webhook_id>/test",
    summary="Deliver a webhook.ping now and answer the attempt",
    tags=["webhooks"],
    responses={202: {"description": "Attempted.", "content": {"application/json": {"model": TestResult}}}},
)
def test(webhook_id: WebhookId) -> tuple[TestResult, int]:
    return service.test(webhook_id), 202


@app.get("/v1/webhooks/<webhook_id>/deliveries", summary="The delivery log, newest first (30 days)", tags=["webhooks"])
def deliveries(webhook_id: WebhookId, status: Status = None, limit: Limit = 50, cursor: Cursor = None) -> DeliveryPage:
    return service.deliveries(webhook_id, status, limit, cursor)


@app.post(
    "/v1/webhooks/<webhook_id>/replay",
    summary="Deliver one event, or a range of at most 7 days, again (same event ids)",
    tags=["webhooks"],
    responses={202: {"description": "Queued.", "content": {"application/json": {"model": Queued}}}},
)
def replay(webhook_id: WebhookId, request: ReplayRequest) -> tuple[Queued, int]:
    return service.replay(webhook_id, request), 202


lambda_handler = handler(app)
