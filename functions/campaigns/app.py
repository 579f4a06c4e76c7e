"""Campaigns: create, list, read, change, switch on and off, and create and list their codes."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from pydantic import RootModel

from passaparola.api import exports
from passaparola.api.app import Api, caller_role, handler
from passaparola.api.exports import Format, csv_answer, csv_or_json, json_answer, page_size
from passaparola.api.openapi import media
from passaparola.campaigns import service
from passaparola.campaigns.models import (
    Campaign,
    CampaignCreate,
    CampaignPage,
    CampaignPatch,
    CodeBatch,
    CodePage,
    CodesCreated,
    CreateCodesRequest,
)
from passaparola.coupons import service as coupons
from passaparola.coupons.models import RedemptionPage
from passaparola.exports import rows

app = Api()
CampaignModel = RootModel[Campaign]
CampaignId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
BatchId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
Limit = Annotated[int, Query(ge=1, le=1000, description="Page size.")]
CodesExportLimit = Annotated[int, Query(ge=1, le=10000, description="Rows in this part of the export.")]
ExportLimit = exports.ExportLimit
Cursor = Annotated[str | None, Query(max_length=2048, description="next_cursor of the previous page.")]


@app.post(
    "/v1/campaigns",
    summary="Create a campaign",
    tags=["campaigns"],
    responses={201: {"description": "Created.", "content": {"application/json": {"model": CampaignModel}}}},
)
def create(request: Annotated[CampaignCreate, Body()]) -> tuple[Campaign, int]:
    return service.create(request, caller_role(app)), 201


@app.get("/v1/campaigns", summary="List campaigns", tags=["campaigns"])
def list_campaigns(limit: Limit = 50, cursor: Cursor = None) -> CampaignPage:
    items, next_cursor = service.list_page(limit, cursor)
    return CampaignPage(items=items, next_cursor=next_cursor)


@app.get("/v1/campaigns/<campaign_id>", summary="Read a campaign with its statistics", tags=["campaigns"])
def get(campaign_id: CampaignId) -> Campaign:
    return service.get(campaign_id)


@app.patch("/v1/campaigns/<campaign_id>", summary="Change a campaign (effective immediately)", tags=["campaigns"])
def update(campaign_id: CampaignId, patch: CampaignPatch) -> Campaign:
    return service.update(campaign_id, patch, caller_role(app))


@app.post("/v1/campaigns/<campaign_id>/enable", summary="Switch a campaign on", tags=["campaigns"])
def enable(campaign_id: CampaignId) -> Campaign:
    return service.set_enabled(campaign_id, True)


@app.post("/v1/campaigns/<campaign_id>/disable", summary="Switch a campaign off", tags=["campaigns"])
def disable(campaign_id: CampaignId) -> Campaign:
    return service.set_enabled(campaign_id, False)


@app.post(
    "/v1/campaigns/<campaign_id>/codes",
    summary="Create a public code, a customer's code, or a batch",
    tags=["codes"],
    responses={
        201: {"description": "Created.", "content": {"application/json": {"model": CodesCreated}}},
        202: {
            "description": "More than 1,000 codes: the batch completes in the background.",
            "content": {"application/json": {"model": CodesCreated}},
        },
    },
)
def create_codes(campaign_id: CampaignId, request: CreateCodesRequest) -> tuple[CodesCreated, int]:
    result = coupons.create_codes(campaign_id, request, caller_role(app))
    return result, 202 if result.batch else 201


@app.get("/v1/campaigns/<campaign_id>/codes", summary="List a campaign's codes", tags=["codes"])
def list_codes(campaign_id: CampaignId, limit: Limit = 100, cursor: Cursor = None) -> CodePage:
    items, next_cursor = coupons.codes_page(campaign_id, limit, cursor)
    return CodePage(items=items, next_cursor=next_cursor)


@app.get(
    "/v1/campaigns/<campaign_id>/codes/export",
    summary="Export a campaign's codes as CSV (up to `limit` rows; the X-Next-Cursor header pages on)",
    tags=["codes"],
    responses={200: media("The codes, one CSV row each, after a header row.", "text/csv")},
)
def export_codes(campaign_id: CampaignId, limit: CodesExportLimit = 10000, cursor: Cursor = None) -> Response[str]:
    items, next_cursor = coupons.codes_page(campaign_id, limit, cursor)
    headers = {"X-Next-Cursor": next_cursor} if next_cursor else {}
    return Response(200, "text/csv; charset=utf-8", coupons.codes_csv(items), headers)


@app.get(
    "/v1/campaigns/<campaign_id>/redemptions",
    summary="A discount campaign's redemptions, newest first (paged); JSON or CSV",
    tags=["coupons"],
    responses=csv_or_json(RedemptionPage, rows.REDEMPTION_COLUMNS),
)
def list_redemptions(
    campaign_id: CampaignId, limit: ExportLimit = None, cursor: Cursor = None, format: Format = "json"
) -> Response[str]:
    items, next_cursor = coupons.campaign_redemptions(campaign_id, page_size(format, limit, 50, 100), cursor)
    if format == "csv":
        return csv_answer(rows.REDEMPTION_COLUMNS, map(rows.redemption, items), next_cursor)
    return json_answer(RedemptionPage(items=items, next_cursor=next_cursor))


@app.get("/v1/campaigns/<campaign_id>/batches/<batch_id>", summary="Progress of a code batch", tags=["codes"])
def get_batch(campaign_id: CampaignId, batch_id: BatchId) -> CodeBatch:
    return coupons.get_batch(campaign_id, batch_id)


@app.get(
    "/v1/campaigns/<campaign_id>/batches/<batch_id>/codes",
    summary="A code batch's codes (paged); JSON or CSV",
    tags=["codes"],
    responses=csv_or_json(CodePage, rows.CODE_COLUMNS),
)
def batch_codes(
    campaign_id: CampaignId,
    batch_id: BatchId,
    limit: ExportLimit = None,
    cursor: Cursor = None,
    format: Format = "json",
) -> Response[str]:
    items, next_cursor = coupons.batch_codes(campaign_id, batch_id, page_size(format, limit, 100, 1000), cursor)
    if format == "csv":
        return csv_answer(rows.CODE_COLUMNS, map(rows.code, items), next_cursor)
    return json_answer(CodePage(items=items, next_cursor=next_cursor))


lambda_handler = handler(app)
