"""The audit log: what the middleware records after a successful administrative change, and what it never does."""

import json
from types import ModuleType
from typing import Any

import pytest

from infra.local.invoke import Reply, api_event
from infra.local.invoke import call as invoke
from passaparola.api.keys import Principal, hash_key
from passaparola.audit import service
from passaparola.audit.models import AuditActor
from passaparola.audit.routes import AUDITED, Call, Target
from tests.unit.campaigns.test_campaigns import SPRING
from tests.unit.functions import PUBLISHABLE, SECRET, load_function

KEY_ID = hash_key(SECRET)[:16]
_clock = {"ms": 1_796_000_000_000}


def send(module: ModuleType, method: str, path: str, resource: str, body: Any = None, **headers: str) -> Reply:
    """A request as the gateway sends it, each one a second after the last (the entry's time is the arrival)."""
    event = api_event(method, path, resource, body, {"Authorization": f"Bearer {SECRET}", **headers})
    _clock["ms"] += 1000
    event["requestContext"]["requestTimeEpoch"] = _clock["ms"]
    return invoke(module, event)


def audit_log(audit_fn: ModuleType, **query: str) -> dict[str, Any]:
    event = api_event("GET", "/v1/audit", "/v1/audit", None, {"Authorization": f"Bearer {SECRET}"}, query)
    reply = invoke(audit_fn, event)
    assert reply.status == 200, reply.body
    return reply.body  # type: ignore[no-any-return]


@pytest.fixture
def fns(aws: None) -> dict[str, ModuleType]:
    return {name: load_function(name) for name in ("audit", "campaigns", "customers", "segments")}


def new_campaign(campaigns_fn: ModuleType) -> dict[str, Any]:
    reply = send(campaigns_fn, "POST", "/v1/campaigns", "/v1/campaigns", SPRING)
    assert reply.status == 201, reply.body
    return reply.body  # type: ignore[no-any-return]


def test_a_campaign_edit_is_recorded_with_who_when_before_and_after(fns):
    campaign = new_campaign(fns["campaigns"])
    cid = campaign["id"]
    reply = send(fns["campaigns"], "PATCH", f"/v1/campaigns/{cid}", "/v1/campaigns/{campaign_id}", {"name": "Summer"})
    assert reply.status == 200

    updated, created = audit_log(fns["audit"])["items"]
    assert updated["action"] == "campaign.updated"
    assert updated["actor"] == {"type": "key", "id": KEY_ID, "email": None, "role": None}
    assert updated["target"] == {"type": "campaign", "id": cid}
    assert updated["before"]["name"] == "Spring" and updated["after"]["name"] == "Summer"
    assert updated["before"]["version"] == 1 and updated["after"]["version"] == 2
    assert updated["id"] == updated["request_id"] and updated["truncated"] is False
    assert updated["at"] > created["at"]
    assert created["action"] == "campaign.created" and created["before"] is None and created["after"]["id"] == cid


def test_switches_record_the_status_before_and_after(fns):
    cid = new_campaign(fns["campaigns"])["id"]
    for action in ("disable", "disable", "enable"):
        path = f"/v1/campaigns/{cid}/{action}"
        assert send(fns["campaigns"], "POST", path, "/v1/campaigns/{campaign_id}/" + action).status == 200
    enabled, disabled_again, disabled = audit_log(fns["audit"], limit="3")["items"]
    assert (disabled["action"], disabled["before"], disabled["after"]) == (
        "campaign.disabled",
        {"enabled": True},
        {"enabled": False},
    )
    assert (disabled_again["before"], disabled_again["after"]) == ({"enabled": False}, {"enabled": False})
    assert (enabled["action"], enabled["before"], enabled["after"]) == (
        "campaign.enabled",
        {"enabled": False},
        {"enabled": True},
    )


