"""Report aggregates, moved in the same writes as the events they count (docs/data-model.md, "stats").

Items with per-currency maps exist before anything is counted in them (a map entry can only be updated in
place in an existing map): a program's variant items are created with the program, the shop's LTV items
on first use. The daily items (`DAY#<campaign>`, one per shop-local day) need no create: their amounts are
flat attributes, one per currency (`discount_EUR`), which an ADD creates like any counter.
"""

import json
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from pynamodb.exceptions import PutError
from pynamodb.models import Model

from passaparola import clock
from passaparola.data import transactions
from passaparola.data.models.orders import OrderModel
from passaparola.data.models.reports import StatsModel
from passaparola.data.transactions import Transaction
from passaparola.settings import get_settings

DEFAULT_VARIANT = "default"
EVENT_COUNTERS = frozenset({"blocked", "flagged", "rejected", "refunded"})
"""Counted per variant (`blocked@a`) on the day they happen, with the program's flat daily counters."""
SHOP = "STATS#shop"
_shop_ready = False


def variant_key(variant: str | None) -> str:
    return variant or DEFAULT_VARIANT


def stats_pk(campaign_id: str) -> str:
    return f"STATS#{campaign_id}"


def _put_if_absent(item: StatsModel) -> None:
    try:
        item.save(condition=StatsModel.pk.does_not_exist())
    except PutError as exc:
        if not transactions.condition_failed(exc):
            raise


def ensure_variants(campaign_id: str, variants: list[str]) -> None:
    """Create the program's per-variant aggregate items (idempotent)."""
    for name in [DEFAULT_VARIANT, *variants]:
        _put_if_absent(
            StatsModel(
                stats_pk(campaign_id), f"VARIANT#{name}", revenue={}, ltv_revenue={}, customers={}, reward_cost={}
            )
        )


def ensure_shop() -> None:
    """The shop-wide LTV items; written once per container at most."""
    global _shop_ready
    if not _shop_ready:
        for bucket in ("referred", "other"):
            _put_if_absent(StatsModel(SHOP, f"LTV#{bucket}", customers={}, revenue={}))
        _shop_ready = True


def _move(tx: Transaction, item: StatsModel, counts: dict[str, int], money: dict[str, tuple[str, int]]) -> None:
    tx.add(item, counts)
    for name, (currency, amount) in money.items():
        tx.add_money(item, name, currency, amount)


SHOP_DAYS = "shop"
"""`DAY#shop`: the shop-wide daily counters (NPS answers, acquisition cohorts, referral-rate marks)."""


def day_pk(campaign_id: str) -> str:
    return f"DAY#{campaign_id}"


MONTHS = "MONTH#shop"
ALL_TIME = "all"
"""`MONTH#shop` / `YYYY-MM`: the referral rate's distinct customers of a month; `MONTH#shop` / `all`: since ever."""


def month_of(at: datetime) -> str:
    """The shop's calendar month of an instant (`YYYY-MM`)."""
    return day_of(at)[:7]


def months(tx: Transaction, month: str, counts: dict[str, int], all_time: dict[str, int]) -> None:
    """Move the referral rate's counters of a month and of all time (merged per item at commit)."""
    if any(counts.values()):
        tx.add(StatsModel(MONTHS, month), counts)
    if any(all_time.values()):
        tx.add(StatsModel(MONTHS, ALL_TIME), all_time)


def day_of(at: datetime) -> str:
    """The shop's calendar day of an instant (`SHOP_TIMEZONE`), the sort key of the daily items."""
    return at.astimezone(ZoneInfo(get_settings().shop_timezone)).date().isoformat()


def acquired_day(order: OrderModel | None, fallback: datetime | str) -> str:
    """The cohort an order's revenue counted in: its `acquired_day` (orders stored before it: their own day)."""
    if order is not None and order.acquired_day:
        return str(order.acquired_day)
    at = order.created_at if order is not None else fallback
    return day_of(datetime.fromisoformat(at) if isinstance(at, str) else at)


def money_attribute(name: str, currency: str) -> str:
    """`discount` in EUR → `discount_EUR`: a top-level number, so the first amount of a day needs no map."""
    return f"{name}_{currency}"


