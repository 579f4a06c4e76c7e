"""The audit log over HTTP: a campaign edit with the secret key shows up in GET /v1/audit, newest first."""

import pytest
from api import Api, assert_error

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def api(stack):
    return Api(stack)


def newest(api: Api, target_id: str, wanted: int) -> list[dict]:
    """The newest entries about `target_id`, read one per page (the log is shared by the whole session)."""
    found: list[dict] = []
    cursor = None
    for _ in range(50):
        r = api.get("/v1/audit", params={"limit": 1, **({"cursor": cursor} if cursor else {})})
        assert r.status_code == 200, r.text
        page = r.json()
        found += [e for e in page["items"] if e["target"]["id"] == target_id]
        cursor = page["next_cursor"]
        if len(found) >= wanted or not cursor:
            break
    return found


def test_a_campaign_edit_is_in_the_audit_log_with_before_and_after(api):
    campaign = api.create_campaign(name="Audit spring")
    cid = campaign["id"]
    assert api.patch(f"/v1/campaigns/{cid}", json={"name": "Audit summer"}).status_code == 200
    assert api.post(f"/v1/campaigns/{cid}/disable").status_code == 200

    # refused changes record nothing
    assert_error(api.patch(f"/v1/campaigns/{cid}", json={"name": ""}), 400, "invalid_request")
    assert_error(api.post("/v1/campaigns/cmp_missing_audit/disable"), 404, "not_found")

    disabled, updated, created = newest(api, cid, 3)
    assert [e["action"] for e in (disabled, updated, created)] == [
        "campaign.disabled",
        "campaign.updated",
        "campaign.created",
    ]
    assert disabled["at"] >= updated["at"] >= created["at"]
    assert (disabled["before"], disabled["after"]) == ({"enabled": True}, {"enabled": False})
    assert updated["before"]["name"] == "Audit spring" and updated["after"]["name"] == "Audit summer"
    assert updated["actor"]["type"] == "key" and updated["actor"]["id"]
    assert updated["target"] == {"type": "campaign", "id": cid}
    assert updated["request_id"] == updated["id"]
    # the newest entry of the whole log is this campaign's switch: the 4xx calls after it left nothing
    top = api.get("/v1/audit", params={"limit": 1}).json()["items"][0]
    assert top["id"] == disabled["id"]


def test_the_audit_log_is_for_the_secret_key(api):
    assert_error(api.get("/v1/audit", key="publishable"), 403, "forbidden")
    assert_error(api.get("/v1/audit", params={"cursor": "not-a-cursor"}), 400, "invalid_request")
