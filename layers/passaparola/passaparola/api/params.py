"""Path parameters shared by several API functions, validated like the same value in a body."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path
from pydantic import AfterValidator

from passaparola.coupons.models import CUSTOMER_ID_PATTERN, check_customer_id

CustomerIdPath = Annotated[
    str, Path(min_length=1, max_length=128, pattern=CUSTOMER_ID_PATTERN), AfterValidator(check_customer_id)
]