def daily(
    tx: Transaction,
    campaign_id: str,
    counts: dict[str, int] | None = None,
    money: dict[str, tuple[str, int]] | None = None,
    at: datetime | None = None,
    shard: int | None = None,
) -> None:
    """Move a campaign's counters of the day the change happens (merged per item at commit).

    A reversal (rollback, refund, rejection) counts on the day it happens, as a negative move: the sum over
    any window is then the net figure of what happened in it, and no past item is ever rewritten. A hot
    campaign's redemption moves its shard's day item (`<day>#s<i>`), which a report folds into the day.
    """
    deltas = dict(counts or {})
    for name, (currency, amount) in (money or {}).items():
        key = money_attribute(name, currency)
        deltas[key] = deltas.get(key, 0) + amount
    if any(deltas.values()):
        day = day_of(at or clock.now())
        tx.add(StatsModel(day_pk(campaign_id), day if shard is None else shard_day(day, shard)), deltas)


def shard_day(day: str, shard: int) -> str:
    """A hot campaign's day item of one shard: sorts after its day and before the next (`2026-12-07#s3`)."""
    return f"{day}#s{shard}"


def tagged(name: str, variant_name: str | None) -> str:
    """A per-variant attribute of a daily item: `clicks@a`, `revenue_EUR@default`."""
    return f"{name}@{variant_key(variant_name)}"


def on_day(tx: Transaction | None, pk: str, day: str, deltas: dict[str, int]) -> None:
    """ADD numbers to one daily item (`DAY#…` / `YYYY-MM-DD`): in a transaction, or alone (one UpdateItem)."""
    deltas = {name: delta for name, delta in deltas.items() if delta}
    if not deltas:
        return
    item = StatsModel(pk, day)
    if tx is not None:
        tx.add(item, deltas)
    else:
        item.update(actions=[transactions.number(StatsModel, name).add(delta) for name, delta in deltas.items()])


def cohort(
    tx: Transaction | None,
    campaign_id: str,
    variant_name: str | None,
    day: str,
    counts: dict[str, int] | None = None,
    money: dict[str, tuple[str, int]] | None = None,
) -> None:
    """Move a program's per-variant counters (`<name>@<variant>`, `<name>_<CUR>@<variant>`) of one day."""
    deltas = {tagged(name, variant_name): delta for name, delta in (counts or {}).items()}
    for name, (currency, amount) in (money or {}).items():
        key = tagged(money_attribute(name, currency), variant_name)
        deltas[key] = deltas.get(key, 0) + amount
    on_day(tx, day_pk(campaign_id), day, deltas)


def reward_stats(campaign_id: str, variant_name: str | None, expected: dict[str, tuple[str, int]]) -> str:
    """What a referral program's coupon remembers (`CodeModel.reward_stats`): where it counts when redeemed."""
    return json.dumps({"campaign_id": campaign_id, "variant": variant_key(variant_name), "expected": expected})


def reward_coupon(tx: Transaction, remembered: str, sign: int, at: datetime, currency: str, discount: int) -> None:
    """A program's coupon redeemed (sign 1) or rolled back (-1), on that day: `coupons_redeemed@v`, its real
    discount `coupon_cost_<CUR>@v`, and no longer its expected cost while outstanding."""
    found = json.loads(remembered)
    money = {"coupon_cost": (currency, sign * discount)}
    cohort(tx, found["campaign_id"], found["variant"], day_of(at), {"coupons_redeemed": sign}, money)
    expected = {name: (cur, -sign * int(amount)) for name, (cur, amount) in found.get("expected", {}).items()}
    outstanding(tx, found["campaign_id"], found["variant"], -sign, expected)


def reward_coupon_issued(tx: Transaction, remembered: str, at: datetime) -> None:
    """A friend coupon issued (before any order): `coupons_issued@v` and its expected cost while outstanding."""
    found = json.loads(remembered)
    expected = {name: (cur, int(amount)) for name, (cur, amount) in found.get("expected", {}).items()}
    cohort(tx, found["campaign_id"], found["variant"], day_of(at), {"coupons_issued": 1})
    outstanding(tx, found["campaign_id"], found["variant"], 1, expected)


