"""CSV answers match their JSON rows; accounting lists read by day; the right-of-access export."""

import csv
import io
import json
from datetime import UTC, datetime
from types import ModuleType
from typing import Any

import pytest

from passaparola import clock
from passaparola.customers import service as customers
from passaparola.customers.models import CustomerPut
from passaparola.data import messages as message_store
from passaparola.data.models.customers import CustomerModel
from passaparola.data.models.rewards import PointsLedgerModel
from passaparola.exports import customer as customer_export
from passaparola.exports.models import CustomerExport, ExportedLink, ExportedLoyalty, ExportedMembership
from passaparola.referrals import identity
from passaparola.referrals.models import ReferralCounts
from tests.unit.functions import call, load_function

LOYALTY = {"name": "Club", "type": "loyalty", "earning_rules": [{"event": "review", "points": 50}]}
PROGRAM: dict[str, Any] = {
    "name": "Friends",
    "type": "referral",
    "landing_url": "https://shop.example/",
    "referee_reward": {"type": "points", "points": 200},
    "referrer_reward": {"type": "points", "points": 300},
    "holding_days": 0,
}


def at(moment: str) -> None:
    frozen = datetime.fromisoformat(moment).replace(tzinfo=UTC)
    clock.set_clock(lambda: frozen)


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def get(fn: ModuleType, path: str, resource: str, **query: str) -> Any:
    reply = call(fn, "GET", path, resource, query=query)
    assert reply.status == 200, reply.body
    return reply


def test_segment_members_as_csv_carry_the_profile_and_only_confirmed_consent(aws: None) -> None:
    segments = load_function("segments")
    at("2026-03-01T10:00:00")
    customers.put(
        "cus_1",
        CustomerPut.model_validate(
            {
                "email": "a@example.com",
                "name": "=cmd|' /C calc'!A0",
                "consent": {"email": {"granted": True}},
                "locale": "it",
            }
        ),
    )
    customers.put(
        "cus_2", CustomerPut.model_validate({"email": "b@example.com", "consent": {"sms": {"granted": True}}})
    )
    customers.put("cus_3", CustomerPut.model_validate({"email": "c@example.com", "name": 'Rossi, "Mario"'}))
    pending = {"email": {"granted": True, "at": "2026-03-01T10:00:00.000Z", "source": "storefront", "confirmed": False}}
    CustomerModel("cus_3", "facts").update(actions=[CustomerModel.consent.set(json.dumps(pending))])

    path, resource = "/v1/segments/new_customers/customers", "/v1/segments/{name}/customers"
    listed = get(segments, path, resource).body["items"]
    first = get(segments, path, resource, format="csv", limit="2")
    assert first.headers["Content-Type"] == "text/csv; charset=utf-8"
    second = get(segments, path, resource, format="csv", limit="2", cursor=first.headers["X-Next-Cursor"])
    assert "X-Next-Cursor" not in second.headers or not rows(
        get(segments, path, resource, format="csv", cursor=second.headers["X-Next-Cursor"]).body
    )
    exported = rows(first.body) + rows(second.body)
    assert [r["customer_id"] for r in exported] == [m["customer_id"] for m in listed]
    assert list(exported[0]) == [
        "customer_id",
        "email",
        "name",
        "locale",
        "country",
        "consent_email",
        "consent_sms",
        "points",
        "tier",
        "suppressed",
    ]
    by_id = {r["customer_id"]: r for r in exported}
    assert by_id["cus_1"]["name"] == "'=cmd|' /C calc'!A0", "a formula stays text"
    assert (by_id["cus_1"]["consent_email"], by_id["cus_1"]["consent_sms"], by_id["cus_1"]["locale"]) == (
        "true",
        "false",
        "it",
    )
    assert (by_id["cus_2"]["consent_email"], by_id["cus_2"]["consent_sms"]) == ("false", "true")
    assert by_id["cus_3"]["consent_email"] == "false", "granted in a browser, not confirmed: does not count"
    assert by_id["cus_3"]["name"] == 'Rossi, "Mario"'
    assert {r["suppressed"] for r in exported} == {"false"}


