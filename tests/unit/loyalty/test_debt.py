"""The points-debt rules (docs/loyalty.md): a refund takes released points back in full, what the balance
cannot cover is owed (a negative balance), and the next earnings pay it first."""

from hypothesis import given
from hypothesis import strategies as st

from passaparola.loyalty import rules

points = st.integers(min_value=0, max_value=10**6)
balances = st.integers(min_value=-(10**6), max_value=10**6)
moves = st.lists(st.tuples(st.sampled_from(["earn", "reverse"]), points), max_size=40)


def test_a_reversal_the_balance_cannot_cover_becomes_a_debt() -> None:
    assert rules.take_back(100, 600) == (-500, 500)
    assert rules.debt(-500) == 500
    assert rules.take_back(700, 600) == (100, 0)
    assert rules.take_back(-500, 100) == (-600, 100)


def test_earnings_pay_the_debt_first() -> None:
    assert rules.settle(-500, 50) == (-450, 50)
    assert rules.settle(-450, 600) == (150, 450)
    assert rules.settle(10, 600) == (610, 0)


@given(balances, points)
def test_a_reversal_always_takes_everything_and_owes_exactly_what_was_missing(balance: int, back: int) -> None:
    after, owed = rules.take_back(balance, back)
    assert after == balance - back
    assert owed == rules.debt(after) - rules.debt(balance) >= 0
    assert owed == max(back - max(balance, 0), 0)


@given(balances, points)
def test_earnings_settle_the_debt_before_anything_becomes_spendable(balance: int, earned: int) -> None:
    after, settled = rules.settle(balance, earned)
    assert after == balance + earned
    assert settled == min(earned, rules.debt(balance))
    assert rules.debt(after) == rules.debt(balance) - settled
    assert max(after, 0) == earned - settled + max(balance, 0)  # only what the debt left is spendable


@given(moves)
def test_the_balance_is_what_was_earned_minus_what_was_taken_back_whatever_the_order(history) -> None:
    balance = 0
    for kind, amount in history:
        balance = rules.settle(balance, amount)[0] if kind == "earn" else rules.take_back(balance, amount)[0]
    earned = sum(a for k, a in history if k == "earn")
    taken = sum(a for k, a in history if k == "reverse")
    assert balance == earned - taken
    assert rules.debt(balance) == max(taken - earned, 0)


@given(balances)
def test_no_debt_without_a_negative_balance(balance: int) -> None:
    assert (rules.debt(balance) > 0) == (balance < 0)
