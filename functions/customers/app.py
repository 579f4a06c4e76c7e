"""Customers: profiles, engagement events, the right to be forgotten, joining the loyalty program."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse

from passaparola.api.app import Api, customer_token, handler, public_base_url
from passaparola.api.params import AnyCustomerIdPath, CustomerIdPath
from passaparola.customers import service
from passaparola.customers.models import (
    Customer,
    CustomerPut,
    CustomerSearch,
    EngagementConfig,
    EngagementEventIn,
    Erasure,
    EventOutcome,
)
from passaparola.exports import customer as customer_export
from passaparola.exports.models import CustomerExport
from passaparola.loyalty import service as loyalty
from passaparola.loyalty.models import EnrollmentLink, EnrollOutcome, EnrollRequest
from passaparola.segments import service as segments

app = Api(browser_routes={"POST /v1/loyalty/enroll"})
CustomerId = CustomerIdPath
SearchQuery = Annotated[str, Query(min_length=1, max_length=256, description="A customer id, or an email address.")]


def _created(model: type) -> dict[int, OpenAPIResponse]:
    return {
        201: {"description": "Created.", "content": {"application/json": {"model": model}}},
        200: {
            "description": "Already there (replaced, or a replay).",
            "content": {"application/json": {"model": model}},
        },
    }


@app.put(
    "/v1/customers/<customer_id>",
    summary="Create or replace a customer's profile",
    tags=["customers"],
    responses=_created(Customer),
)
def put(customer_id: CustomerId, body: CustomerPut) -> tuple[Customer, int]:
    customer, created = service.put(customer_id, body)
    return customer, 201 if created else 200


@app.get("/v1/customers", summary="Find a customer by id or email (exact, case-insensitive)", tags=["customers"])
def search(query: SearchQuery) -> CustomerSearch:
    return service.search(query)


@app.get("/v1/customers/<customer_id>", summary="A customer's profile and computed facts", tags=["customers"])
def get(customer_id: CustomerId) -> Customer:
    return service.get(customer_id)


@app.get(
    "/v1/customers/<customer_id>/export",
    summary="Right of access: everything held about a customer (JSON; 404 when nothing is)",
    tags=["customers"],
)
def export(customer_id: AnyCustomerIdPath) -> CustomerExport:
    return customer_export.export(customer_id)


@app.delete(
    "/v1/customers/<customer_id>",
    summary="Erase a customer's personal data (right to be forgotten)",
    tags=["customers"],
)
def erase(customer_id: CustomerId) -> Erasure:
    return service.erase(customer_id)


@app.post(
    "/v1/events",
    summary="Record an engagement event (idempotent on id)",
    tags=["customers"],
    responses=_created(EventOutcome),
)
def event(body: EngagementEventIn) -> tuple[EventOutcome, int]:
    outcome, new = service.record_event(body)
    return outcome, 201 if new else 200


@app.post(
    "/v1/loyalty/enroll",
    summary="Join the loyalty program (storefront, store QR page)",
    tags=["loyalty"],
    responses=_created(EnrollOutcome),
)
def enroll(body: EnrollRequest) -> tuple[EnrollOutcome, int]:
    outcome, joined = loyalty.enroll(body, customer_token(app, required=False), public_base_url(app))
    return outcome, 201 if joined else 200


@app.get(
    "/v1/loyalty/enrollment", summary="The enrollment link and its QR image, for printing in a store", tags=["loyalty"]
)
def enrollment() -> EnrollmentLink:
    return loyalty.enrollment_link(public_base_url(app))


@app.get("/v1/engagement", summary="Engagement score weights and segment thresholds", tags=["segments"])
def engagement() -> EngagementConfig:
    return segments.engagement()


@app.put("/v1/engagement", summary="Change engagement weights and segment thresholds", tags=["segments"])
def set_engagement(body: EngagementConfig) -> EngagementConfig:
    return segments.set_engagement(body)


lambda_handler = handler(app)
