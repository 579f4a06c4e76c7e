"""Wallet passes: the member's Apple Wallet pass and Google Wallet save link, and the PassKit web service Wallet
calls to keep the Apple pass current."""

import base64
from datetime import datetime
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from pydantic import BaseModel, Field

from passaparola.api.app import Api, customer_token, handler, public_base_url
from passaparola.api.openapi import error_responses, media
from passaparola.api.params import CustomerIdPath
from passaparola.passes import apple, google, service

PASSKIT = "/v1/passkit/v1"
REGISTRATION = PASSKIT + "/devices/{device_id}/registrations/{pass_type_id}/{serial}"
app = Api(
    browser_routes={"POST /v1/me/pass/link", "GET /v1/me/pass/google", "GET /v1/me/pass.pkpass"},
    link_routes={"GET /v1/me/pass.pkpass": "t"},  # opened by a navigation with a download link's `t`
    public_routes={
        f"POST {REGISTRATION}",
        f"DELETE {REGISTRATION}",
        f"GET {PASSKIT}/devices/{{device_id}}/registrations/{{pass_type_id}}",
        f"GET {PASSKIT}/passes/{{pass_type_id}}/{{serial}}",
        f"POST {PASSKIT}/log",
    },
)
Token = Annotated[str, Path(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9._-]+$")]
DeviceId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9]+$")]
"""Wallet's deviceLibraryIdentifier (32 hex digits today): alphanumerics only, it is a key of our table."""
Serial = Annotated[str, Path(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._-]+$")]
APPLE_PASS = error_responses(401)
"""The PassKit routes need no API key but answer 401 to a wrong `Authorization: ApplePass <token>`."""
PKPASS = {200: media("The signed pass (a zip).", apple.CONTENT_TYPE, {"type": "string", "format": "binary"})}


class Registration(BaseModel):
    pushToken: str = Field(pattern=r"^[0-9a-fA-F]{64}$")  # noqa: N815 - Apple's name; an APNs token, put in a URL


class UpdatedSerials(BaseModel):
    serialNumbers: list[str]  # noqa: N815 - Apple's names
    lastUpdated: str  # noqa: N815


class GoogleSaveLink(BaseModel):
    save_url: str = Field(description="https://pay.google.com/gp/v/save/<signed JWT of the loyalty object>")


class PassLink(BaseModel):
    url: str = Field(description="<api>/v1/me/pass.pkpass?t=<signed, single-purpose token>: open it (navigate)")
    expires_at: datetime = Field(description="5 minutes from now")


class WalletLog(BaseModel):
    logs: list[str] = Field(default_factory=list, max_length=100)


def _pkpass(found: service.PassFile) -> Response[str]:
    headers = {
        "Last-Modified": service.http_date(found.last_modified),
        "Cache-Control": "no-store",
        "Content-Disposition": 'attachment; filename="pass.pkpass"',
    }
    return _binary(200, found.body, headers)


def _binary(status: int, body: bytes, headers: dict[str, str]) -> Response[str]:
    """A body that is not text: base64 with isBase64Encoded (API Gateway sends the bytes, see BinaryMediaTypes).

    Encoded here rather than by powertools (which does it for a bytes body) so that the response validation,
    which reads the body as the declared type, sees a string."""
    response = Response(status, apple.CONTENT_TYPE, base64.b64encode(body).decode(), headers)
    response.base64_encoded = True
    return response


def _authorization() -> str | None:
    return app.current_event.headers.get("authorization")


@app.get(
    "/v1/customers/<customer_id>/pass.pkpass",
    summary="The customer's Apple Wallet pass (501 without WalletPassSecretArn)",
    tags=["passes"],
    responses=PKPASS,
)
def customer_pass(customer_id: CustomerIdPath) -> Response[str]:
    return _pkpass(service.customer_pass(customer_id, public_base_url(app)))


@app.get(
    "/v1/me/pass.pkpass",
    summary="The signed-in shopper's Apple Wallet pass: `?t=` of POST /v1/me/pass/link (no key), or the "
    "publishable key + X-Customer-Token",
    tags=["passes"],
    responses={**PKPASS, **error_responses(401)},
)
def my_pass(t: Annotated[str | None, Query(min_length=1, max_length=1000)] = None) -> Response[str]:
    claim = service.download_claim(t) if t is not None else customer_token(app, required=True)
    assert claim is not None
    return _pkpass(service.customer_pass(claim.customer_id, public_base_url(app), token_epoch=claim.epoch))


@app.post(
    "/v1/me/pass/link",
    summary="A 5-minute link that downloads the signed-in shopper's Apple Wallet pass by navigation "
    "(publishable key + X-Customer-Token)",
    tags=["passes"],
)
def my_pass_link() -> PassLink:
    claim = customer_token(app, required=True)
    assert claim is not None
    link = service.download_link(claim.customer_id, public_base_url(app), claim.epoch)
    return PassLink(url=link.url, expires_at=link.expires_at)


@app.get(
    "/v1/customers/<customer_id>/pass/google",
    summary="The customer's Google Wallet save link (501 without the google part of WalletPassSecretArn)",
    tags=["passes"],
)
def customer_google_pass(customer_id: CustomerIdPath) -> GoogleSaveLink:
    return GoogleSaveLink(save_url=google.save_link(customer_id, public_base_url(app)))


@app.get(
    "/v1/me/pass/google",
    summary="The signed-in shopper's Google Wallet save link (publishable key + X-Customer-Token)",
    tags=["passes"],
)
def my_google_pass() -> GoogleSaveLink:
    claim = customer_token(app, required=True)
    assert claim is not None
    return GoogleSaveLink(save_url=google.save_link(claim.customer_id, public_base_url(app), token_epoch=claim.epoch))


@app.post(
    PASSKIT + "/devices/<device_id>/registrations/<pass_type_id>/<serial>",
    summary="PassKit: register a device for a pass's updates (Authorization: ApplePass <token>)",
    tags=["passkit"],
    responses={
        200: media("Already registered.", "text/plain"),
        201: media("Registered.", "text/plain"),
        **APPLE_PASS,
    },
)
def register(device_id: DeviceId, pass_type_id: Token, serial: Serial, body: Registration) -> Response[str]:
    created = service.register(pass_type_id, serial, device_id, body.pushToken, _authorization())
    return Response(201 if created else 200, "text/plain", "")


@app.delete(
    PASSKIT + "/devices/<device_id>/registrations/<pass_type_id>/<serial>",
    summary="PassKit: unregister a device (Authorization: ApplePass <token>)",
    tags=["passkit"],
    responses={200: media("Unregistered.", "text/plain"), **APPLE_PASS},
)
def unregister(device_id: DeviceId, pass_type_id: Token, serial: Serial) -> Response[str]:
    service.unregister(pass_type_id, serial, device_id, _authorization())
    return Response(200, "text/plain", "")


@app.get(
    PASSKIT + "/devices/<device_id>/registrations/<pass_type_id>",
    summary="PassKit: the device's passes changed since a tag",
    tags=["passkit"],
    responses={
        200: {"description": "Changed passes.", "content": {"application/json": {"model": UpdatedSerials}}},
        204: {"description": "Nothing changed since the tag.", "content": {}},
    },
)
def updated(
    device_id: DeviceId,
    pass_type_id: Token,
    passesUpdatedSince: Annotated[str | None, Query(max_length=64)] = None,  # noqa: N803 - Apple's name
) -> Response[str]:
    found = service.updated_serials(pass_type_id, device_id, passesUpdatedSince)
    if found is None:
        return Response(204, None, "")
    serials, tag = found
    return Response(200, "application/json", UpdatedSerials(serialNumbers=serials, lastUpdated=tag).model_dump_json())


@app.get(
    PASSKIT + "/passes/<pass_type_id>/<serial>",
    summary="PassKit: the latest version of a pass (If-Modified-Since: 304)",
    tags=["passkit"],
    responses={**PKPASS, 304: {"description": "Not modified since If-Modified-Since.", "content": {}}, **APPLE_PASS},
)
def latest(pass_type_id: Token, serial: Serial) -> Response[str]:
    headers = app.current_event.headers
    found = service.latest(
        pass_type_id, serial, _authorization(), public_base_url(app), headers.get("if-modified-since")
    )
    if found is None:
        return Response(304, None, "")
    return _pkpass(found)


@app.post(
    PASSKIT + "/log",
    summary="PassKit: Wallet's error log about our passes",
    tags=["passkit"],
    responses={200: media("Logged.", "text/plain")},
)
def wallet_log(body: WalletLog) -> Response[str]:
    service.log(body.logs)
    return Response(200, "text/plain", "")


lambda_handler = handler(app)
