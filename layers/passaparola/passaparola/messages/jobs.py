"""The re-engagement jobs: find who is due (indexes and the segment feed, never a scan), queue their messages.

Daily (`ReengagementDailyFunction`): the calendar triggers of each shop-local day since the last completed
one. Watch (`ReengagementWatchFunction`, every 5 minutes): welcome and segment-entered messages from the
segment change feed, and re-enqueueing of outbox messages whose enqueue was lost.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from passaparola import clock
from passaparola.campaigns.models import ReengagementCampaign
from passaparola.data import campaigns as campaign_store
from passaparola.data import customers as customer_store
from passaparola.data import messages as store
from passaparola.data import queues
from passaparola.messages import outbox, rules
from passaparola.messages.models import FEED_TRIGGERS, JobReport
from passaparola.observability import logger
from passaparola.settings import get_settings

FEED_OVERLAP = timedelta(minutes=2)
"""The feed is re-read this far back: a change stamped just before the last run may have committed after it."""
FIRST_FEED_LOOKBACK = timedelta(minutes=10)
RELAY_GRACE = timedelta(minutes=2)
FEED_PAGE = 500


@dataclass
class Candidate:
    """A customer a campaign's trigger says is due, and why."""

    campaign: ReengagementCampaign
    customer_id: str
    occasion: str
    reason: str
    details: dict[str, Any] = field(default_factory=dict)


def active(now: datetime, feed: bool) -> list[ReengagementCampaign]:
    """Switched-on re-engagement campaigns within their window, of the feed's triggers or the calendar's;
    oldest first (under a frequency cap, the older campaign's message wins)."""
    found = []
    for campaign in campaign_store.enabled_of_type("reengagement"):
        assert isinstance(campaign, ReengagementCampaign)
        if rules.in_window(campaign, campaign.enabled, now) and (campaign.trigger.type in FEED_TRIGGERS) == feed:
            found.append(campaign)
    return sorted(found, key=lambda c: (c.created_at, c.id))


# ------------------------------------------------------------------------------------------- daily


def run_daily() -> JobReport:
    now = clock.now()
    today = rules.local_day(now, get_settings().shop_timezone)
    state = store.checkpoint("daily")
    last = date.fromisoformat(state.last_day) if state.last_day else today - timedelta(days=1)
    report = JobReport()
    campaigns = active(now, feed=False)
    report.campaigns = len(campaigns)
    for day in rules.days_to_run(last, today):
        report.days.append(day.isoformat())
        candidates = [c for campaign in campaigns for c in due_on(campaign, day, report)]
        outbox.queue(candidates, now, report)
        state.last_day = day.isoformat()
        store.save_checkpoint(state, now)
    logger.info("re-engagement daily run", extra=report.model_dump())
    return report


def due_on(campaign: ReengagementCampaign, day: date, report: JobReport) -> Iterator[Candidate]:
    """The customers a calendar trigger makes due on the shop-local `day` (index queries only)."""
    trigger = campaign.trigger
    if trigger.type in ("birthday", "signup_anniversary"):
        target = day + timedelta(days=trigger.days_before)
        prefix = "birthday" if trigger.type == "birthday" else "signup"
        for key in rules.month_day_keys(prefix, target):
            for item in _read(customer_store.due(key), report):  # signup: whole years are checked on the record
                yield Candidate(
                    campaign,
                    item.customer_id,
                    f"{trigger.type}:{target.year}",
                    f"{'birthday' if prefix == 'birthday' else 'sign-up anniversary'} on {target.isoformat()}",
                    {"type": trigger.type, "date": target.isoformat(), "year": target.year},
                )
    elif trigger.type == "purchase_anniversary":
        wanted_skus, wanted_categories = set(trigger.skus), set(trigger.categories)
        for ordered in rules.months_before(day, trigger.months):
            for item in _read(customer_store.due(f"ordered#{ordered.isoformat()}"), report):
                skus, categories = set(item.skus or ()), set(item.categories or ())
                if (wanted_skus or wanted_categories) and not (skus & wanted_skus or categories & wanted_categories):
                    continue
                order_id = item.sk.split("#", 2)[2]
                yield Candidate(
                    campaign,
                    item.customer_id,
                    f"order:{order_id}",
                    f"{trigger.months} months since order {order_id} of {ordered.isoformat()}",
                    {
                        "type": trigger.type,
                        "order_id": order_id,
                        "skus": sorted(skus),
                        "categories": sorted(categories),
                        "months": trigger.months,
                        "ordered_on": ordered.isoformat(),
                    },
                )
    elif trigger.type == "win_back":
        last_order = day - timedelta(days=trigger.days_since_last_order)
        for item in _read(customer_store.due(f"last_order#{last_order.isoformat()}"), report):
            yield Candidate(
                campaign,
                item.customer_id,
                f"win_back:{last_order.isoformat()}",
                f"no order for {trigger.days_since_last_order} days (last on {last_order.isoformat()})",
                {"type": trigger.type, "last_order_at": last_order.isoformat(), "days": trigger.days_since_last_order},
            )
    elif trigger.type == "points_expiring":
        expires = day + timedelta(days=trigger.days_before)
        lots: dict[str, list[tuple[int, int]]] = {}
        for item in _read(customer_store.due(f"expire#{expires.isoformat()}"), report):
            lots.setdefault(item.customer_id, []).append((int(item.points or 0), int(item.cum_before or 0)))
        for customer_id, held in lots.items():  # what is left of the lots is judged on the record
            yield Candidate(
                campaign,
                customer_id,
                f"points_expiring:{expires.isoformat()}",
                f"points expire on {expires.isoformat()}",
                {"type": trigger.type, "points": 0, "expires_at": expires.isoformat(), "lots": held},
            )
    elif trigger.type == "referral_nudge":
        shared = day - timedelta(days=trigger.days_since_last_share)
        for item in _read(customer_store.due(f"shared#{shared.isoformat()}"), report):
            yield Candidate(
                campaign,
                item.customer_id,
                f"referral_nudge:{shared.isoformat()}",
                f"no share for {trigger.days_since_last_share} days (last on {shared.isoformat()})",
                {"type": trigger.type, "segment": trigger.segment, "days": trigger.days_since_last_share},
            )


