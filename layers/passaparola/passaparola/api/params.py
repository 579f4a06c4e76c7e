"""Path parameters shared by several API functions, validated like the same value in a body."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path
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
