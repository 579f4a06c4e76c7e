"""A customer's change under refunds: the balance, what was ever earned and what was ever consumed stay one
account (balance = earned - consumed), so FIFO lots and expiry keep working through a points debt."""

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from passaparola.campaigns.models import LoyaltyCampaign
from passaparola.customers.models import EngagementConfig
from passaparola.customers.record import Change

NOW = datetime(2026, 11, 24, 12, tzinfo=UTC)
PROGRAM = LoyaltyCampaign.model_validate(
    {
        "id": "cmp_loyalty",
        "name": "Club",
        "type": "loyalty",
        "enabled": True,
        "version": 1,
        "created_at": NOW,
        "updated_at": NOW,
        "earning_rules": [{"event": "review", "points": 50}],
        "expiry": {"policy": "never"},
    }
)
steps = st.lists(st.tuples(st.sampled_from(["credit", "spend", "reverse"]), st.integers(1, 1000)), max_size=30)


def change() -> Change:
    return Change("cus_1", None, NOW, PROGRAM, EngagementConfig(), [])


@given(steps)
def test_balance_is_earned_minus_consumed_through_debts(history: list[tuple[str, int]]) -> None:
    c = change()
    owed = 0
    for kind, points in history:
        if kind == "credit":
            c.credit(points, "review", None)
        elif kind == "spend":
            before = c.balance
            c.take(points, "spend", "reward", None)
            assert c.balance == max(before - points, min(before, 0))  # spending never makes a debt
        else:
            owed += c.reverse(points, "order_refunded", None)
        assert c.balance == c.earned_total - c.consumed
    assert owed >= max(-c.balance, 0)


def test_a_reverse_line_takes_everything_and_the_next_earn_pays_the_debt() -> None:
    c = change()
    c.credit(600, "order_paid", "order#1")
    c.take(500, "spend", "reward", None)
    assert c.reverse(600, "order_refunded", "order#1") == 500
    assert (c.balance, c.effects.reversed) == (-500, 600)
    c.credit(50, "review", None)
    assert c.balance == -450
    c.credit(600, "order_paid", "order#2")
    assert c.balance == 150