def test_a_suppressed_address_is_marked_and_its_email_consent_is_false(aws: None) -> None:
    segments = load_function("segments")
    at("2026-03-01T10:00:00")
    for cid, email in (("cus_1", "a@example.com"), ("cus_2", "b@example.com")):
        customers.put(cid, CustomerPut.model_validate({"email": email, "consent": {"email": {"granted": True}}}))
    message_store.suppress(identity.email_hash("A@example.com"), "complaint", "abuse", None, clock.now())
    path, resource = "/v1/segments/new_customers/customers", "/v1/segments/{name}/customers"
    by_id = {r["customer_id"]: r for r in rows(get(segments, path, resource, format="csv").body)}
    assert (by_id["cus_1"]["suppressed"], by_id["cus_1"]["consent_email"]) == ("true", "false")
    assert (by_id["cus_2"]["suppressed"], by_id["cus_2"]["consent_email"]) == ("false", "true")
    assert by_id["cus_1"]["email"] == "a@example.com", "the address stays: a tool imports it as suppressed"


def test_a_cross_origin_client_can_read_the_next_cursor(aws: None) -> None:
    segments = load_function("segments")
    for n in range(2):
        customers.put(f"cus_{n}", CustomerPut.model_validate({"email": f"{n}@example.com"}))
    path, resource = "/v1/segments/new_customers/customers", "/v1/segments/{name}/customers"
    reply = call(
        segments,
        "GET",
        path,
        resource,
        headers={"Origin": "https://admin.example"},
        query={"format": "csv", "limit": "1"},
    )
    assert reply.status == 200 and reply.headers["X-Next-Cursor"]
    assert "X-Next-Cursor" in reply.headers["Access-Control-Expose-Headers"].split(",")


def test_csv_pages_are_larger_json_pages_keep_their_limit(aws: None) -> None:
    segments = load_function("segments")
    path, resource = "/v1/segments/new_customers/customers", "/v1/segments/{name}/customers"
    assert get(segments, path, resource, format="csv", limit="5000").body.startswith("customer_id,")
    refused = call(segments, "GET", path, resource, query={"limit": "5000"})
    assert refused.status == 400 and refused.body["error"]["code"] == "invalid_request"
    refused = call(segments, "GET", path, resource, query={"limit": "5001", "format": "csv"})
    assert refused.status == 400


def test_the_segment_feed_as_csv_has_the_json_rows(aws: None) -> None:
    segments = load_function("segments")
    at("2026-03-01T10:00:00")
    customers.put("cus_1", CustomerPut(email="a@example.com"))
    customers.put("cus_2", CustomerPut(email="b@example.com"))
    query = {"since": "2026-02-28T00:00:00Z"}
    listed = get(segments, "/v1/segments/changes", "/v1/segments/changes", **query).body["items"]
    exported = rows(get(segments, "/v1/segments/changes", "/v1/segments/changes", format="csv", **query).body)
    assert listed and [(r["customer_id"], r["segment"], r["change"]) for r in exported] == [
        (c["customer_id"], c["segment"], c["change"]) for c in listed
    ]


def referral(campaigns_fn: ModuleType) -> tuple[str, str]:
    """anna refers bob, whose order converts: a reward each (points), a points line each once released."""
    referrals_fn, conversions_fn = load_function("referrals"), load_function("conversions")
    assert call(campaigns_fn, "POST", "/v1/campaigns", "/v1/campaigns", LOYALTY).status == 201
    made = call(campaigns_fn, "POST", "/v1/campaigns", "/v1/campaigns", PROGRAM)
    assert made.status == 201, made.body
    link = call(
        referrals_fn, "POST", "/v1/referrals", "/v1/referrals", {"customer_id": "anna", "campaign_id": made.body["id"]}
    )
    assert link.status == 201, link.body
    order = {
        "id": "ord_1",
        "customer_id": "bob",
        "amount": 5000,
        "currency": "EUR",
        "items": [{"sku": "A", "quantity": 1, "unit_price": 5000}],
        "referral_code": link.body["code"],
    }
    outcome = call(conversions_fn, "POST", "/v1/orders", "/v1/orders", order)
    assert outcome.status == 201 and outcome.body["referral"]["status"] == "converted", outcome.body
    return made.body["id"], link.body["code"]


