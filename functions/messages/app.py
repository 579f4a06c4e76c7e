"""Messages: what was sent to a customer or by a campaign, and the signed one-click unsubscribe link."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from pydantic import BaseModel

from passaparola import i18n
from passaparola.api.app import Api, handler, public_base_url
from passaparola.api.openapi import error_responses
from passaparola.api.params import AnyCustomerIdPath
from passaparola.errors import InvalidToken, TokenExpired
from passaparola.messages import consent, render, service
from passaparola.messages.models import (
    CampaignMessages,
    ConsentConfirmed,
    MessagePage,
    MessagePreview,
    MessagePreviewRequest,
    MessageStatus,
    Unsubscribed,
)

app = Api(
    public_routes={"GET /v1/unsubscribe", "POST /v1/unsubscribe", "GET /v1/consent/confirm", "POST /v1/consent/confirm"}
)
CustomerId = AnyCustomerIdPath
CampaignId = Annotated[str, Path(min_length=1, max_length=64)]
Limit = Annotated[int, Query(ge=1, le=100, description="Page size.")]
Cursor = Annotated[str | None, Query(max_length=2048, description="next_cursor of the previous page.")]
Token = Annotated[str, Query(min_length=1, max_length=2048, description="The signed token of the link.")]


@app.get("/v1/customers/<customer_id>/messages", summary="A customer's messages, newest first", tags=["messages"])
def customer_messages(customer_id: CustomerId, limit: Limit = 50, cursor: Cursor = None) -> MessagePage:
    return service.for_customer(customer_id, limit, cursor)


@app.get(
    "/v1/campaigns/<campaign_id>/messages",
    summary="A re-engagement campaign's messages, newest first, and its results per variant",
    tags=["messages"],
)
def campaign_messages(
    campaign_id: CampaignId,
    status: Annotated[MessageStatus | None, Query()] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> CampaignMessages:
    return service.for_campaign(campaign_id, status, limit, cursor)


@app.post(
    "/v1/messages/preview",
    summary="A re-engagement message rendered as it would be sent (saved campaign or draft), for a sample customer",
    tags=["messages"],
)
def preview(body: MessagePreviewRequest) -> MessagePreview:
    return service.preview(body, public_base_url(app))


UNSUBSCRIBED: dict[int, OpenAPIResponse] = {
    200: {
        "description": "Unsubscribed: JSON, or a page for a browser (Accept: text/html).",
        "content": {"application/json": {"model": Unsubscribed}, "text/html": {"schema": {"type": "string"}}},
    },
    **error_responses(401),
}


@app.get(
    "/v1/unsubscribe",
    summary="One-click unsubscribe (the link in every message)",
    tags=["messages"],
    responses=UNSUBSCRIBED,
)
def unsubscribe(token: Token) -> Response[str]:
    return _answer(service.unsubscribe(token))


@app.post(
    "/v1/unsubscribe",
    summary="One-click unsubscribe by mail clients (RFC 8058 POST)",
    tags=["messages"],
    responses=UNSUBSCRIBED,
)
def unsubscribe_post(token: Token) -> Response[str]:
    return _answer(service.unsubscribe(token))


def _answer(done: service.Unsubscribe) -> Response[str]:
    """A page for a person who clicked (in the customer's language, else the browser's), JSON for a program."""
    headers = _headers()
    if _wants_page(headers):
        return _page(200, render.unsubscribe_page(done.answer.channel, _locale(done.locale, headers)))
    return _json(done.answer)


CONFIRMED: dict[int, OpenAPIResponse] = {
    200: {
        "description": "Confirmed (or nothing left to confirm): JSON, or a page for a browser (Accept: text/html).",
        "content": {"application/json": {"model": ConsentConfirmed}, "text/html": {"schema": {"type": "string"}}},
    },
    **error_responses(401),
}


@app.get(
    "/v1/consent/confirm",
    summary="Double opt-in: the link in the confirmation message opens a page with a Confirm button (no change)",
    tags=["messages"],
    responses={
        200: {
            "description": "The page whose button confirms.",
            "content": {"text/html": {"schema": {"type": "string"}}},
        },
        **error_responses(401),
    },
)
def confirm_consent_page(token: Token) -> Response[str]:
    """Link scanners fetch links: opening one confirms nothing, the button (a POST) does."""
    headers = _headers()
    try:
        locale = service.consent_locale(token)
    except (InvalidToken, TokenExpired) as exc:
        return _error_page(exc, headers)
    return _page(200, consent.prompt_page(token, _locale(locale, headers)))


@app.post(
    "/v1/consent/confirm",
    summary="Double opt-in: confirm the consent (the page's button, or a program)",
    tags=["messages"],
    responses=CONFIRMED,
)
def confirm_consent(token: Token) -> Response[str]:
    headers = _headers()
    try:
        done = service.confirm_consent(token)
    except (InvalidToken, TokenExpired) as exc:
        return _error_page(exc, headers)
    if _wants_page(headers):
        return _page(200, consent.page(done.answer.confirmed, _locale(done.locale, headers)))
    return _json(done.answer)


def _headers() -> dict[str, str]:
    return {k.lower(): v for k, v in (app.current_event.headers or {}).items()}


def _wants_page(headers: dict[str, str]) -> bool:
    return "text/html" in headers.get("accept", "")


def _locale(known: str | None, headers: dict[str, str]) -> str | None:
    """The customer's language when the link names one, else the browser's."""
    return known or i18n.accepted_language(headers.get("accept-language"))


def _json(answer: BaseModel) -> Response[str]:
    return Response(200, "application/json", answer.model_dump_json(), {"Cache-Control": "no-store"})


def _page(status: int, body: str) -> Response[str]:
    headers = {"Cache-Control": "no-store", "Content-Security-Policy": consent.CSP, "Referrer-Policy": "no-referrer"}
    return Response(status, "text/html; charset=utf-8", body, headers)


def _error_page(exc: InvalidToken | TokenExpired, headers: dict[str, str]) -> Response[str]:
    """A person who opened a bad link gets a page; a program gets the error envelope."""
    if not _wants_page(headers):
        raise exc
    return _page(401, consent.error_page(isinstance(exc, TokenExpired), _locale(None, headers)))


lambda_handler = handler(app)
