"""The guessable-code check counts the codes a campaign already has of the pattern, batches included."""

import boto3

from passaparola.coupons import service
from passaparola.coupons.codes import most_live, parse_pattern
from passaparola.settings import get_settings
from tests.unit.campaigns.test_campaigns import codes, create

SIX_DIGITS = "######"  # 8**6 = 262,144 combinations: at most 26 live codes


def test_thirty_requests_of_26_codes_are_as_guessable_as_one_of_780(campaigns_fn):
    assert most_live(parse_pattern(SIX_DIGITS)) == 26
    campaign = create(campaigns_fn)["id"]
    assert codes(campaigns_fn, campaign, {"count": 780, "pattern": SIX_DIGITS}).status == 422

    replies = [codes(campaigns_fn, campaign, {"count": 26, "pattern": SIX_DIGITS}) for _ in range(30)]

    assert [r.status for r in replies] == [201] + [422] * 29
    refused = replies[1].body["error"]
    assert refused["code"] == "codes_guessable"
    assert refused["details"] == {"combinations": 262_144, "count": 26, "live": 26, "required": 520_000}
    assert codes(campaigns_fn, campaign, {"count": 1, "pattern": SIX_DIGITS}).status == 422


def test_the_count_is_per_campaign_and_per_pattern(campaigns_fn):
    first, second = create(campaigns_fn)["id"], create(campaigns_fn)["id"]
    assert codes(campaigns_fn, first, {"count": 26, "pattern": SIX_DIGITS}).status == 201
    assert codes(campaigns_fn, second, {"count": 26, "pattern": SIX_DIGITS}).status == 201
    assert codes(campaigns_fn, first, {"count": 26, "pattern": SIX_DIGITS, "prefix": "B-"}).status == 201
    assert codes(campaigns_fn, first, {"count": 10, "pattern": "********"}).status == 201
    # a chosen public code is not drawn from a pattern: not counted, not refused
    assert codes(campaigns_fn, first, {"code": "SPRING"}).status == 201


def test_a_background_batch_counts_from_the_moment_it_is_requested(campaigns_fn, aws):
    boto3.client("sqs").create_queue(QueueName=get_settings().code_batch_queue_url.rsplit("/", 1)[-1])
    five = "*****"  # 31**5 = 28,629,151 combinations: at most 2,862 live codes
    campaign = create(campaigns_fn)["id"]

    batch = codes(campaigns_fn, campaign, {"count": 2000, "pattern": five})
    assert batch.status == 202
    pending = codes(campaigns_fn, campaign, {"count": 1000, "pattern": five})
    assert pending.status == 422 and pending.body["error"]["details"]["live"] == 2000

    assert service.run_batch(batch.body["batch"]["id"]).created == 2000
    assert codes(campaigns_fn, campaign, {"count": 862, "pattern": five}).status == 201
    refused = codes(campaigns_fn, campaign, {"count": 1, "pattern": five})
    assert refused.status == 422 and refused.body["error"]["details"]["live"] == 2862