def test_a_refused_change_records_nothing(fns):
    cid = new_campaign(fns["campaigns"])["id"]
    patch = "/v1/campaigns/{campaign_id}"
    assert send(fns["campaigns"], "PATCH", "/v1/campaigns/cmp_nope", patch, {"name": "x"}).status == 404
    assert send(fns["campaigns"], "PATCH", f"/v1/campaigns/{cid}", patch, {"name": ""}).status == 400
    codes = "/v1/campaigns/{campaign_id}/codes"
    assert send(fns["campaigns"], "POST", f"/v1/campaigns/{cid}/codes", codes, {"count": 0}).status == 400
    assert [e["action"] for e in audit_log(fns["audit"])["items"]] == ["campaign.created"]


def test_a_retried_invocation_records_once(fns):
    cid = new_campaign(fns["campaigns"])["id"]
    event = api_event(
        "POST", f"/v1/campaigns/{cid}/disable", "/v1/campaigns/{campaign_id}/disable", None,
        {"Authorization": f"Bearer {SECRET}"},
    )  # fmt: skip
    assert invoke(fns["campaigns"], event).status == 200
    assert invoke(fns["campaigns"], event).status == 200  # the same event again: Lambda retried it
    actions = [e["action"] for e in audit_log(fns["audit"])["items"]]
    assert actions == ["campaign.disabled", "campaign.created"]


def test_an_idempotent_replay_records_nothing_more(fns):
    cid = new_campaign(fns["campaigns"])["id"]
    path, resource = f"/v1/campaigns/{cid}", "/v1/campaigns/{campaign_id}"
    first = send(fns["campaigns"], "PATCH", path, resource, {"name": "Once"}, **{"Idempotency-Key": "edit-1"})
    again = send(fns["campaigns"], "PATCH", path, resource, {"name": "Once"}, **{"Idempotency-Key": "edit-1"})
    assert first.status == again.status == 200 and again.headers["Idempotent-Replayed"] == "true"
    actions = [e["action"] for e in audit_log(fns["audit"])["items"]]
    assert actions == ["campaign.updated", "campaign.created"]


def test_codes_issued_name_the_code_and_its_customer(fns):
    cid = new_campaign(fns["campaigns"])["id"]
    resource = "/v1/campaigns/{campaign_id}/codes"
    one = send(fns["campaigns"], "POST", f"/v1/campaigns/{cid}/codes", resource, {"customer_id": "cus-7"})
    assert one.status == 201, one.body
    assert send(fns["campaigns"], "POST", f"/v1/campaigns/{cid}/codes", resource, {"count": 3}).status == 201
    many, single, _ = audit_log(fns["audit"])["items"]
    code = one.body["codes"][0]["code"]
    assert single["action"] == "code.issued" and single["target"] == {"type": "code", "id": code}
    assert single["after"]["customer_id"] == "cus-7" and single["after"]["campaign_id"] == cid
    assert many["action"] == "codes.issued" and many["target"] == {"type": "campaign", "id": cid}
    assert many["after"]["count"] == 3 and len(many["after"]["codes"]) == 3


def test_an_erasure_is_recorded_without_personal_data(fns):
    profile = {"email": "anna.rossi@example.com", "name": "Anna Rossi", "phone": "+393331234567"}
    customer = "/v1/customers/{customer_id}"
    assert send(fns["customers"], "PUT", "/v1/customers/anna", customer, profile).status == 201
    assert send(fns["customers"], "DELETE", "/v1/customers/anna", customer).status == 200
    (erased,) = audit_log(fns["audit"])["items"]
    assert erased["action"] == "customer.erased" and erased["target"] == {"type": "customer", "id": "anna"}
    assert erased["before"] is None and erased["after"] is None
    text = json.dumps(erased).lower()
    assert not any(word in text for word in ("anna.rossi", "rossi", "3331234567", "example.com"))


