"""One code switched off and on (POST /v1/codes/{code}/disable|enable), and redemptions listed newest first with a
cursor, per code (GET /v1/codes/{code}/redemptions) and per campaign (GET /v1/campaigns/{id}/redemptions)."""

from datetime import UTC, datetime, timedelta
from types import ModuleType
from typing import Any

import pytest

from passaparola import clock
from passaparola.coupons import service
from passaparola.coupons.models import Redemption
from passaparola.data import coupons as store
from tests.unit.coupons.test_redemptions import ORDER, make_campaign, make_code, redeem
from tests.unit.functions import PUBLISHABLE, call

START = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)


def switch(fn: ModuleType, code: str, action: str) -> Any:
    return call(fn, "POST", f"/v1/codes/{code}/{action}", f"/v1/codes/{{code}}/{action}")


def validate(fn: ModuleType, code: str) -> dict[str, Any]:
    reply = call(
        fn, "POST", "/v1/coupons/validate", "/v1/coupons/validate", {"code": code, "order": ORDER}, key=PUBLISHABLE
    )
    assert reply.status == 200, reply.body
    return dict(reply.body)


def test_a_switched_off_code_neither_validates_nor_redeems_until_switched_on(coupons_fn, campaigns_fn):
    campaign_id = make_campaign(campaigns_fn)
    code = make_code(campaigns_fn, campaign_id, code="ONEOFF")
    other = make_code(campaigns_fn, campaign_id, code="STILLON")
    clock.set_clock(lambda: START)
    off = switch(coupons_fn, "oneoff", "disable")  # case-insensitive, like every code route
    assert off.status == 200, off.body
    assert off.body["code"] == code and off.body["switched_off_at"].startswith("2026-04-01T09:00")
    refused = validate(coupons_fn, code)
    assert refused["valid"] is False and refused["error"]["code"] == "code_disabled", refused
    reply = redeem(coupons_fn, code, "ord_off")
    assert reply.status == 422 and reply.body["error"]["code"] == "code_disabled", reply.body
    assert validate(coupons_fn, other)["valid"] is True  # the campaign and its other codes are untouched
    # switching off again keeps the first time
    clock.set_clock(lambda: START + timedelta(hours=1))
    again = switch(coupons_fn, code, "disable")
    assert again.status == 200 and again.body["switched_off_at"] == off.body["switched_off_at"]
    read = call(coupons_fn, "GET", f"/v1/codes/{code}", "/v1/codes/{code}").body
    assert read["switched_off_at"] == off.body["switched_off_at"]
    # on again: it redeems
    on = switch(coupons_fn, code, "enable")
    assert on.status == 200 and on.body["switched_off_at"] is None, on.body
    assert redeem(coupons_fn, code, "ord_on").status == 201
    for action in ("disable", "enable"):
        missing = switch(coupons_fn, "NOSUCHCODE", action)
        assert missing.status == 404 and missing.body["error"]["code"] == "not_found", missing.body


def test_a_redemption_read_before_the_switch_off_cannot_commit_after_it(coupons_fn, campaigns_fn):
    campaign_id = make_campaign(campaigns_fn)
    code = make_code(campaigns_fn, campaign_id, code="RACE")
    # a redemption has read the code (still on) and judged it valid...
    snapshot = store.load(code, None, "ord_race")
    assert snapshot.code is not None and snapshot.campaign is not None
    # ...when the switch-off returns
    service.switch_code(code, enabled=False)
    late = Redemption(
        id="red_late",
        code=code,
        campaign_id=campaign_id,
        order_id="ord_race",
        order_amount=5000,
        currency="EUR",
        discount_amount=500,
        order_amount_after=4500,
        created_at=clock.now(),
    )
    with pytest.raises(store.WriteRejected):
        store.commit_redemption(late, snapshot.campaign, snapshot.code, 0)
    reply = redeem(coupons_fn, code, "ord_race")  # the service re-reads and tells the real reason
    assert reply.status == 422 and reply.body["error"]["code"] == "code_disabled"
    assert (
        call(campaigns_fn, "GET", f"/v1/campaigns/{campaign_id}", "/v1/campaigns/{campaign_id}").body["stats"][
            "redemptions"
        ]
        == 0
    )


def pages(fn: ModuleType, path: str, resource: str, limit: int) -> list[list[dict[str, Any]]]:
    out, cursor = [], None
    while True:
        query = {"limit": str(limit)} | ({"cursor": cursor} if cursor else {})
        reply = call(fn, "GET", path, resource, query=query)
        assert reply.status == 200, reply.body
        out.append(reply.body["items"])
        cursor = reply.body["next_cursor"]
        if not cursor:
            return out


def test_redemptions_are_listed_newest_first_per_code_and_per_campaign(coupons_fn, campaigns_fn):
    campaign_id = make_campaign(campaigns_fn)
    elsewhere = make_campaign(campaigns_fn)
    first, second = (make_code(campaigns_fn, campaign_id, code=c) for c in ("PAGEA", "PAGEB"))
    foreign = make_code(campaigns_fn, elsewhere, code="PAGEC")
    ids = []
    for n, code in enumerate([first, second, first, first, second, foreign]):
        clock.set_clock(lambda n=n: START + timedelta(minutes=n))
        reply = redeem(coupons_fn, code, f"ord_{n}")
        assert reply.status == 201, reply.body
        ids.append((code, reply.body["id"]))
    rolled = call(
        coupons_fn, "POST", f"/v1/redemptions/{ids[2][1]}/rollback", "/v1/redemptions/{redemption_id}/rollback"
    )
    assert rolled.status == 200

    by_code = pages(coupons_fn, f"/v1/codes/{first}/redemptions", "/v1/codes/{code}/redemptions", 2)
    assert [len(p) for p in by_code] == [2, 1]
    listed = [r for p in by_code for r in p]
    assert [r["id"] for r in listed] == [i for c, i in reversed(ids) if c == first]
    assert [r["status"] for r in listed] == ["succeeded", "rolled_back", "succeeded"]

    path = f"/v1/campaigns/{campaign_id}/redemptions"
    by_campaign = pages(campaigns_fn, path, "/v1/campaigns/{campaign_id}/redemptions", 2)
    assert [r["id"] for p in by_campaign for r in p] == [i for c, i in reversed(ids) if c != foreign]

    # a cursor belongs to its listing
    cursor = call(campaigns_fn, "GET", path, "/v1/campaigns/{campaign_id}/redemptions", query={"limit": "1"}).body[
        "next_cursor"
    ]
    other = call(
        campaigns_fn,
        "GET",
        f"/v1/campaigns/{elsewhere}/redemptions",
        "/v1/campaigns/{campaign_id}/redemptions",
        query={"cursor": cursor},
    )
    assert other.status == 400 and other.body["error"]["code"] == "invalid_request", other.body
    missing = call(coupons_fn, "GET", "/v1/codes/NOPE/redemptions", "/v1/codes/{code}/redemptions")
    assert missing.status == 404
    none = call(campaigns_fn, "GET", "/v1/campaigns/cmp_none/redemptions", "/v1/campaigns/{campaign_id}/redemptions")
    assert none.status == 404