def test_rewards_across_customers_by_day_in_json_and_csv(campaigns_fn: ModuleType) -> None:
    rewards_fn = load_function("rewards")
    at("2026-03-01T10:00:00")
    referral(campaigns_fn)
    at("2026-03-03T10:00:00")
    window = {"since": "2026-02-28T00:00:00Z", "until": "2026-03-03T00:00:00Z"}
    listed = get(rewards_fn, "/v1/rewards", "/v1/rewards", **window).body
    assert sorted(r["customer_id"] for r in listed["items"]) == ["anna", "bob"] and not listed["next_cursor"]
    one = get(rewards_fn, "/v1/rewards", "/v1/rewards", format="csv", limit="1", **window)
    rest = get(rewards_fn, "/v1/rewards", "/v1/rewards", format="csv", cursor=one.headers["X-Next-Cursor"], **window)
    assert [r["id"] for r in rows(one.body) + rows(rest.body)] == [r["id"] for r in listed["items"]]
    assert "X-Next-Cursor" not in rest.headers
    assert not get(rewards_fn, "/v1/rewards", "/v1/rewards", status="voided", **window).body["items"]
    later = {"since": "2026-03-02T00:00:00Z"}
    assert not get(rewards_fn, "/v1/rewards", "/v1/rewards", **later).body["items"], "the range is honoured"
    too_long = call(rewards_fn, "GET", "/v1/rewards", "/v1/rewards", query={"since": "2025-01-01T00:00:00Z"})
    assert too_long.status == 400 and too_long.body["error"]["code"] == "invalid_request"


def test_points_ledger_across_customers_pages_over_days_and_skips_lines_without_a_day(aws: None) -> None:
    rewards_fn, loyalty_fn = load_function("rewards"), load_function("loyalty")
    campaigns_fn = load_function("campaigns")
    assert call(campaigns_fn, "POST", "/v1/campaigns", "/v1/campaigns", LOYALTY).status == 201
    for day, customer in (("2026-03-01", "cus_1"), ("2026-03-02", "cus_2"), ("2026-03-04", "cus_1")):
        at(f"{day}T12:00:00")
        customers.put(customer, CustomerPut(email=f"{customer}@example.com"))
        path = f"/v1/customers/{customer}/points/adjustments"
        added = call(
            loyalty_fn,
            "POST",
            path,
            "/v1/customers/{customer_id}/points/adjustments",
            {"points": 10, "reason": "goodwill"},
        )
        assert added.status == 201, added.body
    PointsLedgerModel(
        "cus_9", "POINTS#old", id="pts_old", type="adjustment", points=5, reason="before", at="2026-03-02T09:00:00.000Z"
    ).save()
    window = {"since": "2026-03-01T00:00:00Z", "until": "2026-03-05T00:00:00Z"}
    listed = get(rewards_fn, "/v1/points/ledger", "/v1/points/ledger", **window).body["items"]
    assert [(e["customer_id"], e["at"][:10]) for e in listed if e["type"] == "adjustment"] == [
        ("cus_1", "2026-03-01"),
        ("cus_2", "2026-03-02"),
        ("cus_1", "2026-03-04"),
    ]
    assert "pts_old" not in {e["id"] for e in listed}, "written before the index: not listed"
    pages, cursor = [], None
    while True:
        query = {"format": "csv", "limit": "1", **window} | ({"cursor": cursor} if cursor else {})
        reply = get(rewards_fn, "/v1/points/ledger", "/v1/points/ledger", **query)
        pages += rows(reply.body)
        cursor = reply.headers.get("X-Next-Cursor")
        if not cursor:
            break
    assert [r["id"] for r in pages] == [e["id"] for e in listed]
    assert pages[0]["source_type"] == "adjustment"
    forged = call(rewards_fn, "GET", "/v1/points/ledger", "/v1/points/ledger", query={"cursor": "e30", **window})
    assert forged.status == 400


