"""Engagement events: idempotent on their id, each adding its weight to a score that halves every 90 days.

Default weights: order 10, email_opened 1, email_clicked 2, site_visit 1 (x min(duration/300 s, 1), half
without a duration), nps_answer 5 x score/10, review 8 x rating/5, social_follow 5, social_share 6,
profile_completed 3, custom 1.
"""

import pytest
from api import assert_error, uid

from loyalty import cid, parse_ts

pytestmark = pytest.mark.integration


def test_an_event_sent_twice_answers_the_first_outcome_and_counts_once(lo, program, clock):
    shopper, event_id = cid(), uid("evt_")
    # When the shop reports a review
    first = lo.send_event(shopper, "review", event_id=event_id, rating=5)
    assert first.status_code == 201, first.text
    outcome = first.json()
    assert (outcome["id"], outcome["customer_id"], outcome["type"]) == (event_id, shopper, "review")
    assert outcome["points"] == 50 and outcome["engagement_score"] >= 8.0
    assert parse_ts(outcome["occurred_at"]) == clock.now
    # When it reports it again (a retry), even later, even with another body
    clock.advance(minutes=5)
    again = lo.send_event(shopper, "review", event_id=event_id, rating=5)
    assert again.status_code == 200 and again.json() == outcome
    changed = lo.send_event(shopper, "review", event_id=event_id, rating=1)
    assert changed.status_code == 200 and changed.json() == outcome
    # Then the points and the signal were counted once
    assert lo.moves(shopper) == [("earn", 50, 50)]
    facts = lo.customer(shopper)["facts"]
    assert facts["signals"]["review"] == 1
    assert facts["engagement_score"] == pytest.approx(outcome["engagement_score"], abs=0.01)


def test_concurrent_replays_of_one_event_count_once(lo, program):
    from loyalty import in_parallel

    shopper, event_id = cid(), uid("evt_")
    responses = in_parallel(lambda _: lo.send_event(shopper, "nps_answer", event_id=event_id, score=10), range(10))
    assert sorted(r.status_code for r in responses) == [200] * 9 + [201], [r.text for r in responses]
    assert len({r.text for r in responses}) == 1
    assert lo.moves(shopper) == [("earn", 20, 20)]
    assert lo.customer(shopper)["facts"]["signals"]["nps_answer"] == 1


def test_the_engagement_score_adds_each_signals_weight_and_halves_every_90_days(lo, program, clock):
    # Signals that earn no points (so the customer does not join the program on the way)
    shopper = cid()
    steps = [
        ("email_opened", {}, 1.0),
        ("email_clicked", {}, 3.0),
        ("site_visit", {}, 3.5),  # half of 1: no duration
        ("site_visit", {"duration_seconds": 600}, 4.5),  # capped at 1
        ("site_visit", {"duration_seconds": 150}, 5.0),  # 1 x 150/300
        ("social_share", {"network": "x"}, 11.0),
        ("social_follow", {"network": "x"}, 16.0),  # outside its rule's window: no points
        ("profile_completed", {}, 19.0),
        ("custom", {"name": "webinar_attended"}, 20.0),
    ]
    for type_, fields, score in steps:
        outcome = lo.event(shopper, type_, **fields)
        assert outcome["points"] == 0, outcome
        assert outcome["engagement_score"] == pytest.approx(score, abs=0.01), (type_, outcome)
    # An order adds 10 (in USD: no points either)
    lo.order(shopper, 2000, currency="USD")
    customer = lo.customer(shopper)
    assert customer["loyalty"]["member"] is False
    facts = customer["facts"]
    assert facts["engagement_score"] == pytest.approx(30.0, abs=0.01)
    assert facts["signals"] == {
        "email_opened": 1,
        "email_clicked": 1,
        "site_visit": 3,
        "social_share": 1,
        "social_follow": 1,
        "profile_completed": 1,
        "custom": 1,
        "order": 1,
    }
    # 90 days later everything counts half
    clock.advance(days=90)
    assert lo.customer(shopper)["facts"]["engagement_score"] == pytest.approx(15.0, abs=0.01)
    assert lo.event(shopper, "email_opened")["engagement_score"] == pytest.approx(16.0, abs=0.01)
    # and 180 days later a quarter
    clock.advance(days=90)
    assert lo.customer(shopper)["facts"]["engagement_score"] == pytest.approx(8.0, abs=0.01)