def _read(items: Iterator[Any], report: JobReport) -> Iterator[Any]:
    for item in items:
        report.items_read += 1
        yield item


# ------------------------------------------------------------------------------------------- watch


def run_watch() -> JobReport:
    """Welcome and segment-entered messages since the last run; lost enqueues re-sent."""
    now = clock.now()
    report = JobReport()
    state = store.checkpoint("watch")
    campaigns = active(now, feed=True)
    report.campaigns = len(campaigns)
    since = (
        datetime.fromisoformat(state.feed_after[:24].replace("Z", "+00:00")) - FEED_OVERLAP
        if state.feed_after
        else now - FIRST_FEED_LOOKBACK
    )
    if since > now:  # the checkpoint is ahead of the clock (it was set back): start afresh
        since, state.feed_after = now - FIRST_FEED_LOOKBACK, None
    report.requeued = relay_pending(now)  # first: a long feed never starves it
    last_key = state.feed_after
    if campaigns:
        cursor: str | None = None
        while True:
            changes, cursor = customer_store.changes_since(since, now, FEED_PAGE, cursor)
            report.items_read += len(changes)
            candidates = []
            for change in changes:
                last_key = max(last_key or "", change.sk)
                if change.change != "entered":
                    continue
                for campaign in campaigns:
                    candidate = _entered(campaign, change.customer, change.segment, change.at)
                    if candidate is not None:
                        candidates.append(candidate)
            outbox.queue(candidates, now, report)
            if last_key:  # progress kept page by page: a burst of entries is worked through across runs
                state.feed_after = last_key
                store.save_checkpoint(state, now)
            if not cursor:
                break
    state.feed_after = max(last_key or "", clock.iso(now - FEED_OVERLAP))
    store.save_checkpoint(state, now)
    logger.info("re-engagement watch run", extra=report.model_dump())
    return report


def _entered(campaign: ReengagementCampaign, customer_id: str, segment: str, at: str) -> Candidate | None:
    trigger = campaign.trigger
    if datetime.fromisoformat(at) < max(campaign.created_at, campaign.starts_at or campaign.created_at):
        return None  # an entry from before the campaign existed or its window opened (the feed overlap)
    if trigger.type == "welcome" and segment == "new_customers":
        return Candidate(campaign, customer_id, "welcome", "welcome: a new customer", {"type": "welcome"})
    if trigger.type == "segment_entered" and segment == trigger.segment:
        return Candidate(
            campaign,
            customer_id,
            f"entered:{segment}:{at}",
            f"entered segment {segment} at {at}",
            {"type": trigger.type, "segment": segment},
        )
    return None


def relay_pending(now: datetime) -> int:
    """Re-send to the queue the outbox messages due more than a little while ago (a lost enqueue, a crash)."""
    ids = store.pending_before(now - RELAY_GRACE)
    if ids:
        queues.send_messages(ids)
        for message_id in ids:
            store.postpone(message_id, now + RELAY_GRACE)
    return len(ids)