def test_segments_and_engagement_settings(fns):
    body = {"name": "loyal_few", "conditions": [{"field": "order_count", "op": "gte", "value": 3}]}
    assert send(fns["segments"], "POST", "/v1/segments", "/v1/segments", body).status == 201
    assert send(fns["segments"], "DELETE", "/v1/segments/loyal_few", "/v1/segments/{name}").status == 200
    config = send(fns["customers"], "GET", "/v1/engagement", "/v1/engagement").body
    changed = config | {"half_life_days": config["half_life_days"] + 1}
    assert send(fns["customers"], "PUT", "/v1/engagement", "/v1/engagement", changed).status == 200
    engagement, deleted, created = audit_log(fns["audit"])["items"]
    assert created["action"] == "segment.created" and created["target"] == {"type": "segment", "id": "loyal_few"}
    assert deleted["action"] == "segment.deleted" and deleted["target"]["id"] == "loyal_few"
    assert engagement["action"] == "engagement.updated"
    assert engagement["before"]["half_life_days"] + 1 == engagement["after"]["half_life_days"]


def test_the_log_pages_newest_first_with_a_cursor(fns):
    cid = new_campaign(fns["campaigns"])["id"]
    for n in range(4):
        path = f"/v1/campaigns/{cid}"
        assert send(fns["campaigns"], "PATCH", path, "/v1/campaigns/{campaign_id}", {"name": f"n{n}"}).status == 200
    seen, cursor = [], None
    while True:
        page = audit_log(fns["audit"], limit="2", **({"cursor": cursor} if cursor else {}))
        seen += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert [e["after"]["name"] for e in seen] == ["n3", "n2", "n1", "n0", "Spring"]
    assert [e["at"] for e in seen] == sorted((e["at"] for e in seen), reverse=True)
    event = api_event("GET", "/v1/audit", "/v1/audit", None, {"Authorization": f"Bearer {SECRET}"}, {"cursor": "x"})
    assert invoke(fns["audit"], event).status == 400


def test_the_log_needs_the_secret_key(fns):
    event = api_event("GET", "/v1/audit", "/v1/audit", None, {"X-Publishable-Key": PUBLISHABLE})
    assert invoke(fns["audit"], event).status == 403
    assert invoke(fns["audit"], api_event("GET", "/v1/audit", "/v1/audit")).status == 401


def test_a_failed_audit_write_keeps_the_change_and_is_logged_and_counted(fns, monkeypatch, caplog):
    from passaparola.api import audit as middleware
    from passaparola.data import audit as store

    def unavailable(entry: Any) -> bool:
        raise RuntimeError("audit table unavailable")

    counted: list[str] = []
    monkeypatch.setattr(store, "put", unavailable)
    monkeypatch.setattr(middleware.metrics, "add_metric", lambda name, **_: counted.append(name))
    reply = send(fns["campaigns"], "POST", "/v1/campaigns", "/v1/campaigns", SPRING)
    assert reply.status == 201 and reply.body["name"] == "Spring"
    assert counted.count("AuditWriteFailed") == 1
    assert [r.levelname for r in caplog.records if r.getMessage() == "audit entry not written"] == ["ERROR"]


def test_large_states_are_bounded_and_flagged(aws):
    big = {"id": "cmp_1", "name": "Big", "messages": "x" * 50_000, "rules": {"notes": "y" * 20_000}}
    kept, cut = service.bounded(big)
    assert cut and kept == {"id": "cmp_1", "name": "Big", "rules": big["rules"]}
    assert service.bounded("z" * 40_000) == (None, True)
    assert service.bounded({"small": 1}) == ({"small": 1}, False)
    actor, target = AuditActor(type="key", id="k1"), Target(type="campaign", id="cmp_1")
    assert service.record("req-1", "2026-12-07T06:00:00.000Z", actor, "campaign.updated", target, {"a": 1}, big)
    assert not service.record("req-1", "2026-12-07T06:00:00.000Z", actor, "campaign.updated", target, {"a": 1}, big)
    (entry,) = service.list_page(10, None).items
    assert entry.truncated and entry.before == {"a": 1} and "messages" not in entry.after
    assert len(json.dumps(entry.after)) <= service.AUDIT_MAX_BYTES