def test_the_right_of_access_export_holds_everything_about_the_customer(campaigns_fn: ModuleType) -> None:
    customers_fn = load_function("customers")
    at("2026-03-01T10:00:00")
    customers.put(
        "anna",
        CustomerPut.model_validate(
            {"email": "anna@example.com", "name": "Anna", "consent": {"email": {"granted": True}}}
        ),
    )
    _, code = referral(campaigns_fn)
    anna = get(customers_fn, "/v1/customers/anna/export", "/v1/customers/{customer_id}/export").body
    assert anna["profile"]["email"] == "anna@example.com" and anna["profile"]["consent"]["email"]["granted"]
    assert [link["code"] for link in anna["referral_links"]] == [code]
    [conversion] = anna["conversions_as_referrer"]
    assert conversion["code"] == code and conversion["status"] == "converted"
    friends_data = {"customer_id", "order_id", "amount", "currency", "referrer_customer_id"} & set(conversion)
    assert not friends_data, "the friend's id, order and amount are not the referrer's data (GDPR art. 15(4))"
    assert "bob" not in json.dumps(anna) and "ord_1" not in json.dumps(anna)
    assert [r["role"] for r in anna["rewards"]] == ["referrer"]
    assert anna["truncated"] == []
    bob = get(customers_fn, "/v1/customers/bob/export", "/v1/customers/{customer_id}/export").body
    assert [c["referrer_customer_id"] for c in bob["conversions_as_friend"]] == ["anna"]
    assert bob["profile"]["facts"]["order_count"] == 1
    unknown = call(customers_fn, "GET", "/v1/customers/nobody/export", "/v1/customers/{customer_id}/export")
    assert unknown.status == 404


