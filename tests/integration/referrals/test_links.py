"""Links, redirects and storefront tracking: POST /v1/referrals, GET /r/{code}, POST /v1/referrals/track."""

import pytest
from api import assert_error, uid, wait_until

from referrals import assert_blocked, in_parallel, new_email, origin_of, query_of

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def shop():
    """A shop of its own (not the default SHOP_URL): its home is this landing URL's origin."""
    return f"https://store-{uid().lower()}.example"


@pytest.fixture(scope="module")
def program(rf, shop):
    return rf.create_program(
        landing_url=f"{shop}/welcome?lang=en",
        utm={"utm_source": "friends", "utm_campaign": "spring"},
        fraud={"max_conversions_per_ip": 1000, "max_conversions_per_hour": 1000},
    )


# -- links ---------------------------------------------------------------------------------------------


def test_a_customer_has_one_code_per_program(rf, program):
    # Given a customer without a link
    customer = uid("ref-")
    # When she asks for a link, then 201 with a new code
    first = rf.create_link(program["id"], customer, name="Zoë Martin")
    assert first.status_code == 201, first.text
    code = first.json()["code"]
    assert code.startswith("ZOE-"), code
    # When she asks again (even with another name), then 200 and the same code
    second = rf.create_link(program["id"], customer, name="Someone Else")
    assert second.status_code == 200, second.text
    assert second.json()["code"] == code
    # And another customer gets another code
    other = rf.create_link(program["id"], uid("ref-"), name="Zoë Martin")
    assert other.status_code == 201, other.text
    assert other.json()["code"] != code


def test_the_same_customer_has_a_code_per_program(rf, program):
    customer = uid("ref-")
    other_program = rf.create_program()
    a = rf.link(program["id"], customer)
    b = rf.link(other_program["id"], customer)
    assert a["code"] != b["code"]
    assert (a["campaign_id"], b["campaign_id"]) == (program["id"], other_program["id"])


def test_a_link_for_an_unknown_campaign_is_404(rf):
    assert_error(rf.create_link(f"cmp_{uid().lower()}"), 404, "not_found")


def test_a_link_for_a_discount_campaign_is_refused(rf):
    discount = rf.create_campaign()
    assert_error(rf.create_link(discount["id"]), 422, "campaign_type_mismatch")


def test_an_unknown_referral_is_404(rf):
    assert_error(rf.get(f"/v1/referrals/NOPE-{uid()}"), 404, "not_found")


def test_a_referral_is_read_by_its_code_in_any_case(rf, program):
    code = rf.link(program["id"])["code"]
    assert rf.referral(code.lower())["code"] == code


# -- redirects -----------------------------------------------------------------------------------------


def test_the_share_link_redirects_to_the_landing_url_with_ref_and_utm_and_counts_the_click(rf, program, shop):
    # Given a link
    link = rf.link(program["id"])
    code = link["code"]
    # When the share URL is opened without any key
    r = rf.follow(link["share_url"])
    # Then 302 to the landing URL, its own query kept, plus ref and the program's utm (utm_campaign set by it)
    assert r.status_code == 302, r.text
    location = r.headers["Location"]
    assert location.startswith(f"{shop}/welcome?"), location
    assert query_of(location) == {
        "lang": ["en"],
        "ref": [code],
        "utm_source": ["friends"],
        "utm_campaign": ["spring"],
    }, location
    assert "no-store" in r.headers.get("Cache-Control", ""), r.headers
    # And the click is counted
    assert rf.counts(code)["clicks"] == 1


def test_the_share_link_code_is_case_insensitive(rf, program):
    code = rf.link(program["id"])["code"]
    r = rf.follow(code.lower())
    assert r.status_code == 302, r.text
    assert query_of(r.headers["Location"])["ref"] == [code]
    assert rf.counts(code)["clicks"] == 1


def test_an_unknown_code_redirects_home_without_ref(rf):
    r = rf.follow(f"NOPE-{uid()}")
    assert r.status_code == 302, r.text
    location = r.headers["Location"]
    assert location.startswith(("http://", "https://")), location
    assert "ref=" not in location, location
    assert "no-store" in r.headers.get("Cache-Control", ""), r.headers