def test_nps_answers_and_reviews_weigh_by_their_score(lo, program, clock):
    shopper = cid()
    lo.review(shopper)  # a member from now on
    base = lo.customer(shopper)["facts"]["engagement_score"]
    nps = lo.event(shopper, "nps_answer", score=8)
    assert nps["engagement_score"] == pytest.approx(base + 4.0, abs=0.01)  # 5 x 8/10
    review = lo.review(shopper, rating=4)
    assert review["engagement_score"] == pytest.approx(base + 4.0 + 6.4, abs=0.01)  # 8 x 4/5
    zero = lo.event(shopper, "nps_answer", score=0)
    assert zero["engagement_score"] == pytest.approx(base + 10.4, abs=0.01)


def test_an_event_for_a_customer_never_seen_makes_them_known(lo, program):
    stranger = cid("stranger-")
    assert lo.get_customer(stranger).status_code == 404
    lo.event(stranger, "email_clicked")
    customer = lo.customer(stranger)
    assert customer["id"] == stranger and customer["facts"]["signals"] == {"email_clicked": 1}


@pytest.mark.parametrize(
    ("body", "mentions"),
    [
        ({"type": "review"}, "rating"),
        ({"type": "review", "rating": 6}, "rating"),
        ({"type": "nps_answer"}, "score"),
        ({"type": "nps_answer", "score": 11}, "score"),
        ({"type": "custom"}, "name"),
        ({"type": "email_opened", "name": "x"}, "name"),
        ({"type": "purchase"}, "type"),
        ({"type": "site_visit", "duration_seconds": -1}, "duration_seconds"),
        ({"type": "email_opened", "occurred_at": "yesterday"}, "occurred_at"),
        ({"type": "email_opened", "occurred_at": "2030-01-01T00:00:00"}, "occurred_at"),
        ({"type": "email_opened", "points": 1000}, "points"),
        ({"type": "email_opened", "customer_id": ""}, "customer_id"),
        ({"type": "email_opened", "id": "has space"}, "id"),
    ],
)
def test_a_malformed_event_is_400_with_the_field(lo, program, body, mentions):
    full = {"id": uid("evt_"), "customer_id": cid(), **body}
    r = lo.post("/v1/events", json=full)
    assert_error(r, 400, "invalid_request", mentions=mentions)


def test_events_need_the_secret_key(lo, program):
    body = {"id": uid("evt_"), "customer_id": cid(), "type": "email_opened"}
    assert_error(lo.post("/v1/events", json=body, key="publishable"), 403, "forbidden")
    assert_error(lo.post("/v1/events", json=body, key=None), 401, "unauthorized")


DEFAULT_WEIGHTS = {
    "order": 10.0,
    "email_opened": 1.0,
    "email_clicked": 2.0,
    "site_visit": 1.0,
    "nps_answer": 5.0,
    "review": 8.0,
    "social_follow": 5.0,
    "social_share": 6.0,
    "profile_completed": 3.0,
    "referral": 15.0,
    "loyalty_enrolled": 5.0,
    "custom": 1.0,
}


def test_the_engagement_weights_can_be_read_and_changed_for_signals_from_then_on(lo, program, clock):
    r = lo.get("/v1/engagement")
    assert r.status_code == 200, r.text
    config = r.json()
    assert config["weights"] == DEFAULT_WEIGHTS
    assert (config["half_life_days"], config["engaged_score"], config["lapsed_days"]) == (90, 25.0, 180)
    shopper = cid()
    assert lo.event(shopper, "email_opened")["engagement_score"] == pytest.approx(1.0, abs=0.01)
    try:
        # When the shop makes an opened email worth 4
        r = lo.request("PUT", "/v1/engagement", json={**config, "weights": {**DEFAULT_WEIGHTS, "email_opened": 4.0}})
        assert r.status_code == 200, r.text
        assert r.json()["weights"]["email_opened"] == 4.0
        # Then the next one adds 4, the earlier one keeps counting 1
        clock.tick()
        assert lo.event(shopper, "email_opened")["engagement_score"] == pytest.approx(5.0, abs=0.01)
        # And nonsense is refused without changing anything
        for bad in (
            {"weights": {**DEFAULT_WEIGHTS, "order": -1}},
            {"weights": {**DEFAULT_WEIGHTS, "telepathy": 1}},  # not a signal: a typo would silently count nothing
            {"half_life_days": 0},
            {"lapsed_days": "soon"},
        ):
            assert_error(lo.request("PUT", "/v1/engagement", json=bad), 400, "invalid_request")
        assert lo.get("/v1/engagement").json()["weights"]["email_opened"] == 4.0
    finally:
        restored = lo.request("PUT", "/v1/engagement", json=config)
        assert restored.status_code == 200, restored.text
    assert lo.get("/v1/engagement").json() == config
