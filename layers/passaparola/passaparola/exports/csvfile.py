"""CSV for spreadsheets and marketing tools: RFC 4180 (CRLF, quoting by the csv module), a header row, and
formulas neutralised — a cell a spreadsheet would evaluate (`=`, `+`, `-`, `@`, tab, carriage return first) gets
a leading `'`, so a customer's name like `=HYPERLINK(...)` stays text (OWASP "CSV injection")."""

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import datetime

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
Cell = str | int | float | bool | datetime | None


def cell(value: Cell) -> str:
    """One value as text: empty for None, `true`/`false`, ISO-8601 instants, numbers as they are."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)  # a negative number is a number, not a formula
    text = value.isoformat().replace("+00:00", "Z") if isinstance(value, datetime) else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def write(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, dialect="excel", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(header)
    for row in rows:
        writer.writerow([cell(v) for v in row])
    return out.getvalue()
