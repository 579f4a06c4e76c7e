"""Campaign administration and code creation through the campaigns function."""

import re

from passaparola.coupons.codes import CHARSET
from tests.unit.functions import call

SPRING = {
    "name": "Spring",
    "type": "discount",
    "discount": {"type": "percent", "percent_off": 10, "amount_limit": 1500},
    "rules": {
        "expires_at": "2027-01-31T23:00:00Z",
        "max_redemptions_per_code": 5,
        "max_redemptions_per_customer": 1,
        "min_order_amount": 2000,
        "currency": "EUR",
        "exclude_categories": ["gift-cards"],
    },
}


def create(campaigns_fn, body=None):
    reply = call(campaigns_fn, "POST", "/v1/campaigns", "/v1/campaigns", body or SPRING)
    assert reply.status == 201, reply.body
    return reply.body


def codes(campaigns_fn, campaign_id, body):
    return call(campaigns_fn, "POST", f"/v1/campaigns/{campaign_id}/codes", "/v1/campaigns/{campaign_id}/codes", body)


def test_the_issue_example_creates_an_enabled_campaign_with_empty_stats(campaigns_fn):
    campaign = create(campaigns_fn)

    assert campaign["id"].startswith("cmp_")
    assert campaign["enabled"] is True and campaign["version"] == 1
    assert campaign["rules"]["expires_at"] == "2027-01-31T23:00:00Z"
    assert campaign["stats"] == {"codes_issued": 0, "redemptions": 0, "rolled_back": 0, "discount_given": {}}
    fetched = call(campaigns_fn, "GET", f"/v1/campaigns/{campaign['id']}", "/v1/campaigns/{campaign_id}")
    assert fetched.body == campaign


def test_a_money_discount_without_currency_is_refused(campaigns_fn):
    reply = call(
        campaigns_fn,
        "POST",
        "/v1/campaigns",
        "/v1/campaigns",
        {"name": "x", "type": "discount", "discount": {"type": "amount", "amount_off": 500}},
    )
    assert reply.status == 400 and reply.body["error"]["code"] == "invalid_request"


def test_campaigns_are_listed_in_pages(campaigns_fn):
    ids = {create(campaigns_fn)["id"] for _ in range(3)}
    seen, cursor = set(), None
    while True:
        page = call(
            campaigns_fn,
            "GET",
            "/v1/campaigns",
            "/v1/campaigns",
            query={"limit": "2", **({"cursor": cursor} if cursor else {})},
        ).body
        seen |= {c["id"] for c in page["items"]}
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == ids


def test_an_unknown_campaign_is_404(campaigns_fn):
    reply = call(campaigns_fn, "GET", "/v1/campaigns/cmp_nope", "/v1/campaigns/{campaign_id}")
    assert reply.status == 404 and reply.body["error"]["code"] == "not_found"


def test_patch_changes_only_what_it_names_and_bumps_the_version(campaigns_fn):
    campaign = create(campaigns_fn)
    reply = call(
        campaigns_fn, "PATCH", f"/v1/campaigns/{campaign['id']}", "/v1/campaigns/{campaign_id}", {"name": "Spring sale"}
    )
    assert reply.status == 200
    assert reply.body["name"] == "Spring sale" and reply.body["rules"] == campaign["rules"]
    assert reply.body["version"] == 2


def test_patch_cannot_remove_the_currency_a_money_discount_needs(campaigns_fn):
    campaign = create(campaigns_fn, {**SPRING, "discount": {"type": "amount", "amount_off": 500}})
    path, resource = f"/v1/campaigns/{campaign['id']}", "/v1/campaigns/{campaign_id}"
    assert call(campaigns_fn, "PATCH", path, resource, {"rules": {}}).status == 200  # merged: nothing changes
    reply = call(campaigns_fn, "PATCH", path, resource, {"rules": {"currency": None}})
    assert reply.status == 400
    assert call(campaigns_fn, "PATCH", path, resource, {"rules": None}).status == 400


