"""The two funnels of a referral link as a pure function of its counters (docs/reports.md).

A link stores raw counters: clicks (redirects), visits and signups (storefront signals), accepted
conversions and released referrer rewards. A friend who reached a step without the steps before it
being recorded (a code typed at checkout: no click, no visit) is counted in those steps too, as
`inferred`: each step is at least the step after it. The referrer funnel is the same state seen once per
referrer (clicked, brought, rewarded). Every write that moves a link's counters adds `state(after) -
state(before)` to the daily item of the link's cohort (the day it was created), so steps stay nested
in any window of days and every rate is a share of the step before it.
"""

from collections.abc import Mapping

RAW = ("clicks", "visits", "signups", "conversions", "rewarded")
FRIEND_STEPS = ("clicks", "visits", "signups", "conversions", "rewarded")
REFERRER_STEPS = ("shared", "clicked", "brought", "rewarded_referrers")
INFERRED = ("inferred_clicks", "inferred_visits", "inferred_signups")


def state(raw: Mapping[str, int] | None) -> dict[str, int]:
    """The funnel figures of one existing link from its raw counters (missing counters are 0)."""
    got = {name: max(0, int((raw or {}).get(name) or 0)) for name in RAW}
    rewarded = got["rewarded"]
    conversions = max(got["conversions"], rewarded)
    signups = max(got["signups"], conversions)
    visits = max(got["visits"], signups)
    clicks = max(got["clicks"], visits)
    return {
        "shared": 1,
        "clicked": int(clicks > 0),
        "brought": int(conversions > 0),
        "rewarded_referrers": int(rewarded > 0),
        "clicks": clicks,
        "visits": visits,
        "signups": signups,
        "conversions": conversions,
        "rewarded": rewarded,
        "inferred_clicks": clicks - got["clicks"],
        "inferred_visits": visits - got["visits"],
        "inferred_signups": signups - got["signups"],
    }


def moved(before: Mapping[str, int] | None, after: Mapping[str, int]) -> dict[str, int]:
    """What a change of a link's raw counters adds to its cohort's funnel; `before` None: the link is new."""
    old = state(before) if before is not None else dict.fromkeys(state(None), 0)
    new = state(after)
    return {name: new[name] - old[name] for name in new if new[name] != old[name]}


def plus(raw: Mapping[str, int], **deltas: int) -> dict[str, int]:
    """Raw counters after adding deltas (`plus(before, conversions=1)`)."""
    out = {name: int(raw.get(name) or 0) for name in RAW}
    for name, delta in deltas.items():
        out[name] = out.get(name, 0) + delta
    return out
