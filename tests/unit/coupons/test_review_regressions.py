"""Regressions found in review: contention, type changes, cursors, stacked coupons, replayed refusals."""

import base64
import json

import pytest
from botocore.exceptions import ClientError
from pynamodb.exceptions import UpdateError

from passaparola.data import transactions
from passaparola.errors import Conflict
from tests.unit.coupons.test_redemptions import make_campaign, make_code, redeem
from tests.unit.functions import call


def conflict() -> UpdateError:
    cause = ClientError({"Error": {"Code": "TransactionConflictException", "Message": "busy"}}, "UpdateItem")
    return UpdateError("busy", cause=cause)


def test_contention_is_retried_and_only_reported_as_409_when_it_never_clears(monkeypatch):
    monkeypatch.setattr(transactions.time, "sleep", lambda _: None)
    attempts = []

    def busy_twice() -> str:
        attempts.append(1)
        if len(attempts) < 3:
            raise conflict()
        return "done"

    assert transactions.retrying(busy_twice) == "done" and len(attempts) == 3

    def always_busy() -> None:
        raise conflict()

    with pytest.raises(Conflict):
        transactions.retrying(always_busy)


def test_the_switch_under_contention_is_a_409_not_a_404(campaigns_fn, monkeypatch):
    from pynamodb.models import Model

    campaign_id = make_campaign(campaigns_fn)
    monkeypatch.setattr(transactions.time, "sleep", lambda _: None)
    monkeypatch.setattr(Model, "update", lambda *a, **k: (_ for _ in ()).throw(conflict()))

    reply = call(campaigns_fn, "POST", f"/v1/campaigns/{campaign_id}/disable", "/v1/campaigns/{campaign_id}/disable")

    assert reply.status == 409 and reply.body["error"]["code"] == "conflict"


def test_a_discount_cannot_become_or_stop_being_a_gift_card(campaigns_fn):
    campaign_id = make_campaign(campaigns_fn)
    reply = call(
        campaigns_fn,
        "PATCH",
        f"/v1/campaigns/{campaign_id}",
        "/v1/campaigns/{campaign_id}",
        {"discount": {"type": "gift_card", "balance": 1000}},
    )
    assert reply.status == 422 and reply.body["error"]["code"] == "discount_type_locked"


@pytest.mark.parametrize("payload", [{"x": 1}, {"id": {"N": "1"}}, {"code": {"S": "A"}}, ["id"], "junk"])
def test_a_tampered_cursor_is_a_400(campaigns_fn, payload):
    cursor = base64.urlsafe_b64encode(json.dumps(payload).encode()).decode()
    reply = call(campaigns_fn, "GET", "/v1/campaigns", "/v1/campaigns", query={"cursor": cursor})
    assert reply.status == 400 and reply.body["error"]["details"]["field"] == "cursor"


def test_a_codes_cursor_from_another_campaign_is_a_400(campaigns_fn):
    first, second = make_campaign(campaigns_fn), make_campaign(campaigns_fn)
    for _ in range(3):
        make_code(campaigns_fn, first)
    page = call(
        campaigns_fn, "GET", f"/v1/campaigns/{first}/codes", "/v1/campaigns/{campaign_id}/codes", query={"limit": "1"}
    ).body
    reply = call(
        campaigns_fn,
        "GET",
        f"/v1/campaigns/{second}/codes",
        "/v1/campaigns/{campaign_id}/codes",
        query={"cursor": page["next_cursor"]},
    )
    assert reply.status == 400


def test_two_coupons_on_a_new_customers_first_order_are_both_welcome(coupons_fn, campaigns_fn):
    shipping = make_code(campaigns_fn, make_campaign(campaigns_fn))
    welcome = make_campaign(campaigns_fn, new_customers_only=True)

    assert redeem(coupons_fn, shipping, "first", "newbie").status == 201
    assert redeem(coupons_fn, make_code(campaigns_fn, welcome), "first", "newbie").status == 201
    later = redeem(coupons_fn, make_code(campaigns_fn, welcome), "second", "newbie")
    assert later.status == 422 and later.body["error"]["code"] == "not_new_customer"


def test_a_refusal_is_replayed_for_the_same_idempotency_key(coupons_fn, campaigns_fn):
    campaign_id = make_campaign(campaigns_fn, max_redemptions=1)
    code = make_code(campaigns_fn, campaign_id)
    taken = redeem(coupons_fn, code, "o-1")
    refused = redeem(coupons_fn, code, "o-2", headers={"Idempotency-Key": "k-2"})
    call(coupons_fn, "POST", f"/v1/redemptions/{taken.body['id']}/rollback", "/v1/redemptions/{redemption_id}/rollback")

    replay = redeem(coupons_fn, code, "o-2", headers={"Idempotency-Key": "k-2"})

    assert refused.status == replay.status == 422 and replay.body == refused.body
    assert replay.headers.get("Idempotent-Replayed") == "true"


def test_an_oversized_path_id_is_a_400(campaigns_fn, coupons_fn):
    long_id = "c" * 3000
    assert call(campaigns_fn, "GET", f"/v1/campaigns/{long_id}", "/v1/campaigns/{campaign_id}").status == 400
    assert call(coupons_fn, "GET", f"/v1/redemptions/{long_id}", "/v1/redemptions/{redemption_id}").status == 400
