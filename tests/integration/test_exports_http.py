"""Exports over HTTP (docs/integrations.md, "Exports and imports"): every CSV answer has the rows its JSON listing
has, in the same order, page by page through X-Next-Cursor; the right-of-access export of a customer with an
order, points, a referral and a message holds all of it."""

from __future__ import annotations

import csv
import io
import time
from datetime import timedelta
from typing import Any

import pytest
from api import Api, uid
from loyalty.conftest import lo, program  # noqa: F401 - the shop's loyalty program (points rewards need it)
from messages import Messaging
from messages.conftest import clock, ms  # noqa: F401 - a fresh frozen day, the messaging client
from referrals import Referrals, iso

pytestmark = pytest.mark.integration


@pytest.fixture
def api(stack) -> Api:
    return Api(stack)


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def csv_pages(api: Any, path: str, limit: int, **params: Any) -> list[list[dict[str, str]]]:
    """Every CSV page of a listing, following X-Next-Cursor."""
    pages, cursor = [], None
    for _ in range(200):
        r = api.get(path, params={**params, "format": "csv", "limit": limit, **({"cursor": cursor} if cursor else {})})
        assert r.status_code == 200, f"{path} → {r.status_code} {r.text}"
        assert r.headers["Content-Type"].startswith("text/csv"), r.headers
        pages.append(rows(r.text))
        cursor = r.headers.get("X-Next-Cursor")
        if not cursor:
            return pages
    raise AssertionError("too many pages")


def json_pages(api: Any, path: str, limit: int, max_pages: int = 200, **params: Any) -> list[list[dict[str, Any]]]:
    pages, cursor = [], None
    for _ in range(max_pages):
        r = api.get(path, params={**params, "limit": limit, **({"cursor": cursor} if cursor else {})})
        assert r.status_code == 200, f"{path} → {r.status_code} {r.text}"
        pages.append(r.json()["items"])
        cursor = r.json()["next_cursor"]
        if not cursor:
            break
    return pages


def test_exports_match_what_the_api_lists_page_by_page(ms: Messaging, clock, program) -> None:  # noqa: F811
    rf = Referrals(ms.stack)
    day = clock.now.replace(hour=0, minute=0, second=0, microsecond=0)
    window = {"since": iso(day), "until": iso(day + timedelta(days=1))}
    # Given, on a day of its own: referrals (a reward for each side, points lines) and a coupon's redemptions
    points_program = rf.create_program(
        referee_reward={"type": "points", "points": 200}, referrer_reward={"type": "points", "points": 300}, tiers=[]
    )
    for _ in range(2):
        referrer = ms.shopper(name='Ref, "Quoted"')
        link = rf.link(points_program["id"], referrer)
        rf.refer(link["code"])
        clock.tick()
    discount = ms.discount()
    code = ms.create_code(discount["id"], code=uid("EXP-"))
    for _ in range(3):
        r = ms.redeem(code, {"id": uid("ord_"), "amount": 5000, "currency": "EUR"}, customer_id=uid("buyer-"))
        assert r.status_code == 201, r.text

    # Then rewards and points lines across customers: the same rows, one CSV page of 1 at a time
    for path in ("/v1/rewards", "/v1/points/ledger"):
        listed = [i["id"] for page in json_pages(ms, path, 1000, **window) for i in page]
        exported = [r["id"] for page in csv_pages(ms, path, 1, **window) for r in page]
        assert exported == listed and len(listed) >= 4, path
    # a campaign's redemptions, newest first, in both formats
    path = f"/v1/campaigns/{discount['id']}/redemptions"
    listed = [i["id"] for page in json_pages(ms, path, 2) for i in page]
    assert [r["id"] for page in csv_pages(ms, path, 2) for r in page] == listed and len(listed) == 3
    # segment members and the change feed: the first pages agree, cursor after cursor
    for path, params, key in (
        ("/v1/segments/new_customers/customers", {}, "customer_id"),
        ("/v1/segments/changes", {"since": iso(day)}, "customer_id"),
    ):
        listed = [i[key] for page in json_pages(ms, path, 2, max_pages=3, **params) for i in page]
        exported: list[str] = []
        cursor = None
        for _ in range(3):
            query = {**params, "format": "csv", "limit": 2, **({"cursor": cursor} if cursor else {})}
            r = ms.get(path, params=query)
            assert r.status_code == 200, r.text
            exported += [row[key] for row in rows(r.text)]
            cursor = r.headers.get("X-Next-Cursor")
            if not cursor:
                break
        assert exported == listed and listed, path
    members = rows(ms.get("/v1/segments/new_customers/customers", params={"format": "csv", "limit": 5000}).text)
    mine = [m for m in members if m["name"] == 'Ref, "Quoted"']
    assert mine and all(m["consent_email"] == "true" for m in mine), "given by the shop: confirmed"