def test_a_referrers_conversions_cut_by_the_item_cap_are_named(
    campaigns_fn: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    customers_fn = load_function("customers")
    at("2026-03-01T10:00:00")
    referral(campaigns_fn)
    monkeypatch.setattr(customer_export, "MAX_ITEMS", 1)
    anna = get(customers_fn, "/v1/customers/anna/export", "/v1/customers/{customer_id}/export").body
    assert "conversions_as_referrer" in anna["truncated"]


def _big_export() -> CustomerExport:
    when = datetime(2026, 3, 1, tzinfo=UTC)
    return CustomerExport(
        customer_id="anna",
        exported_at=when,
        loyalty=ExportedLoyalty(ledger=[], redemptions=[]),
        segments=[ExportedMembership(segment=f"segment-{i:05d}", entered_at=when) for i in range(3000)],
        messages=[],
        referral_links=[
            ExportedLink(code="ANNA1", campaign_id="c1", created_at=when, counts=ReferralCounts()),
        ],
    )


def test_the_export_is_cut_to_stay_under_its_byte_budget() -> None:
    whole = _big_export()
    assert len(whole.model_dump_json()) > 100_000
    fitted = customer_export.fit(_big_export(), max_bytes=20_000)
    assert len(fitted.model_dump_json()) <= 20_000
    assert fitted.truncated == ["segments"], "the largest part is cut, and named"
    assert fitted.segments == whole.segments[: len(fitted.segments)] and fitted.segments
    assert fitted.referral_links == whole.referral_links, "small parts are kept whole"
    assert customer_export.fit(_big_export()).truncated == [], "under the default budget nothing is cut"


def test_a_batchs_codes_as_csv_are_the_codes_json_lists(campaigns_fn: ModuleType) -> None:
    import boto3

    from passaparola.coupons import service
    from passaparola.settings import get_settings

    boto3.client("sqs").create_queue(QueueName=get_settings().code_batch_queue_url.rsplit("/", 1)[-1])
    body = {"name": "Ten off", "type": "discount", "discount": {"type": "percent", "percent_off": 10}}
    made = call(campaigns_fn, "POST", "/v1/campaigns", "/v1/campaigns", body)
    assert made.status == 201, made.body
    cid = made.body["id"]
    created = call(
        campaigns_fn, "POST", f"/v1/campaigns/{cid}/codes", "/v1/campaigns/{campaign_id}/codes", {"count": 1001}
    )
    assert created.status == 202, created.body
    batch = service.run_batch(created.body["batch"]["id"])
    call(campaigns_fn, "POST", f"/v1/campaigns/{cid}/codes", "/v1/campaigns/{campaign_id}/codes", {"code": "ALONE"})
    path, resource = (
        f"/v1/campaigns/{cid}/batches/{batch.id}/codes",
        "/v1/campaigns/{campaign_id}/batches/{batch_id}/codes",
    )
    first = get(campaigns_fn, path, resource, limit="1000").body
    second = get(campaigns_fn, path, resource, cursor=first["next_cursor"]).body
    listed = [c["code"] for c in first["items"] + second["items"]]
    assert "X-Next-Cursor" in get(campaigns_fn, path, resource, format="csv").headers, "1000 rows by default"
    exported = get(campaigns_fn, path, resource, format="csv", limit="5000")
    assert "X-Next-Cursor" not in exported.headers
    assert [r["code"] for r in rows(exported.body)] == listed and len(listed) == 1001
    assert {r["batch_id"] for r in rows(exported.body)} == {batch.id}, "only the batch's codes"
    other = call(campaigns_fn, "GET", f"/v1/campaigns/other/batches/{batch.id}/codes", resource)
    assert other.status == 404


def test_a_campaigns_redemptions_as_csv(campaigns_fn: ModuleType) -> None:
    coupons_fn = load_function("coupons")
    body = {"name": "Ten off", "type": "discount", "discount": {"type": "percent", "percent_off": 10}}
    cid = call(campaigns_fn, "POST", "/v1/campaigns", "/v1/campaigns", body).body["id"]
    call(campaigns_fn, "POST", f"/v1/campaigns/{cid}/codes", "/v1/campaigns/{campaign_id}/codes", {"code": "TEN"})
    for n in range(3):
        order = {
            "code": "TEN",
            "customer_id": f"cus_{n}",
            "order": {"id": f"ord_{n}", "amount": 5000, "currency": "EUR"},
        }
        redeemed = call(coupons_fn, "POST", "/v1/redemptions", "/v1/redemptions", order)
        assert redeemed.status == 201, redeemed.body
    path, resource = f"/v1/campaigns/{cid}/redemptions", "/v1/campaigns/{campaign_id}/redemptions"
    listed = get(campaigns_fn, path, resource).body["items"]
    exported = rows(get(campaigns_fn, path, resource, format="csv").body)
    assert [(r["id"], r["order_id"], r["discount_amount"]) for r in exported] == [
        (r["id"], r["order_id"], str(r["discount_amount"])) for r in listed
    ]
    assert len(exported) == 3


def test_the_day_index_is_bounded_by_its_key_condition_never_by_a_filter_on_its_key(
    aws: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DynamoDB refuses a filter on an index's key attribute (`at`); moto accepts it, so it is checked here."""
    from datetime import timedelta

    from passaparola.data import rewards as store
    from passaparola.data.models.rewards import RewardModel

    filtered: list[set[str]] = []
    for model in (RewardModel, PointsLedgerModel):
        index = model.by_day
        original = index.query

        def spy(*args: Any, _original: Any = original, **kwargs: Any) -> Any:
            names: dict[str, str] = {}
            if kwargs.get("filter_condition") is not None:
                kwargs["filter_condition"].serialize(names, {})
            filtered.append(set(names))
            return _original(*args, **kwargs)

        monkeypatch.setattr(index, "query", spy)
    since = datetime(2026, 3, 1, 10, tzinfo=UTC)
    for until in (since + timedelta(hours=2), since + timedelta(days=3)):
        store.rewards_by_day(since, until, "released", 10, None)
        store.points_by_day(since, until, 10, None)
    assert len(filtered) == 2 * (1 + 4), "one Query per UTC day of each range"
    assert all(not names & {"day", "at"} for names in filtered), filtered