def outstanding(
    tx: Transaction, campaign_id: str, variant_name: str | None, coupons: int, expected: dict[str, tuple[str, int]]
) -> None:
    """The program's coupons not redeemed yet and what they are expected to cost, now (`STATS#` / `VARIANT#`:
    `coupons_outstanding`, `coupon_expected_<CUR>`, `coupon_expected_bp_<CUR>`), moved with each change."""
    deltas = {"coupons_outstanding": coupons}
    for name, (currency, amount) in expected.items():
        deltas[money_attribute(name, currency)] = amount
    deltas = {name: delta for name, delta in deltas.items() if delta}
    if deltas:
        tx.add(StatsModel(stats_pk(campaign_id), f"VARIANT#{variant_key(variant_name)}"), deltas)


def variant_counts(
    variant_name: str | None, counts: dict[str, int], money: dict[str, tuple[str, int]] | None = None
) -> dict[str, int]:
    """Daily per-variant attributes: `<counter>@<variant>` and `<money>_<CUR>@<variant>` (docs/reports.md)."""
    suffix = f"@{variant_key(variant_name)}"
    found = {f"{name}{suffix}": n for name, n in counts.items()}
    for name, (currency, amount) in (money or {}).items():
        found[f"{money_attribute(name, currency)}{suffix}"] = amount
    return found


def message_variant(message_stats: str) -> tuple[str, str]:
    """`stats#<campaign>#<variant>` (a re-engagement coupon's results item) → (campaign id, variant)."""
    _, campaign_id, variant_name = message_stats.split("#", 2)
    return campaign_id, variant_name


def variant(
    tx: Transaction,
    campaign_id: str,
    variant_name: str | None,
    counts: dict[str, int] | None = None,
    money: dict[str, tuple[str, int]] | None = None,
) -> None:
    """Move a program's per-variant counters inside a transaction (merged per item at commit)."""
    item = StatsModel(stats_pk(campaign_id), f"VARIANT#{variant_key(variant_name)}")
    _move(tx, item, counts or {}, money or {})
    day_counts = {"conversions": (counts or {}).get("conversions", 0)}
    day_counts |= {tagged(name, variant_name): n for name, n in (counts or {}).items() if name in EVENT_COUNTERS}
    cost = (money or {}).get("reward_cost")
    day_money = {"rewards_cost": cost} if cost else {}
    daily(tx, campaign_id, day_counts, day_money)  # accepted conversions and reward cost, per day too


def shop_ltv(
    tx: Transaction,
    referred: bool,
    currency: str,
    revenue: int,
    new_customer: bool,
    acquired: str | None = None,
    at: datetime | None = None,
) -> None:
    """Every order feeds the average LTV of referred or other customers: all time, and in the cohort of the
    day the customer was acquired (`DAY#shop` / `acquired`: `customers_referred_EUR`, `revenue_other_EUR`…).

    `at` (the order's instant, not a refund's) also counts the order and its amount on its own day
    (`orders_EUR`, `sales_EUR`): the average order value an outstanding percent coupon is expected to cost.
    """
    bucket = "referred" if referred else "other"
    money = {"revenue": (currency, revenue)} | ({"customers": (currency, 1)} if new_customer else {})
    _move(tx, StatsModel(SHOP, f"LTV#{bucket}"), {}, money)
    if acquired:
        cohort_deltas = {f"revenue_{bucket}_{currency}": revenue}
        if new_customer:
            cohort_deltas[f"customers_{bucket}_{currency}"] = 1
        on_day(tx, day_pk("shop"), acquired, cohort_deltas)
    if at is not None:
        on_day(tx, day_pk("shop"), day_of(at), {f"orders_{currency}": 1, f"sales_{currency}": revenue})


def raw_days(model: type[Model], pk: str, first: str, last: str) -> dict[str, dict[str, int]]:
    """Daily items of one partition from `first` to `last` (YYYY-MM-DD sort keys): one Query, one item a day.

    Read through the table connection, not the model: their numbers are attributes named on the fly
    (`discount_EUR`, `in_vip`), which no model declares. {day: {attribute: number}}.
    """
    connection = model._get_connection()
    found: dict[str, dict[str, int]] = {}
    start: dict[str, Any] | None = None
    sort_key = getattr(model, model._range_keyname or "")
    while True:
        page = connection.query(pk, range_key_condition=sort_key.between(first, last), exclusive_start_key=start)
        for raw in page.get("Items", []):
            day = raw[model._range_keyname or ""]["S"]
            found[day] = {name: int(Decimal(v["N"])) for name, v in raw.items() if "N" in v}
        start = page.get("LastEvaluatedKey")
        if not start:
            return found