def test_patches_cannot_grow_metadata_past_its_cap(campaigns_fn):
    """Merge patch adds keys: the 50-key cap of creation holds for the merged result too."""
    campaign = create(campaigns_fn, {**SPRING, "metadata": {f"a{i}": "v" for i in range(40)}})
    path, resource = f"/v1/campaigns/{campaign['id']}", "/v1/campaigns/{campaign_id}"
    reply = call(campaigns_fn, "PATCH", path, resource, {"metadata": {f"b{i}": "v" for i in range(11)}})
    assert reply.status == 400, reply.body
    assert reply.body["error"]["code"] == "invalid_request"
    assert reply.body["error"]["details"]["fields"][0]["field"] == "metadata"
    changed = {f"b{i}": "v" for i in range(10)} | {"a0": None}
    reply = call(campaigns_fn, "PATCH", path, resource, {"metadata": changed})
    assert reply.status == 200 and len(reply.body["metadata"]) == 49


def test_a_public_code_is_unique_and_case_insensitive(campaigns_fn):
    campaign = create(campaigns_fn)
    first = codes(campaigns_fn, campaign["id"], {"code": "summer500"})
    again = codes(campaigns_fn, campaign["id"], {"code": " SUMMER500 "})

    assert first.status == 201 and first.body["codes"][0]["code"] == "SUMMER500"
    assert again.status == 409 and again.body["error"]["code"] == "code_already_exists"


def test_a_batch_follows_its_pattern_without_look_alikes_and_is_listed_and_exported(campaigns_fn):
    campaign = create(campaigns_fn)
    reply = codes(campaigns_fn, campaign["id"], {"count": 250, "pattern": "SP-####-????", "suffix": "-X"})

    assert reply.status == 201 and reply.body["created"] == 250
    made = {c["code"] for c in reply.body["codes"]}
    assert len(made) == 250
    assert all(re.fullmatch(r"SP-[2-9]{4}-[A-Z]{4}-X", c) for c in made)
    assert not any(set(c[3:7] + c[8:12]) - set(CHARSET) for c in made)
    listed, cursor = set(), None
    while True:
        page = call(
            campaigns_fn,
            "GET",
            f"/v1/campaigns/{campaign['id']}/codes",
            "/v1/campaigns/{campaign_id}/codes",
            query={"limit": "100", **({"cursor": cursor} if cursor else {})},
        ).body
        listed |= {c["code"] for c in page["items"]}
        if not (cursor := page["next_cursor"]):
            break
    assert listed == made
    export = call(
        campaigns_fn, "GET", f"/v1/campaigns/{campaign['id']}/codes/export", "/v1/campaigns/{campaign_id}/codes/export"
    )
    assert export.headers["Content-Type"].startswith("text/csv")
    assert {line.split(",")[0] for line in export.body.splitlines()[1:]} == made
    stats = call(campaigns_fn, "GET", f"/v1/campaigns/{campaign['id']}", "/v1/campaigns/{campaign_id}").body["stats"]
    assert stats["codes_issued"] == 250


def test_a_guessable_pattern_is_refused(campaigns_fn):
    campaign = create(campaigns_fn)
    reply = codes(campaigns_fn, campaign["id"], {"count": 100, "pattern": "####"})
    assert reply.status == 422 and reply.body["error"]["code"] == "codes_guessable"


def test_a_large_batch_is_queued_and_completed_by_the_batch_worker(campaigns_fn, aws):
    import boto3

    from passaparola.coupons import service
    from passaparola.settings import get_settings

    boto3.client("sqs").create_queue(QueueName=get_settings().code_batch_queue_url.rsplit("/", 1)[-1])
    campaign = create(campaigns_fn)
    reply = codes(campaigns_fn, campaign["id"], {"count": 1500, "pattern": "BIG-********"})
    assert reply.status == 202 and reply.body["batch"]["status"] == "pending"

    batch = service.run_batch(reply.body["batch"]["id"])
    again = service.run_batch(batch.id)

    assert batch.status == "completed" and batch.created == 1500 and again.created == 1500
    stats = call(campaigns_fn, "GET", f"/v1/campaigns/{campaign['id']}", "/v1/campaigns/{campaign_id}").body["stats"]
    assert stats["codes_issued"] == 1500
