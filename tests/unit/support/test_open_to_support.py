"""Campaigns open to support: a support agent issues one customer-bound code from an open campaign, nothing else;
only an owner (or an API key) opens a campaign. Roles come from a hand-made console Principal."""

import pytest

from passaparola.api import keys
from passaparola.api.keys import Principal
from tests.unit.functions import call, load_function

DISCOUNT = {
    "name": "Sorry",
    "type": "discount",
    "discount": {"type": "amount", "amount_off": 500},
    "rules": {"currency": "EUR"},
}
USERS = {
    "sk_test_as_owner": "owner",
    "sk_test_as_marketer": "marketer",
    "sk_test_as_support": "support",
}


@pytest.fixture
def fn(aws, monkeypatch):
    """The campaigns function, where three test bearers stand for console users of each role."""
    real = keys.lookup

    def lookup(raw: str) -> Principal | None:
        if raw in USERS:
            return Principal(kind="user", key_id=f"u_{USERS[raw]}", role=USERS[raw], email=f"{USERS[raw]}@example.com")
        return real(raw)

    monkeypatch.setattr(keys, "lookup", lookup)
    return load_function("campaigns")


def create(fn, body, as_="sk_test_unit"):
    return call(fn, "POST", "/v1/campaigns", "/v1/campaigns", body, key=as_)


def patch(fn, campaign_id, body, as_):
    return call(fn, "PATCH", f"/v1/campaigns/{campaign_id}", "/v1/campaigns/{campaign_id}", body, key=as_)


def issue(fn, campaign_id, body, as_="sk_test_as_support"):
    return call(fn, "POST", f"/v1/campaigns/{campaign_id}/codes", "/v1/campaigns/{campaign_id}/codes", body, key=as_)


def test_the_field_defaults_to_false_and_is_stored_returned_and_merge_patched(fn):
    campaign = create(fn, DISCOUNT).body
    assert campaign["open_to_support"] is False
    opened = patch(fn, campaign["id"], {"open_to_support": True}, "sk_test_unit")
    assert opened.status == 200 and opened.body["open_to_support"] is True
    read = call(fn, "GET", f"/v1/campaigns/{campaign['id']}", "/v1/campaigns/{campaign_id}")
    assert read.body["open_to_support"] is True
    cleared = patch(fn, campaign["id"], {"open_to_support": None}, "sk_test_unit")
    assert cleared.body["open_to_support"] is False


def test_only_an_owner_or_a_key_opens_a_campaign_to_support(fn):
    refused = create(fn, DISCOUNT | {"open_to_support": True}, "sk_test_as_marketer")
    assert refused.status == 403 and refused.body["error"]["code"] == "forbidden_role"
    assert refused.body["error"]["details"]["role"] == "marketer"
    closed = create(fn, DISCOUNT, "sk_test_as_marketer").body
    assert patch(fn, closed["id"], {"open_to_support": True}, "sk_test_as_marketer").status == 403
    assert patch(fn, closed["id"], {"open_to_support": False, "name": "Kept"}, "sk_test_as_marketer").status == 200
    assert patch(fn, closed["id"], {"open_to_support": True}, "sk_test_as_owner").status == 200
    # a form sending the field back unchanged is not opening anything
    assert patch(fn, closed["id"], {"open_to_support": True, "name": "Again"}, "sk_test_as_marketer").status == 200
    assert patch(fn, closed["id"], {"open_to_support": False}, "sk_test_as_marketer").status == 403
    assert create(fn, DISCOUNT | {"open_to_support": True}, "sk_test_as_owner").status == 201


def test_support_issues_one_customer_bound_code_from_an_open_campaign_only(fn):
    open_ = create(fn, DISCOUNT | {"open_to_support": True}).body["id"]
    closed = create(fn, DISCOUNT).body["id"]

    issued = issue(fn, open_, {"customer_id": "cus_1"})
    assert issued.status == 201, issued.body
    assert issued.body["codes"][0]["customer_id"] == "cus_1"

    for campaign_id, body in [
        (closed, {"customer_id": "cus_1"}),
        (open_, {"code": "PUBLIC10"}),
        (open_, {"customer_id": "cus_1", "code": "SUMMER25"}),  # codes are global: support may not pick a name
        (open_, {"customer_id": "cus_1", "prefix": "VIP-"}),
        (open_, {"count": 5}),
        (open_, {}),
    ]:
        refused = issue(fn, campaign_id, body)
        assert refused.status == 403, (campaign_id, body, refused.body)
        assert refused.body["error"]["code"] == "forbidden_role"
    assert issue(fn, closed, {"customer_id": "cus_1"}, "sk_test_as_marketer").status == 201
    assert issue(fn, closed, {"count": 5}, "sk_test_unit").status == 201


def test_the_service_decides_with_the_role_it_is_given(aws):
    from passaparola.campaigns import service
    from passaparola.campaigns.models import CampaignPatch, CreateCodesRequest, DiscountCampaignCreate
    from passaparola.coupons import service as coupons
    from passaparola.errors import ForbiddenRole

    body = DiscountCampaignCreate.model_validate(DISCOUNT | {"open_to_support": True})
    with pytest.raises(ForbiddenRole):
        service.create(body, role="support")
    campaign = service.create(body, role=None)
    with pytest.raises(ForbiddenRole):
        service.update(campaign.id, CampaignPatch(open_to_support=False), role="marketer")
    assert service.update(campaign.id, CampaignPatch(open_to_support=False), role="owner").open_to_support is False
    with pytest.raises(ForbiddenRole):
        coupons.create_codes(campaign.id, CreateCodesRequest(customer_id="cus_1"), role="support")
