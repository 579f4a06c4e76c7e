"""Pure decisions: which endpoint wants which event, when a failed delivery is tried again, when to give up."""

from datetime import datetime, timedelta

from passaparola.events.types import TYPES

EVENT_TYPES = frozenset(TYPES)
"""The types an endpoint may subscribe to (passaparola/events/types.py); `webhook.ping` goes to every endpoint."""

PING = "webhook.ping"
RETRY_SECONDS = (5, 300, 1800, 7200, 18000, 36000, 36000)
"""After the first attempt: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h (about 27 h in all), then dead."""
LOCAL_RETRY_SECONDS = (1, 2, 3, 4, 5, 6, 7)
"""STAGE=local: the same number of attempts in seconds, so a developer sees a redelivery at once."""
MAX_DELAY_SECONDS = 900
"""SQS's largest per-message DelaySeconds: a longer wait is re-delayed until due."""


def unknown_patterns(patterns: list[str]) -> list[str]:
    """Patterns that name no event: an exact type, `<family>.*` of a known family, or `*`."""
    families = {t.split(".", 1)[0] for t in EVENT_TYPES}
    bad = []
    for p in patterns:
        if p == "*" or p in EVENT_TYPES:
            continue
        if p.endswith(".*") and p[:-2] in families:
            continue
        bad.append(p)
    return bad


def matches(patterns: list[str], event_type: str) -> bool:
    if event_type == PING:
        return True
    return any(p in ("*", event_type) or (p.endswith(".*") and event_type.startswith(p[:-1])) for p in patterns)


def retry_delay(attempt: int, local: bool) -> int | None:
    """Seconds to wait after failed attempt number `attempt` (1-based); None: that was the last, the delivery is dead."""
    schedule = LOCAL_RETRY_SECONDS if local else RETRY_SECONDS
    return schedule[attempt - 1] if 1 <= attempt <= len(schedule) else None


def sqs_delay(due: datetime, now: datetime) -> int:
    """The DelaySeconds of a message due at `due`: at most SQS's 15 minutes (then it is delayed again)."""
    return max(0, min(MAX_DELAY_SECONDS, int((due - now).total_seconds() + 0.999)))


def should_disable(failing_since: datetime | None, now: datetime, disable_days: int) -> bool:
    """An endpoint with no success for `disable_days` since its first failure is switched off."""
    return failing_since is not None and now - failing_since >= timedelta(days=disable_days)
