"""Public share links: `/r/{code}` leads to the shop with `ref` (counting the click); `/r/{code}/qr` draws it."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path

from passaparola.api.app import Api, handler, public_base_url
from passaparola.api.openapi import media
from passaparola.referrals import links

app = Api(public_routes={"GET /r/{code}", "GET /r/{code}/qr"})
Code = Annotated[str, Path(min_length=1, max_length=200)]


@app.get(
    "/r/<code>",
    summary="Follow a referral link (302 to the shop)",
    tags=["referrals"],
    responses={
        302: media(
            "To the landing page with ref, or to the shop's home.", "text/plain", {"type": "string", "maxLength": 0}
        )
    },
)
def follow(code: Code) -> Response[str]:
    ctx = app.current_event.request_context
    redirect = links.follow(code, ctx.identity.source_ip, app.current_event.headers.get("user-agent"))
    return Response(302, "text/plain", "", {"Location": redirect.location, "Cache-Control": "no-store"})


@app.get(
    "/r/<code>/qr",
    summary="A QR image (SVG) of a referral link",
    tags=["referrals"],
    responses={200: media("The QR code.", "image/svg+xml")},
)
def qr(code: Code) -> Response[str]:
    return Response(200, "image/svg+xml", links.qr(code, public_base_url(app)), {"Cache-Control": "max-age=86400"})


lambda_handler = handler(app)
