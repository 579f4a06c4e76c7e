"""Codes over HTTP: public codes, normalisation, bulk generation, batches, listing, CSV and QR."""

import csv
import io
import re
import time

import pytest
from api import Api, assert_error, order, uid, unique_code

pytestmark = pytest.mark.integration

LOOK_ALIKES = set("01OIL")


@pytest.fixture(scope="module")
def api(stack):
    return Api(stack)


def test_public_code_is_stored_upper_case_and_found_case_insensitively_and_trimmed(api):
    cmp_ = api.create_campaign()
    raw = uid("summer-").lower()
    r = api.create_codes(cmp_["id"], code=f"  {raw} ")
    assert r.status_code == 201, r.text
    assert r.json()["codes"][0]["code"] == raw.upper()

    assert api.validate(f" {raw} ", order(5000))["valid"] is True
    assert api.validate(raw.upper(), order(5000))["code"] == raw.upper()
    assert api.get(f"/v1/codes/{raw}").json()["code"] == raw.upper()


def test_duplicate_public_code_is_a_conflict_whatever_its_case(api):
    cmp_ = api.create_campaign()
    code = api.create_code(cmp_["id"])
    assert_error(api.create_codes(cmp_["id"], code=code), 409, "code_already_exists")
    assert_error(api.create_codes(cmp_["id"], code=code.lower()), 409, "code_already_exists")
    # codes are global: another campaign cannot take it either
    other = api.create_campaign()
    assert_error(api.create_codes(other["id"], code=code), 409, "code_already_exists")


def test_get_code_returns_its_campaign_and_uses(api):
    cmp_ = api.create_campaign()
    code = api.create_code(cmp_["id"])
    c = api.code(code)
    assert c["code"] == code
    assert c["campaign_id"] == cmp_["id"]
    assert c["redemptions"] == 0
    assert c["uses"] == []
    assert c["created_at"].endswith("Z")


def test_unknown_code_and_campaign_are_404(api):
    r = api.get(f"/v1/codes/{unique_code('NONE')}")
    assert r.status_code == 404, r.text
    assert r.json()["error"]["code"] in ("not_found", "coupon_not_found"), r.text
    assert_error(api.get(f"/v1/campaigns/cmp_{uid()}"), 404, "not_found")
    assert_error(api.patch(f"/v1/campaigns/cmp_{uid()}", json={"name": "x"}), 404, "not_found")
    assert_error(api.post(f"/v1/campaigns/cmp_{uid()}/enable", json={}), 404, "not_found")
    assert_error(api.create_codes(f"cmp_{uid()}", code=unique_code()), 404, "not_found")


def test_qr_is_an_svg(api):
    code = api.create_code(api.create_campaign()["id"])
    r = api.get(f"/v1/codes/{code}/qr")
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].startswith("image/svg+xml"), r.headers
    assert "<svg" in r.text


def _generated_parts(code: str, literal: str) -> str:
    m = re.fullmatch(rf"{literal}-([0-9]{{4}})-([A-Z]{{4}})", code)
    assert m, f"{code!r} does not match the pattern {literal}-####-????"
    return m.group(1) + m.group(2)


def test_bulk_100_codes_follow_the_pattern_are_unique_unambiguous_and_listed(api):
    # Given a campaign, when 100 codes are generated with a pattern
    cmp_ = api.create_campaign()
    literal = "SPRING"
    r = api.create_codes(cmp_["id"], count=100, pattern=f"{literal}-####-????")
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["created"] == 100
    codes = [c["code"] for c in body["codes"]]

    # Then they are 100 distinct codes matching the pattern, without look-alike characters
    assert len(codes) == 100 and len(set(codes)) == 100
    for code in codes:
        generated = _generated_parts(code, literal)
        assert not (set(generated) & LOOK_ALIKES), f"{code} has a look-alike character"
    assert api.campaign(cmp_["id"])["stats"]["codes_issued"] == 100

    # And the listing paginates through exactly them
    listed = api.list_all(f"/v1/campaigns/{cmp_['id']}/codes", limit=30)
    assert sorted(c["code"] for c in listed) == sorted(codes)
    assert all(c["campaign_id"] == cmp_["id"] for c in listed)


