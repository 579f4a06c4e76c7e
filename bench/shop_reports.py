"""The shop-wide and cross-campaign reports in `python -m bench reports`: their daily and monthly items are
seeded beside the conversions (as the writes would leave them) and each report is read at both sizes.

Word of mouth reads `DAY#shop`, the coupons report every discount campaign's `DAY#<campaign>`, the variants
report the program's `DAY#<campaign>` (`<counter>@<variant>`), the referral rate `MONTH#shop`: one item per
day (or month) of the period asked for, whatever the number of conversions.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

PERIOD_DAYS = 130
"""The period asked for: covers the 120 days the conversions are spread over."""


def cases(now: datetime, discount_id: str) -> list[tuple[str, str, dict[str, str]]]:
    first, last = (now - timedelta(days=PERIOD_DAYS - 1)).date().isoformat(), now.date().isoformat()
    period = {"from": first, "to": last}
    return [
        ("variants (referral)", "/v1/reports/variants", period),
        ("word of mouth (weeks)", "/v1/reports/word-of-mouth", period | {"granularity": "week", "campaign_id": ""}),
        ("coupons (every campaign)", "/v1/reports/coupons", period | {"campaign_id": ""}),
        ("coupons (one campaign)", "/v1/reports/coupons", period | {"campaign_id": discount_id}),
        (
            "referral rate (6 months)",
            "/v1/reports/referral-rate",
            {"from": f"{now - timedelta(days=150):%Y-%m}", "to": f"{now:%Y-%m}", "campaign_id": ""},
        ),
    ]


MAX_ITEMS = {  # at most one item a day (or month) of the period, plus the campaign (or the campaigns' list)
    "variants (referral)": 1 + PERIOD_DAYS,
    "word of mouth (weeks)": PERIOD_DAYS,
    "coupons (every campaign)": 1 + 1 + PERIOD_DAYS,  # the list of 2 campaigns is one page
    "coupons (one campaign)": 1 + PERIOD_DAYS,
    "referral rate (6 months)": 6 + 1,
}


class Days:
    """Daily (and monthly) counters as the writes would leave them: {pk: {sort key: {attribute: n}}}."""

    def __init__(self) -> None:
        self.items: dict[str, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(lambda: defaultdict(int)))
        self.answers = 0
        self.accepted = 0

    def conversion(self, campaign_id: str, discount_id: str, variant: str, status: str, at: datetime, n: int) -> None:
        day, month = at.date().isoformat(), f"{at:%Y-%m}"
        program = self.items[f"DAY#{campaign_id}"][day]
        program[f"clicks@{variant}"] += 8
        if status == "converted":
            self.accepted += 1
            program[f"conversions@{variant}"] += 1
            program[f"revenue_EUR@{variant}"] += 5000
            program[f"reward_cost_EUR@{variant}"] += 1000
            self.items["MONTH#shop"][month]["bringing"] += 1 if n % 4 == 0 else 0
        shop = self.items["DAY#shop"][day]
        if n % 5 == 0:  # one friend in five answers the NPS survey
            self.answers += 1
            shop[("nps_promoters", "nps_passives", "nps_detractors")[n % 3]] += 1
        coupons = self.items[f"DAY#{discount_id}"][day]
        if n % 2 == 0:  # half the orders carry a code
            coupons["redemptions"] += 1
            coupons["orders"] += 1
            coupons["discount_EUR"] += 500
            coupons["revenue_EUR"] += 4500
            coupons["new_customers"] += 1
        months = self.items["MONTH#shop"]
        months[month]["active_customers"] += 1
        months[month]["sharing"] += 1 if n % 3 == 0 else 0
        months["all"]["active_customers"] += 1

    def write(self) -> int:
        """Batch-write every item through the low-level client: the attribute names are made on the fly
        (`clicks@a`, `revenue_EUR@b`), as the writes' ADDs make them, so no model declares them."""
        import boto3

        from passaparola.data.models.reports import StatsModel

        client = boto3.client("dynamodb")
        table = StatsModel.Meta.table_name
        requests = [
            {"PutRequest": {"Item": {"pk": {"S": pk}, "sk": {"S": sk}} | {n: {"N": str(v)} for n, v in c.items()}}}
            for pk, by_key in self.items.items()
            for sk, c in by_key.items()
        ]
        for start in range(0, len(requests), 25):
            pending: dict[str, Any] = {table: requests[start : start + 25]}
            while pending:
                pending = client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
        return len(requests)


def check(name: str, body: dict[str, Any], days: Days) -> None:
    """The reports agree with what was seeded."""
    if name == "variants (referral)":
        assert sum(v["conversions"] for v in body["variants"]) == days.accepted, body["variants"]
    elif name.startswith("word of mouth"):
        assert body["totals"]["answers"] == days.answers, (body["totals"], days.answers)
    elif name.startswith("coupons"):
        assert body["totals"]["orders"] > 0, body["totals"]
