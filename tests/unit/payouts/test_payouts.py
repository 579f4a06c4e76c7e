"""Cash rewards' rules and the payout CSV (the flows themselves: tests/integration/test_payouts_http.py)."""

from datetime import UTC, datetime

import pytest
from pydantic import TypeAdapter, ValidationError

from passaparola.errors import Conflict, NotFound, PayoutNotPositive, PayoutPeriodOpen
from passaparola.payouts import service
from passaparola.payouts.models import Payout, PayoutList, PayoutTotal, Period
from passaparola.referrals.models import ReferralProgram
from passaparola.referrals.share import describe

CASH = {"type": "cash", "amount": 1500, "currency": "EUR"}
COUPON = {"type": "coupon", "discount": {"type": "amount", "amount_off": 500}, "currency": "EUR"}


def program(**fields: object) -> ReferralProgram:
    return ReferralProgram.model_validate(
        {"landing_url": "https://shop.example/", "referee_reward": COUPON, "referrer_reward": CASH, **fields}
    )


def test_cash_is_for_the_referrer_side_only() -> None:
    program(tiers=[{"referrals": 3, "reward": CASH}], variants=[{"name": "b", "referrer_reward": CASH}])
    with pytest.raises(ValidationError, match="never the referee"):
        program(referee_reward=CASH)
    with pytest.raises(ValidationError, match="never the referee"):
        program(variants=[{"name": "b", "referee_reward": CASH}])


def test_cash_in_words() -> None:
    assert describe(program().referrer_reward, "en") == "15.00 EUR in cash"
    assert describe(program().referrer_reward, "it") == "15,00 EUR in denaro"


def test_a_clawback_goes_in_a_month_after_the_paid_one() -> None:
    assert service.next_period("2026-12") == "2027-01"
    assert service.next_period("2027-01") == "2027-02"
    assert service.clawback_period("2026-11", datetime(2027, 2, 1, tzinfo=UTC)) == "2027-02"
    assert service.clawback_period("2027-02", datetime(2027, 2, 1, tzinfo=UTC)) == "2027-03"


def test_the_csv_neutralises_formulas_and_ends_with_totals() -> None:
    payout = Payout(
        id="po_2026-12_0123456789abcdef_EUR",
        period="2026-12",
        customer_id="=HYPERLINK(1)",
        email="@evil",
        currency="EUR",
        amount=-1500,
        rewards=0,
        clawbacks=1,
        status="open",
    )
    total = PayoutTotal(currency="EUR", amount=-1500, rewards=0, payouts=1)
    lines = service.to_csv(PayoutList(period="2026-12", items=[payout], totals=[total])).splitlines()
    assert lines[0].startswith("payout_id,period,customer_id,email,currency,amount")
    assert lines[1] == "po_2026-12_0123456789abcdef_EUR,2026-12,'=HYPERLINK(1),'@evil,EUR,-1500,0,1,open,,"
    assert lines[2] == "total,2026-12,,,EUR,-1500,0,,,,"


class _Line:
    """A payable line as the index answers it (what mark_paid reads)."""

    def __init__(self, sk: str, amount: int) -> None:
        self.customer_id, self.sk, self.amount, self.currency = "ref-1", sk, amount, "EUR"
        self.reward_id = sk.split("#", 1)[1]


PAYOUT_ID = "po_2026-11_0123456789abcdef_EUR"


@pytest.fixture
def paying(monkeypatch: pytest.MonkeyPatch) -> dict[str, object]:
    """mark_paid against a fake store: its lines, no mark yet, and whether the conditional write wins."""
    state: dict[str, object] = {
        "lines": [_Line("PAYABLE#r1", 1500)],
        "wins": True,
        "now": datetime(2026, 12, 3, tzinfo=UTC),
    }
    monkeypatch.setattr(service.clock, "now", lambda: state["now"])
    monkeypatch.setattr(service.store, "lines", lambda period, prefix=None: iter(state["lines"]))  # type: ignore[call-overload]
    monkeypatch.setattr(service.store, "mark", lambda *args: None)
    monkeypatch.setattr(service.store, "mark_paid", lambda *args, **kwargs: state["wins"])
    monkeypatch.setattr(service, "_current", lambda found, period: found)
    monkeypatch.setattr(service.customer_store, "read", lambda customer_id: None)
    return state


def test_a_payout_is_open_until_fifteen_minutes_after_its_month(paying: dict[str, object]) -> None:
    paying["now"] = datetime(2026, 12, 1, 0, 14, 59, tzinfo=UTC)
    with pytest.raises(PayoutPeriodOpen) as raised:
        service.mark_paid(PAYOUT_ID, "SEPA-1")
    assert raised.value.details["payable_from"] == "2026-12-01T00:15:00.000Z"
    paying["now"] = datetime(2026, 12, 1, 0, 15, tzinfo=UTC)
    assert service.mark_paid(PAYOUT_ID, "SEPA-1").status == "paid"


def test_losing_every_race_is_a_conflict_not_already_paid(paying: dict[str, object]) -> None:
    paying["wins"] = False
    with pytest.raises(Conflict):
        service.mark_paid(PAYOUT_ID, "SEPA-1")


@pytest.mark.parametrize("amounts", [[-1500], [1500, -1500], [1500, -3000]])
def test_nothing_to_pay_is_refused(paying: dict[str, object], amounts: list[int]) -> None:
    paying["lines"] = [_Line(f"{'PAYABLE' if a > 0 else 'CLAWBACK'}#r{i}", a) for i, a in enumerate(amounts)]
    with pytest.raises(PayoutNotPositive) as raised:
        service.mark_paid(PAYOUT_ID, "SEPA-1")
    assert raised.value.status == 422 and raised.value.code == "payout_not_positive"


@pytest.mark.parametrize("period", ["0000-01", "9999-12", "0999-12"])
def test_a_month_outside_calendar_arithmetic_is_no_payout(paying: dict[str, object], period: str) -> None:
    """Year 0 or 10000 has no datetime: such ids are unknown payouts (404), never a 500 (fuzz: po_0000-01_...)."""
    with pytest.raises(NotFound):
        service.mark_paid(f"po_{period}_0123456789abcdef_EUR", "SEPA-1")
    with pytest.raises(ValidationError):
        TypeAdapter(Period).validate_python(period)  # GET /v1/payouts?period= answers 400
