"""Cash rewards' rules and the payout CSV (the flows themselves: tests/integration/test_payouts_http.py)."""

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from passaparola.payouts import service
from passaparola.payouts.models import Payout, PayoutList, PayoutTotal
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
