"""Cases found in review: shared reward issuers, ids that could collide, templates and fields that could break."""

from referrals import Referrals, days_ago, new_email, program_body, uid


def test_a_tier_with_the_same_credit_as_the_referrer_reward_is_released_with_it(rf: Referrals) -> None:
    # Given a program whose tier at 1 referral pays the same credit as the referrer reward (one issuing campaign)
    credit = {"type": "credit", "amount": 1000, "currency": "EUR"}
    program = rf.create_program(referrer_reward=credit, tiers=[{"referrals": 1, "reward": credit}])
    assert program["tiers"][0]["reward"]["campaign_id"] == program["referrer_reward"]["campaign_id"]
    referrer = uid("ref-")
    code = rf.link(program["id"], referrer)["code"]
    rf.refer(code, created_at=days_ago(15))
    # When the job runs
    rf.release()
    # Then both credits are released, each with its own gift-card code
    released = [r for r in rf.rewards(referrer) if r["status"] == "released"]
    assert sorted(r["role"] for r in released) == ["referrer", "tier"]
    assert len({r["coupon_code"] for r in released}) == 2


def test_ids_with_the_key_separator_are_refused(rf: Referrals) -> None:
    r = rf.place_order(order_id="event#E1")
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_request"


def test_a_malformed_coupon_code_on_an_order_is_a_400_not_a_500(rf: Referrals) -> None:
    r = rf.place_order(coupon_code="ä ö")
    assert r.status_code == 400


def test_a_template_failing_at_render_time_is_refused(rf: Referrals) -> None:
    body = program_body(share={"social_text": "{{ 1/0 }}"})
    r = rf.post("/v1/campaigns", json=body)
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_request"


def test_a_template_failing_for_one_referrer_falls_back_to_the_default_texts(rf: Referrals) -> None:
    program = rf.create_program(share={"email_subject": "{{ 100 // (name|length - 5) }}"})
    r = rf.create_link(program["id"], uid("c-"), name="Bobby")
    assert r.status_code == 201 and "Bobby invites you" in r.json()["share"]["email_subject"]


def test_utm_may_not_override_ref(rf: Referrals) -> None:
    r = rf.post("/v1/campaigns", json=program_body(utm={"ref": "HIJACK"}))
    assert r.status_code == 400


def test_first_orders_are_not_custom_events(rf: Referrals) -> None:
    r = rf.event(event="first_order", customer_id=uid("c-"), email=new_email())
    assert r.status_code == 400