def test_concurrent_clicks_are_all_counted(rf, program):
    code = rf.link(program["id"])["code"]
    statuses = in_parallel(lambda _: rf.follow(code).status_code, range(20))
    assert statuses == [302] * 20
    assert rf.counts(code)["clicks"] == 20


def test_the_qr_code_of_a_link_is_an_svg(rf, program):
    link = rf.link(program["id"])
    r = rf.session.get(f"{rf.url}/r/{link['code']}/qr", timeout=30)
    assert r.status_code == 200, r.text[:500]
    assert r.headers["Content-Type"].startswith("image/svg+xml"), r.headers
    assert "<svg" in r.text
    r = rf.session.get(f"{rf.url}/r/NOPE-{uid()}/qr", timeout=30)
    assert r.status_code == 404, r.text[:500]


# -- tracking ------------------------------------------------------------------------------------------


def test_visits_and_signups_are_tracked_with_the_publishable_or_the_secret_key(rf, program):
    code = rf.link(program["id"])["code"]
    for key in ("publishable", "secret"):
        r = rf.track("visit", code.lower(), key=key, visitor_id=uid("v"))
        assert r.status_code == 202, r.text
        assert r.json() == {"type": "visit", "ref": code, "campaign_id": program["id"]}
    r = rf.track("signup", code, email=new_email())
    assert r.status_code == 202, r.text
    r = rf.track("signup", code, customer_id=uid("friend-"))
    assert r.status_code == 202, r.text
    counts = rf.counts(code)
    assert (counts["visits"], counts["signups"], counts["clicks"]) == (2, 2, 0), counts


def test_tracking_an_unknown_code_is_404(rf):
    assert_error(rf.track("visit", f"NOPE-{uid()}"), 404, "not_found")


def test_a_signup_needs_an_email_or_a_customer_id(rf, program):
    code = rf.link(program["id"])["code"]
    assert_error(rf.track("signup", code), 400, "invalid_request")
    assert rf.counts(code)["signups"] == 0


# -- the one-click switch --------------------------------------------------------------------------------


def test_a_disabled_program_redirects_home_refuses_tracking_and_converts_nothing(rf, shop):
    # Given a program with a link, then switched off
    program = rf.create_program(landing_url=f"{shop}/promo/friends?x=1")
    link = rf.link(program["id"])
    code = link["code"]
    rf.set_enabled(program["id"], False)

    # When the link is opened, then 302 to the shop's home (the landing URL's origin) without ref
    # (a hot path may serve the program it read a few seconds ago: wait for the switch to reach it)
    wait_until(lambda: "ref=" not in rf.follow(code).headers["Location"], timeout=15, interval=0.5)
    r = rf.follow(code)
    assert r.status_code == 302, r.text
    location = r.headers["Location"]
    assert origin_of(location) == shop, location
    assert location.rstrip("/") == shop, location
    assert "ref=" not in location

    # And tracking is refused
    wait_until(lambda: rf.track("visit", code).status_code != 202, timeout=15, interval=0.5)
    assert_error(rf.track("visit", code), 422, "campaign_disabled")
    # And a new link is refused
    assert_error(rf.create_link(program["id"]), 422, "campaign_disabled")
    # And an order with the code converts nothing
    outcome = rf.refer(code)
    assert_blocked(outcome, "campaign_disabled")
    counts = rf.counts(code)
    assert (counts["conversions"], counts["blocked"]) == (0, 1), counts

    # When it is switched on again, then (within the seconds a hot path may cache the program) the link
    # leads to the landing URL with ref again, and tracking works
    rf.set_enabled(program["id"], True)
    wait_until(lambda: "ref" in query_of(rf.follow(code).headers["Location"]), timeout=15, interval=0.5)
    assert query_of(rf.follow(code).headers["Location"])["ref"] == [code]
    wait_until(lambda: rf.track("visit", code).status_code == 202, timeout=15, interval=0.5)