def test_csv_export_has_every_code_of_the_campaign(api):
    # Given a campaign with 30 generated codes and a public one
    cmp_ = api.create_campaign()
    r = api.create_codes(cmp_["id"], count=30)
    assert r.status_code == 201, r.text
    codes = {c["code"] for c in r.json()["codes"]} | {api.create_code(cmp_["id"])}

    # When its codes are exported in parts of 20, then the parts together are a CSV with every code once
    exported: list[str] = []
    params = {"limit": "20"}
    while True:
        r = api.get(f"/v1/campaigns/{cmp_['id']}/codes/export", params=params)
        assert r.status_code == 200, r.text
        assert r.headers["Content-Type"].startswith("text/csv"), (r.headers, r.text[:300])
        rows = list(csv.reader(io.StringIO(r.text)))
        assert rows[0][0] == "code"
        exported += [row[0] for row in rows[1:]]
        if "X-Next-Cursor" not in r.headers:
            break
        params = {"limit": "20", "cursor": r.headers["X-Next-Cursor"]}
    assert sorted(exported) == sorted(codes)


def test_bulk_codes_with_prefix_and_default_pattern(api):
    cmp_ = api.create_campaign()
    prefix = uid("P")[:8]
    r = api.create_codes(cmp_["id"], count=5, prefix=prefix)
    assert r.status_code == 201, r.text
    for c in r.json()["codes"]:
        assert c["code"].startswith(prefix.upper()), c
        assert len(c["code"]) == len(prefix) + 8, c  # default pattern: 8 characters
        assert not (set(c["code"][len(prefix) :]) & LOOK_ALIKES), c


def test_guessable_pattern_is_refused(api):
    cmp_ = api.create_campaign()
    assert_error(api.create_codes(cmp_["id"], count=100, pattern="X-#"), 422, "codes_guessable")
    assert_error(api.create_codes(cmp_["id"], count=500, pattern="X-##"), 422, "codes_guessable")
    assert api.list_all(f"/v1/campaigns/{cmp_['id']}/codes") == []


def test_more_than_1000_codes_are_generated_in_a_background_batch(api):
    # Given a campaign, when 1500 codes are requested
    cmp_ = api.create_campaign()
    r = api.create_codes(cmp_["id"], count=1500, pattern="BIG-????-####")
    # Then the request is accepted (202) with a batch to follow
    assert r.status_code == 202, r.text
    batch = r.json()["batch"]
    assert batch["id"] and batch["requested"] == 1500
    assert batch["status"] in ("pending", "running", "completed")

    # When the batch runs in the background (CodeBatchFunction via SQS), then it completes with all the codes
    deadline = time.monotonic() + 60
    status = batch
    while status["status"] != "completed":
        assert status["status"] != "failed", status
        assert time.monotonic() < deadline, f"batch not completed in 60 s: {status}"
        time.sleep(0.5)
        rr = api.get(f"/v1/campaigns/{cmp_['id']}/batches/{batch['id']}")
        assert rr.status_code == 200, rr.text
        status = rr.json()
    assert status["created"] == 1500
    assert status["requested"] == 1500

    listed = api.list_all(f"/v1/campaigns/{cmp_['id']}/codes", limit=100)
    codes = {c["code"] for c in listed}
    assert len(listed) == 1500 and len(codes) == 1500
    assert all(re.fullmatch(r"BIG-[A-Z]{4}-[0-9]{4}", c) for c in codes)
    assert api.campaign(cmp_["id"])["stats"]["codes_issued"] == 1500

    # And a generated code works
    some = next(iter(codes))
    assert api.validate(some.lower(), order(5000))["valid"] is True


def test_unknown_batch_is_404(api):
    cmp_ = api.create_campaign()
    assert_error(api.get(f"/v1/campaigns/{cmp_['id']}/batches/bat_{uid()}"), 404, "not_found")


def test_campaign_listing_paginates_and_contains_new_campaigns(api):
    created = {api.create_campaign()["id"] for _ in range(3)}
    listed = api.list_all("/v1/campaigns", limit=10, max_pages=5000)
    ids = [c["id"] for c in listed]
    assert len(ids) == len(set(ids)), "a campaign appears twice across pages"
    assert created <= set(ids)