def test_keys_and_users_record_only_their_chosen_fields():
    created = AUDITED["POST /v1/keys"].describe(
        Call(
            {},
            {"kind": "secret", "name": "ci"},
            {"key": "sk_live_SECRET", "prefix": "sk_live_abc", "kind": "secret", "name": "ci"},
        )
    )
    assert created.action == "key.created" and created.target.id == "sk_live_abc"
    assert "SECRET" not in json.dumps(created.after)
    user = AUDITED["POST /v1/console/users"].describe(
        Call({}, {}, {"email": "m@example.com", "role": "marketer", "enabled": True, "temporary_password": "pw"})
    )
    assert user.after == {"email": "m@example.com", "role": "marketer", "enabled": True}
    points = AUDITED["POST /v1/customers/{customer_id}/points/adjustments"].describe(
        Call({"customer_id": "anna"}, {"points": -50, "reason": "goodwill"}, {"balance": 150})
    )
    assert (points.action, points.before, points.after) == (
        "points.adjusted",
        {"balance": 200},
        {"balance": 150, "points": -50, "reason": "goodwill"},
    )


def test_a_console_user_is_the_actor():
    from passaparola.api.audit import actor

    user = Principal(kind="user", key_id="u_1234", role="owner", email="owner@example.com")
    assert actor(user).model_dump() == {"type": "user", "id": "u_1234", "email": "owner@example.com", "role": "owner"}
    assert actor(Principal(kind="secret", key_id="abcd")).model_dump(exclude_none=True) == {"type": "key", "id": "abcd"}


def test_token_revocation_and_reviews_name_their_target(fns):
    loyalty_fn = load_function("loyalty")
    assert (
        send(fns["customers"], "PUT", "/v1/customers/bea", "/v1/customers/{customer_id}", {"name": "Bea"}).status == 201
    )
    revoke = "/v1/customers/{customer_id}/tokens/revoke"
    assert send(loyalty_fn, "POST", "/v1/customers/bea/tokens/revoke", revoke).status == 200
    (revoked,) = audit_log(fns["audit"])["items"]
    assert revoked["action"] == "tokens.revoked" and revoked["target"] == {"type": "customer", "id": "bea"}
    assert revoked["after"] == {"token_epoch": 1}
    approved = AUDITED["POST /v1/referrals/conversions/{conversion_id}/approve"].describe(
        Call(
            {"conversion_id": "cnv_1"}, None, {"id": "cnv_1", "status": "accepted", "campaign_id": "cmp_r", "amount": 5}
        )
    )
    assert (approved.action, approved.target, approved.after) == (
        "conversion.approved",
        Target(type="conversion", id="cnv_1"),
        {"status": "accepted", "campaign_id": "cmp_r"},
    )


def test_a_console_user_calling_a_checkout_route_is_recorded_the_shops_backend_is_not(fns, monkeypatch):
    """A person writing a profile by hand is a change made by a person (route.called, no body); the backend's
    same call is checkout traffic, recorded in its own records only; a preview changes nothing."""
    from passaparola.api import console_tokens

    def verify(raw: str) -> console_tokens.ConsoleUser:
        return console_tokens.ConsoleUser(sub="sub-marketer-1234567", email="m@example.com", role="marketer")

    monkeypatch.setattr(console_tokens, "verify", verify)
    customers_fn = load_function("customers")
    route = "/v1/customers/{customer_id}"
    body = {"email": "bea@example.com"}
    assert send(customers_fn, "PUT", "/v1/customers/bea", route, body).status in (200, 201)
    by_hand = send(customers_fn, "PUT", "/v1/customers/bea", route, body, Authorization="Bearer aaa.bbb.ccc")
    assert by_hand.status in (200, 201), by_hand.body
    (entry,) = audit_log(fns["audit"])["items"]
    assert entry["action"] == "route.called" and entry["target"] == {"type": "route", "id": f"PUT {route}"}
    assert entry["actor"]["email"] == "m@example.com" and entry["after"] == {"params": {"customer_id": "bea"}}
    assert "bea@example.com" not in json.dumps(entry)
