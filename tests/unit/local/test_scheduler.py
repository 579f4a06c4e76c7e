"""Schedule expressions: rate(...) and AWS 6-field cron(...), in UTC."""

from datetime import UTC, datetime

import pytest

from infra.local.scheduler import UnsupportedSchedule, next_fire, scheduled_event
from infra.local.template import ScheduleEvent

NOW = datetime(2026, 3, 10, 14, 27, 30, tzinfo=UTC)  # a Tuesday


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("rate(1 hour)", datetime(2026, 3, 10, 15, 27, 30, tzinfo=UTC)),
        ("rate(5 minutes)", datetime(2026, 3, 10, 14, 32, 30, tzinfo=UTC)),
        ("cron(0 3 * * ? *)", datetime(2026, 3, 11, 3, 0, tzinfo=UTC)),
        ("cron(0/15 * * * ? *)", datetime(2026, 3, 10, 14, 30, tzinfo=UTC)),
        ("cron(0 9 ? * MON-FRI *)", datetime(2026, 3, 11, 9, 0, tzinfo=UTC)),
        ("cron(0 9 ? * 1 *)", datetime(2026, 3, 15, 9, 0, tzinfo=UTC)),  # 1 = Sunday
        ("cron(30 8,20 1 * ? *)", datetime(2026, 4, 1, 8, 30, tzinfo=UTC)),
        ("cron(0 0 1 JAN ? 2027)", datetime(2027, 1, 1, 0, 0, tzinfo=UTC)),
    ],
)
def test_next_fire(expression: str, expected: datetime) -> None:
    assert next_fire(expression, NOW) == expected


@pytest.mark.parametrize("expression", ["cron(0 0 L * ? *)", "cron(0 0 ? * 6#3 *)", "cron(0 0 * *)", "every day"])
def test_unsupported(expression: str) -> None:
    with pytest.raises(UnsupportedSchedule):
        next_fire(expression, NOW)


def test_scheduled_event_shape() -> None:
    event = scheduled_event(ScheduleEvent("NightlyFunction", "Nightly", "rate(1 hour)", True), NOW)
    assert event["detail-type"] == "Scheduled Event" and event["source"] == "aws.events"
    assert event["time"] == "2026-03-10T14:27:30Z" and event["detail"] == {}
    assert event["resources"][0].startswith("arn:aws:events:us-east-1:123456789012:rule/")
    assert scheduled_event(ScheduleEvent("F", "N", "rate(1 hour)", True, {"custom": 1})) == {"custom": 1}
