"""The points import's CSV reading (the runs themselves: tests/integration/test_points_import_http.py)."""

import pytest

from passaparola.errors import InvalidRequest
from passaparola.loyalty.imports import parse


def test_rows_are_checked_one_by_one_with_their_line_numbers() -> None:
    rows, rejected = parse(
        "\ufeffCustomer_ID,email,points,reason\n"
        "anna,,100,old balance\n"
        ",bob@example.com,+20,\n"
        "\n"
        "carla,,0,\n"
        ",,5,\n"
        "a#b,,5,\n"
        'dan,,"1,000",\n'
        "eve,,5,4,extra\n".removeprefix("\ufeff")
    )
    assert [(r.line, r.customer_id, r.email, r.points, r.reason) for r in rows] == [
        (2, "anna", None, 100, "old balance"),
        (3, "", "bob@example.com", 20, "imported balance"),
    ]
    assert [(r.row, r.reason) for r in rejected] == [
        (5, "zero_points"),
        (6, "missing_customer"),
        (7, "invalid_customer_id"),
        (8, "malformed"),
        (9, "malformed"),
    ]


@pytest.mark.parametrize("header", ["", "points\n", "customer_id,customer_id,points\n", "customer_id,points,vip\n"])
def test_a_header_it_cannot_read_refuses_the_file(header: str) -> None:
    with pytest.raises(InvalidRequest):
        parse(header + "x,1\n")
