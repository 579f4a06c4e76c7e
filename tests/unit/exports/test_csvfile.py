"""The CSV writer: RFC 4180 that a spreadsheet opens as text, never as a formula."""

import csv
import io
from datetime import UTC, datetime

import pytest

from passaparola.exports import csvfile


def parse(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ('=HYPERLINK("http://evil","x")', '\'=HYPERLINK("http://evil","x")'),
        ("+1+2", "'+1+2"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Anna", "Anna"),
        ("a=b", "a=b"),
    ],
)
def test_a_cell_a_spreadsheet_would_evaluate_is_neutralised(value: str, written: str) -> None:
    assert csvfile.cell(value) == written
    assert parse(csvfile.write(["name"], [[value]]))[1] == [written]


def test_numbers_booleans_instants_and_nothing_are_written_as_values() -> None:
    at = datetime(2026, 12, 7, 9, 30, tzinfo=UTC)
    assert [csvfile.cell(v) for v in (-5, 0, 2.5, True, False, None, at)] == [
        "-5",
        "0",
        "2.5",
        "true",
        "false",
        "",
        "2026-12-07T09:30:00Z",
    ]


def test_commas_quotes_newlines_and_unicode_survive_a_round_trip() -> None:
    values = ["Rossi, Mario", 'Il "Conte"', "line one\nline two", "Zoë 北京 🎉", "crlf\r\ninside"]
    text = csvfile.write(["a", "b", "c", "d", "e"], [values])
    assert text.startswith("a,b,c,d,e\r\n"), "a header row, CRLF line ends (RFC 4180)"
    assert '"Rossi, Mario"' in text and '"Il ""Conte"""' in text
    assert parse(text) == [["a", "b", "c", "d", "e"], values]


def test_only_the_header_when_there_are_no_rows() -> None:
    assert csvfile.write(["customer_id", "email"], []) == "customer_id,email\r\n"