def test_the_right_of_access_export_holds_everything(ms: Messaging, clock, program) -> None:  # noqa: F811
    rf = Referrals(ms.stack)
    # Given a customer who got a welcome email, ordered, earned points and referred a friend
    welcome = ms.reengagement("welcome")
    clock.tick()
    anna = ms.shopper(name="Anna Export", locale="en")
    clock.tick()
    ms.watch()
    [sent] = ms.sent(anna, welcome["id"])
    order = rf.order_outcome(customer_id=anna, amount=4000, email=f"{anna.lower()}@example.com")
    programme = rf.create_program(
        referee_reward={"type": "points", "points": 200}, referrer_reward={"type": "points", "points": 300}, tiers=[]
    )
    link = rf.link(programme["id"], anna)
    friend = rf.refer(link["code"])

    # When the shop exports what it holds about her
    r = ms.get(f"/v1/customers/{anna}/export")
    assert r.status_code == 200, r.text
    export = r.json()

    # Then the profile, the order's facts, the points, the referral and the message are all there
    assert export["customer_id"] == anna and export["truncated"] == []
    assert export["profile"]["name"] == "Anna Export" and export["profile"]["consent"]["email"]["granted"]
    assert export["profile"]["facts"]["order_count"] == 1
    assert "new_customers" in {s["segment"] for s in export["segments"]}
    assert export["loyalty"]["ledger"], "points lines (the order's pending points at least)"
    sources = {(line["source_type"], line["source_id"]) for line in export["loyalty"]["ledger"]}
    assert ("order", order["order_id"]) in sources, sources
    assert [link_["code"] for link_ in export["referral_links"]] == [link["code"]]
    assert [c["customer_id"] for c in export["conversions_as_referrer"]] == [friend["customer_id"]]
    assert [w["role"] for w in export["rewards"]] == ["referrer"]
    [message] = [m for m in export["messages"] if m["id"] == sent["id"]]
    assert message["body"] is None and message["subject"] == sent["subject"], "the log, without bodies"
    # and the friend's export names the referral they came through
    theirs = ms.get(f"/v1/customers/{friend['customer_id']}/export").json()
    assert [c["referrer_customer_id"] for c in theirs["conversions_as_friend"]] == [anna]
    assert ms.get(f"/v1/customers/{uid('nobody-')}/export").status_code == 404


def test_a_batchs_codes_as_csv_are_the_codes_it_lists(api) -> None:
    # Given a background batch of 1001 codes, completed by CodeBatchFunction
    campaign = api.create_campaign()
    r = api.create_codes(campaign["id"], count=1001, pattern="EXP-????-####")
    assert r.status_code == 202, r.text
    path = f"/v1/campaigns/{campaign['id']}/batches/{r.json()['batch']['id']}"
    deadline = time.monotonic() + 60
    while (status := api.get(path).json())["status"] != "completed":
        assert status["status"] != "failed" and time.monotonic() < deadline, status
        time.sleep(0.5)
    # Then its codes, in JSON pages and in CSV pages, are the same 1001 codes in the same order
    listed = [c["code"] for page in json_pages(api, f"{path}/codes", 1000) for c in page]
    exported = [row for page in csv_pages(api, f"{path}/codes", 600) for row in page]
    assert [row["code"] for row in exported] == listed and len(set(listed)) == 1001
    assert {row["batch_id"] for row in exported} == {status["id"]}
    assert api.get(f"/v1/campaigns/{campaign['id']}/batches/bat_{uid()}/codes").status_code == 404
