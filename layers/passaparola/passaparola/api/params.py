"""Path parameters shared by several API functions, validated like the same value in a body."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from pydantic import AfterValidator

from passaparola.coupons.models import ANY_CUSTOMER_ID_PATTERN, CUSTOMER_ID_PATTERN, check_customer_id

CustomerIdPath = Annotated[
    str, Path(min_length=1, max_length=128, pattern=CUSTOMER_ID_PATTERN), AfterValidator(check_customer_id)
]
"""The profile routes (customers, loyalty), with the shape they always had."""
AnyCustomerIdPath = Annotated[
    str, Path(min_length=1, max_length=128, pattern=ANY_CUSTOMER_ID_PATTERN), AfterValidator(check_customer_id)
]
"""Rewards and messages, listed for any id a body may bring in (they took any 1-128 characters before)."""

From = Annotated[
    str | None,
    Query(
        alias="from",
        json_schema_extra={"pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", "format": "date"},
        description="First day of the period, `YYYY-MM-DD` (shop calendar, SHOP_TIMEZONE), inclusive. "
        "Default: 29 days before `to`. At most 1,096 days before `to`.",
    ),
]
"""A report's first day; parsed and checked by passaparola.reports.periods.window (400 naming `from`)."""
To = Annotated[
    str | None,
    Query(
        json_schema_extra={"pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", "format": "date"},
        description="Last day of the period, `YYYY-MM-DD` (shop calendar), inclusive. Default: today.",
    ),
]
Granularity = Annotated[
    str,
    Query(
        json_schema_extra={"enum": ["day", "week", "month"]},
        description="The series' buckets: `day`, `week` (ISO, from Monday) or `month`; the first and last "
        "buckets are clipped to the period.",
    ),
]
